"""Gather/scatter-style indexing: gather, scatter(_add, _reduce), index_select/add/copy/fill/reduce,
masked_fill/scatter/select, take/put, and the searches that return indices or counts (nonzero,
unique, bincount, searchsorted, bucketize, histc, isin).

Index and mask tensors are *parameters* of these ops, not operands: torch marks them
non-differentiable, so they are not in a node's `next_functions`. They travel as int64 / bool
arrays (`grad_fn._saved_index` reads an array). The public functions check their arguments with
torch's messages before an op runs.

# Note [Index ops on flat positions]
Every forward here turns its index into flat C-order positions in a contiguous output and makes
one NumPy call: `take`, a fancy assignment, or `ufunc.at` (fast on 1-D positions since NumPy
1.25). `ufunc.at` applies repeated positions one after another in index order, as torch's CPU
kernels do, so gradients of repeated indices accumulate (gather's backward is a scatter_add)
without `np.add.at` on multi-dimensional fancy indices.
"""
import math

import numpy as np

from .. import _errors
from .registry import defop, export, sum_to, LINEAR
from ..autograd.forward_ad import FROM_VJP
from ..tensor import Tensor, _wrap, _wrap_dim

_INDEX_TYPES = (np.int64, np.int32)


# ---------------------------------------------------------------- array kernels

def _strides(shape):
    out, s = [], 1
    for n in reversed(shape):
        out.append(s)
        s *= n
    return out[::-1]


def _scatter_pos(shape, dim, index):
    """Flat positions in an array of `shape` that gather/scatter's `index` names along `dim`:
    position p of `index` stands for p with p[dim] replaced by index[p] (0-d counts as 1-d)."""
    shape = shape or (1,)
    index = index.reshape(index.shape or (1,))
    st = _strides(shape)
    pos = index * st[dim]
    nd = index.ndim
    for d, n in enumerate(index.shape):
        if d != dim and n > 1:
            pos = pos + (np.arange(n) * st[d]).reshape((n,) + (1,) * (nd - d - 1))
    return pos


def _index_pos(shape, dim, index):
    """Flat positions of the slices that index_* ops address along `dim`: (outer, len(index), inner)."""
    shape = shape or (1,)
    outer, n, inner = math.prod(shape[:dim]), shape[dim], math.prod(shape[dim + 1:])
    index = index.reshape(-1)
    if index.size and index.min() < 0:        # index_fill counts negative indices from the end
        index = np.where(index < 0, index + n, index)
    return ((np.arange(outer) * (n * inner))[:, None, None] + index[None, :, None] * inner
            + np.arange(inner)[None, None, :])


_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce, dtype):
    """The value a reduction starts from where include_self=False leaves self out."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    lo, hi = ((False, True) if dtype.kind == "b" else (-np.inf, np.inf) if dtype.kind in "fc"
              else (np.iinfo(dtype).min, np.iinfo(dtype).max))
    return lo if reduce == "amax" else hi


def _reduce_into(out, pos, vals, reduce, include_self):
    """out.flat[pos] <reduce>= vals, in index order; `out` is C-contiguous and updated in place.
    See Note [Index ops on flat positions]."""
    flat, pos = out.reshape(-1), pos.reshape(-1)
    vals = np.asarray(vals, dtype=out.dtype)
    vals = vals.reshape(-1) if vals.size == pos.size and vals.ndim else np.broadcast_to(vals, pos.shape)
    if not include_self:
        flat[pos] = _identity(reduce, out.dtype)
    _UFUNC[reduce].at(flat, pos, vals)
    if reduce == "mean":
        n = np.full(flat.shape, 1 if include_self else 0, np.int64)
        np.add.at(n, pos, 1)
        n[n == 0] = 1
        if flat.dtype.kind in "fc":
            flat /= n
        else:               # torch divides integers with rounding mode "floor"
            np.floor_divide(flat, n, out=flat, casting="unsafe")
    return out


def _part(src, index):
    """The leading corner of `src` that `index` reads (scatter's src may be larger than index)."""
    src = src.reshape(src.shape or (1,))
    return src[tuple(slice(0, n) for n in index.shape or (1,))]


def _gather_fwd(xp, self, dim=0, index=None, sparse_grad=False):
    if index.size == 0:
        return xp.empty(index.shape, self.dtype)
    return xp.take(self.reshape(-1), _scatter_pos(self.shape, dim, index)).reshape(index.shape)


def _scatter_fwd(xp, self, src, dim=0, index=None, reduce=None):
    out = self.copy()
    if index.size:
        pos = _scatter_pos(self.shape, dim, index)
        vals = _part(src, index) if isinstance(src, np.ndarray) else src
        if reduce is None:
            out.reshape(-1)[pos.reshape(-1)] = np.broadcast_to(np.asarray(vals, out.dtype), pos.shape).reshape(-1)
        else:
            _reduce_into(out, pos, vals, "sum" if reduce == "add" else "prod", True)
    return out


def _scatter_value_fwd(xp, self, dim=0, index=None, value=0, reduce=None):
    return _scatter_fwd(xp, self, value, dim, index, reduce)


def _scatter_reduce_fwd(xp, self, src, dim=0, index=None, reduce="sum", include_self=True):
    out = self.copy()
    if index.size:
        _reduce_into(out, _scatter_pos(self.shape, dim, index), _part(src, index), reduce, include_self)
    return out


def _index_select_fwd(xp, self, dim=0, index=None):
    return self.copy() if self.ndim == 0 else xp.take(self, index, axis=dim)


def _index_reduce_fwd(xp, self, source, dim=0, index=None, reduce="sum", include_self=True, alpha=1):
    out = self.copy()
    if alpha != 1:
        source = source * alpha
    _reduce_into(out, _index_pos(self.shape, dim, index), source.reshape(-1), reduce, include_self)
    return out


def _index_set(self, dim, index, vals):
    """index_copy (vals: the source) and index_fill (vals: a scalar or 0-d array)."""
    out = self.copy()
    pos = _index_pos(self.shape, dim, index).reshape(-1)
    v = np.asarray(vals, out.dtype)
    out.reshape(-1)[pos] = v.reshape(-1) if v.ndim else np.broadcast_to(v, pos.shape)
    return out


# ---------------------------------------------------------------- formulas: one code, two paths

def _arr(x):
    return x._data if isinstance(x, Tensor) else x


def _run(op, *args):
    """Run `op` on arrays (a formula's fast path) or, when an operand is a Tensor, as the
    recorded op (the graph path: differentiable again). See Note [One formula, two paths]."""
    k = len(op.operands)
    if any(isinstance(a, Tensor) for a in args[:k]):
        return op.fn(*[_wrap(a) if isinstance(a, np.ndarray) else a for a in args[:k]], *args[k:])
    return op.forward(np, *args)


def _zeros(ref, shape):
    """Zeros of `shape` in `ref`'s dtype, on `ref`'s path."""
    z = np.zeros(tuple(shape), _arr(ref).dtype)
    return _wrap(z) if isinstance(ref, Tensor) else z


def _const(ref, a):
    """A constant array, as a Tensor on the graph path (in `ref`'s dtype)."""
    a = np.asarray(a, _arr(ref).dtype)
    return _wrap(a) if isinstance(ref, Tensor) else a


def _where(c, a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from .pointwise import where
        return where(_wrap(np.asarray(c)), a, b)
    return np.where(c, a, b)


def _total(x):
    return x.sum() if isinstance(x, Tensor) else np.asarray(x.sum())


def _expandable(shape, to):
    return len(shape) <= len(to) and all(s in (1, t) for s, t in zip(reversed(shape), reversed(to)))


def _fit(node, g, sizes, i=1):
    """The gradient for input `i` of shape `sizes`, as torch's engine validates it."""
    gs, sizes = tuple(g.shape), tuple(sizes)
    if gs == sizes:
        return g
    if _expandable(sizes, gs):
        return g.sum_to_size(sizes) if isinstance(g, Tensor) else sum_to(g, sizes)
    raise RuntimeError(f"Function {node} returned an invalid gradient at index {i} - got {list(gs)} but "
                       f"expected shape compatible with {list(sizes)}")


def _nyi(name):
    """The formula of an op whose derivative torch does not implement (multi-output)."""
    def f(grads):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return f


def _aten_nyi(name):
    """The formula under torch's `NotImplemented` node."""
    def f(grad):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return f


def _fw_nyi(name):
    def f(*tangents):
        raise NotImplementedError(f"Trying to use forward AD with aten::{name} that does not support it.")
    return f


# ---------------------------------------------------------------- gather / scatter

gather_op = defop("gather", node="GatherBackward0", complex="same", export=False, jvp=LINEAR, forward=_gather_fwd,
                  self=lambda grad, self, dim, index, sparse_grad:
                      _run(scatter_add_op, _zeros(grad, self.shape), grad, dim, index))

scatter_op = defop("scatter", node="ScatterBackward0", complex="same", export=False, inplace=True, jvp=LINEAR,
                   forward=lambda xp, self, src, dim=0, index=None: _scatter_fwd(xp, self, src, dim, index),
                   self=lambda grad, dim, index: _run(scatter_value_op, grad, dim, index, 0),
                   src=lambda grad, dim, index, src_sym_sizes:
                       _fit("ScatterBackward0", _run(gather_op, grad, dim, index), src_sym_sizes))

scatter_value_op = defop("scatter_value", node="ScatterBackward1", complex="same", export=False, inplace=True,
                         forward=lambda xp, self, dim=0, index=None, value=0: _scatter_fwd(xp, self, value, dim, index),
                         self=lambda grad, dim, index: _run(scatter_value_op, grad, dim, index, 0),
                         jvp=lambda self_t, dim, index: scatter_value_op.fn(self_t, dim, index, 0))

# scatter(..., reduce="add" | "multiply"): torch records a NotImplemented node for both forms.
scatter_reduce_legacy = defop("scatter_legacy_reduce", node="NotImplemented", export=False, inplace=True,
                              forward=_scatter_fwd, self=_aten_nyi("scatter"), src=_aten_nyi("scatter"),
                              jvp=_fw_nyi("scatter"))
scatter_value_reduce = defop("scatter_value_legacy_reduce", node="NotImplemented", export=False, inplace=True,
                             forward=_scatter_value_fwd, self=_aten_nyi("scatter"), jvp=_fw_nyi("scatter"))

scatter_add_op = defop("scatter_add", node="ScatterAddBackward0", complex="same", export=False, inplace=True, jvp=LINEAR,
                       forward=lambda xp, self, src, dim=0, index=None:
                           _scatter_reduce_fwd(xp, self, src, dim, index, "sum", True),
                       self=lambda grad: grad,
                       src=lambda grad, dim, index, src_sym_sizes:
                           _fit("ScatterAddBackward0", _run(gather_op, grad, dim, index), src_sym_sizes))


class _Family:
    """The primitives a reduce backward needs: scatter_reduce's (gather, scatter_add, scatter) or
    index_reduce's (index_select, index_add, index_fill)."""

    def __init__(self, node, op, pick, spread, clear):
        self.node, self.op, self.pick, self.spread, self.clear = node, op, pick, spread, clear


def _reduce_self_grad(fam, grad, self, dim, index, src, reduce, include_self, result):
    """torch's scatter_reduce_backward / index_reduce_backward, the part for self."""
    dt = _arr(grad).dtype
    if reduce == "sum":
        g = grad
    elif reduce == "prod":
        # Explicitly compute exclusive prod for elements in self that are 0 (as torch)
        ms = _run(masked_fill_op, self, 1, _arr(self) == 0)
        g = grad * _run(fam.op, ms, src, dim, index, "prod", include_self) / ms
    elif reduce == "mean":
        g = grad / _const(grad, _mean_count(fam, dt, _arr(grad).shape, _arr(src).shape, dim, index, include_self))
    else:
        self_is, _, n = _minmax_parts(fam, dt, self, src, result, dim, index)
        g = (grad / _const(grad, n)) * _const(grad, self_is)
    return fam.clear(g, dim, index, 0) if not include_self else g


def _reduce_src_grad(fam, grad, self, dim, index, src, reduce, include_self, result):
    """torch's scatter_reduce_backward / index_reduce_backward, the part for src (source)."""
    dt = _arr(grad).dtype
    if reduce == "sum":
        g = fam.pick(grad, dim, index)
    elif reduce == "prod":
        s = _arr(src)
        src_zero = s == 0
        n0 = fam.pick(fam.spread(np.zeros(_arr(self).shape, dt), dim, index, src_zero.astype(dt)), dim, index)
        single = src_zero & (n0 == 1)
        # where src has its position's only zero, result / src would be 0 / 0: use the product of the rest
        msr = _run(fam.op, self, _run(masked_fill_op, src, 1, single), dim, index, "prod", include_self)
        g = _where(single, fam.pick(grad * msr, dim, index),
                   fam.pick(grad * result, dim, index) / _run(masked_fill_op, src, 1, src_zero))
    elif reduce == "mean":
        n = _mean_count(fam, dt, _arr(grad).shape, _arr(src).shape, dim, index, include_self)
        g = fam.pick(grad, dim, index) / _const(grad, fam.pick(n, dim, index))
    else:
        _, src_is, n = _minmax_parts(fam, dt, self, src, result, dim, index)
        g = _const(grad, src_is) * fam.pick(grad / _const(grad, n), dim, index)
    return _fit(fam.node, g, _arr(src).shape)


def _mean_count(fam, dt, shape, src_shape, dim, index, include_self):
    n = np.ones(shape, dt) if include_self else np.zeros(shape, dt)
    n = fam.spread(n, dim, index, np.ones(src_shape, dt))
    n[n == 0] = 1
    return n


def _minmax_parts(fam, dt, self, src, result, dim, index):
    """amax/amin: which elements equal the result, and how many share each result (ties split
    the gradient evenly). As torch, self counts even where include_self=False excludes it."""
    s, x, r = _arr(self), _arr(src), _arr(result)
    self_is = s == r
    src_is = x == fam.pick(r, dim, index)
    return self_is, src_is, fam.spread(self_is.astype(dt), dim, index, src_is.astype(dt))


def _reduce_jvp(fam):
    def jvp(self_t, src_t, self, src, dim, index, reduce, include_self, result):
        if reduce in ("sum", "mean"):
            return fam.op.fn(self_t, src_t, dim, index, reduce, include_self)
        if reduce in ("amax", "amin"):
            s, x, r = _arr(self), _arr(src), _arr(result)
            mask_self, mask_src = s == r, x == fam.pick(r, dim, index)
            dt = s.dtype
            div = fam.op.forward(np, mask_self.astype(dt), mask_src.astype(dt), dim, index, "sum", include_self)
            return fam.op.fn(_where(mask_self, self_t, 0.0), _where(mask_src, src_t, 0.0), dim, index, "sum",
                             include_self) / _wrap(div)
        # prod (torch leaves this tangent undefined): each element of self and src reaches one
        # output element, so the VJP of a ones cotangent holds its partial derivative
        ones = _const(result, np.ones(_arr(result).shape))
        d_self = _reduce_self_grad(fam, ones, self, dim, index, src, reduce, include_self, result)
        d_src = _reduce_src_grad(fam, ones, self, dim, index, src, reduce, include_self, result)
        return d_self * self_t + fam.spread(_zeros(result, _arr(result).shape), dim, index, d_src * src_t)
    return jvp


_SCATTER = _Family("ScatterReduceBackward0", None,
                   pick=lambda x, dim, index: _run(gather_op, x, dim, index),
                   spread=lambda z, dim, index, v: _run(scatter_add_op, z, v, dim, index),
                   clear=lambda x, dim, index, v: _run(scatter_value_op, x, dim, index, v))

scatter_reduce_op = defop("scatter_reduce", node="ScatterReduceBackward0", export=False, inplace=True,
                          forward=_scatter_reduce_fwd, jvp=_reduce_jvp(_SCATTER),
                          self=lambda grad, self, dim, index, src, reduce, include_self, result:
                              _reduce_self_grad(_SCATTER, grad, self, dim, index, src, reduce, include_self, result),
                          src=lambda grad, self, dim, index, src, reduce, include_self, result:
                              _reduce_src_grad(_SCATTER, grad, self, dim, index, src, reduce, include_self, result))
_SCATTER.op = scatter_reduce_op

# ---------------------------------------------------------------- index_select / index_add / ...

index_select_op = defop("index_select", node="IndexSelectBackward0", complex="same", export=False, jvp=LINEAR,
                        forward=_index_select_fwd,
                        self=lambda grad, self_sym_sizes, dim, index:
                            _run(index_add_op, _zeros(grad, self_sym_sizes), grad, dim, index))


def _index_source_grad(grad, dim, index, source, alpha=1):
    g = _run(index_select_op, grad, dim, index)
    if tuple(g.shape) != tuple(source.shape):      # a 0-d source of a 1-element index
        g = g.reshape(tuple(source.shape))
    return g if alpha == 1 else g * alpha


index_add_op = defop("index_add", node="IndexAddBackward0", complex="same", export=False, inplace=True, jvp=LINEAR,
                     forward=lambda xp, self, source, dim=0, index=None, alpha=1:
                         _index_reduce_fwd(xp, self, source, dim, index, "sum", True, alpha),
                     self=lambda grad: grad,
                     source=lambda grad, dim, index, source, alpha: _index_source_grad(grad, dim, index, source, alpha))

index_fill_op = defop("index_fill", node="IndexFillBackward0", complex="same", export=False, inplace=True,
                      forward=lambda xp, self, dim=0, index=None, value=0: _index_set(self, dim, index, value),
                      self=lambda grad, dim, index: _run(index_fill_op, grad, dim, index, 0),
                      jvp=lambda self_t, dim, index: index_fill_op.fn(self_t, dim, index, 0))


def _index_fill_value_grad(grad, dim, index):
    if index.size and index.min() < 0:      # torch's formula runs index_select's kernel, which refuses them
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={index.min()} axis_dim={_size(grad, dim)}")
    return _total(_run(index_select_op, grad, dim, np.unique(index)))


index_fill_tensor = defop("index_fill_tensor", node="IndexFillBackward1", complex="same", export=False, inplace=True, jvp=LINEAR,
                          forward=lambda xp, self, value, dim=0, index=None: _index_set(self, dim, index, value),
                          self=lambda grad, dim, index: _run(index_fill_op, grad, dim, index, 0),
                          value=lambda grad, dim, index: _index_fill_value_grad(grad, dim, index))

index_copy_op = defop("index_copy", node="IndexCopyBackward0", complex="same", export=False, inplace=True, jvp=LINEAR,
                      forward=lambda xp, self, source, dim=0, index=None: _index_set(self, dim, index, source),
                      self=lambda grad, dim, index: _run(index_fill_op, grad, dim, index, 0),
                      source=lambda grad, dim, index, source: _index_source_grad(grad, dim, index, source))

_INDEX = _Family("IndexReduceBackward0", None,
                 pick=lambda x, dim, index: _run(index_select_op, x, dim, index),
                 spread=lambda z, dim, index, v: _run(index_add_op, z, v, dim, index),
                 clear=lambda x, dim, index, v: _run(index_fill_op, x, dim, index, v))

# (torch has no JVP here: "Trying to use forward AD with index_reduce ...")
index_reduce_op = defop("index_reduce", node="IndexReduceBackward0", export=False, inplace=True, jvp=FROM_VJP,
                        forward=lambda xp, self, source, dim=0, index=None, reduce="prod", include_self=True:
                            _index_reduce_fwd(xp, self, source, dim, index, reduce, include_self),
                        self=lambda grad, self, dim, index, source, reduce, include_self, result:
                            _reduce_self_grad(_INDEX, grad, self, dim, index, source, reduce, include_self, result),
                        source=lambda grad, self, dim, index, source, reduce, include_self, result:
                            _reduce_src_grad(_INDEX, grad, self, dim, index, source, reduce, include_self, result))
_INDEX.op = index_reduce_op

# ---------------------------------------------------------------- argument checks (torch's messages)

def _size(a, k):
    """torch's ensure_nonempty_size: a 0-d tensor has size 1 along dim 0."""
    if a.ndim == 0:
        return 1
    if k >= a.ndim:
        raise _errors.dim_out_of_range(k, a.ndim)
    return a.shape[k]


def _bounds(ix, n, fmt, exc=RuntimeError, lo=0):
    """Raise `exc(fmt.format(v))` for the first index v outside [lo, n)."""
    if ix.size:
        bad = (ix < lo) | (ix >= n)
        if bad.any():
            raise exc(fmt.format(ix.reshape(-1)[np.argmax(bad.reshape(-1))]))


def _long(ix):
    return ix.astype(np.int64, copy=False)


def _scalar(v):
    return v.item() if isinstance(v, np.generic) else v


def _check_gather_like(name, d, dim, ix, src=None, what="self"):
    """gather/scatter's checks: index dtype and rank, index no larger than self (and src), range."""
    if ix.dtype not in _INDEX_TYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if src is not None and src.dtype != d.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if ix.size == 0:            # torch checks nothing more for an empty index
        return _long(ix)
    nd = max(ix.ndim, 1)
    if nd != max(d.ndim, 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    for k in range(nd):
        if k != dim and _size(ix, k) > _size(d, k):
            if name == "gather":
                raise RuntimeError(f"Size does not match at dimension {k} expected index {list(ix.shape)} to be "
                                   f"no larger than self {list(d.shape)} apart from dimension {dim}")
            break
    else:
        k = None
    if name != "gather":
        bad = k is not None or (src is not None and any(_size(ix, j) > _size(src, j) for j in range(nd)))
        if bad:
            more = f" and to be no larger size than src {list(src.shape)}" if src is not None else ""
            raise RuntimeError(f"Expected index {list(ix.shape)} to be no larger than self {list(d.shape)} apart "
                               f"from dimension {dim}{more}")
        if src is not None and max(src.ndim, 1) != nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    _bounds(ix, _size(d, dim), "index {} is out of bounds for dimension " + f"{dim} with size {_size(d, dim)}")
    return _long(ix)


def _check_index_reduce(name, d, dim, ix, s, index_error_bounds=False):
    """index_add / index_reduce's checks."""
    if ix.dtype not in _INDEX_TYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: {_errors.scalar_name(ix.dtype)}")
    if ix.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {ix.ndim} with type: "
                         f"{_errors.scalar_name(ix.dtype)} and size: {list(ix.shape)}")
    if s.dtype != d.dtype:
        raise RuntimeError(f"{name}(): self ({_errors.scalar_name(d.dtype)}) and source "
                           f"({_errors.scalar_name(s.dtype)}) must have the same scalar type")
    if ix.size != _size(s, dim):
        raise RuntimeError(f"{name}(): Number of indices ({ix.size}) should be equal to source.size(dim): "
                           f"({_size(s, dim)}), for dim: {dim}")
    same = (s.size == 1) if d.ndim == 0 else (
        s.ndim == d.ndim and all(a == b for k, (a, b) in enumerate(zip(d.shape, s.shape)) if k != dim))
    if not same:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(d.shape)} source.shape = {list(s.shape)}")
    n = _size(d, dim)
    if index_error_bounds:
        _bounds(ix, n, "index out of range in self", IndexError)
    else:
        _bounds(ix, n, "index {} is out of bounds for dimension " + f"{dim} with size {n}")
    return _long(ix).reshape(-1)


# ---------------------------------------------------------------- public functions

@export
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Same as `torch.gather` (sparse_grad=True still gives a dense gradient)."""
    d = input._data
    dim = _wrap_dim(dim, d.ndim)
    ix = _check_gather_like("gather", d, dim, index._data, what="input")
    return gather_op.fn(input, dim, ix, sparse_grad)


def _scatter(input, dim, index, src, value, reduce, inplace):
    if src is None:
        src = value
    d = input._data
    dim = _wrap_dim(dim, d.ndim)
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    is_t = isinstance(src, Tensor)
    ix = _check_gather_like("scatter", d, dim, index._data, src._data if is_t else None)
    if is_t:
        if reduce is not None:
            import warnings
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed "
                          "in a future PyTorch release. Use torch.scatter_reduce instead for more reduction "
                          "options.", UserWarning, stacklevel=3)
            op, args = scatter_reduce_legacy, (src, dim, ix, reduce)
        else:
            op, args = scatter_op, (src, dim, ix)
    elif reduce is not None:
        op, args = scatter_value_reduce, (dim, ix, _scalar(src), reduce)
    else:
        op, args = scatter_value_op, (dim, ix, _scalar(src))
    return op.fn_(input, *args) if inplace else op.fn(input, *args)


@export
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """Same as `torch.scatter`: `src` a tensor, or a scalar (positionally or as `value`)."""
    return _scatter(input, dim, index, src, value, reduce, False)


@export(function=False)
def scatter_(input, dim, index, src=None, value=None, *, reduce=None):
    """Same as `torch.Tensor.scatter_`."""
    return _scatter(input, dim, index, src, value, reduce, True)


def _scatter_add(input, dim, index, src, inplace):
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
    d = input._data
    dim = _wrap_dim(dim, d.ndim)
    ix = _check_gather_like("scatter", d, dim, index._data, src._data)
    return (scatter_add_op.fn_ if inplace else scatter_add_op.fn)(input, src, dim, ix)


@export
def scatter_add(input, dim, index, src):
    """Same as `torch.scatter_add`: repeated indices accumulate."""
    return _scatter_add(input, dim, index, src, False)


@export(function=False)
def scatter_add_(input, dim, index, src):
    """Same as `torch.Tensor.scatter_add_`."""
    return _scatter_add(input, dim, index, src, True)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce(input, dim, index, src, reduce, include_self, inplace):
    d = input._data
    dim = _wrap_dim(dim, d.ndim)
    ix = _check_gather_like("scatter", d, dim, index._data, src._data)
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    op = scatter_reduce_op.fn_ if inplace else scatter_reduce_op.fn
    return op(input, src, dim, ix, reduce, bool(include_self))


@export
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Same as `torch.scatter_reduce` (sum, prod, mean, amax, amin)."""
    return _scatter_reduce(input, dim, index, src, reduce, include_self, False)


@export(function=False)
def scatter_reduce_(input, dim, index, src, reduce, *, include_self=True):
    """Same as `torch.Tensor.scatter_reduce_`."""
    return _scatter_reduce(input, dim, index, src, reduce, include_self, True)


@export
def index_select(input, dim, index):
    """Same as `torch.index_select`."""
    d, ix = input._data, index._data
    dim = _wrap_dim(dim, d.ndim)
    if ix.dtype not in _INDEX_TYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if ix.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if d.ndim == 0 and ix.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {ix.size} value(s)")
    if ix.size and _size(d, dim) == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    _bounds(ix, _size(d, dim), "index out of range in self", IndexError)
    return index_select_op.fn(input, dim, _long(ix).reshape(-1))


def _index_add(input, dim, index, source, alpha, inplace):
    d = input._data
    dim = _wrap_dim(dim, d.ndim)
    ix = _check_index_reduce("index_add_", d, dim, index._data, source._data)
    return (index_add_op.fn_ if inplace else index_add_op.fn)(input, source, dim, ix, alpha)


@export
def index_add(input, dim, index, source, *, alpha=1):
    """Same as `torch.index_add`: repeated indices accumulate."""
    return _index_add(input, dim, index, source, alpha, False)


@export(function=False)
def index_add_(input, dim, index, source, *, alpha=1):
    """Same as `torch.Tensor.index_add_`."""
    return _index_add(input, dim, index, source, alpha, True)


def _index_reduce(input, dim, index, source, reduce, include_self, inplace):
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    import warnings
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning, stacklevel=3)
    d = input._data
    dim = _wrap_dim(dim, d.ndim)
    ix = _check_index_reduce("index_reduce_", d, dim, index._data, source._data, index_error_bounds=True)
    op = index_reduce_op.fn_ if inplace else index_reduce_op.fn
    return op(input, source, dim, ix, reduce, bool(include_self))


@export
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Same as `torch.index_reduce` (prod, mean, amax, amin)."""
    return _index_reduce(input, dim, index, source, reduce, include_self, False)


@export(function=False)
def index_reduce_(input, dim, index, source, reduce, *, include_self=True):
    """Same as `torch.Tensor.index_reduce_`."""
    return _index_reduce(input, dim, index, source, reduce, include_self, True)


def _index_copy(input, dim, index, source, inplace):
    d, ix, s = input._data, index._data, source._data
    dim = _wrap_dim(dim, d.ndim)
    if ix.ndim >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {ix.ndim})")
    if s.ndim == 0 and ix.size != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element (got {ix.size})")
    if s.ndim != d.ndim and s.ndim != 0 and d.ndim != 0:
        raise IndexError("index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({s.ndim}), destination dimensionality ({d.ndim})")
    if ix.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {_errors.scalar_name(ix.dtype)}")
    if s.dtype != d.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_errors.scalar_name(d.dtype)} and (source) {_errors.scalar_name(s.dtype)}")
    ds = [n for k, n in enumerate(d.shape) if k != dim]
    ss = [n for k, n in enumerate(s.shape) if k != dim]
    if ds != ss:
        raise RuntimeError("index_copy_(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {', '.join(map(str, ds))} at dimension {dim} and source slice shape: "
                           f"{', '.join(map(str, ss))} at dimension 0.")
    if s.ndim and ix.size != s.shape[dim]:
        raise IndexError(f"index_copy_(): Number of indices ({ix.size}) should be equal to source.size(dim) "
                         f"({s.shape[dim]})")
    n = _size(d, dim)
    _bounds(ix, n, "index_copy_(): index {} is out of bounds for dimension " + f"{dim} with size {n}", IndexError)
    return (index_copy_op.fn_ if inplace else index_copy_op.fn)(input, source, dim, ix.reshape(-1))


@export
def index_copy(input, dim, index, source):
    """Same as `torch.index_copy`."""
    return _index_copy(input, dim, index, source, False)


@export(function=False)
def index_copy_(input, dim, index, source):
    """Same as `torch.Tensor.index_copy_`."""
    return _index_copy(input, dim, index, source, True)


def _index_fill(input, dim, index, value, inplace):
    d, ix = input._data, index._data
    dim = _wrap_dim(dim, d.ndim)
    if ix.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    if ix.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    n = _size(d, dim)
    _bounds(ix, n, "index {} is out of bounds for dimension " + f"{dim} with size {n}", IndexError, lo=-n)
    ix = ix.reshape(-1)
    if isinstance(value, Tensor):
        return (index_fill_tensor.fn_ if inplace else index_fill_tensor.fn)(input, value, dim, ix)
    return (index_fill_op.fn_ if inplace else index_fill_op.fn)(input, dim, ix, _scalar(value))


@export
def index_fill(input, dim, index, value):
    """Same as `torch.index_fill`: a scalar or a 0-d tensor value (whose gradient is the filled sum)."""
    return _index_fill(input, dim, index, value, False)


@export(function=False)
def index_fill_(input, dim, index, value):
    """Same as `torch.Tensor.index_fill_`."""
    return _index_fill(input, dim, index, value, True)


from .scatter_masked import masked_fill_op  # noqa: E402  (scatter_reduce's prod backward uses it)
from . import scatter_search  # noqa: E402,F401
for _op in (scatter_reduce_legacy, scatter_value_reduce):
    _op.node_cls.name = lambda self: "torch::autograd::NotImplemented"     # torch's C++ name
