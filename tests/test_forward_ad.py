"""Forward-mode AD's API against torch 2.13: levels, dual tensors, custom Function jvp,
errors. The JVP rule of every op is checked in tests/test_oracle.py (an op without a rule or
without a forward-AD OpCase fails it there)."""
import numpy as np
import pytest

import retrograd
from retrograd.ops.registry import OPS
from oracle import torch, assert_close, TOL


def _err(fn, lib):
    try:
        fn(lib)
    except Exception as e:
        return type(e), str(e)
    return None


def same_error(fn):
    theirs, ours = _err(fn, torch), _err(fn, retrograd)
    assert theirs is not None
    assert ours == theirs


def test_make_dual_needs_a_level():
    same_error(lambda lib: lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(2)))


def test_levels_do_not_nest_and_number_from_zero():
    for lib in (torch, retrograd):
        with lib.autograd.forward_ad.dual_level() as lvl:
            assert lvl == 0
    def nested(lib):
        with lib.autograd.forward_ad.dual_level():
            with lib.autograd.forward_ad.dual_level():
                pass
    same_error(nested)


@pytest.mark.parametrize("primal,tangent", [
    (lambda lib: lib.ones(2), lambda lib: lib.ones(3)),
    (lambda lib: lib.ones(2), lambda lib: lib.ones(2, dtype=lib.int64)),
    (lambda lib: lib.ones(2, dtype=lib.int64), lambda lib: lib.ones(2)),
])
def test_make_dual_errors(primal, tangent):
    def f(lib):
        with lib.autograd.forward_ad.dual_level():
            lib.autograd.forward_ad.make_dual(primal(lib), tangent(lib))
    same_error(f)


def test_level_errors():
    fw = lambda lib: lib.autograd.forward_ad      # noqa: E731
    same_error(lambda lib: fw(lib).exit_dual_level())
    same_error(lambda lib: fw(lib).exit_dual_level(level=-1))
    same_error(lambda lib: fw(lib).exit_dual_level(level=0))

    def in_level(body):
        def run(lib):
            with fw(lib).dual_level():
                body(lib, fw(lib))
        return run
    same_error(in_level(lambda lib, f: f.exit_dual_level(level=3)))
    same_error(in_level(lambda lib, f: f.make_dual(lib.ones(2), lib.ones(2), level=5)))
    same_error(in_level(lambda lib, f: f.unpack_dual(f.make_dual(lib.ones(2), lib.ones(2)), level=5)))
    same_error(in_level(lambda lib, f: f.make_dual(f.make_dual(lib.ones(2), lib.ones(2)), lib.ones(2))))
    same_error(in_level(lambda lib, f: f.make_dual(3.0, lib.ones(2))))


def test_integer_results_carry_no_tangent():
    got = {}
    for lib in (torch, retrograd):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(lib.tensor([1.5, -2.0]), lib.tensor([1., 2.]))
            got[lib] = [fw.unpack_dual(y).tangent for y in (d.long(), d > 0, d.argmax(), d.int() * 2)]
    assert got[torch] == got[retrograd] == [None] * 4


def test_repr_unpack_and_tangents_leave_with_the_level():
    out = {}
    for lib in (torch, retrograd):
        fw = lib.autograd.forward_ad
        x = lib.tensor([1., 2.])
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor([1., 0.5]))
            p, t = fw.unpack_dual(d)
            plain = fw.unpack_dual(lib.ones(2))
            out[lib] = (repr(d), repr(p), repr(t), plain.tangent, type(fw.unpack_dual(d)).__name__,
                        d._base is x, p.data_ptr() == x.data_ptr())
        assert fw.unpack_dual(d).tangent is None
    assert out[torch] == out[retrograd]


def test_tangent_is_differentiable_reverse_over_forward():
    got = {}
    for lib in (torch, retrograd):
        fw = lib.autograd.forward_ad
        x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor([1., 2., 3.], dtype=lib.float64))
            y = (d * d * 3 - d / 2) * 0.5          # ops whose rules exist in every version
            t = fw.unpack_dual(y).tangent
        t.sum().backward()
        got[lib] = (t.detach(), x.grad)
    assert_close(list(got[retrograd]), list(got[torch]), **TOL["float64"])


def _custom(lib, with_jvp):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, k):
            ctx.save_for_backward(a)
            ctx.save_for_forward(a)
            ctx.k = k
            return a * a * k

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return 2 * g * a * ctx.k, None

        if with_jvp:
            @staticmethod
            def jvp(ctx, ta, tk):
                a, = ctx.saved_tensors
                return 2 * ta * a * ctx.k
    return Scale


def test_custom_function_jvp_and_its_missing_error():
    got = {}
    for lib in (torch, retrograd):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(lib.tensor([1., 2.]), lib.tensor([0.5, -1.]))
            got[lib] = fw.unpack_dual(_custom(lib, True).apply(d, 3.0)).tangent
    assert_close(got[retrograd], got[torch], **TOL["float32"])

    def missing(lib):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            _custom(lib, False).apply(fw.make_dual(lib.ones(2), lib.ones(2)), 2.0)
    same_error(missing)


@pytest.mark.parametrize("forward,jvp", [
    (lambda x: x * 2, lambda t: (t, t)),             # one tangent too many
    (lambda x: x * 2, lambda t: t.sum()),            # the wrong shape
    (lambda x: x * 2, lambda t: 3.0),                # not a tensor
    (lambda x: x, lambda t: t * 5),                  # forward returns its input: jvp must return a view
    (lambda x: x.view(-1), lambda t: t.view(-1) * 2),
], ids=["count", "shape", "float", "as_is", "view"])
def test_custom_function_jvp_errors(forward, jvp):
    def program(lib):
        F = type("F", (lib.autograd.Function,), {
            "forward": staticmethod(lambda ctx, x: forward(x)), "backward": staticmethod(lambda ctx, g: g),
            "jvp": staticmethod(lambda ctx, t: jvp(t))})
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            F.apply(fw.make_dual(lib.ones(2, 2), lib.full((2, 2), 3.)))
    same_error(program)


def test_custom_function_jvp_of_views():
    got = {}
    for lib in (torch, retrograd):
        F = type("F", (lib.autograd.Function,), {
            "forward": staticmethod(lambda ctx, x: x.view(-1)), "backward": staticmethod(lambda ctx, g: g),
            "jvp": staticmethod(lambda ctx, t: t.view(-1))})
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            got[lib] = fw.unpack_dual(F.apply(fw.make_dual(lib.ones(2, 2), lib.full((2, 2), 3.)))).tangent
    assert_close(got[retrograd], got[torch], **TOL["float32"])


def test_op_without_rule_raises_naming_it(monkeypatch):
    monkeypatch.setattr(OPS["exp"], "jvp", None)
    fw = retrograd.autograd.forward_ad
    with fw.dual_level():
        d = fw.make_dual(retrograd.ones(2), retrograd.ones(2))
        with pytest.raises(NotImplementedError, match="Trying to use forward AD with exp that does not support it"):
            d.exp()
    # outside a level, nothing is checked and nothing costs
    retrograd.ones(2).exp()


def test_no_tangent_means_no_work():
    fw = retrograd.autograd.forward_ad
    with fw.dual_level():
        y = retrograd.ones(3).exp() * 2
        assert fw.unpack_dual(y).tangent is None
