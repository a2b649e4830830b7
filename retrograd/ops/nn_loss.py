"""Loss functions: the ones torch computes in one kernel are ops here with torch's node names
(MseLossBackward0, NllLossBackward0, ...); the ones torch composes (cross_entropy, l1_loss, kl_div,
margin losses, ...) are composites built the same way, so their `grad_fn` chains match.

`reduction` is saved as torch's enum (0 'none', 1 'mean', 2 'sum'). Gradients of an op's reduced
output reach every element as `grad` broadcast (divided by the count for 'mean').
"""
import math
import warnings

import numpy as np

from .. import _errors
from ..autograd.grad_mode import state
from ..tensor import Tensor, _wrap
from .registry import defop, export, ELEMENTWISE
from ..autograd.forward_ad import FROM_VJP
from .nn import _const, _arr, _sig, _sum_keep, _softplus, _jvp_from_vjp, mul_scalar, div_scalar, add_scalar, sub_scalar

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _enum(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _REDUCTIONS[reduction]


def _legacy(size_average, reduce, reduction):
    """torch's `size_average=` / `reduce=` (deprecated) turned into a reduction name."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  f"{'none' if reduce is False else 'mean' if size_average is not False else 'sum'}' instead.")
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


def _reduce_arr(xp, loss, reduction):
    if reduction == 0:
        return loss
    with np.errstate(all="ignore"):
        return loss.mean() if reduction == 1 else loss.sum()


def _numel(x):
    return x.numel() if isinstance(x, Tensor) else x.size


def _spread(grad, d, reduction):
    """grad (of the reduced loss) times d (the elementwise derivative), undoing the reduction."""
    if reduction == 1:
        n = _numel(d)
        return grad * d / n if n else grad * d
    return grad * d


def _apply_reduction(loss, reduction):
    """ATen's apply_loss_reduction for composites: mean() / sum() / as is."""
    return loss.mean() if reduction == 1 else loss.sum() if reduction == 2 else loss


def _nondiff(fn, arg, t):
    if isinstance(t, Tensor) and t._rg and state.grad_enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
                           "This input cannot have requires_grad True.")


def _loss(name, node, forward, **formulas):
    op = defop(name, node=node, forward=forward, promote=("promote", "self", "target"), export=False,
               **formulas)
    return _jvp_from_vjp(op)


def _size_warning(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))      # torch.broadcast_tensors
        return (input if tuple(input.shape) == shape else input.expand(shape),
                target if tuple(target.shape) == shape else target.expand(shape))
    return input, target


# ------------------------------------------------------------------ elementwise regression losses

mse_op = _loss("mse_loss", "MseLossBackward0",
               lambda xp, self, target, reduction=1: _reduce_arr(xp, (self - target) ** 2, reduction),
               self=lambda grad, self, target, reduction: _spread(grad, 2 * (self - target), reduction),
               target=lambda grad, self, target, reduction: _spread(grad, 2 * (target - self), reduction))


def _smooth_l1_d(self, target, beta):
    d = self - target
    return np.where(np.abs(d) < beta, d / beta, np.sign(d))


def _huber_d(self, target, delta):
    d = self - target
    return np.where(np.abs(d) <= delta, d, np.sign(d) * delta)


def _smooth_l1_fwd(xp, self, target, reduction=1, beta=1.0):
    z = xp.abs(self - target)
    return _reduce_arr(xp, xp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


def _huber_fwd(xp, self, target, reduction=1, delta=1.0):
    z = xp.abs(self - target)
    return _reduce_arr(xp, xp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), reduction)


smooth_l1_op = _loss("smooth_l1_loss", "SmoothL1LossBackward0", _smooth_l1_fwd,
                     self=lambda grad, self, target, reduction, beta:
                         _spread(grad, _smooth_l1_d(self, target, beta), reduction),
                     target=lambda grad, self, target, reduction, beta:
                         -_spread(grad, _smooth_l1_d(self, target, beta), reduction))
huber_op = _loss("huber_loss", "HuberLossBackward0", _huber_fwd,
                 self=lambda grad, self, target, reduction, delta:
                     _spread(grad, _huber_d(self, target, delta), reduction),
                 target=lambda grad, self, target, reduction, delta:
                     -_spread(grad, _huber_d(self, target, delta), reduction))


def _weighted(loss, weight, reduction, mean_by_weight=True):
    """torch's weighted mse/l1 (and huber): the elementwise loss times weight; 'mean' divides by
    sum(weight) for mse and l1, by the element count for huber."""
    from .. import sum as _sum
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return _sum(loss)
    if reduction == "mean":
        return _sum(loss) / _sum(weight) if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Same as `torch.nn.functional.mse_loss`: MseLossBackward0 (a composite with `weight`)."""
    input, target = _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise ValueError("Weights and input must have the same size.")
        return _weighted((input - target) ** 2, weight, reduction)
    return mse_op.fn(input, target, _enum(reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Same as `torch.nn.functional.l1_loss`: a composite of sub, abs and mean/sum, as torch."""
    input, target = _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise ValueError("Weights and input must have the same size.")
        return _weighted((input - target).abs(), weight, reduction)
    return _apply_reduction((input - target).abs(), _enum(reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Same as `torch.nn.functional.smooth_l1_loss` (beta=0 is l1_loss)."""
    input, target = _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if beta == 0.0:
        return _apply_reduction((input - target).abs(), _enum(reduction))
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return smooth_l1_op.fn(input, target, _enum(reduction), beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Same as `torch.nn.functional.huber_loss`: HuberLossBackward0 (a composite with `weight`)."""
    input, target = _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return huber_op.fn(input, target, _enum(reduction), delta)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    return _weighted(huber_op.fn(input, target, 0, delta), weight, reduction, mean_by_weight=False)


# ------------------------------------------------------------------ binary cross entropy

_EPS = 1e-12


def _bce_fwd(xp, self, target, weight, reduction=1):
    if ((self < 0) | (self > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        loss = -(target * xp.maximum(xp.log(self), -100) + (1 - target) * xp.maximum(xp.log1p(-self), -100))
    return _reduce_arr(xp, loss if weight is None else loss * weight, reduction)


def _w(d, weight):
    return d if weight is None else d * weight


bce_op = _loss("binary_cross_entropy", "BinaryCrossEntropyBackward0", _bce_fwd,
               self=lambda grad, self, target, weight, reduction: _spread(
                   grad, _w((self - target) / np.maximum((1 - self) * self, _EPS), weight), reduction),
               target=lambda grad, self, weight, reduction: _spread(
                   grad, _w(np.maximum(np.log1p(-self), -100) - np.maximum(np.log(self), -100), weight),
                   reduction))


def _bce_logits_fwd(xp, self, target, weight, pos_weight, reduction=1):
    sp = xp.log1p(xp.exp(-xp.abs(self))) + xp.maximum(-self, 0)          # softplus(-x), stable
    lw = 1 if pos_weight is None else (pos_weight - 1) * target + 1
    loss = (1 - target) * self + lw * sp
    return _reduce_arr(xp, loss if weight is None else loss * weight, reduction)


def _bce_logits_dself(self, target, pos_weight):
    if pos_weight is None:
        return _sig(self) - target
    return ((pos_weight - 1) * target + 1) * _sig(self) - pos_weight * target


def _bce_logits_dtarget(self, pos_weight):
    if pos_weight is None:
        return -self
    return (pos_weight - 1) * _softplus(-self) - self


bce_logits_op = defop("binary_cross_entropy_with_logits", node="BinaryCrossEntropyWithLogitsBackward0",
                      forward=_bce_logits_fwd, promote=("promote", "self", "target"), broadcast=True,
                      export=False,
                      self=lambda grad, self, target, weight, pos_weight, reduction: _spread(
                          grad, _w(_bce_logits_dself(self, target, pos_weight), weight), reduction),
                      target=lambda grad, self, weight, pos_weight, reduction: _spread(
                          grad, _w(_bce_logits_dtarget(self, pos_weight), weight), reduction))
_jvp_from_vjp(bce_logits_op)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.binary_cross_entropy`: logs clamped at -100, as torch."""
    reduction = _legacy(size_average, reduce, reduction)
    r = _enum(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    _nondiff("binary_cross_entropy", "weight", weight)
    if weight is not None:
        weight = weight.expand(np.broadcast_shapes(tuple(target.shape), tuple(weight.shape)))
    return bce_op.fn(input, target, weight, r)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Same as `torch.binary_cross_entropy_with_logits`: stable for any logits."""
    reduction = _legacy(size_average, reduce, reduction)
    r = _enum(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _nondiff("binary_cross_entropy_with_logits", "weight", weight)
    _nondiff("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    return bce_logits_op.fn(input, target, weight, pos_weight, r)


soft_margin_op = _loss("soft_margin_loss", "SoftMarginLossBackward0",
                       lambda xp, self, target, reduction=1: _reduce_arr(
                           xp, xp.log1p(xp.exp(-xp.abs(self * target))) + xp.maximum(-self * target, 0),
                           reduction),
                       self=lambda grad, self, target, reduction: _spread(
                           grad, -target * _sig(-self * target), reduction))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.soft_margin_loss`: log(1 + exp(-y x))."""
    r = _enum(_legacy(size_average, reduce, reduction))
    _nondiff("soft_margin_loss", "target", target)
    return soft_margin_op.fn(input, target, r)


# ------------------------------------------------------------------ negative log likelihood
# Note [nll_loss through a one-hot mask]
# The gradient of nll_loss is -w[t] / total_weight at (n, t[n]) and 0 elsewhere. It is written as
# grad times a constant one-hot mask (built from the integer target), so it is the same formula on
# arrays and on Tensors, and its own derivatives (zero with respect to the input) follow.

def _nll_parts(self, target, weight, ignore_index):
    """Arrays: the class dim, the class index per sample (ignored ones at 0) and its weight (0 when
    ignored); the weight is None when it is 1 everywhere (no `weight`, nothing ignored)."""
    x, t = _arr(self), _arr(target)
    cdim = 0 if x.ndim == 1 else 1
    valid = t != ignore_index
    if weight is None and valid.all():
        return cdim, t, None
    tc = np.where(valid, t, 0)
    w = np.asarray(_arr(weight))[tc] if weight is not None else np.ones(t.shape, x.dtype)
    return cdim, tc, np.where(valid, w, 0).astype(x.dtype)


def _nll_fwd(xp, self, target, weight, reduction=1, ignore_index=-100):
    cdim, tc, w = _nll_parts(self, target, weight, ignore_index)
    if w is None and self.ndim == 2:          # the common case: a batch of class scores, all counted
        picked = self[xp.arange(tc.shape[0]), tc]
        if reduction == 0:
            return -picked
        total = -picked.sum()
        with np.errstate(all="ignore"):
            return total / self.dtype.type(tc.shape[0]) if reduction == 1 else total
    if w is None:
        w = np.ones(tc.shape, self.dtype)
    picked = xp.take_along_axis(self, np.expand_dims(tc, cdim), axis=cdim).squeeze(cdim) if self.size else \
        xp.zeros(tc.shape, self.dtype)
    loss = -picked * w
    if reduction == 0:
        return loss
    with np.errstate(all="ignore"):
        return loss.sum() / w.sum() if reduction == 1 else loss.sum()


def _nll_grad(grad, self, target, weight, reduction, ignore_index):
    cdim, tc, w = _nll_parts(self, target, weight, ignore_index)
    x = _arr(self)
    if w is None:
        w = np.ones(tc.shape, x.dtype)
    if reduction == 1:
        with np.errstate(all="ignore"):
            w = w / w.sum()
    if not isinstance(grad, Tensor):
        g = -w * (grad if reduction == 0 else grad[()])
        out = np.zeros_like(x)
        np.put_along_axis(out, np.expand_dims(tc, cdim), np.expand_dims(g.astype(x.dtype), cdim), axis=cdim)
        return out
    # the graph path: grad times a constant one-hot mask (Note [nll_loss through a one-hot mask])
    classes = np.arange(x.shape[cdim]).reshape((-1,) + (1,) * (x.ndim - cdim - 1))
    coef = np.where(np.expand_dims(tc, cdim) == classes, -np.expand_dims(w, cdim), 0).astype(x.dtype)
    return (grad.unsqueeze(cdim) if reduction == 0 else grad) * _const(grad, coef)


def _nll_op(name, node):
    return _jvp_from_vjp(defop(name, node=node, forward=_nll_fwd, export=False, self=_nll_grad))


nll_op = _nll_op("nll_loss", "NllLossBackward0")
nll2d_op = _nll_op("nll_loss2d", "NllLoss2DBackward0")


def _nll_checks(input, target, weight, ignore_index):
    x, t = input._data, target._data
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_errors.scalar_name(t.dtype)}")
    c = x.shape[0 if x.ndim == 1 else 1]
    if weight is not None and weight._data.size != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but "
                           f"got weight tensor of shape: {_errors.shape_str(weight._data.shape)}")
    if t.size == 0 or (t.min() >= 0 and t.max() < c):
        return                                  # every target in range (the usual case: two reductions)
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.nll_loss`: NllLossBackward0 for 1-D/2-D input, NllLoss2DBackward0
    for 4-D (and, through views, for 3-D and 5-D+)."""
    r = _enum(_legacy(size_average, reduce, reduction))
    nd = input._data.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and input.shape[0] != (target.shape[0] if target.dim() else 1):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.dim() else 1}).")
    _nondiff("nll_loss_forward" if nd <= 2 else "nll_loss2d_forward", "weight", weight)
    if nd <= 2:
        if target.dim() > 1 or (nd == 2 and target.dim() != 1):
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _nll_checks(input, target, weight, ignore_index)
        return nll_op.fn(input, target, weight, r, ignore_index)
    n, c = input.shape[0], input.shape[1]
    if nd == 4:
        if tuple(target.shape) != (n,) + tuple(input.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {_errors.shape_str(input.shape)} , target: "
                               f"{_errors.shape_str(target.shape)}")
        _nll_checks(input, target, weight, ignore_index)
        return nll2d_op.fn(input, target, weight, r, ignore_index)
    out_size = (n,) + tuple(input.shape[2:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {_errors.shape_str(out_size)}, got "
                           f"{_errors.shape_str(target.shape)}")
    _nll_checks(input, target, weight, ignore_index)
    x = input.contiguous().view(n, c, 1, -1) if input.numel() else input.view(n, c, 0, 0)
    t = target.contiguous().view(n, 1, -1) if target.numel() else target.view(n, 0, 0)
    out = nll2d_op.fn(x, t, weight, r, ignore_index)
    return out if r else out.view(out_size)


# ------------------------------------------------------------------ cross entropy (composite, as ATen)

def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Same as `torch.nn.functional.cross_entropy`: log_softmax then nll_loss for class indices;
    a composite for class probabilities and label smoothing, as torch."""
    from .nn import log_softmax
    r = _enum(_legacy(size_average, reduce, reduction))
    cdim = 0 if input.dim() == 1 else 1
    if tuple(input.shape) == tuple(target.shape):
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_errors.scalar_name(target._data.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _ce_prob(input, target, weight, r, label_smoothing, cdim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        return _ce_smooth(input, target, weight, r, ignore_index, label_smoothing, cdim)
    return nll_loss(log_softmax(input, cdim), target, weight, ignore_index=ignore_index,
                    reduction=("none", "mean", "sum")[r])


def _weight_view(weight, nd, cdim):
    return weight.view(*[weight.shape[0] if i == cdim else 1 for i in range(nd)]) if nd > 1 else weight


def _ce_prob(input, target, weight, r, ls, cdim):
    from .nn import log_softmax
    n_classes = input.shape[cdim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{_errors.shape_str(weight.shape)}")
    logp = log_softmax(input, cdim)
    if ls > 0.0:
        if ls > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {ls}")
        target = add_scalar.fn(mul_scalar.fn(target, 1 - ls), ls / n_classes)
    prod = logp * target
    if weight is not None:
        prod = prod * _weight_view(weight, input.dim(), cdim)
    if r == 1:
        if input.numel() == 0:
            return -(prod.sum() * float("nan"))
        return div_scalar.fn(-prod.sum(), input.numel() // n_classes)
    if r == 2:
        return -prod.sum()
    return -prod.sum(cdim)


def _ce_smooth(input, target, weight, r, ignore_index, ls, cdim):
    from .nn import log_softmax
    logp = log_softmax(input, cdim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=("none", "mean", "sum")[r])
    n_classes = logp.shape[cdim]
    ignore = target == ignore_index
    if weight is not None:
        smooth = -(logp * _weight_view(weight, logp.dim(), cdim)).sum(cdim)
    else:
        smooth = -logp.sum(cdim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if r == 1:
        if weight is not None:
            t = target._data[~ignore._data]
            ret = smooth.sum() / _wrap(np.asarray(weight._data[t].sum()))
        else:
            ret = smooth.sum() / _wrap(np.asarray((~ignore._data).sum()))
    elif r == 2:
        ret = smooth.sum()
    else:
        ret = smooth
    return mul_scalar.fn(nll, 1 - ls) + mul_scalar.fn(ret, ls / n_classes)


# ------------------------------------------------------------------ other composites, as ATen builds them

def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Same as `torch.nn.functional.kl_div` ('batchmean' divides the sum by the batch size)."""
    if size_average is not None or reduce is not None:
        r = _enum(_legacy(size_average, reduce, "mean"))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support "
                          "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                          "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                          "major release.", stacklevel=2)
        r = 2 if reduction == "batchmean" else _enum(reduction)
    out = _kl_div(input, target, r, log_target)
    if reduction == "batchmean" and input.dim() != 0:
        out = out / input.shape[0]
    return out


def _kl_div(input, target, r, log_target):
    if log_target:
        out = target.exp() * (target - input)
    else:
        out = _xlogy(target, target) - target * input
    return _apply_reduction(out, r)


def _xlogy_fwd(xp, self, other):
    with np.errstate(all="ignore"):
        return xp.where(self == 0, 0, self * xp.log(other)).astype(np.result_type(self, other), copy=False)


# torch.xlogy for kl_div, with torch's derivatives (ops/pointwise.py's xlogy is used once it exists)
xlogy_op = defop("_nn_xlogy", node="XlogyBackward0", promote="float", broadcast=True, export=False,
                 jvp=ELEMENTWISE, forward=_xlogy_fwd,
                 self=lambda grad, self, other: grad * np.where(self != 0, np.log(other), 0),
                 other=lambda grad, self, other: grad * self / other)


def _xlogy(x, y):
    from .registry import FUNCTIONS
    return FUNCTIONS["xlogy"](x, y) if "xlogy" in FUNCTIONS else xlogy_op.fn(x, y)


def _scalar_like(v, t):
    """`v` as a 0-d tensor: ATen's `scalar - tensor` records SubBackward0, not RsubBackward1."""
    return _wrap(np.asarray(v, dtype=t._data.dtype))


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Same as `torch.nn.functional.poisson_nll_loss`."""
    r = _enum(_legacy(size_average, reduce, reduction))
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, r)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Same as `torch.nn.functional.gaussian_nll_loss` (var clamped at eps without gradient)."""
    from .. import ones_like, no_grad
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.margin_ranking_loss`."""
    r = _enum(_legacy(size_average, reduce, reduction))
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _apply_reduction(add_scalar.fn(-target * (input1 - input2), margin).clamp_min(0), r)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.hinge_embedding_loss`."""
    from .. import where, zeros_like
    r = _enum(_legacy(size_average, reduce, reduction))
    zeros = zeros_like(input)
    margin_clamp = (_scalar_like(margin, input) - input).clamp_min(0)
    return _apply_reduction(where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros), r)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.multilabel_soft_margin_loss`."""
    from .nn import logsigmoid
    reduction = _legacy(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.cosine_embedding_loss`."""
    from .. import where, zeros_like
    r = _enum(_legacy(size_average, reduce, reduction))
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{_errors.shape_str(input1.shape)} and {_errors.shape_str(input2.shape)}.")
    if td == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{_errors.shape_str(input1.shape)} and {_errors.shape_str(input2.shape)}.")
    prod_sum = (input1 * input2).sum(td)
    mag1 = add_scalar.fn((input1 * input1).sum(td), _EPS)
    mag2 = add_scalar.fn((input2 * input2).sum(td), _EPS)
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    pos = _scalar_like(1, cos) - cos
    neg = sub_scalar.fn(cos, margin).clamp_min(0)
    return _apply_reduction(where(target == 1, pos, zeros) + where(target == -1, neg, zeros), r)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """Same as `torch.nn.functional.triplet_margin_loss`."""
    from .nn_norm import pairwise_distance
    from .. import minimum
    r = _enum(_legacy(size_average, reduce, reduction))
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pd, nd = anchor.dim(), positive.dim(), negative.dim()
    if not (a == pd == nd):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number "
                           f"of dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((add_scalar.fn(d_pos, margin) - d_neg).clamp_min(0), r)


# ------------------------------------------------------------------ multi margin (one kernel in torch)

def _mm_parts(self, target, weight, margin):
    """For (N, C) input: the one-hot target mask and, per element, margin - x[y] + x (constant mask
    from the integer target; see Note [nll_loss through a one-hot mask])."""
    x = self if self.ndim == 2 else self.reshape(1, -1)
    t = _arr(target).reshape(-1)
    mask = t[:, None] == np.arange(x.shape[1])
    m = _const(self, mask)
    xy = (x * _const(self, mask.astype(_arr(self).dtype))).sum(1, keepdim=True) if isinstance(x, Tensor) \
        else (x * mask).sum(axis=1, keepdims=True)
    dt = _arr(self).dtype
    w = _const(self, (np.ones(t.shape, dt) if weight is None else np.asarray(_arr(weight))[t].astype(dt))[:, None])
    return x, m, margin - xy + x, w


def _mm_fwd(xp, self, target, weight, p=1, margin=1.0, reduction=1):
    x, mask, z, w = _mm_parts(self, target, weight, margin)
    loss = (xp.where(mask | (z <= 0), 0, z if p == 1 else z * z) * w).sum(axis=1) / x.shape[1]
    return _reduce_arr(xp, loss if self.ndim == 2 else loss.reshape(()), reduction)


def _mm_grad(grad, self, target, weight, p, margin, reduction):
    x, mask, z, w = _mm_parts(self, target, weight, margin)
    active = (z > 0) & ~mask
    gi = np.where(active, (1 if p == 1 else 2 * z) * w, 0) / x.shape[1]
    gi = gi - np.where(mask, _sum_keep(gi, 1), 0)
    if reduction == 0 and self.ndim == 2:
        g = grad.unsqueeze(1) if isinstance(grad, Tensor) else grad[:, None]
    else:
        g = grad / x.shape[0] if reduction == 1 else grad
    return (g * gi).reshape(self.shape)


# (torch has no JVP here: "Trying to use forward AD with multi_margin_loss ...")
multi_margin_op = defop("multi_margin_loss", node="MultiMarginLossBackward0", forward=_mm_fwd, export=False,
                        self=_mm_grad, jvp=FROM_VJP)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Same as `torch.nn.functional.multi_margin_loss` (p = 1 or 2)."""
    r = _enum(_legacy(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _nondiff("multi_margin_loss", "weight", weight)
    n = input.shape[0] if input.dim() == 2 else 1
    if target.numel() != n or (input.dim() == 2 and target.dim() != 1):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n}], but got "
                           f"{_errors.shape_str(target.shape)}. Input has shape {_errors.shape_str(input.shape)}.")
    t = target._data
    if t.size and (t.min() < 0 or t.max() >= input.shape[-1]):
        raise RuntimeError("target out of range")
    return multi_margin_op.fn(input, target, weight, p, margin, r)


# ------------------------------------------------------------------ torch.<name> forms (reduction as an int)

for _fn, _args in ((binary_cross_entropy_with_logits, ("input", "target", "weight", "pos_weight")),
                   (cosine_embedding_loss, ("input1", "input2", "target", "margin")),
                   (hinge_embedding_loss, ("input", "target", "margin")),
                   (margin_ranking_loss, ("input1", "input2", "target", "margin")),
                   (triplet_margin_loss, ("anchor", "positive", "negative", "margin", "p", "eps", "swap"))):
    def _positional(*args, _fn=_fn, _names=_args + ("reduction",), **kw):
        kw.update(zip(_names, args))
        kw["reduction"] = ("none", "mean", "sum")[kw.get("reduction", 1)]
        return _fn(**kw)
    _positional.__name__ = _fn.__name__
    _positional.__doc__ = f"Same as `torch.{_fn.__name__}` (reduction as torch's enum: 0, 1, 2)."
    export(_positional, name=_fn.__name__, method=False)


@export(method=False, name="kl_div")
def _torch_kl_div(input, target, reduction=1, *, log_target=False):
    """Same as `torch.kl_div` (reduction as torch's enum)."""
    return _kl_div(input, target, reduction, log_target)


@export(method=False, name="poisson_nll_loss")
def _torch_poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """Same as `torch.poisson_nll_loss`."""
    return poisson_nll_loss(input, target, log_input, full, None, eps, None, ("none", "mean", "sum")[reduction])


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """Same as `torch.nn.functional.triplet_margin_with_distance_loss`."""
    from .nn_norm import pairwise_distance
    from .. import minimum
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")
    distance_function = distance_function or pairwise_distance
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, distance_function(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    return loss.sum() if reduction == "sum" else loss.mean() if reduction == "mean" else loss
