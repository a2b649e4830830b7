"""nn modules against torch: forward, gradients (input and every parameter), default init,
reprs, state_dict, hooks, containers, train/eval, nn.utils.

A layer case is a constructor run on both libraries (`lambda lib: lib.nn.Linear(4, 3)`)
plus its inputs; torch's weights are copied into ours with `load_state_dict`.
"""
import re
import warnings

import numpy as np
import pytest

import retrograd
from oracle import assert_close, to_np

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------ layer cases
def x(*shape):
    return ("x", shape)            # float input that requires grad


def t(kind, *shape, high=None):
    return (kind, shape, high)     # a target: no grad


def make(rng, spec):
    """(array, requires_grad) for one input spec."""
    kind, shape = spec[0], spec[1]
    if kind == "x":
        return rng.standard_normal(shape), True
    if kind == "pos":
        return rng.uniform(0.2, 1.5, shape), True
    if kind == "prob":
        return rng.uniform(0.05, 0.95, shape), True
    if kind == "logp":
        a = rng.standard_normal(shape)
        return a - np.log(np.exp(a).sum(-1, keepdims=True)), True
    if kind == "target":
        return rng.standard_normal(shape), False
    if kind == "tprob":
        return rng.uniform(0.05, 0.95, shape), False
    if kind == "tdist":
        a = rng.uniform(0.1, 1, shape)
        return a / a.sum(-1, keepdims=True), False
    if kind == "tpos":
        return rng.uniform(0.2, 1.5, shape), False
    if kind == "sign":
        return rng.choice([-1.0, 1.0], shape), False
    if kind == "binary":
        return rng.choice([0.0, 1.0], shape), False
    if kind == "long":
        return rng.integers(0, spec[2], shape), False
    raise ValueError(kind)


def f64(lib, values):
    return lib.tensor(values, dtype=lib.float64)


LAYERS = [
    ("Linear", lambda lib: lib.nn.Linear(4, 3), [x(2, 4)]),
    ("Linear-nobias-3d", lambda lib: lib.nn.Linear(4, 3, bias=False), [x(2, 5, 4)]),
    ("Bilinear", lambda lib: lib.nn.Bilinear(3, 4, 2), [x(5, 3), x(5, 4)]),
    ("Identity", lambda lib: lib.nn.Identity(54, unused=1), [x(2, 3)]),
    ("Flatten", lambda lib: lib.nn.Flatten(), [x(2, 3, 4)]),
    ("Flatten-0-1", lambda lib: lib.nn.Flatten(0, 1), [x(2, 3, 4)]),
    ("Unflatten", lambda lib: lib.nn.Unflatten(1, (2, 3)), [x(4, 6)]),
    ("Sequential", lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 2)),
     [x(3, 4)]),
    # activations
    ("ReLU", lambda lib: lib.nn.ReLU(), [x(3, 5)]),
    ("ReLU6", lambda lib: lib.nn.ReLU6(), [x(3, 5)]),
    ("LeakyReLU", lambda lib: lib.nn.LeakyReLU(0.2), [x(3, 5)]),
    ("ELU", lambda lib: lib.nn.ELU(0.5), [x(3, 5)]),
    ("SELU", lambda lib: lib.nn.SELU(), [x(3, 5)]),
    ("CELU", lambda lib: lib.nn.CELU(1.5), [x(3, 5)]),
    ("GELU", lambda lib: lib.nn.GELU(), [x(3, 5)]),
    ("GELU-tanh", lambda lib: lib.nn.GELU(approximate="tanh"), [x(3, 5)]),
    ("SiLU", lambda lib: lib.nn.SiLU(), [x(3, 5)]),
    ("Mish", lambda lib: lib.nn.Mish(), [x(3, 5)]),
    ("Sigmoid", lambda lib: lib.nn.Sigmoid(), [x(3, 5)]),
    ("Tanh", lambda lib: lib.nn.Tanh(), [x(3, 5)]),
    ("Softplus", lambda lib: lib.nn.Softplus(beta=2, threshold=1), [x(3, 5)]),
    ("Softmax", lambda lib: lib.nn.Softmax(dim=1), [x(3, 5)]),
    ("LogSoftmax", lambda lib: lib.nn.LogSoftmax(dim=-1), [x(3, 5)]),
    ("Softmin", lambda lib: lib.nn.Softmin(dim=0), [x(3, 5)]),
    ("Softmax2d", lambda lib: lib.nn.Softmax2d(), [x(2, 3, 2, 2)]),
    ("Hardtanh", lambda lib: lib.nn.Hardtanh(-0.5, 0.7), [x(3, 5)]),
    ("Hardsigmoid", lambda lib: lib.nn.Hardsigmoid(), [x(3, 5)]),
    ("Hardswish", lambda lib: lib.nn.Hardswish(), [x(3, 5)]),
    ("LogSigmoid", lambda lib: lib.nn.LogSigmoid(), [x(3, 5)]),
    ("PReLU", lambda lib: lib.nn.PReLU(), [x(3, 5)]),
    ("PReLU-channels", lambda lib: lib.nn.PReLU(3, init=0.1), [x(2, 3, 4)]),
    ("Threshold", lambda lib: lib.nn.Threshold(0.1, 20.0), [x(3, 5)]),
    ("GLU", lambda lib: lib.nn.GLU(dim=1), [x(3, 4)]),
    ("Softsign", lambda lib: lib.nn.Softsign(), [x(3, 5)]),
    ("Tanhshrink", lambda lib: lib.nn.Tanhshrink(), [x(3, 5)]),
    ("Softshrink", lambda lib: lib.nn.Softshrink(0.3), [x(3, 5)]),
    ("Hardshrink", lambda lib: lib.nn.Hardshrink(0.3), [x(3, 5)]),
    # losses
    ("MSELoss", lambda lib: lib.nn.MSELoss(), [x(3, 4), x(3, 4)]),
    ("MSELoss-sum", lambda lib: lib.nn.MSELoss(reduction="sum"), [x(3, 4), t("target", 3, 4)]),
    ("L1Loss", lambda lib: lib.nn.L1Loss(reduction="none"), [x(3, 4), t("target", 3, 4)]),
    ("SmoothL1Loss", lambda lib: lib.nn.SmoothL1Loss(beta=0.5), [x(3, 4), t("target", 3, 4)]),
    ("HuberLoss", lambda lib: lib.nn.HuberLoss(delta=0.7), [x(3, 4), t("target", 3, 4)]),
    ("CrossEntropyLoss", lambda lib: lib.nn.CrossEntropyLoss(), [x(4, 5), t("long", 4, high=5)]),
    ("CrossEntropyLoss-weight-smooth", lambda lib: lib.nn.CrossEntropyLoss(
        weight=f64(lib, [1.0, 2.0, 0.5, 1.5, 1.0]), label_smoothing=0.1), [x(6, 5), t("long", 6, high=5)]),
    ("CrossEntropyLoss-ignore", lambda lib: lib.nn.CrossEntropyLoss(ignore_index=2, reduction="sum"),
     [x(6, 5), t("long", 6, high=5)]),
    ("CrossEntropyLoss-none-2d", lambda lib: lib.nn.CrossEntropyLoss(reduction="none"),
     [x(2, 5, 3), t("long", 2, 3, high=5)]),
    ("CrossEntropyLoss-probs", lambda lib: lib.nn.CrossEntropyLoss(label_smoothing=0.2),
     [x(4, 5), t("tdist", 4, 5)]),
    ("NLLLoss", lambda lib: lib.nn.NLLLoss(weight=f64(lib, [1.0, 3.0, 0.5])), [("logp", (5, 3)),
                                                                              t("long", 5, high=3)]),
    ("BCELoss", lambda lib: lib.nn.BCELoss(), [("prob", (3, 4)), t("tprob", 3, 4)]),
    ("BCELoss-weight", lambda lib: lib.nn.BCELoss(weight=f64(lib, [1.0, 2.0, 3.0, 4.0])),
     [("prob", (3, 4)), t("binary", 3, 4)]),
    ("BCEWithLogitsLoss", lambda lib: lib.nn.BCEWithLogitsLoss(pos_weight=f64(lib, [1.0, 2.0, 0.5, 3.0])),
     [x(3, 4), t("binary", 3, 4)]),
    ("KLDivLoss", lambda lib: lib.nn.KLDivLoss(reduction="batchmean"), [("logp", (3, 4)), t("tdist", 3, 4)]),
    ("KLDivLoss-logtarget", lambda lib: lib.nn.KLDivLoss(reduction="sum", log_target=True),
     [("logp", (3, 4)), t("target", 3, 4)]),
    ("PoissonNLLLoss", lambda lib: lib.nn.PoissonNLLLoss(), [x(3, 4), t("tpos", 3, 4)]),
    ("PoissonNLLLoss-full", lambda lib: lib.nn.PoissonNLLLoss(log_input=False, full=True),
     [("pos", (3, 4)), t("tpos", 3, 4)]),
    ("GaussianNLLLoss", lambda lib: lib.nn.GaussianNLLLoss(), [x(3, 4), t("target", 3, 4), ("pos", (3, 4))]),
    ("HingeEmbeddingLoss", lambda lib: lib.nn.HingeEmbeddingLoss(margin=0.5), [x(3, 4), t("sign", 3, 4)]),
    ("SoftMarginLoss", lambda lib: lib.nn.SoftMarginLoss(), [x(3, 4), t("sign", 3, 4)]),
    ("MultiLabelSoftMarginLoss", lambda lib: lib.nn.MultiLabelSoftMarginLoss(), [x(3, 4), t("binary", 3, 4)]),
    ("CosineEmbeddingLoss", lambda lib: lib.nn.CosineEmbeddingLoss(margin=0.1), [x(4, 3), x(4, 3), t("sign", 4)]),
    ("MarginRankingLoss", lambda lib: lib.nn.MarginRankingLoss(margin=0.2), [x(5), x(5), t("sign", 5)]),
    ("MultiMarginLoss", lambda lib: lib.nn.MultiMarginLoss(p=2, margin=0.5), [x(4, 5), t("long", 4, high=5)]),
    ("TripletMarginLoss", lambda lib: lib.nn.TripletMarginLoss(margin=0.5), [x(4, 3), x(4, 3), x(4, 3)]),
    ("TripletMarginWithDistanceLoss", lambda lib: lib.nn.TripletMarginWithDistanceLoss(swap=True),
     [x(4, 3), x(4, 3), x(4, 3)]),
    # sparse, distances
    ("Embedding", lambda lib: lib.nn.Embedding(10, 3), [t("long", 2, 4, high=10)]),
    ("Embedding-padding", lambda lib: lib.nn.Embedding(10, 3, padding_idx=-1), [t("long", 3, 5, high=10)]),
    ("Embedding-max_norm", lambda lib: lib.nn.Embedding(10, 3, max_norm=1.0), [t("long", 6, high=10)]),
    ("EmbeddingBag", lambda lib: lib.nn.EmbeddingBag(10, 3, mode="sum"), [t("long", 2, 4, high=10)]),
    ("CosineSimilarity", lambda lib: lib.nn.CosineSimilarity(dim=1), [x(3, 4), x(3, 4)]),
    ("PairwiseDistance", lambda lib: lib.nn.PairwiseDistance(p=3.0, keepdim=True), [x(3, 4), x(3, 4)]),
    # normalization (training mode: batch statistics, running stats updated)
    ("LayerNorm", lambda lib: lib.nn.LayerNorm(5), [x(3, 5)]),
    ("LayerNorm-2d-noaffine", lambda lib: lib.nn.LayerNorm((4, 5), elementwise_affine=False), [x(3, 4, 5)]),
    ("LayerNorm-nobias", lambda lib: lib.nn.LayerNorm(5, bias=False), [x(3, 5)]),
    ("GroupNorm", lambda lib: lib.nn.GroupNorm(2, 4), [x(3, 4, 5)]),
    ("RMSNorm", lambda lib: lib.nn.RMSNorm(5), [x(3, 5)]),
    ("RMSNorm-eps", lambda lib: lib.nn.RMSNorm((2, 5), eps=1e-3), [x(3, 2, 5)]),
    ("LocalResponseNorm", lambda lib: lib.nn.LocalResponseNorm(3), [x(2, 4, 5)]),
    ("BatchNorm1d", lambda lib: lib.nn.BatchNorm1d(4), [x(6, 4)]),
    ("BatchNorm1d-3d", lambda lib: lib.nn.BatchNorm1d(4, momentum=None), [x(6, 4, 3)]),
    ("BatchNorm2d", lambda lib: lib.nn.BatchNorm2d(3), [x(4, 3, 2, 2)]),
    ("BatchNorm2d-noaffine", lambda lib: lib.nn.BatchNorm2d(3, affine=False, momentum=0.3), [x(4, 3, 2, 2)]),
    ("BatchNorm2d-nostats", lambda lib: lib.nn.BatchNorm2d(3, track_running_stats=False), [x(4, 3, 2, 2)]),
    ("BatchNorm3d", lambda lib: lib.nn.BatchNorm3d(2), [x(3, 2, 2, 2, 2)]),
    ("InstanceNorm1d", lambda lib: lib.nn.InstanceNorm1d(3), [x(2, 3, 5)]),
    ("InstanceNorm1d-nobatch", lambda lib: lib.nn.InstanceNorm1d(3, affine=True), [x(3, 5)]),
    ("InstanceNorm2d-stats", lambda lib: lib.nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
     [x(2, 3, 4, 4)]),
    ("InstanceNorm3d", lambda lib: lib.nn.InstanceNorm3d(2), [x(2, 2, 3, 3, 3)]),
]


def copy_weights(src, dst):
    """Load torch module src's state into retrograd module dst (via NumPy copies)."""
    dst.load_state_dict({k: retrograd.from_numpy(v.detach().numpy().copy()) for k, v in src.state_dict().items()})


def run_both(ctor, specs, train=True, seed=None, dtype="float64"):
    """Build the layer in both libraries (ours with torch's weights), run forward and backward."""
    rng = np.random.default_rng(0)
    arrays = [make(rng, s) for s in specs]
    mods = {}
    for lib in (torch, retrograd):
        lib.manual_seed(0)
        m = ctor(lib)
        mods[lib] = m.double() if dtype == "float64" else m
    copy_weights(mods[torch], mods[retrograd])
    results = []
    g_out = None
    for lib in (torch, retrograd):
        m = mods[lib].train(train)
        ins = [lib.tensor(a, requires_grad=g, dtype=getattr(lib, dtype) if a.dtype.kind == "f" else lib.int64)
               for a, g in arrays]
        if seed is not None:
            lib.manual_seed(seed)
        out = m(*ins)
        if out.requires_grad:
            if g_out is None:
                g_out = np.random.default_rng(1).standard_normal(tuple(out.shape))
            (out * lib.tensor(g_out, dtype=out.dtype)).sum().backward()
        results.append(dict(out=out, in_grads=[i.grad for i in ins if i.requires_grad],
                            param_grads={n: p.grad for n, p in m.named_parameters()}, state=m.state_dict()))
    return results, mods


@pytest.mark.parametrize("name,ctor,specs", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_forward_and_gradients_match_torch(name, ctor, specs):
    theirs, ours = run_both(ctor, specs)[0]
    assert_close(ours["out"], theirs["out"], **TOL, what="output")
    assert_close(ours["in_grads"], theirs["in_grads"], **TOL, what="input grads")
    assert list(ours["param_grads"]) == list(theirs["param_grads"])
    for k in theirs["param_grads"]:
        assert_close(ours["param_grads"][k], theirs["param_grads"][k], **TOL, what=f"grad of {k}")
    # Running statistics and other buffers after one training step.
    assert list(ours["state"]) == list(theirs["state"])
    for k in theirs["state"]:
        assert_close(ours["state"][k], theirs["state"][k], **TOL, what=f"state {k}")


@pytest.mark.parametrize("name,ctor,specs", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_repr_matches_torch(name, ctor, specs):
    assert repr(ctor(retrograd)) == repr(ctor(torch))


@pytest.mark.parametrize("name,ctor,specs", LAYERS, ids=[c[0] for c in LAYERS])
def test_default_init_is_torchs_draw_for_draw(name, ctor, specs):
    """After the same manual_seed, a new layer holds exactly torch's float32 parameters and buffers."""
    torch.manual_seed(0)
    theirs = ctor(torch).state_dict()
    retrograd.manual_seed(0)
    ours = ctor(retrograd).state_dict()
    assert list(ours) == list(theirs)
    for k, v in theirs.items():
        assert str(ours[k].dtype) == str(v.dtype)
        np.testing.assert_array_equal(to_np(ours[k]), v.numpy(), err_msg=k)


NORMS = [c for c in LAYERS if "Norm" in c[0] and "Loss" not in c[0]]


@pytest.mark.parametrize("name,ctor,specs", NORMS, ids=[c[0] for c in NORMS])
def test_norm_layer_in_eval_mode_matches_torch(name, ctor, specs):
    theirs, ours = run_both(ctor, specs, train=False)[0]
    assert_close(ours["out"], theirs["out"], **TOL, what="output")
    assert_close(ours["in_grads"], theirs["in_grads"], **TOL, what="input grads")
    for k in theirs["param_grads"]:
        assert_close(ours["param_grads"][k], theirs["param_grads"][k], **TOL, what=f"grad of {k}")


def test_batchnorm_eval_uses_running_stats():
    """Several training steps, then eval: running stats (and num_batches_tracked) as torch's."""
    mods = {}
    rng = np.random.default_rng(3)
    batches = [rng.standard_normal((5, 3, 2)) for _ in range(3)]
    for lib in (torch, retrograd):
        bn = lib.nn.BatchNorm1d(3, momentum=None)
        for b in batches:
            bn(lib.tensor(b, dtype=lib.float32))
        bn.eval()
        mods[lib] = (bn(lib.tensor(batches[0], dtype=lib.float32)), bn.state_dict())
    assert_close(mods[retrograd][0], mods[torch][0], rtol=1e-5, atol=1e-6)
    for k in mods[torch][1]:
        assert_close(mods[retrograd][1][k], mods[torch][1][k], rtol=1e-5, atol=1e-6, what=k)


@pytest.mark.parametrize("ctor,shape", [
    (lambda lib: lib.nn.Dropout(0.3), (4, 3, 5)), (lambda lib: lib.nn.Dropout2d(0.4), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Dropout3d(0.4), (2, 3, 2, 2, 2)), (lambda lib: lib.nn.Dropout1d(0.5), (4, 3, 5)),
    (lambda lib: lib.nn.AlphaDropout(0.2), (4, 3, 5)), (lambda lib: lib.nn.FeatureAlphaDropout(0.2), (4, 3, 5)),
    (lambda lib: lib.nn.RReLU(), (4, 3, 5))])
def test_random_layers_draw_torchs_numbers_and_are_identity_in_eval(ctor, shape):
    theirs, ours = run_both(ctor, [x(*shape)], seed=7)[0]
    assert_close(ours["out"], theirs["out"], **TOL)
    assert_close(ours["in_grads"], theirs["in_grads"], **TOL)
    theirs, ours = run_both(ctor, [x(*shape)], train=False)[0]
    assert_close(ours["out"], theirs["out"], **TOL)


def test_embedding_from_pretrained_and_padding_grad():
    for lib in (torch, retrograd):
        w = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        emb = lib.nn.Embedding.from_pretrained(w)
        assert not emb.weight.requires_grad and repr(emb) == "Embedding(3, 2)"
        emb = lib.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
        emb(lib.tensor([[1, 2, 1]])).sum().backward()
        assert emb.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]


# ------------------------------------------------------------------ Parameter
def test_parameter():
    for lib in (torch, retrograd):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        assert isinstance(p, lib.Tensor) and isinstance(p, lib.nn.Parameter) and p.requires_grad
        assert type(p * 2) is lib.Tensor and type(p.detach()) is lib.Tensor and type(p.data) is lib.Tensor
    assert repr(retrograd.nn.Parameter(retrograd.ones(2))) == repr(torch.nn.Parameter(torch.ones(2)))
    assert repr(retrograd.nn.Parameter()) == repr(torch.nn.Parameter())
    assert repr(retrograd.nn.Parameter(retrograd.ones(2, dtype=retrograd.float64), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.ones(2, dtype=torch.float64), requires_grad=False))
    # Parameter shares the tensor's memory and version counter.
    t = retrograd.zeros(2)
    p = retrograd.nn.Parameter(t)
    with retrograd.no_grad():
        p.add_(1)
    assert t.tolist() == [1.0, 1.0] and t._version == p._version == 1
    import copy
    q = copy.deepcopy(p)
    assert type(q) is retrograd.nn.Parameter and q.tolist() == [1.0, 1.0]


def test_parameter_of_ints_raises_torchs_error():
    def f(lib):
        lib.nn.Parameter(lib.tensor([1, 2]))
    with pytest.raises(RuntimeError) as theirs:
        f(torch)
    with pytest.raises(RuntimeError, match=re.escape(str(theirs.value))):
        f(retrograd)


def test_buffer_assignment_registers_a_buffer():
    for lib in (torch, retrograd):
        m = lib.nn.Module()
        m.b = lib.nn.Buffer(lib.ones(2), persistent=False)
        m.c = lib.nn.Buffer(lib.zeros(1))
        assert [n for n, _ in m.named_buffers()] == ["b", "c"] and list(m.state_dict()) == ["c"]


# ------------------------------------------------------------------ Module
class Net:
    """The same model in both libraries: nested modules, a shared layer, a buffer."""

    def __new__(cls, lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 8))
                self.heads = nn.ModuleDict({"a": nn.Linear(8, 2), "b": nn.Linear(8, 3, bias=False)})
                self.norm = nn.BatchNorm1d(8)
                self.register_buffer("scale", lib.ones(1))
                self.register_buffer("tmp", lib.zeros(1), persistent=False)
                self.tied = self.body[0]

            def forward(self, x):
                h = self.norm(self.body(x)) * self.scale
                return self.heads["a"](h), self.heads["b"](h)
        return Net()


def test_nested_model_repr_matches_torch():
    assert repr(Net(retrograd)) == repr(Net(torch))
    # Layers from other files join in when retrograd has them.
    extra = [name for name in ("Conv2d", "LSTM") if hasattr(retrograd.nn, name)]

    def make(lib):
        nn = lib.nn
        more = {"Conv2d": lambda: nn.Conv2d(1, 2, 3), "LSTM": lambda: nn.LSTM(2, 3)}
        return nn.Sequential(nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()]),
                             nn.ParameterList([lib.ones(2, 3)]), nn.ParameterDict({"p": lib.ones(1)}),
                             Net(lib), *[more[name]() for name in extra])
    assert repr(make(retrograd)) == repr(make(torch))


def test_named_members_match_torch():
    ours, theirs = Net(retrograd), Net(torch)
    for method in ("named_parameters", "named_buffers", "named_children", "named_modules"):
        assert [n for n, _ in getattr(ours, method)()] == [n for n, _ in getattr(theirs, method)()], method
    assert [n for n, _ in ours.named_parameters(prefix="net", remove_duplicate=False)] == \
        [n for n, _ in theirs.named_parameters(prefix="net", remove_duplicate=False)]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []
    assert [n for n, _ in ours.named_modules(remove_duplicate=False)] == \
        [n for n, _ in theirs.named_modules(remove_duplicate=False)]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert len(list(ours.children())) == len(list(theirs.children()))
    assert ours.get_submodule("body.3") is ours.body[3]
    assert ours.get_parameter("heads.a.bias") is ours.heads["a"].bias
    assert ours.get_buffer("norm.running_mean") is ours.norm.running_mean
    names = dir(ours)
    assert names == sorted(names) and {"body", "heads", "scale", "tmp", "tied", "training", "forward"} <= set(names)
    assert "0" not in dir(ours.body) and "append" in dir(ours.body)


def raises_like_torch(fn, exc=Exception):
    with pytest.raises(exc) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(retrograd)
    assert str(ours.value) == str(theirs.value).replace("torch.nn.modules", "retrograd.nn.modules")


@pytest.mark.parametrize("fn", [
    lambda lib: Net(lib).get_submodule("body.9"),
    lambda lib: Net(lib).get_submodule("body.0.weight"),
    lambda lib: Net(lib).get_parameter("body.0.nope"),
    lambda lib: Net(lib).get_parameter("scale"),
    lambda lib: Net(lib).get_buffer("body"),
    lambda lib: Net(lib).nope,
    lambda lib: setattr(lib.nn.Linear(2, 2), "weight", lib.ones(2, 2)),
    lambda lib: setattr(Net(lib), "body", 3),
    lambda lib: setattr(Net(lib), "scale", 3),
    lambda lib: setattr(Net(lib), "tmp", lib.nn.Parameter(lib.ones(1))) or setattr(Net(lib).norm, "weight",
                                                                                   lib.nn.ReLU()),
    lambda lib: Net(lib).register_parameter("body", lib.nn.Parameter(lib.ones(1))),
    lambda lib: Net(lib).register_parameter("a.b", None),
    lambda lib: Net(lib).register_parameter("w", lib.ones(1)),
    lambda lib: Net(lib).register_parameter("w", lib.nn.Parameter(lib.ones(1)) * 2),
    lambda lib: Net(lib).register_buffer("", lib.ones(1)),
    lambda lib: Net(lib).register_buffer("b", 3),
    lambda lib: Net(lib).add_module("m", 3),
    lambda lib: Net(lib).add_module("body", lib.nn.ReLU()) or Net(lib).add_module("x.y", lib.nn.ReLU()),
    lambda lib: lib.nn.Module()(1),
    lambda lib: lib.nn.Module(3),
    lambda lib: lib.nn.Linear(2, 2).to(lib.int64),
    lambda lib: lib.nn.Linear(2, 2).train("yes"),
    lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3],
    lambda lib: lib.nn.Sequential() + lib.nn.ReLU(),
    lambda lib: lib.nn.Sequential(lib.nn.ReLU()) * 0,
    lambda lib: lib.nn.ModuleList([lib.nn.ReLU()])[-2],
    lambda lib: lib.nn.ModuleList(3),
    lambda lib: lib.nn.ModuleDict([("a", lib.nn.ReLU(), 1)]),
    lambda lib: lib.nn.ParameterList([lib.ones(1)])(1),
    lambda lib: lib.nn.ParameterDict()[1],
    lambda lib: lib.nn.Hardtanh(1.0, 0.5),
    lambda lib: lib.nn.Dropout(1.5),
    lambda lib: lib.nn.GroupNorm(3, 4),
    lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(2, 3)),
    lambda lib: lib.nn.InstanceNorm1d(3)(lib.ones(2, 3, 4, 5)),
    lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.ones(2, 4, 5)),
    lambda lib: lib.nn.Unflatten(1, 3),
    lambda lib: lib.nn.Embedding(3, 2, padding_idx=3),
])
def test_user_errors_match_torch(fn):
    raises_like_torch(fn)


def test_setattr_replaces_and_deletes():
    for lib in (torch, retrograd):
        m = Net(lib)
        m.scale = None                    # a buffer set to None stays registered, out of state_dict
        assert "scale" in m._buffers and "scale" not in m.state_dict()
        m.heads = lib.nn.Linear(8, 2)     # replacing a submodule
        m.body = None
        assert m.body is None and "body.0.weight" not in m.state_dict()
        m.extra = lib.nn.Parameter(lib.ones(1))
        assert "extra" in m._parameters
        m.scale = lib.nn.Parameter(lib.ones(1))    # a Parameter replaces a buffer of the same name
        assert "scale" in m._parameters and "scale" not in m._buffers
        del m.extra, m.norm, m.tmp
        assert not hasattr(m, "extra") and "norm" not in m._modules and "tmp" not in m._buffers
    assert repr(Net(retrograd).apply(lambda mod: None)) == repr(Net(torch))


def test_state_dict_round_trip_and_files(tmp_path):
    theirs, ours = Net(torch), Net(retrograd)
    sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(sd)
    assert ours.state_dict()._metadata == sd._metadata
    copy_weights(theirs, ours)
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(to_np(v), sd[k].numpy())
        assert not v.requires_grad and type(v) is retrograd.Tensor
    assert type(ours.state_dict(keep_vars=True)["body.0.weight"]) is retrograd.nn.Parameter
    assert list(ours.state_dict(prefix="m.")) == list(theirs.state_dict(prefix="m."))
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        assert list(ours.state_dict(None, "p.")) == list(theirs.state_dict(prefix="p."))
    # Through retrograd.save / retrograd.load, and a file written by torch itself.
    retrograd.save(ours.state_dict(), tmp_path / "ours.pt")
    torch.save(sd, tmp_path / "theirs.pt")
    for f in ("ours.pt", "theirs.pt"):
        fresh = Net(retrograd)
        assert repr(fresh.load_state_dict(retrograd.load(tmp_path / f))) == "<All keys matched successfully>"
        for k, v in fresh.state_dict().items():
            np.testing.assert_array_equal(to_np(v), sd[k].numpy(), err_msg=f"{f}: {k}")
    # Loading copies in place: the parameters stay the same objects.
    w = ours.body[0].weight
    ours.load_state_dict(Net(retrograd).state_dict())
    assert ours.body[0].weight is w


def test_load_state_dict_errors_and_non_strict_match_torch():
    def load(lib, edit, strict=True):
        m = Net(lib)
        sd = m.state_dict()
        edit(lib, sd)
        return m.load_state_dict(sd, strict=strict)

    def missing_and_extra(lib, sd):
        del sd["body.0.bias"], sd["norm.num_batches_tracked"]
        sd["heads.c.weight"] = lib.ones(1)
        sd["extra"] = lib.ones(1)

    def wrong_shape(lib, sd):
        sd["heads.a.weight"] = lib.ones(3, 8)
        sd["scale"] = "oops"

    for edit in (missing_and_extra, wrong_shape):
        raises_like_torch(lambda lib: load(lib, edit), RuntimeError)
    assert repr(load(retrograd, missing_and_extra, strict=False)) == repr(load(torch, missing_and_extra, strict=False))
    assert load(retrograd, lambda lib, sd: None) == load(torch, lambda lib, sd: None)
    raises_like_torch(lambda lib: lib.nn.Linear(2, 2).load_state_dict([1]), TypeError)


def test_forward_hooks_match_torch():
    def trace(lib):
        log = []
        m = lib.nn.Linear(2, 2)
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))) or (args[0] * 2,))
        m.register_forward_pre_hook(lambda mod, args, kwargs: log.append(("pre-kw", sorted(kwargs))),
                                    with_kwargs=True, prepend=True)
        h3 = m.register_forward_hook(lambda mod, args, out: log.append(("post", tuple(out.shape))) or out + 1)
        m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("post-kw", out.shape[0])),
                                with_kwargs=True)
        with lib.no_grad():
            m.weight.copy_(lib.eye(2))
            m.bias.zero_()
        out1 = m(lib.ones(1, 2)).tolist()
        h1.remove()
        h3.remove()
        out2 = m(lib.ones(1, 2)).tolist()
        with m.register_forward_hook(lambda mod, args, out: out * 0):
            out3 = m(lib.ones(1, 2)).tolist()
        return log, out1, out2, out3, m(lib.ones(1, 2)).tolist()
    assert trace(retrograd) == trace(torch)


def test_full_backward_hooks_match_torch():
    def trace(lib):
        nn = lib.nn
        lib.manual_seed(0)
        m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        log = []

        def hook(mod, grad_input, grad_output):
            log.append(("hook", type(mod).__name__, [None if g is None else g.tolist() for g in grad_input],
                        [g.tolist() for g in grad_output]))
        m[0].register_full_backward_hook(hook)
        m[2].register_full_backward_pre_hook(lambda mod, grad_output: log.append("pre") or (grad_output[0] * 2,))
        h = m[2].register_full_backward_hook(lambda mod, grad_input, grad_output: (grad_input[0] * 0.5,))
        x_ = lib.ones(2, 3, requires_grad=True)
        y = m(x_)
        y.sum().backward()
        h.remove()
        m(x_).sum().backward()
        with warnings.catch_warnings(record=True):    # torch warns: no input requires grad
            warnings.simplefilter("always")
            m(lib.ones(1, 3)).sum().backward()
        return y.grad_fn.name(), log, x_.grad.tolist(), m[0].weight.grad.tolist()
    ours, theirs = trace(retrograd), trace(torch)
    assert ours[0] == theirs[0] == "BackwardHookFunctionBackward"
    assert ours[1][0] == theirs[1][0] == "pre" and len(ours[1]) == len(theirs[1])
    for a, b in zip(ours[1], theirs[1]):
        if a != "pre":
            assert a[:2] == b[:2]
            for ga, gb in zip(a[2] + a[3], b[2] + b[3]):
                assert (ga is None) == (gb is None)
                if ga is not None:
                    np.testing.assert_allclose(ga, gb, rtol=1e-6)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-6)


def test_always_call_hook_runs_when_forward_raises():
    calls = []
    m = retrograd.nn.Linear(2, 2)
    m.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    with pytest.raises(RuntimeError):
        m(retrograd.ones(3, 3))
    assert calls == [None]


def test_state_dict_and_load_hooks():
    m = retrograd.nn.Linear(2, 2)
    seen = []
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: seen.append(list(sd)))
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(repr(keys)))
    m.load_state_dict(m.state_dict())
    assert seen == [["weight", "bias"], "<All keys matched successfully>"]


def test_train_eval_and_dropout():
    for lib in (torch, retrograd):
        m = Net(lib)
        assert all(mod.training for mod in m.modules())
        assert m.eval() is m and not any(mod.training for mod in m.modules())
        drop = lib.nn.Dropout(0.5).eval()
        x_ = lib.ones(4, 4)
        assert drop(x_) is x_ or lib.equal(drop(x_), x_)
        drop.train()
        assert (drop(x_) == 0).any()


def test_zero_grad_requires_grad_and_to():
    m = Net(retrograd)
    out = m(retrograd.randn(5, 4))
    (out[0].sum() + out[1].sum()).backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.requires_grad_(False) is m and not any(p.requires_grad for p in m.parameters())
    w = m.body[0].weight
    m.double()
    assert m.body[0].weight is w and w.dtype is retrograd.float64 and m.scale.dtype is retrograd.float64
    assert m.norm.num_batches_tracked.dtype is retrograd.int64      # ints keep their dtype
    m.to(retrograd.float32)
    assert w.dtype is retrograd.float32
    m.to(retrograd.zeros(1, dtype=retrograd.float64))
    assert w.dtype is retrograd.float64
    assert m.float().cpu() is m and w.dtype is retrograd.float32
    m.half()
    assert w.dtype is retrograd.float16


# ------------------------------------------------------------------ containers
def test_sequential_like_torch():
    def ops(lib):
        nn = lib.nn
        s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        r = [len(s), repr(s[1]), repr(s[-1]), repr(s[0:2]), type(s[1:]).__name__]
        s[1] = nn.ELU()
        s.append(nn.GELU())
        s.insert(1, nn.SiLU())
        del s[0]
        r += [repr(s), [type(m).__name__ for m in s], repr(s.pop(1))]
        s.extend(nn.Sequential(nn.ReLU()))
        r += [repr(s + nn.Sequential(nn.Tanh())), repr(s * 2), repr(2 * s)]
        s += nn.Sequential(nn.Mish())
        s *= 2
        r.append(repr(s))
        named = nn.Sequential(__import__("collections").OrderedDict([("act", nn.ReLU()), ("fc", nn.Linear(1, 1))]))
        r += [repr(named), repr(named.act), repr(named[1])]
        return r
    assert ops(retrograd) == ops(torch)


def test_module_list_dict_and_parameter_containers_like_torch():
    def ops(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)])
        ml.append(nn.ReLU()).extend([nn.ReLU()])
        ml.insert(0, nn.Tanh())
        r = [repr(ml), len(ml), repr(ml[1:3]), repr(ml[-1]), repr(nn.ModuleList()), repr(ml + ml)]
        del ml[0:2]
        r.append(repr(ml))
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
        md.update([("c", nn.ELU())])
        md["d"] = nn.SiLU()
        r += [repr(md), list(md), list(md.keys()), "a" in md, len(md), repr(md.pop("b")), repr(md)]
        pl = nn.ParameterList([lib.ones(2, 3), nn.Parameter(lib.zeros(1, dtype=lib.float64)), "text"])
        pl.append(lib.ones(1))
        r += [repr(pl), len(pl), type(pl[0]).__name__, [n for n, _ in pl.named_parameters()], repr(pl[1:])]
        pd = nn.ParameterDict({"w": lib.ones(2), "b": nn.Parameter(lib.zeros(3))})
        pd["s"] = 3
        pd.update(__import__("collections").OrderedDict(z=lib.ones(1)))
        r += [repr(pd), list(pd), type(pd["w"]).__name__, [n for n, _ in pd.named_parameters()],
              "w" in pd, pd.get("nope", 5), list(pd.copy()), repr(pd.pop("s")), pd.popitem()[0], list(pd)]
        return r
    assert ops(retrograd) == ops(torch)


# ------------------------------------------------------------------ the seed-001 workflow
def test_freeze_and_replace_last_layer_trains_only_it():
    nn = retrograd.nn
    retrograd.manual_seed(0)
    model = nn.Sequential()
    model.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    model.fc = nn.Linear(8, 2)
    for p in model.parameters():
        p.requires_grad = False
    model.fc = nn.Linear(8, 2)
    assert [n for n, p in model.named_parameters() if p.requires_grad] == ["fc.weight", "fc.bias"]
    opt = retrograd.optim.SGD(model.fc.parameters(), lr=0.1, momentum=0.9)
    frozen = model.body[0].weight.clone()
    X = retrograd.randn(32, 4)
    y = (X[:, 0] > 0).long()
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert retrograd.equal(model.body[0].weight, frozen) and model.body[0].weight.grad is None
    assert model.fc.weight.grad is not None


# ------------------------------------------------------------------ nn.utils
def grads_pair(seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (5,), (2, 2)]
    values = [rng.standard_normal(s) * 3 for s in shapes]
    out = []
    for lib in (retrograd, torch):
        ps = [lib.nn.Parameter(lib.zeros(s)) for s in shapes]
        for p, v in zip(ps, values):
            p.grad = lib.tensor(v, dtype=lib.float32)
        out.append(ps)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf")])
@pytest.mark.parametrize("foreach", [None, False, True])
def test_clip_grad_norm_matches_torch(norm_type, foreach):
    ours, theirs = grads_pair()
    n_ours = retrograd.nn.utils.clip_grad_norm_(ours, 1.0, norm_type=norm_type, foreach=foreach)
    n_theirs = torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type=norm_type, foreach=foreach)
    assert_close(n_ours, n_theirs, rtol=1e-6, atol=1e-6)
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad, rtol=1e-6, atol=1e-6)
    # A generous max_norm leaves the grads as they were; a single tensor works too.
    ours, theirs = grads_pair(1)
    retrograd.nn.utils.clip_grad_norm_(ours[0], 1e6)
    torch.nn.utils.clip_grad_norm_(theirs[0], 1e6)
    assert_close(ours[0].grad, theirs[0].grad, rtol=1e-6, atol=1e-6)


def test_clip_grad_norm_nonfinite_and_value():
    def nonfinite(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        p.grad = lib.tensor([float("inf"), 1.0])
        lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    raises_like_torch(nonfinite, RuntimeError)
    assert retrograd.nn.utils.clip_grad_norm_(iter([]), 1.0).item() == 0.0
    ours, theirs = grads_pair()
    retrograd.nn.utils.clip_grad_value_(ours, 0.5)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad, rtol=0, atol=0)


def test_parameters_to_vector_and_back():
    ours = retrograd.nn.Linear(3, 2)
    theirs = torch.nn.Linear(3, 2)
    copy_weights(theirs, ours)
    v_ours = retrograd.nn.utils.parameters_to_vector(ours.parameters())
    v_theirs = torch.nn.utils.parameters_to_vector(theirs.parameters())
    assert_close(v_ours, v_theirs, rtol=0, atol=0)
    assert v_ours.grad_fn.name() == v_theirs.grad_fn.name()
    w = ours.weight
    retrograd.nn.utils.vector_to_parameters(retrograd.arange(8.0), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(8.0), theirs.parameters())
    assert ours.weight is w
    assert_close(ours.weight, theirs.weight, rtol=0, atol=0)
    assert_close(ours.bias, theirs.bias, rtol=0, atol=0)
    raises_like_torch(lambda lib: lib.nn.utils.vector_to_parameters([1.0], []), TypeError)
