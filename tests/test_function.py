"""Custom autograd Functions (autograd.Function) against torch 2.13: both forward styles, the
whole ctx API (save_for_backward and its version check, needs_input_grad, mark_dirty,
mark_non_differentiable, set_materialize_grads), once_differentiable, double backward, and
torch's errors for wrong backwards. Forward mode (Function.jvp) is in tests/test_forward_ad.py."""
import warnings

import numpy as np
import pytest
from oracle import assert_close, torch

import retrograd

TOL = dict(rtol=1e-6, atol=1e-7)


def X(lib, requires_grad=True):
    return lib.tensor([1., -2., 3.], requires_grad=requires_grad)


def outcome(program, lib):
    try:
        return program(lib), None
    except Exception as e:
        return None, (type(e), str(e))


def same(program):
    """program(lib) on both libraries: the same results, or the same error type and message."""
    (ours, our_err), (theirs, their_err) = outcome(program, retrograd), outcome(program, torch)
    if their_err is not None or our_err is not None:
        assert our_err == their_err
        return None
    assert_close(ours, theirs, **TOL)
    return ours


def raises_same(program):
    (_, ours), (_, theirs) = outcome(program, retrograd), outcome(program, torch)
    assert theirs is not None, "torch did not raise"
    assert ours == theirs


def function(lib, backward, forward=lambda ctx, x: x * 2, **static):
    """A Function with the given forward(ctx, *args) and backward(ctx, *grads)."""
    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    attrs.update({k: staticmethod(v) for k, v in static.items()})
    return type("F", (lib.autograd.Function,), attrs)


def backward_of(lib, fn, *inputs):
    """(outputs, gradients of every input that requires grad) after summing the outputs."""
    out = fn.apply(*inputs)
    outs = out if isinstance(out, tuple) else (out,)
    sum(o.sum() for o in outs if isinstance(o, lib.Tensor) and o.requires_grad).backward()
    return list(outs) + [x.grad for x in inputs if isinstance(x, lib.Tensor) and x.requires_grad]


# ---------------------------------------------------------------- the two forms, names

def test_node_is_named_after_the_class():
    def program(lib):
        class LegendrePolynomial3(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        fn = LegendrePolynomial3.apply(X(lib)).grad_fn
        return (fn.name(), type(fn).__name__, type(fn).__module__, repr(fn).split(" object")[0],
                fn.next_functions[0][0].name(), repr(LegendrePolynomial3.apply(X(lib))))
    ours, theirs = program(retrograd), program(torch)
    assert ours == theirs
    assert ours[0] == "LegendrePolynomial3Backward"


def test_setup_context_form_binds_defaults_and_kwargs():
    def program(lib):
        seen = []

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(x, k=2.0):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                seen.append(len(inputs))
                ctx.k = inputs[1]
                ctx.save_for_backward(inputs[0], output)

            @staticmethod
            def backward(ctx, g):
                x, out = ctx.saved_tensors
                return g * ctx.k, None
        x = X(lib)
        a, b, c = Scale.apply(x), Scale.apply(x, 3.0), Scale.apply(x, k=5.0)
        (a + b + c).sum().backward()
        return seen, a, b, c, x.grad, a.grad_fn.name()
    ours = same(program)
    assert ours[0] == [2, 2, 2]


def test_setup_context_with_a_ctx_forward_is_a_binding_error():
    def program(lib):
        F = function(lib, lambda ctx, g: g, setup_context=lambda ctx, inputs, output: None)
        F.apply(X(lib))
    raises_same(program)


def test_legacy_forms_are_refused():
    def instantiated(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            function(lib, lambda ctx, g: g)()(X(lib))
    raises_same(instantiated)
    raises_same(lambda lib: lib.autograd.Function.apply(X(lib)))                 # no forward
    raises_same(lambda lib: type("F", (lib.autograd.Function,), {"forward": staticmethod(lambda ctx, x: x * 2)})
                .apply(X(lib)).sum().backward())                                  # no backward


def test_vjp_is_backwards_other_name_but_not_both():
    same(lambda lib: backward_of(lib, type("F", (lib.autograd.Function,), {
        "forward": staticmethod(lambda ctx, x: x * 2), "vjp": staticmethod(lambda ctx, g: g * 2)}), X(lib)))
    raises_same(lambda lib: backward_of(lib, function(lib, lambda ctx, g: g, vjp=lambda ctx, g: g), X(lib)))


def test_grad_fn_apply_runs_backward_and_the_node_is_not_callable():
    def program(lib):
        def fwd(ctx, x):
            ctx.save_for_backward(x)
            return x * 2
        y = function(lib, lambda ctx, g: g * ctx.saved_tensors[0], fwd).apply(X(lib))
        return y.grad_fn.apply(lib.ones(3))
    same(program)
    raises_same(lambda lib: function(lib, lambda ctx, g: g).apply(X(lib)).grad_fn(lib.ones(3)))


# ---------------------------------------------------------------- ctx: saved tensors

def test_saved_tensors_none_and_attributes():
    def program(lib):
        class LinearFunction(lib.autograd.Function):
            @staticmethod
            def forward(ctx, input, weight, bias=None, scale=1.0):
                ctx.save_for_backward(input, weight, bias)
                ctx.scale = scale
                out = input.mm(weight.t()) * scale
                return out if bias is None else out + bias
            @staticmethod
            def backward(ctx, g):
                input, weight, bias = ctx.saved_tensors
                g = g * ctx.scale
                return g.mm(weight), g.t().mm(input), None if bias is None else g.sum(0), None
        a = lib.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        w = lib.tensor([[0.5, -1.], [2., 1.], [0., 3.]], requires_grad=True)
        b = lib.tensor([1., 2., 3.], requires_grad=True)
        return backward_of(lib, LinearFunction, a, w) + backward_of(lib, LinearFunction, a, w, b, 0.5)
    same(program)


def test_saved_tensors_are_empty_during_forward_and_must_be_tensors():
    def peek(lib):
        def fwd(ctx, x):
            ctx.save_for_backward(x)
            return x * len(ctx.saved_tensors)
        return function(lib, lambda ctx, g: g, fwd).apply(X(lib))
    same(peek)

    def not_a_tensor(lib):
        def fwd(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 2
        function(lib, lambda ctx, g: g, fwd).apply(X(lib))
    raises_same(not_a_tensor)


def saving(lib, what):
    """A Function that saves its input ("input") or its output ("output")."""
    def fwd(ctx, x):
        y = x * 2
        ctx.save_for_backward(x if what == "input" else y)
        return y

    def bwd(ctx, g):
        s, = ctx.saved_tensors
        return g * s
    return function(lib, bwd, fwd)


@pytest.mark.parametrize("what", ["input", "output"])
def test_saved_tensor_modified_in_place_raises_torchs_error(what):
    def program(lib):
        x = X(lib)
        a = x * 1
        y = saving(lib, what).apply(a)
        with lib.no_grad():
            (a if what == "input" else y).add_(1)
        y.sum().backward()
    raises_same(program)


def test_second_backward_and_freed_saved_tensors():
    def program(lib):
        y = saving(lib, "input").apply(X(lib))
        before = y.grad_fn.saved_tensors
        s = y.sum()
        s.backward()
        try:
            y.grad_fn.saved_tensors
        except RuntimeError as e:
            return before, str(e)
    same(program)
    raises_same(lambda lib: [s.backward() for s in [saving(lib, "input").apply(X(lib)).sum()] * 2])


def test_needs_input_grad():
    def program(lib):
        seen = []

        def fwd(ctx, a, b, k, c=None):
            seen.append(ctx.needs_input_grad)
            return a * 2

        def bwd(ctx, g):
            seen.append(ctx.needs_input_grad)
            return g, None, None, None
        function(lib, bwd, fwd).apply(X(lib), X(lib, False), 3, None).sum().backward()
        return seen
    assert same(program) == [(True, False, False, False)] * 2


# ---------------------------------------------------------------- gradients returned by backward

@pytest.mark.parametrize("returned", [
    lambda lib, g: (g, g),                          # one too many
    lambda lib, g: g.sum(),                         # wrong shape
    lambda lib, g: lib.ones(2),                     # wrong shape
    lambda lib, g: 3.0,                             # not a tensor
    lambda lib, g: [g],                             # not a tensor
], ids=["too_many", "scalar", "shape", "float", "list"])
def test_wrong_gradients_raise_torchs_errors(returned):
    raises_same(lambda lib: backward_of(lib, function(lib, returned), X(lib)))


def test_too_few_gradients_and_gradient_for_a_non_tensor():
    raises_same(lambda lib: backward_of(lib, function(lib, lambda ctx, g: g, lambda ctx, a, b: a * b), X(lib), X(lib)))
    raises_same(lambda lib: backward_of(lib, function(lib, lambda ctx, g: (g, g), lambda ctx, a, k: a * k), X(lib), 2.))


@pytest.mark.parametrize("returned", [
    lambda lib, g: (g * 2, None, None),              # trailing Nones beyond the inputs
    lambda lib, g: lib.ones(2, 3),                   # broadcastable: summed to the input's shape
    lambda lib, g: lib.ones(1, 3),
    lambda lib, g: lib.ones(3, dtype=lib.float64),   # another dtype: cast to the input's
    lambda lib, g: lib.ones(3, dtype=lib.int64),
], ids=["trailing_none", "expand", "expand1", "double", "int"])
def test_gradients_torch_accepts(returned):
    same(lambda lib: backward_of(lib, function(lib, returned), X(lib)))


def test_multiple_inputs_and_outputs():
    def program(lib):
        def fwd(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        def bwd(ctx, g1, g2):
            a, b = ctx.saved_tensors
            return g1 * b + g2, g1 * a + g2
        a, b = X(lib), lib.tensor([4., 5., 6.], requires_grad=True)
        u, v = function(lib, bwd, fwd).apply(a, b)
        (u * v).sum().backward()
        return u, v, a.grad, b.grad, u.grad_fn is v.grad_fn, u.output_nr, v.output_nr
    same(program)


def test_non_tensor_and_integer_outputs():
    def program(lib):
        F = function(lib, lambda ctx, g, g2, g3: g * 2, lambda ctx, x: (x * 2, 5, x.long()))
        x = X(lib)
        a, k, i = F.apply(x)
        a.sum().backward()
        return a, k, i, i.requires_grad, x.grad
    same(program)


def test_an_input_returned_as_is_is_a_view_with_the_custom_node():
    def program(lib):
        x = X(lib)
        y = function(lib, lambda ctx, g: g * 3, lambda ctx, x: x).apply(x)
        facts = (y is x, y.grad_fn.name(), y._base is x, y.is_leaf)
        y.sum().backward()
        return facts, x.grad
    same(program)


def test_no_graph_without_grad():
    def program(lib):
        F = function(lib, lambda ctx, g: g)
        with lib.no_grad():
            a = F.apply(X(lib))
        b = F.apply(X(lib, False))
        return a.requires_grad, a.grad_fn, b.requires_grad, b.grad_fn
    same(program)


def test_grad_mode_inside_forward_and_backward():
    def program(lib):
        seen = []

        def fwd(ctx, x):
            seen.append(lib.is_grad_enabled())
            return x * 2

        def bwd(ctx, g):
            seen.append(lib.is_grad_enabled())
            return g
        F = function(lib, bwd, fwd)
        F.apply(X(lib)).sum().backward()
        x = X(lib)
        lib.autograd.grad(F.apply(x).sum(), x, create_graph=True)
        return seen
    assert same(program) == [False, False, False, True]


# ---------------------------------------------------------------- mark_dirty / non_differentiable / materialize

def add_one(lib, mark=True):
    def fwd(ctx, x):
        x.add_(1)
        if mark:
            ctx.mark_dirty(x)
        return x
    return function(lib, lambda ctx, g: g * 2, fwd)


def test_mark_dirty_rewrites_history_and_bumps_the_version():
    def program(lib):
        x = X(lib)
        a = x * 2
        b = add_one(lib).apply(a)
        facts = (b is a, a.grad_fn.name(), a._version)
        (b * b).sum().backward()
        return facts, x.grad
    same(program)
    same(lambda lib: [t._version for t in [lib.ones(3)] if add_one(lib).apply(t) is t])     # no graph: bumped too


def test_mark_dirty_errors():
    raises_same(lambda lib: add_one(lib).apply(X(lib)))                     # a leaf that requires grad
    raises_same(lambda lib: add_one(lib).apply(X(lib)[:2]))                 # a view of one

    def not_returned(lib):
        def fwd(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x * 2
        function(lib, lambda ctx, g: g, fwd).apply(X(lib) * 1)
    raises_same(not_returned)

    def view_and_two_outputs(lib):
        def fwd(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x, x * 3
        function(lib, lambda ctx, g, h: g, fwd).apply((X(lib) * 1)[:2])
    raises_same(view_and_two_outputs)


def dirty_view_program(lib, first):
    """A view of a non-leaf, modified in place by a Function whose other input is a leaf `w`;
    `first`: the view is the Function's first input."""
    def fwd(ctx, *xs):
        v = xs[0] if first else xs[1]
        v.mul_(2)
        ctx.mark_dirty(v)
        return v

    def bwd(ctx, g):
        gw = g.sum(0, keepdim=True) * 5
        return (g * 2, gw) if first else (gw, g * 2)
    x, w = X(lib), lib.ones(1, requires_grad=True)
    base = x * 1
    v = base[1:]
    r = function(lib, bwd, fwd).apply(*((v, w) if first else (w, v)))
    facts = (r is v, v.grad_fn.name(), base.grad_fn.name(), base._version, repr(base).split("grad_fn=")[1])
    (base * lib.tensor([1., 2., 3.])).sum().backward()
    return facts, x.grad, w.grad


def test_mark_dirty_on_a_view_gives_the_base_copyslices():
    same(lambda lib: dirty_view_program(lib, True))
    # torch takes the view to be the first input (its gradients are wrong otherwise); retrograd
    # finds it wherever it is
    (facts, gx, gw), (facts1, gx1, gw1) = dirty_view_program(retrograd, False), dirty_view_program(retrograd, True)
    assert facts == facts1
    assert gx.tolist() == gx1.tolist() == [1., 4., 6.] and gw.tolist() == gw1.tolist() == [25.]

    def base_without_history(lib):
        x = X(lib)
        base = lib.ones(3)
        v = base[:2]

        def fwd(ctx, v, x):
            v.add_(x[:2])
            ctx.mark_dirty(v)
            return v
        r = function(lib, lambda ctx, g: (g, lib.cat([g, g.new_zeros(1)])), fwd).apply(v, x)
        facts = (r.grad_fn.name(), base.grad_fn.name(), base.requires_grad)
        base.sum().backward()
        return facts, x.grad
    same(base_without_history)


def test_in_place_custom_function_is_differentiable_twice():
    def program(lib):
        def fwd(ctx, x):
            ctx.save_for_backward(x)
            return x * x
        x = X(lib)
        y = function(lib, lambda ctx, g: 2 * ctx.saved_tensors[0] * g, fwd).apply(x)
        z = add_one(lib).apply(y)
        g, = lib.autograd.grad(z.sum(), x, create_graph=True)
        return z, g, lib.autograd.grad(g.sum(), x)
    same(program)


def test_mark_non_differentiable():
    def program(lib):
        def fwd(ctx, x):
            v, i = x.sort()
            w = v * 3
            ctx.mark_non_differentiable(i, w)
            ctx.save_for_backward(i)
            return v, i, w

        def bwd(ctx, gv, gi, gw):
            i, = ctx.saved_tensors
            r = lib.zeros_like(gv)
            r[i] = gv
            return r
        x = lib.tensor([3., 1., 2.], requires_grad=True)
        v, i, w = function(lib, bwd, fwd).apply(x)
        facts = (v.requires_grad, i.requires_grad, w.requires_grad, w.grad_fn)
        (v * lib.tensor([1., 2., 3.])).sum().backward()
        return facts, x.grad
    same(program)


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads(materialize):
    def program(lib):
        seen = []

        def fwd(ctx, x):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        def bwd(ctx, ga, gb):
            seen.append((ga is None, gb is None, None if gb is None else gb.tolist()))
            return ga * 2
        x = X(lib)
        a, _ = function(lib, bwd, fwd).apply(x)
        a.sum().backward()
        return seen, x.grad
    same(program)


# ---------------------------------------------------------------- higher order

def cube(lib, once):
    def fwd(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    def bwd(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * g
    return function(lib, lib.autograd.function.once_differentiable(bwd) if once else bwd, fwd)


def test_double_backward_through_a_differentiable_backward():
    def program(lib):
        x = X(lib)
        g, = lib.autograd.grad(cube(lib, False).apply(x).sin().sum(), x, create_graph=True)
        return g, lib.autograd.grad(g.sum(), x)
    same(program)


def test_once_differentiable():
    same(lambda lib: backward_of(lib, cube(lib, True), X(lib)))              # first order is fine

    def graph_of_the_gradient(lib):
        x = X(lib)
        g, = lib.autograd.grad(cube(lib, True).apply(x).sin().sum(), x, create_graph=True)
        return (g.requires_grad, g.grad_fn.name(), type(g.grad_fn).__name__,
                [type(n).__name__ for n, _ in g.grad_fn.next_functions], repr(g).split("grad_fn=")[1])
    same(graph_of_the_gradient)

    def second_backward(lib):
        x = X(lib)
        g, = lib.autograd.grad(cube(lib, True).apply(x).sin().sum(), x, create_graph=True)
        g.sum().backward()
    raises_same(second_backward)

    def second_grad(lib):       # the Error node's inputs are fresh leaves: x is not reached
        x = X(lib)
        g, = lib.autograd.grad(cube(lib, True).apply(x).sin().sum(), x, create_graph=True)
        lib.autograd.grad(g.sum(), x)
    raises_same(second_grad)


def test_gradcheck_of_a_custom_function():
    def program(lib):
        x = lib.tensor(np.linspace(-1, 1, 5), dtype=lib.float64, requires_grad=True)
        return (lib.autograd.gradcheck(cube(lib, False).apply, (x,)),
                lib.autograd.gradgradcheck(cube(lib, False).apply, (x,)))
    assert same(program) == (True, True)
