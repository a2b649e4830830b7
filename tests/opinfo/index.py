"""OpCases for ops/index.py: indexing, assignment into indices and views, copy_/fill_/zero_.

In-place ops run on a clone (a leaf that requires grad can't be modified in place);
the gradient then flows through the op's CopySlices/IndexPut/Copy history to the inputs.
"""
from . import *  # noqa: F401,F403
from . import OpCase, fixed

S234 = fixed(((2, 3, 4),))


def _mask(lib, x):
    return x > 0.3


def _set_view(lib, x, y):
    z = x * 1
    z[0, 1:] = y            # a view of a non-leaf, written with copy_: CopySlices around CopyBackwards
    return z


def _mul_view(lib, x):
    z = x.clone()
    v = z[:, 1]
    v.mul_(x[:, 0])         # in-place on a view (saves its old values and the other operand)
    w = z[1]                # a sibling view, re-derived after the write
    return z * 2, w.exp()


def _index_put_acc(lib, x, y):
    idx = lib.tensor([0, 2, 0])
    return x.index_put((idx,), y, accumulate=True)


CASES = [
    OpCase("select", lambda lib, x: x[1] * x[-1, 2], S234, covers=("select", "select_backward", "mul")),
    OpCase("select_method", lambda lib, x: lib.select(x, -1, 0), S234, covers=("select",)),
    OpCase("select_0d_result", lambda lib, x: x[1, 2] + x[0][0][1], fixed(((3, 4),), ((2, 3),)),
           covers=("select", "add")),
    OpCase("slice", lambda lib, x: x[:, 1:] * x[::2, :-1], fixed(((3, 4),), ((4, 3),)),
           covers=("slice", "slice_backward", "mul")),
    OpCase("slice_step", lambda lib, x: x[..., 1::2], S234, covers=("slice",)),
    OpCase("slice_out_of_range", lambda lib, x: x[5:] .sum() + x[-10:2].sum(), fixed(((3, 4),)),
           covers=("slice", "sum")),
    OpCase("alias", lambda lib, x: x[...].exp(), covers=("alias", "exp")),
    OpCase("unsqueeze_index", lambda lib, x: x[None, :, None], fixed(((3, 4),), ((2,),)), covers=("unsqueeze",)),
    OpCase("index_list", lambda lib, x: x[[0, 2, 0]], fixed(((3, 4),), ((3,),)),
           covers=("index", "index_put")),
    OpCase("index_mask", lambda lib, x: x[_mask(lib, x)], fixed(((3, 4),), ((2, 3, 4),)),
           covers=("index", "gt")),
    OpCase("index_mixed", lambda lib, x: x[1:, [0, 2], None], S234, covers=("index", "slice", "unsqueeze")),
    OpCase("index_int_then_list", lambda lib, x: x[0, :, [0, 1]], S234, covers=("index", "select")),
    OpCase("index_two_lists", lambda lib, x: x[[0, 1, 1], :, [3, 0, 0]], S234, covers=("index",)),
    OpCase("index_tensor", lambda lib, x: x[lib.tensor([[1, 0], [0, 1]])], fixed(((2, 3),)), covers=("index",)),
    OpCase("index_bool_scalar", lambda lib, x: x[True] * 2 + x[False].sum(), fixed(((2, 3),)),
           covers=("index", "unsqueeze", "mul", "add", "sum")),
    OpCase("setitem_view", _set_view, fixed(((3, 4), (3,)), ((3, 4), (1,)), ((3, 4), ()), ((3, 4), (1, 3))),
           covers=("copy", "fill_tensor", "expand", "view", "mul")),
    OpCase("setitem_scalar", lambda lib, x: _scalar_set(x), fixed(((3, 4),)), covers=("fill_tensor",)),
    OpCase("setitem_mask", lambda lib, x, y: _mask_set(lib, x, y), fixed(((3, 4), ()), ((2, 3), (1,))),
           covers=("index_put",)),
    OpCase("setitem_advanced_view", lambda lib, x, y: _adv_view_set(x, y), fixed(((3, 4), (2,))),
           covers=("index_put", "select")),
    OpCase("mul_on_view", _mul_view, fixed(((3, 4),), ((2, 2),)), covers=("mul", "exp")),
    OpCase("index_put", lambda lib, x, y: x.index_put((lib.tensor([2, 0]),), y), fixed(((3, 4), (4,)), ((3, 2), (2, 2))),
           covers=("index_put",)),
    OpCase("index_put_acc", _index_put_acc, fixed(((3, 4), (3, 4)), ((4,), (1,))), covers=("index_put",)),
    OpCase("copy_", lambda lib, x, y: x.clone().copy_(y) * x, fixed(((3, 4), (4,)), ((2, 3), (2, 3)), ((2,), ())),
           covers=("copy", "clone", "mul")),
    OpCase("copy_dtype", lambda lib, x, y: x.clone().copy_(y.float() if x.dtype == lib.float64 else y.double()),
           fixed(((3,), (3,))), covers=("copy", "_to_copy"),
           gradcheck=False, notes="rounds through float32: too coarse for finite differences"),
    OpCase("zero_", lambda lib, x: x.clone().zero_() + x, covers=("zero", "clone", "add")),
    OpCase("fill_", lambda lib, x, y: x.clone().fill_(y) * x + x.clone().fill_(0.5), fixed(((3, 4), ()), ((2,), ())),
           covers=("fill_tensor", "fill_scalar", "clone", "mul", "add")),
]


def _scalar_set(x):
    z = x.clone()
    z[1] = 0.5
    z[0, 0] = -1.0
    return z


def _mask_set(lib, x, y):
    z = x * 2
    z[z > 0.5] = y
    return z


def _adv_view_set(x, y):
    z = x.clone()
    z[1, [0, 2]] = y        # select view, then index_put_ on it: CopySlices around IndexPutBackward0
    return z
