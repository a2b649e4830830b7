"""Saved-tensor hooks (autograd.graph.saved_tensors_hooks, save_on_cpu) and activation
checkpointing (utils.checkpoint), against torch; plus the peak memory checkpointing saves."""
import tracemalloc
import warnings

import numpy as np
import pytest
import torch.utils.checkpoint
from oracle import assert_close, raises_same, torch

import retrograd
import retrograd.utils.checkpoint

TOL = dict(rtol=1e-7, atol=1e-9)
RNG = np.random.default_rng(3)
X = RNG.uniform(-1, 1, (3, 4))
W = RNG.uniform(0.5, 1.5, (4,))


def leaves(lib):
    return (lib.tensor(X, dtype=lib.float64, requires_grad=True),
            lib.tensor(W, dtype=lib.float64, requires_grad=True))


def identical(ours, again):
    """Two lists of retrograd tensors with bit-equal values."""
    assert len(ours) == len(again)
    for a, b in zip(ours, again):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def both(program):
    ours, theirs = program(retrograd), program(torch)
    assert_close(ours, theirs, **TOL)
    return ours


# ---------------------------------------------------------------- saved_tensors_hooks

def test_pack_and_unpack_are_called_as_in_torch():
    def program(lib):
        log = []
        x, w = leaves(lib)

        def pack(t):
            log.append(("pack", tuple(t.shape)))
            return t * 1          # a copy: the node keeps only what pack returns

        def unpack(t):
            log.append(("unpack", tuple(t.shape)))
            return t
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = (x * w).sin().exp().sum()
        log.append("backward")
        y.backward()
        return log, x.grad, w.grad
    ours, theirs = program(retrograd), program(torch)
    assert ours[0] == theirs[0]
    assert_close(list(ours[1:]), list(theirs[1:]), **TOL)


def test_saved_attribute_unpacks():
    def program(lib):
        log = []
        x, _ = leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: (log.append("pack"), t * 2)[1],
                                                    lambda t: (log.append("unpack"), t)[1]):
            y = x.exp()
        return log, y.grad_fn._saved_result
    ours, theirs = program(retrograd), program(torch)
    assert ours[0] == theirs[0]
    assert_close(ours[1], theirs[1], **TOL)


def test_unpacked_copies_take_the_saved_tensors_place():
    def program(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
            y, z, w = x.sin(), (x * 2).cos(), x.exp()
        return repr(y.grad_fn._saved_self), repr(z.grad_fn._saved_self), repr(w.grad_fn._saved_result)
    ours, theirs = program(retrograd), program(torch)
    assert ours == theirs


def test_hooked_tensors_skip_the_version_check():
    def program(lib):
        x, _ = leaves(lib)
        a = x * 1
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            b = a.sin()
        with lib.no_grad():
            a.add_(1)
        b.sum().backward()
        return x.grad
    both(program)


def test_double_backward_through_unpacked_tensors():
    def program(lib):
        x, w = leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t * 1):
            y = ((x * w).sin() * x).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        return g, lib.autograd.grad(g.sum(), (x, w))
    both(program)


def test_custom_function_saved_tensors_are_hooked():
    def program(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * x * x
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return 3 * y / x * g
        log = []
        x, _ = leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: (log.append("pack"), t)[1],
                                                    lambda t: (log.append("unpack"), t)[1]):
            Cube.apply(x.detach())          # not recorded: nothing is packed
            y = Cube.apply(x)
        y.sum().backward()
        return log, x.grad
    ours, theirs = program(retrograd), program(torch)
    assert ours[0] == theirs[0]
    assert_close(ours[1], theirs[1], **TOL)


def test_retain_graph_unpacks_again():
    def program(lib):
        log = []
        x, w = leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: (log.append("unpack"), t)[1]):
            y = (x * w).exp().sum()
        y.backward(retain_graph=True)
        y.backward()
        return len(log), x.grad, w.grad
    both(program)


def test_save_on_cpu():
    def program(lib):
        x, w = leaves(lib)
        with lib.autograd.graph.save_on_cpu():
            y = (x * w).tanh().sum()
        y.backward()
        return x.grad, w.grad
    both(program)


def test_disable_saved_tensors_hooks():
    def program(lib):
        with lib.autograd.graph.disable_saved_tensors_hooks("no hooks in here"):
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    raises_same(program)


def test_disable_saved_tensors_hooks_inside_hooks():
    def program(lib):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with lib.autograd.graph.disable_saved_tensors_hooks("no hooks in here"):
                pass
    raises_same(program)


def test_second_backward_through_hooked_nodes():
    def program(lib):
        x, w = leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
            y = (x * w).exp().sum()
        y.backward()
        y.backward()
    raises_same(program)


def test_no_hooks_after_the_context():
    x, w = leaves(retrograd)
    with retrograd.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        pass
    y = (x * w).sin()
    assert type(y.grad_fn).__mro__[1].__name__ == "OpNode"    # the plain generated class


# ---------------------------------------------------------------- checkpoint

def block(lib, w):
    return lambda h: (h * w).sin().exp() * 0.5


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_gradients_match_torch(use_reentrant):
    def program(lib):
        x, w = leaves(lib)
        y = lib.utils.checkpoint.checkpoint(block(lib, w), x, use_reentrant=use_reentrant)
        y = lib.utils.checkpoint.checkpoint(block(lib, w), y, use_reentrant=use_reentrant)
        y.sum().backward()
        return y, x.grad, w.grad
    ours = both(program)
    x, w = leaves(retrograd)
    block(retrograd, w)(block(retrograd, w)(x)).sum().backward()
    identical([ours[1], ours[2]], [x.grad, w.grad])


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_variants_match_torch(use_reentrant):
    def nested(lib):
        x, w = leaves(lib)
        inner = lambda h: lib.utils.checkpoint.checkpoint(block(lib, w), h, use_reentrant=use_reentrant) * 2  # noqa
        lib.utils.checkpoint.checkpoint(inner, x, use_reentrant=use_reentrant).sum().backward()
        return x.grad, w.grad

    def tuple_and_non_tensor_outputs(lib):
        x, w = leaves(lib)
        a, b, k = lib.utils.checkpoint.checkpoint(lambda h: (h.sin() * w, h.cos(), 3), x, use_reentrant=use_reentrant)
        (a.sum() + b.sum()).backward()
        return k, x.grad, w.grad

    def only_a_parameter_requires_grad(lib):
        x, w = leaves(lib)
        y = lib.utils.checkpoint.checkpoint(block(lib, w), x.detach(), use_reentrant=use_reentrant)
        return y.requires_grad, (lambda: [y.sum().backward(), w.grad][1])() if y.requires_grad else None

    def retain_graph(lib):
        x, w = leaves(lib)
        y = lib.utils.checkpoint.checkpoint(block(lib, w), x, use_reentrant=use_reentrant).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad, w.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # reentrant: "None of the inputs have requires_grad=True"
        for program in (nested, tuple_and_non_tensor_outputs, only_a_parameter_requires_grad, retain_graph):
            both(program)


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_errors_match_torch(use_reentrant):
    def twice(lib):
        x, w = leaves(lib)
        y = lib.utils.checkpoint.checkpoint(block(lib, w), x, use_reentrant=use_reentrant).sum()
        y.backward()
        y.backward()
    raises_same(twice)
    if use_reentrant:        # the reentrant form cannot capture gradients
        raises_same(lambda lib: lib.autograd.grad(
            lib.utils.checkpoint.checkpoint(block(lib, leaves(lib)[1]), leaves(lib)[0], use_reentrant=True).sum(),
            leaves(lib)[1]))
        raises_same(lambda lib: (lambda x, w: lib.utils.checkpoint.checkpoint(block(lib, w), x, use_reentrant=True)
                                 .sum().backward(inputs=[x]))(*leaves(lib)))
    raises_same(lambda lib: lib.utils.checkpoint.checkpoint(block(lib, 1.0), leaves(lib)[0], use_reentrant=True, k=1))
    raises_same(lambda lib: lib.utils.checkpoint.checkpoint(block(lib, 1.0), leaves(lib)[0], use_reentrant=False,
                                                            determinism_check="sometimes"))


def test_checkpoint_warns_without_use_reentrant():
    msgs = []
    for lib in (retrograd, torch):
        x, w = leaves(lib)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            lib.utils.checkpoint.checkpoint(block(lib, w), x)
        msgs.append([str(r.message) for r in rec if "use_reentrant" in str(r.message)])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


def test_checkpoint_double_backward():
    def program(lib):
        x, w = leaves(lib)
        y = lib.utils.checkpoint.checkpoint(block(lib, w), x, use_reentrant=False).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        return g, lib.autograd.grad((g * g).sum(), (x, w))
    both(program)


def test_checkpoint_sequential():
    def program(lib):
        x, w = leaves(lib)
        fns = [block(lib, w), lambda h: h.cos(), block(lib, w), lambda h: h * w, lambda h: h.tanh()]
        y = lib.utils.checkpoint.checkpoint_sequential(fns, 2, x, use_reentrant=False)
        y.sum().backward()
        return y, x.grad, w.grad
    both(program)


def test_checkpoint_recomputes_with_the_same_random_numbers():
    x, w = leaves(retrograd)

    def noisy(h):
        return (h * retrograd.rand(h.shape, dtype=h.dtype)).sin() * w
    retrograd.manual_seed(0)
    retrograd.utils.checkpoint.checkpoint(noisy, x, use_reentrant=False).sum().backward()
    got = x.grad
    x.grad = None
    retrograd.manual_seed(0)
    noisy(x).sum().backward()
    identical([got], [x.grad])


def test_checkpoint_different_recomputation_is_an_error():
    calls = []

    def changing(h):
        calls.append(1)
        return h.exp() if len(calls) == 1 else h * 2
    x, _ = leaves(retrograd)
    y = retrograd.utils.checkpoint.checkpoint(changing, x, use_reentrant=False)
    with pytest.raises(retrograd.utils.checkpoint.CheckpointError,
                       match="A different number of tensors was saved during the original forward and "
                             "recomputation.\nNumber of tensors saved during forward: 1\nNumber of tensors saved "
                             "during recomputation: 0."):
        y.sum().backward()


def test_checkpoint_saves_peak_memory_on_a_deep_model():
    """24 layers of (h * w).sin() on 200,000 doubles (1.6 MB an activation): without checkpoints
    every layer keeps two activations for backward; with a checkpoint every 4 layers only the
    6 segment inputs stay, and one segment is recomputed at a time during backward."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(200_000)
    ws = [retrograd.tensor(rng.uniform(0.5, 1.5), dtype=retrograd.float64, requires_grad=True) for _ in range(24)]

    def segment(lo, hi):
        def run(h):
            for w in ws[lo:hi]:
                h = (h * w).sin()
            return h
        return run

    def peak(checkpointed):
        for w in ws:
            w.grad = None
        x = retrograd.tensor(x0, requires_grad=True)
        tracemalloc.start()
        h = x
        if checkpointed:
            for lo in range(0, 24, 4):
                h = retrograd.utils.checkpoint.checkpoint(segment(lo, lo + 4), h, use_reentrant=False)
        else:
            h = segment(0, 24)(h)
        h.sum().backward()
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return used, [x.grad] + [w.grad for w in ws]

    plain, g_plain = peak(False)
    ck, g_ck = peak(True)
    print(f"peak: {plain / 1e6:.1f} MB plain, {ck / 1e6:.1f} MB checkpointed")
    identical(g_ck, g_plain)                                # the same gradients, bit for bit
    activation = x0.nbytes
    assert plain > 40 * activation                          # two saved activations per layer
    assert ck < 0.4 * plain, f"checkpointed peak {ck / 1e6:.1f} MB vs {plain / 1e6:.1f} MB"
