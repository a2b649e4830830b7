"""Scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp (a 0-d tensor takes dim
0 or -1). Formulas follow torch's FunctionsManual.cpp."""
import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from .numpy_compat import implements
from .reduce import _dim1, _raw, _sum_dtype, _quiet
from .sort import gather_along, _gather, _scatter
from ..tensor import Tensor, _wrap
from .. import return_types


def _scan(xp, x, dim, fn):
    if x.ndim == 0:
        return fn(x.reshape(1), axis=0).reshape(())
    return fn(x, axis=dim)


def _flip(x, dim):
    """`x` reversed along `dim`; on Tensors a gather with reversed indices (differentiable)."""
    if not isinstance(x, Tensor):
        return np.flip(x, dim)
    n = x.shape[dim]
    shape = [1] * x.ndim
    shape[dim] = n
    idx = np.broadcast_to(np.arange(n - 1, -1, -1).reshape(shape), tuple(x.shape))
    return gather_along.fn(x, dim, idx)


def _reversed_cumsum(x, dim):
    return _flip(np.cumsum(_flip(x, dim), axis=dim), dim)


def _trivial(grad, dim):
    """torch returns the gradient itself for a scan over at most one element."""
    return grad.ndim == 0 or grad.shape[dim] <= 1


# ------------------------------------------------------------------ cumsum

cumsum_op = defop("cumsum", node="CumsumBackward0", complex="same", export=False, jvp=LINEAR,
                  forward=lambda xp, self, dim=0, dtype=None:
                      _scan(xp, self if dtype is None else self.astype(dtype), dim, xp.cumsum),
                  self=lambda grad, dim: grad if _trivial(grad, dim) else _reversed_cumsum(grad, dim))


@export
def cumsum(input, dim, *, dtype=None, out=None):
    """Same as `torch.cumsum`: integers and bools accumulate in int64."""
    return cumsum_op.fn(input, _dim1(dim, input._data.ndim), _sum_dtype(input, dtype))


@implements(np.cumsum)
def _np_cumsum(a, axis=None, dtype=None, out=None):
    return cumsum(a, axis)


# ------------------------------------------------------------------ cumprod
# See Note [Products with zeros] in ops/reduce.py: the same cases, for every prefix.

def _cumprod_backward(grad, self, dim, result):
    """torch's cumprod_backward: reversed_cumsum(result * grad) / self without zeros; exact with."""
    if self.ndim == 0 or _trivial(grad, dim):
        return grad
    if not (_raw(self) == 0).any():
        return _reversed_cumsum(result * grad, dim) / self
    if not isinstance(self, Tensor):
        return _cumprod_zeros_np(grad, self, result, dim)
    # d result_j / d x_k = prod_{i <= j, i != k} x_i (k <= j): row k of an n x n matrix holds x
    # with x_k replaced by 1, and its cumprod is that product for every j
    xl, gl = np.swapaxes(self, dim, -1), np.swapaxes(grad, dim, -1)
    n = xl.shape[-1]
    m = np.where(_wrap(np.eye(n, dtype=bool)), 1, np.expand_dims(xl, -2))
    c = cumprod(m, -1)
    upper = _wrap(np.triu(np.ones((n, n), bool)))                  # j >= k
    return np.swapaxes(np.sum(np.where(upper, np.expand_dims(gl, -2) * c, 0), axis=-1), dim, -1)


def _cumprod_zeros_np(grad, x, result, d):
    """O(n) on arrays: before the first zero result / x works; at the first zero, the product of
    what precedes it times the running product after it (up to the second zero); after: 0."""
    z = x == 0
    cz = np.cumsum(z, axis=d)
    before = cz == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(before, _reversed_cumsum(np.where(before, result * grad, 0), d) / np.where(before, x, 1), 0)
    first = z & (cz == 1)
    after = np.cumprod(np.where((cz == 1) & ~first, x, 1), axis=d)
    s = np.sum(np.where(cz == 1, grad, 0) * after, axis=d, keepdims=True)
    prefix = np.prod(np.where(before, x, 1), axis=d, keepdims=True)
    return np.where(first, s * prefix, g)


@_quiet
def _cumprod_jvp(self_t, self, dim, result):
    """torch's cumprod_jvp."""
    if self.ndim == 0:
        return np.where(self == 0, self_t, self_t / self * result)
    generic = cumsum(self_t / self, dim) * result
    zeros = _raw(self) == 0
    if not zeros.any():
        return generic
    first = zeros & (np.cumsum(zeros, axis=dim) == 1)
    new = cumprod(np.where(_wrap(first), self_t, self), dim)
    return np.where(_wrap(np.cumsum(first, axis=dim) > 0), new, generic)


cumprod_op = defop("cumprod", node="CumprodBackward0", complex="conj", export=False, jvp=_cumprod_jvp,
                   forward=lambda xp, self, dim=0, dtype=None:
                       _scan(xp, self if dtype is None else self.astype(dtype), dim, xp.cumprod),
                   self=_cumprod_backward)


@export
def cumprod(input, dim, *, dtype=None, out=None):
    """Same as `torch.cumprod`: the gradient is exact with zeros in the input, as torch's."""
    return cumprod_op.fn(input, _dim1(dim, input._data.ndim), _sum_dtype(input, dtype))


@implements(np.cumprod)
def _np_cumprod(a, axis=None, dtype=None, out=None):
    return cumprod(a, axis)


# ------------------------------------------------------------------ cummax, cummin

def _cumext_fwd(xp, x, dim, acc):
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    vals = acc.accumulate(x, axis=dim)
    # the index is the last place the running extreme was reached (a NaN, once seen, stays)
    hit = x == vals
    if x.dtype.kind in "fc":
        hit |= xp.isnan(x)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    pos = xp.where(hit, xp.arange(x.shape[dim]).reshape(shape), 0)
    return vals, xp.maximum.accumulate(pos, axis=dim).astype(np.int64, copy=False)


def _cummaxmin_backward(grad, self, indices, dim):
    """torch's cummaxmin_backward: each gradient goes to the index that made the value (summed)."""
    if self.ndim == 0 or 0 in self.shape:
        return grad
    return _scatter(grad, dim, indices, self.shape, True)


def _cummaxmin_jvp(self_t, indices, dim):
    return (self_t if self_t.ndim == 0 else _gather(self_t, dim, indices)), None


cummax_op = defop("cummax", node="CummaxBackward0", export=False, outputs=("values", "indices"),
                  forward=lambda xp, self, dim=0: _cumext_fwd(xp, self, dim, xp.maximum),
                  self=lambda grads, self, indices, dim: _cummaxmin_backward(grads[0], self, indices, dim),
                  jvp=_cummaxmin_jvp)
cummin_op = defop("cummin", node="CumminBackward0", export=False, outputs=("values", "indices"),
                  forward=lambda xp, self, dim=0: _cumext_fwd(xp, self, dim, xp.minimum),
                  self=lambda grads, self, indices, dim: _cummaxmin_backward(grads[0], self, indices, dim),
                  jvp=_cummaxmin_jvp)


@export
def cummax(input, dim, *, out=None):
    """Same as `torch.cummax`: `(values, indices)`; an equal value takes over the index."""
    return return_types.cummax(cummax_op.fn(input, _dim1(dim, input._data.ndim)))


@export
def cummin(input, dim, *, out=None):
    """Same as `torch.cummin`: `(values, indices)`; an equal value takes over the index."""
    return return_types.cummin(cummin_op.fn(input, _dim1(dim, input._data.ndim)))


# ------------------------------------------------------------------ logcumsumexp

def _lcse_fwd(xp, x, dim):
    with np.errstate(invalid="ignore", over="ignore"):
        return _scan(xp, x, dim, xp.logaddexp.accumulate)


def _logcumsumexp_backward(grad, self, result, dim):
    """torch's logcumsumexp_backward: positive and negative parts of the gradient in log space."""
    if grad.ndim == 0 or 0 in grad.shape:
        return grad
    lowest = float(np.finfo(_raw(grad).dtype).min)
    log_abs = np.log(np.abs(grad))
    pos = np.where(grad > 0, log_abs, lowest)
    neg = np.where(grad < 0, log_abs, lowest)

    def rev_lcse(z):
        return _flip(logcumsumexp(_flip(z, dim), dim) if isinstance(z, Tensor)
                     else _lcse_fwd(np, _flip(z, dim), dim), dim)
    return np.exp(rev_lcse(pos - result) + self) - np.exp(rev_lcse(neg - result) + self)


@_quiet
def _logcumsumexp_jvp(self_t, self, dim):
    """torch's logcumsumexp_jvp (with its 1e-13 in the denominator)."""
    e = np.exp(self - self.amax(dim, True)) if self.numel() else np.exp(self)
    return cumsum(e * self_t, dim) / (cumsum(e, dim) + 1e-13)


logcumsumexp_op = defop("logcumsumexp", node="LogcumsumexpBackward0", export=False, jvp=_logcumsumexp_jvp,
                        forward=lambda xp, self, dim=0: _lcse_fwd(xp, self, dim),
                        self=_logcumsumexp_backward)


@export
def logcumsumexp(input, dim, *, out=None):
    """Same as `torch.logcumsumexp`."""
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_errors.scalar_name(input._data.dtype)}'")
    return logcumsumexp_op.fn(input, _dim1(dim, input._data.ndim))
