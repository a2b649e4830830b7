"""Array helpers shared by convolution, pooling, unfold/fold, padding and resampling.

Everything here works on NumPy arrays whose last `k` dims are spatial. Sliding
windows are strided views (no copy); the adjoint of taking windows ("col2im")
loops over the kernel positions, each one vectorized slice-add over the whole
batch, so no Python loop ever runs over batch elements or pixels.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided


def tup(v, k, name="value"):
    """An int or a sequence as a k-tuple of ints (a 1-sequence is repeated)."""
    if isinstance(v, (int, np.integer)):
        return (int(v),) * k
    v = tuple(int(a) for a in v)
    return v * k if len(v) == 1 else v


def pad_spatial(x, before, after, value=0):
    """`x` with its last len(before) dims padded by `before`/`after` with `value` (x itself if none)."""
    if not any(before) and not any(after):
        return x
    k = len(before)
    sp = x.shape[x.ndim - k:]
    shape = x.shape[:x.ndim - k] + tuple(s + b + a for s, b, a in zip(sp, before, after))
    out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    out[(Ellipsis,) + tuple(slice(b, b + s) for b, s in zip(before, sp))] = x
    return out


def windows(xp_, K, OS, stride, dilation):
    """The view (..., *OS, *K) of the sliding windows of a (padded) array: window o, offset j
    reads xp_[..., o*stride + j*dilation]. The caller makes sure every window fits."""
    k = len(K)
    lead = xp_.ndim - k
    st = xp_.strides
    shape = xp_.shape[:lead] + tuple(OS) + tuple(K)
    strides = (st[:lead] + tuple(st[lead + i] * stride[i] for i in range(k))
               + tuple(st[lead + i] * dilation[i] for i in range(k)))
    return as_strided(xp_, shape, strides, writeable=False)


def window_slice(j, OS, stride, dilation):
    """The index of the elements kernel offset `j` touches, over all windows."""
    return (Ellipsis,) + tuple(slice(ji * d, ji * d + (o - 1) * s + 1, s) if o > 0 else slice(0, 0)
                               for ji, o, s, d in zip(j, OS, stride, dilation))


def col2im(cols, Sp, OS, K, stride, dilation):
    """The adjoint of `windows`: cols (..., *K, *OS) summed into a zero array (..., *Sp)."""
    k = len(K)
    lead = cols.shape[:cols.ndim - 2 * k]
    out = np.zeros(lead + tuple(Sp), cols.dtype)
    pre = (slice(None),) * len(lead)
    for j in np.ndindex(*K):
        out[window_slice(j, OS, stride, dilation)] += cols[pre + j]
    return out


def crop(x, before, S):
    """x[..., before:before+S] over the last len(S) dims (a view; x itself if nothing to cut)."""
    k = len(S)
    if not any(before) and tuple(x.shape[x.ndim - k:]) == tuple(S):
        return x
    return x[(Ellipsis,) + tuple(slice(b, b + s) for b, s in zip(before, S))]


def prod(xs):
    return math.prod(xs)


def add_sorted(g, idx, axis, size):
    """The adjoint of `np.take(x, idx, axis)` for a non-decreasing `idx`: sums of g's slices that
    share an index, placed at that index (np.add.reduceat: no scatter, no duplicates)."""
    shape = list(g.shape)
    shape[axis] = size
    if len(idx) == 0:
        return np.zeros(shape, g.dtype)
    starts = np.flatnonzero(np.concatenate(([True], idx[1:] != idx[:-1])))
    sums = np.add.reduceat(g, starts, axis=axis)
    where = idx[starts]
    if len(where) == size:                  # every input index got something: they are 0..size-1
        return sums
    out = np.zeros(shape, g.dtype)
    out[(slice(None),) * axis + (where,)] = sums
    return out


def add_taken(g, idx, axis, size, center):
    """The adjoint of `np.take(x, idx, axis)` when `idx` is the identity on one stretch plus a
    few border entries (padding): center = (out_start, in_start, length) is copied in one slice,
    each border entry is one vectorized add."""
    shape = list(g.shape)
    shape[axis] = size
    out = np.zeros(shape, g.dtype)
    pre = (slice(None),) * axis
    o0, i0, n = center
    if n > 0:
        out[pre + (slice(i0, i0 + n),)] = g[pre + (slice(o0, o0 + n),)]
    for j in list(range(0, o0)) + list(range(o0 + n, len(idx))):
        out[pre + (int(idx[j]),)] += g[pre + (j,)]
    return out
