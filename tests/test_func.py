"""retrograd.func against torch.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian,
with argnums, has_aux, pytrees, nesting, and torch's errors."""
import numpy as np
import pytest
from oracle import assert_close, raises_same, torch

import retrograd
from retrograd.ops.registry import FUNCTIONS

TOL = dict(rtol=1e-7, atol=1e-9)
needs_stack = pytest.mark.skipif("stack" not in FUNCTIONS, reason="retrograd.stack is not registered yet")

RNG = np.random.default_rng(11)
A = RNG.uniform(-1, 1, (2, 3))
B = RNG.uniform(-1, 1, (3,))


def T(lib, a):
    return lib.tensor(a, dtype=lib.float64)


def same(fn, *arrays):
    ours = fn(retrograd, *[T(retrograd, a) for a in arrays])
    theirs = fn(torch, *[T(torch, a) for a in arrays])
    assert_close(ours, theirs, **TOL)
    return ours


def loss(x, y):
    return ((x * y).sin() ** 2).sum() + (x.exp() * 0.5).mean()


def test_grad_argnums():
    same(lambda lib, a, b: lib.func.grad(loss)(a, b), A, B)
    same(lambda lib, a, b: lib.func.grad(loss, argnums=1)(a, b), A, B)
    same(lambda lib, a, b: lib.func.grad(loss, argnums=(0, 1))(a, b), A, B)
    same(lambda lib, a, b: lib.func.grad(loss, argnums=-1)(a, b), A, B)


def test_grad_and_value_has_aux():
    same(lambda lib, a, b: lib.func.grad_and_value(loss)(a, b), A, B)
    same(lambda lib, a, b: lib.func.grad_and_value(lambda x, y: (loss(x, y), x * 2), has_aux=True)(a, b), A, B)
    _, aux = same(lambda lib, a, b: lib.func.grad(lambda x, y: (loss(x, y), (y, y * 2)), has_aux=True)(a, b), A, B)
    assert isinstance(aux, tuple)


def test_grad_of_pytree_argument():
    def f(lib, a, b):
        g = lib.func.grad(lambda p: (p["w"] * p["b"][0]).sum() + p["b"][1].cos().sum())({"w": a, "b": (b, b)})
        return [g["w"], g["b"][0], g["b"][1]]
    same(f, A, B)


def test_nested_grad_is_second_derivative():
    same(lambda lib, b: lib.func.grad(lambda x: lib.func.grad(lambda y: (y ** 4).sum())(x).sum())(b), B)
    same(lambda lib, s: lib.func.grad(lib.func.grad(lambda y: (y.sin() * y).sum()))(s), np.array(0.7))


def test_grad_of_input_that_requires_grad_keeps_outer_graph():
    def f(lib, b):
        x = b.clone().requires_grad_()
        g = lib.func.grad(lambda y: (y ** 3).sum())(x)
        return g, lib.autograd.grad(g.sum(), x)
    same(f, B)


def test_closed_over_parameter_keeps_its_graph():
    # torch.func results stay connected to tensors outside the transform (MAML-style inner steps)
    def f(lib, a, b):
        w = b.clone().requires_grad_()
        g = lib.func.grad(lambda x: ((x * w).sin() ** 2).sum())(b * 0.5)
        _, fn = lib.func.vjp(lambda x: (x * w).exp(), b)
        v, = fn(b)
        return g.requires_grad, v.requires_grad, lib.autograd.grad((g * v).sum(), w)
    same(f, A, B)
    same(lambda lib, a, b: lib.func.grad(lambda x: (x * x).sum())(b).requires_grad, A, B)


def test_vjp():
    def f(lib, a, b):
        out, fn = lib.func.vjp(lambda x, y: ((x * y).sin(), x.sum(1)), a, b)
        return out, fn((a * 0.5, a.sum(1)))
    same(f, A, B)

    def g(lib, a, b):
        out, fn, aux = lib.func.vjp(lambda x: (x.exp(), x * 3), a, has_aux=True)
        return out, fn(a), aux
    same(g, A, B)


def test_jvp():
    same(lambda lib, a, b: lib.func.jvp(lambda x, y: (x * y).sin(), (a, b), (a * 0.1, b)), A, B)
    same(lambda lib, a, b: lib.func.jvp(lambda x: ((x * x).sum(), x.cos()), (a,), (a,)), A, B)
    same(lambda lib, a, b: lib.func.jvp(lambda x: (x.exp(), x * 2), (a,), (a,), has_aux=True), A, B)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobians(name):
    same(lambda lib, a, b: getattr(lib.func, name)(lambda x, y: (x * y).sin())(a, b), A, B)
    same(lambda lib, a, b: getattr(lib.func, name)(lambda x, y: ((x * y).sin(), x.sum()), argnums=(0, 1))(a, b),
         A, B)
    same(lambda lib, a, b: getattr(lib.func, name)(lambda x, y: (x.exp(), y * 2), has_aux=True)(a, b), A, B)


@needs_stack
def test_hessian():
    same(lambda lib, a, b: lib.func.hessian(loss)(a, b), A, B)
    same(lambda lib, a, b: lib.func.hessian(loss, argnums=(0, 1))(a, b), A, B)


@needs_stack
def test_nested_jacrev():
    same(lambda lib, b: lib.func.jacrev(lib.func.jacrev(lambda x: x.sin() * x.sum()))(b), B)


def test_errors_match_torch():
    x = B
    cases = [
        lambda lib: lib.func.grad(lambda x: x * 2)(T(lib, x)),
        lambda lib: lib.func.grad(lambda x: 2.0)(T(lib, x)),
        lambda lib: lib.func.grad(lambda x: x.sum(), argnums=1)(T(lib, x)),
        lambda lib: lib.func.grad(lambda x: x.sum(), argnums=(0, 0))(T(lib, x)),
        lambda lib: lib.func.grad(lambda x: x.sum(), has_aux=True)(T(lib, x)),
        lambda lib: lib.func.grad(lambda x: x.sum())(3.0),
        lambda lib: lib.func.grad(lambda x: x.sum())(lib.tensor([1, 2])),
        lambda lib: lib.func.jvp(lambda x: x.sin(), T(lib, x), T(lib, x)),
        lambda lib: lib.func.vjp(lambda x: x.sin(), T(lib, x))[1](T(lib, A)),
    ]
    for i, case in enumerate(cases):
        try:
            raises_same(lambda lib, c=case: c(lib))
        except BaseException as e:     # pytest's "DID NOT RAISE" is not an AssertionError
            raise AssertionError(f"case {i}: {e}") from None
    # torch wraps the long structure message; the type and its start are what matter
    for lib in (retrograd, torch):
        with pytest.raises(RuntimeError, match="Expected primals and tangents to have the same python structure"):
            lib.func.jvp(lambda x: x.sin(), (T(lib, x),), (T(lib, x), T(lib, x)))


@pytest.mark.parametrize("case", [
    lambda lib: lib.func.grad(lambda x: (x.sum(), 3), has_aux=True)(T(lib, B)),
    lambda lib: lib.func.grad(lambda x: (x.sum(), [x, None]), has_aux=True)(T(lib, B)),
    lambda lib: lib.func.vjp(lambda x: (x.sin(), 2.0), T(lib, B), has_aux=True),
    lambda lib: lib.func.jvp(lambda x: (x.sin(), 2.0), (T(lib, B),), (T(lib, B),), has_aux=True),
    lambda lib: lib.func.jacrev(lambda x: x.sin(), has_aux=True)(T(lib, B)),
    lambda lib: lib.func.jacfwd(lambda x: x.sin(), has_aux=True)(T(lib, B)),
    lambda lib: lib.func.jacrev(lambda x: (x.sin(), 3), has_aux=True)(T(lib, B)),
    lambda lib: lib.func.vjp(lambda x: 3.0, T(lib, B)),
    lambda lib: lib.func.vjp(lambda x: x.argmax(), T(lib, A)),
    lambda lib: lib.func.jacrev(lambda x: x.argmax())(T(lib, A)),
    lambda lib: lib.func.jacrev(lambda x: ())(T(lib, B)),
    lambda lib: lib.func.jacrev(lambda x, k=1: x * k)(T(lib, B), k=2),
    lambda lib: lib.func.jvp(lambda x: 3.0, (T(lib, B),), (T(lib, B),)),
    lambda lib: lib.func.jvp(lambda: T(lib, B), (), ()),
    lambda lib: lib.func.jvp(lambda x: x, (3.0,), (3.0,)),
    lambda lib: lib.func.jvp(lambda x: x.sin(), (T(lib, B),), (3.0,)),
    lambda lib: lib.func.jvp(lambda x: x.sin(), (T(lib, A),), (T(lib, B),)),
    lambda lib: lib.func.jvp(lambda x: x * 2, (lib.tensor([1, 2]),), (lib.tensor([1, 2]),)),
    lambda lib: lib.func.jvp(lambda x: x.sin(), (T(lib, B),), (T(lib, B), T(lib, B))),
    lambda lib: lib.func.jvp(lambda x: x["a"].sin(), ({"a": T(lib, B)},), ([T(lib, B)],)),
    lambda lib: lib.func.jacfwd(lambda x: x * 2.0)(lib.tensor([1, 2])),
])
def test_more_errors_match_torch(case):
    raises_same(case)


@pytest.mark.parametrize("out,ct", [
    (lambda x: (x.sin(), x), lambda lib: T(lib, B)),
    (lambda x: [x.sin(), x], lambda lib: (T(lib, B), T(lib, B))),
    (lambda x: {"a": x.sin(), "b": x}, lambda lib: [T(lib, B), T(lib, B)]),
    (lambda x: (x, [x, {"k": x}]), lambda lib: (T(lib, B),)),
    (lambda x: x, lambda lib: (T(lib, B),)),
], ids=["tuple", "list", "dict", "nested", "leaf"])
def test_vjp_structure_mismatch_message(out, ct):
    raises_same(lambda lib: lib.func.vjp(out, T(lib, B))[1](ct(lib)))


def test_integer_outputs():
    same(lambda lib, a: lib.func.jvp(lambda x: (x.sin(), x.argmax()), (a,), (a,)), A)
    same(lambda lib, a: lib.func.jacfwd(lambda x: (x.sin(), x.argmax()))(a), A)


def test_results_do_not_require_grad():
    g, v = retrograd.func.grad_and_value(lambda x: (x * x).sum())(T(retrograd, B))
    assert not g.requires_grad and not v.requires_grad and v.grad_fn is None
