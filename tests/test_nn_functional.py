"""retrograd.nn.functional against torch where OpCases can't say it: grad_fn chains, options, errors,
warnings, in-place buffer updates, and the random ops (torch's masks for the same seed, statistics,
and that the gradient uses the same mask as the forward)."""
import warnings

import numpy as np
import pytest

import retrograd
from oracle import torch, assert_close, raises_same, TOL

RF, TF = retrograd.nn.functional, torch.nn.functional
LIBS = (retrograd, torch)
needs = lambda *names: pytest.mark.skipif(not all(hasattr(retrograd.Tensor, n) or hasattr(retrograd, n)
                                                  for n in names), reason=f"needs {names} (other ops files)")


def chain(t):
    """Node names of t's graph, depth first (the same walk for both libraries)."""
    out, stack = [], [t.grad_fn]
    while stack:
        f = stack.pop()
        if f is None or "AccumulateGrad" in f.name():
            continue
        out.append(f.name())
        stack.extend(g for g, _ in f.next_functions)
    return out


def pair(*arrays, dtype="float64", rg=True):
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(a) if isinstance(a, tuple) else np.asarray(a) for a in arrays]
    return [[lib.tensor(a, dtype=getattr(lib, dtype) if a.dtype.kind == "f" else None,
                        requires_grad=rg and a.dtype.kind == "f") for a in arrs] for lib in LIBS]


def same_chain_and_values(fn, *arrays):
    (ins_r, ins_t) = pair(*arrays)
    out_r, out_t = fn(retrograd, *ins_r), fn(torch, *ins_t)
    assert chain(out_r) == chain(out_t)
    assert_close(out_r, out_t, **TOL["float64"])
    return out_r, out_t


IDX = np.array([0, 3, 1])


@pytest.mark.parametrize("fn", [
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction="none"),
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, x.detach().softmax(1)),
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, x.detach().softmax(1), label_smoothing=0.1),
    lambda lib, x, t: lib.nn.functional.nll_loss(x.log_softmax(1), t, reduction="sum"),
    lambda lib, x, t: lib.nn.functional.mse_loss(x, x.detach() * 2),
    lambda lib, x, t: lib.nn.functional.l1_loss(x, x.detach() * 2, reduction="sum"),
    lambda lib, x, t: lib.nn.functional.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid()),
    lambda lib, x, t: lib.nn.functional.binary_cross_entropy_with_logits(x, x.detach().sigmoid()),
    lambda lib, x, t: lib.nn.functional.kl_div(x, x.detach().softmax(1), reduction="batchmean"),
    lambda lib, x, t: lib.nn.functional.poisson_nll_loss(x, x.detach().abs()),
    lambda lib, x, t: lib.nn.functional.layer_norm(x, (4,)),
    lambda lib, x, t: lib.nn.functional.batch_norm(x, None, None, training=True),
    lambda lib, x, t: lib.nn.functional.group_norm(x.view(3, 4, 1), 2),
    lambda lib, x, t: lib.nn.functional.instance_norm(x.view(1, 3, 4)),
    lambda lib, x, t: lib.nn.functional.rms_norm(x, (4,)),
    lambda lib, x, t: lib.nn.functional.softmin(x, 1),
    lambda lib, x, t: lib.nn.functional.softsign(x),
    lambda lib, x, t: lib.nn.functional.prelu(x, lib.tensor([0.25], dtype=x.dtype, requires_grad=True)),
    lambda lib, x, t: lib.nn.functional.embedding(t.clamp(max=2), x),
    lambda lib, x, t: lib.nn.functional.bilinear(x, x, lib.ones(2, 4, 4, dtype=x.dtype, requires_grad=True)),
    lambda lib, x, t: lib.nn.functional.gaussian_nll_loss(x, x.detach() * 2, x.detach().abs()),
])
def test_grad_fn_chain_matches_torch(fn):
    same_chain_and_values(fn, (3, 4), IDX)


@needs("masked_fill")
def test_cross_entropy_label_smoothing_chain():
    same_chain_and_values(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, label_smoothing=0.2), (3, 4), IDX)
    same_chain_and_values(lambda lib, x, t: lib.nn.functional.cross_entropy(
        x, t, lib.tensor([1.0, 2.0, 0.5, 1.0], dtype=x.dtype), ignore_index=1, label_smoothing=0.2), (3, 4), IDX)


@needs("addmm", "matmul")
@pytest.mark.parametrize("shape,bias", [((4,), True), ((3, 4), True), ((3, 4), False), ((2, 3, 4), True),
                                        ((2, 3, 4), False), ((2, 1, 3, 4), True)])
def test_linear_chain(shape, bias):
    def fn(lib, x, w, b):
        return lib.nn.functional.linear(x, w, b if bias else None)
    same_chain_and_values(fn, shape, (5, 4), (5,))


@needs("matmul", "norm")
@pytest.mark.parametrize("fn", [
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, k, is_causal=True, scale=0.3),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, k, attn_mask=lib.tensor([[True, False, True], [False, False, False], [True, True, True]])),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, k, attn_mask=k[0, :, :3].detach()),
])
def test_attention_values_and_grads(fn):
    (ins_r, ins_t) = pair((2, 3, 4), (2, 3, 4), (2, 3, 4))
    out_r, out_t = fn(retrograd, *ins_r), fn(torch, *ins_t)
    assert_close(out_r, out_t, **TOL["float64"])
    assert_close(list(retrograd.autograd.grad(out_r.sum(), ins_r, allow_unused=True)),
                 list(torch.autograd.grad(out_t.sum(), ins_t, allow_unused=True)), **TOL["float64"])


@needs("norm")
@pytest.mark.parametrize("fn", [
    lambda lib, x, y: lib.nn.functional.normalize(x, dim=1),
    lambda lib, x, y: lib.nn.functional.normalize(x, p=1, dim=0),
    lambda lib, x, y: lib.nn.functional.cosine_similarity(x, y),
    lambda lib, x, y: lib.nn.functional.pairwise_distance(x, y),
    lambda lib, x, y: lib.nn.functional.pairwise_distance(x, y, p=3, keepdim=True),
    lambda lib, x, y: lib.nn.functional.triplet_margin_loss(x, y, y * 0.5 + 1, swap=True),
])
def test_norm_composites(fn):
    (ins_r, ins_t) = pair((3, 4), (3, 4))
    out_r, out_t = fn(retrograd, *ins_r), fn(torch, *ins_t)
    assert_close(out_r, out_t, **TOL["float64"])
    assert_close(list(retrograd.autograd.grad(out_r.sum(), ins_r, allow_unused=True)),
                 list(torch.autograd.grad(out_t.sum(), ins_t, allow_unused=True)), **TOL["float64"])


def test_saved_values_have_torch_names():
    x = retrograd.randn(3, 4, requires_grad=True)
    assert RF.leaky_relu(x, 0.2).grad_fn._saved_negative_slope == 0.2
    assert RF.softmax(x, -1).grad_fn._saved_dim == 1
    y = RF.gelu(x, approximate="tanh")
    assert y.grad_fn._saved_approximate == "tanh" and y.grad_fn._saved_self is x
    assert RF.mse_loss(x, x.detach(), reduction="sum").grad_fn._saved_reduction == 2
    assert RF.hardtanh(x, -2, 3).grad_fn._saved_max_val == 3
    assert RF.elu(x.clone(), inplace=True).grad_fn.name() == "EluBackward1"


# ---------------------------------------------------------------- stability

def test_large_logits_stay_finite():
    for lib in LIBS:
        x = lib.tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], requires_grad=True)
        t = lib.tensor([1, 2])
        for out in (lib.nn.functional.log_softmax(x, 1), lib.nn.functional.cross_entropy(x, t),
                    lib.nn.functional.binary_cross_entropy_with_logits(x, x.detach().sign().clamp(min=0)),
                    lib.nn.functional.softplus(x), lib.nn.functional.logsigmoid(x)):
            assert np.isfinite(out.detach().numpy()).all()
            g, = lib.autograd.grad(out.sum(), x)
            assert np.isfinite(g.numpy()).all()
    assert_close(RF.cross_entropy(retrograd.tensor([[1000.0, -1000.0]]), retrograd.tensor([1])),
                 TF.cross_entropy(torch.tensor([[1000.0, -1000.0]]), torch.tensor([1])), **TOL["float32"])


# ---------------------------------------------------------------- buffers, eval mode, reductions

def test_batch_norm_running_stats_like_torch():
    x = np.random.default_rng(1).standard_normal((5, 3, 2))
    res = []
    for lib in LIBS:
        rm, rv = lib.zeros(3), lib.ones(3)
        w = lib.ones(3, requires_grad=True)
        inp = lib.tensor(x, dtype=lib.float32, requires_grad=True)
        y = lib.nn.functional.batch_norm(inp, rm, rv, w, None, training=True, momentum=0.2)
        y2 = lib.nn.functional.batch_norm(inp, rm, rv, w, None, training=False)
        g = lib.autograd.grad((y * y2).sum(), [inp, w])
        res.append((rm, rv, y, y2, list(g), rm._version))
    for a, b in zip(*res):
        assert_close(a, b, **TOL["float32"])


def test_instance_norm_running_stats_like_torch():
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    res = []
    for lib in LIBS:
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        y = lib.nn.functional.instance_norm(lib.tensor(x), rm, rv, momentum=0.5)
        res.append((y, rm, rv))
    assert_close(res[0], res[1], **TOL["float64"])


def test_legacy_reduction_arguments_warn_like_torch():
    for kw in (dict(size_average=False), dict(reduce=False), dict(size_average=True)):
        msgs = []
        outs = []
        for lib in LIBS:
            x = lib.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=lib.float64)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                outs.append(lib.nn.functional.mse_loss(x, x * 0, **kw))
            msgs.append([str(m.message) for m in w])
        assert msgs[0] == msgs[1]
        assert_close(outs[0], outs[1], **TOL["float64"])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.softmax(lib.ones(2, 3)),
    lambda lib: lib.nn.functional.kl_div(lib.ones(2, 3), lib.ones(2, 3)),
    lambda lib: lib.nn.functional.mse_loss(lib.ones(2, 3), lib.ones(3)),
    lambda lib: lib.nn.functional.dropout2d(lib.ones(2, 3, 4), training=False),
])
def test_warnings_like_torch(call):
    got = []
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            call(lib)
        got.append([(m.category, str(m.message)) for m in w if "jit" not in str(m.message)])
    assert got[0] == got[1]


def test_embedding_padding_and_max_norm():
    w0 = np.random.default_rng(3).standard_normal((5, 3)) * 2
    res = []
    for lib in LIBS:
        w = lib.tensor(w0, requires_grad=True)
        idx = lib.tensor([[0, 2, 4], [2, 2, 1]])
        out = lib.nn.functional.embedding(idx, w, padding_idx=2)
        out.sum().backward()
        w2 = lib.tensor(w0)
        lib.nn.functional.embedding(idx, w2, max_norm=1.0)
        res.append((out, w.grad, w2))
    assert_close(res[0], res[1], **TOL["float64"])
    assert (res[0][1].numpy()[2] == 0).all()


def test_one_hot_like_torch():
    for args in ((np.array([0, 2, 1]),), (np.array([[0], [3]]), 5), (np.zeros(0, np.int64), 3)):
        out = [lib.nn.functional.one_hot(lib.tensor(args[0], dtype=lib.int64), *args[1:]) for lib in LIBS]
        assert_close(out[0], out[1], **TOL["float64"])


# ---------------------------------------------------------------- errors, as torch words them

X = np.arange(12.0).reshape(3, 4) / 12


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
    lambda lib: lib.nn.functional.dropout(lib.ones(2), -0.1),
    lambda lib: lib.nn.functional.alpha_dropout(lib.ones(2), 2.0),
    lambda lib: lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5)),
    lambda lib: lib.nn.functional.gelu(lib.ones(2), approximate="foo"),
    lambda lib: lib.nn.functional.softshrink(lib.ones(2), -1.0),
    lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 2.0, 1.0),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 3)),
    lambda lib: lib.nn.functional.glu(lib.ones(())),
    lambda lib: lib.nn.functional.celu(lib.ones(2), 0.0),
    lambda lib: lib.nn.functional.leaky_relu_(lib.ones(2, requires_grad=True).clone(), -0.1).sum().backward(),
    lambda lib: lib.nn.functional.elu(lib.ones(2, requires_grad=True).clone(), -1.0, inplace=True).sum().backward(),
    lambda lib: lib.nn.functional.celu(lib.ones(2, requires_grad=True).clone(), -1.0, inplace=True).sum().backward(),
    lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2)),
    lambda lib: lib.nn.functional.prelu(lib.ones(()), lib.ones(2)),
    lambda lib: lib.nn.functional.rrelu(lib.ones(2), 0.5, 0.2, training=True),
    lambda lib: lib.nn.functional.softmax(lib.tensor([1, 2]), 0),
    lambda lib: lib.nn.functional.log_softmax(lib.tensor([[1, 2]]), 0),
    lambda lib: lib.nn.functional.elu(lib.tensor([1, 2])),
    lambda lib: lib.nn.functional.softmax(lib.ones(2, 3), 2),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.tensor([0, 1, 5])),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.tensor([0.0, 1, 2])),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.tensor([0, 1, 2], dtype=lib.int32)),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.tensor([0, 1, 2]), lib.ones(3)),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.zeros(3, 1, dtype=lib.int64)),
    lambda lib: lib.nn.functional.nll_loss(lib.ones(2, 3, 4), lib.zeros(2, 5, dtype=lib.int64)),
    lambda lib: lib.nn.functional.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 5, 5, dtype=lib.int64)),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(1.0), lib.tensor(0)),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X), lib.tensor([0, 1, 2]), reduction="foo"),
    lambda lib: lib.nn.functional.nll_loss(lib.tensor(X, requires_grad=True), lib.tensor([0, 1, 2]),
                                           lib.ones(4, requires_grad=True)),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(X), lib.tensor([0, 1, 2]), label_smoothing=1.5),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(X), lib.tensor(X), ignore_index=1),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(X), lib.tensor([0.0, 1, 2])),
    lambda lib: lib.nn.functional.mse_loss(lib.tensor(X), lib.tensor(X), reduction="foo"),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(X) * 2, lib.tensor(X)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(X), lib.tensor(X[0])),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(X), lib.tensor(X), lib.ones(4, requires_grad=True)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.tensor(X), lib.tensor(X[0])),
    lambda lib: lib.nn.functional.soft_margin_loss(lib.tensor(X), lib.tensor(X, requires_grad=True)),
    lambda lib: lib.nn.functional.smooth_l1_loss(lib.tensor(X), lib.tensor(X), beta=-1.0),
    lambda lib: lib.nn.functional.huber_loss(lib.tensor(X), lib.tensor(X), delta=0.0),
    lambda lib: lib.nn.functional.triplet_margin_loss(lib.tensor(X), lib.tensor(X), lib.tensor(X), margin=0),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.tensor(X), lib.tensor(X), lib.ones(3, 1)),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.tensor(X), lib.tensor(X), lib.ones(())),
    lambda lib: lib.nn.functional.margin_ranking_loss(lib.tensor(X), lib.tensor(X), lib.ones(3)),
    lambda lib: lib.nn.functional.gaussian_nll_loss(lib.tensor(X), lib.tensor(X), lib.ones(2)),
    lambda lib: lib.nn.functional.gaussian_nll_loss(lib.tensor(X), lib.tensor(X), -lib.ones(3, 4)),
    lambda lib: lib.nn.functional.multilabel_soft_margin_loss(lib.tensor(X), lib.tensor(X), reduction="x"),
    lambda lib: lib.nn.functional.layer_norm(lib.tensor(X), (3,)),
    lambda lib: lib.nn.functional.layer_norm(lib.tensor(X).float(), (4,), lib.ones(3)),
    lambda lib: lib.nn.functional.batch_norm(lib.tensor(X), lib.zeros(3), lib.ones(4)),
    lambda lib: lib.nn.functional.batch_norm(lib.tensor(X), None, None),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(1, 4), None, None, training=True),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, 3), 3),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, 3), 2, lib.ones(3)),
    lambda lib: lib.nn.functional.group_norm(lib.ones(4), 2),
    lambda lib: lib.nn.functional.instance_norm(lib.ones(2, 3, 1)),
    lambda lib: lib.nn.functional.rms_norm(lib.tensor(X), (3,)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.ones(3, 2)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0.0]), lib.ones(3, 2)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0]), lib.ones(3, 2), padding_idx=3),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 3]), 3),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([0, -1])),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0, 1.0])),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.int64)),
    lambda lib: lib.nn.functional.bilinear(lib.ones(3, 4), lib.ones(2, 2), lib.ones(5, 4, 2)),
    lambda lib: lib.nn.functional.bilinear(lib.ones(3, 4), lib.ones(3), lib.ones(5, 4, 2)),
    lambda lib: lib.nn.functional.bilinear(lib.ones(3, 4), lib.ones(3, 3), lib.ones(5, 4, 2)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.ones(2, 3, 4), lib.ones(2, 3, 4), lib.ones(2, 3, 4),
                                                               attn_mask=lib.ones(3, 3, dtype=lib.bool),
                                                               is_causal=True),
    lambda lib: lib.nn.functional.local_response_norm(lib.ones(3, 4), 2),
])
def test_errors_like_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_same(call)


# ---------------------------------------------------------------- random ops: statistics and masks

def test_dropout_mask_statistics_and_gradient():
    retrograd.manual_seed(0)
    x = retrograd.ones(200, 100, dtype=retrograd.float64, requires_grad=True)
    y = RF.dropout(x, 0.3)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.7)
    g, = retrograd.autograd.grad((y * 3).sum(), x)
    np.testing.assert_allclose(g.numpy(), 3 * kept / 0.7)          # the same mask
    assert y.grad_fn.name() == "MulBackward0"


def test_dropout_identity_cases_and_seed():
    x = retrograd.randn(4, 5, requires_grad=True)
    assert RF.dropout(x, 0.0) is x and RF.dropout(x, 0.5, training=False) is x
    assert RF.alpha_dropout(x, 0.5) is x and retrograd.equal(RF.dropout1d(x, 0.5, False), x)
    z = RF.dropout(x, 1.0)
    assert (z.detach().numpy() == 0).all() and z.grad_fn.name() == "MulBackward0"
    retrograd.manual_seed(7)
    a = RF.dropout(x, 0.5)
    retrograd.manual_seed(7)
    b = RF.dropout(x, 0.5)
    assert retrograd.equal(a, b)
    y = x.clone()
    assert RF.dropout(y, 0.5, inplace=True) is y


def test_feature_dropout_drops_whole_channels():
    retrograd.manual_seed(1)
    for fn, shape in ((RF.dropout1d, (8, 6, 5)), (RF.dropout1d, (6, 5)), (RF.dropout2d, (8, 6, 3, 3)),
                      (RF.dropout3d, (4, 6, 2, 2, 2)), (RF.feature_alpha_dropout, (8, 6, 5))):
        x = retrograd.ones(*shape, requires_grad=True)
        kw = {"training": True} if fn is RF.feature_alpha_dropout else {}
        y = fn(x, 0.5, **kw).detach().numpy()
        flat = y.reshape(y.shape[:2] + (-1,)) if len(shape) > 2 else y.reshape(1, shape[0], -1)
        assert (flat == flat[..., :1]).all()                     # one value per channel
        assert y.shape == shape


def test_alpha_dropout_keeps_mean_and_variance():
    retrograd.manual_seed(2)
    x = retrograd.randn(400, 250, dtype=retrograd.float64, requires_grad=True)
    y = RF.alpha_dropout(x, 0.2, training=True)
    assert abs(float(y.mean()) - float(x.mean())) < 0.02
    assert abs(float(y.detach().numpy().std()) - 1) < 0.02
    g, = retrograd.autograd.grad(y.sum(), x)
    a = 1.0 / np.sqrt((1.7580993408473766 ** 2 * 0.2 + 1) * 0.8)
    assert set(np.round(np.unique(g.numpy()), 12)) <= {0.0, round(a, 12)}
    assert chain(y) == ["AddBackward0", "MulBackward0"]


def test_rrelu_training_slopes_and_gradient():
    retrograd.manual_seed(3)
    x = -retrograd.rand(1000, dtype=retrograd.float64) - 0.1
    x.requires_grad_()
    y = RF.rrelu(x, 0.1, 0.3, training=True)
    slope = (y / x).detach().numpy()
    assert slope.min() >= 0.1 and slope.max() <= 0.3 and slope.std() > 0.03
    g, = retrograd.autograd.grad(y.sum(), x)
    np.testing.assert_allclose(g.numpy(), slope)
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    pos = RF.rrelu(retrograd.ones(3), training=True)
    assert (pos.numpy() == 1).all()


def test_gumbel_softmax():
    retrograd.manual_seed(4)
    x = retrograd.randn(5, 4, dtype=retrograd.float64, requires_grad=True)
    y = RF.gumbel_softmax(x, tau=0.5)
    np.testing.assert_allclose(y.detach().numpy().sum(1), 1)
    h = RF.gumbel_softmax(x, hard=True)
    assert set(np.unique(h.detach().numpy())) <= {0.0, 1.0} and (h.detach().numpy().sum(1) == 1).all()
    g, = retrograd.autograd.grad((h * retrograd.arange(4.0, dtype=retrograd.float64)).sum(), x)
    assert np.isfinite(g.numpy()).all() and np.abs(g.numpy()).sum() > 0


@pytest.mark.parametrize("call", [
    lambda lib, x, y: lib.kl_div(x, y.softmax(1), 2),
    lambda lib, x, y: lib.kl_div(x, y, 0, log_target=True),
    lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y.sigmoid(), None, None, 2),
    lambda lib, x, y: lib.margin_ranking_loss(x, y, y.sign(), 0.1, 0),
    lambda lib, x, y: lib.hinge_embedding_loss(x, y.sign(), 0.5, 1),
    lambda lib, x, y: lib.cosine_embedding_loss(x, y, lib.tensor([1.0, -1.0, 1.0], dtype=x.dtype), 0.0, 1),
    pytest.param(lambda lib, x, y: lib.triplet_margin_loss(x, y, y * 2, 1.0, 2, 1e-6, False, 2), marks=needs("norm")),
    lambda lib, x, y: lib.poisson_nll_loss(x, y.abs(), True, False, 1e-8, 1),
    lambda lib, x, y: lib.pdist(x, 2),
    lambda lib, x, y: lib.layer_norm(x, [4], None, None, 1e-5, True),
    lambda lib, x, y: lib.group_norm(x.view(3, 4, 1), 2, None, None, 1e-5, True),
    lambda lib, x, y: lib.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, True),
    lambda lib, x, y: lib.embedding(x, lib.tensor([0, 2])),
    lambda lib, x, y: lib.selu(x) + lib.celu(y, 0.5) + lib.rrelu(x) + lib.threshold(x, 0.1, 2.0),
    lambda lib, x, y: lib.softmax(x, 0) + lib.log_softmax(y, 1, dtype=lib.float64) + x.hardshrink(0.3),
    pytest.param(lambda lib, x, y: lib.cosine_similarity(x, y, 0), marks=needs("norm")),
    lambda lib, x, y: lib.nn.functional.triplet_margin_with_distance_loss(
        x, y, y * 2, distance_function=lambda a, b: (a - b).abs().sum(-1), swap=True, margin=0.5),
    lambda lib, x, y: lib.native_layer_norm(x, [4], y[0], None, 1e-5)[0],
    lambda lib, x, y: (lambda o: o[0] * o[1] + o[2])(lib.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)),
    lambda lib, x, y: lib.native_group_norm(x.view(3, 4, 1), y[0], None, 3, 4, 1, 2, 1e-5)[0],
    lambda lib, x, y: lib.feature_alpha_dropout(x, 0.5, False) * lib.alpha_dropout(y, 0.0, True),
])
def test_torch_level_forms(call):
    (ins_r, ins_t) = pair((3, 4), (3, 4))
    out_r, out_t = call(retrograd, *ins_r), call(torch, *ins_t)
    assert_close(out_r, out_t, **TOL["float64"])
    assert_close(list(retrograd.autograd.grad(out_r.sum(), ins_r, allow_unused=True)),
                 list(torch.autograd.grad(out_t.sum(), ins_t, allow_unused=True)), **TOL["float64"])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.multi_margin_loss(lib.tensor(X), lib.tensor([0, 1, 2]), p=3),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.tensor(X), lib.tensor([0, 1, 4])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.tensor(X), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.tensor(X), lib.tensor([0, 1, 2]), weight=lib.ones(2, 2)),
    lambda lib: lib.pdist(lib.ones(3)),
    lambda lib: lib.pdist(lib.ones(3, 2), -1),
])
def test_more_errors_like_torch(call):
    raises_same(call)


def _mha(lib, arrays, self_attn, need_weights, bias_kv, zero_attn, mask, padding=False):
    t = {k: lib.tensor(a, requires_grad=True) for k, a in arrays.items()}
    q = t["q"]
    k, v = (q, q) if self_attn else (t["k"], t["v"])
    s = k.shape[0]
    m = t["m"][:, :s].detach() if mask else None
    kpm = lib.tensor([[False] * (s - 1) + [True], [False] * s]) if padding else None
    out, w = lib.nn.functional.multi_head_attention_forward(
        q, k, v, 4, 2, t["w"], t["b"], t["bk"] if bias_kv else None, t["bv"] if bias_kv else None, zero_attn, 0.0,
        t["ow"], t["ob"], need_weights=need_weights, attn_mask=m, key_padding_mask=kpm)
    total = out.sum() + (w.sum() * 0.5 if w is not None else 0)
    return [out, w] + list(lib.autograd.grad(total, list(t.values()), allow_unused=True))


MHA_ARRAYS = {k: np.random.default_rng(5).standard_normal(s) for k, s in dict(
    q=(3, 2, 4), k=(5, 2, 4), v=(5, 2, 4), w=(12, 4), b=(12,), ow=(4, 4), ob=(4,), bk=(1, 1, 4), bv=(1, 1, 4),
    m=(3, 5)).items()}


@needs("bmm", "baddbmm", "cat", "repeat", "split", "chunk", "unflatten")
@pytest.mark.parametrize("self_attn", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("bias_kv,zero_attn,mask", [(False, False, False), (True, False, True), (False, True, True),
                                                    (True, True, False)])
def test_multi_head_attention_forward(self_attn, need_weights, bias_kv, zero_attn, mask):
    ours = _mha(retrograd, MHA_ARRAYS, self_attn, need_weights, bias_kv, zero_attn, mask)
    theirs = _mha(torch, MHA_ARRAYS, self_attn, need_weights, bias_kv, zero_attn, mask)
    assert_close(ours, theirs, **TOL["float64"])


@needs("bmm", "baddbmm", "cat", "split", "chunk", "unflatten", "masked_fill_")
@pytest.mark.parametrize("need_weights", [True, False])
def test_multi_head_attention_key_padding_mask(need_weights):
    ours = _mha(retrograd, MHA_ARRAYS, False, need_weights, False, False, False, padding=True)
    theirs = _mha(torch, MHA_ARRAYS, False, need_weights, False, False, False, padding=True)
    assert_close(ours, theirs, **TOL["float64"])


BAG_W = np.random.default_rng(6).standard_normal((6, 3))
BAG_IDX, BAG_OFF, BAG_PSW = np.array([0, 2, 4, 5, 4, 3, 2, 1]), np.array([0, 2, 2, 5]), np.linspace(-1, 1, 8)


def _bag(lib, mode, two_d, psw, pad, sgf, last):
    w = lib.tensor(BAG_W, requires_grad=True)
    p = lib.tensor(BAG_PSW, requires_grad=True) if psw else None
    if two_d:
        out = lib.nn.functional.embedding_bag(lib.tensor(BAG_IDX.reshape(2, 4)), w, mode=mode, padding_idx=pad,
                                              per_sample_weights=None if p is None else p.reshape(2, 4),
                                              scale_grad_by_freq=sgf)
    else:
        off = np.append(BAG_OFF, 8) if last else BAG_OFF
        out = lib.nn.functional.embedding_bag(lib.tensor(BAG_IDX), w, lib.tensor(off), mode=mode, padding_idx=pad,
                                              per_sample_weights=p, scale_grad_by_freq=sgf, include_last_offset=last)
    v = lib.tensor(np.arange(out.numel()).reshape(tuple(out.shape)) % 5 - 2.0, dtype=out.dtype)
    # first order only: torch has no derivative for _embedding_bag_backward
    return [out] + list(lib.autograd.grad((out * v).sum(), [w] + ([p] if p is not None else [])))


def test_embedding_bag_scale_grad_by_freq():
    # torch 2.13 divides embedding_bag's rows by misplaced counts here (rows 3, 4, 5 get 0.5, 2, 0.5);
    # retrograd divides each row by its own count, as torch's embedding does
    w = retrograd.ones(6, 1, requires_grad=True)
    idx = retrograd.tensor(BAG_IDX)
    out = RF.embedding_bag(idx, w, retrograd.tensor(BAG_OFF), mode="sum", scale_grad_by_freq=True)
    g, = retrograd.autograd.grad(out.sum(), w)
    tw = torch.ones(6, 1, requires_grad=True)
    ref, = torch.autograd.grad(TF.embedding(torch.tensor(BAG_IDX), tw, scale_grad_by_freq=True).sum(), tw)
    np.testing.assert_allclose(g.numpy(), ref.numpy())


@pytest.mark.parametrize("mode,psw,sgf", [("sum", False, False), ("sum", True, False), ("mean", False, False),
                                          ("max", False, False)])
@pytest.mark.parametrize("two_d,last", [(False, False), (False, True), (True, False)])
@pytest.mark.parametrize("pad", [None, 4])
def test_embedding_bag(mode, psw, sgf, two_d, last, pad):
    assert_close(_bag(retrograd, mode, two_d, psw, pad, sgf, last), _bag(torch, mode, two_d, psw, pad, sgf, last),
                 **TOL["float64"])
    assert _bag(retrograd, mode, two_d, psw, pad, sgf, last)[0].grad_fn.name() == "EmbeddingBagBackward0"


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([0, 1]), lib.ones(3, 2)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([[0, 1]]), lib.ones(3, 2), mode="foo"),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([[0, 1]]), lib.ones(3, 2), mode="max",
                                                scale_grad_by_freq=True),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([[0, 1]]), lib.ones(3, 2), per_sample_weights=lib.ones(1, 2)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([[0, 1]]), lib.ones(3, 2), per_sample_weights=lib.ones(2)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([[0, 1]]), lib.ones(3)),
    lambda lib: lib.nn.functional.embedding_bag(lib.ones(1, 1, 2, dtype=lib.int64), lib.ones(3, 2)),
])
def test_embedding_bag_errors(call):
    raises_same(call)


@needs("masked_fill")
def test_poisson_nll_loss_full():
    same_chain_and_values(lambda lib, x, t: lib.nn.functional.poisson_nll_loss(x, x.detach().abs() * 3, full=True),
                          (3, 4), IDX)


def test_kl_div_zero_targets_have_finite_gradients():
    out = []
    for lib in LIBS:
        x = lib.tensor([[-1.0, -2.0, -0.5]], dtype=lib.float64, requires_grad=True)
        t = lib.tensor([[0.0, 0.3, 0.7]], dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.kl_div(x, t, reduction="sum")
        out.append([loss] + list(lib.autograd.grad(loss, [x, t])))
    assert_close(out[0], out[1], **TOL["float64"])


def _same_bernoulli_stream():
    """torch draws bernoulli_(p) from MKL's stream on some Intel builds; there no mask can match."""
    out = []
    for lib in LIBS:
        lib.manual_seed(11)
        out.append(lib.empty(64).bernoulli_(0.5).numpy())
    return np.array_equal(*out)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.dropout(x, 0.3),
    lambda lib, x: lib.nn.functional.dropout(x * 1, 0.3, inplace=True),
    lambda lib, x: lib.nn.functional.dropout1d(x, 0.4),
    lambda lib, x: lib.nn.functional.dropout3d(x.unsqueeze(0), 0.4),
    lambda lib, x: lib.nn.functional.alpha_dropout(x, 0.2, True),
    lambda lib, x: lib.nn.functional.feature_alpha_dropout(x, 0.2, True),
    lambda lib, x: lib.dropout(x, 0.5, True),
])
def test_dropout_masks_are_torchs(call, dtype):
    if not _same_bernoulli_stream():
        pytest.skip("this torch build draws bernoulli from MKL's stream")
    res = []
    for lib in LIBS:
        lib.manual_seed(3)
        x = lib.tensor(np.linspace(-2, 2, 60).reshape(3, 4, 5), dtype=getattr(lib, dtype), requires_grad=True)
        y = call(lib, x)
        res.append([y, lib.autograd.grad((y * y).sum(), x)[0]])
    assert_close(res[0], res[1], rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_and_gumbel_noise_are_torchs(dtype):
    res = []
    for lib in LIBS:
        lib.manual_seed(5)
        x = lib.tensor(np.linspace(-2, 2, 60).reshape(3, 4, 5), dtype=getattr(lib, dtype), requires_grad=True)
        y = lib.nn.functional.rrelu(x, 0.1, 0.3, training=True)
        z = lib.nn.functional.gumbel_softmax(x, tau=0.5, hard=True)
        res.append([y, z] + list(lib.autograd.grad((y * y).sum() + (z * x).sum(), x)))
    assert_close(res[0], res[1], **TOL[dtype])
