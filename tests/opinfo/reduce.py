"""OpCases for ops/reduce.py and ops/sort.py (reductions, selections, scans)."""
from . import *  # noqa: F401,F403
from . import OpCase, NONEMPTY, fixed, NONZERO, DISTINCT

_SEL = ("_scatter_along", "_gather_along")          # the backward (and its derivative) of selections


def TIES(rng, shape):
    """Few distinct values: ties everywhere (torch's tie rules)."""
    return rng.integers(-1, 2, shape) * 1.0


def ZEROS(rng, shape):
    """Zeros among non-zeros: none, one or several per slice (prod, cumprod)."""
    return rng.choice([0.0, 0.0, 1.5, -0.7, 2.0, 0.6], shape)


def WITH_NAN(rng, shape):
    x = rng.uniform(-2, 2, shape)
    return np.where(rng.uniform(size=shape) < 0.3, np.nan, x)


def WITH_NEG_INF(rng, shape):
    x = rng.uniform(-2, 2, shape)
    return np.where(rng.uniform(size=shape) < 0.4, -np.inf, x)


CASES = [
    # sum / mean
    OpCase("sum", lambda lib, x: x.sum()),
    OpCase("sum_dim", lambda lib, x: x.sum(dim=(0, -1), keepdim=True), fixed(((2, 3, 4),), ((3, 1),), ((5,),), ((),))),
    OpCase("sum_dim_int", lambda lib, x: lib.sum(x, -1), covers=("sum_dim",)),
    OpCase("sum_dim_empty", lambda lib, x: x.sum(()) * 2, covers=("sum_dim", "mul")),
    OpCase("sum_dtype", lambda lib, x: x.sum(dtype=lib.float64) + x.sum(0, dtype=lib.float32).sum(),
           NONEMPTY, covers=("sum", "sum_dim", "add")),
    OpCase("sum_int", lambda lib, x: ((x > 0).sum(), (x * 4).long().sum(-1), (x * 4).int().sum()), grad=False,
           covers=("sum", "sum_dim", "gt", "mul", "_to_copy")),
    OpCase("mean", lambda lib, x: x.mean()),
    OpCase("mean_dim", lambda lib, x: x.mean(1, keepdim=False), fixed(((2, 3, 4),), ((3, 1),), ((2, 0),))),
    OpCase("mean_dim_neg", lambda lib, x: x.mean((-1,), keepdim=True), covers=("mean_dim",)),
    OpCase("mean_dtype", lambda lib, x: x.mean(dtype=lib.float64), covers=("mean",)),
    # prod
    OpCase("prod", lambda lib, x: x.prod()),
    OpCase("prod_zeros", lambda lib, x: x.prod(), domain=ZEROS, covers=("prod",)),
    OpCase("prod_dim", lambda lib, x: x.prod(-1)),
    OpCase("prod_dim_zeros", lambda lib, x: x.prod(0, keepdim=True), NONEMPTY, domain=ZEROS, covers=("prod_dim",)),
    OpCase("prod_dtype", lambda lib, x: x.prod(dtype=lib.float64), NONEMPTY, covers=("prod",)),
    OpCase("prod_int", lambda lib, x: ((x * 3).long().prod(), (x > 0).prod(-1)), grad=False,
           covers=("prod", "prod_dim", "mul", "_to_copy", "gt")),
    # max / min
    OpCase("max", lambda lib, x: x.max(), domain=DISTINCT),
    OpCase("max_ties", lambda lib, x: x.max(), domain=TIES, covers=("max",)),
    OpCase("min", lambda lib, x: x.min(), domain=DISTINCT),
    OpCase("min_ties", lambda lib, x: lib.min(x), domain=TIES, covers=("min",)),
    OpCase("max_dim", lambda lib, x: x.max(-1), domain=DISTINCT, covers=("max_dim",) + _SEL),
    OpCase("max_dim_keepdim", lambda lib, x: lib.max(x, 0, True), domain=DISTINCT, covers=("max_dim",) + _SEL),
    OpCase("min_dim", lambda lib, x: x.min(dim=0), domain=DISTINCT, covers=("min_dim",) + _SEL),
    OpCase("min_dim_ties", lambda lib, x: x.min(-1, keepdim=True), domain=TIES, covers=("min_dim",) + _SEL,
           notes="ties: the first index, as torch"),
    OpCase("max_binary", lambda lib, x, y: lib.max(x, y) + x.min(other=y), fixed(((2, 3), (3,)), ((4,), (4,))),
           covers=("maximum", "minimum", "add")),
    OpCase("amax", lambda lib, x: x.amax(), NONEMPTY, domain=DISTINCT),
    OpCase("amax_ties", lambda lib, x: x.amax((0, -1), keepdim=True), domain=TIES, covers=("amax",)),
    OpCase("amin", lambda lib, x: lib.amin(x, -1), domain=DISTINCT),
    OpCase("amin_ties", lambda lib, x: x.amin(0), domain=TIES, covers=("amin",)),
    OpCase("aminmax", lambda lib, x: lib.aminmax(x), domain=TIES),
    OpCase("aminmax_dim", lambda lib, x: x.aminmax(dim=-1, keepdim=True), domain=TIES, covers=("aminmax",)),
    OpCase("argmax", lambda lib, x: (x.argmax(), x.argmax(-1), x.argmax(0, keepdim=True), x.argmax(keepdim=True)),
           domain=TIES, grad=False),
    OpCase("argmin", lambda lib, x: (lib.argmin(x), x.argmin(dim=-1, keepdim=True)), domain=TIES, grad=False),
    OpCase("all", lambda lib, x: (x.all(), (x > 0).all(-1), x.all((0, -1), keepdim=True), x.all(())), domain=TIES,
           grad=False, covers=("all", "gt")),
    OpCase("any", lambda lib, x: (x.any(), (x > 0).any(0), lib.any(x, -1, True)), domain=TIES, grad=False,
           covers=("any", "gt")),
    OpCase("count_nonzero", lambda lib, x: (x.count_nonzero(), x.count_nonzero(-1), lib.count_nonzero(x, (0, -1))),
           domain=TIES, grad=False),
    # var / std
    OpCase("var", lambda lib, x: x.var()),
    OpCase("var_dim", lambda lib, x: x.var(-1, keepdim=True) + x.var(0, correction=0, keepdim=True),
           fixed(((2, 3, 4),), ((3, 1),), ((5,),), ((),), ((4, 3),)), covers=("var", "add")),
    OpCase("var_unbiased", lambda lib, x: (x.var(False), x.var(0, False), lib.var(x, correction=2)),
           covers=("var",)),
    OpCase("std", lambda lib, x: x.std()),
    OpCase("std_dim", lambda lib, x: x.std((0, -1), correction=0) * 3, fixed(((2, 3, 4),), ((3, 2),), ((5,),)),
           covers=("std", "mul")),
    OpCase("std_const", lambda lib, x: (x * 0).std(-1), fixed(((3, 4),)), covers=("std", "mul"),
           notes="zero std: torch's gradient is 0 there"),
    OpCase("var_mean", lambda lib, x: lib.var_mean(x, -1, keepdim=True)),
    OpCase("var_mean_all", lambda lib, x: lib.var_mean(x, unbiased=False), covers=("var_mean",)),
    OpCase("std_mean", lambda lib, x: lib.std_mean(x, 0, correction=0)),
    OpCase("std_mean_all", lambda lib, x: lib.std_mean(x), covers=("std_mean",)),
    # norm
    OpCase("linalg_vector_norm", lambda lib, x: x.norm()),
    OpCase("norm_dim", lambda lib, x: lib.norm(x, dim=-1, keepdim=True) + x.norm(p="fro", dim=0, keepdim=True),
           fixed(((2, 3),), ((3, 1),), ((4,),)), covers=("linalg_vector_norm", "add")),
    # (x * x added: torch's second derivative of sgn is a ZeroTensor, which tests/oracle.py can't read)
    OpCase("norm_1", lambda lib, x: x.norm(1, dim=0) + (x * x).sum(0), NONEMPTY, domain=NONZERO,
           covers=("linalg_vector_norm", "mul", "sum_dim", "add")),
    OpCase("norm_inf", lambda lib, x: (x.norm(float("inf")) + (x * x).sum(), x.norm(-float("inf"), dim=-1) + x.sum()),
           NONEMPTY, domain=DISTINCT, covers=("linalg_vector_norm", "mul", "sum", "add")),
    OpCase("norm_inf_ties", lambda lib, x: x.norm(float("inf"), dim=-1) + (x * x).sum(), NONEMPTY, domain=TIES,
           covers=("linalg_vector_norm", "mul", "sum", "add")),
    OpCase("norm_0", lambda lib, x: x.norm(0) + x.norm(0.5, dim=-1).sum(), domain=ZEROS,
           covers=("linalg_vector_norm", "add", "sum"), notes="p=0 has no gradient; p<1 is 0 where x is 0"),
    OpCase("norm_p", lambda lib, x: (x.norm(3), x.norm(1.5, dim=0), x.norm(-1.0, dim=-1)), NONEMPTY, domain=NONZERO,
           covers=("linalg_vector_norm",)),
    OpCase("norm_zero", lambda lib, x: ((x * 0).norm(), (x * 0).norm(3, dim=-1), (x * 0).norm(1.5)), NONEMPTY,
           covers=("linalg_vector_norm", "mul"), grad2=False, notes="torch: gradient 0 at a zero vector"),
    OpCase("norm_dtype", lambda lib, x: x.norm(dtype=lib.float64), covers=("linalg_vector_norm",)),
    # logsumexp, nansum, nanmean
    OpCase("logsumexp", lambda lib, x: x.logsumexp(-1), domain=lambda rng, s: rng.uniform(-5, 5, s)),
    OpCase("logsumexp_dims", lambda lib, x: lib.logsumexp(x * 30, (0, -1), keepdim=True), covers=("logsumexp", "mul")),
    OpCase("logsumexp_inf", lambda lib, x: x.logsumexp(0), NONEMPTY, domain=WITH_NEG_INF, grad2=False,
           covers=("logsumexp",)),
    OpCase("nansum", lambda lib, x: (x.nansum(), lib.nansum(x, -1, keepdim=True)), domain=WITH_NAN),
    OpCase("nanmean", lambda lib, x: (x.nanmean(), x.nanmean(0)), domain=WITH_NAN,
           covers=("nansum", "div", "isnan", "logical_not", "sum", "sum_dim")),
    # sort and selections (DISTINCT: with ties the index, and so the gradient, is not unique)
    OpCase("sort", lambda lib, x: x.sort(), domain=DISTINCT, covers=("sort",) + _SEL),
    OpCase("sort_dim_desc", lambda lib, x: lib.sort(x, 0, descending=True), domain=DISTINCT, covers=("sort",) + _SEL),
    OpCase("sort_stable_ties", lambda lib, x: (x.sort(stable=True), x.sort(descending=True, stable=True)), domain=TIES,
           covers=("sort",) + _SEL, notes="stable: equal elements keep their order (ascending and descending)"),
    OpCase("sort_nan", lambda lib, x: (x.sort(stable=True), x.sort(descending=True, stable=True), x.argsort(stable=True)),
           domain=WITH_NAN, covers=("sort", "argsort") + _SEL, notes="NaN sorts as the largest"),
    OpCase("argsort", lambda lib, x: (x.argsort(), lib.argsort(x, 0, True), x.argsort(dim=-1, stable=True)),
           domain=DISTINCT, grad=False),
    OpCase("msort", lambda lib, x: x.msort(), domain=DISTINCT, covers=("sort",) + _SEL),
    OpCase("topk", lambda lib, x: x.topk(min(2, x.shape[-1]) if x.dim() else 1), domain=DISTINCT,
           covers=("topk",) + _SEL),
    OpCase("topk_smallest", lambda lib, x: lib.topk(x, 1, 0, largest=False) if x.dim() else x.topk(1),
           NONEMPTY, domain=DISTINCT, covers=("topk",) + _SEL),
    OpCase("topk_ties", lambda lib, x: x.topk(min(2, x.shape[-1]) if x.dim() else 1).values, domain=TIES, grad=False,
           covers=("topk",), notes="values only: torch leaves the order of equal elements unspecified"),
    OpCase("kthvalue", lambda lib, x: x.kthvalue(min(2, x.shape[-1]) if x.dim() else 1), domain=DISTINCT,
           covers=("kthvalue",) + _SEL),
    OpCase("kthvalue_keepdim", lambda lib, x: lib.kthvalue(x, 1, 0, True), NONEMPTY, domain=DISTINCT,
           covers=("kthvalue",) + _SEL),
    OpCase("median", lambda lib, x: x.median(), domain=DISTINCT),
    OpCase("median_ties", lambda lib, x: x.median(), domain=TIES, covers=("median",),
           notes="whole tensor: ties share the gradient evenly"),
    OpCase("median_nan", lambda lib, x: (x.median(), x.median(-1)), NONEMPTY, domain=WITH_NAN, grad=False,
           covers=("median", "median_dim")),
    OpCase("median_dim", lambda lib, x: x.median(-1), domain=DISTINCT, covers=("median_dim",) + _SEL),
    OpCase("median_dim_keepdim", lambda lib, x: lib.median(x, 0, keepdim=True), domain=DISTINCT,
           covers=("median_dim",) + _SEL),
    OpCase("nanmedian", lambda lib, x: x.nanmedian(), domain=WITH_NAN),
    OpCase("nanmedian_dim", lambda lib, x: x.nanmedian(-1), NONEMPTY, domain=WITH_NAN,
           covers=("nanmedian_dim",) + _SEL),
    OpCase("mode", lambda lib, x: x.mode(), domain=DISTINCT, covers=("mode",) + _SEL),
    OpCase("mode_ties", lambda lib, x: (x.mode(0, keepdim=True), lib.mode(x)), domain=TIES, covers=("mode",) + _SEL,
           notes="the smallest of the most frequent values, at its last index"),
    OpCase("quantile", lambda lib, x: x.quantile(0.3), NONEMPTY, domain=DISTINCT,
           covers=("sort", "view", "_gather_along", "_scatter_add_along", "_scatter_along", "_quantile_lerp",
                   "_quantile_squeeze_")),
    OpCase("quantile_dim", lambda lib, x: lib.quantile(x, 0.75, dim=0, keepdim=True), NONEMPTY, domain=DISTINCT,
           covers=("sort", "view", "unsqueeze", "transpose", "_gather_along", "_quantile_lerp", "_quantile_squeeze_")),
    OpCase("quantile_q", lambda lib, x: x.quantile(lib.tensor([0.0, 0.4, 1.0], dtype=x.dtype), dim=-1),
           NONEMPTY, domain=DISTINCT,
           covers=("sort", "view", "_gather_along", "_quantile_lerp", "_quantile_squeeze_", "_quantile_unsqueeze_",
                   "_quantile_transpose_")),
    OpCase("quantile_modes", lambda lib, x: tuple(x.quantile(0.4, dim=-1, interpolation=m)
                                                  for m in ("lower", "higher", "midpoint", "nearest")),
           NONEMPTY, domain=DISTINCT, covers=("sort", "view", "_gather_along", "_quantile_lerp", "_quantile_squeeze_")),
    OpCase("quantile_ties", lambda lib, x: x.quantile(0.5), NONEMPTY, domain=TIES,
           covers=("sort", "view", "_gather_along", "_quantile_lerp", "_quantile_squeeze_")),
    OpCase("nanquantile", lambda lib, x: (x.nanquantile(0.6), x.nanquantile(0.25, dim=-1)), NONEMPTY, domain=WITH_NAN,
           covers=("sort", "view", "_gather_along", "_quantile_lerp", "_quantile_squeeze_")),
    # scans
    OpCase("cumsum", lambda lib, x: x.cumsum(-1)),
    OpCase("cumsum_dim0", lambda lib, x: lib.cumsum(x, 0, dtype=lib.float64), covers=("cumsum",)),
    OpCase("cumsum_int", lambda lib, x: ((x > 0).cumsum(0), (x * 3).long().cumsum(-1)), grad=False,
           covers=("cumsum", "gt", "mul", "_to_copy")),
    OpCase("cumprod", lambda lib, x: x.cumprod(-1)),
    OpCase("cumprod_zeros", lambda lib, x: x.cumprod(0), domain=ZEROS, covers=("cumprod",),
           notes="one zero, several zeros: torch's exact formula"),
    OpCase("cumprod_zeros_dim", lambda lib, x: x.cumprod(-1), fixed(((3, 5),), ((2, 3, 4),), ((6,),)),
           domain=ZEROS, covers=("cumprod",)),
    OpCase("cummax", lambda lib, x: x.cummax(-1), domain=DISTINCT, covers=("cummax", "_scatter_add_along",
                                                                         "_gather_along")),
    OpCase("cummax_ties", lambda lib, x: x.cummax(0), domain=TIES, covers=("cummax", "_scatter_add_along",
                                                                      "_gather_along")),
    OpCase("cummin", lambda lib, x: lib.cummin(x, 0), domain=TIES, covers=("cummin", "_scatter_add_along",
                                                                      "_gather_along")),
    OpCase("cummax_nan", lambda lib, x: (x.cummax(-1), x.cummin(-1)), domain=WITH_NAN, grad=False,
           covers=("cummax", "cummin")),
    OpCase("logcumsumexp", lambda lib, x: x.logcumsumexp(-1) * 1.5, NONEMPTY, domain=lambda rng, s: rng.uniform(-5, 5, s),
           notes="non-empty: torch's forward AD of an empty logcumsumexp raises", covers=("logcumsumexp", "mul", "_gather_along", "_scatter_add_along")),
    OpCase("logcumsumexp_empty", lambda lib, x: x.logcumsumexp(-1), fixed(((0,),), ((2, 0),), ((0, 3),)), grad=False,
           covers=("logcumsumexp",)),
    OpCase("logcumsumexp_inf", lambda lib, x: x.logcumsumexp(0), NONEMPTY, domain=WITH_NEG_INF, grad=False,
           covers=("logcumsumexp",)),
]

# Finite differences can't check ties, NaN or inf, nor the NaN of a mean or median of nothing
# or a variance of one element, nor a sum through float32 (tests/test_gradcheck.py).
_NO_GRADCHECK = {"sum_dtype", "mean", "mean_dim", "mean_dtype", "var", "var_dim", "var_unbiased", "std",
                 "std_const", "var_mean", "var_mean_all", "std_mean", "std_mean_all", "norm_0", "median"}
for _c in CASES:
    if _c.domain in (TIES, WITH_NAN, WITH_NEG_INF, ZEROS) and _c.name not in ("prod_zeros", "prod_dim_zeros",
                                                                            "cumprod_zeros", "cumprod_zeros_dim"):
        _c.gradcheck = False
    if _c.name in _NO_GRADCHECK:
        _c.gradcheck = False
