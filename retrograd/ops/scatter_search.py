"""Ops that find indices or count: nonzero/argwhere, unique, unique_consecutive, bincount,
searchsorted, bucketize, histc, isin. None has a gradient; where torch still records a node that
refuses to run backward (unique of a float tensor, bincount with weights), so do we."""
import numpy as np

from .. import _errors
from .registry import defop, export
from ..autograd.forward_ad import UNSUPPORTED
from .scatter import _nyi, _aten_nyi, _fw_nyi, _scalar
from ..tensor import Tensor, _wrap, _wrap_dim

# ---------------------------------------------------------------- nonzero / argwhere

nonzero_op = defop("nonzero", differentiable=False, export=False,
                   forward=lambda xp, self: xp.argwhere(self).astype(np.int64))


@export
def nonzero(input, *, out=None, as_tuple=False):
    """Same as `torch.nonzero`: an (n, ndim) int64 tensor, or with as_tuple one 1-D tensor per dim
    (a 0-d input counts as 1-d there)."""
    if not as_tuple:
        return nonzero_op.fn(input)
    a = input._data
    return tuple(_wrap(np.ascontiguousarray(c, dtype=np.int64)) for c in np.nonzero(a.reshape(a.shape or (1,))))


@export
def argwhere(input):
    """Same as `torch.argwhere`."""
    return nonzero_op.fn(input)


# ---------------------------------------------------------------- unique

def _unique_flat(xp, self):
    v, inv, c = np.unique(self.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
    return v, inv.reshape(self.shape).astype(np.int64), c.astype(np.int64)


def _unique_dim(xp, self, dim=0):
    if self.shape[dim] == 0:
        return self.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
    v, inv, c = np.unique(self, axis=dim, return_inverse=True, return_counts=True, equal_nan=False)
    return v, inv.reshape(-1).astype(np.int64), c.astype(np.int64)


def _consecutive(xp, self, dim=None):
    """Runs of equal elements (dim=None) or equal slices along `dim`."""
    if dim is None:
        rows = self.reshape(-1, 1)
    else:
        rows = np.moveaxis(self, dim, 0).reshape(self.shape[dim], -1)
    n = rows.shape[0]
    start = np.ones(n, bool)
    if n > 1:
        start[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    first = np.flatnonzero(start)
    inv = (np.cumsum(start) - 1).astype(np.int64)
    counts = np.diff(np.append(first, n)).astype(np.int64)
    if dim is None:
        return self.reshape(-1)[first], inv.reshape(self.shape), counts
    return np.take(self, first, axis=dim), inv, counts


_OUTS = ("values", "inverse", "counts")
# torch differentiates unique in neither mode
unique2_op = defop("_unique2", node="Unique2Backward0", export=False, outputs=_OUTS,
                   forward=_unique_flat, self=_nyi("_unique2"), jvp=UNSUPPORTED)
unique_dim_op = defop("unique_dim", node="UniqueDimBackward0", export=False, outputs=_OUTS,
                      forward=_unique_dim, self=_nyi("unique_dim"), jvp=UNSUPPORTED)
unique_consecutive_op = defop("unique_consecutive", node="UniqueConsecutiveBackward0", export=False,
                              outputs=_OUTS, forward=_consecutive, self=_nyi("unique_consecutive"), jvp=UNSUPPORTED)


def _pick(outs, return_inverse, return_counts):
    v, inv, c = outs
    if return_inverse and return_counts:
        return v, inv, c
    if return_inverse:
        return v, inv
    if return_counts:
        return v, c
    return v


def _unique_dim_arg(input, dim):
    a = input._data
    if a.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, a.ndim)
    if a.size == 0 and a.shape[dim] != 0:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    return dim


@export
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Same as `torch.unique`; the values always come sorted (as torch's CPU kernel gives them)."""
    if dim is None:
        outs = unique2_op.fn(input)
    else:
        outs = unique_dim_op.fn(input, _unique_dim_arg(input, dim))
    return _pick(outs, return_inverse, return_counts)


@export
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Same as `torch.unique_consecutive`."""
    if dim is not None:
        dim = _unique_dim_arg(input, dim)
    return _pick(unique_consecutive_op.fn(input, dim), return_inverse, return_counts)


# ---------------------------------------------------------------- bincount, histc

def _bincount_fwd(xp, weights, input=None, minlength=0):
    out = np.bincount(input, weights=weights.astype(np.float64), minlength=minlength)
    return out.astype(np.float32) if weights.dtype == np.float32 else out


bincount_op = defop("bincount", node="NotImplemented", export=False, forward=_bincount_fwd,
                    weights=_aten_nyi("bincount"), jvp=_fw_nyi("bincount"))
bincount_op.node_cls.name = lambda self: "torch::autograd::NotImplemented"


@export
def bincount(input, weights=None, minlength=0):
    """Same as `torch.bincount`: int64 counts, or sums of weights (float32 weights stay float32,
    others give float64; an empty input gives int64 zeros either way, as torch)."""
    a = input._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_errors.scalar_name(a.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights._data.ndim != 1 or weights._data.shape[0] != a.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    a = a.astype(np.int64, copy=False)
    if weights is None or a.size == 0:     # counts: integers, nothing to record (torch: int64 even with weights)
        return _wrap(np.bincount(a, minlength=int(minlength)).astype(np.int64))
    return bincount_op.fn(weights, a, int(minlength))


def _histc_fwd(xp, self, bins=100, min=0, max=0):
    x = self.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    t = x.dtype.type
    keep = x[(x >= t(lo)) & (x <= t(hi))]
    # torch's linear interpolation, in the input's dtype; the right edge belongs to the last bin
    pos = ((keep - t(lo)) * t(bins) / (t(hi) - t(lo))).astype(np.int64)
    return np.bincount(np.minimum(pos, bins - 1), minlength=bins).astype(x.dtype)


histc_op = defop("histc", differentiable=False, export=False, forward=_histc_fwd)


@export
def histc(input, bins=100, min=0, max=0):
    """Same as `torch.histc`: min == max uses the data's range."""
    a = input._data
    if a.dtype.kind not in "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_errors.scalar_name(a.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    if min == max and a.size:
        lo, hi = float(a.min()), float(a.max())
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    return histc_op.fn(input, int(bins), min, max)


# ---------------------------------------------------------------- searchsorted, bucketize, isin

def _searchsorted_fwd(xp, sorted_sequence, self, right=False, sorter=None, out_int32=False):
    side = "right" if right else "left"
    dt = np.int32 if out_int32 else np.int64
    if sorter is not None:
        sorted_sequence = np.take_along_axis(sorted_sequence, sorter, axis=-1)
    if sorted_sequence.ndim == 1:
        return np.searchsorted(sorted_sequence, self, side=side).astype(dt)
    b = sorted_sequence.reshape(-1, sorted_sequence.shape[-1])
    v = self.reshape(b.shape[0], -1)
    out = np.empty(v.shape, dt)
    for i in range(b.shape[0]):
        out[i] = np.searchsorted(b[i], v[i], side=side)
    return out.reshape(self.shape)


searchsorted_op = defop("searchsorted", differentiable=False, export=False, forward=_searchsorted_fwd)


def _values(x):
    return x if isinstance(x, Tensor) else _wrap(np.asarray(_scalar(x)))


@export(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Same as `torch.searchsorted`."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    s = sorted_sequence._data
    v = _values(input)
    if s.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if s.ndim > 1 and (v._data.ndim != s.ndim or v._data.shape[:-1] != s.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(s.shape)} and input value tensor {list(v._data.shape)}")
    return searchsorted_op.fn(sorted_sequence, v, bool(right), None if sorter is None else sorter._data,
                              bool(out_int32))


@export(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False):
    """Same as `torch.bucketize`: searchsorted on 1-D boundaries."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted_op.fn(boundaries, _values(input), bool(right), None, bool(out_int32))


isin_op = defop("isin", differentiable=False, export=False,
                forward=lambda xp, elements, test_elements, invert=False:
                    np.isin(elements, test_elements, invert=invert))


@export(method=False)
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Same as `torch.isin`; either argument may be a scalar."""
    return isin_op.fn(_values(elements), _values(test_elements), bool(invert))
