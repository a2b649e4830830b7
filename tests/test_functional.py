"""autograd.functional (vjp, jvp, jacobian, hessian, hvp, vhp) against torch.autograd.functional:
values, tuple structure, dtypes, the errors of strict mode and bad arguments, and vjp/jvp of
every op of the registry."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from opinfo import all_cases
from oracle import assert_close, raises_same, torch

import retrograd
from retrograd.ops.registry import FUNCTIONS, OPS

TOL = dict(rtol=1e-7, atol=1e-9)
needs_stack = pytest.mark.skipif("stack" not in FUNCTIONS, reason="retrograd.stack is not registered yet")
needs_jvp = pytest.mark.skipif(OPS["sin"].jvp is None or OPS["mul"].jvp is None,
                               reason="forward-mode JVP rules are not registered yet")

RNG = np.random.default_rng(7)
A = RNG.uniform(-1, 1, (2, 3))
B = RNG.uniform(-1, 1, (3,))
V_OUT = RNG.uniform(-1, 1, (2, 3))


def T(lib, *arrays, requires_grad=False):
    ts = tuple(lib.tensor(a, dtype=lib.float64, requires_grad=requires_grad) for a in arrays)
    return ts if len(ts) > 1 else ts[0]


def same(fn, *arrays):
    """fn(lib, *tensors) on both libraries; the results must match in structure, dtype and value."""
    ours = fn(retrograd, *[T(retrograd, a) for a in arrays])
    theirs = fn(torch, *[T(torch, a) for a in arrays])
    assert_close(ours, theirs, **TOL)
    return ours


def f_single(lib, x):
    return (x * x).sin()


def f_pair(lib, x, y):
    return (x * y).exp(), (x - y).sum(0)


def f_scalar(lib, x, y):
    return ((x ** 3) * y).sum() + (x * x).sum() * y.sum()


def test_vjp_single_and_tuple():
    same(lambda lib, a, v: lib.autograd.functional.vjp(lambda x: f_single(lib, x), a, v), A, V_OUT)
    same(lambda lib, a, b, v, w: lib.autograd.functional.vjp(lambda x, y: f_pair(lib, x, y), (a, b), (v, w)),
         A, B, V_OUT, B)


def test_vjp_scalar_output_needs_no_v():
    same(lambda lib, a: lib.autograd.functional.vjp(lambda x: (x * x).sum(), a), A)


def test_jvp_single_and_tuple():
    same(lambda lib, a, v: lib.autograd.functional.jvp(lambda x: f_single(lib, x), a, v), A, V_OUT)
    same(lambda lib, a, b, v, w: lib.autograd.functional.jvp(lambda x, y: f_pair(lib, x, y), (a, b), (v, w)),
         A, B, V_OUT, B)


@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_shapes_and_values(vectorize):
    same(lambda lib, a: lib.autograd.functional.jacobian(lambda x: f_single(lib, x), a, vectorize=vectorize), A)
    same(lambda lib, a, b: lib.autograd.functional.jacobian(lambda x, y: f_pair(lib, x, y), (a, b),
                                                           vectorize=vectorize), A, B)
    # a tuple of one input gives a tuple back; a single tensor does not
    same(lambda lib, a: lib.autograd.functional.jacobian(lambda x: f_single(lib, x), (a,), vectorize=vectorize), A)


def test_jacobian_of_unused_input_is_zeros():
    same(lambda lib, a, b: lib.autograd.functional.jacobian(lambda x, y: x.exp(), (a, b)), A, B)


@needs_stack
def test_jacobian_create_graph_is_differentiable():
    def fn(lib, a):
        a.requires_grad_()
        j = lib.autograd.functional.jacobian(lambda x: f_single(lib, x), a, create_graph=True)
        return j, lib.autograd.grad(j.sum(), a)
    same(fn, A)


@needs_stack
@pytest.mark.parametrize("vectorize", [False, True])
def test_hessian(vectorize):
    same(lambda lib, a, b: lib.autograd.functional.hessian(lambda x, y: f_scalar(lib, x, y), (a, b),
                                                          vectorize=vectorize), A, B)
    same(lambda lib, b: lib.autograd.functional.hessian(lambda x: (x ** 4).sum(), b), B)


def test_hvp_and_vhp():
    for name in ("hvp", "vhp"):
        same(lambda lib, a, b, v, w, name=name: getattr(lib.autograd.functional, name)(
            lambda x, y: f_scalar(lib, x, y), (a, b), (v, w)), A, B, V_OUT, B)
        same(lambda lib, b, w, name=name: getattr(lib.autograd.functional, name)(lambda x: (x ** 4).sum(), b, w),
             B, B)


def test_hvp_create_graph_keeps_graph():
    def fn(lib, b, w):
        b.requires_grad_()
        out, h = lib.autograd.functional.hvp(lambda x: (x ** 4).sum(), b, w, create_graph=True)
        return out, h, lib.autograd.grad(h.sum(), b)
    same(fn, B, B)


@needs_jvp
def test_jacobian_forward_mode():
    same(lambda lib, a, b: lib.autograd.functional.jacobian(lambda x, y: f_pair(lib, x, y), (a, b),
                                                           vectorize=True, strategy="forward-mode"), A, B)


@needs_jvp
def test_forward_mode_jacobian_keeps_the_tangents_graph():
    # torch does not detach forward-mode Jacobians: they stay connected to inputs that require grad
    def fn(lib, a, b):
        x, w = a.requires_grad_(), b.clone().requires_grad_()
        j = lib.autograd.functional.jacobian(lambda y: y.sin() * w, x[0], vectorize=True, strategy="forward-mode")
        return j, j.requires_grad, lib.autograd.grad(j.sum(), (x, w))
    same(fn, A, B)


@needs_stack
@needs_jvp
@pytest.mark.parametrize("vectorize", [False, True])
def test_hessian_outer_forward_mode(vectorize):
    def fn(lib, a, b):
        h = lib.autograd.functional.hessian(lambda x, y: f_scalar(lib, x, y), (a, b), vectorize=True,
                                            outer_jacobian_strategy="forward-mode")
        return h, h[0][0].requires_grad
    same(fn, A, B)
    same(lambda lib, b: lib.autograd.functional.hessian(lambda x: (x ** 4).sum(), b, vectorize=vectorize), B)
    raises_same(lambda lib: lib.autograd.functional.hessian(lambda x: (x ** 4).sum(), T(lib, B),
                                                            outer_jacobian_strategy="forward-mode"))
    raises_same(lambda lib: lib.autograd.functional.hessian(lambda x: (x ** 4).sum(), T(lib, B),
                                                            outer_jacobian_strategy="sideways"))


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_create_graph_and_strict(name):
    fn = f_single if name in ("vjp", "jvp") else (lambda lib, x: (x ** 3).sum())

    def graph(lib, a, v):
        x = a.requires_grad_()
        out, r = getattr(lib.autograd.functional, name)(lambda y: fn(lib, y), x, v, create_graph=True)
        return out, r, r.requires_grad, lib.autograd.grad(r.sum(), x)
    same(graph, A, V_OUT)
    same(lambda lib, a, v: getattr(lib.autograd.functional, name)(lambda y: fn(lib, y), a, v, strict=True), A, V_OUT)
    # linear functions: strict mode refuses where the derivative cannot depend on the input
    raises_same(lambda lib: getattr(lib.autograd.functional, name)(
        lambda x: (x * 3).sum(), T(lib, A), T(lib, A) if name != "vjp" else T(lib, np.array(1.)), strict=True,
        create_graph=True))


# ---------------------------------------------------------------- errors, as torch

def test_errors_match_torch():
    cases = [
        # v may be None only for a single-element output / input
        lambda lib: lib.autograd.functional.vjp(lambda x: x * 2, T(lib, A)),
        lambda lib: lib.autograd.functional.jvp(lambda x: x * 2, T(lib, A)),
        lambda lib: lib.autograd.functional.hvp(lambda x: x.sum(), T(lib, A)),
        # v of the wrong size, the wrong count
        lambda lib: lib.autograd.functional.vjp(lambda x: x * 2, T(lib, A), T(lib, B)),
        lambda lib: lib.autograd.functional.vjp(lambda x, y: (x * 2, y), (T(lib, A), T(lib, B)), (T(lib, A),)),
        lambda lib: lib.autograd.functional.jvp(lambda x, y: x * y, (T(lib, A), T(lib, B)), (T(lib, A), T(lib, A))),
        # non-Tensor inputs and outputs
        lambda lib: lib.autograd.functional.vjp(lambda x: x, 3.0),
        lambda lib: lib.autograd.functional.jacobian(lambda x: (x, 2.0), T(lib, A)),
        # hessian / hvp need one scalar output
        lambda lib: lib.autograd.functional.hessian(lambda x: x * 2, T(lib, B)),
        lambda lib: lib.autograd.functional.hvp(lambda x: (x.sum(), x.sum()), T(lib, B), T(lib, B)),
        lambda lib: lib.autograd.functional.vhp(lambda x: x * 2, T(lib, B), T(lib, B)),
        # strict mode
        lambda lib: lib.autograd.functional.vjp(lambda x, y: x * 2, (T(lib, A), T(lib, B)), T(lib, A), strict=True),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x.detach(), T(lib, A), strict=True),
        lambda lib: lib.autograd.functional.jacobian(lambda x, y: x * 2, (T(lib, A), T(lib, B)), strict=True),
        lambda lib: lib.autograd.functional.jvp(lambda x, y: x * 2, (T(lib, A), T(lib, B)), (T(lib, A), T(lib, B)),
                                                strict=True),
        lambda lib: lib.autograd.functional.hvp(lambda x: x.sum() * 2, T(lib, B), T(lib, B), strict=True),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x * 2, T(lib, A), strict=True, vectorize=True),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x * 2, T(lib, A), strategy="sideways"),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x * 2, T(lib, A), create_graph=True,
                                                     strategy="forward-mode"),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x * 2, T(lib, A), strategy="forward-mode"),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x * 2, T(lib, A), strict=True,
                                                     strategy="forward-mode", vectorize=True),
    ]
    for i, case in enumerate(cases):
        try:
            raises_same(lambda lib, c=case: c(lib))
        except BaseException as e:     # pytest's "DID NOT RAISE" is not an AssertionError
            raise AssertionError(f"case {i}: {e}") from None


def test_outputs_are_detached_without_create_graph():
    x = T(retrograd, A, requires_grad=True)
    out, v = retrograd.autograd.functional.vjp(lambda x: f_single(retrograd, x), x, T(retrograd, V_OUT))
    assert not out.requires_grad and not v.requires_grad
    j = retrograd.autograd.functional.jacobian(lambda x: f_single(retrograd, x), x)
    assert not j.requires_grad and j.shape == (2, 3, 2, 3)


# ---------------------------------------------------------------- the registry, through the functional API

# (cases with ties or kinks, gradcheck=False, are left to the oracle: which tied element gets the
# gradient is the only thing they could disagree on)
REGISTRY = [c for c in all_cases() if c.grad2 and c.gradcheck and "float64" in c.dtypes]


@pytest.mark.parametrize("case", REGISTRY, ids=[c.name for c in REGISTRY])
def test_registry_through_functional_vjp_and_jvp(case):
    """functional.vjp and functional.jvp (the double-backward trick) of every op against torch's,
    on a few of the oracle's inputs."""
    @settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(shapes=case.shapes, seed=st.integers(0, 2 ** 32 - 1))
    def check(shapes, seed):
        rng = np.random.default_rng(seed)
        arrays = [np.asarray(dom(rng, s), dtype=np.float64) for dom, s in zip(case.domains(len(shapes)), shapes)]
        diff = [i for i in range(len(arrays)) if i not in case.nograd]
        got, draws = {}, []
        for lib in (torch, retrograd):
            ins = [T(lib, a) for a in arrays]

            def f(*xs, lib=lib, ins=ins):
                args = list(ins)
                for i, x in zip(diff, xs):
                    args[i] = x
                out = case.fn(lib, *args)
                outs = out if isinstance(out, (tuple, list)) else (out,)
                return tuple(o for o in outs if o.dtype.is_floating_point)
            try:
                if not draws:       # the same cotangents and tangents for both libraries
                    draws = [[rng.uniform(-1, 1, tuple(o.shape)) for o in f(*[ins[i] for i in diff])],
                             [rng.uniform(-1, 1, arrays[i].shape) for i in diff]]
                vs, ts = (tuple(T(lib, a) for a in d) for d in draws)
                got[lib] = (lib.autograd.functional.vjp(f, tuple(ins[i] for i in diff), vs),
                            lib.autograd.functional.jvp(f, tuple(ins[i] for i in diff), ts))
            except Exception as e:
                got[lib] = type(e)
        if isinstance(got[torch], type):
            assert got[retrograd] is got[torch]
            return
        assert_close(got[retrograd], got[torch], rtol=1e-7, atol=1e-9)
    check()
