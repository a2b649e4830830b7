"""Convolution (1-3 spatial dims, strided, padded, dilated, grouped, transposed) and
unfold/fold (im2col/col2im); pooling lives in ops/pool.py, padding and resampling in
ops/resample.py. This module's `__all__` is the functional API `nn.functional` re-exports.

# Note [Convolution as three bilinear ops]
A convolution y = F(x, w) is bilinear, and so are its two adjoints:
  Bx(g, w) = dL/dx  (a transposed convolution: matmul, then col2im)
  Bw(x, g) = dL/dw  (a correlation of x with g: im2col, then one matmul)
The VJPs of each of the three are again the other two (F's are Bx and Bw, Bx's are F and
Bw, Bw's are Bx and F), so backward formulas written with them are differentiable to any
order. `convolution` (torch's ConvolutionBackward0) runs F, or Bx when transposed; its
formulas and those of the three internal ops (ConvolutionBackwardBackward0, torch's name for
the nodes of a convolution's gradient) call each other. A `geo` tuple fixes the shapes on
both sides: (S, OS, K, stride, padding, dilation, groups), S the spatial size of the image
side x, OS of the output side y, K of the kernel.
"""
import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from .window import tup, pad_spatial, windows, window_slice, col2im, crop, prod
from ..tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "unfold", "fold"]


# ---------------------------------------------------------------- arrays

def _cols(x, geo):
    """im2col: x (N, C, *S) -> (G, C/G * prod(K), N * prod(OS)), one copy of a strided view.
    Channels lead so that each group's product with the weights is one 2-d BLAS matmul."""
    S, OS, K, stride, padding, dilation, G = geo
    k = len(K)
    N, C = x.shape[:2]
    win = windows(pad_spatial(x, padding, padding), K, OS, stride, dilation)     # (N, C, *OS, *K)
    win = win.reshape((N, G, C // G) + tuple(OS) + tuple(K))
    perm = (1, 2) + tuple(range(3 + k, 3 + 2 * k)) + (0,) + tuple(range(3, 3 + k))
    return win.transpose(perm).reshape(G, C // G * prod(K), N * prod(OS))


def _by_channel(g):
    """(N, O, *OS) -> (O, N * prod(OS)), the layout of _cols' columns."""
    return g.swapaxes(0, 1).reshape(g.shape[1], -1)


def _batch_first(y):
    """(O, N, *spatial) -> a contiguous (N, O, *spatial)."""
    return np.ascontiguousarray(y.swapaxes(0, 1))


def _fwd_array(x, w, geo):
    """F: the convolution (N, C, *S) x (O, C/G, *K) -> (N, O, *OS)."""
    OS, G = geo[1], geo[6]
    N, O = x.shape[0], w.shape[0]
    cols = _cols(x, geo)
    wm = w.reshape(G, O // G, cols.shape[1])
    out = np.empty((O, cols.shape[2]), np.result_type(x.dtype, w.dtype))
    for i in range(G):
        np.matmul(wm[i], cols[i], out=out[i * (O // G):(i + 1) * (O // G)])
    return _batch_first(out.reshape((O, N) + tuple(OS)))


def _bx_array(g, w, geo):
    """Bx: the adjoint of F in x (a transposed convolution): (N, O, *OS) -> (N, C, *S):
    one matmul per group, then col2im, one slice-add per kernel offset."""
    S, OS, K, stride, padding, dilation, G = geo
    N, O = g.shape[:2]
    Og, Cg = O // G, w.shape[1]
    gm = _by_channel(g)
    wm = w.reshape(G, Og, Cg * prod(K))
    cols = np.empty((G, Cg * prod(K), gm.shape[1]), np.result_type(g.dtype, w.dtype))
    for i in range(G):
        np.matmul(wm[i].T, gm[i * Og:(i + 1) * Og], out=cols[i])
    cols = cols.reshape((G * Cg,) + tuple(K) + (N,) + tuple(OS))
    Sp = tuple(s + 2 * p for s, p in zip(S, padding))
    out = np.zeros((G * Cg, N) + Sp, cols.dtype)
    for j in np.ndindex(*K):
        out[window_slice(j, OS, stride, dilation)] += cols[(slice(None),) + j]
    return _batch_first(crop(out, padding, S))


def _bw_array(x, g, geo):
    """Bw: the adjoint of F in w: (N, C, *S), (N, O, *OS) -> (O, C/G, *K)."""
    S, OS, K, stride, padding, dilation, G = geo
    C, O = x.shape[1], g.shape[1]
    Og = O // G
    cols = _cols(x, geo)
    gm = _by_channel(g)
    out = np.empty((O, cols.shape[1]), np.result_type(x.dtype, g.dtype))
    for i in range(G):
        np.matmul(gm[i * Og:(i + 1) * Og], cols[i].T, out=out[i * Og:(i + 1) * Og])
    return out.reshape((O, C // G) + tuple(K))


def _geo(in_shape, w_shape, stride, padding, dilation, transposed, output_padding, groups):
    K = tuple(w_shape[2:])
    if transposed:
        OS = tuple(in_shape[2:])
        S = tuple((o - 1) * s - 2 * p + d * (kk - 1) + 1 + op for o, s, p, d, kk, op
                  in zip(OS, stride, padding, dilation, K, output_padding))
    else:
        S = tuple(in_shape[2:])
        OS = tuple((n + 2 * p - d * (kk - 1) - 1) // s + 1 for n, s, p, d, kk
                   in zip(S, stride, padding, dilation, K))
    return S, OS, K, tuple(stride), tuple(padding), tuple(dilation), groups


def _convolution_array(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    geo = _geo(input.shape, weight.shape, stride, padding, dilation, transposed, output_padding, groups)
    out = _bx_array(input, weight, geo) if transposed else _fwd_array(input, weight, geo)
    if bias is not None:
        out += bias.reshape((1, -1) + (1,) * (out.ndim - 2))
    return out


# ---------------------------------------------------------------- ops
# See Note [Convolution as three bilinear ops]. Each helper runs the array function on the
# fast path and the registered op on Tensors (create_graph, forward AD).

def _fwd(x, w, geo):
    if isinstance(x, Tensor) or isinstance(w, Tensor):
        return conv_forward_op.fn(x, w, geo)
    return _fwd_array(x, w, geo)


def _bx(g, w, geo):
    if isinstance(g, Tensor) or isinstance(w, Tensor):
        return conv_input_grad_op.fn(g, w, geo)
    return _bx_array(g, w, geo)


def _bw(x, g, geo):
    if isinstance(x, Tensor) or isinstance(g, Tensor):
        return conv_weight_grad_op.fn(x, g, geo)
    return _bw_array(x, g, geo)


conv_forward_op = defop(
    "_conv_forward", node="ConvolutionBackwardBackward0", complex="conj", export=False,
    forward=lambda xp, input, weight, geo=(): _fwd_array(input, weight, geo),
    input=lambda grad, weight, geo: _bx(grad, weight, geo),
    weight=lambda grad, input, geo: _bw(input, grad, geo),
    jvp=lambda input_t, weight_t, input, weight, geo: _fwd(input_t, weight, geo) + _fwd(input, weight_t, geo))

conv_input_grad_op = defop(
    "_conv_input_grad", node="ConvolutionBackwardBackward0", complex="conj", export=False,
    forward=lambda xp, grad_output, weight, geo=(): _bx_array(grad_output, weight, geo),
    grad_output=lambda grad, weight, geo: _fwd(grad, weight, geo),
    weight=lambda grad, grad_output, geo: _bw(grad, grad_output, geo),
    jvp=lambda grad_output_t, weight_t, grad_output, weight, geo:
        _bx(grad_output_t, weight, geo) + _bx(grad_output, weight_t, geo))

conv_weight_grad_op = defop(
    "_conv_weight_grad", node="ConvolutionBackwardBackward0", complex="conj", export=False,
    forward=lambda xp, input, grad_output, geo=(): _bw_array(input, grad_output, geo),
    input=lambda grad, grad_output, geo: _bx(grad_output, grad, geo),
    grad_output=lambda grad, input, geo: _fwd(input, grad, geo),
    jvp=lambda input_t, grad_output_t, input, grad_output, geo:
        _bw(input_t, grad_output, geo) + _bw(input, grad_output_t, geo))


def _conv_geo(input, weight, stride, padding, dilation, transposed, output_padding, groups):
    return _geo(tuple(input.shape), tuple(weight.shape), stride, padding, dilation, transposed,
                output_padding, groups)


def _conv_input_formula(grad, input, weight, stride, padding, dilation, transposed, output_padding, groups):
    geo = _conv_geo(input, weight, stride, padding, dilation, transposed, output_padding, groups)
    return _fwd(grad, weight, geo) if transposed else _bx(grad, weight, geo)


def _conv_weight_formula(grad, input, weight, stride, padding, dilation, transposed, output_padding, groups):
    geo = _conv_geo(input, weight, stride, padding, dilation, transposed, output_padding, groups)
    return _bw(grad, input, geo) if transposed else _bw(input, grad, geo)


def _bias_grad(grad):
    return np.sum(grad, axis=(0,) + tuple(range(2, grad.ndim)))


def _conv_jvp(input_t, weight_t, bias_t, input, weight, stride, padding, dilation, transposed,
              output_padding, groups):
    geo = _conv_geo(input, weight, stride, padding, dilation, transposed, output_padding, groups)
    if transposed:
        out = _bx(input_t, weight, geo) + _bx(input, weight_t, geo)
    else:
        out = _fwd(input_t, weight, geo) + _fwd(input, weight_t, geo)
    if bias_t is not None:
        out = out + bias_t.reshape((1, -1) + (1,) * (out.ndim - 2))
    return out


convolution_op = defop(
    "convolution", node="ConvolutionBackward0", complex="conj", export=False,
    forward=lambda xp, input, weight, bias, stride=(1,), padding=(0,), dilation=(1,), transposed=False,
    output_padding=(0,), groups=1: _convolution_array(input, weight, bias, stride, padding, dilation,
                                                      transposed, output_padding, groups),
    input=_conv_input_formula, weight=_conv_weight_formula, bias=_bias_grad, jvp=_conv_jvp)


# ---------------------------------------------------------------- checks (torch's order and words)

def _expand(v, name, k):
    v = [int(v)] if isinstance(v, (int, np.integer)) else [int(a) for a in v]
    if len(v) == 1:
        return (v[0],) * k
    if len(v) != k:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {k} values to match "
                           f"the convolution dimensions, but got {name}={v}")
    return tuple(v)


def _sizes(t):
    return _errors.shape_str(tuple(t.shape))


def _check_conv(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    k = weight.dim() - 2
    if k <= 0:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    stride = _expand(stride, "stride", k)
    padding = _expand(padding, "padding", k)
    dilation = _expand(dilation, "dilation", k)
    output_padding = _expand(output_padding, "output_padding", k)
    ws = tuple(weight.shape)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    # float32 runs torch's oneDNN path, other dtypes its native one: their words differ
    onednn = input._data.dtype == np.float32
    if any(d <= 0 for d in dilation):
        if onednn:
            raise RuntimeError("non-positive dilation is not supported")
        if transposed:
            names = ("depth", "height", "width")[3 - max(k, 2):]
            raise RuntimeError("dilation should be greater than zero, but got " + ", ".join(
                f"dilation_{n}: {v}" for n, v in zip(names, ((1,) + dilation) if k == 1 else dilation)))
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if not transposed and bias is not None and bias._data.dtype != input._data.dtype:
        _bias_type_error(input, bias)
    if input.dim() != weight.dim():
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-dimensional weight "
                           f"{_errors.shape_str(ws)}, but got {input.dim()}-dimensional input of size "
                           f"{_sizes(input)} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
                           f"but got weight of size {_errors.shape_str(ws)} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{_errors.shape_str(ws)}] instead")
    C = input.shape[1]
    if not transposed:
        if C != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_errors.shape_str(ws)}, expected input"
                               f"{_sizes(input)} to have {ws[1] * groups} channels, but got {C} channels instead")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[0]):
            raise RuntimeError(f"Given weight of size {_errors.shape_str(ws)}, expected bias to be 1-dimensional "
                               f"with {ws[0]} elements, but got bias of size {_sizes(bias)} instead")
        padded = [n + 2 * p for n, p in zip(input.shape[2:], padding)]
        kern = [d * (kk - 1) + 1 for d, kk in zip(dilation, ws[2:])]
        if any(a < b for a, b in zip(padded, kern)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                               f"Kernel size: ({' x '.join(map(str, kern))}). Kernel size can't be greater "
                               "than actual input size")
    else:
        if C != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_errors.shape_str(ws)}, expected input"
                               f"{_sizes(input)} to have {ws[0]} channels, but got {C} channels instead")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {_errors.shape_str(ws)}, expected bias to be "
                               f"1-dimensional with {ws[1] * groups} elements, but got bias of size "
                               f"{_sizes(bias)} instead")
        if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
            names = ("depth", "height", "width")[3 - max(k, 2):]
            pad1 = (lambda v: (0,) + v) if k == 1 else (lambda v: v)
            one = (lambda v: (1,) + v) if k == 1 else (lambda v: v)
            parts = ([f"output_padding_{n}: {v}" for n, v in zip(names, pad1(output_padding))]
                     + [f"stride_{n}: {v}" for n, v in zip(names, one(stride))]
                     + [f"dilation_{n}: {v}" for n, v in zip(names, one(dilation))])
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               + " ".join(parts))
        S = _geo(tuple(input.shape), ws, stride, padding, dilation, True, output_padding, groups)[0]
        if any(s <= 0 for s in S):
            if onednn:
                raise RuntimeError("could not construct a memory descriptor using a format tag")
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, input.shape[2:]))}). "
                               f"Calculated output size per channel: ({' x '.join(map(str, S))}). Output size "
                               "is too small")
    dt, wt = input._data.dtype, weight._data.dtype
    if dt != wt:
        if dt == np.float32:
            raise RuntimeError(f"Input type ({_errors.type_name(dt)}) and weight type ({_errors.type_name(wt)}) "
                               "should be the same or input should be a MKLDNN tensor and weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {_errors.scalar_name(dt)} but found {_errors.scalar_name(wt)}")
    if bias is not None and bias._data.dtype != dt:
        _bias_type_error(input, bias)
    return stride, padding, dilation, output_padding


def _bias_type_error(input, bias):
    c = lambda dt: {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(dt.name, dt.name)
    raise RuntimeError(f"Input type ({c(input._data.dtype)}) and bias type ({c(bias._data.dtype)}) should be the same")


def _run_conv(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    stride, padding, dilation, output_padding = _check_conv(
        input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
    return convolution_op.fn(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)


def _same_padding(input, weight, dilation, k):
    """torch's padding='same': symmetric where it can; an odd total pads the input's far side first."""
    dilation = _expand(dilation, "dilation", k)
    total = [d * (kk - 1) for d, kk in zip(dilation, weight.shape[2:])]
    left = [t // 2 for t in total]
    extra = [t - 2 * lf for t, lf in zip(total, left)]
    if any(extra):
        from .resample import pad as _pad
        pads = []
        for e in reversed(extra):
            pads += [0, e]
        input = _pad(input, pads)
    return input, left


def _conv_nd(name, k, input, weight, bias, stride, padding, dilation, groups,
             transposed=False, output_padding=0):
    nd = input.dim()
    if nd not in (k + 1, k + 2):
        raise RuntimeError(f"Expected {k + 1}D (unbatched) or {k + 2}D (batched) input to {name}, but got input "
                           f"of size: {_sizes(input)}")
    batched = nd == k + 2
    if not batched:
        input = input.unsqueeze(0)
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if any(s != 1 for s in tup(stride, k)):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            input, padding = _same_padding(input, weight, dilation, k)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    out = _run_conv(input, weight, bias, tup(stride, k) if not isinstance(stride, (tuple, list)) else stride,
                    tup(padding, k) if not isinstance(padding, (tuple, list)) else padding,
                    tup(dilation, k) if not isinstance(dilation, (tuple, list)) else dilation,
                    transposed, tup(output_padding, k) if not isinstance(output_padding, (tuple, list))
                    else output_padding, groups)
    return out if batched else out.squeeze(0)


# ---------------------------------------------------------------- public: convolution

@export(method=False)
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """Same as `torch.convolution`."""
    return _run_conv(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)


@export(method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Same as `torch.nn.functional.conv1d`."""
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@export(method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Same as `torch.nn.functional.conv2d`."""
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@export(method=False)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Same as `torch.nn.functional.conv3d`."""
    return _conv_nd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


@export(method=False)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Same as `torch.nn.functional.conv_transpose1d`."""
    return _conv_nd("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation, groups, True,
                    output_padding)


@export(method=False)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Same as `torch.nn.functional.conv_transpose2d`."""
    return _conv_nd("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation, groups, True,
                    output_padding)


@export(method=False)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Same as `torch.nn.functional.conv_transpose3d`."""
    return _conv_nd("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation, groups, True,
                    output_padding)


# ---------------------------------------------------------------- unfold / fold (im2col / col2im)

def _im2col_array(x, kernel_size, dilation, padding, stride):
    """(..., C, H, W) -> (..., C*kh*kw, L): every window as a column."""
    S = x.shape[-2:]
    OS = tuple((n + 2 * p - d * (kk - 1) - 1) // s + 1
               for n, p, d, kk, s in zip(S, padding, dilation, kernel_size, stride))
    win = windows(pad_spatial(x, padding, padding), kernel_size, OS, stride, dilation)    # (..., C, *OS, *K)
    lead = x.ndim - 2
    perm = tuple(range(lead)) + (lead + 2, lead + 3, lead, lead + 1)
    return win.transpose(perm).reshape(x.shape[:-3] + (x.shape[-3] * prod(kernel_size), prod(OS)))


def _col2im_array(cols, output_size, kernel_size, dilation, padding, stride):
    """The adjoint of im2col: (..., C*kh*kw, L) -> (..., C, H, W), overlapping windows summed."""
    OS = tuple((n + 2 * p - d * (kk - 1) - 1) // s + 1
               for n, p, d, kk, s in zip(output_size, padding, dilation, kernel_size, stride))
    C = cols.shape[-2] // prod(kernel_size)
    c = cols.reshape(cols.shape[:-2] + (C,) + tuple(kernel_size) + OS)
    Sp = tuple(n + 2 * p for n, p in zip(output_size, padding))
    return crop(col2im(c, Sp, OS, kernel_size, stride, dilation), padding, output_size)


def _im2col(x, kernel_size, dilation, padding, stride):
    if isinstance(x, Tensor):
        return im2col_op.fn(x, kernel_size, dilation, padding, stride)
    return _im2col_array(x, kernel_size, dilation, padding, stride)


def _col2im(x, output_size, kernel_size, dilation, padding, stride):
    if isinstance(x, Tensor):
        return col2im_op.fn(x, output_size, kernel_size, dilation, padding, stride)
    return _col2im_array(x, output_size, kernel_size, dilation, padding, stride)


im2col_op = defop(
    "im2col", node="Im2ColBackward0", complex="same", export=False, jvp=LINEAR,
    forward=lambda xp, self, kernel_size=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1):
        _im2col_array(self, kernel_size, dilation, padding, stride),
    self=lambda grad, self_sym_sizes, kernel_size, dilation, padding, stride:
        _col2im(grad, tuple(self_sym_sizes[-2:]), kernel_size, dilation, padding, stride))

col2im_op = defop(
    "col2im", node="Col2ImBackward0", complex="same", export=False, jvp=LINEAR,
    forward=lambda xp, self, output_size=(1, 1), kernel_size=(1, 1), dilation=(1, 1), padding=(0, 0),
    stride=(1, 1): _col2im_array(self, output_size, kernel_size, dilation, padding, stride),
    self=lambda grad, kernel_size, dilation, padding, stride: _im2col(grad, kernel_size, dilation, padding, stride))


def _pair_arg(v, name):
    v = (int(v),) * 2 if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)
    if len(v) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return v


def _check_blocks(kernel_size, dilation, padding, stride, stride_first):
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    checks = [(kh > 0 and kw > 0, f"kernel size should be greater than zero, but got kernel_height: {kh} "
                                  f"kernel_width: {kw}"),
              (dh > 0 and dw > 0, f"dilation should be greater than zero, but got dilation_height: {dh} "
                                  f"dilation_width: {dw}"),
              (ph >= 0 and pw >= 0, f"padding should be non-negative, but got pad_height: {ph} pad_width: {pw}"),
              (sh > 0 and sw > 0, f"stride should be greater than zero, but got stride_height: {sh} "
                                  f"stride_width: {sw}")]
    if stride_first:
        checks = [checks[0], checks[3], checks[1], checks[2]]
    for ok, msg in checks:
        if not ok:
            raise RuntimeError(msg)


def _no_int(x, name):
    if x._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{name}" not implemented for \'{_errors.scalar_name(x._data.dtype)}\'')


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Same as `torch.nn.functional.unfold` (im2col)."""
    if input.dim() < 3:
        raise _errors.dim_out_of_range(2, input.dim())
    k, d, p, s = (_pair_arg(kernel_size, "kernel_size"), _pair_arg(dilation, "dilation"),
                  _pair_arg(padding, "padding"), _pair_arg(stride, "stride"))
    _check_blocks(k, d, p, s, stride_first=False)
    sh = tuple(input.shape)
    if not ((len(sh) == 3 and all(sh)) or (len(sh) == 4 and all(sh[1:]))):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {_errors.shape_str(sh)}")
    H, W = sh[-2:]
    oh = (H + 2 * p[0] - (d[0] * (k[0] - 1) + 1)) // s[0] + 1
    ow = (W + 2 * p[1] - (d[1] * (k[1] - 1) + 1)) // s[1] + 1
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array "
                           f"of sliding blocks as ({oh}, {ow}), but its components must be at least one.")
    _no_int(input, "im2col_out_cpu")
    return im2col_op.fn(input, k, d, p, s)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Same as `torch.nn.functional.fold` (col2im)."""
    o = _pair_arg(output_size, "output_size")
    k, d, p, s = (_pair_arg(kernel_size, "kernel_size"), _pair_arg(dilation, "dilation"),
                  _pair_arg(padding, "padding"), _pair_arg(stride, "stride"))
    _check_blocks(k, d, p, s, stride_first=True)
    sh = tuple(input.shape)
    if not ((len(sh) == 2 and all(sh)) or (len(sh) == 3 and all(sh[1:]))):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {_errors.shape_str(sh)}")
    if sh[-2] % (k[0] * k[1]):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={sh[-2]} and kernel_size=({k[0]}, {k[1]}).")
    bh = (o[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    bw = (o[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    desc = (f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
            f"padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), ")
    if sh[-1] != bh * bw:
        raise RuntimeError(desc + "expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {bh} * {bw} = {bh * bw}, but got input.size(2)={sh[-1]}.")
    if bh < 1 or bw < 1:
        raise RuntimeError(desc + f"calculated shape of the array of sliding blocks as ({bh}, {bw}), which is too "
                           "small (non-positive)")
    _no_int(input, "col2im_out_cpu")
    return col2im_op.fn(input, o, k, d, p, s)


# pooling, padding and resampling register on import and join the functional API
from . import pool, resample  # noqa: E402
from .pool import *  # noqa: E402,F401,F403
from .resample import *  # noqa: E402,F401,F403

__all__ += pool.__all__ + resample.__all__
