"""Normalization (batch, layer, group, instance, RMS, local response), `normalize`, and the distances
built on norms (cosine_similarity, pairwise_distance).

# Note [Normalization ops keep their statistics as outputs]
native_batch_norm / native_layer_norm / native_group_norm return (out, mean, invstd) as torch does,
and their formulas read mean and invstd from those outputs. On the graph path those are outputs of
the same node, so differentiating a formula through them comes back to the node as gradients of
outputs 1 and 2: the formulas take those into account (the `g1`, `g2` terms), which is what makes
second derivatives exact. torch's users never see outputs 1 and 2 (F.layer_norm returns output 0).
"""
import math

import numpy as np

from .. import _errors
from ..tensor import Tensor
from .registry import defop, export
from ..autograd.forward_ad import FROM_VJP
from .nn import _mean_keep, _jvp_from_vjp, _const, add_scalar


def _norm_input_grad(gw, g1, g2, x, mean, rstd, dims, m):
    """d/dx of (x - mean) * rstd over `dims` (m elements), with output gradient gw (already times
    the weight) and gradients g1, g2 of mean and rstd (keepdims-shaped); arrays or Tensors."""
    xhat = (x - mean) * rstd
    return rstd * (gw - _mean_keep(gw, dims) - xhat * _mean_keep(gw * xhat, dims)) + (g1 - g2 * rstd * rstd * xhat) / m


def _sum_over(x, dims):
    if not dims:
        return x
    return x.sum(dims) if isinstance(x, Tensor) else x.sum(axis=dims)


# ------------------------------------------------------------------ layer norm

def _ln_axes(x, normalized_shape):
    return tuple(range(x.ndim - len(normalized_shape), x.ndim))


def _ln_fwd(xp, input, weight, bias, normalized_shape=(), eps=1e-5):
    dims = _ln_axes(input, normalized_shape)
    with np.errstate(all="ignore"):         # empty inputs: nan statistics, empty output, as torch
        mean = input.mean(axis=dims, keepdims=True)
        rstd = 1 / xp.sqrt(((input - mean) ** 2).mean(axis=dims, keepdims=True) + eps)
    out = (input - mean) * rstd
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out, mean, rstd.astype(input.dtype, copy=False)


def _ln_input(grads, input, weight, result1, result2, normalized_shape):
    g, g1, g2 = grads
    dims = _ln_axes(input, normalized_shape)
    m = math.prod(normalized_shape)
    return _norm_input_grad(g if weight is None else g * weight, g1, g2, input, result1, result2, dims, m)


def _ln_lead(input, normalized_shape):
    return tuple(range(input.ndim - len(normalized_shape)))


layer_norm_op = _jvp_from_vjp(defop(
    "native_layer_norm", node="NativeLayerNormBackward0", forward=_ln_fwd, outputs=("result0", "result1", "result2"),
    export=False, input=_ln_input,
    weight=lambda grads, input, result1, result2, normalized_shape: _sum_over(
        grads[0] * ((input - result1) * result2), _ln_lead(input, normalized_shape)),
    bias=lambda grads, input, normalized_shape: _sum_over(grads[0], _ln_lead(input, normalized_shape))))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Same as `torch.nn.functional.layer_norm`: NativeLayerNormBackward0."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    shape = tuple(input.shape)
    k = len(normalized_shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                               f"shape {_errors.shape_str(t.shape)} and normalized_shape = "
                               f"{_errors.shape_str(normalized_shape)}")
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={_errors.shape_str(normalized_shape)}, expected input with "
                           f"shape [*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
                           f"{_errors.shape_str(shape)}")
    return layer_norm_op.fn(input, weight, bias, normalized_shape, eps)[0]


# ------------------------------------------------------------------ batch norm

def _bn_dims(x):
    return (0,) + tuple(range(2, x.ndim))


def _bc(v, nd):
    """A per-channel vector shaped to broadcast over (N, C, *)."""
    return v.reshape((1, -1) + (1,) * (nd - 2))


def _bn_fwd(xp, input, weight, bias, running_mean=None, running_var=None, training=True, momentum=0.1, eps=1e-5):
    nd = input.ndim
    dims = _bn_dims(input)
    if training:
        mean = input.mean(axis=dims)
        var = ((input - _bc(mean, nd)) ** 2).mean(axis=dims)
        n = input.size // input.shape[1]
        # See the running-statistics update in torch: unbiased variance, momentum-weighted, in place
        if running_mean is not None:
            rm = running_mean._data
            rm[...] = (1 - momentum) * rm + momentum * mean
        if running_var is not None:
            rv = running_var._data
            rv[...] = (1 - momentum) * rv + momentum * var * (n / (n - 1) if n > 1 else float("nan"))
    else:
        mean, var = running_mean._data.astype(input.dtype), running_var._data.astype(input.dtype)
    invstd = (1 / xp.sqrt(var + eps)).astype(input.dtype, copy=False)
    out = (input - _bc(mean, nd)) * _bc(invstd, nd)
    if weight is not None:
        out = out * _bc(weight, nd)
    if bias is not None:
        out = out + _bc(bias, nd)
    return out, mean.astype(input.dtype, copy=False), invstd


def _bn_input(grads, input, weight, result1, result2, training):
    g, g1, g2 = grads
    nd = input.ndim
    gw = g if weight is None else g * _bc(weight, nd)
    if not training:
        return gw * _bc(result2, nd)
    m = input.size // input.shape[1] if not isinstance(input, Tensor) else input.numel() // input.shape[1]
    return _norm_input_grad(gw, _bc(g1, nd), _bc(g2, nd), input, _bc(result1, nd), _bc(result2, nd),
                            _bn_dims(input), m)


batch_norm_op = _jvp_from_vjp(defop(
    "native_batch_norm", node="NativeBatchNormBackward0", forward=_bn_fwd, outputs=("result0", "result1", "result2"),
    export=False, input=_bn_input,
    weight=lambda grads, input, result1, result2: _sum_over(
        grads[0] * ((input - _bc(result1, input.ndim)) * _bc(result2, input.ndim)), _bn_dims(input)),
    bias=lambda grads, input: _sum_over(grads[0], _bn_dims(input))))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Same as `torch.nn.functional.batch_norm`: NativeBatchNormBackward0; in training the running
    statistics are updated in place (momentum, unbiased variance), as torch."""
    shape = tuple(input.shape)
    if training:
        n = shape[0] * math.prod(shape[2:]) if len(shape) > 1 else shape[0]
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    c = shape[1] if len(shape) > 1 else 0
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if not training and t is None:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    return batch_norm_op.fn(input, weight, bias, running_mean, running_var, bool(training), momentum, eps)[0]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Same as `torch.nn.functional.instance_norm`: batch norm over a (1, N*C, *) view, as torch."""
    shape = tuple(input.shape)
    if use_input_stats and math.prod(shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    b, c = shape[0], shape[1]
    x = input.contiguous().view(1, b * c, *shape[2:])
    rep = lambda t: None if t is None else _repeat(t, b)
    rm, rv = rep(running_mean), rep(running_var)
    out = batch_norm(x, rm, rv, rep(weight), rep(bias), use_input_stats, momentum, eps)
    for run, new in ((running_mean, rm), (running_var, rv)):
        if run is not None:
            run._data[...] = new._data.reshape(b, c).mean(axis=0)
    return out.view(*shape)


def _repeat(t, b):
    if hasattr(t, "repeat"):
        return t.repeat(b)
    return t.unsqueeze(0).expand(b, t.shape[0]).reshape(-1)


# ------------------------------------------------------------------ group norm

def _gn_fwd(xp, input, weight, bias, N=0, C=0, HxW=0, group=1, eps=1e-5):
    xg = input.reshape(N, group, -1)
    with np.errstate(all="ignore"):
        mean = xg.mean(axis=-1)
        rstd = (1 / xp.sqrt(((xg - mean[..., None]) ** 2).mean(axis=-1) + eps)).astype(input.dtype, copy=False)
    out = ((xg - mean[..., None]) * rstd[..., None]).reshape(input.shape)
    nd = input.ndim
    if weight is not None:
        out = out * _bc(weight, nd)
    if bias is not None:
        out = out + _bc(bias, nd)
    return out, mean.astype(input.dtype, copy=False), rstd


def _gn_input(grads, input, weight, result1, result2, N, group):
    g, g1, g2 = grads
    gw = g if weight is None else g * _bc(weight, input.ndim)
    xg = input.reshape(N, group, -1)
    u = lambda v: v.reshape(N, group, 1)
    m = xg.shape[-1]
    return _norm_input_grad(gw.reshape(N, group, -1), u(g1), u(g2), xg, u(result1), u(result2), (2,),
                            m).reshape(input.shape)


def _gn_xhat(input, result1, result2, N, group):
    xg = input.reshape(N, group, -1)
    return ((xg - result1.reshape(N, group, 1)) * result2.reshape(N, group, 1)).reshape(input.shape)


group_norm_op = _jvp_from_vjp(defop(
    "native_group_norm", node="NativeGroupNormBackward0", forward=_gn_fwd, outputs=("result0", "result1", "result2"),
    export=False, input=_gn_input,
    weight=lambda grads, input, result1, result2, N, group: _sum_over(
        grads[0] * _gn_xhat(input, result1, result2, N, group), _bn_dims(input)),
    bias=lambda grads, input: _sum_over(grads[0], _bn_dims(input))))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Same as `torch.nn.functional.group_norm`: NativeGroupNormBackward0."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = tuple(input.shape)
    n, c = shape[0], shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {_errors.shape_str(shape)} and num_groups={num_groups}")
    if math.prod([n * c // num_groups, num_groups] + list(shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{[n * c // num_groups, num_groups] + list(shape[2:])}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {_errors.shape_str(t.shape)} and input of shape "
                               f"{_errors.shape_str(shape)}")
    return group_norm_op.fn(input, weight, bias, n, c, math.prod(shape[2:]), num_groups, eps)[0]


# ------------------------------------------------------------------ composites, as ATen builds them

def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Same as `torch.nn.functional.rms_norm`: x * rsqrt(mean(x^2) + eps) (* weight)."""
    from ..dtypes import finfo
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    shape = tuple(input.shape)
    k = len(normalized_shape)
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={_errors.shape_str(normalized_shape)}, expected input with "
                           f"shape [*{', '.join(str(s) for s in normalized_shape)}], but got input of size"
                           f"{_errors.shape_str(shape)}")
    if eps is None:
        eps = finfo(input.dtype).eps
    dims = tuple(range(len(shape) - k, len(shape)))
    out = input * add_scalar.fn(input.pow(2).mean(dims, keepdim=True), eps).rsqrt()
    return out * weight if weight is not None else out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Same as `torch.nn.functional.local_response_norm` (needs pad and avg_pool from ops/conv.py)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    from ..nn.functional import pad, avg_pool2d, avg_pool3d
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(*sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Same as `torch.nn.functional.normalize`: input / max(||input||_p, eps) along `dim`."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Same as `torch.cosine_similarity`: each input divided by its (clamped) norm first, as torch."""
    from .. import no_grad
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    x1 = x1 if tuple(x1.shape) == shape else x1.expand(shape)
    x2 = x2 if tuple(x2.shape) == shape else x2.expand(shape)
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """Same as `torch.pairwise_distance`: ||x1 - x2 + eps||_p over the last dim."""
    return add_scalar.fn(x1 - x2, eps).norm(p, -1, keepdim=keepdim)


# ------------------------------------------------------------------ torch.<name> forms (ATen's argument order)

@export(method=False, name="layer_norm")
def _torch_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """Same as `torch.layer_norm`."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


@export(method=False, name="batch_norm")
def _torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """Same as `torch.batch_norm`."""
    return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


@export(method=False, name="instance_norm")
def _torch_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                         cudnn_enabled):
    """Same as `torch.instance_norm`."""
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


@export(method=False, name="group_norm")
def _torch_group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """Same as `torch.group_norm`."""
    return group_norm(input, num_groups, weight, bias, eps)


export(rms_norm, method=False)
export(cosine_similarity, method=False)
export(pairwise_distance, method=False)


# ------------------------------------------------------------------ pdist

def _pairs(n):
    return np.triu_indices(n, 1)


def _pdist_fwd(xp, self, p=2.0):
    i, j = _pairs(self.shape[0])
    d = xp.abs(self[i] - self[j])
    if p == 0:
        return (d != 0).sum(axis=1).astype(self.dtype)
    if p == float("inf"):
        return d.max(axis=1, initial=0)
    return (d ** p).sum(axis=1) ** (1 / p)


def _pdist_grad(grad, self, p, result):
    # rows gathered and scattered back with embedding and its adjoint (differentiable again)
    from .nn_layers import embedding_op, embedding_backward_op, _scatter_rows
    n = self.shape[0]
    i, j = (_const(grad, k) for k in _pairs(n))
    diff = embedding_op.fn(self, i) - embedding_op.fn(self, j) if isinstance(self, Tensor) else self[i] - self[j]
    r = result.reshape(-1, 1) if p not in (0,) else None
    if p == 0:
        g = diff * 0
    elif p == 1:
        g = np.sign(diff)
    elif p == float("inf"):
        a = np.abs(diff)
        g = np.sign(diff) * (a == r)
    else:
        safe = np.where(r == 0, 1, r)
        g = np.where(r == 0, 0, diff * np.abs(diff) ** (p - 2) / safe ** (p - 1))
    g = grad.reshape(-1, 1) * g
    if isinstance(g, Tensor):
        return embedding_backward_op.fn(g, i, n) - embedding_backward_op.fn(g, j, n)
    return _scatter_rows(np, g, i, n) - _scatter_rows(np, g, j, n)


# (torch has no JVP here: "Trying to use forward AD with _pdist_forward ...")
pdist_op = defop("_pdist_forward", node="PdistBackward0", forward=_pdist_fwd, export=False, self=_pdist_grad,
                 jvp=FROM_VJP)


@export(method=False)
def pdist(input, p=2):
    """Same as `torch.pdist`: the p-norm distances between all pairs of rows (upper triangle)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return pdist_op.fn(input, float(p))


@export(method=False, name="native_layer_norm")
def _torch_native_layer_norm(input, normalized_shape, weight, bias, eps):
    """Same as `torch.native_layer_norm`: (output, mean, rstd)."""
    layer_norm(input, normalized_shape, weight, bias, eps)          # torch's checks
    out, mean, rstd = layer_norm_op.fn(input, weight, bias, tuple(normalized_shape), eps)
    return out, mean.detach(), rstd.detach()                         # torch: statistics need no grad


@export(method=False, name="native_batch_norm")
def _torch_native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Same as `torch.native_batch_norm`: (output, save_mean, save_invstd); in eval the two are empty."""
    out, mean, invstd = batch_norm_op.fn(input, weight, bias, running_mean, running_var, bool(training), momentum, eps)
    if not training:
        from .. import empty
        return out, empty(0, dtype=input.dtype), empty(0, dtype=input.dtype)
    return out, mean.detach(), invstd.detach()


@export(method=False, name="native_group_norm")
def _torch_native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """Same as `torch.native_group_norm`: (output, mean, rstd), statistics of shape (N, group)."""
    out, mean, rstd = group_norm_op.fn(input, weight, bias, N, C, HxW, group, eps)
    return out, mean.detach(), rstd.detach()
