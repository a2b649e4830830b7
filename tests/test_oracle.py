"""The oracle suite: every op in the registry against torch 2.13, on hypothesis-drawn
shapes (0-d, empty, broadcasting) and values: forward, VJP, second derivatives, JVP."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import retrograd
from retrograd.ops.registry import OPS
from opinfo import all_cases
from oracle import torch, assert_close, TOL

CASES = all_cases()


def test_every_registered_op_has_a_case():
    covered = {op for c in CASES for op in c.covers}
    missing = sorted(set(OPS) - covered)
    assert not missing, f"registered ops without an OpCase in tests/opinfo: {missing}"
    unknown = sorted(covered - set(OPS))
    assert not unknown, f"OpCases cover ops that are not registered: {unknown}"


def _float_outputs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if hasattr(o, "requires_grad") and o.requires_grad]


def _run_case(case, shapes, seed, dtype):
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(dom(rng, s), dtype=np.float64) for dom, s in zip(case.domains(len(shapes)), shapes)]
    tol = dict(TOL[dtype])
    if case.rtol is not None:
        tol["rtol"] = case.rtol
    if case.atol is not None:
        tol["atol"] = case.atol
    libs = {}
    for name, lib in (("retrograd", retrograd), ("torch", torch)):
        ins = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=(case.grad and i not in case.nograd))
               for i, a in enumerate(arrays)]
        try:
            out = case.fn(lib, *ins)
            err = None
        except Exception as e:       # torch raising is part of the behaviour to match
            out, err = None, e
        libs[name] = (ins, out, err)
    (ins_r, out_r, err_r), (ins_t, out_t, err_t) = libs["retrograd"], libs["torch"]
    if err_t is not None:
        assert err_r is not None, f"torch raised {type(err_t).__name__}: {err_t}; retrograd did not"
        assert type(err_r) is type(err_t), f"retrograd raised {type(err_r).__name__}: {err_r}; torch {type(err_t).__name__}: {err_t}"
        return
    if err_r is not None:
        raise err_r
    assert_close(out_r, out_t, what=f"forward {shapes}", **tol)
    if not case.grad:
        return
    diff_t = _float_outputs(out_t)
    diff_r = _float_outputs(out_r)
    assert len(diff_r) == len(diff_t), "different outputs require grad"
    if not diff_t:
        return
    req_t = [x for i, x in enumerate(ins_t) if i not in case.nograd]
    req_r = [x for i, x in enumerate(ins_r) if i not in case.nograd]
    vs = [rng.uniform(-1, 1, tuple(o.shape)) for o in diff_t]
    v_t = [torch.tensor(v, dtype=o.dtype, requires_grad=True) for v, o in zip(vs, diff_t)]
    v_r = [retrograd.tensor(v, dtype=o.dtype, requires_grad=True) for v, o in zip(vs, diff_r)]
    g_t = torch.autograd.grad(diff_t, req_t, v_t, allow_unused=True, create_graph=case.grad2)
    g_r = retrograd.autograd.grad(diff_r, req_r, v_r, allow_unused=True, create_graph=case.grad2)
    assert_close(list(g_r), list(g_t), what=f"vjp {shapes}", **tol)
    if not case.grad2:
        return
    ws = [rng.uniform(-1, 1, tuple(g.shape)) if g is not None else None for g in g_t]
    # A first-order gradient may be a constant in one library and a (zero) function in the
    # other (torch returns plain zeros for x ** 0): compare second-order values only.
    gg_t = _second(torch, g_t, ws, req_t + v_t)
    gg_r = _second(retrograd, g_r, ws, req_r + v_r)
    assert_close(gg_r, gg_t, what=f"second order {shapes}", **tol)


def _second(lib, gs, ws, wrt):
    terms = [(g * lib.tensor(w, dtype=g.dtype)).sum() for g, w in zip(gs, ws) if g is not None]
    s = sum(terms)
    if not terms or not s.requires_grad:
        return [lib.zeros_like(x) for x in wrt]
    out = lib.autograd.grad(s, wrt, allow_unused=True)
    return [g if g is not None else lib.zeros_like(x) for g, x in zip(out, wrt)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_op_against_torch(case, dtype):
    if dtype not in case.dtypes:
        pytest.skip(f"{case.name} is not checked in {dtype}")

    @settings(max_examples=case.examples if dtype == "float64" else max(3, case.examples // 3),
              deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(shapes=case.shapes, seed=st.integers(0, 2 ** 32 - 1))
    def check(shapes, seed):
        _run_case(case, shapes, seed, dtype)

    check()


# ---------------------------------------------------------------- forward mode (JVP rules)

def test_every_differentiable_op_has_a_jvp_rule_and_case():
    no_rule = sorted(n for n, op in OPS.items() if op.differentiable and op.jvp is None)
    assert not no_rule, f"differentiable ops without a JVP rule (defop(..., jvp=...)): {no_rule}"
    covered = {op for c in CASES if c.jvp for op in c.covers}
    missing = sorted(n for n, op in OPS.items() if op.differentiable and n not in covered)
    assert not missing, f"differentiable ops without a forward-AD OpCase (jvp=True) in tests/opinfo: {missing}"


def _no_forward_ad(err):
    """torch's error for an op it has no forward-mode formula for."""
    return isinstance(err, NotImplementedError) and str(err).startswith("Trying to use forward AD with")


def _jvp_by_reverse_mode(case, arrays, tangents):
    """J t from torch's reverse mode, one backward per output element: the oracle for the JVP
    rules of ops torch differentiates only backward (pdist, embedding_bag, ...)."""
    ins = [torch.tensor(a, dtype=torch.float64, requires_grad=i not in case.nograd) for i, a in enumerate(arrays)]
    req = [(x, torch.tensor(t)) for i, (x, t) in enumerate(zip(ins, tangents)) if i not in case.nograd]
    out = case.fn(torch, *ins)
    result = []
    for o in (out if isinstance(out, (tuple, list)) else (out,)):
        if not o.dtype.is_floating_point:
            result.append(None)
            continue
        jt = torch.zeros(o.numel(), dtype=o.dtype)
        for k in range(o.numel() if o.requires_grad else 0):
            gs = torch.autograd.grad(o.reshape(-1)[k], [x for x, _ in req], retain_graph=True, allow_unused=True)
            jt[k] = sum(float((g * t).sum()) for g, (_, t) in zip(gs, req) if g is not None)
        result.append(jt.reshape(o.shape))
    return result


def _run_jvp_case(case, shapes, seed):
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(dom(rng, s), dtype=np.float64) for dom, s in zip(case.domains(len(shapes)), shapes)]
    tangents = [rng.uniform(-1, 1, a.shape) for a in arrays]
    res = {}
    for name, lib in (("retrograd", retrograd), ("torch", torch)):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            ins = [lib.tensor(a, dtype=lib.float64) for a in arrays]
            ins = [x if i in case.nograd else fw.make_dual(x, lib.tensor(t, dtype=lib.float64))
                   for i, (x, t) in enumerate(zip(ins, tangents))]
            try:
                out = case.fn(lib, *ins)
            except Exception as e:
                res[name] = e
                continue
            outs = out if isinstance(out, (tuple, list)) else (out,)
            res[name] = [fw.unpack_dual(o).tangent if hasattr(o, "dtype") and o.dtype.is_floating_point
                         else None for o in outs]
    ours, outs_t = res["retrograd"], res["torch"]
    if isinstance(outs_t, Exception):
        if _no_forward_ad(outs_t) and not isinstance(ours, Exception):
            outs_t = _jvp_by_reverse_mode(case, arrays, tangents)      # a rule torch lacks
        else:
            assert isinstance(ours, Exception), f"torch raised {outs_t!r}; retrograd did not"
            assert type(ours) is type(outs_t), f"retrograd raised {ours!r}; torch {outs_t!r}"
            if _no_forward_ad(outs_t):
                assert str(ours) == str(outs_t)
            return
    if isinstance(ours, Exception):
        raise ours
    if any(t is None and o is not None for o, t in zip(ours, outs_t)):
        # torch left a tangent undefined (zeros, as for scatter_reduce's prod) where retrograd has
        # one: the oracle is then torch's reverse mode
        outs_t = _jvp_by_reverse_mode(case, arrays, tangents)
    # an undefined tangent (None) means zeros: torch leaves some undefined where retrograd may
    # give zeros, or the other way round
    assert len(ours) == len(outs_t)
    ours = [o if o is not None or t is None else retrograd.zeros(tuple(t.shape), dtype=retrograd.float64)
            for o, t in zip(ours, outs_t)]
    theirs = [t if t is not None or o is None else torch.zeros(tuple(o.shape), dtype=torch.float64)
              for o, t in zip(ours, outs_t)]
    assert_close(ours, theirs, what=f"jvp {shapes}", **TOL["float64"])


JVP_CASES = [c for c in CASES if c.jvp]


@pytest.mark.parametrize("case", JVP_CASES, ids=[c.name for c in JVP_CASES])
def test_op_jvp_against_torch(case):
    @settings(max_examples=max(3, case.examples // 2), deadline=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(shapes=case.shapes, seed=st.integers(0, 2 ** 32 - 1))
    def check(shapes, seed):
        _run_jvp_case(case, shapes, seed)

    check()
