"""Random numbers: the same seed gives torch's numbers, bit for bit, and the stream
continues where torch's does (each case also compares the next draws).

torch's float32 normal runs an AVX2 kernel on x86 CPUs with AVX2 (and AVX512), which
retrograd reproduces exactly; elsewhere torch uses libm's float functions and values
differ by up to ~2e-6, so float32 normal is compared to 5e-6 there (`_F32_NORMAL_EXACT`).
"""
import math
import os
import platform
import subprocess
import sys
import warnings

import numpy as np
import pytest

import retrograd as rt

torch = pytest.importorskip("torch")

SIZES = [0, 1, 2, 15, 16, 17, 33, 1000]
SEEDS = [0, 1, 12345, 2 ** 40 + 7]
_F32_NORMAL_EXACT = (platform.machine().lower() in ("x86_64", "amd64")
                     and torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512"))


def _intel():
    try:
        with open("/proc/cpuinfo") as f:
            return "GenuineIntel" in f.read(4096)
    except OSError:
        return False


def _np(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def assert_same(a, b, approx=False):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    if approx and a.dtype == np.float32:
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=5e-6)
    else:
        np.testing.assert_array_equal(a, b)


def same(fn, seed=0, approx=False):
    """fn(lib) after lib.manual_seed(seed) gives torch's values, then the streams agree."""
    rt.manual_seed(seed)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = fn(rt), fn(torch)
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        assert_same(x, y, approx)
    assert_same(rt.rand(7, dtype=rt.float64), torch.rand(7, dtype=torch.float64))
    assert_same(rt.randn(3, dtype=rt.float64), torch.randn(3, dtype=torch.float64))


def same_error(fn):
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(type(want.value)) as got:
        fn(rt)
    assert str(got.value) == str(want.value)


def _dt(lib, name):
    return getattr(lib, name)


def _approx(dtype):
    """Whether float32 normal is compared approximately (CPUs where torch skips the AVX2 kernel)."""
    return dtype == "float32" and not _F32_NORMAL_EXACT


# ---------------------------------------------------------------- uniform and normal

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_rand(seed, dtype):
    for n in SIZES:
        same(lambda L: L.rand(n, dtype=_dt(L, dtype)), seed)
    same(lambda L: L.rand(3, 4, 5, dtype=_dt(L, dtype)), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_randn(seed, dtype):
    for n in SIZES:
        same(lambda L: L.randn(n, dtype=_dt(L, dtype)), seed, _approx(dtype))
    same(lambda L: L.randn(7, 9, dtype=_dt(L, dtype)), seed, _approx(dtype))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex(dtype):
    for n in (1, 5, 20):
        same(lambda L: L.rand(n, dtype=_dt(L, dtype)))
        same(lambda L: L.randn(n, dtype=_dt(L, dtype)))


def test_state_carries_over_between_calls():
    # the Box-Muller cache of a small randn reaches the next small one (any dtype), and the
    # 16-block path does not touch it
    def seq(L):
        return (L.randn(3), L.rand(5), L.randn(17), L.randn(1, dtype=L.float64), L.randn(2),
                L.randint(0, 10, (4,)), L.randn(5), L.randperm(6), L.rand(2, dtype=L.float64))
    for seed in SEEDS:
        same(seq, seed, _approx("float32"))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_uniform_and_normal_params(dtype):
    for n in (1, 5, 16, 33, 100):
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).uniform_(-2.5, 7.1))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).uniform_(3, 3))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).normal_(-2.5, 7.1), 0, _approx(dtype))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).normal_(0.0, 0.02), 3, _approx(dtype))
        same(lambda L: L.normal(1.5, 0.25, (n,), dtype=_dt(L, dtype)), 1, _approx(dtype))


def test_kaiming_uniform_init():
    # nn.Linear(784, 256)'s default init: torch.empty(256, 784).uniform_(-b, b)
    b = 1 / math.sqrt(784)
    same(lambda L: L.empty(256, 784).uniform_(-b, b), 0)
    for fan_in in (3, 64, 500):
        b = math.sqrt(6 / ((1 + 5) * fan_in))
        same(lambda L: (L.empty(32, fan_in).uniform_(-b, b), L.empty(32).uniform_(-1 / math.sqrt(fan_in),
                                                                                 1 / math.sqrt(fan_in))), 7)


@pytest.mark.parametrize("make", [lambda nn: nn.Linear(784, 256), lambda nn: nn.Conv2d(3, 8, 3),
                                  lambda nn: nn.Embedding(100, 16)])
def test_nn_default_init(make):
    try:
        make(rt.nn)
    except AttributeError:
        pytest.skip("retrograd.nn does not have this module yet")
    same(lambda L: tuple(p.detach() for p in make(L.nn).parameters()), 0, _approx("float32"))


@pytest.mark.parametrize("method", ["uniform_", "normal_", "random_", "exponential_", "bernoulli_"])
def test_in_place_on_non_contiguous_memory_order(method):
    args = {"random_": (0, 100), "bernoulli_": (0.5,)}.get(method, ())
    f = lambda t: getattr(t, method)(*args)
    same(lambda L: f(L.empty(5, 4).t()).contiguous())
    same(lambda L: f(L.empty(5, 4, 3).permute(2, 0, 1)).contiguous())
    same(lambda L: f(L.zeros(4, 6)[:, ::2]).contiguous())
    same(lambda L: f(L.empty(4, 5)[1:, 1:]).contiguous())


def test_generator_objects():
    same(lambda L: L.rand(3, generator=L.Generator().manual_seed(7)))
    same(lambda L: L.randn(20, generator=L.Generator().manual_seed(2 ** 33 + 5)), 0, _approx("float32"))
    same(lambda L: L.randint(0, 9, (5,), generator=L.Generator().manual_seed(3)))
    same(lambda L: L.randperm(9, generator=L.Generator().manual_seed(3)))
    same(lambda L: L.empty(6).normal_(generator=L.Generator().manual_seed(3)))

    def two(L):
        g = L.Generator()
        return L.rand(4, generator=g), L.rand(4, generator=g.manual_seed(1)), L.rand(4)
    same(two)
    g, tg = rt.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    assert g.manual_seed(-5) is g and g.initial_seed() == tg.manual_seed(-5).initial_seed()
    assert rt.manual_seed(3) is rt.default_generator and rt.initial_seed() == 3
    s = rt.seed()
    assert rt.initial_seed() == s and 0 <= s < 2 ** 64
    assert repr(g).startswith("<torch._C.Generator object at 0x")
    assert g.device == rt.device("cpu")


def test_seed_arguments():
    same_error(lambda L: L.Generator().manual_seed("a"))
    same_error(lambda L: L.Generator().manual_seed(1.5))
    same_error(lambda L: L.Generator().manual_seed(2 ** 64))
    same_error(lambda L: L.Generator().manual_seed(-2 ** 63 - 1))
    same(lambda L: L.rand(3), 1.9)             # manual_seed takes int(seed)
    same(lambda L: L.rand(3), -1)
    same(lambda L: L.rand(3), 2 ** 64 - 1)


# ---------------------------------------------------------------- state

def test_rng_state_layout_matches_torch():
    for prefix in (lambda L: None, lambda L: L.rand(1), lambda L: L.rand(624), lambda L: L.randn(3),
                   lambda L: (L.rand(700), L.randn(1, dtype=L.float64))):
        for L in (rt, torch):
            L.manual_seed(11)
            prefix(L)
        a, b = rt.get_rng_state(), torch.get_rng_state()
        assert a.dtype == rt.uint8 and tuple(a.shape) == tuple(b.shape) == (5056,)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_set_rng_state_from_torch_and_round_trip():
    for prefix in (lambda L: None, lambda L: L.randn(5), lambda L: L.rand(624), lambda L: L.rand(1000)):
        torch.manual_seed(5)
        prefix(torch)
        s = torch.get_rng_state()
        rt.set_rng_state(rt.tensor(s.numpy()))
        np.testing.assert_array_equal(rt.get_rng_state().numpy(), s.numpy())
        assert_same(rt.randn(3), torch.randn(3))
        assert_same(rt.rand(1000), torch.rand(1000))
    rt.manual_seed(2)
    rt.randn(1)                          # leaves a cached normal in the state
    s = rt.get_rng_state()
    a = rt.randn(9), rt.rand(4)
    rt.set_rng_state(s)
    b = rt.randn(9), rt.rand(4)
    for x, y in zip(a, b):
        assert_same(x, y)
    g = rt.Generator().manual_seed(4)
    h = g.clone_state()
    assert_same(rt.rand(5, generator=g), rt.rand(5, generator=h))


def test_rng_state_errors():
    same_error(lambda L: L.set_rng_state(L.zeros(5056)))
    same_error(lambda L: L.set_rng_state(L.zeros(10, dtype=L.uint8)))
    same_error(lambda L: L.set_rng_state(L.zeros(5056, dtype=L.uint8)))
    same_error(lambda L: L.Generator().get_offset())


# ---------------------------------------------------------------- integers

INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("dtype", INT_DTYPES + ["float32", "float64", "float16"])
def test_random_(dtype):
    for n in (1, 7, 40):
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).random_())
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).random_(0, 2))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).random_(2))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).random_(1, None))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).random_(1, None, generator=L.Generator().manual_seed(1)))


def test_randint():
    for n in SIZES:
        same(lambda L: L.randint(10, (n,)))
        same(lambda L: L.randint(-3, 1000, (n, 2)))
    # one 32-bit word below a range of 2^28, two words from there on
    for hi in (2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 62):
        same(lambda L: L.randint(0, hi, (9,)))
        same(lambda L: L.randint(0, hi, (9,), dtype=L.float64))
    same(lambda L: L.randint(-2 ** 62, 2 ** 62, (9,)))
    same(lambda L: L.randint(0, 2 ** 31 - 1, (9,), dtype=L.int32))
    same(lambda L: L.randint(0, 2 ** 40, (9,), dtype=L.float32))
    same(lambda L: L.randint(0, 2, (9,), dtype=L.bool))
    same(lambda L: L.randint(3, 10, (9,), dtype=L.float16))
    same(lambda L: L.empty(5, dtype=L.int64).random_(-2 ** 63, None))
    same(lambda L: L.empty(5, dtype=L.float64).random_(-2 ** 63, None))
    same(lambda L: L.randint(10, size=(4,)))
    same(lambda L: L.randint(high=10, size=(4,)))
    same(lambda L: L.randint(2, 10, size=[4]))
    same(lambda L: L.empty(4).random_(to=6))
    same(lambda L: L.randint_like(L.zeros(3, 4), 10))
    same(lambda L: L.randint_like(L.zeros(3), 3, 10))


def test_randperm():
    for n in SIZES + [5000]:
        same(lambda L: L.randperm(n))
    for dtype in ("int32", "int16", "uint8", "float32", "float64", "float16"):
        same(lambda L: L.randperm(50, dtype=_dt(L, dtype)))


def test_integer_errors():
    same_error(lambda L: L.empty(3).random_(5, 5))
    same_error(lambda L: L.empty(3, dtype=L.uint8).random_(0, 300))
    same_error(lambda L: L.empty(3, dtype=L.uint8).random_(-1, 3))
    same_error(lambda L: L.empty(3, dtype=L.int8).random_(-2 ** 63))
    same_error(lambda L: L.empty(3, dtype=L.bool).random_(0, 3))
    same_error(lambda L: L.empty(3, dtype=L.int32).random_(0, 2 ** 40))
    same_error(lambda L: L.empty(3, dtype=L.int16).random_(0, 2 ** 20))
    same_error(lambda L: L.empty(3, dtype=L.float16).random_(0, 70000))
    same_error(lambda L: L.empty(3, dtype=L.complex64).random_())
    same_error(lambda L: L.randint(5, 5, (3,)))
    same_error(lambda L: L.randint(10, (3,), dtype=L.bool))
    same_error(lambda L: L.randint(10, 3))
    same_error(lambda L: L.randperm(-1))
    same_error(lambda L: L.randperm(3, dtype=L.bool))
    same_error(lambda L: L.randperm(3000, dtype=L.float16))
    same_error(lambda L: L.randperm(300, dtype=L.int8))


def test_random_float_range_warns():
    with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^24\), 2\^24\]"):
        rt.empty(3).random_(0, 2 ** 30)


# ---------------------------------------------------------------- other distributions

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_continuous_distributions(dtype):
    for n in (1, 5, 16, 33):
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).exponential_(2.5))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).geometric_(0.3))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).log_normal_(0.5, 0.7))
        same(lambda L: L.empty(n, dtype=_dt(L, dtype)).cauchy_(1.5, 0.7))
        same(lambda L: L.bernoulli(L.linspace(0, 1, n, dtype=_dt(L, dtype))))
        same(lambda L: L.empty(n, 2, dtype=_dt(L, dtype)).bernoulli_(L.tensor([0.2, 0.9], dtype=L.float64)))
    same(lambda L: L.empty(9, dtype=L.int64).geometric_(0.5))
    same(lambda L: L.poisson(L.tensor([0., 0.5, 3., 9.99, 10., 50., 1000.], dtype=_dt(L, dtype))))


@pytest.mark.skipif(_intel(), reason="torch uses MKL's VSL stream for bernoulli_(float) on Intel CPUs")
def test_bernoulli_scalar_p():
    for dtype in ("float32", "float64", "int64", "bool", "uint8"):
        for n in (1, 17, 100):
            same(lambda L: L.empty(n, dtype=_dt(L, dtype)).bernoulli_(0.3))
            same(lambda L: L.bernoulli(L.zeros(n, dtype=L.float32), 0.8))


def test_bernoulli_scalar_p_statistics():
    rt.manual_seed(0)
    x = rt.empty(200000).bernoulli_(0.3).numpy()
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert abs(x.mean() - 0.3) < 0.005


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_multinomial(dtype):
    for n, k, rep in [(5, 1, False), (5, 3, False), (5, 5, False), (5, 1, True), (5, 10, True),
                      (100, 7, True), (100, 7, False)]:
        same(lambda L: L.multinomial(L.arange(1., n + 1, dtype=_dt(L, dtype)), k, rep))
        same(lambda L: L.multinomial(L.arange(1., 3 * n + 1, dtype=_dt(L, dtype)).reshape(3, n), k, rep))
    same(lambda L: L.multinomial(L.tensor([1., 0., 0.]), 3))
    same(lambda L: L.multinomial(L.tensor([0., 2., 0., 1.]), 50, True))


def test_normal_with_tensors():
    same(lambda L: L.normal(L.arange(5.), 2.0))
    same(lambda L: L.normal(1.5, L.arange(5.)))
    same(lambda L: L.normal(L.arange(20.), L.arange(20.)), 0, _approx("float32"))
    same(lambda L: L.normal(L.arange(20.).reshape(4, 5), L.arange(5., dtype=L.float64)))
    same(lambda L: L.normal(L.arange(3., dtype=L.float64), L.ones(3)))
    same(lambda L: L.normal(mean=L.zeros(2, 3)))
    same(lambda L: L.rand_like(L.zeros(2, 3)))
    same(lambda L: L.randn_like(L.zeros(4, dtype=L.float64)))
    same(lambda L: L.rand_like(L.zeros(3), generator=L.Generator().manual_seed(2)))


def test_layout_of_like_and_out_of_place_results():
    # *_like keep the input's layout (so draw in its memory order); bernoulli and normal are contiguous
    same(lambda L: L.rand_like(L.zeros(4, 5).t()).contiguous())
    same(lambda L: L.randn_like(L.zeros(8, 5).t()).contiguous())
    same(lambda L: L.randint_like(L.zeros(4, 5).t(), 10).contiguous())
    same(lambda L: L.rand_like(L.zeros(4, 6)[:, ::2]))
    same(lambda L: L.bernoulli(L.linspace(0, 1, 20).reshape(4, 5).t()))
    same(lambda L: L.normal(L.zeros(8, 5).t(), 1.0))
    same(lambda L: L.normal(0.5, L.ones(8, 5).t()))
    same(lambda L: L.multinomial(L.arange(1., 13).reshape(3, 4).t(), 2))
    same(lambda L: L.multinomial(L.arange(1., 13).reshape(3, 4).t(), 5, True))


def test_distribution_errors():
    for f in [lambda L: L.empty(3).uniform_(2, 1),
              lambda L: L.empty(3).uniform_(-3e38, 3e38),
              lambda L: L.empty(3, dtype=L.int64).uniform_(),
              lambda L: L.empty(0, dtype=L.int64).uniform_(),
              lambda L: L.empty(3).normal_(0, -1),
              lambda L: L.empty(3, dtype=L.int64).normal_(),
              lambda L: L.randn(3, dtype=L.int64),
              lambda L: L.rand(3, dtype=L.int64),
              lambda L: L.empty(3).bernoulli_(1.5),
              lambda L: L.empty(3).bernoulli_(L.tensor([2., 0, 0])),
              lambda L: L.empty(3).bernoulli_(L.tensor([1, 0, 0])),
              lambda L: L.empty(2).bernoulli_(L.tensor([[0.5], [0.5]])),
              lambda L: L.empty(3, dtype=L.complex64).bernoulli_(0.5),
              lambda L: L.empty(3).exponential_(0),
              lambda L: L.empty(3).exponential_(-1.5),
              lambda L: L.empty(3, dtype=L.int64).exponential_(),
              lambda L: L.empty(3).geometric_(0),
              lambda L: L.empty(3).geometric_(1),
              lambda L: L.empty(3, dtype=L.bool).geometric_(0.5),
              lambda L: L.empty(3).log_normal_(0, 0),
              lambda L: L.empty(3, dtype=L.int64).log_normal_(),
              lambda L: L.empty(3).cauchy_(0, -1),
              lambda L: L.empty(3, dtype=L.int64).cauchy_(),
              lambda L: L.multinomial(L.tensor([1., 2.]), 3),
              lambda L: L.multinomial(L.tensor([-1., 2.]), 1),
              lambda L: L.multinomial(L.tensor([0., 0.]), 1),
              lambda L: L.multinomial(L.tensor([0., 0.]), 2, True),
              lambda L: L.multinomial(L.tensor([1., -2.]), 2, True),
              lambda L: L.multinomial(L.tensor([1., float("inf")]), 2, True),
              lambda L: L.multinomial(L.tensor(1.), 1),
              lambda L: L.multinomial(L.tensor([1, 2]), 1),
              lambda L: L.multinomial(L.tensor([1., 2.]), 0),
              lambda L: L.normal(L.tensor([1., 0]), -1.),
              lambda L: L.normal(L.tensor([1., 0]), L.tensor([-1., 0])),
              lambda L: L.normal(L.tensor([1., 0]), L.tensor([1., 0, 3])),
              lambda L: L.normal(L.tensor([1, 0]), 1.),
              lambda L: L.poisson(L.tensor([-1.])),
              lambda L: L.poisson(L.tensor([1]))]:
        same_error(f)


# ---------------------------------------------------------------- autograd

IN_PLACE = [("uniform_", ()), ("normal_", ()), ("random_", (0, 3)), ("random_", (3,)), ("random_", ()),
            ("bernoulli_", (0.5,)), ("exponential_", ()), ("geometric_", (0.5,)), ("log_normal_", ()),
            ("cauchy_", ())]


@pytest.mark.parametrize("method,args", IN_PLACE)
def test_in_place_autograd(method, args):
    same_error(lambda L: getattr(L.zeros(3, requires_grad=True), method)(*args))
    for L in (rt, torch):
        x = L.ones(3, requires_grad=True)
        y = x * 2
        v = y._version
        assert getattr(y, method)(*args) is y
        assert y._version == v + 1
        with L.no_grad():
            getattr(x, method)(*args)       # allowed, not recorded
        assert x.grad_fn is None
    names = []
    for L in (rt, torch):
        x = L.ones(3, requires_grad=True)
        y = x * 2
        getattr(y, method)(*args)
        names.append(y.grad_fn.name())
        (y * 3).sum().backward()
        assert_same(x.grad, L.zeros(3))
    assert names[0] == names[1]


def test_in_place_on_a_view_and_out_of_place_nodes():
    outs = []
    for L in (rt, torch):
        x = L.ones(4, requires_grad=True)
        z = x * 1
        z[1:3].normal_()
        z.sum().backward()
        outs.append((z.grad_fn.name(), x.grad))
    assert outs[0][0] == outs[1][0]
    assert_same(outs[0][1], outs[1][1])
    for f in [lambda L, x: L.bernoulli(x), lambda L, x: L.normal(x, 1.0), lambda L, x: L.normal(0.5, x),
              lambda L, x: L.normal(x, x), lambda L, x: L.poisson(x), lambda L, x: x * 1 + L.rand_like(x)]:
        names = []
        for L in (rt, torch):
            x = L.full((3,), 0.5, requires_grad=True)
            r = f(L, x)
            names.append(r.grad_fn.name() if r.grad_fn is not None else None)
            r.sum().backward()
            assert_same(x.grad, L.ones(3) if names[-1] == "AddBackward0" else L.zeros(3))
        assert names[0] == names[1]
    same_error(lambda L: L.bernoulli(L.rand(3, requires_grad=True), 0.3).sum().backward())
    assert rt.randn(3, requires_grad=True).is_leaf


def test_import_does_not_load_numpy_random():
    code = "import sys, retrograd; print('numpy.random' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(rt.__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"
