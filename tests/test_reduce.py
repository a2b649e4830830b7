"""Reductions, selections and scans beyond what OpCases express: node names and graph chains,
torch.return_types behaviour and reprs, errors and warnings, tie rules, zeros in products.
torch is the oracle throughout (each test runs the same code on both libraries)."""
import pickle
import warnings

import numpy as np
import pytest

import retrograd
from oracle import torch, assert_close, raises_same

X = [[1., 3., 2.], [0., 5., 4.]]
TIES = [[3., 1., 1., 3.], [2., 2., 0., 5.]]
NAN = float("nan")
INF = float("inf")


def pair(data, dtype="float64", requires_grad=True):
    return [lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=requires_grad) for lib in (retrograd, torch)]


def chain(t):
    """The grad_fn names of a result's graph, depth first."""
    out, stack = [], [(t.grad_fn, 0)]
    while stack:
        n, d = stack.pop()
        if n is None:
            continue
        out.append("  " * d + type(n).__name__)
        stack.extend((m, d + 1) for m, _ in reversed(n.next_functions))
    return out


EXPRS = [
    "x.sum()", "x.sum(0)", "x.sum((0, 1))", "x.sum(dtype=lib.float32)", "x.mean()", "x.mean(1, True)",
    "x.mean(dtype=lib.float32)", "x.prod()", "x.prod(1)", "x.prod(dtype=lib.float32)", "x.max()", "x.max(0).values",
    "x.min()", "x.min(1).indices", "lib.max(x, x * 2)", "x.amax()", "x.amin(0)", "x.aminmax()", "x.aminmax(dim=1)",
    "x.var()", "x.var(0)", "x.std(1, keepdim=True)", "lib.var_mean(x, 0)", "lib.std_mean(x)", "x.norm()",
    "x.norm(1)", "x.norm(float('inf'), dim=0)", "x.norm('nuc')", "lib.norm(x, 'nuc', (1, 0), True)", "lib.norm(x, 3, 1)", "x.float().norm(dtype=lib.float64)",
    "x.logsumexp(1)", "x.nansum()", "x.nanmean(0)", "x.cumsum(0)", "x.cumprod(1)", "x.cummax(1)", "x.cummin(0)",
    "x.logcumsumexp(1)", "x.sort()", "x.sort(0, descending=True).values", "x.msort()", "x.topk(2)",
    "x.kthvalue(2, 0)", "x.median()", "x.median(1)", "x.nanmedian()", "x.nanmedian(0)", "x.mode(1)",
    "x.quantile(0.3)", "x.quantile(0.3, dim=0)", "x.quantile(0.3, dim=1, keepdim=True)",
    "x.quantile(lib.tensor([0.2, 0.9], dtype=x.dtype), dim=1)", "x.quantile(0.5, interpolation='lower')",
    "x.nanquantile(0.5, dim=0, keepdim=True)", "x.argmax()", "x.argsort()", "x.all()", "x.count_nonzero(0)",
]


@pytest.mark.parametrize("expr", EXPRS)
def test_graph_and_values_match_torch(expr):
    xr, xt = pair(X)
    ours, theirs = eval(expr, {"x": xr, "lib": retrograd}), eval(expr, {"x": xt, "lib": torch})
    assert_close(ours, theirs, rtol=1e-7, atol=1e-9)
    outs = zip(ours, theirs) if isinstance(theirs, tuple) else [(ours, theirs)]
    for o, t in outs:
        if t.grad_fn is not None:
            assert chain(o) == chain(t)
        else:
            assert o.grad_fn is None


@pytest.mark.parametrize("expr", ["x.max(0)", "x.min(1, keepdim=True)", "x.sort()", "x.topk(2)", "x.kthvalue(1)",
                                  "x.median(0)", "x.nanmedian(1)", "x.mode(0)", "x.cummax(1)", "x.cummin(0)",
                                  "x.aminmax()", "x.aminmax(dim=0)", "x.detach().max(1)", "s.max(0)"])
def test_return_type_repr(expr):
    (xr, xt), (sr, st) = pair(X), pair(2.5)
    ours, theirs = eval(expr, {"x": xr, "s": sr}), eval(expr, {"x": xt, "s": st})
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert type(ours).__name__ == type(theirs).__name__


def test_return_type_behaves_as_torch():
    for lib in (retrograd, torch):
        x = lib.tensor(X)
        r = x.max(1)
        values, indices = r
        assert isinstance(r, tuple) and len(r) == 2 and r.n_fields == 2 and r.n_sequence_fields == 2
        assert r.n_unnamed_fields == 0
        assert r[0] is r.values is values and r[-1] is r.indices is indices
        assert type(r[0:1]) is tuple and type(r + (1,)) is tuple
        with pytest.raises(AttributeError, match="readonly attribute"):
            r.values = None
        T = type(r)
        assert repr(T((1, 2))) == "torch.return_types.max(\nvalues=1,\nindices=2)"
        assert T([1, 2]) == (1, 2)
        assert repr(type(x.aminmax())((1, 2))) == "torch.return_types.aminmax(\nmin=1,\nmax=2)"
        back = pickle.loads(pickle.dumps(r))
        assert type(back) is T and back.values.tolist() == r.values.tolist()
    for args in [((1, 2, 3),), ((1,),), (1, 2), ()]:
        raises_same(lambda lib, a: type(lib.tensor(X).max(1))(*a), args)


def test_return_types_module_lists_torch_names():
    ours = {t.__name__: t._fields for t in retrograd.return_types.all_return_types}
    for t in torch.return_types.all_return_types:
        if not t.__name__.startswith("_") and not t.__name__.endswith("_out"):
            r = t(tuple(range(t.n_fields)))
            assert repr(getattr(retrograd.return_types, t.__name__)(tuple(range(t.n_fields)))) == repr(r)
            assert len(ours[t.__name__]) == t.n_fields


ERRORS = [
    ("s.sum(1)", None), ("x.sum((0, 0))", None), ("x.sum((1, 0, 1))", None), ("x.sum(2)", None),
    ("i.mean()", None), ("x.mean(dtype=lib.int64)", None), ("e.max()", None), ("e03.max(0)", None),
    ("e03.max(-2)", None), ("e03.amax(-2)", None), ("e.amax()", None), ("z23.amax((0, -1))", None),
    ("z23.amax((-1, 0))", None), ("x1.amax((0, -1))", None), ("e.argmax()", None), ("e03.argmax(0)", None),
    ("b.argmax()", None), ("e.aminmax()", None), ("e03.aminmax(dim=0)", None), ("e03.min(0)", None),
    ("i.var()", None), ("i.std(0)", None), ("i.norm()", None), ("e03.norm(float('inf'))", None),
    ("e03.norm(float('inf'), dim=0)", None), ("e03.norm(-float('inf'))", None), ("x.logsumexp(())", None),
    ("i.nanmean()", None), ("x.topk(4)", None), ("x.topk(-1)", None), ("e.topk(1)", None), ("b.topk(1)", None),
    ("x.kthvalue(4)", None), ("x.kthvalue(0)", None), ("s.kthvalue(2)", None), ("e03.kthvalue(1, 0)", None),
    ("e03.median(0)", None), ("e.mode()", None), ("b.median()", None), ("x.quantile(1.5)", None),
    ("x.quantile(lib.tensor([1.5]))", None), ("x.double().quantile(lib.tensor([0.1]))", None),
    ("x.quantile(lib.tensor([[0.1]]))", None), ("x.quantile(0.5, interpolation='foo')", None),
    ("i.quantile(0.5)", None), ("e.quantile(0.5)", None), ("e.nanquantile(0.5)", None),
    ("x.quantile(0.5, dim=2)", None), ("x.cummax(2)", None), ("i.logcumsumexp(0)", None),
    ("x.cumsum(2)", None), ("x.sort(2)", None), ("x.argmax((0,))", "type"), ("x.max((0,))", "type"),
    ("x.max(1.0)", "type"), ("x.amax(0.5)", None), ("x.aminmax(dim=(0, 1))", None), ("x.prod((0, 1))", "type"),
    ("x.median(dim=None)", None), ("x.norm('nuc', dim=0)", None), ("x.norm('fro', dim=(0, 1, 2))", None), ("x.double().norm(dtype=lib.float32)", None), ("x.sort(0, stable=True)", "type"),
    ("x.sort(True)", "type"),
]


@pytest.mark.parametrize("expr, only_type", ERRORS, ids=[e for e, _ in ERRORS])
def test_errors_match_torch(expr, only_type):
    def run(lib):
        t = lambda d, dt=lib.float32: lib.tensor(d, dtype=dt)
        env = {"lib": lib, "x": t(X), "s": t(2.), "e": t([]), "e03": lib.zeros(0, 3), "z23": lib.zeros(2, 0),
               "x1": t([1., 2.]), "i": t([[1, 2], [3, 4]], lib.int64), "b": t([True, False], lib.bool)}
        return eval(expr, env)
    with pytest.raises(Exception) as theirs:
        run(torch)
    with pytest.raises(type(theirs.value)) as ours:
        run(retrograd)
    if only_type is None:
        assert str(ours.value) == str(theirs.value)
    else:
        assert str(ours.value).split(" - ")[0] == str(theirs.value).split(" - ")[0]


@pytest.mark.parametrize("expr", ["x.var()", "x.std(1)", "x.var(correction=2)", "lib.var_mean(x, 1, correction=3)",
                                  "lib.std_mean(e)"])
def test_degrees_of_freedom_warning(expr):
    msgs = []
    for lib in (retrograd, torch):
        env = {"lib": lib, "x": lib.tensor([[1., 2.]]).t(), "e": lib.tensor([])}
        if expr == "x.var()":
            env["x"] = lib.tensor([1.])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            eval(expr, env)
        msgs.append([str(m.message).split(" (Triggered internally")[0] for m in w if m.category is UserWarning])
    assert msgs[0] == msgs[1] and msgs[0]


def _grads(expr, data, create_graph=False, **kw):
    out = []
    for x in pair(data, **kw):
        lib = retrograd if isinstance(x, retrograd.Tensor) else torch
        y = eval(expr, {"x": x, "lib": lib})
        y = y[0] if isinstance(y, tuple) else y
        g, = lib.autograd.grad(y.sum() if y.ndim else y, x, create_graph=create_graph)
        if create_graph:
            w = lib.tensor(np.linspace(-1, 1, x.numel()).reshape(tuple(x.shape)), dtype=x.dtype)
            gg, = lib.autograd.grad((g * w).sum(), x, allow_unused=True)
            out.append((g, gg if gg is not None else lib.zeros_like(x)))
        else:
            out.append(g)
    return out


@pytest.mark.parametrize("expr", ["x.max()", "x.min()", "x.amax()", "x.amax(1)", "x.amin(0, True)", "x.median()",
                                  "x.nanmedian()", "x.aminmax()[1]", "x.aminmax(dim=1)[0]", "x.norm(float('inf'))",
                                  "x.max(1).values", "x.min(0).values", "x.cummax(1).values", "x.cummin(1).values",
                                  "x.sort(dim=1, stable=True).values * lib.arange(4.)",
                                  "x.sort(dim=0, descending=True, stable=True).values * lib.arange(2.).unsqueeze(1)",
                                  "x.mode(1).values", "x.quantile(0.5)", "x.quantile(0.25, dim=1)"])
def test_tie_rules_match_torch(expr):
    ours, theirs = _grads(expr, TIES)
    assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_nan_rules_match_torch():
    for expr in ["x.max()", "x.amax(1)", "x.median()", "x.nanmedian()", "x.nansum()", "x.nanmean()",
                 "x.max(1).values", "x.median(1).values", "x.nanmedian(1).values", "x.sort(1).values",
                 "x.cummax(1).values", "x.norm(float('inf'))", "x.logsumexp(1)"]:
        ours, theirs = _grads(expr, [[1., NAN, 3., 2.], [NAN, NAN, 0., 1.]])
        assert_close(ours, theirs, rtol=1e-12, atol=1e-12, what=expr)


ZERO_DATA = [[[0., 2., 3., 4.], [1., 0., 3., 0.5]], [[0., 0., 2., 1.], [1.5, 2., 3., 0.5]]]


@pytest.mark.parametrize("expr", ["x.prod()", "x.prod(-1)", "x.prod(0, keepdim=True)", "x.prod(1)",
                                  "x.cumprod(-1)", "x.cumprod(0)", "x.cumprod(1)"])
def test_zeros_in_products_exact_to_second_order(expr):
    (g_r, gg_r), (g_t, gg_t) = _grads(expr, ZERO_DATA, create_graph=True)
    assert_close([g_r, gg_r], [g_t, gg_t], rtol=1e-12, atol=1e-12)
    assert_close(_grads(expr, ZERO_DATA)[0], g_t, rtol=1e-12, atol=1e-12)     # the array path agrees


def test_norm_gradient_at_zero_and_p0():
    for p in ["2", "1", "3", "0.5", "1.5", "-1", "float('inf')", "-float('inf')"]:
        ours, theirs = _grads(f"x.norm({p})", [0., 0., 0.])
        assert_close(ours, theirs, rtol=0, atol=0, what=str(p))
    for lib in (retrograd, torch):
        x = lib.tensor([0., 2., 1.], requires_grad=True)
        assert lib.autograd.grad(x.norm(0), x, allow_unused=True) == (None,)


def test_saved_values_match_torch():
    xr, xt = pair(X)
    for expr, names in [("x.sum()", ["self_sym_sizes"]), ("x.sum(0)", ["dim", "keepdim", "self_sym_sizes"]),
                        ("x.max(0).values", ["dim", "keepdim", "self_sym_sizes"]), ("x.prod(1)", ["dim", "keepdim"]),
                        ("x.var(0)", ["correction", "dim", "keepdim"]), ("x.norm(3, dim=1)", ["dim", "keepdim", "ord"]),
                        ("x.sort(1).values", ["dim", "self_sym_sizes"]), ("x.topk(2, dim=0).values", ["dim"]),
                        ("x.cumsum(1)", ["dim"]), ("x.logsumexp((0, 1))", ["dim", "keepdim"])]:
        fo, ft = eval(expr, {"x": xr}).grad_fn, eval(expr, {"x": xt}).grad_fn
        for n in names:
            assert getattr(fo, "_saved_" + n) == getattr(ft, "_saved_" + n), (expr, n)
    for expr, names in [("x.max()", ["self", "result"]), ("x.prod(1)", ["self", "result"]),
                        ("x.max(0).values", ["indices"]), ("lib.std_mean(x)[0]", ["self", "result0"])]:
        fo = eval(expr, {"x": xr, "lib": retrograd}).grad_fn
        ft = eval(expr, {"x": xt, "lib": torch}).grad_fn
        for n in names:
            assert_close(getattr(fo, "_saved_" + n), getattr(ft, "_saved_" + n), 0, 0, what=f"{expr} {n}")


def test_dtypes_match_torch():
    for expr in ["i.sum()", "i32.sum()", "b.sum()", "b.sum(0)", "i32.sum(0, dtype=lib.int32)", "i.prod()",
                 "b.prod()", "i.sum(dtype=lib.float32)", "i.mean(dtype=lib.float64)", "i32.cumsum(0)", "b.cumsum(0)",
                 "i32.cumprod(0)", "i.argmax()", "i32.argmin(0, keepdim=True)", "u8.all()", "u8.any(0)", "i.all()",
                 "i32.count_nonzero()", "i.logsumexp(0)", "i.nansum()", "i.max()", "i.amax(0)", "i.sort()",
                 "i.median()", "i.mode()", "i.cummax(0)", "b.max()", "b.max(0)", "b.amax()", "b.sort()", "x.all(())"]:
        res = []
        for lib in (retrograd, torch):
            env = {"lib": lib, "i": lib.tensor([[3, 1], [2, 2]]), "i32": lib.tensor([3, 1, 2], dtype=lib.int32),
                   "b": lib.tensor([True, False]), "u8": lib.tensor([[1, 2], [0, 3]], dtype=lib.uint8),
                   "x": lib.tensor(X)}
            res.append(eval(expr, env))
        assert_close(res[0], res[1], 0, 0, what=expr)


def test_special_values_match_torch():
    for data, expr in [([-INF, -INF], "x.logsumexp(0)"), ([INF, 1.], "x.logsumexp(0)"), ([INF, -INF], "x.logsumexp(0)"),
                       ([], "x.logsumexp(0)"), ([-INF, 0., -INF], "x.logcumsumexp(0)"), ([INF, 0., -INF], "x.logcumsumexp(0)"),
                       ([1., NAN, 3., NAN], "x.sort(descending=True)"), ([1., NAN, 3., NAN], "x.topk(3)"),
([1., NAN, 3., NAN], "x.kthvalue(4)"),
                       ([1., NAN, 3., NAN], "x.median(0)"), ([NAN, NAN], "x.nanmedian(0)"), ([NAN, 1., NAN, .5], "x.cummax(0)"),
                       ([1., NAN, .5], "x.cummin(0)"), ([1., NAN, 3.], "x.argmax()"), ([1., NAN, 3.], "x.max(0)"),
                       ([3., 1., 2., 2., 1.], "x.mode()"), ([1., 1., 2., 2., 2., 3.], "x.mode()"), ([], "x.var()"),
                       ([], "x.median()"), ([], "x.mean()"), ([], "x.prod()"), ([], "x.norm()"), ([2.], "x.std()"),
                       ([1., 2.], "x.var(correction=2)"), ([[NAN, 1., 2.], [NAN] * 3], "x.nanquantile(0.5, dim=1)"),
                       ([[NAN, 1., 2.], [NAN] * 3], "x.quantile(0.5, dim=1)"), ([2., 0., 1.], "x.norm(-1)")]:
        res = []
        for lib in (retrograd, torch):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res.append(eval(expr, {"x": lib.tensor(data)}))
        assert_close(res[0], res[1], 0, 0, what=f"{expr} on {data}")


def test_forward_ad_of_selections():
    vals = {}
    for lib in (retrograd, torch):
        fw = lib.autograd.forward_ad
        x = lib.tensor(TIES, dtype=lib.float64)
        t = lib.tensor(np.arange(8.).reshape(2, 4), dtype=lib.float64)
        with fw.dual_level():
            d = fw.make_dual(x, t)
            outs = [d.max(), d.amax(1), d.max(1).values, d.sort(dim=1, stable=True).values, d.cummax(1).values,
                    d.median(), d.prod(1), d.cumprod(1), d.norm(float("inf"), dim=1), d.quantile(0.3)]
            vals[lib] = [fw.unpack_dual(o).tangent for o in outs]
    assert_close(vals[retrograd], vals[torch], rtol=1e-12, atol=1e-12)
