"""Views and in-place ops (Note [Views and in-place] in retrograd/ops/views.py), and indexing keys,
each program run on retrograd and on torch."""
import numpy as np
import pytest

import retrograd
from oracle import torch, assert_close

T64 = dict(rtol=1e-12, atol=1e-12)


def on_both(program):
    ours, theirs = program(retrograd), program(torch)
    assert_close(ours, theirs, **T64)
    return ours, theirs


def errors_alike(program):
    with pytest.raises(Exception) as theirs:
        program(torch)
    with pytest.raises(type(theirs.value)) as ours:
        program(retrograd)
    assert str(ours.value) == str(theirs.value)


def leaf(lib, shape=(2, 3, 4)):
    n = int(np.prod(shape))
    return lib.tensor(np.linspace(-1.0, 1.5, n).reshape(shape), dtype=lib.float64, requires_grad=True)


def names(t):
    """grad_fn names along the first edges, down to the leaf."""
    out, g = [], t.grad_fn
    while g is not None:
        out.append(type(g).__name__)
        g = g.next_functions[0][0] if g.next_functions else None
    return out


# ------------------------------------------------------------------ keys

KEYS = [0, -1, (1, 2), (slice(None), 1), (Ellipsis, 2), (None, 0), (slice(1, None), None, slice(None, None, 2)),
        (0, 1, 2), ([0, 1],), ([1, 0], slice(None), [3, 2]), (0, slice(None), [0, 1]), (slice(None), [0, 2], 1),
        (True,), (False,), (Ellipsis, None), (), Ellipsis, (slice(-5, 2),), (1, [[0, 1], [2, 0]]),
        (Ellipsis, Ellipsis), (Ellipsis, 0, Ellipsis)]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_matches_torch(key):
    def program(lib):
        x = leaf(lib)
        y = x[key]
        w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=lib.float64)
        (y * w).sum().backward()
        return y, x.grad, names(y)
    on_both(program)


def test_getitem_with_masks_and_index_tensors():
    def program(lib):
        x = leaf(lib)
        m = x > 0.2
        a = x[m]
        b = x[:, lib.tensor([2, 0, 2])]
        c = x[x[:, :, 0] > 0]
        d = x[lib.tensor(1)]
        (a.sum() + b.sum() * 2 + c.sum() * 3 + d.sum() * 4).backward()
        return a, b, c, d, x.grad, names(d)
    on_both(program)


BAD_KEYS = [5, (slice(None), 7), ([5],), (0, 0, 0, 0), 1.5, "mask_wrong_shape", "a", (slice(None, None, -1),)]


@pytest.mark.parametrize("key", BAD_KEYS, ids=[repr(k) for k in BAD_KEYS])
def test_bad_keys_raise_torchs_errors(key):
    def program(lib):
        x = leaf(lib)
        k = lib.tensor([True, False, True]) if key == "mask_wrong_shape" else key
        return x[k]
    errors_alike(program)


def test_getitem_of_a_0d_tensor():
    errors_alike(lambda lib: lib.tensor(1.0)[0])


# ------------------------------------------------------------------ assignment

SET_CASES = [
    (0, 5.0), ((1, slice(1, None)), "row"), ((Ellipsis, 0), "col"), ("mask", 0.0), ("mask", "scalar_t"),
    (([0, 1], 2), "pair"), ((slice(None), [0, 2]), "block"), ((0, 1, 2), "scalar_t"), (Ellipsis, "full"),
]


def _value(lib, kind, x):
    if not isinstance(kind, str):
        return kind
    shapes = {"row": (4,), "col": (1, 3), "pair": (4,), "block": (2, 2, 4), "full": (3, 4), "scalar_t": ()}
    v = np.sin(np.arange(1, 1 + int(np.prod(shapes[kind])))).reshape(shapes[kind])
    return lib.tensor(v, dtype=lib.float64, requires_grad=True)


@pytest.mark.parametrize("key,kind", SET_CASES, ids=[f"{k!r}-{v}" for k, v in SET_CASES])
def test_setitem_records_like_torch(key, kind):
    def program(lib):
        x = leaf(lib)
        y = x * 2
        v = _value(lib, kind, x)
        k = (y > 0.5) if key == "mask" else key
        y[k] = v
        (y * y).sum().backward()
        return y, x.grad, (v.grad if isinstance(v, lib.Tensor) else None), type(y.grad_fn).__name__, y._version
    on_both(program)


@pytest.mark.parametrize("key,kind", SET_CASES, ids=[f"{k!r}-{v}" for k, v in SET_CASES])
def test_setitem_without_grad_matches_torch(key, kind):
    def program(lib):
        y = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4)
        v = _value(lib, kind, y)
        if isinstance(v, lib.Tensor):
            v = v.detach()
        k = (y > 10) if key == "mask" else key
        y[k] = v
        return y, y._version
    on_both(program)


def test_setitem_casts_and_broadcasts_values():
    def program(lib):
        a = lib.zeros(2, 3, dtype=lib.int64)
        a[0] = 2.7
        a[1] = lib.tensor([[1.5, 2.5, -3.5]])
        b = lib.zeros(4)
        b[1:3] = lib.tensor([1.0, 2.0], dtype=lib.float64)
        return a, b
    on_both(program)


def test_setitem_shape_errors():
    def basic(lib):
        lib.zeros(2, 3)[0] = lib.ones(2, 3)

    def advanced(lib):
        t = lib.zeros(2, 3)
        t[[0]] = lib.ones(2, 3)

    def grad_basic(lib):
        x = lib.zeros(2, 3, requires_grad=True) * 1
        x[0] = lib.ones(2)
    for p in (basic, advanced, grad_basic):
        errors_alike(p)


def test_setitem_on_a_leaf_that_requires_grad():
    def program(lib):
        x = leaf(lib, (3,))
        x[0] = 1.0
    errors_alike(program)

    def view(lib):
        x = leaf(lib, (3,))
        v = x[1:]
        v.mul_(2)
    errors_alike(view)

    def under_no_grad(lib):
        x = leaf(lib, (3,))
        with lib.no_grad():
            x[0] = 7.0
        return x, x._version, x.requires_grad
    on_both(under_no_grad)


# ------------------------------------------------------------------ in-place on views

def test_inplace_on_view_rewrites_base_history():
    def program(lib):
        x = leaf(lib, (3, 4))
        y = x * 1
        v = y[1:, :2]
        v.mul_(3)
        (y * y).sum().backward()
        return y, x.grad, names(v), type(y.grad_fn).__name__, [type(n).__name__ if n else None
                                                               for n, _ in y.grad_fn.next_functions]
    on_both(program)


def test_views_made_before_an_inplace_are_rederived():
    def program(lib):
        x = leaf(lib, (3, 4))
        y = x.clone()
        a, b = y[0], y[:, 1]
        y.mul_(2)                      # on the base: both views are now views of the new history
        v = y[2]
        v.add_(x[0])                   # on a view: the base and every other view change history
        (a.sum() * 1.5 + b.sum() * 2.5).backward(retain_graph=True)
        g1 = x.grad.clone()
        x.grad = None
        (y * y).sum().backward()
        return a, b, g1, x.grad, a.grad_fn.name(), a.requires_grad
    on_both(program)


def test_writing_a_grad_tensor_into_a_plain_tensor():
    def program(lib):
        x = leaf(lib, (3,))
        z = lib.zeros(4, dtype=lib.float64)
        u = z[2:]                      # made before z needed grad
        z[:3] = x * x
        (z.sum() + u.sum() * 10).backward()
        return z, u, u.requires_grad, x.grad, z.is_leaf
    on_both(program)


def test_copy_into_a_view_of_a_view():
    def program(lib):
        x = leaf(lib, (4, 4))
        y = x * 2
        v = y[1:3][:, ::2]
        v.copy_(x[:2, :2] * 10)
        g, = lib.autograd.grad((y ** 2).sum(), x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        return y, g, gg
    on_both(program)


def test_double_backward_through_copyslices():
    def program(lib):
        x = leaf(lib, (3,))
        w = leaf(lib, (2,))
        y = x ** 2
        y[1:] = x[1:] * w
        g = lib.autograd.grad(y.sum(), (x, w), create_graph=True)
        h = lib.autograd.grad(g[0].sum() + g[1].sum(), (x, w))
        return y, g, h
    on_both(program)


def test_unbind_views_cannot_be_modified():
    def program(lib):
        x = leaf(lib, (2, 3)) * 1
        a, b = x.unbind(0)
        a.mul_(2)
    errors_alike(program)


def test_view_made_under_no_grad_then_modified_with_grad():
    def program(lib):
        x = leaf(lib, (3,)) * 1
        with lib.no_grad():
            v = x[1:]
        v.mul_(2)
    errors_alike(program)


def test_inplace_detected_on_saved_view():
    def program(lib):
        x = leaf(lib, (3,))
        y = x * 1
        v = y[1:]
        z = v * v                      # saves v
        y.add_(1)                      # bumps v's version too (shared counter)
        z.sum().backward()
    errors_alike(program)


def test_self_aliasing_operand_fails_version_check():
    def program(lib):
        x = leaf(lib, (3,)).clone()
        x.mul_(x)
        x.sum().backward()
    errors_alike(program)


def test_copy_fill_zero_names_and_grads():
    def program(lib):
        x = leaf(lib, (2, 3))
        s = leaf(lib, ())
        a = x.clone().copy_(x[0] * 3)
        b = x.clone().fill_(s)
        c = x.clone().fill_(2)
        d = x.clone().zero_()
        (a.sum() + (b * x).sum() + c.sum() + d.sum()).backward()
        return a, b, c, d, x.grad, s.grad, [type(t.grad_fn).__name__ for t in (a, b, c, d)], a.grad_fn.name()
    on_both(program)


def test_fill_with_a_non_0d_tensor():
    errors_alike(lambda lib: lib.zeros(3).fill_(lib.ones(2)))


def test_detach_shares_version_but_is_not_a_view():
    def program(lib):
        x = leaf(lib, (3,))
        d = x.detach()
        d.zero_()
        return x, x._version, d._base is None, d._version
    on_both(program)


def test_forward_ad_through_inplace_on_views():
    def program(lib):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            t = lib.ones(3, dtype=lib.float64)
            x = fw.make_dual(lib.ones(3, dtype=lib.float64), t)
            x.mul_(2)
            z = lib.zeros(3, dtype=lib.float64)
            y = fw.make_dual(lib.ones(2, dtype=lib.float64), lib.tensor([5.0, 6.0], dtype=lib.float64))
            z[1:] = y
            a = fw.make_dual(lib.ones(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64) * 3)
            b = a[1:]
            a.mul_(2)
            return (t, fw.unpack_dual(x).tangent, fw.unpack_dual(z).tangent, fw.unpack_dual(b).tangent)
    on_both(program)
