"""Pooling: max (with indices), average, adaptive average/max, Lp, max-unpool.

Windows are strided views (ops/window.py). Pooling is linear in its input given the
window choice, so every backward is itself a registered op whose backward is the
forward again: an average pool's gradient is a "spread" (AvgPool2DBackwardBackward0)
whose gradient is the average pool; a max pool's gradient scatters into the argmax
positions (MaxPool2DWithIndicesBackwardBackward0), whose gradient gathers from them.
1-d pools run as 2-d pools over an unsqueezed input, as torch does.
"""
import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from .window import tup, pad_spatial, windows, window_slice, crop, prod
from ..tensor import Tensor

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d", "max_unpool1d", "max_unpool2d"]


def _out_size(n, K, s, p, d, ceil):
    """torch's pooling_output_shape."""
    o = (n + 2 * p - d * (K - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o


def _padded_windows(x, K, OS, s, p, d, value):
    """x padded with `value` on the near side by p and on the far side as far as the last window
    reaches (ceil_mode may reach past p), and its window view (..., *OS, *K)."""
    S = x.shape[x.ndim - len(K):]
    far = [max((o - 1) * si + (kk - 1) * di + 1 - n - pi, 0) for o, si, kk, di, n, pi in zip(OS, s, K, d, S, p)]
    xp_ = pad_spatial(x, p, far, value)
    return xp_, windows(xp_, K, OS, s, d)


# ---------------------------------------------------------------- max pooling (arrays)

def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _first_max_tables(KK):
    """For a bit code with bit KK-1-j set where kernel offset j holds the max: the first such j."""
    t = _TABLES.get(KK)
    if t is None:
        t = np.zeros(1 << KK, np.int64)
        for c in range(1, 1 << KK):
            t[c] = KK - c.bit_length()
        _TABLES[KK] = t
    return t


_TABLES = {}


def _max_pool_array(x, K, s, p, d, ceil):
    k = len(K)
    S = x.shape[-k:]
    OS = tuple(_out_size(n, kk, si, pi, di, ceil) for n, kk, si, pi, di in zip(S, K, s, p, d))
    xp_, win = _padded_windows(x, K, OS, s, p, d, _lowest(x.dtype))
    KK = prod(K)
    plane = [prod(S[i + 1:]) for i in range(k)]            # the input plane's row-major strides
    offs = np.array([sum(ji * di * st for ji, di, st in zip(j, d, plane)) for j in np.ndindex(*K)], np.int64)
    base = np.zeros((), np.int64)
    for i in range(k):
        o = (np.arange(OS[i]) * s[i] - p[i]) * plane[i]
        base = base + o.reshape((-1,) + (1,) * (k - 1 - i))
    if 0 < KK <= 8:
        # Kernel offsets one at a time, each a vectorized op over every window: the max, then a
        # bit per offset that holds it, then the first such offset by table (as torch, the first
        # maximum in the window wins).
        sl = [xp_[window_slice(j, OS, s, d)] for j in np.ndindex(*K)]
        values = sl[0].copy()
        for v in sl[1:]:
            np.maximum(values, v, out=values)
        code = np.zeros(values.shape, np.uint8)
        eq = np.empty(values.shape, bool)
        for v in sl:
            np.equal(v, values, out=eq)
            np.add(code, code, out=code)
            np.bitwise_or(code, eq.view(np.uint8), out=code)
        j = _first_max_tables(KK).take(code)
        if values.dtype.kind == "f" and np.isnan(values).any():
            for i, v in enumerate(sl):            # torch takes every NaN it meets: the last one wins
                np.copyto(j, i, where=np.isnan(v))
    else:
        flat = win.reshape(win.shape[:x.ndim] + (KK,))
        j = flat.argmax(axis=-1)
        values = np.take_along_axis(flat, j[..., None], axis=-1)[..., 0]
    index = offs.take(j)
    index += base
    return values, index


def _plane_index(indices, k, P):
    """Flat indices into the whole array: per-plane index plus the plane's offset."""
    M = prod(indices.shape[:indices.ndim - k])
    L = prod(indices.shape[indices.ndim - k:])
    return (indices.reshape(M, L) + (np.arange(M, dtype=np.int64) * P)[:, None]).ravel()


def _scatter_array(g, indices, self_sizes, overlap):
    """grad of a max pool: each output's gradient added at its argmax (flat index per plane)."""
    k = len(self_sizes)
    lead = g.shape[:g.ndim - k]
    P = prod(self_sizes)
    lin = _plane_index(indices, k, P)
    if not overlap:                           # windows never share an input: plain writes
        out = np.zeros(prod(lead) * P, g.dtype)
        out[lin] = g.ravel()
    else:                                     # shared inputs: one bincount sums all collisions
        out = np.bincount(lin, weights=g.ravel(), minlength=prod(lead) * P).astype(g.dtype, copy=False)
    return out.reshape(lead + tuple(self_sizes))


def _gather_array(u, indices, k):
    """u at the flat per-plane `indices` (the last k dims are the plane)."""
    lin = _plane_index(indices, k, prod(u.shape[u.ndim - k:]))
    return u.reshape(-1)[lin].reshape(indices.shape)


def _idx(indices):
    return indices._data if isinstance(indices, Tensor) else indices


def _gather(u, indices, k):
    if isinstance(u, Tensor):
        return gather_op.fn(u, _idx(indices), k)
    return _gather_array(u, _idx(indices), k)


def _scatter_op(name, node):
    op = defop(name, node=node, export=False, jvp=LINEAR,
               forward=lambda xp, grad_output, indices=None, self_sizes=(), overlap=True:
                   _scatter_array(grad_output, indices, self_sizes, overlap),
               grad_output=lambda grad, indices, self_sizes: _gather(grad, indices, len(self_sizes)))

    def scatter(g, indices, self_sizes, overlap):
        if isinstance(g, Tensor):
            return op.fn(g, _idx(indices), tuple(self_sizes), overlap)
        return _scatter_array(g, _idx(indices), tuple(self_sizes), overlap)
    return op, scatter


max_pool2d_scatter_op, _scatter2d = _scatter_op("max_pool2d_with_indices_backward",
                                                "MaxPool2DWithIndicesBackwardBackward0")
max_pool3d_scatter_op, _scatter3d = _scatter_op("max_pool3d_with_indices_backward",
                                                "MaxPool3DWithIndicesBackwardBackward0")
adaptive_max_scatter_op, _scatter_adaptive = _scatter_op("adaptive_max_pool2d_backward",
                                                         "AdaptiveMaxPool2DBackwardBackward0")

# the gradient of a scatter gathers; torch's max_pool_double_backward is a gather too
gather_op = defop("_pool_gather", node="GatherBackward0", export=False, jvp=LINEAR,
                  forward=lambda xp, self, indices=None, k=2: _gather_array(self, indices, k),
                  self=lambda grad, self_sym_sizes, indices, k:
                      _scatter2d(grad, indices, tuple(self_sym_sizes)[len(self_sym_sizes) - k:], True))


def _overlap(K, s, d):
    return any(si < (kk - 1) * di + 1 for kk, si, di in zip(K, s, d))


def _max_pool_op(k, scatter):
    return defop(
        f"max_pool{k}d_with_indices", node=f"MaxPool{k}DWithIndicesBackward0", export=False,
        outputs=("result", "result1"),
        forward=lambda xp, self, kernel_size=(), stride=(), padding=(), dilation=(), ceil_mode=False:
            _max_pool_array(self, kernel_size, stride, padding, dilation, ceil_mode),
        self=lambda grads, self, result1, kernel_size, stride, padding, dilation:
            scatter(grads[0], result1, tuple(self.shape)[-k:], _overlap(kernel_size, stride, dilation)),
        jvp=lambda self_t, result1: (_gather(self_t, result1, k), None))


max_pool2d_op = _max_pool_op(2, _scatter2d)
max_pool3d_op = _max_pool_op(3, _scatter3d)


# ---------------------------------------------------------------- average pooling (arrays)

def _avg_divisor(S, OS, K, s, p, count_include_pad, divisor_override, dtype):
    """torch's divide_factor per output position: the window clipped to the padded input
    (count_include_pad) or to the input itself; a product of one count per dim."""
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype)
    div = np.ones((), dtype)
    k = len(K)
    for i in range(k):
        start = np.arange(OS[i]) * s[i] - p[i]
        end = np.minimum(start + K[i], S[i] + p[i])
        n = end - start if count_include_pad else np.minimum(end, S[i]) - np.maximum(start, 0)
        div = div * n.astype(dtype).reshape((-1,) + (1,) * (k - 1 - i))
    return div


def _avg_geometry(S, K, s, p, ceil):
    return tuple(_out_size(n, kk, si, pi, 1, ceil) for n, kk, si, pi in zip(S, K, s, p))


def _avg_pool_array(x, K, s, p, ceil, count_include_pad, divisor_override):
    k = len(K)
    S = x.shape[-k:]
    OS = _avg_geometry(S, K, s, p, ceil)
    xp_, _ = _padded_windows(x, K, OS, s, p, (1,) * k, 0)
    acc = None
    for j in np.ndindex(*K):                  # one slice-add per kernel offset
        sl = xp_[window_slice(j, OS, s, (1,) * k)]
        acc = sl.copy() if acc is None else acc.__iadd__(sl)
    if acc is None:
        acc = np.zeros(x.shape[:-k] + OS, x.dtype)
    return acc / _avg_divisor(S, OS, K, s, p, count_include_pad, divisor_override, x.dtype)


def _avg_spread_array(g, self_sizes, K, s, p, ceil, count_include_pad, divisor_override):
    """The adjoint of the average pool: each output's share spread over its window."""
    k = len(K)
    S = tuple(self_sizes)
    OS = g.shape[-k:]
    gs = g / _avg_divisor(S, OS, K, s, p, count_include_pad, divisor_override, g.dtype)
    far = [max((o - 1) * si + kk - n - pi, 0) for o, si, kk, n, pi in zip(OS, s, K, S, p)]
    out = np.zeros(g.shape[:-k] + tuple(n + pi + f for n, pi, f in zip(S, p, far)), g.dtype)
    for j in np.ndindex(*K):
        out[window_slice(j, OS, s, (1,) * k)] += gs
    return crop(out, p, S)


def _avg_pool_ops(k):
    def pool(x, K, s, p, ceil, cip, div):
        if isinstance(x, Tensor):
            return fwd.fn(x, K, s, p, ceil, cip, div)
        return _avg_pool_array(x, K, s, p, ceil, cip, div)

    def spread(g, sizes, K, s, p, ceil, cip, div):
        if isinstance(g, Tensor):
            return bwd.fn(g, sizes, K, s, p, ceil, cip, div)
        return _avg_spread_array(g, sizes, K, s, p, ceil, cip, div)

    fwd = defop(
        f"avg_pool{k}d", node=f"AvgPool{k}DBackward0", export=False, jvp=LINEAR,
        forward=lambda xp, self, kernel_size=(), stride=(), padding=(), ceil_mode=False, count_include_pad=True,
        divisor_override=None: _avg_pool_array(self, kernel_size, stride, padding, ceil_mode, count_include_pad,
                                               divisor_override),
        self=lambda grad, self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override:
            spread(grad, tuple(self.shape)[-k:], kernel_size, stride, padding, ceil_mode, count_include_pad,
                   divisor_override))
    bwd = defop(
        f"avg_pool{k}d_backward", node=f"AvgPool{k}DBackwardBackward0", export=False, jvp=LINEAR,
        forward=lambda xp, grad_output, self_sizes=(), kernel_size=(), stride=(), padding=(), ceil_mode=False,
        count_include_pad=True, divisor_override=None: _avg_spread_array(
            grad_output, self_sizes, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override),
        grad_output=lambda grad, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override:
            pool(grad, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override))
    return fwd, bwd


avg_pool2d_op, avg_pool2d_backward_op = _avg_pool_ops(2)
avg_pool3d_op, avg_pool3d_backward_op = _avg_pool_ops(3)


# ---------------------------------------------------------------- adaptive pooling (arrays)

def _adaptive_bounds(n, o):
    """torch's adaptive windows: [floor(i*n/o), ceil((i+1)*n/o)) for output i."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_matrix(n, o, dtype):
    """(o, n): row i averages input window i."""
    start, end = _adaptive_bounds(n, o)
    j = np.arange(n)
    m = (j >= start[:, None]) & (j < end[:, None])
    return m.astype(dtype) / (end - start).astype(dtype)[:, None]


def _along(x, m, d):
    """m (o, n) applied along dim d of x (of size n)."""
    if d == x.ndim - 1:
        return np.matmul(x, m.T)
    if d == x.ndim - 2:
        return np.matmul(m, x)
    return np.moveaxis(np.tensordot(m, x, axes=([1], [d])), 0, d)


def _adaptive_avg_array(x, output_size):
    k = len(output_size)
    for j, o in enumerate(output_size):
        d = x.ndim - k + j
        x = _along(x, _adaptive_matrix(x.shape[d], o, x.dtype), d)
    return x


def _adaptive_avg_back_array(g, self_sizes):
    k = len(self_sizes)
    for j, n in enumerate(self_sizes):
        d = g.ndim - k + j
        g = _along(g, _adaptive_matrix(n, g.shape[d], g.dtype).T, d)
    return g


def _adaptive_avg_ops(k):
    def pool(x, output_size):
        if isinstance(x, Tensor):
            return fwd.fn(x, tuple(output_size))
        return _adaptive_avg_array(x, output_size)

    def spread(g, self_sizes):
        if isinstance(g, Tensor):
            return bwd.fn(g, tuple(self_sizes))
        return _adaptive_avg_back_array(g, self_sizes)

    fwd = defop(f"adaptive_avg_pool{k}d", node=f"AdaptiveAvgPool{k}DBackward0", export=False, jvp=LINEAR,
                forward=lambda xp, self, output_size=(1,) * k: _adaptive_avg_array(self, output_size),
                self=lambda grad, self: spread(grad, tuple(self.shape)[-k:]))
    bwd = defop(f"adaptive_avg_pool{k}d_backward", node=f"AdaptiveAvgPool{k}DBackwardBackward0", export=False,
                jvp=LINEAR, forward=lambda xp, grad_output, self_sizes=(1,) * k:
                    _adaptive_avg_back_array(grad_output, self_sizes),
                grad_output=lambda grad, grad_output_sym_sizes: pool(grad, tuple(grad_output_sym_sizes)[-k:]))
    return fwd, bwd


adaptive_avg_pool2d_op, adaptive_avg_pool2d_backward_op = _adaptive_avg_ops(2)
adaptive_avg_pool3d_op, adaptive_avg_pool3d_backward_op = _adaptive_avg_ops(3)


def _adaptive_max_array(x, output_size):
    (H, W), (oh, ow) = x.shape[-2:], output_size
    idx = []
    for n, o in ((H, oh), (W, ow)):
        start, end = _adaptive_bounds(n, o)
        kmax = int((end - start).max()) if o else 0
        # windows padded to the longest by repeating their last element: the first maximum stays first
        idx.append(np.minimum(start[:, None] + np.arange(kmax), end[:, None] - 1))
    ih, iw = idx
    g = x[..., ih[:, None, :, None], iw[None, :, None, :]]          # (..., oh, ow, kh, kw)
    flat = g.reshape(g.shape[:-2] + (-1,)) if g.size else g.reshape(g.shape[:-2] + (g.shape[-2] * g.shape[-1],))
    if flat.shape[-1] == 0:
        return np.zeros(x.shape[:-2] + (oh, ow), x.dtype), np.zeros(x.shape[:-2] + (oh, ow), np.int64)
    j = flat.argmax(axis=-1)
    values = np.take_along_axis(flat, j[..., None], axis=-1)[..., 0]
    a, b = np.unravel_index(j, (ih.shape[1], iw.shape[1]))
    index = ih[np.arange(oh)[:, None], a] * W + iw[np.arange(ow)[None, :], b]
    return values, index.astype(np.int64)


adaptive_max_pool2d_op = defop(
    "adaptive_max_pool2d", node="AdaptiveMaxPool2DBackward0", export=False, outputs=("result", "result1"),
    forward=lambda xp, self, output_size=(1, 1): _adaptive_max_array(self, output_size),
    self=lambda grads, self, result1: _scatter_adaptive(grads[0], result1, tuple(self.shape)[-2:], True),
    jvp=lambda self_t, result1: (_gather(self_t, result1, 2), None))


def _unpool_array(x, indices, output_size):
    lead = x.shape[:-2]
    out = np.zeros(prod(lead) * prod(output_size), x.dtype)
    out[_plane_index(indices, 2, prod(output_size))] = x.reshape(-1)
    return out.reshape(lead + tuple(output_size))


max_unpool2d_op = defop(
    "max_unpool2d", node="MaxUnpool2DBackward0", export=False, jvp=LINEAR,
    forward=lambda xp, self, indices=None, output_size=(): _unpool_array(self, indices, output_size),
    self=lambda grad, indices: _gather(grad, indices, 2))


# ---------------------------------------------------------------- checks (torch's words)

_WORDS = {1: "one", 2: "two", 3: "three"}


def _seq(v):
    return (int(v),) if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)


def _nd_args(name, k, kernel_size, stride, padding, dilation=1, avg=False):
    w = _WORDS[k]
    K = _seq(kernel_size)
    if len(K) not in (1, k):
        raise RuntimeError(f"{name}: kernel_size must {'' if avg and k == 3 else 'either '}be a single int, or a "
                           f"tuple of {w} ints")
    s = () if stride is None else _seq(stride)
    if len(s) not in (0, 1, k):
        raise RuntimeError(f"{name}: stride must either be omitted, a single int, or a tuple of {w} ints")
    p = _seq(padding)
    if len(p) not in (1, k):
        raise RuntimeError(f"{name}: padding must either be a single int, or a tuple of {w} ints")
    d = _seq(dilation)
    if len(d) not in (1, k):
        raise RuntimeError(f"{name}: dilation must be either a single int, or a tuple of {w} ints")
    K = tup(K, k)
    return K, (tup(s, k) if s else K), tup(p, k), tup(d, k)


def _out_sizes(S, K, s, p, d, ceil):
    """torch's pooling_output_shape per dim, with its checks."""
    out = []
    for n, kk, si, pi, di in zip(S, K, s, p, d):
        if si == 0:
            raise RuntimeError("stride should not be zero")
        if pi < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pi}")
        if pi > int(((kk - 1) * di + 1) / 2):      # C++ division: truncates toward zero
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pi}, "
                               f"kernel_size={kk} and dilation={di}")
        out.append(_out_size(n, kk, si, pi, di, ceil))
    return tuple(out)


def _shape_check(x, K, s, d, OS, k):
    """torch's pool2d_shape_check / pool3d_shape_check."""
    names = ("T", "H", "W")[3 - k:]
    if any(v <= 0 for v in K):
        raise RuntimeError("kernel size should be greater than zero, but got "
                           + " ".join(f"k{n}: {v}" for n, v in zip(names, K)))
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should be greater than zero, but got "
                           + " ".join(f"d{n}: {v}" for n, v in zip(names, s)))
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got "
                           + " ".join(f"dilation{n}: {v}" for n, v in zip(names, d)))
    sh = tuple(x.shape)
    if not all(sh[len(sh) - k - 1:]):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_errors.shape_str(sh)}")
    if any(o < 1 for o in OS):
        c = sh[-k - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + sh[-k:]))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + OS))}). Output size is too small")


def _not_for_ints(x, name):
    if x._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{name}" not implemented for \'{_errors.scalar_name(x._data.dtype)}\'')


# ---------------------------------------------------------------- public: max pooling

def _max_pool_nd(k, op, input, kernel_size, stride, padding, dilation, ceil_mode):
    K, s, p, d = _nd_args(f"max_pool{k}d", k, kernel_size, stride, padding, dilation)
    if input.dim() not in (k + 1, k + 2):
        raise RuntimeError(f"non-empty {k + 1}D or {k + 2}D (batch mode) tensor expected for input")
    OS = _out_sizes(tuple(input.shape)[-k:], K, s, p, d, ceil_mode)
    _shape_check(input, K, s, d, OS, k)
    return op.fn(input, K, s, p, d, bool(ceil_mode))


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Same as `torch.nn.functional.max_pool2d_with_indices`: (values, indices)."""
    return _max_pool_nd(2, max_pool2d_op, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Same as `torch.nn.functional.max_pool3d_with_indices`: (values, indices)."""
    return _max_pool_nd(3, max_pool3d_op, input, kernel_size, stride, padding, dilation, ceil_mode)


def _one(v, name, what, sizes=" of size 1"):
    v = _seq(v)
    if len(v) != 1:
        raise RuntimeError(f"max_pool1d() {name} must be {what}{sizes} but got size {len(v)}")
    return v[0]


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Same as `torch.nn.functional.max_pool1d_with_indices`: a 2-d pool over input.unsqueeze(-2)."""
    if input.dim() not in (2, 3) or not all(tuple(input.shape)[1:] if input.dim() == 3 else input.shape):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_errors.shape_str(tuple(input.shape))}")
    kk = _one(kernel_size, "kernel_size", "an int, list of ints or tuple of ints")
    s = kk if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _one(stride, "stride", "None, an int, list of ints, or tuple of ints")
    p = _one(padding, "padding", "an int, list of ints, or tuple of ints")
    d = _one(dilation, "dilation", "an int, list of ints or tuple of ints")
    for v, n, cond, what in ((kk, "kernel_size", kk > 0, "greater than zero"), (s, "stride", s > 0, "greater than zero"),
                             (p, "padding", p >= 0, "non-negative"), (d, "dilation", d > 0, "greater than zero")):
        if not cond:
            raise RuntimeError(f"max_pool1d() {n} must be {what}, but got {v}")
    if p > kk // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={kk}")
    o = _out_size(input.shape[-1], kk, s, p, d, ceil_mode)
    if o <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")
    v, i = max_pool2d_op.fn(input.unsqueeze(-2), (1, kk), (1, s), (0, p), (1, d), bool(ceil_mode))
    return v.squeeze(-2), i.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Same as `torch.nn.functional.max_pool1d`."""
    out = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Same as `torch.nn.functional.max_pool2d`."""
    out = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Same as `torch.nn.functional.max_pool3d`."""
    out = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


# ---------------------------------------------------------------- public: average pooling

def _avg_pool_nd(k, op, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    K, s, p, _ = _nd_args(f"avg_pool{k}d", k, kernel_size, stride, padding, avg=True)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if k == 2 and input.dim() < 3:
        raise _errors.dim_out_of_range(-3, input.dim())
    if k == 3 and input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    S = tuple(input.shape)[-k:]
    OS = _out_sizes(S, K, s, p, (1,) * k, ceil_mode)
    if k == 3 and any(n < kk for n, kk in zip(S, K)):
        raise RuntimeError(f"input image (T: {S[0]} H: {S[1]} W: {S[2]}) smaller than kernel size "
                           f"(kT: {K[0]} kH: {K[1]} kW: {K[2]})")
    _shape_check(input, K, s, (1,) * k, OS, k)
    _not_for_ints(input, f"avg_pool{k}d")
    return op.fn(input, K, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Same as `torch.nn.functional.avg_pool1d`: a 2-d pool over input.unsqueeze(-2)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for avg_pool1d)")
    args = []
    for v, n in ((kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding")):
        if v is None or (not isinstance(v, int) and len(v) == 0 and n == "stride"):
            args.append(None)
            continue
        v = _seq(v)
        if len(v) != 1:
            raise RuntimeError(f"avg_pool1d() argument '{n}' should contain one int (got {len(v)})")
        args.append(v[0])
    kk, s, p = args
    s = kk if s is None else s
    out = _avg_pool_nd(2, avg_pool2d_op, input.unsqueeze(-2), (1, kk), (1, s), (0, p), ceil_mode,
                       count_include_pad, None)
    return out.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Same as `torch.nn.functional.avg_pool2d`."""
    return _avg_pool_nd(2, avg_pool2d_op, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Same as `torch.nn.functional.avg_pool3d`."""
    return _avg_pool_nd(3, avg_pool3d_op, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


# ---------------------------------------------------------------- public: adaptive pooling

def _adaptive_size(name, input, output_size, k=2):
    o = (output_size,) * k if isinstance(output_size, (int, np.integer)) or output_size is None else \
        tuple(output_size)
    if len(o) != k:
        raise RuntimeError(f"{name}: output_size must be {k}")
    return tuple(int(n) if v is None else int(v) for v, n in zip(o, tuple(input.shape)[-k:]))


def _adaptive_check(name, input, colon="", k=2):
    sh = tuple(input.shape)
    if len(sh) not in (k + 1, k + 2):
        raise RuntimeError(f"{name}(): Expected {k + 1}D or {k + 2}D tensor, but got{colon} {_errors.shape_str(sh)}")
    for i in range(len(sh) - k - 1, len(sh)):
        if sh[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {_errors.shape_str(sh)} with dimension {i} being empty")


def _adaptive_avg_nd(k, op, input, output_size):
    name = f"adaptive_avg_pool{k}d"
    o = _adaptive_size(name, input if input.dim() >= k else input.reshape((1,) * k), output_size, k)
    _adaptive_check(name, input, k=k)
    if any(v < 0 for v in o):
        shown = ", ".join(map(str, o[:2])) + ("," + ", ".join(map(str, o[2:])) if k == 3 else "")
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{shown}}}")
    _not_for_ints(input, name)
    if o == (1,) * k:
        return input.mean(tuple(range(-1, -k - 1, -1)), keepdim=True)
    return op.fn(input, o)


def adaptive_avg_pool2d(input, output_size):
    """Same as `torch.nn.functional.adaptive_avg_pool2d` (a 1x1 output is a mean, as in torch)."""
    return _adaptive_avg_nd(2, adaptive_avg_pool2d_op, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Same as `torch.nn.functional.adaptive_avg_pool3d` (a 1x1x1 output is a mean, as in torch)."""
    return _adaptive_avg_nd(3, adaptive_avg_pool3d_op, input, output_size)


def _one_arg(v, name, fn):
    v = _seq(v)
    if len(v) != 1:
        raise RuntimeError(f"{fn}() argument '{name}' should contain one int (got {len(v)})")
    return v[0]


def _check_1d(input, fn):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {fn})")


def adaptive_avg_pool1d(input, output_size):
    """Same as `torch.nn.functional.adaptive_avg_pool1d`: the 2-d pool over input.unsqueeze(-2)."""
    o = _one_arg(output_size, "output_size", "adaptive_avg_pool1d")
    _check_1d(input, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """Same as `torch.nn.functional.adaptive_max_pool2d_with_indices`."""
    if input.dim() < 2:
        raise ValueError("Input dimension should be at least 4")
    o = _adaptive_size("adaptive_max_pool2d", input, output_size)
    _adaptive_check("adaptive_max_pool2d", input, colon=":")
    if any(v < 0 for v in o):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(o)}: "
                           f"{_errors.shape_str(tuple(input.shape)[:-2] + o)}")
    _not_for_ints(input, "adaptive_max_pool2d")
    return adaptive_max_pool2d_op.fn(input, o)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Same as `torch.nn.functional.adaptive_max_pool2d`."""
    out = adaptive_max_pool2d_with_indices(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """Same as `torch.nn.functional.adaptive_max_pool1d_with_indices`."""
    o = _one_arg(output_size, "output_size", "adaptive_max_pool1d")
    _check_1d(input, "adaptive_max_pool1d")
    v, i = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, o))
    return v.squeeze(-2), i.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Same as `torch.nn.functional.adaptive_max_pool1d`."""
    out = adaptive_max_pool1d_with_indices(input, output_size)
    return out if return_indices else out[0]


# ---------------------------------------------------------------- public: Lp pooling, unpooling

def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Same as `torch.nn.functional.lp_pool2d` (built as torch builds it, from avg_pool2d)."""
    kw, kh = tup(kernel_size, 2)
    if stride is not None:
        out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Same as `torch.nn.functional.lp_pool1d` (built as torch builds it, from avg_pool1d)."""
    if stride is not None:
        out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool1d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


def _unpool_size(input, kernel_size, stride, padding, output_size, k):
    K = tup(kernel_size, k)
    s = K if stride is None else tup(stride, k)
    p = tup(padding, k)
    S = tuple(input.shape)[-k:]
    default = tuple((n - 1) * si - 2 * pi + kk for n, si, pi, kk in zip(S, s, p, K))
    if output_size is None:
        return default
    if len(output_size) == k + 2:
        output_size = output_size[2:]
    o = tuple(int(v) for v in output_size)
    if len(o) != k:
        raise ValueError(f"output_size should be a sequence containing {k} or {k + 2} elements, but it has a "
                         f"length of '{len(o)}'")
    for i, (v, dv, si) in enumerate(zip(o, default, s)):
        lo, hi = dv - si, dv + si
        if not lo < v < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between {lo} and {hi})')
    return o


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Same as `torch.nn.functional.max_unpool2d`."""
    o = _unpool_size(input, kernel_size, stride, padding, output_size, 2)
    _check_unpool(input, indices, o)
    return max_unpool2d_op.fn(input, indices._data, o)


def _check_unpool(input, indices, o):
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor "
                           f"({_errors.shape_str(tuple(input.shape))}) but got indices tensor with shape: "
                           f"{_errors.shape_str(tuple(indices.shape))}")
    i = indices._data.reshape(-1)
    bad = np.flatnonzero((i < 0) | (i >= prod(o)))
    if bad.size:
        raise RuntimeError(f"Found an invalid max index: {int(i[bad[0]])} (output volumes are of size "
                           f"{'x'.join(map(str, o))})")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Same as `torch.nn.functional.max_unpool1d`: the 2-d unpool of input.unsqueeze(-1)."""
    o = _unpool_size(input, kernel_size, stride, padding, output_size, 1)
    _check_unpool(input, indices, o)
    out = max_unpool2d_op.fn(input.unsqueeze(-1), indices._data[..., None], o + (1,))
    return out.squeeze(-1)


# ---------------------------------------------------------------- torch's top-level names

@export(name="max_pool1d", method=False)
def _torch_max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as `torch.max_pool1d`."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


@export(name="max_pool1d_with_indices", method=False)
def _torch_max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as `torch.max_pool1d_with_indices`."""
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


@export(name="max_pool2d", method=False)
def _torch_max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as `torch.max_pool2d`."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


@export(name="max_pool3d", method=False)
def _torch_max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Same as `torch.max_pool3d`."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


@export(name="adaptive_max_pool1d", method=False)
def _torch_adaptive_max_pool1d(input, output_size):
    """Same as `torch.adaptive_max_pool1d`: (values, indices)."""
    return adaptive_max_pool1d_with_indices(input, output_size)


export(avg_pool1d, method=False)
export(adaptive_avg_pool1d, method=False)
