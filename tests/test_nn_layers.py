"""nn layers against torch: convolution, pooling, padding, upsampling, pixel shuffle, fold,
recurrent layers and cells, multi-head attention. For each: the default parameters after the same
manual_seed (names, order, shapes, values), repr, and -- with the same weights -- forward values
and gradients w.r.t. the input and every parameter; plus torch's errors for bad arguments."""
import re
import warnings

import numpy as np
import pytest

import retrograd
from oracle import torch, assert_close, TOL

rng = np.random.default_rng(0)


def build(lib, name, *args, **kwargs):
    """The layer `name` of lib.nn, built right after manual_seed(0)."""
    lib.manual_seed(0)
    return getattr(lib.nn, name)(*args, **kwargs)


def same_weights(ours, theirs):
    """Copy torch's parameter values into ours (names must agree)."""
    mine = dict(ours.named_parameters())
    assert list(mine) == [n for n, _ in theirs.named_parameters()]
    with retrograd.no_grad():
        for name, p in theirs.named_parameters():
            mine[name].copy_(retrograd.tensor(p.detach().numpy()))


def flat(out):
    """The tensors of a nested result ((out, (h, c)), (out, indices), ...) in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [out]


def run_both(ours, theirs, shapes, dtype="float64", positive=False, call=None, **fwd):
    """Forward both modules on the same random inputs, backward the same random output gradients;
    compare outputs and the gradients of inputs and parameters."""
    tol = TOL[dtype]
    arrays = [rng.normal(size=s) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.5 for a in arrays]
    results = []
    for lib, m in ((retrograd, ours), (torch, theirs)):
        xs = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in arrays]
        out = call(m, *xs) if call else m(*xs, **fwd)
        results.append((xs, out))
    (xr, outr), (xt, outt) = results
    assert_close(outr, outt, **tol, what="forward")
    grads = [rng.normal(size=t.shape) for t in flat(outt) if t is not None and t.is_floating_point()]
    for lib, out in ((retrograd, outr), (torch, outt)):
        outs = [t for t in flat(out) if t is not None and t.is_floating_point()]
        sum((o * lib.tensor(g, dtype=o.dtype)).sum() for o, g in zip(outs, grads)).backward()
    for i, (a, b) in enumerate(zip(xr, xt)):
        assert_close(a.grad, b.grad, **tol, what=f"grad of input {i}")
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, q.grad, **tol, what=f"grad of {n}")
    return outr, outt


def check_layer(name, args, kwargs, shapes, dtype="float64", train=True, **opts):
    ours, theirs = build(retrograd, name, *args, **kwargs), build(torch, name, *args, **kwargs)
    assert repr(ours) == repr(theirs)
    if dtype == "float64":
        ours, theirs = ours.double(), theirs.double()
    same_weights(ours, theirs)
    ours.train(train), theirs.train(train)
    return run_both(ours, theirs, shapes, dtype, **opts)


# ---------------------------------------------------------------- default parameters and repr

DEFAULTS = [
    ("Conv1d", (3, 4, 3), {}),
    ("Conv1d", (4, 6, 3), dict(groups=2, bias=False, padding_mode="circular", padding=2)),
    ("Conv2d", (3, 8, (3, 2)), dict(stride=(2, 1), padding=1, dilation=2)),
    ("Conv2d", (3, 4, 3), dict(padding="same", padding_mode="reflect")),
    ("Conv2d", (2, 3, 4), dict(padding="valid")),
    ("Conv3d", (2, 4, (2, 3, 1)), dict(groups=2)),
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, output_padding=1)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, groups=2, dilation=2, bias=False)),
    ("ConvTranspose3d", (2, 3, 2), {}),
    ("RNN", (3, 5), {}),
    ("RNN", (3, 5, 2, "relu"), dict(bias=False, batch_first=True, dropout=0.25, bidirectional=True)),
    ("LSTM", (3, 5), dict(num_layers=2, bidirectional=True)),
    ("LSTM", (3, 5), dict(proj_size=2, num_layers=2, bidirectional=True, bias=False)),
    ("GRU", (3, 5), dict(num_layers=3, batch_first=True)),
    ("RNNCell", (3, 5), dict(nonlinearity="relu", bias=False)),
    ("LSTMCell", (3, 5), {}),
    ("GRUCell", (3, 5), {}),
    ("MultiheadAttention", (6, 2), {}),
    ("MultiheadAttention", (6, 3), dict(kdim=4, vdim=5, add_bias_kv=True, add_zero_attn=True, dropout=0.1)),
    ("MultiheadAttention", (4, 1), dict(bias=False, batch_first=True)),
]


@pytest.mark.parametrize("name,args,kwargs", DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_default_parameters_and_repr(name, args, kwargs):
    ours, theirs = build(retrograd, name, *args, **kwargs), build(torch, name, *args, **kwargs)
    assert repr(ours) == repr(theirs)
    mine, torchs = list(ours.named_parameters()), list(theirs.named_parameters())
    assert [n for n, _ in mine] == [n for n, _ in torchs]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (n, p), (_, q) in zip(mine, torchs):
        assert type(p).__name__ == "Parameter" and p.requires_grad
        assert tuple(p.shape) == tuple(q.shape) and str(p.dtype) == str(q.dtype), n
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=n)


def test_default_parameters_float64():
    for name, args in (("Conv2d", (2, 3, 3)), ("LSTM", (3, 4)), ("MultiheadAttention", (4, 2))):
        ours = build(retrograd, name, *args, dtype=retrograd.float64)
        theirs = build(torch, name, *args, dtype=torch.float64)
        for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert str(p.dtype) == "torch.float64"
            np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=n)


REPRS = [
    ("MaxPool1d", (3,), dict(stride=2, return_indices=True)), ("MaxPool2d", (2,), {}),
    ("MaxPool3d", ((3, 2, 2),), dict(stride=(2, 1, 2), ceil_mode=True)),
    ("AvgPool1d", (3,), {}), ("AvgPool2d", ((3, 2),), dict(divisor_override=2)), ("AvgPool3d", (2,), {}),
    ("AdaptiveAvgPool1d", (4,), {}), ("AdaptiveAvgPool2d", ((None, 3),), {}), ("AdaptiveAvgPool3d", (2,), {}),
    ("AdaptiveMaxPool1d", (3,), {}), ("AdaptiveMaxPool2d", ((3, 2),), dict(return_indices=True)),
    ("LPPool1d", (2, 3), {}), ("LPPool2d", (1.5, (2, 3)), dict(stride=1, ceil_mode=True)),
    ("MaxUnpool1d", (2,), {}), ("MaxUnpool2d", (3,), dict(stride=2, padding=1)),
    ("ZeroPad1d", (2,), {}), ("ZeroPad2d", ((1, 2, 0, 1),), {}), ("ZeroPad3d", (1,), {}),
    ("ConstantPad1d", (2, 3.5), {}), ("ConstantPad2d", ((1, 0, 2, 1), -1), {}), ("ConstantPad3d", (1, 0.5), {}),
    ("ReflectionPad1d", (2,), {}), ("ReflectionPad2d", ((1, 2, 2, 1),), {}), ("ReflectionPad3d", (1,), {}),
    ("ReplicationPad1d", ((1, 3),), {}), ("ReplicationPad2d", (2,), {}), ("ReplicationPad3d", (1,), {}),
    ("CircularPad1d", (2,), {}), ("CircularPad2d", ((1, 2, 2, 1),), {}), ("CircularPad3d", (1,), {}),
    ("Upsample", (), dict(scale_factor=2)), ("Upsample", ((5, 7),), dict(mode="bilinear")),
    ("Upsample", (), dict(scale_factor=(2, 1.5), mode="bicubic", align_corners=True)),
    ("UpsamplingNearest2d", (), dict(scale_factor=3)), ("UpsamplingBilinear2d", ((4, 6),), {}),
    ("PixelShuffle", (2,), {}), ("PixelUnshuffle", (3,), {}),
    ("Fold", ((4, 5), 2), dict(stride=1)), ("Unfold", ((2, 3),), dict(dilation=1, padding=1, stride=2)),
]


@pytest.mark.parametrize("name,args,kwargs", REPRS, ids=[r[0] for r in REPRS])
def test_parameter_free_repr(name, args, kwargs):
    ours, theirs = build(retrograd, name, *args, **kwargs), build(torch, name, *args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.parameters()) == [] == list(theirs.parameters())


# ---------------------------------------------------------------- forward and gradients

LAYERS = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1), [(2, 3, 9)]),
    ("Conv1d", (4, 6, 3), dict(groups=2, dilation=2, bias=False, padding_mode="circular", padding=2), [(2, 4, 10)]),
    ("Conv2d", (3, 4, 3), dict(padding="same", padding_mode="reflect"), [(2, 3, 6, 5)]),
    ("Conv2d", (2, 3, 4), dict(padding="same"), [(2, 2, 6, 5)]),
    ("Conv2d", (2, 3, (4, 3)), dict(padding="same", dilation=(1, 2), padding_mode="circular"), [(1, 2, 6, 7)]),
    ("Conv2d", (4, 4, (3, 2)), dict(stride=(2, 1), padding=(1, 0), groups=4, padding_mode="replicate"),
     [(1, 4, 7, 6)]),
    ("Conv2d", (3, 2, 2), dict(padding="valid"), [(3, 5, 5)]),
    ("Conv3d", (2, 3, (2, 3, 2)), dict(stride=(1, 2, 1), padding=1), [(1, 2, 4, 5, 4)]),
    ("Conv3d", (2, 2, 3), dict(padding="same", padding_mode="reflect", groups=2), [(1, 2, 4, 4, 4)]),
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, output_padding=1), [(2, 3, 5)]),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, groups=2, bias=False), [(2, 4, 4, 4)]),
    ("ConvTranspose2d", (3, 2, (3, 2)), dict(stride=(2, 3), dilation=(1, 2)), [(3, 4, 4)]),
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2), [(1, 2, 3, 3, 3)]),
    ("MaxPool1d", (3,), dict(stride=2, padding=1, return_indices=True), [(2, 3, 9)]),
    ("MaxPool2d", (2,), {}, [(2, 3, 6, 6)]),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, dilation=1, ceil_mode=True, return_indices=True), [(2, 3, 8, 7)]),
    ("MaxPool2d", ((2, 3),), dict(dilation=2), [(3, 7, 8)]),
    ("MaxPool3d", (2,), dict(stride=1), [(1, 2, 4, 4, 4)]),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), [(2, 3, 9)]),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, divisor_override=2), [(2, 3, 8, 7)]),
    ("AvgPool2d", (2,), {}, [(3, 6, 6)]),
    ("AvgPool3d", (2,), dict(ceil_mode=True), [(1, 2, 5, 4, 4)]),
    ("AdaptiveAvgPool1d", (4,), {}, [(2, 3, 9)]),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, [(2, 3, 5, 7)]),
    ("AdaptiveAvgPool3d", (2,), {}, [(1, 2, 5, 4, 3)]),
    ("AdaptiveMaxPool1d", (3,), dict(return_indices=True), [(2, 3, 8)]),
    ("AdaptiveMaxPool2d", ((3, 2),), {}, [(2, 3, 7, 5)]),
    ("ZeroPad1d", (2,), {}, [(2, 3, 4)]), ("ZeroPad2d", ((1, 2, 0, 1),), {}, [(1, 2, 3, 4)]),
    ("ZeroPad3d", (1,), {}, [(1, 1, 2, 3, 2)]), ("ConstantPad1d", ((2, 1), 3.5), {}, [(3, 4)]),
    ("ConstantPad2d", ((1, 0, 2, 1), -1.0), {}, [(1, 2, 3, 4)]), ("ConstantPad3d", (1, 0.5), {}, [(1, 2, 2, 2)]),
    ("ReflectionPad1d", (2,), {}, [(2, 3, 4)]), ("ReflectionPad2d", ((1, 2, 2, 1),), {}, [(1, 2, 3, 4)]),
    ("ReflectionPad3d", (1,), {}, [(1, 1, 2, 3, 3)]),
    ("ReplicationPad1d", ((1, 3),), {}, [(2, 3, 4)]), ("ReplicationPad2d", (2,), {}, [(1, 2, 3, 4)]),
    ("ReplicationPad3d", (1,), {}, [(1, 2, 2, 3, 2)]),
    ("CircularPad1d", (2,), {}, [(2, 3, 4)]), ("CircularPad2d", ((1, 2, 2, 1),), {}, [(2, 3, 4)]),
    ("CircularPad3d", (1,), {}, [(1, 1, 2, 3, 3)]),
    ("Upsample", (), dict(scale_factor=2), [(1, 2, 3, 4)]),
    ("Upsample", ((5, 7),), dict(mode="bilinear"), [(2, 2, 3, 4)]),
    ("Upsample", (), dict(scale_factor=(2, 1.5), mode="bicubic", align_corners=True), [(1, 2, 3, 4)]),
    ("Upsample", (), dict(scale_factor=2.5, mode="linear"), [(2, 3, 4)]),
    ("Upsample", (), dict(size=(3, 4, 5), mode="trilinear"), [(1, 1, 2, 3, 3)]),
    ("UpsamplingNearest2d", (), dict(scale_factor=3), [(1, 2, 2, 3)]),
    ("UpsamplingBilinear2d", ((4, 6),), {}, [(1, 2, 3, 3)]),
    ("PixelShuffle", (2,), {}, [(1, 8, 3, 3)]), ("PixelUnshuffle", (2,), {}, [(1, 2, 4, 6)]),
    ("Fold", ((4, 5), 2), {}, [(1, 12, 12)]), ("Unfold", ((2, 3),), dict(padding=1, stride=2), [(2, 3, 5, 5)]),
]


@pytest.mark.parametrize("name,args,kwargs,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_forward_and_gradients(name, args, kwargs, shapes):
    check_layer(name, args, kwargs, shapes)


@pytest.mark.parametrize("name,args", [("LPPool1d", (2, 3)), ("LPPool2d", (1.5, (2, 3)))])
def test_lp_pool(name, args):
    shape = (2, 3, 7) if name == "LPPool1d" else (2, 3, 6, 7)
    check_layer(name, args, dict(stride=2), [shape], positive=True)


@pytest.mark.parametrize("name,args,kwargs,shapes", [
    ("Conv2d", (3, 4, 3), dict(padding=1, stride=2), [(2, 3, 8, 8)]),
    ("ConvTranspose2d", (3, 2, 3), dict(stride=2), [(2, 3, 4, 4)]),
    ("MaxPool2d", (2,), {}, [(2, 3, 6, 6)]),
], ids=["Conv2d", "ConvTranspose2d", "MaxPool2d"])
def test_float32(name, args, kwargs, shapes):
    check_layer(name, args, kwargs, shapes, dtype="float32")


@pytest.mark.parametrize("size", [None, [9, 10], (2, 6, 9, 10)])
def test_conv_transpose_output_size(size):
    check_layer("ConvTranspose2d", (3, 6, 3), dict(stride=2, padding=1), [(2, 3, 5, 5)], output_size=size)


@pytest.mark.parametrize("k", [1, 2])
def test_max_unpool(k):
    pool_r, pool_t = (getattr(lib.nn, f"MaxPool{k}d")(2, return_indices=True) for lib in (retrograd, torch))
    shape = (2, 3, 8) if k == 1 else (2, 3, 4, 6)
    a = rng.normal(size=shape)
    out_r, idx_r = pool_r(retrograd.tensor(a))
    out_t, idx_t = pool_t(torch.tensor(a))
    ours, theirs = build(retrograd, f"MaxUnpool{k}d", 2), build(torch, f"MaxUnpool{k}d", 2)
    assert repr(ours) == repr(theirs)
    size = [9] if k == 1 else [5, 7]
    for kw in ({}, dict(output_size=size)):
        r = ours(retrograd.tensor(out_r.numpy(), requires_grad=True), idx_r, **kw)
        t = theirs(torch.tensor(out_t.numpy(), requires_grad=True), idx_t, **kw)
        assert_close(r, t, **TOL["float64"])


# ---------------------------------------------------------------- recurrent layers

RNNS = [
    ("RNN", (3, 4), {}),
    ("RNN", (3, 4), dict(num_layers=2, nonlinearity="relu", bidirectional=True)),
    ("GRU", (3, 4), dict(num_layers=2, batch_first=True)),
    ("GRU", (3, 4), dict(bidirectional=True, bias=False)),
    ("LSTM", (3, 4), {}),
    ("LSTM", (3, 4), dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("LSTM", (3, 4), dict(num_layers=2, bidirectional=True, proj_size=2)),
]


def _state_shapes(name, kwargs, batch):
    dirs = (2 if kwargs.get("bidirectional") else 1) * kwargs.get("num_layers", 1)
    h = (dirs, *batch, kwargs.get("proj_size") or 4)
    return [h, (dirs, *batch, 4)] if name == "LSTM" else [h]


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_h0", [False, True], ids=["no_h0", "h0"])
@pytest.mark.parametrize("name,args,kwargs", RNNS, ids=[f"{r[0]}-{i}" for i, r in enumerate(RNNS)])
def test_rnn(name, args, kwargs, with_h0, batched):
    T, N = 5, 2
    x = (N, T, 3) if kwargs.get("batch_first") else (T, N, 3)
    x = x if batched else (T, 3)
    states = _state_shapes(name, kwargs, (N,) if batched else ()) if with_h0 else []
    if name == "LSTM" and with_h0:
        def call(m, x, h, c):
            return m(x, (h, c))
    else:
        call = None
    check_layer(name, args, kwargs, [x] + states, call=call)


def test_lstm_float32():
    check_layer("LSTM", (3, 4), dict(num_layers=2), [(6, 2, 3)], dtype="float32")


def test_rnn_dropout_between_layers():
    # In training mode the masks come from the generator: after the same seed, the same masks.
    ours, theirs = build(retrograd, "GRU", 3, 4, num_layers=3, dropout=0.4), build(torch, "GRU", 3, 4, num_layers=3,
                                                                                   dropout=0.4)
    same_weights(ours.double(), theirs.double())
    x = rng.normal(size=(5, 2, 3))
    retrograd.manual_seed(7), torch.manual_seed(7)
    assert_close(ours(retrograd.tensor(x)), theirs(torch.tensor(x)), **TOL["float64"])
    ours.eval(), theirs.eval()
    assert_close(ours(retrograd.tensor(x)), theirs(torch.tensor(x)), **TOL["float64"])


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_h0", [False, True], ids=["no_h0", "h0"])
def test_cells(name, batched, with_h0):
    batch = (2,) if batched else ()
    states = [(*batch, 4)] * ((2 if name == "LSTMCell" else 1) if with_h0 else 0)
    call = (lambda m, x, h, c: m(x, (h, c))) if name == "LSTMCell" and with_h0 else None
    kwargs = dict(nonlinearity="relu") if name == "RNNCell" and batched else {}
    check_layer(name, (3, 4), kwargs, [(*batch, 3)] + states, call=call)


# ---------------------------------------------------------------- multi-head attention

def _mask(lib, kind, shape):
    r = np.random.default_rng(1)
    m = r.random(shape) < 0.3
    m[..., 0] = False                                   # every query sees at least one key
    return lib.tensor(m) if kind == "bool" else lib.tensor(np.where(m, -1e9, r.normal(size=shape)))


@pytest.mark.parametrize("kwargs,case", [
    ({}, "self"),
    (dict(batch_first=True), "self"),
    (dict(batch_first=True), "kv"),
    (dict(kdim=3, vdim=5), "cross"),
    (dict(kdim=3, vdim=5, batch_first=True, add_bias_kv=True, add_zero_attn=True), "cross"),
    (dict(bias=False), "cross_same"),
], ids=["self", "self-batch_first", "kv-batch_first", "kdim_vdim", "kdim_vdim-bias_kv-zero_attn", "no_bias"])
@pytest.mark.parametrize("masks", ["none", "bool", "float"])
def test_multihead_attention(kwargs, case, masks):
    E, H, L, S, N = 6, 2, 4, 5, 3
    bf = kwargs.get("batch_first", False)

    def shaped(length, dim):
        return (N, length, dim) if bf else (length, N, dim)

    if case == "self":
        shapes, S = [shaped(L, E)], L
    elif case == "kv":
        shapes = [shaped(L, E), shaped(S, E)]
    else:
        shapes = [shaped(L, E), shaped(S, kwargs.get("kdim", E)), shaped(S, kwargs.get("vdim", E))]

    def call(m, *xs):
        lib = retrograd if isinstance(xs[0], retrograd.Tensor) else torch
        q, k, v = (xs[0],) * 3 if len(xs) == 1 else (xs[0], xs[1], xs[1]) if len(xs) == 2 else xs
        kw = {} if masks == "none" else dict(key_padding_mask=_mask(lib, masks, (N, S)),
                                             attn_mask=_mask(lib, masks, (L, S)))
        return m(q, k, v, **kw)
    check_layer("MultiheadAttention", (E, H), kwargs, shapes, call=call)


def test_multihead_attention_options():
    def call(m, q, k, v):
        return m(q, k, v, attn_mask=_mask(retrograd if isinstance(q, retrograd.Tensor) else torch, "bool", (3, 4, 5)),
                 need_weights=True, average_attn_weights=False)
    check_layer("MultiheadAttention", (6, 3), {}, [(4, 6), (5, 6), (5, 6)], call=call)       # unbatched, per head

    def no_weights(m, q):
        return m(q, q, q, need_weights=False, is_causal=False)
    out = check_layer("MultiheadAttention", (6, 2), {}, [(4, 2, 6)], call=no_weights)[0]
    assert out[1] is None


def test_multihead_attention_inference_fast_path():
    # Eval mode without grad: torch takes its fused path; the numbers are the same.
    ours, theirs = build(retrograd, "MultiheadAttention", 8, 2, batch_first=True), \
        build(torch, "MultiheadAttention", 8, 2, batch_first=True)
    ours.eval(), theirs.eval()
    x = rng.normal(size=(3, 4, 8)).astype(np.float32)
    with retrograd.no_grad(), torch.no_grad():
        xr, xt = retrograd.tensor(x), torch.tensor(x)
        assert_close(ours(xr, xr, xr), theirs(xt, xt, xt), **TOL["float32"])


def test_multihead_attention_dropout_in_training():
    ours, theirs = build(retrograd, "MultiheadAttention", 4, 2, dropout=0.5), \
        build(torch, "MultiheadAttention", 4, 2, dropout=0.5)
    x = rng.normal(size=(3, 2, 4)).astype(np.float32)
    retrograd.manual_seed(5), torch.manual_seed(5)
    xr, xt = retrograd.tensor(x), torch.tensor(x)
    assert_close(ours(xr, xr, xr), theirs(xt, xt, xt), **TOL["float32"])


# ---------------------------------------------------------------- errors

def _unordered_sets(msg):
    """A message with each printed set's items sorted: a set prints in hash order, which can
    differ between two sets with the same items (torch's and ours)."""
    return re.sub(r"\{[^{}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))), msg)


def raises_same(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(retrograd)
    assert _unordered_sets(str(ours.value)) == _unordered_sets(str(theirs.value))


def _x(lib, *shape, dtype="float32"):
    return lib.zeros(*shape, dtype=getattr(lib, dtype))


ERRORS = {
    "conv groups 0": lambda lib: lib.nn.Conv2d(2, 2, 3, groups=0),
    "conv in_channels % groups": lambda lib: lib.nn.Conv2d(3, 2, 3, groups=2),
    "conv out_channels % groups": lambda lib: lib.nn.Conv1d(2, 3, 3, groups=2),
    "conv padding string": lambda lib: lib.nn.Conv2d(2, 2, 3, padding="full"),
    "conv same strided": lambda lib: lib.nn.Conv2d(2, 2, 3, stride=2, padding="same"),
    "conv padding_mode": lambda lib: lib.nn.Conv2d(2, 2, 3, padding_mode="mirror"),
    "conv transpose padding_mode": lambda lib: lib.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"),
    "conv transpose output_size length":
        lambda lib: lib.nn.ConvTranspose2d(2, 2, 3, stride=2)(_x(lib, 1, 2, 4, 4), output_size=[9]),
    "conv transpose output_size range":
        lambda lib: lib.nn.ConvTranspose2d(2, 2, 3, stride=2)(_x(lib, 1, 2, 4, 4), output_size=[9, 11]),
    "conv bad input": lambda lib: lib.nn.Conv2d(2, 2, 3)(_x(lib, 1, 3, 5, 5)),
    "circular pad rank": lambda lib: lib.nn.CircularPad2d(1)(_x(lib, 4, 4)),
    "rnn nonlinearity": lambda lib: lib.nn.RNN(3, 4, nonlinearity="gelu"),
    "gru proj_size": lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    "lstm proj_size": lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    "rnn dropout": lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    "rnn input_size type": lambda lib: lib.nn.RNN(3.0, 4),
    "rnn hidden_size": lambda lib: lib.nn.GRU(3, 0),
    "rnn num_layers": lambda lib: lib.nn.GRU(3, 4, num_layers=0),
    "rnn batch_first type": lambda lib: lib.nn.GRU(3, 4, batch_first=1),
    "rnn 1-D input": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5)),
    "gru 4-D input": lambda lib: lib.nn.GRU(3, 4)(_x(lib, 5, 2, 3, 1)),
    "lstm 1-D input": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 3)),
    "rnn input_size": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5, 2, 5)),
    "rnn dtype": lambda lib: lib.nn.GRU(3, 4)(_x(lib, 5, 2, 3, dtype="float64")),
    "rnn hidden dtype": lambda lib: lib.nn.GRU(3, 4)(_x(lib, 5, 2, 3), _x(lib, 1, 2, 4, dtype="float64")),
    "cell dtype": lambda lib: lib.nn.RNNCell(3, 4)(_x(lib, 2, 3, dtype="float64")),
    "rnn hidden size": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5, 2, 3), _x(lib, 1, 3, 4)),
    "rnn hidden rank": lambda lib: lib.nn.GRU(3, 4)(_x(lib, 5, 2, 3), _x(lib, 2, 4)),
    "rnn unbatched hidden rank": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5, 3), _x(lib, 1, 2, 4)),
    "lstm cell size": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 5, 2, 3), (_x(lib, 1, 2, 4), _x(lib, 1, 3, 4))),
    "lstm hidden rank": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 5, 2, 3), (_x(lib, 1, 2, 4), _x(lib, 2, 4))),
    "lstm proj hidden size":
        lambda lib: lib.nn.LSTM(3, 4, proj_size=2)(_x(lib, 5, 2, 3), (_x(lib, 1, 2, 4), _x(lib, 1, 2, 4))),
    "rnn empty sequence": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 0, 2, 3)),
    "cell input rank": lambda lib: lib.nn.RNNCell(3, 4)(_x(lib, 2, 3, 3)),
    "cell hidden rank": lambda lib: lib.nn.GRUCell(3, 4)(_x(lib, 2, 3), _x(lib, 1, 2, 4)),
    "lstm cell hx rank": lambda lib: lib.nn.LSTMCell(3, 4)(_x(lib, 2, 3), (_x(lib, 2, 4), _x(lib, 1, 2, 4))),
    "cell input_size": lambda lib: lib.nn.RNNCell(3, 4)(_x(lib, 2, 5)),
    "cell batch": lambda lib: lib.nn.GRUCell(3, 4)(_x(lib, 2, 3), _x(lib, 3, 4)),
    "cell hidden_size": lambda lib: lib.nn.LSTMCell(3, 4)(_x(lib, 2, 3), (_x(lib, 2, 4), _x(lib, 2, 5))),
    "mha divisible": lambda lib: lib.nn.MultiheadAttention(6, 4),
    "mha sizes": lambda lib: lib.nn.MultiheadAttention(0, 2),
    "mha query rank": lambda lib: (lambda m, x: m(x, x, x))(lib.nn.MultiheadAttention(4, 2), _x(lib, 4)),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(case):
    raises_same(ERRORS[case])


def test_rnn_dropout_warning():
    for lib in (torch, retrograd):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got "
                                             "dropout=0.5 and num_layers=1"):
            lib.nn.RNN(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        retrograd.nn.RNN(3, 4, num_layers=2, dropout=0.5)
