"""OpCases for ops/scatter.py, ops/scatter_masked.py and ops/scatter_search.py.

Index tensors are made inside each case from the drawn shapes with a generator seeded by those
shapes, so both libraries get the same indices; masks come from the values (`x > 0`). In-place
forms run on `x * 1` (a leaf that requires grad can't be modified in place).
"""
import numpy as np
from hypothesis import strategies as st

from . import *  # noqa: F401,F403
from . import OpCase, fixed, DISTINCT, NONZERO, POSITIVE


def _rng(*shapes):
    return np.random.default_rng(abs(hash(tuple(tuple(s) for s in shapes))) % 2 ** 32)


def _index(lib, x, dim, size, repeats=True):
    """A gather/scatter index for `x` along `dim` with `size` entries there (other dims a corner of
    x's): repeats=False gives distinct entries along each line (scatter's targets must not clash)."""
    shape = list(x.shape) or [1]
    n = shape[dim]
    shape = [s if d == dim else max(1, s - (d % 2)) for d, s in enumerate(shape)]
    shape[dim] = size
    rng = _rng(tuple(x.shape), (dim, size, repeats))
    if repeats:
        ix = rng.integers(0, n, shape)
    else:
        big = list(shape)
        big[dim] = n
        ix = np.take(np.argsort(rng.random(big), axis=dim), range(size), axis=dim)
    return lib.tensor(ix.reshape(shape if x.dim() else ()) if x.dim() or ix.size == 1 else ix)


def _vector(lib, n, high, k, distinct=False):
    rng = _rng((n, high, k, distinct))
    return lib.tensor(rng.permutation(high)[:k] if distinct else rng.integers(0, high, k))


# shapes: self, and a src/source one (for scatter-like ops the src is at least as large as the index)
X = st.sampled_from([((3, 4),), ((2, 3, 4),), ((5,),), ((1, 4),)])
XY = st.sampled_from([((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4)), ((5,), (5,)), ((4, 1), (4, 1))])
ROWS = st.sampled_from([((3, 4), (5, 4)), ((4, 2, 3), (3, 2, 3)), ((6,), (4,)), ((2, 1), (3, 1))])


def _fit(y, ix):
    """src cut to the index's shape (torch refuses a src gradient for a larger src)."""
    return y[tuple(slice(0, n) for n in ix.shape)] if y.dim() else y


def _gather(lib, x, dim):
    return x.gather(dim, _index(lib, x, dim, x.shape[dim] + 1))


def _scatter(lib, x, y, dim):
    ix = _index(lib, x, dim, max(1, x.shape[dim] - 1), repeats=False)
    return x.scatter(dim, ix, _fit(y, ix))


def _scatter_reduce(lib, x, y, reduce, include_self):
    dim = x.dim() - 1
    ix = _index(lib, x, dim, x.shape[dim])
    return x.scatter_reduce(dim, ix, _fit(y, ix), reduce, include_self=include_self)


def _index_add(lib, x, y, alpha=1):
    return x.index_add(0, _vector(lib, x.shape[0], x.shape[0], y.shape[0]), y, alpha=alpha)


def _index_reduce(lib, x, y, reduce, include_self):
    return x.index_reduce(0, _vector(lib, x.shape[0], x.shape[0], y.shape[0]), y, reduce, include_self=include_self)


def _index_copy(lib, x, y):
    if y.shape[0] > x.shape[0]:
        y = y[: x.shape[0]]
    return x.index_copy(0, _vector(lib, x.shape[0], x.shape[0], y.shape[0], distinct=True), y)


def _inplace(lib, x, y, name, dim, ix, *rest):
    return getattr(x * 1, name)(dim, ix, _fit(y, ix), *rest)


def _tie(rng, shape):
    """Values with exact ties (amax/amin share their gradient between equal elements)."""
    return rng.integers(-2, 3, shape) * 0.5


def _some_zeros(rng, shape):
    return np.where(rng.random(shape) < 0.25, 0.0, rng.uniform(0.5, 1.5, shape))


def _mask_rows(lib, x):
    return lib.tensor(_rng(tuple(x.shape), "mask").random(tuple(x.shape)) < 0.5)


CASES = [
    OpCase("gather", lambda lib, x: _gather(lib, x, -1), X),
    OpCase("gather_dim0", lambda lib, x: _gather(lib, x, 0) * 2, X, covers=("gather", "mul")),
    OpCase("gather_0d", lambda lib, x: x.gather(0, lib.tensor(0)) * x.gather(-1, lib.tensor([0, 0])),
           fixed(((),)), covers=("gather", "mul")),
    OpCase("take_along_dim", lambda lib, x: lib.take_along_dim(x, _index(lib, x, 0, 3), 0), X,
           covers=("gather", "expand")),
    OpCase("take_along_dim_bcast", lambda lib, x: lib.take_along_dim(x, lib.tensor([[0, 2]]), 1),
           fixed(((3, 4),), ((2, 3),)), covers=("gather", "expand")),
    OpCase("take_along_dim_flat", lambda lib, x: x.take_along_dim(lib.tensor([[0, 5], [2, 2]])),
           fixed(((3, 4),), ((2, 3),)), covers=("gather", "view")),
    OpCase("scatter", lambda lib, x, y: _scatter(lib, x, y, -1), XY),
    OpCase("scatter_value", lambda lib, x: x.scatter(0, _index(lib, x, 0, 1, repeats=False), 1.5), X),
    OpCase("scatter_value_kw", lambda lib, x: lib.scatter(x, -1, _index(lib, x, -1, 1, False), value=-2),
           X, covers=("scatter_value",)),
    OpCase("scatter_inplace", lambda lib, x, y: _inplace(lib, x, y, "scatter_", -1, _index(lib, x, -1, 1, False)),
           XY, covers=("scatter", "mul", "slice")),
    OpCase("scatter_value_inplace", lambda lib, x: (x * 1).scatter_(0, _index(lib, x, 0, 1, False), 0.5), X,
           covers=("scatter_value", "mul")),
    OpCase("scatter_legacy_reduce", lambda lib, x, y: x.scatter(0, _index(lib, x, 0, 2), y, reduce="add"),
           XY, grad=False, jvp=True),
    OpCase("scatter_value_legacy_reduce",
           lambda lib, x: x.scatter(-1, _index(lib, x, -1, 2), 2.0, reduce="multiply"), X, grad=False,
           jvp=True),
    OpCase("scatter_add", lambda lib, x, y: x.scatter_add(-1, _index(lib, x, -1, y.shape[-1]), _fit(y, _index(lib, x, -1, y.shape[-1]))),
           st.sampled_from([((3, 4), (3, 6)), ((2, 3, 4), (2, 3, 6)), ((5,), (7,))]), covers=("scatter_add", "slice")),
    OpCase("scatter_add_inplace", lambda lib, x, y: _inplace(lib, x, y, "scatter_add_", 0, _index(lib, x, 0, 2)), XY,
           covers=("scatter_add", "mul", "slice")),
    OpCase("index_select", lambda lib, x: x.index_select(0, _vector(lib, x.shape[0], x.shape[0], 5)), X),
    OpCase("index_select_last", lambda lib, x: lib.index_select(x, -1, lib.tensor([0, 0])), X,
           covers=("index_select",)),
    OpCase("index_select_0d", lambda lib, x: x.index_select(0, lib.tensor([0])), fixed(((),)),
           covers=("index_select",)),
    OpCase("index_add", lambda lib, x, y: _index_add(lib, x, y), ROWS),
    OpCase("index_add_alpha", lambda lib, x, y: _index_add(lib, x, y, alpha=-1.5), ROWS, covers=("index_add",)),
    OpCase("index_add_inplace", lambda lib, x, y: (x * 1).index_add_(0, _vector(lib, 9, x.shape[0], y.shape[0]), y),
           ROWS, covers=("index_add", "mul")),
    OpCase("index_copy", lambda lib, x, y: _index_copy(lib, x, y), ROWS),
    OpCase("index_copy_inplace", lambda lib, x, y: (x * 1).index_copy_(0, lib.tensor([1]), y[:1]), ROWS,
           covers=("index_copy", "mul")),
    OpCase("index_fill", lambda lib, x: x.index_fill(-1, lib.tensor([0, -1, 0]), 0.75), X),
    OpCase("index_fill_tensor", lambda lib, x, v: x.index_fill(0, lib.tensor([0, 0]), v),
           fixed(((3, 4), ()), ((5,), ()), ((2, 3, 4), ()))),
    OpCase("index_fill_inplace", lambda lib, x, v: (x * 1).index_fill_(-1, lib.tensor([1]), v).index_fill_(0, lib.tensor([0]), 2),
           fixed(((3, 4), ()), ((2, 3), ())), covers=("index_fill", "index_fill_tensor", "mul")),
    OpCase("masked_fill", lambda lib, x: x.masked_fill(x > 0, 0.5)),
    OpCase("masked_fill_bcast", lambda lib, x, m: x.masked_fill(m > 0, -1.0),
           fixed(((4,), (3, 4)), ((3, 1), (3, 4)), ((), (2, 3))), covers=("masked_fill", "expand")),
    OpCase("masked_fill_tensor", lambda lib, x, v: x.masked_fill(x > 0, v),
           fixed(((3, 4), ()), ((5,), ()), ((), ()))),
    OpCase("masked_fill_tensor_bcast", lambda lib, x, m, v: x.masked_fill(m > 0, v),
           fixed(((4,), (3, 4), ()), ((3, 1), (3, 4), ())), covers=("masked_fill_tensor",)),
    OpCase("masked_fill_inplace", lambda lib, x, v: (x * 1).masked_fill_(x < 0, 0).masked_fill_(x > 1, v),
           fixed(((3, 4), ()), ((2, 3, 4), ())), covers=("masked_fill", "masked_fill_tensor", "mul")),
    OpCase("masked_scatter", lambda lib, x, y: x.masked_scatter(x > 0, y), XY),
    OpCase("masked_scatter_bcast", lambda lib, x, m, y: x.masked_scatter(m > 0, y),
           fixed(((4,), (3, 4), (13,)), ((3, 1), (3, 4), (3, 4))), covers=("masked_scatter",)),
    OpCase("masked_scatter_inplace", lambda lib, x, y: (x * 1).masked_scatter_(x < 0, y), XY,
           covers=("masked_scatter", "mul")),
    OpCase("masked_select", lambda lib, x: x.masked_select(x > 0)),
    OpCase("masked_select_bcast", lambda lib, x, m: lib.masked_select(x, m > 0),
           fixed(((4,), (3, 4)), ((3, 1), (2, 3, 4)), ((), (2,))), covers=("masked_select", "expand")),
    OpCase("take", lambda lib, x: x.take(lib.tensor(_rng(tuple(x.shape)).integers(-x.numel(), x.numel(), (2, 3)))),
           X),
    OpCase("put", lambda lib, x, y: x.put(_vector(lib, x.numel(), x.numel(), 2, True), y.reshape(-1)[:2]), XY),
    OpCase("put_accumulate", lambda lib, x, y: x.put(lib.tensor([0, -1, 0]), y.reshape(-1)[:3], accumulate=True),
           fixed(((3, 4), (3, 4)), ((2, 3), (3,))), covers=("put",)),
    OpCase("put_inplace", lambda lib, x, y: (x * 1).put_(lib.tensor([1, 1]), y[:2], True), fixed(((3, 4), (2,))),
           covers=("put", "mul")),
]

for _r, _dom in (("sum", None), ("mean", None), ("amax", DISTINCT), ("amin", DISTINCT), ("prod", NONZERO)):
    for _inc in (True, False):
        CASES.append(OpCase(f"scatter_reduce_{_r}{'' if _inc else '_exclude_self'}",
                            (lambda r, inc: lambda lib, x, y: _scatter_reduce(lib, x, y, r, inc))(_r, _inc), XY,
                            covers=("scatter_reduce",), **({"domain": _dom} if _dom else {})))
        if _r != "sum":
            CASES.append(OpCase(f"index_reduce_{_r}{'' if _inc else '_exclude_self'}",
                                (lambda r, inc: lambda lib, x, y: _index_reduce(lib, x, y, r, inc))(_r, _inc),
                                ROWS, covers=("index_reduce",), **({"domain": _dom} if _dom else {})))

CASES += [
    OpCase("scatter_reduce_amax_ties", lambda lib, x, y: _scatter_reduce(lib, x, y, "amax", True), XY,
           domain=_tie, covers=("scatter_reduce",), gradcheck=False),
    OpCase("scatter_reduce_amin_ties_exclude_self", lambda lib, x, y: _scatter_reduce(lib, x, y, "amin", False),
           XY, domain=_tie, covers=("scatter_reduce",), gradcheck=False),
    OpCase("scatter_reduce_prod_zeros", lambda lib, x, y: _scatter_reduce(lib, x, y, "prod", True), XY,
           domain=_some_zeros, grad2=False, covers=("scatter_reduce",),
           notes="torch refuses double backward where two zeros meet"),
    OpCase("index_reduce_prod_zeros", lambda lib, x, y: _index_reduce(lib, x, y, "prod", False), ROWS,
           domain=_some_zeros, grad2=False, covers=("index_reduce",)),
    OpCase("scatter_reduce_inplace", lambda lib, x, y: _inplace(lib, x, y, "scatter_reduce_", 0, _index(lib, x, 0, 2), "mean"),
           XY, covers=("scatter_reduce", "mul", "slice")),
    # non-differentiable searches: values, dtypes and shapes against torch
    OpCase("nonzero", lambda lib, x: ((x > 0).nonzero(), lib.argwhere(x < 0), lib.nonzero(x > 0, as_tuple=True),
                                      lib.where(x > 0.5)), grad=False, covers=("nonzero", "gt", "lt")),
    # (jvp=True: forward AD refuses unique, as torch does)
    OpCase("unique", lambda lib, x: lib.unique((x * 2).round(), return_inverse=True, return_counts=True),
           grad=False, jvp=True, covers=("_unique2", "mul", "round")),
    OpCase("unique_plain", lambda lib, x: (x > 0).unique(sorted=False), grad=False, covers=("_unique2", "gt")),
    OpCase("unique_dim", lambda lib, x: lib.unique((x > 0).long(), dim=-1, return_inverse=True, return_counts=True),
           fixed(((3, 4),), ((2, 3, 4),), ((5,),), ((0, 3),)), grad=False, covers=("unique_dim", "gt", "_to_copy")),
    OpCase("unique_dim_float", lambda lib, x: lib.unique(x, dim=0), fixed(((3, 4),), ((2, 3),)), grad=False, jvp=True,
           covers=("unique_dim",)),
    OpCase("unique_consecutive", lambda lib, x: (lib.unique_consecutive((x * 2).round(), return_counts=True),
                                                 (x > 0).unique_consecutive(return_inverse=True, dim=0)),
           fixed(((3, 4),), ((2, 3, 4),), ((5,),), ((),)), grad=False, jvp=True,
           covers=("unique_consecutive", "mul", "round", "gt")),
    OpCase("bincount", lambda lib, x: (lib.bincount(_vector(lib, x.numel(), 4, x.numel()), weights=x.reshape(-1)),
                                       lib.bincount(_vector(lib, 0, 3, 5), minlength=5)),
           grad=False, jvp=True, covers=("bincount", "view")),
    OpCase("histc", lambda lib, x: (lib.histc(x, bins=5), x.histc(4, min=-1, max=1)), grad=False),
    OpCase("histc_edges", lambda lib, x: lib.histc(x.round(), bins=4, min=-2, max=2), grad=False,
           covers=("histc", "round")),
    OpCase("searchsorted", lambda lib, x, s: (lib.searchsorted(s.reshape(-1).sort().values, x),
                                               lib.searchsorted(s.reshape(-1).sort().values, x, right=True,
                                                                out_int32=True),
                                               lib.bucketize(x, s.reshape(-1).sort().values)),
           fixed(((3, 4), (5,)), ((), (3,)), ((2, 3), (2, 2))), grad=False, covers=("searchsorted", "sort", "view")),
    OpCase("searchsorted_nd", lambda lib, x, s: lib.searchsorted(s.sort(dim=-1).values, x, side="right"),
           fixed(((3, 4), (3, 5)), ((2, 1, 2), (2, 1, 3))), grad=False, covers=("searchsorted", "sort")),
    OpCase("isin", lambda lib, x, y: (lib.isin(x.round(), y.round()), lib.isin(x.round(), 1.0, invert=True)),
           fixed(((3, 4), (5,)), ((), (3,)), ((2, 3), (2, 2))), grad=False, covers=("isin", "round")),
]
