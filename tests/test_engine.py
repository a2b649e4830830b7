"""Engine tests: graphs small enough to check by hand, run on retrograd and torch side by side."""
import threading
import warnings

import numpy as np
import pytest

import retrograd
from oracle import torch, assert_close, to_np

LIBS = [retrograd, torch]
T64 = dict(rtol=1e-12, atol=1e-12)


def on_both(program):
    """Run program(lib) on both libraries and assert the results agree."""
    ours, theirs = program(retrograd), program(torch)
    assert_close(ours, theirs, **T64)
    return ours


def errors_alike(program):
    """program(lib) raises in torch; retrograd raises the same type with the same message."""
    with pytest.raises(Exception) as theirs:
        program(torch)
    with pytest.raises(type(theirs.value)) as ours:
        program(retrograd)
    assert str(ours.value) == str(theirs.value)


def leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)


# ------------------------------------------------------------------ accumulation, graphs

def test_gradients_accumulate_across_backward_calls():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    on_both(program)


def test_accumulates_into_a_user_set_grad():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        x.grad = lib.tensor([5.0, 5.0], dtype=lib.float64)
        g = x.grad
        (x * 3).sum().backward()
        return x.grad, g          # torch adds in place: g is the same tensor
    ours = on_both(program)
    assert ours[0] is ours[1]


def test_diamond_graph_sums_both_paths():
    def program(lib):
        x = leaf(lib, [0.5, -1.5, 2.0])
        a = x.exp()
        b = a * x
        c = a * 2
        return lib.autograd.grad((b + c).sum(), x)
    on_both(program)


def test_same_input_twice_and_shared_subexpression():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        z = y * y + y
        z.sum().backward()
        return x.grad
    on_both(program)


def test_pass_through_gradients_are_not_shared_between_leaves():
    # add's backward passes the same gradient to both inputs: .grad must not alias it
    a = retrograd.tensor([1.0, 2.0], requires_grad=True)
    b = retrograd.tensor([3.0, 4.0], requires_grad=True)
    g = retrograd.tensor([1.0, 1.0])
    (a + b).backward(g)
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]
    assert g.tolist() == [1.0, 1.0]


def test_seed_gradient_with_another_dtype_is_accepted():
    def program(lib):
        x = leaf(lib, [1.0, 2.0], "float32")
        (x * 2).backward(lib.tensor([1.0, 3.0], dtype=lib.float64))
        return x.grad
    on_both(program)


def test_leaf_as_root():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        x.backward(lib.tensor([3.0, 4.0], dtype=lib.float64))
        return x.grad
    on_both(program)


def test_vector_jacobian_rows():
    # seed 002: z.backward(r) with r = [1, 0, 0] gives one row of the Jacobian
    def program(lib):
        x = leaf(lib, [0.3, -0.7, 1.1])
        y = x + 2
        z = y * y * 2
        rows = []
        for i in range(3):
            r = lib.zeros(3, dtype=lib.float64)
            r[i] = 1.0
            rows.append(lib.autograd.grad(z, x, r, retain_graph=True)[0])
        return rows
    on_both(program)


def test_broadcast_gradients_are_reduced():
    def program(lib):
        a = leaf(lib, [[1.0], [2.0], [3.0]])
        b = leaf(lib, [1.0, -1.0, 0.5, 2.0])
        c = leaf(lib, 2.0)
        (a * b + c).sum().backward()
        return a.grad, b.grad, c.grad
    on_both(program)


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    def program(lib):
        a = leaf(lib, [1.0, 2.0], "float32")
        b = leaf(lib, [3.0, 4.0], "float64")
        (a * b).sum().backward()
        return a.grad, b.grad
    on_both(program)


# ------------------------------------------------------------------ retain_graph

def test_second_backward_through_saved_values_raises():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        y.backward()
    errors_alike(program)


def test_second_backward_with_a_wrapped_scalar_saved_raises():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        y.sum().backward()
        y.sum().backward()
    errors_alike(program)


def test_second_backward_without_saved_values_works():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x + x).sum()
        y.backward()
        y.backward()
        return x.grad
    on_both(program)


def test_retain_graph_allows_a_second_backward():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    on_both(program)


def test_reading_a_freed_saved_value_raises():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        y.sum().backward()
        return y.grad_fn._saved_self
    errors_alike(program)


def test_saved_values_readable_before_backward():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x.exp()
        z = x * 3
        return y.grad_fn._saved_result, z.grad_fn._saved_self, z.grad_fn._saved_other
    on_both(program)


# ------------------------------------------------------------------ higher order

def test_third_order_derivatives():
    # TORCH_FACTS 7.6: x = [1, 2], (x**3).sum() -> [3, 12], [6, 12], [6, 6]
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x ** 3).sum()
        g1, = lib.autograd.grad(y, x, create_graph=True)
        g2, = lib.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = lib.autograd.grad(g2.sum(), x)
        return g1, g2, g3
    ours = on_both(program)
    assert repr(ours[0]) == "tensor([ 3., 12.], grad_fn=<MulBackward0>)"
    assert repr(ours[2]) == "tensor([6., 6.])"


def test_backward_create_graph_warns_and_records_copy():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            (x ** 3).sum().backward(create_graph=True)
        assert any("create a reference cycle" in str(m.message) for m in w)
        assert x.grad.grad_fn.name() == "torch::autograd::CopyBackwards"
        assert type(x.grad.grad_fn).__name__ == "CopyBackwards"
        assert x.grad.requires_grad


def test_hessian_vector_product():
    def program(lib):
        x = leaf(lib, [0.5, -1.0, 2.0])
        v = lib.tensor([1.0, 0.5, -2.0], dtype=lib.float64)
        y = (x.exp() * x.sin()).sum() + (x * x * x).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        return lib.autograd.grad((g * v).sum(), x)
    on_both(program)


def test_gradient_with_respect_to_the_seed():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        v = leaf(lib, [3.0, -1.0])
        g, = lib.autograd.grad(x * x, x, v, create_graph=True)
        return lib.autograd.grad(g.sum(), (x, v))
    on_both(program)


# ------------------------------------------------------------------ autograd.grad and inputs=

def test_grad_does_not_touch_dot_grad():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        lib.autograd.grad((x * x).sum(), x)
        assert x.grad is None


def test_grad_of_a_non_leaf():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 3
        y = (h * h).sum()
        return lib.autograd.grad(y, [h, x])
    on_both(program)


def test_backward_inputs_accumulates_only_there():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        w = leaf(lib, [3.0, 4.0])
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad
    on_both(program)


def test_backward_inputs_non_leaf_gets_grad():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 2
        (h * h).sum().backward(inputs=[h])
        return h.grad, x.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on_both(program)


def test_allow_unused_and_materialize_grads():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        u = leaf(lib, [5.0])
        a = lib.autograd.grad((x * x).sum(), (x, u), allow_unused=True, retain_graph=True)
        b = lib.autograd.grad((x * x).sum(), (x, u), materialize_grads=True)
        return a, b
    on_both(program)


@pytest.mark.parametrize("case", ["unused", "not_requiring", "empty_inputs", "empty_backward_inputs",
                                  "count_mismatch", "non_scalar", "no_grad_fn", "second_element",
                                  "wrong_shape"])
def test_error_messages(case):
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = leaf(lib, [3.0])
        if case == "unused":
            lib.autograd.grad((x * x).sum(), (x, y))
        elif case == "not_requiring":
            lib.autograd.grad((x * x).sum(), lib.tensor([1.0]))
        elif case == "empty_inputs":
            lib.autograd.grad((x * x).sum(), [])
        elif case == "empty_backward_inputs":
            (x * x).sum().backward(inputs=[])
        elif case == "count_mismatch":
            lib.autograd.grad([(x * x).sum(), x.sum()], x, [lib.tensor(1.0)])
        elif case == "non_scalar":
            (x * 2).backward()
        elif case == "no_grad_fn":
            lib.tensor([1.0]).sum().backward()
        elif case == "second_element":
            lib.autograd.backward([(x * 2).sum(), lib.tensor(1.0)])
        elif case == "wrong_shape":
            (x * 2).backward(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
    errors_alike(program)


def test_numpy_on_a_tensor_that_requires_grad():
    errors_alike(lambda lib: leaf(lib, [1.0]).numpy())
    for lib in LIBS:
        assert leaf(lib, [1.0]).detach().numpy().tolist() == [1.0]


def test_requires_grad_messages_for_integer_tensors():
    errors_alike(lambda lib: lib.tensor([1, 2], requires_grad=True))

    def attr(lib):
        x = lib.tensor([1, 2])
        x.requires_grad = True
    errors_alike(attr)
    errors_alike(lambda lib: lib.tensor([1, 2]).requires_grad_())


def test_requires_grad_false_on_non_leaf():
    def program(lib):
        y = leaf(lib, [1.0]) * 2
        y.requires_grad = False
    errors_alike(program)


# ------------------------------------------------------------------ hooks

def test_tensor_hooks_replace_the_gradient():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        x.register_hook(lambda g: g * 10)
        h = x * x
        h.register_hook(lambda g: g + 1)
        seen = []
        h.register_hook(lambda g: seen.append(g.clone()))
        h.sum().backward()
        return x.grad, seen
    on_both(program)


def test_hook_handle_remove():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        handle = x.register_hook(lambda g: g * 10)
        handle.remove()
        (x * x).sum().backward()
        return x.grad
    on_both(program)


def test_retain_grad_and_non_leaf_grad_warning():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x + 3                  # AddBackward0 saves no tensor: h's history survives a backward
        h.retain_grad()
        (h * h).sum().backward()
        (h * h).sum().backward()
        return h.grad, h.retains_grad
    on_both(program)
    for lib in LIBS:
        with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
            (leaf(lib, [1.0]) * 2).grad


def test_retain_grad_and_hook_errors_on_non_grad_tensors():
    errors_alike(lambda lib: lib.tensor([1.0]).retain_grad())
    errors_alike(lambda lib: lib.tensor([1.0]).register_hook(lambda g: g))


def test_node_hooks():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = leaf(lib, [3.0, 4.0])
        z = x * y
        seen = []
        z.grad_fn.register_prehook(lambda gout: seen.append(("pre", gout[0].clone())))
        z.grad_fn.register_hook(lambda gin, gout: (gin[0] * 2, gin[1]))
        z.sum().backward()
        return x.grad, y.grad, seen
    on_both(program)


def test_node_hook_wrong_count():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        z = x * x
        z.grad_fn.register_hook(lambda gin, gout: (gin[0],))
        z.sum().backward()
    with pytest.raises(RuntimeError) as theirs:
        program(torch)
    with pytest.raises(RuntimeError) as ours:
        program(retrograd)
    assert "has returned an incorrect number of values (got 1, but expected 2)" in str(theirs.value)
    assert "has returned an incorrect number of values (got 1, but expected 2)" in str(ours.value)


def test_post_accumulate_grad_hook():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * x).sum().backward()
        return seen
    on_both(program)


# ------------------------------------------------------------------ graph structure

def test_grad_fn_names_and_next_functions():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        nf = y.grad_fn.next_functions
        assert y.grad_fn.name() == "MulBackward0"
        assert nf[0][0].name() == "torch::autograd::AccumulateGrad" and nf[0][1] == 0
        assert type(nf[0][0]).__name__ == "AccumulateGrad"
        assert nf[0][0].variable is x
        assert nf[1] == (None, 0)
        assert repr(y.grad_fn).startswith("<MulBackward0 object at 0x")
        assert (x + 2).grad_fn.name() == "AddBackward0"
        assert (1 - x).grad_fn.name() == "RsubBackward1"
        assert (2 / x).grad_fn.name() == "MulBackward0"
        assert x.sum().grad_fn.name() == "SumBackward0"
        assert x.mean().grad_fn.name() == "MeanBackward0"


def test_is_leaf_and_detach():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        d = y.detach()
        assert x.is_leaf and not y.is_leaf and d.is_leaf and not d.requires_grad
        assert lib.tensor([1.0]).is_leaf
        d.zero_()                  # shares memory with y
        assert y.tolist() == [0.0, 0.0]


def test_detach_in_place_removes_history():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        y.detach_()
        return y.requires_grad, y.grad_fn is None, y.is_leaf
    on_both(program)


def test_data_shares_memory_but_not_history():
    def program(lib):
        w = leaf(lib, [1.0, 2.0])
        l = (w * w).sum()
        l.backward()
        w.data = w.data - 0.1 * w.grad.data
        w.grad.data.zero_()
        return w, w.grad, w.data.requires_grad
    on_both(program)


def test_freezing_by_requires_grad_false():
    def program(lib):
        w = leaf(lib, [1.0, 2.0])
        b = leaf(lib, [0.5])
        w.requires_grad = False
        (w * b).sum().backward()
        return w.grad, b.grad
    on_both(program)


# ------------------------------------------------------------------ in-place and versions

def test_modified_saved_result_raises_torchs_error():
    def program(lib):
        x = leaf(lib, [1.0, 2.0], "float32")
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    errors_alike(program)


def test_modified_saved_leaf_raises_torchs_error():
    def program(lib):
        x = leaf(lib, [1.0, 2.0], "float32")
        y = (x * x).sum()
        with lib.no_grad():
            x.mul_(2)
        y.backward()
    errors_alike(program)


def test_in_place_on_a_leaf_requiring_grad():
    errors_alike(lambda lib: leaf(lib, [1.0]).add_(1))

    def under_no_grad(lib):
        w = leaf(lib, [1.0, 2.0])
        with lib.no_grad():
            w -= 0.5
            w.mul_(2)
        return w, w.requires_grad, w.is_leaf
    on_both(under_no_grad)


def test_in_place_op_records_history():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        c = leaf(lib, [3.0, -1.0])
        y = x * 1
        y.mul_(c)
        y += x
        y.sum().backward()
        return y.grad_fn.name(), x.grad, c.grad, y._version
    on_both(program)


# ------------------------------------------------------------------ grad modes

def test_grad_modes():
    def program(lib):
        x = leaf(lib, [1.0])
        out = []
        with lib.no_grad():
            out.append((x * 2).requires_grad)
            with lib.enable_grad():
                out.append((x * 2).requires_grad)
        with lib.set_grad_enabled(False):
            out.append(lib.is_grad_enabled())
        out.append(lib.is_grad_enabled())
        lib.set_grad_enabled(False)
        out.append((x * 2).requires_grad)
        lib.set_grad_enabled(True)

        @lib.no_grad()
        def f(t):
            return t * 2

        @lib.no_grad
        def g(t):
            return t * 2
        out += [f(x).requires_grad, g(x).requires_grad]
        with lib.inference_mode():
            y = x * 2
        out += [y.requires_grad, y.is_inference(), x.is_inference()]
        return out
    on_both(program)


def test_grad_mode_is_thread_local():
    for lib in LIBS:
        seen = {}

        def worker():
            seen["enabled"] = lib.is_grad_enabled()
        with lib.no_grad():
            t = threading.Thread(target=worker)
            t.start()
            t.join()
        assert seen["enabled"] is True


def test_no_grad_results_print_no_suffix():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0], "float32")
        with lib.no_grad():
            assert repr(x * 2) == "tensor([2., 4.])"


# ------------------------------------------------------------------ scale

def test_a_100000_op_chain_is_iterative():
    x = retrograd.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


# ---------------------------------------------------------------- subtraction of booleans, scalar nodes

@pytest.mark.parametrize("f", [
    lambda lib: lib.tensor([True]) - 1,
    lambda lib: lib.tensor([1.5]) - True,
    lambda lib: True - lib.tensor([1.5]),
    lambda lib: 1 - lib.tensor([True]),
    lambda lib: lib.rsub(lib.tensor([1.5]), True),
    lambda lib: lib.tensor([True]) - lib.tensor([False]),
    lambda lib: lib.tensor([1.5]).sub_(lib.tensor([True])),
    lambda lib: lib.tensor([2, 3]).pow_(2.5),
    lambda lib: lib.tensor([2, 3]).pow_(-1),
])
def test_bool_subtraction_and_pow_errors_match_torch(f):
    from oracle import raises_same
    raises_same(f)


@pytest.mark.parametrize("f", [lambda lib, x: x ** 2, lambda lib, x: 2 - x, lambda lib, x: lib.rsub(x, 2.5, alpha=3),
                               lambda lib, x: x.double() ** 2.5, lambda lib, x: 2 ** x, lambda lib, x: lib.pow(1.5, x)])
def test_scalar_operand_nodes_have_torchs_edges_and_saved_numbers(f):
    outs = []
    for lib in (retrograd, torch):
        x = lib.tensor([2.0, 3.0], requires_grad=True)
        n = f(lib, x).grad_fn
        saved = {k: getattr(n, k) for k in dir(n) if k.startswith("_saved_")}
        saved = {k: v.tolist() if hasattr(v, "tolist") else v for k, v in saved.items()}
        outs.append((n.name(), len(n.next_functions), saved))
    assert outs[0] == outs[1]


@pytest.mark.parametrize("f", [lambda lib: 3.5 - lib.tensor([2, 3]), lambda lib: 2 - lib.tensor([2, 3]),
                               lambda lib: lib.tensor([2, 3]) ** 2.5, lambda lib: lib.tensor([True]) ** 2,
                               lambda lib: 2.5 ** lib.tensor([1, 2]), lambda lib: 2 ** lib.tensor([1, 2]),
                               # NumPy scalars are numbers to torch: a float32 result stays float32
                               lambda lib: lib.tensor([1.5, 2.]) ** np.float64(2.5),
                               lambda lib: lib.rsub(lib.tensor([1.5, 2.]), np.float64(2)),
                               lambda lib: lib.pow(np.float32(2.0), lib.tensor([1.5, 2.])),
                               lambda lib: lib.tensor([1.5, 2.]).pow_(np.float64(2))])
def test_scalar_operand_promotion_matches_torch(f):
    assert_close(f(retrograd), f(torch), rtol=1e-6, atol=0)
