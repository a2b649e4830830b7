"""Reductions: sum, mean, prod, amax/amin, aminmax, all/any, count_nonzero, var/std,
var_mean/std_mean, norm, logsumexp, nansum/nanmean.

Dims are an int or a tuple, negative dims wrap, an empty tuple means every dim (as
torch), and a 0-d tensor accepts dim 0 or -1. Formulas follow torch's
derivatives.yaml and FunctionsManual.cpp; their argument names are torch's saved names.
Selections (max/min, argmax, sort, topk, median, quantile, ...) are in ops/sort.py, scans
(cumsum, ...) in ops/scan.py.
"""
import builtins
import functools
import math
import warnings

import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from . import complex_grad as _cx
from .numpy_compat import implements
from ..tensor import Tensor, _wrap_dim, _wrap
from ..dtypes import to_dtype
from .. import return_types


# ------------------------------------------------------------------ helpers

def _dims(dim, ndim):
    """`dim` as a sorted tuple of non-negative dims (None or (): all of them; () for 0-d)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))      # torch: an empty dim list reduces over every dim
    if isinstance(dim, (int, np.integer)):
        d = _wrap_dim(int(dim), ndim)
        return (d,) if ndim else ()
    seen = []
    for d in dim:
        d = _wrap_dim(int(d), ndim)
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.append(d)
    return tuple(sorted(seen)) if ndim else ()


def _dim1(dim, ndim):
    """One dim, wrapped (0 for a 0-d tensor)."""
    return _wrap_dim(int(dim), ndim)


def _unsqueeze_to(grad, dim, keepdim):
    """A reduced gradient with its reduced dims put back (size 1), ready to broadcast."""
    return grad if keepdim or not dim else np.expand_dims(grad, dim)


def _raw(x):
    """The array of a Tensor (or the array itself): for tests that decide a formula's branch."""
    return x._data if isinstance(x, Tensor) else x


def _cast_like(x, ref):
    """`x` in `ref`'s dtype, on either path (counts divide gradients without promoting them)."""
    if isinstance(x, Tensor):
        return x.to(ref.dtype) if x.dtype != ref.dtype else x
    return x.astype(ref.dtype, copy=False)


def _count(sizes, dim):
    return math.prod(sizes[d] for d in dim) if dim is not None else math.prod(sizes)


def _quiet(rule):
    """A JVP rule computing without NumPy's floating-point warnings (torch warns about no inf/nan;
    the engine silences them the same way during backward)."""
    @functools.wraps(rule)
    def f(*args, **kwargs):
        with np.errstate(all="ignore"):
            return rule(*args, **kwargs)
    return f


def _ones(t):
    from ..creation import ones_like
    return ones_like(t)


def _rsum(x, dim, keepdim=False):
    """Sum of a Tensor over `dim` (None: all): the reductions' JVPs."""
    if dim is None or isinstance(dim, int) or dim:
        return sum(x, dim, keepdim)
    return x


def _check_nonempty(name, x, dims):
    """torch's IndexError for a reduction over an empty dim (min/max have no identity)."""
    for d in dims:
        if x._data.shape[d] == 0:
            raise IndexError(f"{name}: Expected reduction dim {d} to have non-zero size.")


def _float_only(x, name):
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_errors.scalar_name(x._data.dtype)}")


# ------------------------------------------------------------------ sum, mean

sum_all = defop("sum", node="SumBackward0", complex="same", export=False, jvp=LINEAR,
                forward=lambda xp, self, dtype=None: xp.sum(self, dtype=dtype),
                self=lambda grad, self_sym_sizes: np.broadcast_to(grad, self_sym_sizes))

sum_dim = defop("sum_dim", node="SumBackward1", complex="same", export=False, jvp=LINEAR,
                forward=lambda xp, self, dim=None, keepdim=False, dtype=None:
                    xp.sum(self, axis=dim, keepdims=keepdim, dtype=dtype),
                self=lambda grad, self_sym_sizes, dim, keepdim:
                    np.broadcast_to(_unsqueeze_to(grad, dim, keepdim), self_sym_sizes))


def _mean_fwd(xp, x, axis, keepdims, dtype):
    if dtype is not None:
        x = x.astype(dtype)
    if x.size == 0:                     # torch: nan, without NumPy's "mean of empty slice" warning
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp.sum(x, axis=axis, keepdims=keepdims) / 0
    return xp.mean(x, axis=axis, keepdims=keepdims)


mean_all = defop("mean", node="MeanBackward0", complex="same", export=False, jvp=LINEAR,
                 forward=lambda xp, self, dtype=None: _mean_fwd(xp, self, None, False, dtype),
                 self=lambda grad, self_sym_sizes, self_sym_numel:
                     np.broadcast_to(grad, self_sym_sizes) / self_sym_numel)

mean_dim = defop("mean_dim", node="MeanBackward1", complex="same", export=False, jvp=LINEAR,
                 forward=lambda xp, self, dim=None, keepdim=False, dtype=None:
                     _mean_fwd(xp, self, dim, keepdim, dtype),
                 self=lambda grad, self_sym_sizes, self_sym_numel, dim, keepdim:
                     np.broadcast_to(_unsqueeze_to(grad, dim, keepdim), self_sym_sizes)
                     / _count(self_sym_sizes, dim))
# (expand, then divide, as torch: on an empty input the derivative is then 0, not 0/0)


def _sum_dtype(x, dtype):
    """The NumPy dtype a sum computes in: dtype=, else int64 for integers and bools (as torch)."""
    if dtype is not None:
        return to_dtype(dtype).np
    if x._data.dtype.kind in "bui" and x._data.dtype != np.int64:
        return np.dtype(np.int64)
    return None


@export
def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, out=None):
    """Same as `torch.sum`: integers and bools sum to int64."""
    if axis is not None:
        dim = axis
    dt = _sum_dtype(input, dtype)
    if dim is None and not keepdim:
        return sum_all.fn(input, dt)
    return sum_dim.fn(input, _dims(dim, input._data.ndim) if dim is not None else None, keepdim, dt)


@export
def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, out=None):
    """Same as `torch.mean`: floating point and complex only."""
    if axis is not None:
        dim = axis
    dt = to_dtype(dtype) if dtype is not None else None
    if dt is not None and dt.np.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a "
                           f"floating point or complex dtype. Got: {_errors.scalar_name(dt.np)}")
    if dt is None and input._data.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {_errors.scalar_name(input._data.dtype)}")
    npdt = dt.np if dt is not None else None
    if dim is None and not keepdim:
        return mean_all.fn(input, npdt)
    return mean_dim.fn(input, _dims(dim, input._data.ndim) if dim is not None else None, keepdim, npdt)


# ------------------------------------------------------------------ prod
# See Note [Products with zeros] for the derivative.

def _prod_backward(grad, self, result, dim, keepdim):
    """torch's prod_backward: grad * result / self without zeros; exact with one or more."""
    if self.ndim == 0:
        return grad
    if dim is not None and not keepdim:
        grad = np.expand_dims(grad, dim)
        result = np.expand_dims(result, dim)
    if not (_raw(self) == 0).any():
        return grad * (result / self)
    return grad * _omit_one_product(self, dim)


def _omit_one_product(x, dim):
    """Along `dim` (None: all elements), the product of every element but the one at each place."""
    # Note [Products with zeros]
    # Where the input has zeros, result / self is 0/0. The product of all the other elements
    # is what torch's formula computes. On arrays (no graph) it is O(n): a slice with no zero
    # gets result / x, one zero gets the product of the non-zeros at the zero (0 elsewhere),
    # two or more give 0. On Tensors it must stay differentiable to any order with the same
    # zeros, so it is built from ops that are: row k of an n x n matrix holds x with x_k
    # replaced by 1, and its product along the row is the product of the others.
    if dim is None:
        return _omit_one_product(x.reshape(-1), 0).reshape(x.shape)
    if not isinstance(x, Tensor):
        z = x == 0
        nz = z.sum(axis=dim, keepdims=True)
        nonzero = np.where(z, 1, x)
        others = nonzero.prod(axis=dim, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(nz == 0, others / nonzero, np.where(z & (nz == 1), others, 0))
    xl = np.swapaxes(x, dim, -1)
    n = xl.shape[-1]
    m = np.where(_wrap(np.eye(n, dtype=bool)), 1, np.expand_dims(xl, -2))
    return np.swapaxes(prod(m, -1), dim, -1)


@_quiet
def _prod_jvp(self_t, self, result, dim=None, keepdim=False):
    partial = _prod_backward(_ones(result), self, result, dim, keepdim)
    return _rsum(partial * self_t, dim, keepdim)


prod_all = defop("prod", node="ProdBackward0", complex="conj", export=False,
                 forward=lambda xp, self, dtype=None: xp.prod(self, dtype=dtype),
                 self=lambda grad, self, result: _prod_backward(grad, self, result, None, False),
                 jvp=lambda self_t, self, result: _prod_jvp(self_t, self, result))

prod_dim = defop("prod_dim", node="ProdBackward1", complex="conj", export=False,
                 forward=lambda xp, self, dim=0, keepdim=False, dtype=None:
                     xp.prod(self, axis=dim, keepdims=keepdim, dtype=dtype),
                 self=lambda grad, self, result, dim, keepdim: _prod_backward(grad, self, result, dim, keepdim),
                 jvp=lambda self_t, self, result, dim, keepdim: _prod_jvp(self_t, self, result, dim, keepdim))


@export
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Same as `torch.prod`: integers and bools multiply to int64."""
    dt = _sum_dtype(input, dtype)
    if dim is None:
        return prod_all.fn(input, dt)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod() received an invalid combination of arguments - got "
                        f"({type(dim).__name__}), but expected one of:")
    nd = input._data.ndim
    d = _dim1(dim, nd)
    return prod_dim.fn(input, d if nd else None, keepdim, dt)


@implements(np.prod)
def _np_prod(a, axis=None, dtype=None, out=None, keepdims=False):
    return prod(a) if axis is None else prod(a, axis, keepdims)


# ------------------------------------------------------------------ amax, amin, aminmax

def _amax_backward(grad, self, result, dim, keepdim):
    """torch's scale_grad_by_count: the gradient split evenly over the ties of each slice."""
    grad = _unsqueeze_to(grad, dim, keepdim)
    mask = self == _unsqueeze_to(result, dim, keepdim)
    count = _cast_like(np.sum(mask, axis=dim, keepdims=True), grad)
    return (grad / count) * mask


@_quiet
def _amax_jvp(self_t, self, result, dim, keepdim):
    return _rsum(_amax_backward(_ones(result), self, result, dim, keepdim) * self_t, dim, keepdim)


amax_op = defop("amax", node="AmaxBackward0", export=False, jvp=_amax_jvp,
                forward=lambda xp, self, dim=(), keepdim=False: xp.amax(self, axis=dim, keepdims=keepdim),
                self=_amax_backward)
amin_op = defop("amin", node="AminBackward0", export=False, jvp=_amax_jvp,
                forward=lambda xp, self, dim=(), keepdim=False: xp.amin(self, axis=dim, keepdims=keepdim),
                self=_amax_backward)


def _aminmax_jvp(self_t, self, min, max, dim, keepdim):
    return _amax_jvp(self_t, self, min, dim, keepdim), _amax_jvp(self_t, self, max, dim, keepdim)


aminmax_op = defop("aminmax", node="AminmaxBackward0", export=False, outputs=("min", "max"), jvp=_aminmax_jvp,
                   forward=lambda xp, self, dim=(), keepdim=False:
                       (xp.amin(self, axis=dim, keepdims=keepdim), xp.amax(self, axis=dim, keepdims=keepdim)),
                   self=lambda grads, self, min, max, dim, keepdim:
                       _amax_backward(grads[0], self, min, dim, keepdim)
                       + _amax_backward(grads[1], self, max, dim, keepdim))


def _amax_dims(name, input, dim):
    if isinstance(dim, float) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be tuple of ints, not "
                        f"{type(dim).__name__}")
    nd = input._data.ndim
    given = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if input._data.size == 0 and not given:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for d in given:         # as torch: an empty dim is reported (as given) before a repeated one
        if nd and input._data.shape[_wrap_dim(int(d), nd)] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return _dims(dim, nd)


@export
def amax(input, dim=(), keepdim=False, *, out=None):
    """Same as `torch.amax`: ties share the gradient evenly."""
    return amax_op.fn(input, _amax_dims("amax", input, dim), keepdim)


@export
def amin(input, dim=(), keepdim=False, *, out=None):
    """Same as `torch.amin`: ties share the gradient evenly."""
    return amin_op.fn(input, _amax_dims("amin", input, dim), keepdim)


@export
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """Same as `torch.aminmax`: `(min, max)`; ties share each gradient evenly."""
    nd = input._data.ndim
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation "
                               "has no identity.")
        dims = tuple(range(nd))
        if keepdim:
            return return_types.aminmax(aminmax_op.fn(input, dims, True))
        return return_types.aminmax(aminmax_op.fn(input, dims, False))
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    dims = _dims(dim, nd)
    if nd:
        _check_nonempty("aminmax", input, dims)
    return return_types.aminmax(aminmax_op.fn(input, dims, keepdim))


# ------------------------------------------------------------------ all, any, count_nonzero

def _logical_fwd(xp, x, dim, keepdim, fn):
    r = fn(x, axis=dim, keepdims=keepdim)
    return r.astype(np.uint8) if x.dtype == np.uint8 else r     # torch: uint8 in, uint8 out


all_op = defop("all", differentiable=False, export=False,
               forward=lambda xp, self, dim=None, keepdim=False: _logical_fwd(xp, self, dim, keepdim, xp.all))
any_op = defop("any", differentiable=False, export=False,
               forward=lambda xp, self, dim=None, keepdim=False: _logical_fwd(xp, self, dim, keepdim, xp.any))


def _logical(name, op):
    def f(input, dim=None, keepdim=False, *, out=None):
        if dim is None:
            return op.fn(input, None, keepdim)
        if isinstance(dim, (tuple, list)) and len(dim) == 0:
            return op.fn(input, (), keepdim)        # torch: dim=() reduces nothing here
        if isinstance(dim, float):
            raise TypeError(f"{name}() received an invalid combination of arguments - got (float), but "
                            "expected one of:")
        return op.fn(input, _dims(dim, input._data.ndim), keepdim)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Same as `torch.{name}`: a bool result (uint8 for a uint8 input, as torch)."
    return f


all = export(_logical("all", all_op), name="all")
any = export(_logical("any", any_op), name="any")

count_nonzero_op = defop("count_nonzero", differentiable=False, export=False,
                         forward=lambda xp, self, dim=None: xp.asarray(xp.count_nonzero(self, axis=dim), np.int64))


@export
def count_nonzero(input, dim=None):
    """Same as `torch.count_nonzero`."""
    return count_nonzero_op.fn(input, None if dim is None else (_dims(dim, input._data.ndim) or None))


# ------------------------------------------------------------------ var, std, var_mean, std_mean

def _var_fwd(xp, x, dim, correction, keepdim):
    n = _count(x.shape, dim)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = xp.sum(x, axis=dim, keepdims=True) / n if n else xp.sum(x, axis=dim, keepdims=True) * np.nan
        d = x - m
        sq = d * d if d.dtype.kind != "c" else d.real * d.real + d.imag * d.imag     # |d|^2, real
        return xp.sum(sq, axis=dim, keepdims=keepdim) / builtins.max(0, n - _bessel(correction))


def _bessel(correction):
    """The correction of a var()/std() called without one (saved as None, as torch saves it): 1."""
    return 1 if correction is None else correction


def _mean_of(x, dim):
    """The mean over `dim`, kept (NaN for an empty input, without NumPy's warning)."""
    if isinstance(x, Tensor):
        return mean(x, dim, True)
    return _mean_fwd(np, x, dim, True, None)


def _var_backward(grad, self, dim, correction, keepdim):
    """torch's var_backward (dof <= 0: inf, or NaN where self equals its mean)."""
    correction = _bessel(correction)
    if dim is None:
        dof = math.prod(self.shape) - correction
        if dof <= 0:
            return grad * _cast_like(np.where(self == _mean_of(self, None), math.nan, math.inf), self)
        return (2.0 / dof) * grad * (self - _mean_of(self, None))
    grad = _unsqueeze_to(grad, dim, keepdim)
    dof = _count(self.shape, dim) - correction
    scale = 2.0 / dof if dof != 0 else math.inf
    return scale * grad * (self - _mean_of(self, dim))


def _std_backward(grad, self, result, dim, correction, keepdim):
    return _var_backward(np.where(result == 0, 0, grad / (result * 2)), self, dim, correction, keepdim)


def _mean_backward(grad, self, dim, keepdim):
    return np.broadcast_to(_unsqueeze_to(grad, dim, keepdim), self.shape) / _count(self.shape, dim)


@_quiet
def _var_jvp(self_t, self, dim, correction, keepdim):
    # complex: the real part of conj(d var / d self) t, and var_backward conjugates nothing
    return _rsum(_cx.real(_var_backward(_cx.conj(self_t), self, dim, correction, True)), dim, keepdim)


@_quiet
def _std_jvp(self_t, self, result, dim, correction, keepdim):
    return np.where(result == 0, 0, _var_jvp(self_t, self, dim, correction, keepdim) / (2 * result))


var_op = defop("var", node="VarBackward0", complex="same", export=False, jvp=_var_jvp,
               forward=lambda xp, self, dim=None, correction=1, keepdim=False: _var_fwd(xp, self, dim, correction, keepdim),
               self=_var_backward)
std_op = defop("std", node="StdBackward0", complex="same", export=False, jvp=_std_jvp,
               forward=lambda xp, self, dim=None, correction=1, keepdim=False:
                   xp.sqrt(_var_fwd(xp, self, dim, correction, keepdim)),
               self=_std_backward)
var_mean_op = defop("var_mean", node="VarMeanBackward0", complex="same", export=False, outputs=("result0", "result1"),
                    forward=lambda xp, self, dim=None, correction=1, keepdim=False:
                        (_var_fwd(xp, self, dim, correction, keepdim), _mean_fwd(xp, self, dim, keepdim, None)),
                    self=lambda grads, self, dim, correction, keepdim:
                        _var_backward(grads[0], self, dim, correction, keepdim) + _mean_backward(grads[1], self, dim, keepdim),
                    jvp=lambda self_t, self, dim, correction, keepdim:
                        (_var_jvp(self_t, self, dim, correction, keepdim), mean(self_t, dim, keepdim)))
std_mean_op = defop("std_mean", node="StdMeanBackward0", complex="same", export=False, outputs=("result0", "result1"),
                    forward=lambda xp, self, dim=None, correction=1, keepdim=False:
                        (xp.sqrt(_var_fwd(xp, self, dim, correction, keepdim)), _mean_fwd(xp, self, dim, keepdim, None)),
                    self=lambda grads, self, result0, dim, correction, keepdim:
                        _std_backward(grads[0], self, result0, dim, correction, keepdim)
                        + _mean_backward(grads[1], self, dim, keepdim),
                    jvp=lambda self_t, self, result0, dim, correction, keepdim:
                        (_std_jvp(self_t, self, result0, dim, correction, keepdim), mean(self_t, dim, keepdim)))


def _var_args(name, input, dim, unbiased, correction):
    """torch's overloads: var(dim, unbiased, keepdim), var(unbiased), var(dim, *, correction)."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (unbiased=bool, "
                        "correction=int), but expected one of:")
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None and (unbiased is not None or dim is not None):
        correction = 1 if unbiased is None or unbiased else 0    # torch's var(dim, unbiased) overloads
    nd = input._data.ndim
    dims = None if dim is None or nd == 0 else _dims(dim, nd)
    if dims is not None and isinstance(dim, (tuple, list)) and len(dim) == 0:
        dims = None
    n = _count(input._data.shape, dims)
    if n - _bessel(correction) <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return dims, correction


@export
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Same as `torch.var` (`correction=` or `unbiased=`; default: Bessel's correction)."""
    dims, c = _var_args("var", input, dim, unbiased, correction)
    return var_op.fn(input, dims, c, keepdim)


@export
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Same as `torch.std`."""
    dims, c = _var_args("std", input, dim, unbiased, correction)
    return std_op.fn(input, dims, c, keepdim)


@export(method=False)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Same as `torch.var_mean`: a plain tuple `(var, mean)`, one VarMeanBackward0 node."""
    dims, c = _var_args("var_mean", input, dim, unbiased, correction)
    return var_mean_op.fn(input, dims, c, keepdim)


@export(method=False)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Same as `torch.std_mean`: a plain tuple `(std, mean)`, one StdMeanBackward0 node."""
    dims, c = _var_args("std_mean", input, dim, unbiased, correction)
    return std_mean_op.fn(input, dims, c, keepdim)


# ------------------------------------------------------------------ norm

def _vnorm_fwd(xp, x, ord, dim, keepdim, dtype):
    if dtype is not None:
        x = x.astype(dtype)
    a = xp.abs(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if ord == math.inf:
            return xp.amax(a, axis=dim, keepdims=keepdim)
        if ord == -math.inf:
            return xp.amin(a, axis=dim, keepdims=keepdim)
        if ord == 0:
            return xp.sum(a != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
        if ord == 1:
            return xp.sum(a, axis=dim, keepdims=keepdim)
        if ord == 2:
            return xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim))
        return xp.sum(a ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)


def _sgn(x):
    """torch's sgn (z / |z| for complex): 0 at NaN (NumPy's sign gives NaN)."""
    return np.where(np.isnan(x), 0, _cx.sgn(x))


def _norm_backward(grad, self, ord, result, dim, keepdim):
    """torch's norm_backward (the 2-norm of a zero vector has gradient 0; ord 0 has none)."""
    if ord == 0:
        return None
    if not keepdim and self.ndim:
        grad = _unsqueeze_to(grad, dim, False)
        result = _unsqueeze_to(result, dim, False)
    if ord == 1:
        return _sgn(self) * grad
    if ord == 2:
        return grad * np.where(result == 0, 0, self / result)
    if math.isinf(ord):
        a = np.abs(self)
        mask = (a == result) | np.isnan(a)
        count = _cast_like(np.sum(mask, axis=dim, keepdims=True), grad)
        return _sgn(self) * ((grad / count) * mask)
    if ord < 1:
        scaled = np.where(self == 0, 0, _sgn(self) * np.abs(self) ** (ord - 1))
        return scaled * grad * result ** (1 - ord)
    scaled = _sgn(self) * np.abs(self) ** (ord - 1) if ord < 2 else self * np.abs(self) ** (ord - 2)
    return scaled * np.where(result == 0, 0, grad / result ** (ord - 1))


@_quiet
def _norm_jvp(self_t, self, ord, result, dim, keepdim):
    if ord == 0:
        from ..creation import zeros_like
        return zeros_like(result)
    partial = _norm_backward(_ones(result), self, ord, result, dim, keepdim)
    return _rsum(_cx.real(_cx.conj(partial) * self_t), dim, keepdim)      # complex: Re(conj(d/dz) t)


vector_norm_op = defop("linalg_vector_norm", node="LinalgVectorNormBackward0", complex="same", export=False, jvp=_norm_jvp,
                       forward=lambda xp, self, ord=2, dim=None, keepdim=False, dtype=None:
                           _vnorm_fwd(xp, self, ord, dim, keepdim, dtype),
                       self=_norm_backward)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Same as `torch.linalg.vector_norm` (for ops/linalg.py to publish)."""
    _float_only(x, "linalg.vector_norm")
    nd = x._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        dims = None
    else:
        dims = _dims(dim, nd)
    if dtype is not None and not np.can_cast(x._data.dtype, to_dtype(dtype).np, "safe"):
        raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_errors.scalar_name(x._data.dtype)}) "
                           "should be convertible without narrowing to the specified dtype "
                           f"({_errors.scalar_name(to_dtype(dtype).np)})")
    ord = float(ord)
    if math.isinf(ord):
        name = "inf" if ord > 0 else "-inf"
        if dims is None and x._data.size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                               "the operation does not have an identity")
        for d in dims or ():
            if x._data.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}"
                                   "because this dimension is empty and the operation does not have an identity")
    if not math.isinf(ord) and ord == int(ord):
        ord = int(ord)          # saved as torch saves it: 2, not 2.0
    return vector_norm_op.fn(x, ord, dims, keepdim, to_dtype(dtype).np if dtype is not None else None)


@export
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Same as `torch.norm`: a number or 'fro' is a vector norm (LinalgVectorNormBackward0); 'nuc'
    (or 'fro' over more than two dims) is `torch.linalg.matrix_norm`, as torch dispatches."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, (int, np.integer)) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        from ..linalg import matrix_norm
        dims = list(range(input._data.ndim)) if dim is None else ([dim] if isinstance(dim, int) else dim)
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


# ------------------------------------------------------------------ logsumexp, nansum, nanmean

def _lse_fwd(xp, x, dim, keepdim):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if x.size == 0:
            return xp.log(xp.sum(xp.exp(x), axis=dim, keepdims=keepdim))
        m = xp.amax(x, axis=dim, keepdims=True)
        m = xp.where(xp.isinf(m), 0, m)      # as torch: all -inf gives -inf, an inf gives inf
        r = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
    return r if keepdim else r.squeeze(dim)


def _lse_backward(grad, self, result, dim, keepdim):
    if not keepdim and self.ndim:
        grad = _unsqueeze_to(grad, dim, False)
        result = _unsqueeze_to(result, dim, False)
    return grad * np.exp(self - result)


logsumexp_op = defop("logsumexp", node="LogsumexpBackward0", complex="conj", promote="float", export=False,
                     forward=lambda xp, self, dim=(), keepdim=False: _lse_fwd(xp, self, dim, keepdim),
                     self=_lse_backward,
                     jvp=lambda self_t, self, dim, keepdim: _lse_jvp(self_t, self, dim, keepdim))


@_quiet
def _lse_jvp(self_t, self, dim, keepdim):
    e = np.exp(self - self.amax(dim, True)) if self.numel() else np.exp(self)
    return _rsum(e * self_t, dim, keepdim) / _rsum(e, dim, keepdim)


@export
def logsumexp(input, dim, keepdim=False, *, out=None):
    """Same as `torch.logsumexp`: stable (the max is subtracted first); all -inf gives -inf."""
    nd = input._data.ndim
    if isinstance(dim, (tuple, list)) and len(dim) == 0 and nd and input._data.size:
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * nd}")
    return logsumexp_op.fn(input, _dims(dim, nd), keepdim)


def _nansum_backward(grad, self, dim, keepdim):
    return _unsqueeze_to(grad, dim, keepdim) * np.logical_not(np.isnan(self))


nansum_op = defop("nansum", node="NansumBackward0", export=False,
                  forward=lambda xp, self, dim=None, keepdim=False, dtype=None:
                      xp.nansum(self, axis=dim, keepdims=keepdim, dtype=dtype),
                  self=_nansum_backward,
                  jvp=lambda self_t, self, dim, keepdim: _rsum(np.where(np.isnan(self), 0, self_t), dim, keepdim))


@export
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Same as `torch.nansum`: NaNs count as zero (and get no gradient)."""
    nd = input._data.ndim
    dims = None if dim is None else (_dims(dim, nd) or None)
    return nansum_op.fn(input, dims, keepdim, _sum_dtype(input, dtype))


@export
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Same as `torch.nanmean`: nansum / the count of non-NaNs (NansumBackward0, DivBackward0)."""
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_errors.scalar_name(input._data.dtype)}")
    from .pointwise import isnan
    factor = sum(isnan.fn(input).logical_not(), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / factor


# ------------------------------------------------------------------ NumPy reductions on Tensors (formulas)

def _axis(axis):
    return () if axis is None else axis


@implements(np.amax)
@implements(np.max)
def _np_amax(a, axis=None, out=None, keepdims=False, **kw):
    return amax(a, _axis(axis), keepdims)


@implements(np.amin)
@implements(np.min)
def _np_amin(a, axis=None, out=None, keepdims=False, **kw):
    return amin(a, _axis(axis), keepdims)


@implements(np.all)
def _np_all(a, axis=None, out=None, keepdims=False, **kw):
    return all(a, axis, keepdims)


@implements(np.any)
def _np_any(a, axis=None, out=None, keepdims=False, **kw):
    return any(a, axis, keepdims)


@implements(np.var)
def _np_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return var(a, axis, keepdim=keepdims, correction=ddof)


@implements(np.std)
def _np_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return std(a, axis, keepdim=keepdims, correction=ddof)


@implements(np.nansum)
def _np_nansum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return nansum(a, axis, keepdims)
