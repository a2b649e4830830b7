"""Selections: max/min (whole and along a dim), argmax/argmin, sort,
argsort, msort, topk, kthvalue, median, nanmedian, mode, quantile/nanquantile.

An op that returns `(values, indices)` sends its gradient to the returned indices
(torch's value_selecting_reduction_backward), so ties go wherever the index does;
the whole-tensor forms (max(), median(); amax in ops/reduce.py) spread it evenly over the ties, as
torch. Sorting is stable here; torch's default sort, topk, kthvalue, median(dim) and
mode order equal elements in ways it leaves unspecified, so with ties their indices
(and gradients) may differ from torch's.
"""
import numpy as np

from .registry import defop, export, LINEAR, ELEMENTWISE
from .reduce import _dim1, _raw, _check_nonempty, _quiet
from ..tensor import Tensor, _wrap
from .. import return_types


# ------------------------------------------------------------------ gather / scatter along a dim
# The backward of every op that selects elements by index (max(dim), sort, topk, median, ...):
# scatter the gradient into zeros at the indices; their own derivatives are each other.

def _np_scatter(xp, src, dim, index, size, accumulate):
    out = xp.zeros(size, src.dtype)
    if accumulate:                      # indices may repeat (cummax): add, don't overwrite
        idx = list(xp.indices(index.shape, sparse=True))
        idx[dim] = index
        xp.add.at(out, tuple(idx), src)
    else:
        xp.put_along_axis(out, index, xp.broadcast_to(src, index.shape), dim)
    return out


gather_along = defop("_gather_along", node="GatherBackward0", complex="same", export=False, jvp=LINEAR,
                     forward=lambda xp, self, dim=0, index=None: xp.take_along_axis(self, index, dim),
                     self=lambda grad, self_sym_sizes, dim, index: _scatter(grad, dim, index, self_sym_sizes, True))

scatter_along = defop("_scatter_along", node="ScatterBackward0", export=False, jvp=LINEAR,
                      forward=lambda xp, src, dim=0, index=None, size=(): _np_scatter(xp, src, dim, index, size, False),
                      src=lambda grad, dim, index: _gather(grad, dim, index))

scatter_add_along = defop("_scatter_add_along", node="ScatterAddBackward0", complex="same", export=False, jvp=LINEAR,
                          forward=lambda xp, src, dim=0, index=None, size=():
                              _np_scatter(xp, src, dim, index, size, True),
                          src=lambda grad, dim, index: _gather(grad, dim, index))


def _gather(x, dim, index):
    index = _raw(index)
    if isinstance(x, Tensor):
        return gather_along.fn(x, dim, index)
    return np.take_along_axis(x, index, dim)


def _scatter(src, dim, index, size, accumulate=False):
    index = _raw(index)
    if isinstance(src, Tensor):
        return (scatter_add_along if accumulate else scatter_along).fn(src, dim, index, tuple(size))
    return _np_scatter(np, src, dim, index, tuple(size), accumulate)


def _select_backward(grad, dim, indices, sizes, keepdim):
    """torch's value_selecting_reduction_backward: the gradient goes to the selected index."""
    if len(sizes) == 0:
        return grad
    indices = _raw(indices)
    if not keepdim:
        grad = np.expand_dims(grad, dim)
        indices = np.expand_dims(indices, dim)
    return _scatter(grad, dim, indices, sizes)


def _select_jvp(self_t, dim, indices, keepdim):
    if self_t.ndim == 0:
        return self_t
    idx = _raw(indices)
    if not keepdim:
        idx = np.expand_dims(idx, dim)
    t = gather_along.fn(self_t, dim, idx)
    return t if keepdim else t.squeeze(dim)


# ------------------------------------------------------------------ max, min

def _evenly_distribute(grad, self, result):
    """torch's evenly_distribute_backward: the gradient split evenly over the ties (and over
    the NaNs when the result is NaN)."""
    mask = np.isnan(self) if np.isnan(_raw(result)) else self == result
    return mask * (grad / int(_raw(mask).sum()))


@_quiet
def _evenly_jvp(self_t, self, result):
    """torch's evenly_read_jvp (a NaN result gives a NaN tangent; an empty input, none)."""
    if self.numel() == 0:
        return None
    mask = self == result
    return np.where(mask, self_t, 0).sum() / mask.sum()


max_all = defop("max", node="MaxBackward1", export=False,
                forward=lambda xp, self: xp.max(self),
                self=lambda grad, self, result: _evenly_distribute(grad, self, result),
                jvp=_evenly_jvp)
min_all = defop("min", node="MinBackward1", export=False,
                forward=lambda xp, self: xp.min(self),
                self=lambda grad, self, result: _evenly_distribute(grad, self, result),
                jvp=_evenly_jvp)


def _minmax_dim_fwd(xp, x, dim, keepdim, arg):
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    idx = xp.expand_dims(arg(x, axis=dim), dim)
    vals = xp.take_along_axis(x, idx, dim)
    if not keepdim:
        vals, idx = vals.squeeze(dim), idx.squeeze(dim)
    return vals, idx.astype(np.int64, copy=False)


def _select_op(name, node, fwd, **kw):
    """An op returning (values, indices) whose gradient goes to the indices (max(dim), sort, ...)."""
    return defop(name, node=node, export=False, outputs=("values", "indices"), forward=fwd,
                 self=lambda grads, self_sym_sizes, indices, dim, keepdim:
                     _select_backward(grads[0], dim, indices, self_sym_sizes, keepdim),
                 jvp=lambda self_t, indices, dim, keepdim: (_select_jvp(self_t, dim, indices, keepdim), None),
                 **kw)


max_dim = _select_op("max_dim", "MaxBackward0",
                     lambda xp, self, dim=0, keepdim=False: _minmax_dim_fwd(xp, self, dim, keepdim, xp.argmax))
min_dim = _select_op("min_dim", "MinBackward0",
                     lambda xp, self, dim=0, keepdim=False: _minmax_dim_fwd(xp, self, dim, keepdim, xp.argmin))


def _invalid_args(name, got, sig_lines):
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but "
                     "expected one of:\n" + "".join(f" * {s}\n" for s in sig_lines))


_MAX_SIGS = ("()", "(Tensor other)", "(int dim, bool keepdim = False)", "(name dim, bool keepdim = False)")


def _minmax(name, all_op, dim_op, binary):
    def f(input, dim=None, keepdim=False, *, other=None, out=None):
        if other is not None:
            return binary(input, other)
        if isinstance(dim, Tensor):
            return binary(input, dim)
        if dim is None:
            if input._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                                   "== 0. Specify the reduction dim with the 'dim' argument.")
            return all_op.fn(input)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise _invalid_args(name, type(dim).__name__, _MAX_SIGS)
        nd = input._data.ndim
        d = _dim1(dim, nd)
        if nd:
            _check_nonempty(f"{name}()", input, (d,))
        return getattr(return_types, name)(dim_op.fn(input, d, keepdim))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"Same as `torch.{name}`: the whole tensor ({all_op.node_name}: ties share the gradient "
                 f"evenly), or `(values, indices)` along `dim` ({dim_op.node_name}: the gradient goes to "
                 f"the index returned), or `torch.{'maximum' if name == 'max' else 'minimum'}(input, other)`.")
    return f


def _binary(name):
    def f(input, other):
        from .registry import FUNCTIONS
        return FUNCTIONS[name](input, other)
    return f


max = export(_minmax("max", max_all, max_dim, _binary("maximum")), name="max")
min = export(_minmax("min", min_all, min_dim, _binary("minimum")), name="min")


# ------------------------------------------------------------------ argmax, argmin

def _arg_fwd(xp, x, dim, keepdim, arg):
    if dim is None:
        r = xp.asarray(arg(x))
        return r.reshape((1,) * x.ndim).astype(np.int64) if keepdim else r.astype(np.int64)
    if x.ndim == 0:
        return xp.zeros((), np.int64)
    return arg(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


argmax_op = defop("argmax", differentiable=False, export=False,
                  forward=lambda xp, self, dim=None, keepdim=False: _arg_fwd(xp, self, dim, keepdim, xp.argmax))
argmin_op = defop("argmin", differentiable=False, export=False,
                  forward=lambda xp, self, dim=None, keepdim=False: _arg_fwd(xp, self, dim, keepdim, xp.argmin))


def _argminmax(name, op):
    def f(input, dim=None, keepdim=False, *, out=None):
        if input._data.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if input._data.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            return op.fn(input, None, keepdim)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
        nd = input._data.ndim
        d = _dim1(dim, nd)
        if nd:
            _check_nonempty(f"{name}()", input, (d,))
        return op.fn(input, d, keepdim)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Same as `torch.{name}`: the first index of the extreme value (NaN counts as extreme)."
    return f


argmax = export(_argminmax("argmax", argmax_op), name="argmax")
argmin = export(_argminmax("argmin", argmin_op), name="argmin")




# ------------------------------------------------------------------ sort, argsort, msort, topk

def _argsort(xp, x, dim, descending):
    """Stable argsort along `dim`; descending keeps equal elements in their order and puts NaN
    first (as torch's stable sort): sort the reversed slice ascending, then reverse back."""
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    idx = xp.flip(xp.argsort(xp.flip(x, dim), axis=dim, kind="stable"), dim)
    return (n - 1) - idx


def _sort_fwd(xp, x, dim, descending):
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    idx = _argsort(xp, x, dim, descending)
    return xp.take_along_axis(x, idx, dim), idx.astype(np.int64, copy=False)


def _full_select(name, node, fwd):
    """A selection whose values keep the reduced dim (sort, topk): keepdim is always true."""
    return defop(name, node=node, export=False, outputs=("values", "indices"), forward=fwd,
                 self=lambda grads, self_sym_sizes, indices, dim:
                     _select_backward(grads[0], dim, indices, self_sym_sizes, True),
                 jvp=lambda self_t, indices, dim: (_select_jvp(self_t, dim, indices, True), None))


sort_op = _full_select("sort", "SortBackward0",
                       lambda xp, self, dim=-1, descending=False: _sort_fwd(xp, self, dim, descending))
argsort_op = defop("argsort", differentiable=False, export=False,
                   forward=lambda xp, self, dim=-1, descending=False: _sort_fwd(xp, self, dim, descending)[1])


def _topk_fwd(xp, x, k, dim, largest):
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    idx = _argsort(xp, x, dim, largest)
    idx = xp.take(idx, xp.arange(k), axis=dim)
    return xp.take_along_axis(x, idx, dim), idx.astype(np.int64, copy=False)


topk_op = _full_select("topk", "TopkBackward0",
                       lambda xp, self, k=1, dim=-1, largest=True: _topk_fwd(xp, self, k, dim, largest))


_SORT_SIGS = ("(*, bool stable, int dim = -1, bool descending = False)", "(int dim = -1, bool descending = False)")


@export
def sort(input, *args, dim=-1, descending=False, stable=None, out=None):
    """Same as `torch.sort`: `(values, indices)`. Always stable (see the module docstring)."""
    if len(args) > 2 or (args and stable is not None) or any(isinstance(a, bool) for a in args[:1]):
        got = ", ".join([type(a).__name__ for a in args] + (["stable=bool"] if stable is not None else []))
        raise TypeError(f"sort() received an invalid combination of arguments - got ({got}), but expected one "
                        "of:\n" + "".join(f" * {s}\n" for s in _SORT_SIGS))
    if args:
        dim = args[0]
        if len(args) > 1:
            descending = args[1]
    return return_types.sort(sort_op.fn(input, _dim1(dim, input._data.ndim), bool(descending)))


@export
def argsort(input, dim=-1, descending=False, *, stable=False):
    """Same as `torch.argsort` (always stable)."""
    return argsort_op.fn(input, _dim1(dim, input._data.ndim), bool(descending))


@export
def msort(input, *, out=None):
    """Same as `torch.msort`: sorted along dim 0 (SortBackward0)."""
    return sort(input, 0).values


@export
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """Same as `torch.topk`: `(values, indices)`, always sorted; equal elements in index order."""
    nd = input._data.ndim
    d = _dim1(dim, nd)
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    n = input._data.shape[d] if nd else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    return return_types.topk(topk_op.fn(input, int(k), d, bool(largest)))


# ------------------------------------------------------------------ kthvalue, median, nanmedian, mode

def _pick(xp, x, dim, keepdim, position):
    """Values and indices at sorted position `position(sorted, order)` (an array of ranks with
    the reduced dim kept) along `dim`."""
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    order = xp.argsort(x, axis=dim, kind="stable")
    srt = xp.take_along_axis(x, order, dim)
    pos = position(srt)
    idx = xp.take_along_axis(order, pos, dim)
    vals = xp.take_along_axis(x, idx, dim)
    if not keepdim:
        vals, idx = vals.squeeze(dim), idx.squeeze(dim)
    return vals, idx.astype(np.int64, copy=False)


def _kth_fwd(xp, x, k, dim, keepdim):
    shape = list(x.shape)
    if x.ndim:
        shape[dim] = 1
    return _pick(xp, x, dim, keepdim, lambda srt: xp.full(shape, k - 1, np.intp))


def _median_pos(xp, dim, ignore_nan):
    def pos(srt):
        nan = xp.isnan(srt) if srt.dtype.kind in "fc" else xp.zeros(srt.shape, bool)
        if ignore_nan:      # the lower median of the non-NaNs (NaNs sort last); all NaN: the first NaN
            m = (~nan).sum(axis=dim, keepdims=True)
            return xp.maximum(m - 1, 0) // 2
        # a slice with a NaN gives NaN and the index of its first NaN (NaNs sort last, stably)
        n = srt.shape[dim]
        first_nan = n - nan.sum(axis=dim, keepdims=True)
        return xp.where(nan.any(axis=dim, keepdims=True), first_nan, (n - 1) // 2)
    return pos


def _mode_fwd(xp, x, dim, keepdim):
    def pos(srt):
        # runs of equal values in the sorted slice; the longest run, the smallest value first,
        # reported at the run's last element (the last occurrence: torch's index)
        n = srt.shape[dim]
        s = xp.moveaxis(srt, dim, -1)
        j = xp.arange(n)
        start = xp.ones(s.shape, bool)
        start[..., 1:] = s[..., 1:] != s[..., :-1]
        end = xp.ones(s.shape, bool)
        end[..., :-1] = start[..., 1:]
        run_start = xp.maximum.accumulate(xp.where(start, j, 0), axis=-1)
        length = xp.where(end, j - run_start + 1, 0)
        best = xp.argmax(length, axis=-1)[..., None]
        return xp.moveaxis(best, -1, dim)
    return _pick(xp, x, dim, keepdim, pos)


kthvalue_op = _select_op("kthvalue", "KthvalueBackward0",
                         lambda xp, self, k=1, dim=-1, keepdim=False: _kth_fwd(xp, self, k, dim, keepdim))
median_dim = _select_op("median_dim", "MedianBackward1",
                        lambda xp, self, dim=-1, keepdim=False: _pick(xp, self, dim, keepdim, _median_pos(xp, dim, False)))
nanmedian_dim = _select_op("nanmedian_dim", "NanmedianBackward1",
                           lambda xp, self, dim=-1, keepdim=False:
                               _pick(xp, self, dim, keepdim, _median_pos(xp, dim, True)))
mode_op = _select_op("mode", "ModeBackward0", lambda xp, self, dim=-1, keepdim=False: _mode_fwd(xp, self, dim, keepdim))


def _median_all_fwd(xp, x, ignore_nan):
    flat = x.reshape(-1)
    if ignore_nan and flat.dtype.kind == "f":
        flat = flat[~xp.isnan(flat)]
    if flat.size == 0:
        return xp.asarray(np.nan, x.dtype)
    if flat.dtype.kind == "f" and xp.isnan(flat).any():
        return xp.asarray(np.nan, x.dtype)
    return xp.sort(flat)[(flat.size - 1) // 2].copy()


median_all = defop("median", node="MedianBackward0", export=False, jvp=_evenly_jvp,
                   forward=lambda xp, self: _median_all_fwd(xp, self, False),
                   self=lambda grad, self, result: _evenly_distribute(grad, self, result))
nanmedian_all = defop("nanmedian", node="NanmedianBackward0", export=False, jvp=_evenly_jvp,
                      forward=lambda xp, self: _median_all_fwd(xp, self, True),
                      self=lambda grad, self, result: _evenly_distribute(grad, self, result))


def _dim_select(name, input, dim, extra=()):
    nd = input._data.ndim
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    d = _dim1(dim, nd)
    if nd:
        _check_nonempty(f"{name}()", input, (d,))
    return d


@export
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """Same as `torch.kthvalue`: the k-th smallest, `(values, indices)`."""
    nd = input._data.ndim
    d = _dim1(dim, nd)
    n = input._data.shape[d] if nd else 1
    if nd and n == 0:
        _check_nonempty("kthvalue()", input, (d,))
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return return_types.kthvalue(kthvalue_op.fn(input, int(k), d, keepdim))


_ALL = object()      # median() without a dim (dim=None is a TypeError, as torch)


def _median(name, all_op, dim_op, ignore_nan):
    def f(input, dim=_ALL, keepdim=False, *, out=None):
        if input._data.dtype == np.bool_:
            raise NotImplementedError(f"\"{'nanmedian' if ignore_nan else 'median'}_cpu\" not implemented "
                                      "for 'Bool'")
        if dim is _ALL:
            return all_op.fn(input)
        d = _dim_select("median", input, dim)
        return getattr(return_types, name)(dim_op.fn(input, d, keepdim))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"Same as `torch.{name}`: the lower median{' of the non-NaNs' if ignore_nan else ''}; "
                 f"whole tensor: ties share the gradient evenly ({all_op.node_name}); along `dim`: "
                 f"`(values, indices)` ({dim_op.node_name}).")
    return f


median = export(_median("median", median_all, median_dim, False), name="median")
nanmedian = export(_median("nanmedian", nanmedian_all, nanmedian_dim, True), name="nanmedian")


@export
def mode(input, dim=-1, keepdim=False, *, out=None):
    """Same as `torch.mode`: the most frequent value (the smallest of those), at its last index."""
    return return_types.mode(mode_op.fn(input, _dim_select("mode", input, dim), keepdim))


# ------------------------------------------------------------------ quantile, nanquantile
# Built as torch builds them (aten/src/ATen/native/Sorting.cpp), so grad_fn chains print the
# same: sort, view, gather the values below and above each rank, lerp, then squeeze_ (or
# unsqueeze_, transpose_, squeeze_ for a 1-D q). The in-place steps get their own nodes.

lerp_op = defop("_quantile_lerp", node="LerpBackward1", export=False, broadcast=True, jvp=ELEMENTWISE,
                forward=lambda xp, self, end, weight: self + weight * (end - self),
                self=lambda grad, weight: grad * (1 - weight),
                end=lambda grad, weight: grad * weight,
                weight=lambda grad, self, end: grad * (end - self))
# (the dims are parameters so the nodes save them, as torch's do: `_saved_dim`, `_saved_dim0`)
squeeze_last = defop("_quantile_squeeze_", node="SqueezeBackward4", export=False, jvp=LINEAR,
                     forward=lambda xp, self, dim=-1: xp.squeeze(self, dim),
                     self=lambda grad, self_sym_sizes, dim: grad.reshape(self_sym_sizes))
unsqueeze_first = defop("_quantile_unsqueeze_", node="UnsqueezeBackward1", export=False, jvp=LINEAR,
                        forward=lambda xp, self, dim=0: xp.expand_dims(self, dim),
                        self=lambda grad, dim: np.squeeze(grad, dim))
transpose_ends = defop("_quantile_transpose_", node="TransposeBackward1", export=False, jvp=LINEAR,
                       forward=lambda xp, self, dim0=0, dim1=-1: xp.swapaxes(self, dim0, dim1),
                       self=lambda grad, dim0, dim1: np.swapaxes(grad, dim0, dim1))

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    x = input._data
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != x.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        qa, q0 = q._data.reshape(-1), q.ndim == 0
        if not ((qa >= 0) & (qa <= 1)).all():
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        qa, q0 = np.asarray([q], x.dtype), True
    else:
        raise TypeError(f"quantile() received an invalid combination of arguments - got "
                        f"({type(q).__name__}), but expected one of:")
    if x.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"quantile() received an invalid combination of arguments - got (float, "
                        f"dim={type(dim).__name__}), but expected one of:")
    nd = x.ndim
    wd = _dim1(dim, nd) if dim is not None else None
    if dim is not None and nd:
        out_shape = list(x.shape)
        if keepdim:
            out_shape[wd] = 1
        else:
            del out_shape[wd]
    else:
        out_shape = [1] * nd if keepdim else []
    if not q0:
        out_shape.insert(0, qa.size)
    if dim is None:
        srt = sort(input.flatten()).values
    elif wd == nd - 1:
        srt = sort(input).values
    else:
        srt = sort(input.unsqueeze(-1).transpose(wd, -1)).values
    if q0:
        out_shape.insert(0, 1)
    srt = srt.view(out_shape[1:] + [srt.shape[-1]])
    s = srt._data
    nan = np.isnan(s)
    with np.errstate(invalid="ignore"):
        if ignore_nan:
            ranks = qa * ((~nan).sum(-1, keepdims=True) - 1).astype(s.dtype)
            ranks = np.where(ranks < 0, 0, ranks).astype(s.dtype, copy=False)
        else:
            last = s.shape[-1] - 1
            ranks, any_nan = np.broadcast_arrays(qa * last, nan.any(-1, keepdims=True))
            ranks = np.where(any_nan, last, ranks).astype(s.dtype, copy=False)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    values = gather_along.fn(srt, srt.ndim - 1, below)
    if interpolation in ("linear", "midpoint"):
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else (ranks - below).astype(s.dtype)
        above = gather_along.fn(srt, srt.ndim - 1, np.ceil(ranks).astype(np.int64))
        values = lerp_op.fn(values, above, _wrap(weights))
    if q0:
        return squeeze_last.fn(values)
    return squeeze_last.fn(transpose_ends.fn(unsqueeze_first.fn(values)))


@export
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """Same as `torch.quantile` (no gradient with respect to `q`)."""
    return _quantile(input, q, dim, keepdim, interpolation, False)


@export
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """Same as `torch.nanquantile`: NaNs ignored (all NaN: NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


# ------------------------------------------------------------------ NumPy functions on Tensors (formulas)
from .numpy_compat import implements  # noqa: E402


@implements(np.sort)
def _np_sort(a, axis=-1, kind=None, order=None, **kw):
    return sort(a, dim=axis).values


@implements(np.argmax)
def _np_argmax(a, axis=None, out=None, keepdims=False):
    return argmax(a, axis, keepdims)


@implements(np.argmin)
def _np_argmin(a, axis=None, out=None, keepdims=False):
    return argmin(a, axis, keepdims)


@implements(np.take_along_axis)
def _np_take_along_axis(arr, indices, axis):
    return gather_along.fn(arr, axis % arr.ndim if arr.ndim else 0, _raw(indices))
