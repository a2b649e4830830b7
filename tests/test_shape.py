"""Shape and join ops against torch where OpCases cannot look: node names along grad_fn
chains, saved attributes, views (`_base`, shared version counters, in-place rules),
errors (type and message), and plain creation (Tensor.new_*)."""
import warnings

import numpy as np
import pytest

import retrograd
from oracle import torch, raises_same, assert_close, to_np


def chain(fn):
    """A grad_fn graph as text: `CatBackward0(AccumulateGrad, None)`."""
    if fn is None:
        return "None"
    name = fn.name().replace("torch::autograd::", "")
    subs = [chain(n) for n, _ in fn.next_functions]
    return name + ("(" + ", ".join(subs) + ")" if subs else "")


def both(fn, *shapes):
    """fn(lib, *leaves) on both libraries, leaves float32 with requires_grad, same values."""
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(-1, 1, s) for s in shapes]
    out = {}
    for lib in (retrograd, torch):
        xs = [lib.tensor(a, dtype=lib.float32, requires_grad=True) for a in arrays]
        out[lib.__name__] = (fn(lib, *xs), xs)
    return out["retrograd"], out["torch"]


def outputs(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


CHAINS = [
    ("cat", lambda lib, x, y: lib.cat([x, y], 1), (3, 4), (3, 2)),
    ("cat_empty", lambda lib, x, y: lib.cat([x, lib.tensor([])]), (3, 4), (1,)),
    ("stack", lambda lib, x, y: lib.stack([x, y]), (3,), (3,)),
    ("hstack", lambda lib, x, y: lib.hstack([x, y]), (), ()),
    ("vstack", lambda lib, x, y: lib.vstack([x, y]), (3,), (3,)),
    ("dstack", lambda lib, x, y: lib.dstack([x, y]), (3,), (3,)),
    ("column_stack", lambda lib, x, y: lib.column_stack([x, y]), (3, 2), (3,)),
    ("split", lambda lib, x: x.split(2), (3, 4)),
    ("split_sizes", lambda lib, x: x.split([1, 2]), (3, 4)),
    ("chunk", lambda lib, x: x.chunk(2, 1), (3, 4)),
    ("chunk_empty", lambda lib, x: x.chunk(3), (0,)),
    ("unbind", lambda lib, x: x.unbind(1), (3, 2)),
    ("tensor_split", lambda lib, x: x.tensor_split([1, 2]), (3, 4)),
    ("hsplit", lambda lib, x: x.hsplit(2), (3, 4)),
    ("flip", lambda lib, x: x.flip(0), (3, 4)),
    ("fliplr", lambda lib, x: x.fliplr(), (3, 4)),
    ("roll", lambda lib, x: x.roll(1), (3, 4)),
    ("rot90", lambda lib, x: x.rot90(3), (3, 4)),
    ("repeat", lambda lib, x: x.repeat(2, 1, 1), (3, 4)),
    ("tile", lambda lib, x: x.tile(2), ()),
    ("repeat_interleave", lambda lib, x: x.repeat_interleave(2), (3, 4)),
    ("repeat_interleave_dim", lambda lib, x: x.repeat_interleave(3, dim=1), (3, 4)),
    ("movedim", lambda lib, x: x.movedim(0, -1), (2, 3, 4)),
    ("movedim_0d", lambda lib, x: x.movedim(0, 0), ()),
    ("swapaxes", lambda lib, x: lib.swapaxes(x, 0, 1), (2, 3)),
    ("narrow", lambda lib, x: x.narrow(1, -2, 2), (3, 4)),
    ("diagonal", lambda lib, x: x.diagonal(1), (3, 4)),
    ("diag_2d", lambda lib, x: x.diag(), (3, 4)),
    ("diag_1d", lambda lib, x: x.diag(1), (3,)),
    ("diag_embed", lambda lib, x: x.diag_embed(), (3, 4)),
    ("diagflat", lambda lib, x: x.diagflat(), (3, 4)),
    ("tril", lambda lib, x: x.tril(1), (3, 4)),
    ("triu_", lambda lib, x: x.clone().triu_(), (3, 4)),
    ("unfold", lambda lib, x: x.unfold(1, 2, 1), (3, 4)),
    ("as_strided", lambda lib, x: x.as_strided((2, 2), (1, 2), 1), (3, 4)),
    ("broadcast_tensors", lambda lib, x, y: lib.broadcast_tensors(x, y), (3, 4), (4,)),
    ("meshgrid", lambda lib, x, y: lib.meshgrid(x, y, indexing="xy"), (3,), (2,)),
    ("atleast_1d", lambda lib, x, y: lib.atleast_1d(x, y), (), (3,)),
    ("atleast_2d", lambda lib, x, y: lib.atleast_2d([x, y]), (), (3,)),
    ("atleast_3d", lambda lib, x, y: lib.atleast_3d(x, y), (3,), (3, 4)),
    ("diff", lambda lib, x: lib.diff(x), (3, 4)),
    ("diff_append", lambda lib, x, y: lib.diff(x, append=y), (3,), (2,)),
    ("diff_n0", lambda lib, x: x.diff(n=0), (3,)),
    ("cartesian_prod", lambda lib, x, y: lib.cartesian_prod(x, y), (3,), (2,)),
    ("reshape_copy", lambda lib, x: x.t().reshape(-1), (3, 4)),
    ("squeeze_tuple", lambda lib, x: x.squeeze((0, 2)), (1, 3, 1)),
    ("transpose_0d", lambda lib, x: x.transpose(0, -1), ()),
    ("view_as_real", lambda lib, x: lib.view_as_real(lib.view_as_complex(x)), (3, 2)),
]


@pytest.mark.parametrize("name,fn,shapes", [(c[0], c[1], c[2:]) for c in CHAINS], ids=[c[0] for c in CHAINS])
def test_grad_fn_chains_and_values_match_torch(name, fn, shapes):
    (ours, _), (theirs, _) = both(fn, *shapes)
    assert type(ours) is type(theirs) if isinstance(theirs, tuple) else True
    assert [chain(o.grad_fn) for o in outputs(ours)] == [chain(o.grad_fn) for o in outputs(theirs)]
    assert_close(outputs(ours), outputs(theirs), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,fn,shapes", [(c[0], c[1], c[2:]) for c in CHAINS], ids=[c[0] for c in CHAINS])
def test_views_and_bases_match_torch(name, fn, shapes):
    (ours, xs_r), (theirs, xs_t) = both(fn, *shapes)
    for o, t in zip(outputs(ours), outputs(theirs)):
        assert (o._base is None) == (t._base is None), name
        if t._base is not None:
            k = [i for i, x in enumerate(xs_t) if t._base is x]
            assert [i for i, x in enumerate(xs_r) if o._base is x] == k
        assert (o._version == t._version)
        for i, (x, y) in enumerate(zip(xs_r, xs_t)):
            assert (o is x) == (t is y)          # broadcast_tensors / atleast_nd hand back the input


SAVED = [
    ("cat", lambda lib, x: lib.cat([x, x], 1)),
    ("stack", lambda lib, x: lib.stack([x, x], 1)),
    ("split", lambda lib, x: x.split(2)[0]),
    ("split_sizes", lambda lib, x: x.split([1, 2])[0]),
    ("unbind", lambda lib, x: x.unbind(1)[0]),
    ("flip", lambda lib, x: x.flip(0)),
    ("roll", lambda lib, x: x.roll(1, 0)),
    ("rot90", lambda lib, x: x.rot90()),
    ("repeat", lambda lib, x: x.repeat(2, 1)),
    ("diagonal", lambda lib, x: x.diagonal(1)),
    ("diag", lambda lib, x: x.diag()),
    ("tril", lambda lib, x: x.tril(1)),
    ("unfold", lambda lib, x: x.unfold(1, 2, 1)),
    ("as_strided", lambda lib, x: x.as_strided((2, 2), (1, 2), 1)),
    ("squeeze1", lambda lib, x: x.squeeze(0)),
    ("squeeze2", lambda lib, x: x.squeeze((0, 1))),
    ("movedim", lambda lib, x: x.movedim(0, 1)),
]


@pytest.mark.parametrize("name,fn", SAVED, ids=[s[0] for s in SAVED])
def test_saved_attributes_match_torch(name, fn):
    (ours, _), (theirs, _) = both(lambda lib, x: fn(lib, x), (3, 4))
    names = [a for a in dir(theirs.grad_fn) if a.startswith("_saved_")]
    assert names
    for a in names:
        assert getattr(ours.grad_fn, a) == getattr(theirs.grad_fn, a), a


# ---------------------------------------------------------------- views: memory, versions, in-place

@pytest.mark.parametrize("make", [
    lambda x: x.unbind(0)[1], lambda x: x.split(1)[1], lambda x: x.chunk(3)[2], lambda x: x.diagonal(),
    lambda x: x.narrow(1, 1, 2), lambda x: x.unfold(1, 2, 1), lambda x: x.movedim(0, 1),
    lambda x: x.tensor_split(2)[1], lambda x: x.as_strided((2,), (4,), 1), lambda x: x.swapaxes(0, 1),
    lambda x: retrograd.view_as_real(retrograd.view_as_complex(x[:, :2].contiguous())),
], ids=["unbind", "split", "chunk", "diagonal", "narrow", "unfold", "movedim", "tensor_split", "as_strided",
        "swapaxes", "view_as_real"])
def test_views_share_memory_and_version(make):
    x = retrograd.arange(12.).reshape(3, 4)
    v = make(x)
    root = v._base
    assert root is not None and np.shares_memory(v._data, root._data)
    before = root._version
    root.add_(1)
    assert v._version == root._version == before + 1


def test_copies_do_not_share_memory():
    x = retrograd.arange(12.).reshape(3, 4)
    for y in (x.flip(0), x.roll(1), x.rot90(), x.repeat(1, 1), x.tril(), x.diag(), x.diag_embed(),
              retrograd.cat([x]), retrograd.stack([x])):
        assert y._base is None and not np.shares_memory(y._data, x._data)


@pytest.mark.parametrize("make", [
    lambda x: x.unbind()[1], lambda x: x.split(2)[1], lambda x: x.split([1, 2])[0], lambda x: x.chunk(2)[0],
], ids=["unbind", "split", "split_with_sizes", "chunk"])
def test_inplace_on_a_multi_output_view_raises_as_torch(make):
    def f(lib):
        x = lib.ones(3, 4, requires_grad=True)
        make(x * 1).mul_(2)
    raises_same(f)


def test_inplace_on_diagonal_view_reaches_the_base():
    for lib in (retrograd, torch):
        x = lib.zeros(3, 3)
        x.diagonal().fill_(2)
        x.unfold(1, 2, 1)[0, 0, 1] = 5
        x.narrow(0, 2, 1).add_(1)
        assert to_np(x).tolist() == [[2., 5., 0.], [0., 2., 0.], [1., 1., 3.]]


def test_multi_output_view_grads_flow_with_unused_outputs():
    for lib in (retrograd, torch):
        x = lib.arange(6., requires_grad=True)
        a, b, c = x.split(2)
        (b * 3).sum().backward()
        assert to_np(x.grad).tolist() == [0., 0., 3., 3., 0., 0.]


def test_as_strided_of_a_view_reads_the_base_storage():
    def f(lib):
        x = lib.arange(12., requires_grad=True)
        y = (x * 1)[2:].as_strided((2, 3), (3, 1))       # storage offset 2, kept
        z = y.as_strided((2,), (1,), 0)                     # offset 0: before y's start
        (y.sum() + 10 * z.sum()).backward()
        return y, z, x.grad
    assert_close(list(f(retrograd)), list(f(torch)), rtol=0, atol=0)


def test_as_strided_gradient_of_an_expanded_input_is_refused():
    x = retrograd.ones(3, requires_grad=True)
    with pytest.raises(NotImplementedError):
        x.expand(2, 3).as_strided((3,), (1,))


def test_repeat_interleave_with_tensor_repeats():
    def f(lib, x):
        outs = (x.repeat_interleave(lib.tensor([1, 0, 2]), dim=0), x.repeat_interleave(lib.tensor(2), dim=1),
                x.repeat_interleave(lib.tensor([2])))
        g, = lib.autograd.grad(sum((o * o).sum() for o in outs), x)
        return outs + (g,)
    (ours, _), (theirs, _) = both(f, (3, 2))
    assert_close(list(ours), list(theirs), rtol=1e-6, atol=1e-6)
    if hasattr(retrograd.Tensor, "index_select"):      # else an IndexBackward0 stands in (ops/scatter.py)
        assert [chain(o.grad_fn) for o in ours] == [chain(o.grad_fn) for o in theirs]


def test_repeat_interleave_of_repeats_alone():
    assert_close(retrograd.repeat_interleave(retrograd.tensor([1, 3, 0, 2])),
                 torch.repeat_interleave(torch.tensor([1, 3, 0, 2])), rtol=0, atol=0)


def test_cat_promotes_and_casts_gradients_back():
    def f(lib):
        a = lib.ones(2, dtype=lib.float32, requires_grad=True)
        b = lib.ones(2, dtype=lib.float64, requires_grad=True)
        i = lib.ones(2, dtype=lib.int64)
        y = lib.cat([a, b, i])
        (y * lib.arange(6.)).sum().backward()
        return y, a.grad, b.grad
    assert_close(list(f(retrograd)), list(f(torch)), rtol=0, atol=0)


def test_complex_view_round_trip_gradient():
    def f(lib):
        z = lib.tensor([1 + 2j, 3 - 1j], requires_grad=True)
        r = lib.view_as_real(z)
        (r * lib.tensor([[1., 2.], [3., 4.]])).sum().backward()
        return r, z.grad
    assert_close(list(f(retrograd)), list(f(torch)), rtol=0, atol=0)


# ---------------------------------------------------------------- plain creation, shapes

def test_new_creation_methods_match_torch():
    def f(lib):
        x = lib.zeros(2, dtype=lib.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [x.new_zeros(2, 3), x.new_zeros((1,)), x.new_ones([2]), x.new_full((2,), 3),
                    x.new_empty(2, 0), x.new_tensor([1, 2]), x.new_tensor([1, 2], dtype=lib.int32),
                    x.new_zeros(2, requires_grad=True), x.new_tensor(lib.ones(2))]
    ours, theirs = f(retrograd), f(torch)
    for o, t in zip(ours, theirs):
        assert o.dtype.__repr__() == t.dtype.__repr__() and tuple(o.shape) == tuple(t.shape)
        assert o.requires_grad == t.requires_grad
    assert_close([o for o in ours if o.numel()], [t for t in theirs if t.numel()], rtol=0, atol=0)


def test_new_tensor_warns_as_torch_for_a_tensor():
    for lib in (retrograd, torch):
        with pytest.warns(UserWarning, match=r"rather than tensor.new_tensor\(sourceTensor\)"):
            lib.zeros(2).new_tensor(lib.ones(2))


@pytest.mark.parametrize("shapes", [((3, 1), (4,)), (3, (2, 1)), ((2,), (3, 1), (1, 1, 1)), (), ((0,), (1,)),
                                    ([2, 1], (1, 3))])
def test_broadcast_shapes(shapes):
    assert repr(retrograd.broadcast_shapes(*shapes)) == repr(torch.broadcast_shapes(*shapes))


def test_meshgrid_without_indexing_warns_as_torch():
    for lib in (retrograd, torch):
        with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
            lib.meshgrid(lib.zeros(2), lib.zeros(3))


# ---------------------------------------------------------------- errors: type and message

ERRORS = {
    "cat_empty_list": lambda lib: lib.cat([]),
    "cat_tensor": lambda lib: lib.cat(lib.zeros(2)),
    "cat_number": lambda lib: lib.cat([lib.zeros(2), 1]),
    "cat_0d": lambda lib: lib.cat([lib.zeros(3, 4), lib.tensor(2.)]),
    "cat_ndim": lambda lib: lib.cat([lib.zeros(3, 4), lib.zeros(3)]),
    "cat_sizes": lambda lib: lib.cat([lib.zeros(3, 4), lib.zeros(2, 3)], 1),
    "cat_sizes_skipped": lambda lib: lib.cat([lib.tensor([]), lib.zeros(3, 4), lib.zeros(2, 3)]),
    "cat_dim": lambda lib: lib.cat([lib.zeros(3, 4)], 2),
    "stack_empty": lambda lib: lib.stack([]),
    "stack_sizes": lambda lib: lib.stack([lib.zeros(3, 4), lib.zeros(3)]),
    "stack_dim": lambda lib: lib.stack([lib.zeros(3, 4)], -4),
    "hstack_empty": lambda lib: lib.hstack([]),
    "vstack_empty": lambda lib: lib.vstack([]),
    "dstack_empty": lambda lib: lib.dstack(()),
    "column_stack_empty": lambda lib: lib.column_stack([]),
    "split_neg": lambda lib: lib.zeros(3).split(-1),
    "split_zero": lambda lib: lib.zeros(3).split(0),
    "split_0d": lambda lib: lib.tensor(1.).split(1),
    "split_sizes_sum": lambda lib: lib.zeros(3, 4).split([1, 1]),
    "split_sizes_neg": lambda lib: lib.zeros(3, 4).split([4, -1]),
    "chunk_zero": lambda lib: lib.zeros(3).chunk(0),
    "chunk_0d": lambda lib: lib.tensor(1.).chunk(1),
    "unbind_0d": lambda lib: lib.tensor(1.).unbind(-1),
    "unbind_dim": lambda lib: lib.zeros(3).unbind(1),
    "tensor_split_sections": lambda lib: lib.zeros(3).tensor_split(0),
    "tensor_split_0d": lambda lib: lib.tensor(1.).tensor_split(1),
    "hsplit_divisible": lambda lib: lib.zeros(3, 4).hsplit(3),
    "hsplit_0d": lambda lib: lib.tensor(1.).hsplit(1),
    "vsplit_1d": lambda lib: lib.zeros(4).vsplit(2),
    "dsplit_2d": lambda lib: lib.zeros(2, 4).dsplit(2),
    "flip_dup": lambda lib: lib.zeros(3, 4).flip(0, -2),
    "flip_no_dims": lambda lib: lib.zeros(3, 4).flip(),
    "flip_dim": lambda lib: lib.zeros(3, 4).flip(2),
    "fliplr_1d": lambda lib: lib.zeros(3).fliplr(),
    "flipud_0d": lambda lib: lib.tensor(1.).flipud(),
    "roll_align": lambda lib: lib.zeros(3, 4).roll((1, 2), 0),
    "roll_no_dims": lambda lib: lib.zeros(3, 4).roll((1, 2)),
    "roll_0d": lambda lib: lib.tensor(1.).roll(1, 0),
    "rot90_dims": lambda lib: lib.zeros(3, 4).rot90(1, [0, 1, 1]),
    "rot90_1d": lambda lib: lib.zeros(3).rot90(),
    "rot90_same": lambda lib: lib.zeros(3, 4).rot90(1, [0, -2]),
    "rot90_range": lambda lib: lib.zeros(3, 4).rot90(1, [0, 2]),
    "repeat_short": lambda lib: lib.zeros(3, 4).repeat(2),
    "repeat_negative": lambda lib: lib.zeros(3, 4).repeat(2, -1),
    "repeat_interleave_negative": lambda lib: lib.zeros(3).repeat_interleave(-1),
    "repeat_interleave_0d_dim": lambda lib: lib.tensor(1.).repeat_interleave(2, dim=0),
    "repeat_interleave_2d_repeats": lambda lib: lib.zeros(3).repeat_interleave(lib.tensor([[1]]), dim=0),
    "repeat_interleave_float_repeats": lambda lib: lib.zeros(3).repeat_interleave(lib.tensor([1., 2., 3.])),
    "repeat_interleave_sizes": lambda lib: lib.zeros(3, 2).repeat_interleave(lib.tensor([1, 2]), dim=0),
    "repeat_interleave_negative_repeats": lambda lib: lib.zeros(3).repeat_interleave(lib.tensor([1, -1, 0])),
    "movedim_count": lambda lib: lib.zeros(2, 3).movedim((0, 1), (1,)),
    "movedim_repeated_source": lambda lib: lib.zeros(2, 3, 4).movedim((0, 0), (1, 2)),
    "movedim_repeated_destination": lambda lib: lib.zeros(2, 3, 4).movedim((0, 1), (2, -1)),
    "movedim_range": lambda lib: lib.zeros(2, 3).movedim(2, 0),
    "narrow_exceeds": lambda lib: lib.zeros(3, 4).narrow(1, 3, 2),
    "narrow_exceeds_negative_start": lambda lib: lib.zeros(3, 4).narrow(1, -1, 2),
    "narrow_length": lambda lib: lib.zeros(3, 4).narrow(1, 1, -1),
    "narrow_0d": lambda lib: lib.tensor(1.).narrow(0, 0, 1),
    "narrow_start_range": lambda lib: lib.zeros(3, 4).narrow(1, -5, 0),
    "diagonal_identical": lambda lib: lib.zeros(3, 4).diagonal(0, 1, -1),
    "diagonal_1d": lambda lib: lib.zeros(3).diagonal(),
    "diag_3d": lambda lib: lib.zeros(2, 2, 2).diag(),
    "diag_0d": lambda lib: lib.tensor(1.).diag(),
    "diag_embed_identical": lambda lib: lib.zeros(3).diag_embed(0, 0, 0),
    "diag_embed_range": lambda lib: lib.zeros(3).diag_embed(0, 0, 2),
    "diag_embed_0d": lambda lib: lib.tensor(1.).diag_embed(),
    "tril_1d": lambda lib: lib.zeros(3).tril(),
    "triu_0d": lambda lib: lib.tensor(1.).triu(),
    "tril__1d": lambda lib: lib.zeros(3).tril_(),
    "unfold_size": lambda lib: lib.zeros(3, 4).unfold(1, 5, 1),
    "unfold_0d_size": lambda lib: lib.tensor(1.).unfold(0, 2, 1),
    "unfold_step": lambda lib: lib.zeros(3, 4).unfold(1, 2, 0),
    "unfold_dim": lambda lib: lib.zeros(3, 4).unfold(2, 1, 1),
    "as_strided_bounds": lambda lib: lib.zeros(3, 4).as_strided((3, 3), (4, 2)),
    "as_strided_offset_bounds": lambda lib: lib.zeros(3, 4).as_strided((2, 2), (1, 1), 11),
    "as_strided_negative": lambda lib: lib.zeros(3, 4).as_strided((2, 2), (-1, 1)),
    "broadcast_tensors": lambda lib: lib.broadcast_tensors(lib.zeros(3, 4), lib.zeros(3)),
    "broadcast_shapes": lambda lib: lib.broadcast_shapes((3,), (4,)),
    "broadcast_shapes_3": lambda lib: lib.broadcast_shapes((2,), (3, 2), (4, 1)),
    "meshgrid_indexing": lambda lib: lib.meshgrid(lib.zeros(2), indexing="ab"),
    "meshgrid_empty": lambda lib: lib.meshgrid(indexing="ij"),
    "meshgrid_dtype": lambda lib: lib.meshgrid(lib.zeros(2), lib.zeros(2, dtype=lib.float64), indexing="ij"),
    "diff_0d": lambda lib: lib.tensor(1.).diff(),
    "diff_order": lambda lib: lib.zeros(3).diff(-1),
    "diff_prepend_dims": lambda lib: lib.zeros(3, 4).diff(prepend=lib.zeros(4)),
    "diff_prepend_shape": lambda lib: lib.zeros(3, 4).diff(prepend=lib.zeros(2, 2)),
    "cartesian_prod_2d": lambda lib: lib.cartesian_prod(lib.zeros(3, 4), lib.zeros(2)),
    "cartesian_prod_0d": lambda lib: lib.cartesian_prod(lib.tensor(1.), lib.zeros(2)),
    "view_as_real_real": lambda lib: lib.view_as_real(lib.zeros(3)),
    "view_as_complex_last": lambda lib: lib.view_as_complex(lib.zeros(3, 4)),
    "view_as_complex_int": lambda lib: lib.view_as_complex(lib.zeros(3, 2, dtype=lib.int64)),
    "view_as_complex_stride": lambda lib: lib.view_as_complex(lib.zeros(2, 3).t()),
    "squeeze_dup": lambda lib: lib.zeros(1, 3).squeeze((0, 0)),
    "squeeze_range": lambda lib: lib.zeros(1, 3).squeeze(2),
    "transpose_0d_range": lambda lib: lib.tensor(1.).transpose(0, 1),
    "transpose_1d_range": lambda lib: lib.zeros(3).transpose(0, 1),
    "permute_count": lambda lib: lib.zeros(1, 3, 1).permute(0, 1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_same(ERRORS[name])
