"""Convolution, pooling, unfold/fold, padding and interpolation beyond what OpCases check:
torch's errors, node names (first and second order), saved values, return types, the
public names, third-order derivatives, dtypes and empty inputs -- all against torch."""
import warnings

import numpy as np
import pytest

import retrograd
from retrograd.ops import conv as RF
from oracle import torch, assert_close, raises_same, TOL

TF = torch.nn.functional


def F(lib):
    return TF if lib is torch else RF


def tensors(lib, *arrays, rg=True, dtype="float64"):
    return [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=rg) for a in arrays]


rng = np.random.default_rng(0)
X = rng.normal(size=(2, 3, 5, 5))
W = rng.normal(size=(4, 3, 3, 3))
X1 = rng.normal(size=(2, 3, 5))

# ---------------------------------------------------------------- errors

ERRORS = [
    # convolution
    lambda lib, x, w: F(lib).conv2d(x, lib.ones(4, 2, 3, 3)),
    lambda lib, x, w: F(lib).conv2d(x[0, 0], w),
    lambda lib, x, w: F(lib).conv2d(x, w[0]),
    lambda lib, x, w: F(lib).conv2d(x, w, lib.ones(3, dtype=lib.float64)),
    lambda lib, x, w: F(lib).conv2d(x, w, lib.ones(4, 1, dtype=lib.float64)),
    lambda lib, x, w: F(lib).conv2d(x, w, lib.ones(3)),
    lambda lib, x, w: F(lib).conv2d(x.float(), w.float(), lib.ones(3, dtype=lib.float64)),
    lambda lib, x, w: F(lib).conv2d(x.float(), w.float(), dilation=0),
    lambda lib, x, w: F(lib).conv_transpose2d(x, lib.ones(3, 2, 3, 3, dtype=lib.float64), padding=4),
    lambda lib, x, w: F(lib).conv_transpose2d(x.float(), lib.ones(3, 2, 3, 3), padding=4),
    lambda lib, x, w: F(lib).conv_transpose2d(x, lib.ones(3, 2, 3, 3, dtype=lib.float64), dilation=0),
    lambda lib, x, w: F(lib).conv2d(x, lib.ones(4, 3, 7, 7)),
    lambda lib, x, w: F(lib).conv2d(x, w, dilation=3),
    lambda lib, x, w: F(lib).conv2d(x, w, stride=0),
    lambda lib, x, w: F(lib).conv2d(x, w, padding=-1),
    lambda lib, x, w: F(lib).conv2d(x, w, dilation=0),
    lambda lib, x, w: F(lib).conv2d(x, w, groups=2),
    lambda lib, x, w: F(lib).conv2d(x, w, groups=0),
    lambda lib, x, w: F(lib).conv2d(x, lib.ones(4, 1, 3, 3), groups=3),
    lambda lib, x, w: F(lib).conv2d(x, lib.ones(0, 3, 3, 3)),
    lambda lib, x, w: F(lib).conv2d(x, w, stride=2, padding="same"),
    lambda lib, x, w: F(lib).conv2d(x, w, padding="foo"),
    lambda lib, x, w: F(lib).conv2d(x, w, stride=(1, 2, 3)),
    lambda lib, x, w: F(lib).conv2d(x, w, padding=[]),
    lambda lib, x, w: F(lib).conv1d(x, w),
    lambda lib, x, w: F(lib).conv3d(x, w),
    lambda lib, x, w: F(lib).conv2d(x.float(), w),
    lambda lib, x, w: F(lib).conv2d(x, w.float()),
    lambda lib, x, w: F(lib).conv2d(x.float(), w.float(), lib.ones(4, dtype=lib.float64)),
    lambda lib, x, w: F(lib).conv1d(x[:, :, 0], lib.ones(4, 3, 7)),
    lambda lib, x, w: F(lib).conv_transpose2d(x, w),
    lambda lib, x, w: F(lib).conv_transpose2d(x, lib.ones(3, 2, 3, 3), lib.ones(3)),
    lambda lib, x, w: F(lib).conv_transpose2d(x, lib.ones(3, 2, 3, 3), output_padding=1),
    lambda lib, x, w: F(lib).conv_transpose1d(x[:, :, 0], lib.ones(3, 2, 3), output_padding=1),
    lambda lib, x, w: F(lib).conv_transpose3d(x[:, :, None], lib.ones(3, 2, 1, 3, 3), output_padding=1),
    lambda lib, x, w: F(lib).conv_transpose2d(x, lib.ones(3, 2, 3, 3), groups=2),
    lambda lib, x, w: F(lib).conv_transpose2d(x, lib.ones(3, 2, 3, 3), padding="same"),
    lambda lib, x, w: F(lib).conv_transpose2d(x[0, 0], lib.ones(3, 2, 3, 3)),
    # pooling
    lambda lib, x, w: F(lib).max_pool2d(x, 3, padding=2),
    lambda lib, x, w: F(lib).max_pool2d(x, 6),
    lambda lib, x, w: F(lib).max_pool2d(x[0, 0], 2),
    lambda lib, x, w: F(lib).max_pool2d(x, 0),
    lambda lib, x, w: F(lib).max_pool2d(x, 2, dilation=0),
    lambda lib, x, w: F(lib).max_pool2d(x, -1),
    lambda lib, x, w: F(lib).max_pool2d(x, 2, stride=-1),
    lambda lib, x, w: F(lib).max_pool2d(x, (2, 2, 2)),
    lambda lib, x, w: F(lib).max_pool2d(x, 2, stride=(1, 1, 1)),
    lambda lib, x, w: F(lib).max_pool2d(x, 2, padding=-1),
    lambda lib, x, w: F(lib).max_pool2d(lib.ones(2, 3, 0, 5), 1),
    lambda lib, x, w: F(lib).max_pool1d(x[:, :, 0], 6),
    lambda lib, x, w: F(lib).max_pool1d(x, 2),
    lambda lib, x, w: F(lib).max_pool1d(x[:, :, 0], 0),
    lambda lib, x, w: F(lib).max_pool1d(x[:, :, 0], 2, padding=2),
    lambda lib, x, w: F(lib).max_pool1d(x[:, :, 0], (2, 2)),
    lambda lib, x, w: F(lib).max_pool1d(x[:, :, 0], 2, stride=(1, 1)),
    lambda lib, x, w: F(lib).max_pool3d(x, (2, 2)),
    lambda lib, x, w: F(lib).max_pool3d(x[0, 0], 2),
    lambda lib, x, w: F(lib).avg_pool2d(x, 3, padding=2),
    lambda lib, x, w: F(lib).avg_pool2d(x, 6),
    lambda lib, x, w: F(lib).avg_pool2d(x[0, 0], 2),
    lambda lib, x, w: F(lib).avg_pool2d(x, 2, divisor_override=0),
    lambda lib, x, w: F(lib).avg_pool2d(x.int(), 2),
    lambda lib, x, w: F(lib).avg_pool1d(x[:, :, 0], 6),
    lambda lib, x, w: F(lib).avg_pool1d(x, 2),
    lambda lib, x, w: F(lib).avg_pool1d(x[:, :, 0], (2, 2)),
    lambda lib, x, w: F(lib).avg_pool3d(x[None], 6),
    lambda lib, x, w: F(lib).adaptive_avg_pool2d(x, (2, 2, 2)),
    lambda lib, x, w: F(lib).adaptive_avg_pool2d(x[0, 0], 2),
    lambda lib, x, w: F(lib).adaptive_avg_pool2d(x, -1),
    lambda lib, x, w: F(lib).adaptive_avg_pool2d(lib.ones(2, 3, 0, 5), 2),
    lambda lib, x, w: F(lib).adaptive_avg_pool1d(x, 2),
    lambda lib, x, w: F(lib).adaptive_avg_pool3d(x[0], 2),
    lambda lib, x, w: F(lib).adaptive_avg_pool3d(x, (2, 2)),
    lambda lib, x, w: F(lib).adaptive_avg_pool3d(x, -1),
    lambda lib, x, w: F(lib).adaptive_avg_pool1d(x[:, :, 0], (2, 2)),
    lambda lib, x, w: F(lib).adaptive_max_pool2d(x[0, 0], 2),
    lambda lib, x, w: F(lib).adaptive_max_pool2d(lib.ones(2, 3, 0, 5), 2),
    lambda lib, x, w: F(lib).adaptive_max_pool1d(x, 2),
    # unfold / fold
    lambda lib, x, w: F(lib).unfold(x, 6),
    lambda lib, x, w: F(lib).unfold(x, (2, 2, 2)),
    lambda lib, x, w: F(lib).unfold(x, 2, stride=0),
    lambda lib, x, w: F(lib).unfold(x, 0),
    lambda lib, x, w: F(lib).unfold(x, 2, padding=-1),
    lambda lib, x, w: F(lib).unfold(x, 2, dilation=0),
    lambda lib, x, w: F(lib).unfold(x[0, 0], 2),
    lambda lib, x, w: F(lib).unfold(lib.ones(2, 3, 0, 5), 2),
    lambda lib, x, w: F(lib).fold(lib.ones(2, 12, 4), (4, 4), 2),
    lambda lib, x, w: F(lib).fold(lib.ones(2, 15, 4), (3, 3), 2),
    lambda lib, x, w: F(lib).fold(lib.ones(4), (3, 3), 2),
    lambda lib, x, w: F(lib).fold(lib.ones(2, 12, 4), (3,), 2),
    lambda lib, x, w: F(lib).fold(lib.ones(2, 12, 4), (3, 3), 0),
    lambda lib, x, w: F(lib).fold(lib.ones(2, 12, 4), (1, 1), 2),
    # padding
    lambda lib, x, w: F(lib).pad(x, (1,)),
    lambda lib, x, w: F(lib).pad(x, (1,) * 10),
    lambda lib, x, w: F(lib).pad(x, (-3, -3)),
    lambda lib, x, w: F(lib).pad(x, (1, 1), mode="reflect"),
    lambda lib, x, w: F(lib).pad(x, (5, 5, 1, 1), mode="reflect"),
    lambda lib, x, w: F(lib).pad(x[0], (5, 5), mode="reflect"),
    lambda lib, x, w: F(lib).pad(x, (6, 6, 1, 1), mode="circular"),
    lambda lib, x, w: F(lib).pad(x, (1, 1, 1, 1), mode="foo"),
    lambda lib, x, w: F(lib).pad(x, (1, 1, 1, 1), mode="reflect", value=1.),
    lambda lib, x, w: F(lib).pad(x, (1.5, 1)),
    lambda lib, x, w: F(lib).pad(x[0], (-6, 1), mode="replicate"),
    lambda lib, x, w: F(lib).pad(lib.ones(2, 3, 0), (1, 1), mode="replicate"),
    # interpolation
    lambda lib, x, w: F(lib).interpolate(x, size=3, scale_factor=2),
    lambda lib, x, w: F(lib).interpolate(x),
    lambda lib, x, w: F(lib).interpolate(x, size=(3, 3, 3)),
    lambda lib, x, w: F(lib).interpolate(x, scale_factor=(2, 2, 2)),
    lambda lib, x, w: F(lib).interpolate(x, size=3, align_corners=True),
    lambda lib, x, w: F(lib).interpolate(x, size=3, mode="linear"),
    lambda lib, x, w: F(lib).interpolate(x, size=3, mode="foo"),
    lambda lib, x, w: F(lib).interpolate(x, size=0),
    lambda lib, x, w: F(lib).interpolate(x[0], size=0),
    lambda lib, x, w: F(lib).interpolate(x, scale_factor=0.1),
    lambda lib, x, w: F(lib).interpolate(x, size=(3, 3.5)),
    lambda lib, x, w: F(lib).interpolate(x, size=3, recompute_scale_factor=True),
    lambda lib, x, w: F(lib).interpolate(x[0, 0], size=3),
    lambda lib, x, w: F(lib).interpolate(x.int(), size=3),
    # pixel shuffle
    lambda lib, x, w: F(lib).pixel_shuffle(x, 2),
    lambda lib, x, w: F(lib).pixel_shuffle(x[0, 0], 1),
    lambda lib, x, w: F(lib).pixel_shuffle(x, 0),
    lambda lib, x, w: F(lib).pixel_unshuffle(x, 2),
    lambda lib, x, w: F(lib).pixel_unshuffle(x[:, :, :4], 2),
    lambda lib, x, w: F(lib).pixel_unshuffle(x, 0),
    # unpooling
    lambda lib, x, w: F(lib).max_unpool2d(*F(lib).max_pool2d(x, 2, return_indices=True), 2),
    lambda lib, x, w: F(lib).max_unpool2d(*F(lib).max_pool2d(x, 2, return_indices=True), 2, output_size=(7, 7)),
    lambda lib, x, w: F(lib).max_unpool2d(F(lib).max_pool2d(x, 2), F(lib).max_pool2d(x, 2, return_indices=True)[1][
        :, :, :1], 2),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_error_matches_torch(i):
    def run(lib, x, w):
        return ERRORS[i](lib, lib.tensor(x), lib.tensor(w))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_same(run, X, W)


# ---------------------------------------------------------------- node names

def _chain(t, depth=4):
    out, f = [], t.grad_fn
    while f is not None and depth:
        out.append(f.name().replace("torch::autograd::", ""))
        nxt = [n for n, _ in f.next_functions if n is not None]
        f, depth = (nxt[0] if nxt else None), depth - 1
    return out


NODES = [
    lambda lib, x: F(lib).conv2d(x, x[:2, :, :3, :3].detach()),
    lambda lib, x: F(lib).conv2d(x[0], x[:2, :, :3, :3].detach()),
    lambda lib, x: F(lib).conv2d(x, x[:2, :, :2, :2].detach(), padding="same"),
    lambda lib, x: F(lib).conv_transpose2d(x, x[:2, :, :3, :3].detach().transpose(0, 1)),
    lambda lib, x: F(lib).max_pool2d(x, 2),
    lambda lib, x: F(lib).max_pool1d(x[:, :, 0], 2),
    lambda lib, x: F(lib).max_pool3d(x[None], 2),
    lambda lib, x: F(lib).avg_pool2d(x, 2),
    lambda lib, x: F(lib).avg_pool1d(x[:, :, 0], 2),
    lambda lib, x: F(lib).adaptive_avg_pool2d(x, 3),
    lambda lib, x: F(lib).adaptive_avg_pool2d(x, 1),
    lambda lib, x: F(lib).adaptive_max_pool2d(x, 3),
    lambda lib, x: F(lib).adaptive_max_pool1d(x[:, :, 0], 2),
    lambda lib, x: F(lib).unfold(x, 2),
    lambda lib, x: F(lib).fold(F(lib).unfold(x, 2), (5, 5), 2),
    lambda lib, x: F(lib).pad(x, (1, 2)),
    lambda lib, x: F(lib).pad(x, (1, 2, 1, 1), mode="reflect"),
    lambda lib, x: F(lib).pad(x, (1, 2, 1, 1), mode="replicate"),
    lambda lib, x: F(lib).pad(x, (1, 2, 1, 1), mode="circular"),
    lambda lib, x: F(lib).interpolate(x, scale_factor=2),
    lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="bilinear"),
    lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="bicubic"),
    lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="nearest-exact"),
    lambda lib, x: F(lib).interpolate(x, size=3, mode="area"),
    lambda lib, x: F(lib).pixel_shuffle(x[:, :, :4, :4].reshape(2, 12, 2, 2), 2),
    lambda lib, x: F(lib).pixel_unshuffle(x[:, :, :4, :4], 2),
    lambda lib, x: F(lib).max_unpool2d(*F(lib).max_pool2d(x[:, :, :4, :4], 2, return_indices=True), 2),
]
# torch builds these from other ops (circular: slice copies; a 1x1 adaptive pool: mean): compare
# the outermost node only, and not the gradient's node
COMPOSITE = {10: 1, 18: 1}


@pytest.mark.parametrize("i", range(len(NODES)))
def test_node_names_match_torch(i):
    """grad_fn chains as torch prints them, and (where torch has one) the node of the gradient."""
    (xr,), (xt,) = tensors(retrograd, X), tensors(torch, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yr, yt = NODES[i](retrograd, xr), NODES[i](torch, xt)
    depth = COMPOSITE.get(i, 3)
    assert _chain(yr)[:depth] == _chain(yt)[:depth]
    vr = retrograd.ones(tuple(yr.shape), dtype=retrograd.float64, requires_grad=True)
    vt = torch.ones(tuple(yt.shape), dtype=torch.float64, requires_grad=True)
    (gr,), (gt,) = retrograd.autograd.grad(yr, xr, vr, create_graph=True), torch.autograd.grad(yt, xt, vt,
                                                                                               create_graph=True)
    if i not in COMPOSITE and gt.grad_fn is not None and "Select" not in gt.grad_fn.name() and "Slice" not in gt.grad_fn.name():
        assert gr.grad_fn.name() == gt.grad_fn.name()


def test_saved_values_match_torch():
    xr, wr = tensors(retrograd, X, W)
    xt, wt = tensors(torch, X, W)
    nr = F(retrograd).conv2d(xr, wr, stride=2, padding=1).grad_fn
    nt = F(torch).conv2d(xt, wt, stride=2, padding=1).grad_fn
    for a in ("stride", "padding", "dilation", "transposed", "output_padding", "groups"):
        assert tuple(np.atleast_1d(getattr(nr, "_saved_" + a))) == tuple(np.atleast_1d(getattr(nt, "_saved_" + a)))
    assert_close(nr._saved_input, nt._saved_input, **TOL["float64"])
    assert_close(nr._saved_weight, nt._saved_weight, **TOL["float64"])
    mr = F(retrograd).max_pool2d(xr, 2, padding=1).grad_fn
    mt = F(torch).max_pool2d(xt, 2, padding=1).grad_fn
    assert mr._saved_kernel_size == mt._saved_kernel_size and mr._saved_padding == mt._saved_padding
    assert_close(mr._saved_result1, mt._saved_result1, **TOL["float64"])
    assert F(retrograd).pad(xr, (1, 2)).grad_fn._saved_pad == F(torch).pad(xt, (1, 2)).grad_fn._saved_pad


# ---------------------------------------------------------------- results, names, types

def test_return_types_and_indices():
    (xr,), (xt,) = tensors(retrograd, X), tensors(torch, X)
    for f in (lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True),
              lambda lib, x: F(lib).max_pool1d(x[:, :, 0], 2, return_indices=True),
              lambda lib, x: F(lib).adaptive_max_pool2d(x, 2, return_indices=True),
              lambda lib, x: lib.max_pool1d_with_indices(x[:, :, 0], 2),
              lambda lib, x: lib.adaptive_max_pool1d(x[:, :, 0], 2)):
        r, t = f(retrograd, xr), f(torch, xt)
        assert type(r) is tuple and type(t) is tuple
        assert_close(list(r), list(t), **TOL["float64"])
        assert str(r[1].dtype) == "torch.int64"


def test_public_names():
    for n in RF.__all__:
        assert hasattr(TF, n), n
    for n in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "convolution",
              "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
              "adaptive_avg_pool1d", "adaptive_max_pool1d", "constant_pad_nd", "pixel_shuffle", "pixel_unshuffle"):
        assert hasattr(torch, n) and hasattr(retrograd, n), n
    for n in ("conv2d", "max_pool2d", "pad", "interpolate"):
        assert not hasattr(torch.Tensor, n) and not hasattr(retrograd.Tensor, n), n


def test_third_order_matches_torch():
    """Each backward op's backward is again a registered op: derivatives of any order are exact."""
    def f(lib, x, w):
        y = F(lib).conv2d(x, w, stride=2, padding=1)
        y = F(lib).interpolate(y, scale_factor=2, mode="bilinear") + F(lib).avg_pool2d(x, 2, 2, 1)[:, :1].sum()
        return (F(lib).max_pool2d(y * y, 2) ** 2).sum()
    res = {}
    for lib in (retrograd, torch):
        x, w = tensors(lib, X, W)
        gx, gw = lib.autograd.grad(f(lib, x, w), (x, w), create_graph=True)
        (hx,) = lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (x,), create_graph=True)
        (tw,) = lib.autograd.grad((hx ** 3).sum(), (w,))
        res[lib] = [gx, gw, hx, tw]
    assert_close(res[retrograd], res[torch], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept(dtype):
    xr, wr = tensors(retrograd, X, W, dtype=dtype)
    xt, wt = tensors(torch, X, W, dtype=dtype)
    for f in (lambda lib, x, w: F(lib).conv2d(x, w, padding=1),
              lambda lib, x, w: F(lib).conv_transpose2d(x, w.transpose(0, 1), stride=2),
              lambda lib, x, w: F(lib).avg_pool2d(x, 2) + F(lib).max_pool2d(x, 2),
              lambda lib, x, w: F(lib).interpolate(x, scale_factor=1.5, mode="bilinear"),
              lambda lib, x, w: F(lib).adaptive_avg_pool2d(x, 3) + F(lib).adaptive_max_pool2d(x, 3),
              lambda lib, x, w: F(lib).pad(x, (1, 1, 2, 2), mode="reflect")):
        r, t = f(retrograd, xr, wr), f(torch, xt, wt)
        assert_close(r, t, **TOL[dtype])
        (gr,), (gt,) = retrograd.autograd.grad(r.sum(), (xr,)), torch.autograd.grad(t.sum(), (xt,))
        assert_close(gr, gt, **TOL[dtype])


def test_integer_conv_and_max_pool():
    xi, wi = (np.arange(2 * 3 * 25).reshape(2, 3, 5, 5) % 7), (np.arange(4 * 27).reshape(4, 3, 3, 3) % 5 - 2)
    for f in (lambda lib, x, w: F(lib).conv2d(x, w, padding=1), lambda lib, x, w: F(lib).max_pool2d(x, 2),
              lambda lib, x, w: F(lib).pad(x, (1, 1), value=3)):
        assert_close(f(retrograd, retrograd.tensor(xi), retrograd.tensor(wi)),
                     f(torch, torch.tensor(xi), torch.tensor(wi)), **TOL["float64"])


def test_empty_batch():
    xe = np.zeros((0, 3, 5, 5))
    for f in (lambda lib, x: F(lib).conv2d(x, lib.ones(4, 3, 3, 3, dtype=lib.float64)),
              lambda lib, x: F(lib).max_pool2d(x, 2), lambda lib, x: F(lib).avg_pool2d(x, 2),
              lambda lib, x: F(lib).unfold(x, 2)):
        (xr,), (xt,) = tensors(retrograd, xe), tensors(torch, xe)
        r, t = f(retrograd, xr), f(torch, xt)
        assert_close(r, t, **TOL["float64"])
        assert_close(retrograd.autograd.grad(r.sum(), xr), torch.autograd.grad(t.sum(), xt), **TOL["float64"])


def test_max_pool_ties_pick_the_first():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = 1.0
    (xr,), (xt,) = tensors(retrograd, x), tensors(torch, x)
    r = F(retrograd).max_pool2d(xr, 3, 1, 1, return_indices=True)
    t = F(torch).max_pool2d(xt, 3, 1, 1, return_indices=True)
    assert_close(list(r), list(t), **TOL["float64"])
    assert_close(retrograd.autograd.grad(r[0].sum(), xr), torch.autograd.grad(t[0].sum(), xt), **TOL["float64"])


def test_max_pool_nan_is_the_max():
    x = np.arange(32.).reshape(1, 2, 4, 4)
    x[0, 0, 1, 2] = x[0, 0, 0, 3] = x[0, 1, 2, 0] = np.nan
    (xr,), (xt,) = tensors(retrograd, x), tensors(torch, x)
    r = F(retrograd).max_pool2d(xr, 2, return_indices=True)
    t = F(torch).max_pool2d(xt, 2, return_indices=True)
    assert_close(list(r), list(t), **TOL["float64"])
    assert_close(retrograd.autograd.grad(r[0].sum(), xr), torch.autograd.grad(t[0].sum(), xt), **TOL["float64"])


def test_upsample_aliases_warn():
    (xr,), (xt,) = tensors(retrograd, X), tensors(torch, X)
    for n, kw in (("upsample", dict(scale_factor=2, mode="bilinear")), ("upsample_nearest", dict(size=7)),
                  ("upsample_bilinear", dict(scale_factor=2))):
        with pytest.warns(UserWarning):
            r = getattr(RF, n)(xr, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = getattr(TF, n)(xt, **kw)
        assert_close(r, t, **TOL["float64"])


def test_conv_forward_ad_over_reverse():
    """A JVP of a convolution's gradient (forward over reverse) agrees with torch."""
    out = {}
    for lib in (retrograd, torch):
        fw = lib.autograd.forward_ad
        x, w = tensors(lib, X, W)
        with fw.dual_level():
            wd = fw.make_dual(w, lib.ones_like(w))
            y = F(lib).conv2d(x, wd, padding=1)
            (gx,) = lib.autograd.grad(y, (x,), y, create_graph=True)
            out[lib] = [fw.unpack_dual(gx).primal.detach(), fw.unpack_dual(gx).tangent]
    assert_close(out[retrograd], out[torch], **TOL["float64"])
