"""nn.init against torch: after the same manual_seed, every initializer fills exactly torch's
numbers (orthogonal_ to LAPACK rounding); gains, fans, errors and warnings as torch's."""
import math
import warnings

import numpy as np
import pytest

import retrograd
from oracle import to_np

torch = pytest.importorskip("torch")

INITS = [
    ("uniform_", (3, 5), dict(a=-2.0, b=0.5)),
    ("normal_", (40,), dict(mean=1.0, std=0.3)),
    ("normal_", (3, 5), {}),
    ("constant_", (2, 3), dict(val=0.7)),
    ("ones_", (2, 3), {}),
    ("zeros_", (2, 3), {}),
    ("eye_", (3, 5), {}),
    ("dirac_", (4, 2, 3), {}),
    ("dirac_", (4, 2, 3, 3), dict(groups=2)),
    ("dirac_", (2, 2, 3, 3, 3), {}),
    ("xavier_uniform_", (20, 30), dict(gain=2.0)),
    ("xavier_normal_", (6, 4, 3, 3), {}),
    ("kaiming_uniform_", (20, 30), {}),
    ("kaiming_uniform_", (8, 3, 3, 3), dict(a=math.sqrt(5))),
    ("kaiming_uniform_", (20, 30), dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", (20, 30), dict(a=0.1, mode="FAN_OUT")),
    ("kaiming_normal_", (5, 7), dict(nonlinearity="tanh")),
    ("trunc_normal_", (50, 20), {}),                             # redraws the normals outside [a, b]
    ("trunc_normal_", (30, 10), dict(mean=0.5, std=2.0, a=-1.0, b=1.0)),
    ("trunc_normal_", (30, 10), dict(mean=0.0, std=1.0, a=2.0, b=3.0)),    # rejection sampler (p < 0.3)
    ("sparse_", (10, 6), dict(sparsity=0.3)),
    ("sparse_", (8, 4), dict(sparsity=0.5, std=0.5)),
]


@pytest.mark.parametrize("name,shape,kwargs", INITS, ids=[f"{n}{s}" for n, s, _ in INITS])
def test_init_fills_torchs_numbers(name, shape, kwargs):
    out = {}
    for lib in (torch, retrograd):
        lib.manual_seed(0)
        w = lib.empty(shape)
        r = getattr(lib.nn.init, name)(w, **kwargs)
        assert r is w
        out[lib] = (w.numpy().copy(), lib.rand(3).tolist())     # ...and the generator is where torch's is
    np.testing.assert_array_equal(out[retrograd][0], out[torch][0])
    assert out[retrograd][1] == out[torch][1]


def test_init_on_a_parameter_is_not_recorded_and_takes_a_generator():
    out = {}
    for lib in (torch, retrograd):
        p = lib.nn.Parameter(lib.empty(4, 6))
        g = lib.Generator().manual_seed(5)
        lib.nn.init.kaiming_uniform_(p, generator=g)
        lib.nn.init.trunc_normal_(p, std=0.02, generator=g)
        assert p.grad_fn is None and p.requires_grad and p.is_leaf
        out[lib] = p.detach().numpy().copy()
    np.testing.assert_array_equal(out[retrograd], out[torch])


@pytest.mark.parametrize("shape,gain", [((4, 6), 1.0), ((6, 4), 2.0), ((3, 2, 2, 2), 1.5)])
def test_orthogonal_matches_torch(shape, gain):
    out = {}
    for lib in (torch, retrograd):
        lib.manual_seed(0)
        w = lib.empty(shape, dtype=lib.float64)
        lib.nn.init.orthogonal_(w, gain=gain)
        out[lib] = w.numpy().copy()
    np.testing.assert_allclose(out[retrograd], out[torch], rtol=1e-10, atol=1e-12)
    flat = out[retrograd].reshape(shape[0], -1) / gain
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_calculate_gain_and_fans_match_torch():
    for args in [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                 ("leaky_relu", 0.2), ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)), ("selu",),
                 ("conv_transpose3d",)]:
        ours, theirs = retrograd.nn.init.calculate_gain(*args), torch.nn.init.calculate_gain(*args)
        assert ours == theirs and type(ours) is type(theirs), args
    for shape in [(3, 4), (5, 2, 3, 3), (2, 7, 4)]:
        assert retrograd.nn.init._calculate_fan_in_and_fan_out(retrograd.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.init.calculate_gain("swish"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_normal_(lib.empty(3, 3), mode="fan_avg"),
    lambda lib: lib.nn.init.eye_(lib.empty(2, 2, 2)),
    lambda lib: lib.nn.init.dirac_(lib.empty(2, 2)),
    lambda lib: lib.nn.init.dirac_(lib.empty(3, 2, 2), groups=2),
    lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
    lambda lib: lib.nn.init.sparse_(lib.empty(3), 0.1),
])
def test_init_errors_match_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(retrograd)
    assert str(ours.value) == str(theirs.value)


def test_init_warnings_match_torch():
    def caught(lib, fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn(lib)
        return [(x.category, str(x.message)) for x in w]
    for fn in (lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(0, 3)),
               lambda lib: lib.nn.init.uniform(lib.empty(2)),
               lambda lib: lib.nn.init.xavier_normal(lib.empty(2, 2)),
               lambda lib: lib.nn.init.trunc_normal_(lib.empty(2), mean=5.0, a=-1.0, b=1.0)):
        assert caught(retrograd, fn) == caught(torch, fn)


def test_default_init_statistics():
    """The layers' documented distributions: Linear U(+-1/sqrt(fan_in)), Embedding N(0, 1)."""
    retrograd.manual_seed(1)
    lin = retrograd.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = to_np(lin.weight), to_np(lin.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound and abs(w.mean()) < 0.01 * bound
    emb = to_np(retrograd.nn.Embedding(500, 64).weight)
    assert abs(emb.mean()) < 0.02 and abs(emb.std() - 1) < 0.02
    bil = to_np(retrograd.nn.Bilinear(50, 20, 10).weight)
    assert np.abs(bil).max() <= 1 / math.sqrt(50)
    norm = retrograd.nn.LayerNorm(7)
    assert to_np(norm.weight).tolist() == [1.0] * 7 and to_np(norm.bias).tolist() == [0.0] * 7
