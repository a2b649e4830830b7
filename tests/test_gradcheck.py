"""autograd.gradcheck / gradgradcheck: verdicts and messages as torch's (fast mode with torch's own
random vectors), wrong backwards and wrong JVPs caught, and a random-direction check (fast mode,
backward and forward AD) of every registered op in float64, without torch."""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from opinfo import all_cases
from oracle import torch

import retrograd
from retrograd.autograd.gradcheck import GradcheckError
from retrograd.ops.registry import FUNCTIONS

needs_stack = pytest.mark.skipif("stack" not in FUNCTIONS, reason="retrograd.stack is not registered yet")


def doubles(lib, *arrays, requires_grad=True):
    return tuple(lib.tensor(a, dtype=lib.float64, requires_grad=requires_grad) for a in arrays)


def wrong_square(lib):
    """x * x with a backward that is off by half: 3x instead of 2x."""
    class WrongSquare(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x * g
    return WrongSquare


def outcome(lib, fn, *args, **kwargs):
    """(result, exception type, message) of lib.autograd.<fn>(...)."""
    try:
        return getattr(lib.autograd, fn)(*args, **kwargs), None, None
    except Exception as e:
        return None, type(e).__name__, str(e)


X = np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]])
Y = np.array([0.5, -0.8, 1.1])

FUNCTIONS_OK = [
    ("sin_mul", lambda lib, x, y: (x * y).sin()),
    ("exp_div", lambda lib, x, y: x.exp() / (y * y + 1)),
    ("pow_sum", lambda lib, x, y: (x ** 3).sum(1) + y.sum()),
    ("tanh_mean", lambda lib, x, y: (x.tanh() * y).mean(0)),
    ("two_outputs", lambda lib, x, y: (x * y, (x - y).cos())),
    ("permute", lambda lib, x, y: (x.t() * y.unsqueeze(1)).reshape(9 // 3, 2)),
]


@pytest.mark.parametrize("name,fn", FUNCTIONS_OK, ids=[n for n, _ in FUNCTIONS_OK])
@pytest.mark.parametrize("fast_mode", [False, True])
def test_correct_functions_pass(name, fn, fast_mode):
    for lib in (retrograd, torch):
        x, y = doubles(lib, X, Y)
        f = lambda x, y, lib=lib: fn(lib, x, y)     # noqa: E731
        assert lib.autograd.gradcheck(f, (x, y), fast_mode=fast_mode) is True
        assert lib.autograd.gradgradcheck(f, (x, y), fast_mode=fast_mode) is True


def test_wrong_backward_is_caught_with_both_jacobians():
    results = [outcome(lib, "gradcheck", wrong_square(lib).apply, doubles(lib, [1., 2.]))
               for lib in (retrograd, torch)]
    ours, theirs = results
    assert theirs[1] == "GradcheckError"
    assert ours[1:] == theirs[1:]
    assert ours[2].startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor(")
    assert isinstance(GradcheckError("x"), RuntimeError)
    assert GradcheckError.__module__ == "torch.autograd.gradcheck"


@pytest.mark.parametrize("data", [[1., 2., 3.], [[1., 2.], [3., 4.]], 1.5], ids=["1d", "2d", "0d"])
def test_wrong_backward_is_caught_in_fast_mode(data):
    # fast mode draws torch's own random vectors (a fresh Generator): the same message
    results = [outcome(lib, "gradcheck", wrong_square(lib).apply, doubles(lib, data), fast_mode=True)
               for lib in (retrograd, torch)]
    (_, etype, msg), (_, ttype, tmsg) = results
    assert etype == ttype == "GradcheckError"
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "Below, we recompute numerical and analytical jacobians in slow mode:" in msg
    assert msg == tmsg


def test_fast_mode_names_the_failing_pair():
    def fn(lib):
        class TwoOut(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x + y, x * y

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 + g2, g1 * 3          # wrong for both inputs of the second output
        return TwoOut.apply
    for fast_mode in (False, True):
        results = [outcome(lib, "gradcheck", fn(lib), doubles(lib, [1., 2.], [3., 4.]), fast_mode=fast_mode)
                   for lib in (retrograd, torch)]
        assert results[0][1:] == results[1][1:]


def test_raise_exception_false_returns_false():
    for lib in (retrograd, torch):
        assert lib.autograd.gradcheck(wrong_square(lib).apply, doubles(lib, [1., 2.]),
                                      raise_exception=False) is False


def square_detached(lib):
    """x * x whose backward has the right first derivative and no second (x is detached)."""
    class Sq(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x.detach() * g        # right first derivative, no second
    return Sq


def test_wrong_second_derivative_is_caught_by_gradgradcheck():
    for lib in (retrograd, torch):
        x = doubles(lib, [1., 2.])
        assert lib.autograd.gradcheck(square_detached(lib).apply, x) is True
        assert lib.autograd.gradgradcheck(square_detached(lib).apply, x, raise_exception=False) is False


def test_once_differentiable_in_gradgradcheck():
    def fn(lib):
        class Once(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g
        return Once
    results = []
    for lib in (retrograd, torch):
        lib.manual_seed(0)          # gradgradcheck draws its grad_outputs from the global generator
        results.append(outcome(lib, "gradgradcheck", fn(lib).apply, doubles(lib, [1., 2.])))
    assert results[0][1] == "GradcheckError"
    assert results[0][1:] == results[1][1:]
    assert results[0][2].endswith("analytical:tensor([[0., 0.],\n        [0., 0.]], dtype=torch.float64)\n")


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradgradcheck_random_grad_outputs_are_torchs(fast_mode):
    results = []
    for lib in (retrograd, torch):
        lib.manual_seed(3)
        results.append(outcome(lib, "gradgradcheck", square_detached(lib).apply, doubles(lib, [1., 2.]),
                               fast_mode=fast_mode) + (lib.rand(2).tolist(),))
    assert results[0][1] == "GradcheckError"
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("kwargs", [
    dict(check_backward_ad=False),
    dict(check_backward_ad=False, check_forward_ad=True, check_batched_grad=True),
    dict(check_batched_forward_grad=True),
], ids=["nothing", "batched_without_backward", "batched_forward_without_forward"])
def test_flag_combinations_torch_refuses(kwargs):
    results = [outcome(lib, "gradcheck", lambda x: x * 2, doubles(lib, [1.]), **kwargs) for lib in (retrograd, torch)]
    assert results[0][1] == "AssertionError"
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("kwargs", [dict(check_rev_over_rev=False, check_undefined_grad=False),
                                    dict(check_rev_over_rev=False, check_fwd_over_rev=True),
                                    dict(check_rev_over_rev=False, check_undefined_grad=False,
                                         check_fwd_over_rev=True, check_batched_grad=True)],
                         ids=["nothing", "undefined_without_rev", "batched_without_rev"])
def test_gradgradcheck_flag_combinations_torch_refuses(kwargs):
    results = [outcome(lib, "gradgradcheck", lambda x: x * x, doubles(lib, [1.]), **kwargs) for lib in (retrograd, torch)]
    assert results[0][1] == "AssertionError"
    assert results[0][1:] == results[1][1:]


def test_no_input_requires_grad():
    results = [outcome(lib, "gradcheck", lambda x: x * 2, doubles(lib, [1.], requires_grad=False))
               for lib in (retrograd, torch)]
    assert results[0][1:] == results[1][1:]
    assert results[0][1] == "ValueError"


def test_float32_warns_and_fails_as_torch():
    got = []
    for lib in (retrograd, torch):
        x = lib.tensor([1.], requires_grad=True)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            r = lib.autograd.gradcheck(lambda x: x * 2, (x,), raise_exception=False)
        got.append((r, [str(w.message) for w in rec if "double precision" in str(w.message)]))
    assert got[0] == got[1]
    assert got[1][0] is False and len(got[1][1]) == 1


def test_outputs_without_grad_must_be_constant():
    for lib in (retrograd, torch):
        x = doubles(lib, [1., 2.])
        assert lib.autograd.gradcheck(lambda x: (x * 0).detach(), x) is True
        assert lib.autograd.gradcheck(lambda x: (x * 2).detach(), x, raise_exception=False) is False


def test_backward_not_multiplied_by_grad_output():
    def fn(lib):
        class Ignores(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.clone()

            @staticmethod
            def backward(ctx, g):
                return g * 0 + 1       # right Jacobian for a ones seed, wrong for zeros
        return Ignores
    results = [outcome(lib, "gradcheck", fn(lib).apply, doubles(lib, [1., 2.]), check_undefined_grad=False)
               for lib in (retrograd, torch)]
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("fast_mode", [False, True])
def test_nondeterministic_backward_is_reported(fast_mode):
    def flaky(lib):
        calls = []

        class Flaky(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                calls.append(1)
                return g * (2 + 1e-9 * len(calls))
        return Flaky.apply
    results = [outcome(lib, "gradcheck", flaky(lib), doubles(lib, [1., 2.]), fast_mode=fast_mode)
               for lib in (retrograd, torch)]
    assert results[0][2].startswith("Backward is not reentrant")
    assert results[0][1:] == results[1][1:]
    assert retrograd.autograd.gradcheck(flaky(retrograd), doubles(retrograd, [1., 2.]), nondet_tol=1e-6,
                                        fast_mode=fast_mode)


def square_with_jvp(lib, factor):
    """x * x with a right backward and a forward-mode rule `factor * x * t` (right for 2)."""
    class Sq(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

        @staticmethod
        def jvp(ctx, t):
            x, = ctx.saved_tensors
            return factor * x * t
    return Sq


@pytest.mark.parametrize("fast_mode", [False, True])
@pytest.mark.parametrize("check_backward_ad", [True, False])
def test_check_forward_ad_catches_a_wrong_jvp(fast_mode, check_backward_ad):
    results = [outcome(lib, "gradcheck", square_with_jvp(lib, 3).apply, doubles(lib, [1., 2.]), fast_mode=fast_mode,
                       check_forward_ad=True, check_backward_ad=check_backward_ad) for lib in (retrograd, torch)]
    assert results[0][1:] == results[1][1:]
    assert results[0][2].startswith("Jacobian computed with forward mode mismatch for output 0 with respect to")
    for lib in (retrograd, torch):
        x = doubles(lib, [1., 2.])
        assert lib.autograd.gradcheck(square_with_jvp(lib, 2).apply, x, check_forward_ad=True) is True
        # forward mode only
        assert lib.autograd.gradcheck(square_with_jvp(lib, 2).apply, x, check_forward_ad=True,
                                      check_backward_ad=False) is True


@needs_stack
def test_check_batched_grad():
    got = []
    for lib in (retrograd, torch):
        lib.manual_seed(1)
        x, y = doubles(lib, X, Y)
        assert lib.autograd.gradcheck(lambda x, y: (x * y).sin(), (x, y), check_batched_grad=True)
        got.append(lib.rand(3).tolist())           # it draws its grad_outputs as torch does
    assert got[0] == got[1]


# ---------------------------------------------------------------- the whole registry, without torch

CASES = [c for c in all_cases() if c.grad and c.gradcheck and "float64" in c.dtypes]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_registry_gradcheck_random_directions(case):
    @settings(max_examples=3, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(shapes=case.shapes)
    def check(shapes):
        rng = np.random.default_rng(0)
        retrograd.manual_seed(0)    # fast mode's random directions: the same whatever ran before
        arrays = [np.asarray(dom(rng, s), dtype=np.float64) for dom, s in zip(case.domains(len(shapes)), shapes)]
        ins = tuple(retrograd.tensor(a, dtype=retrograd.float64, requires_grad=i not in case.nograd)
                    for i, a in enumerate(arrays))
        if not any(x.requires_grad for x in ins):
            return
        fn = lambda *xs: case.fn(retrograd, *xs)
        try:
            out = fn(*ins)
        except Exception:
            return
        outs = out if isinstance(out, (tuple, list)) else (out,)
        diff = [o for o in outs if getattr(o, "requires_grad", False)]
        if not diff:
            return
        # an input the case detaches (a loss weight, a target) is no input of the function
        req = [x for x in ins if x.requires_grad]
        used = dict(zip(map(id, req), retrograd.autograd.grad(sum(o.sum() for o in diff), req, allow_unused=True)))
        ins = tuple(x.detach().requires_grad_(used.get(id(x)) is not None) for x in ins)
        if all(x.numel() == 0 for x in ins if x.requires_grad):
            return          # nothing to perturb (and torch's gradcheck fails on it too)
        # the VJP and (case.jvp) the JVP rules against finite differences
        assert retrograd.autograd.gradcheck(fn, ins, fast_mode=True, check_forward_ad=case.jvp)
        if case.grad2:
            assert retrograd.autograd.gradgradcheck(fn, ins, fast_mode=True)
    check()
