"""Padding (constant, reflect, replicate, circular), interpolation (nearest, nearest-exact,
linear, bilinear, bicubic, trilinear, area) and pixel (un)shuffle.

Every op here is linear in its input; its backward is a registered op whose backward is
the forward again, so any order of derivative is exact. Non-constant padding and
interpolation are separable: per spatial dim, the output gathers input indices
(`np.take`) with weights, and the adjoint sums the gathered gradients back
(ops/window.py: `add_sorted` for monotone indices, `add_taken` for padding).
"""
import math

import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from .window import add_sorted, add_taken
from ..tensor import Tensor

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle"]


# ---------------------------------------------------------------- constant padding

def _constant_pad_array(x, pad, value):
    k = len(pad) // 2
    nd = x.ndim
    shape, dst, src = list(x.shape), [slice(None)] * nd, [slice(None)] * nd
    for j in range(k):
        d = nd - 1 - j
        lo, hi, n = pad[2 * j], pad[2 * j + 1], x.shape[d]
        shape[d] = n + lo + hi
        keep = n - max(-lo, 0) - max(-hi, 0)
        src[d] = slice(max(-lo, 0), max(-lo, 0) + max(keep, 0))
        dst[d] = slice(max(lo, 0), max(lo, 0) + max(keep, 0))
    out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return out


def _constant_pad(x, pad, value=0):
    if isinstance(x, Tensor):
        return constant_pad_nd_op.fn(x, tuple(pad), value)
    return _constant_pad_array(x, pad, value)


constant_pad_nd_op = defop(
    "constant_pad_nd", node="ConstantPadNdBackward0", complex="same", export=False,
    forward=lambda xp, self, pad=(), value=0: _constant_pad_array(self, pad, value),
    self=lambda grad, pad: _constant_pad(grad, tuple(-p for p in pad), 0),
    jvp=lambda self_t, pad: _constant_pad(self_t, pad, 0))


@export(method=False)
def constant_pad_nd(input, pad, value=0):
    """Same as `torch.constant_pad_nd`."""
    pad = tuple(int(p) for p in pad)
    for j in range(len(pad) // 2):
        n = input.shape[input.dim() - 1 - j]
        if n + pad[2 * j] + pad[2 * j + 1] < 0 or n - max(-pad[2 * j], 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return constant_pad_nd_op.fn(input, pad, value)


# ---------------------------------------------------------------- reflect / replicate / circular

def _pad_index(n, lo, hi, mode):
    """Per output position of one padded dim, the input index it copies."""
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i > n - 1, 2 * (n - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:                           # torch crops (negative pads) first, then wraps the rest
        c0, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
        i = c0 + (np.arange(-max(lo, 0), m + max(hi, 0)) % max(m, 1))
    return i


def _index_pad_array(x, padding, mode):
    for j in range(len(padding) // 2):
        d = x.ndim - 1 - j
        x = np.take(x, _pad_index(x.shape[d], padding[2 * j], padding[2 * j + 1], mode), axis=d)
    return x


def _index_pad_back_array(g, padding, self_sizes, mode):
    k = len(padding) // 2
    for j in reversed(range(k)):
        d = g.ndim - 1 - j
        n, lo, hi = self_sizes[len(self_sizes) - 1 - j], padding[2 * j], padding[2 * j + 1]
        center = (max(lo, 0), max(-lo, 0), n - max(-lo, 0) - max(-hi, 0))
        g = add_taken(g, _pad_index(n, lo, hi, mode), d, n, center)
    return g


_PAD_NODES = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}


def _index_pad_ops(mode, k):
    node = f"{_PAD_NODES[mode]}{k}D" if mode in _PAD_NODES else None

    def fwd_fn(x, padding):
        if isinstance(x, Tensor):
            return fwd.fn(x, tuple(padding))
        return _index_pad_array(x, padding, mode)

    def bwd_fn(g, padding, sizes):
        if isinstance(g, Tensor):
            return bwd.fn(g, tuple(padding), tuple(sizes))
        return _index_pad_back_array(g, padding, sizes, mode)

    name = f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d" if node else "_pad_circular"
    # torch builds circular padding from slice copies; its outermost node is CopySlices
    fwd = defop(name, node=f"{node}Backward0" if node else "CopySlices", complex="same", export=False, jvp=LINEAR,
                forward=lambda xp, self, padding=(): _index_pad_array(self, padding, mode),
                self=lambda grad, self, padding: bwd_fn(grad, padding, tuple(self.shape)[-(len(padding) // 2):]))
    if not node:                # torch's CopySlices is a C++ node: name() gives its qualified name
        fwd.node_cls.name = lambda node: "torch::autograd::CopySlices"
    bwd = defop(name + "_backward", node=f"{node}BackwardBackward0" if node else "SliceBackwardBackward0",
                complex="same", export=False, jvp=LINEAR,
                forward=lambda xp, grad_output, padding=(), self_sizes=():
                    _index_pad_back_array(grad_output, padding, self_sizes, mode),
                grad_output=lambda grad, padding: fwd_fn(grad, padding))
    return fwd, bwd


_INDEX_PADS = {(m, k): _index_pad_ops(m, k) for m in ("reflect", "replicate") for k in (1, 2, 3)}
_INDEX_PADS["circular"] = _index_pad_ops("circular", 0)


def _index_pad(input, pad, mode):
    k = len(pad) // 2
    sh = tuple(input.shape)
    nd = len(sh)
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D "
            "input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last "
            "3 dimensions)")
    if mode != "circular" and not all(sh[nd - k - 1:]):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {_errors.shape_str(sh)}")
    names = ("D", "H", "W")[3 - k:]
    for j in range(k):
        d = nd - 1 - j
        lo, hi, n = pad[2 * j], pad[2 * j + 1], sh[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                               f"{_errors.shape_str(sh)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode != "circular":
        outs = [sh[nd - k + i] + pad[2 * (k - 1 - i)] + pad[2 * (k - 1 - i) + 1] for i in range(k)]
        if any(o < 1 for o in outs):
            ins = ", ".join(f"{n}: {s}" for n, s in zip(names, sh[nd - k:]))
            ous = ", ".join(f"{n}: {s}" for n, s in zip(names, outs))
            raise RuntimeError(f"input ({ins}) is too small. Calculated output {ous}")
    op = _INDEX_PADS["circular"][0] if mode == "circular" else _INDEX_PADS[(mode, k)][0]
    return op.fn(input, pad)


def pad(input, pad, mode="constant", value=None):
    """Same as `torch.nn.functional.pad` (`pad` lists the last dim first: (left, right, top, bottom, ...))."""
    for i, p in enumerate(pad):
        if not isinstance(p, (int, np.integer)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                            f"{type(p).__name__} at pos {i}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    return _index_pad(input, pad, mode)


# ---------------------------------------------------------------- interpolation

def _scale(n, o, align_corners, scale, dtype):
    """torch's area_pixel_compute_scale (in the op's math type)."""
    if align_corners:
        return dtype.type((n - 1) / (o - 1)) if o > 1 else dtype.type(0)
    if scale is not None and scale > 0:
        return dtype.type(1.0 / scale)
    return dtype.type(n) / dtype.type(o)


def _taps(mode, n, o, align_corners, scale, dtype):
    """One dim's interpolation as taps: a list of (input index per output, weight per output or None)."""
    dst = np.arange(o)
    if mode in ("nearest", "nearest-exact"):
        if o == n:
            return [(dst, None)]
        if o == 2 * n and mode == "nearest":
            return [(dst >> 1, None)]
        s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n) / np.float32(o)
        src = dst.astype(np.float32) * s if mode == "nearest" else ((dst + 0.5) * s).astype(np.float32)
        return [(np.minimum(np.floor(src).astype(np.int64), n - 1), None)]
    if o == n and mode != "cubic":
        return [(dst, np.ones(o, dtype)), (dst, np.zeros(o, dtype))]
    cubic = mode == "cubic"
    s = _scale(n, o, align_corners, scale, dtype)
    d = dst.astype(dtype)
    src = s * d if align_corners else s * (d + dtype.type(0.5)) - dtype.type(0.5)
    if not cubic and not align_corners:
        src = np.maximum(src, dtype.type(0))
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n - 1)
    lam = np.clip(src - i0.astype(dtype), dtype.type(0), dtype.type(1)).astype(dtype)
    if not cubic:
        return [(i0, (dtype.type(1) - lam).astype(dtype)), (i0 + (i0 < n - 1), lam)]
    A = dtype.type(-0.75)
    c1 = lambda x: ((A + 2) * x - (A + 3)) * x * x + 1
    c2 = lambda x: ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    one = dtype.type(1)
    ws = [c2(lam + one), c1(lam), c1(one - lam), c2(one - lam + one)]
    return [(np.clip(i0 - 1 + t, 0, n - 1), ws[t].astype(dtype)) for t in range(4)]


def _interp_array(x, mode, output_size, align_corners, scales):
    k = len(output_size)
    for j in reversed(range(k)):               # innermost dim first, as torch's kernel nests them
        d = x.ndim - k + j
        acc = None
        for idx, w in _taps(mode, x.shape[d], output_size[j], align_corners, scales[j], x.dtype):
            t = np.take(x, idx, axis=d)
            if w is not None:
                t = t * w.reshape((-1,) + (1,) * (k - 1 - j))
            acc = t if acc is None else acc + t
        x = acc
    return x


def _interp_back_array(g, mode, input_size, output_size, align_corners, scales):
    k = len(output_size)
    for j in range(k):
        d = g.ndim - k + j
        acc = None
        for idx, w in _taps(mode, input_size[j], output_size[j], align_corners, scales[j], g.dtype):
            t = g if w is None else g * w.reshape((-1,) + (1,) * (k - 1 - j))
            t = add_sorted(t, idx, d, input_size[j])
            acc = t if acc is None else acc + t
        g = acc
    return g


_MODES = {"nearest": ("nearest", "Nearest", (1, 2, 3)), "nearest-exact": ("nearest-exact", "NearestExact", (1, 2, 3)),
          "linear": ("linear", "Linear", (1,)), "bilinear": ("linear", "Bilinear", (2,)),
          "bicubic": ("cubic", "Bicubic", (2,)), "trilinear": ("linear", "Trilinear", (3,))}


def _interp_ops(mode, title, k):
    def fwd_fn(x, output_size, align_corners, scales):
        if isinstance(x, Tensor):
            return fwd.fn(x, tuple(output_size), align_corners, scales)
        return _interp_array(x, mode, output_size, align_corners, scales)

    def bwd_fn(g, input_size, output_size, align_corners, scales):
        if isinstance(g, Tensor):
            return bwd.fn(g, tuple(input_size), tuple(output_size), align_corners, scales)
        return _interp_back_array(g, mode, input_size, output_size, align_corners, scales)

    name = f"upsample_{title.lower()}{k}d" if title != "NearestExact" else f"_upsample_nearest_exact{k}d"
    fwd = defop(name, node=f"Upsample{title}{k}DBackward0", export=False, jvp=LINEAR,
                forward=lambda xp, self, output_size=(), align_corners=False, scales=():
                    _interp_array(self, mode, output_size, align_corners, scales),
                self=lambda grad, self_sym_sizes, output_size, align_corners, scales:
                    bwd_fn(grad, tuple(self_sym_sizes)[-k:], output_size, align_corners, scales))
    bwd = defop(name + "_backward", node=f"Upsample{title}{k}DBackwardBackward0", export=False, jvp=LINEAR,
                forward=lambda xp, grad_output, input_size=(), output_size=(), align_corners=False, scales=():
                    _interp_back_array(grad_output, mode, input_size, output_size, align_corners, scales),
                grad_output=lambda grad, output_size, align_corners, scales:
                    fwd_fn(grad, output_size, align_corners, scales))
    return fwd


_INTERP = {(m, k): _interp_ops(kind, title, k) for m, (kind, title, ks) in _MODES.items() for k in ks}


def _is_int(v):
    return isinstance(v, (int, np.integer))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Same as `torch.nn.functional.interpolate` (antialias is not supported)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear "
                             "| bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                                 "format.")
            if not all(_is_int(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(v) for v in size]}")
            output_size = [int(v) for v in size]
        else:
            if not _is_int(size):
                raise TypeError(f"upsample_{mode}{dim}d(): argument 'output_size' must be tuple of ints, not "
                                f"{type(size).__name__}")
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [math.floor(n * s) for n, s in zip(spatial, scales)]
        scales = None
    if antialias:
        raise NotImplementedError("retrograd: interpolate(antialias=True) is not supported")
    if mode == "area" and 1 <= dim <= 3:
        from . import pool
        return getattr(pool, f"adaptive_avg_pool{dim}d")(input, output_size)
    key = (mode, dim)
    if key not in _INTERP:
        wrong = {("bilinear", 1): "3D input, but bilinear mode needs 4D", ("trilinear", 1): "3D input, but trilinear "
                 "mode needs 5D", ("linear", 2): "4D input, but linear mode needs 3D", ("trilinear", 2): "4D input, "
                 "but trilinear mode needs 5D", ("linear", 3): "5D input, but linear mode needs 3D",
                 ("bilinear", 3): "5D input, but bilinear mode needs 4D"}.get(key)
        if wrong:
            raise NotImplementedError(f"Got {wrong} input")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: nearest | "
            f"linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})")
    if output_size is None:
        output_size = [int(n * s) for n, s in zip(spatial, scales)]
    names = ("D", "H", "W")[3 - dim:]
    if any(n <= 0 for n in spatial) or any(o <= 0 for o in output_size):
        ins = ", ".join(f"{a}: {b}" for a, b in zip(names, spatial))
        ous = ", ".join(f"{a}: {b}" for a, b in zip(names, output_size))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}) "
                           f"{'and ' if dim == 1 else ''}output ({ous})")
    if input._data.dtype.kind not in "fc":
        kind = {"nearest": "nearest", "nearest-exact": "nearest", "linear": "linear", "bilinear": "bilinear",
                "bicubic": "bicubic", "trilinear": "trilinear"}[mode]
        raise NotImplementedError(f'"upsample_{kind}{dim}d_channels_last" not implemented for '
                                  f"'{_errors.scalar_name(input._data.dtype)}'")
    scales = tuple(scales) if scales is not None else (None,) * dim
    return _INTERP[key].fn(input, tuple(output_size), bool(align_corners), scales)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Same as `torch.nn.functional.upsample` (deprecated there too)."""
    import warnings
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Same as `torch.nn.functional.upsample_nearest`."""
    import warnings
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Same as `torch.nn.functional.upsample_bilinear`."""
    import warnings
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- pixel (un)shuffle

def _shuffle_array(x, r):
    c, h, w = x.shape[-3:]
    y = x.reshape(x.shape[:-3] + (c // (r * r), r, r, h, w))
    n = y.ndim
    y = y.transpose(tuple(range(n - 5)) + (n - 5, n - 2, n - 4, n - 1, n - 3))
    return y.reshape(x.shape[:-3] + (c // (r * r), h * r, w * r))


def _unshuffle_array(x, r):
    c, h, w = x.shape[-3:]
    y = x.reshape(x.shape[:-3] + (c, h // r, r, w // r, r))
    n = y.ndim
    y = y.transpose(tuple(range(n - 5)) + (n - 5, n - 3, n - 1, n - 4, n - 2))
    return y.reshape(x.shape[:-3] + (c * r * r, h // r, w // r))


pixel_shuffle_op = defop(
    "pixel_shuffle", node="PixelShuffleBackward0", complex="same", export=False, jvp=LINEAR,
    forward=lambda xp, self, upscale_factor=1: _shuffle_array(self, upscale_factor),
    self=lambda grad, upscale_factor: (pixel_unshuffle_op.fn(grad, upscale_factor) if isinstance(grad, Tensor)
                                       else _unshuffle_array(grad, upscale_factor)))

pixel_unshuffle_op = defop(
    "pixel_unshuffle", node="PixelUnshuffleBackward0", complex="same", export=False, jvp=LINEAR,
    forward=lambda xp, self, downscale_factor=1: _unshuffle_array(self, downscale_factor),
    self=lambda grad, downscale_factor: (pixel_shuffle_op.fn(grad, downscale_factor) if isinstance(grad, Tensor)
                                         else _shuffle_array(grad, downscale_factor)))


@export(method=False)
def pixel_shuffle(input, upscale_factor):
    """Same as `torch.nn.functional.pixel_shuffle`."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return pixel_shuffle_op.fn(input, r)


@export(method=False)
def pixel_unshuffle(input, downscale_factor):
    """Same as `torch.nn.functional.pixel_unshuffle`."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={h}"
                           f" is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={w} "
                           f"is not divisible by {r}")
    return pixel_unshuffle_op.fn(input, r)
