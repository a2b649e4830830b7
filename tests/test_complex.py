"""Complex autograd against torch: values, VJPs with complex cotangents, second derivatives,
forward-mode JVPs and node names, for holomorphic ops (mul, exp, mm), non-holomorphic ones
(abs, angle, conj, real, imag, sgn) and complex <-> real ones (complex, polar, view_as_real,
var, norm); and every registered op either is verified here or refuses complex inputs that
require grad (Note [Complex autograd] in retrograd/ops/complex_grad.py)."""
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import retrograd
from retrograd.ops.registry import OPS
from retrograd.ops import complex_grad
from oracle import torch, assert_close

TOL = {"complex128": dict(rtol=1e-7, atol=1e-9), "complex64": dict(rtol=2e-4, atol=2e-5)}
REAL = {"complex128": "float64", "complex64": "float32"}


@dataclass
class Case:
    name: str
    fn: Callable[..., Any]
    shapes: tuple = ((3,),)         # one shape per input
    kinds: str = ""                 # per input: "c" complex (default) or "r" real
    covers: tuple = ()              # registry ops it checks for complex (default: (name,))
    grad2: bool = True              # compare second derivatives
    jvp: bool = True                # compare forward-mode tangents
    positive: bool = False          # real inputs in (0.5, 2) (norms of real parts, ...)

    def __post_init__(self):
        self.covers = self.covers or (self.name,)
        self.kinds = self.kinds or "c" * len(self.shapes)


def _mat(lib, x, n=3):
    return x.reshape(n, -1)


CASES = [
    # ---- holomorphic: the gradient is grad * conj(f'(z))
    Case("add", lambda lib, x, y: (x + y, x + 2j, x.add(y, alpha=1 - 2j)), ((3,), (2, 3))),
    Case("sub", lambda lib, x, y: (x - y, x.sub(y, alpha=2j)), ((3,), (3,))),
    Case("rsub", lambda lib, x, y: (2j - x, lib.rsub(x, y, alpha=1 + 1j)), ((3,), (3,)),
         covers=("rsub_scalar", "rsub_tensor")),
    Case("mul", lambda lib, x, y: (x * y, x * (2 - 1j), 3 * y), ((2, 3), (3,))),
    Case("div", lambda lib, x, y: (x / y, x / (1 + 2j), 2j / y), ((3,), (3,)),
         covers=("div", "reciprocal", "mul")),
    Case("neg", lambda lib, x: -x),
    Case("pow_scalar", lambda lib, x: (x ** 2, x ** 2.5, x ** (1 - 1j), x ** 0), covers=("pow_scalar",)),
    Case("pow_tensor", lambda lib, x, y: x ** y, ((3,), (3,))),
    Case("pow_scalar_base", lambda lib, x: (2 ** x, (-2.0) ** x, (1 + 1j) ** x)),
    Case("exp", lambda lib, x: (x.exp(), x.exp2(), x.expm1()), covers=("exp", "exp2", "expm1")),
    Case("log", lambda lib, x: (x.log(), x.log2(), x.log10(), x.log1p()), covers=("log", "log2", "log10", "log1p")),
    Case("trig", lambda lib, x: (x.sin(), x.cos(), x.tan()), covers=("sin", "cos", "tan")),
    Case("atrig", lambda lib, x: (x.asin(), x.acos(), x.atan()), covers=("asin", "acos", "atan")),
    Case("hyp", lambda lib, x: (x.sinh(), x.cosh(), x.tanh()), covers=("sinh", "cosh", "tanh", "tanh_backward")),
    Case("ahyp", lambda lib, x: (x.asinh(), x.acosh(), x.atanh()), covers=("asinh", "acosh", "atanh")),
    Case("sqrt", lambda lib, x: (x.sqrt(), x.rsqrt(), x.reciprocal()), covers=("sqrt", "rsqrt", "reciprocal")),
    Case("sigmoid", lambda lib, x: x.sigmoid(), covers=("sigmoid", "sigmoid_backward")),
    Case("inplace", lambda lib, x, y: ((x * 1).mul_(y).add_(x, alpha=2j).exp_() * 1).div_(y).sub_(x), ((3,), (3,)),
         covers=("mul", "add", "exp", "div", "sub")),
    Case("prod", lambda lib, x: (x.prod(), x.prod(1), x.cumprod(0)), ((2, 3),),
         covers=("prod", "prod_dim", "cumprod", "_gather_along", "_scatter_add_along")),
    Case("dot", lambda lib, x, y: (lib.dot(x, y), lib.vdot(x, y)), ((3,), (3,)), covers=("dot", "vdot")),
    Case("mm", lambda lib, x, y: (x @ y, x.mm(y), y.t() @ x[0], x[0] @ y), ((2, 3), (3, 2)),
         covers=("mm", "mv", "select", "_squeeze_inplace")),
    Case("bmm", lambda lib, x, y: (x @ y, lib.bmm(x, y)), ((2, 2, 3), (2, 3, 2)), covers=("bmm", "_reshape_alias")),
    Case("einsum", lambda lib, x, y: (lib.einsum("ij,jk->ik", x, y), lib.einsum("ij,ij->", x, x)),
         ((2, 3), (3, 2)), covers=("bmm",)),
    Case("addmm", lambda lib, s, a, b: (lib.addmm(s, a, b), lib.addmm(s, a, b, beta=1j, alpha=2 - 1j)),
         ((2, 2), (2, 3), (3, 2))),
    Case("addmv", lambda lib, s, a, v: lib.addmv(s, a, v, beta=2j, alpha=1 + 1j), ((2,), (2, 3), (3,))),
    Case("addr", lambda lib, s, a, b: lib.addr(s, a, b, alpha=1j), ((2, 3), (2,), (3,))),
    Case("baddbmm", lambda lib, s, a, b: (lib.baddbmm(s, a, b, alpha=1j), lib.addbmm(s[0], a, b, beta=2j)),
         ((2, 2, 2), (2, 2, 3), (2, 3, 2)), covers=("baddbmm", "addbmm", "select")),
    Case("cross", lambda lib, x, y: lib.linalg.cross(x, y), ((2, 3), (2, 3)), covers=("linalg_cross",)),
    Case("outer", lambda lib, x, y: lib.outer(x, y), ((3,), (2,)), covers=("mul",)),
    Case("linalg", lambda lib, a, b: (lib.linalg.inv(a), lib.linalg.det(a), lib.linalg.slogdet(a),
                                      lib.linalg.solve(a, b), lib.linalg.solve(a, b[:, 0]), a.logdet()),
         ((3, 3), (3, 2)), covers=("linalg_inv_ex", "_linalg_det", "_linalg_slogdet", "_linalg_solve_ex")),
    Case("logsumexp", lambda lib, x: (lib.logsumexp(x, 1), x.logsumexp((0, 1), keepdim=True)), ((2, 3),)),
    Case("conv", lambda lib, x, w, b: (lib.nn.functional.conv1d(x, w, b), lib.nn.functional.conv1d(x, w, padding=1, stride=2)),
         ((1, 2, 5), (3, 2, 2), (3,)), covers=("convolution", "_conv_forward", "_conv_input_grad", "_conv_weight_grad")),
    Case("conv2d", lambda lib, x, w: (lib.nn.functional.conv2d(x, w, padding=1, groups=2),
                                      lib.nn.functional.conv_transpose2d(x, w, stride=2)),
         ((1, 2, 4, 4), (2, 1, 3, 3)), covers=("convolution",)),
    Case("l1_loss", lambda lib, x, y: (lib.nn.functional.l1_loss(x, y), lib.nn.functional.l1_loss(x, y, reduction="sum")),
         ((2, 3), (2, 3)), covers=("abs", "sub", "mean", "sum")),
    Case("linear", lambda lib, x, w, b: (lib.nn.functional.linear(x, w, b), lib.nn.functional.linear(x, w)),
         ((2, 3), (4, 3), (4,)), covers=("addmm", "mm", "t")),
    # ---- not holomorphic
    Case("conj", lambda lib, x, y: (x.conj() * y, lib.conj(x * y).sum(), x.conj().conj() * 2,
                                    lib.resolve_conj(x.conj()) * 1), ((3,), (3,)),
         covers=("conj", "clone")),
    Case("conj_physical", lambda lib, x: x.conj_physical() * x),
    Case("real_imag", lambda lib, x: (x.real * 2, x.imag * 3, x.real * x.imag, lib.real(x) + lib.imag(x)),
         covers=("view_as_real", "select")),
    Case("abs", lambda lib, x: (x.abs(), x.abs() ** 2, lib.abs(x).sum())),
    Case("angle", lambda lib, x: (x.angle(), lib.angle(x * 2j))),
    Case("sgn", lambda lib, x: (x.sgn(), x.sgn() * x)),
    Case("view_as_real", lambda lib, x: (lib.view_as_real(x) * 2, lib.view_as_complex(lib.view_as_real(x * 1j)) * x),
         ((2, 3),), covers=("view_as_real", "view_as_complex")),
    Case("mH", lambda lib, x: (x.mH, x.adjoint() * 2, x.H @ x, x.mT), ((2, 3),), covers=("transpose", "conj", "mm")),
    Case("complex", lambda lib, a, b: (lib.complex(a, b), lib.complex(a, b).exp(), lib.complex(a[0], b)),
         ((2, 3), (3,)), "rr", covers=("complex", "select")),
    Case("polar", lambda lib, a, b: lib.polar(a, b), ((3,), (3,)), "rr", positive=True),
    Case("mixed", lambda lib, r, z: (r * z, z / r, r + z), ((3,), (3,)), "rc", covers=("mul", "div", "add")),
    # torch's JVP keeps only the real part of d(z ** r)/dr for a real r (handle_r_to_c on the
    # tangent); retrograd's is the derivative itself (test_pow_real_exponent_jvp)
    Case("mixed_pow", lambda lib, r, z: z ** r, ((3,), (3,)), "rc", covers=("pow_tensor",), jvp=False),
    Case("where", lambda lib, x, y: lib.where(x.real > 0, x, y), ((3,), (2, 3))),
    Case("to", lambda lib, r, z: (r.to(lib.complex128 if z.dtype == lib.complex128 else lib.complex64) * z,
                                  z.to(lib.complex64).to(z.dtype)), ((3,), (3,)), "rc", covers=("_to_copy",)),
    Case("to_device", lambda lib, z: (OPS["_to_device"].fn(z, z.device, z.device) if lib is retrograd else z * 1) * z,
         covers=("_to_device",)),
    # ---- complex in, real out
    Case("var", lambda lib, x: (x.var(), x.std(1), lib.var_mean(x, 0), lib.std_mean(x, 1, correction=0)),
         ((2, 3),), covers=("var", "std", "var_mean", "std_mean")),
    Case("norm", lambda lib, x: (lib.linalg.vector_norm(x), lib.linalg.vector_norm(x, 1, 0), x.norm(3),
                                 lib.linalg.vector_norm(x, float("inf")), lib.linalg.vector_norm(x, 0.5, 1)),
         ((2, 3),), covers=("linalg_vector_norm",)),
    # ---- linear: views, reductions, indexing, joining (nothing to conjugate)
    Case("sum_mean", lambda lib, x: (x.sum(), x.sum(0), x.mean(), x.mean(1, keepdim=True), x.cumsum(1)),
         ((2, 3),), covers=("sum", "sum_dim", "mean", "mean_dim", "cumsum")),
    Case("views", lambda lib, x: (x.view(6), x.reshape(3, 2), x.t(), x.permute(1, 0), x.transpose(0, 1),
                                  x.unsqueeze(0).squeeze(), x[None].squeeze(0), x.unsqueeze(0).squeeze((0,)),
                                  x.expand(2, 2, 3), x.T.reshape(6), x.unfold(1, 2, 1), x.as_strided((2, 2), (1, 2)),
                                  lib.alias_copy(x) if hasattr(lib, "alias_copy") else x.view_as(x), x.clone()),
         ((2, 3),), covers=("view", "reshape_copy", "t", "permute", "transpose", "unsqueeze", "squeeze",
                            "squeeze_dim", "squeeze_dims", "expand", "unfold", "unfold_backward", "as_strided",
                            "as_strided_backward", "clone")),
    Case("join", lambda lib, x, y: (lib.cat([x, y]), lib.stack([x[1:], y], 1), x.split(1), x.split([1, 2], 1),
                                    x.unbind(1), x.flip(0), x.roll(1, 1), x.rot90(), x.repeat(2, 1),
                                    x.diagonal(), lib.diagonal_copy(x), lib.diag_embed(x), x.tril(), x.triu(1),
                                    x.trace(), x.diag()),
         ((3, 3), (2, 3)), covers=("cat", "stack", "split", "split_with_sizes", "unbind", "flip", "roll",
                                   "rot90", "repeat", "diagonal", "diagonal_copy", "diagonal_backward",
                                   "diag_embed", "tril", "triu", "trace")),
    Case("index", lambda lib, x, y: (x[1], x[:, 1:], x[...], x[[0, 1, 1]], x[x.real > 0], x.index_put((lib.tensor([0]),), y[0]),
                                     x.index_select(1, lib.tensor([2, 0])), x.gather(1, lib.tensor([[0], [2]])),
                                     x.take(lib.tensor([0, 4])), x.masked_select(x.imag > 0)),
         ((2, 3), (1, 3)), covers=("alias", "select", "slice", "select_backward", "slice_backward", "index", "index_put",
                                   "index_select", "gather", "take", "masked_select")),
    Case("scatter", lambda lib, x, y: (x.scatter(1, lib.tensor([[1], [0]]), y[:, :1]),
                                       x.scatter(1, lib.tensor([[1], [0]]), 2.0), x.scatter_add(1, lib.tensor([[1, 1]]), y[:1, :2]),
                                       x.index_add(0, lib.tensor([1]), y[:1]), x.index_fill(1, lib.tensor([0]), 1j),
                                       x.index_fill(1, lib.tensor([0]), lib.tensor(2j, dtype=x.dtype)),
                                       x.index_copy(0, lib.tensor([1]), y[:1]), x.masked_fill(x.real > 0, 2j),
                                       x.masked_fill(x.real > 0, lib.tensor(1j, dtype=x.dtype)),
                                       x.masked_scatter(x.real > 0, y), x.put(lib.tensor([1]), y[0, :1])),
         ((2, 3), (2, 3)), covers=("scatter", "scatter_value", "scatter_add", "index_add", "index_fill",
                                   "index_fill_tensor", "index_copy", "masked_fill", "masked_fill_tensor",
                                   "masked_scatter", "put")),
    Case("copy_fill", lambda lib, x, y: ((x * 1).copy_(y), (x * 1).zero_() + x, (x * 1).fill_(2j) + x,
                                         (x * 1).fill_(y[0]) * x), ((3,), (3,)),
         covers=("copy", "zero", "fill_scalar", "fill_tensor", "mul")),
    Case("pad", lambda lib, x: tuple(lib.nn.functional.pad(v, p, mode=m) for m in ("reflect", "replicate", "circular")
                                     for v, p in ((x[0], (1, 2)), (x, (1, 0, 1, 1)), (x[None], (1, 1, 0, 1, 1, 0)))) +
                               (lib.nn.functional.pad(x, (1, 2, 0, 1), value=2.0),),
         ((1, 2, 3, 4),), covers=tuple(f"{m}_pad{k}d{b}" for m in ("reflection", "replication") for k in (1, 2, 3)
                                       for b in ("", "_backward")) + ("_pad_circular", "_pad_circular_backward",
                                                                       "constant_pad_nd")),
    Case("fold", lambda lib, x: (lib.nn.functional.unfold(x, 2), lib.nn.functional.fold(lib.nn.functional.unfold(x, 2), (4, 4), 2),
                                 lib.nn.functional.pixel_shuffle(x.repeat(1, 2, 1, 1), 2), lib.nn.functional.pixel_unshuffle(x, 2)),
         ((1, 2, 4, 4),), covers=("im2col", "col2im", "pixel_shuffle", "pixel_unshuffle")),
    Case("view_inplace", lambda lib, x, y: _view_inplace(x, y), ((2, 3), (3,)), covers=("select", "mul", "copy")),
]


def _view_inplace(x, y):
    """In place through a view and through .real (a true view of the real parts, as in torch)."""
    b = x * 1
    b[0].mul_(y)
    b.real.mul_(2)
    return b


def _draw(case, rng, dtype):
    arrays = []
    for shape, kind in zip(case.shapes, case.kinds):
        if kind == "r" and case.positive:
            arrays.append(rng.uniform(0.5, 2, shape))
        elif kind == "r":
            arrays.append(rng.uniform(-2, 2, shape))
        else:
            arrays.append(rng.uniform(-1.5, 1.5, shape) + 1j * rng.uniform(-1.5, 1.5, shape))
    return arrays


def _inputs(lib, case, arrays, dtype, requires_grad=True):
    return [lib.tensor(a, dtype=getattr(lib, dtype if k == "c" else REAL[dtype]), requires_grad=requires_grad)
            for a, k in zip(arrays, case.kinds)]


def _outputs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    flat = []
    for o in outs:
        flat.extend(o if isinstance(o, (tuple, list)) else (o,))
    return flat


def _resolved(ts):
    """torch's lazily conjugated results, materialized (retrograd's already are)."""
    return [t.resolve_conj() if isinstance(t, torch.Tensor) else t for t in ts]


def _cotangent(rng, o):
    shape = tuple(o.shape)
    v = rng.uniform(-1, 1, shape)
    return v + 1j * rng.uniform(-1, 1, shape) if o.is_complex() else v


def _vjp(lib, outs, ins, vs):
    """The VJP of cotangents `vs`, differentiable (create_graph), and the cotangent tensors."""
    pairs = [(o, lib.tensor(v, dtype=o.dtype, requires_grad=True)) for o, v in zip(outs, vs) if o.requires_grad]
    gs = lib.autograd.grad([o for o, _ in pairs], ins, [v for _, v in pairs], allow_unused=True, create_graph=True)
    return [g if g is not None else lib.zeros_like(x) for g, x in zip(gs, ins)], [v for _, v in pairs]


def _second(lib, gs, wrt, ws):
    """Gradient of Re <w, VJP> with respect to the inputs and the cotangents: second derivatives,
    and the backward of each backward formula (slice_backward, tanh_backward, ...)."""
    terms = [(g * lib.tensor(w, dtype=g.dtype)).real.sum() if g.is_complex() else (g * lib.tensor(w, dtype=g.dtype)).sum()
             for g, w in zip(gs, ws) if g.requires_grad]
    if not terms:
        return None
    out = lib.autograd.grad(sum(terms), wrt, allow_unused=True)
    return [g if g is not None else lib.zeros_like(x) for g, x in zip(out, wrt)]


@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_complex_against_torch(case, dtype):
    rng = np.random.default_rng(len(case.name))
    arrays = _draw(case, rng, dtype)
    tol = TOL[dtype]
    res = {}
    for name, lib in (("ours", retrograd), ("torch", torch)):
        ins = _inputs(lib, case, arrays, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = _outputs(case.fn(lib, *ins))
        res[name] = (ins, outs)
    (ins_r, outs_r), (ins_t, outs_t) = res["ours"], res["torch"]
    assert_close(outs_r, _resolved(outs_t), **tol, what=f"{case.name} forward")
    vs = [_cotangent(rng, o) for o in outs_t]
    (g_r, v_r), (g_t, v_t) = _vjp(retrograd, outs_r, ins_r, vs), _vjp(torch, outs_t, ins_t, vs)
    assert_close(g_r, _resolved(g_t), **tol, what=f"{case.name} VJP")
    if case.grad2 and dtype == "complex128":
        ws = [_cotangent(rng, g) for g in g_t]
        h_t = _second(torch, g_t, ins_t + v_t, ws)
        if h_t is not None:
            assert_close(_second(retrograd, g_r, ins_r + v_r, ws), _resolved(h_t), **tol, what=f"{case.name} 2nd order")
    if case.jvp and dtype == "complex128":
        tangents = [_cotangent(rng, x) for x in ins_t]
        assert_close(_jvp(retrograd, case, arrays, dtype, tangents), _jvp(torch, case, arrays, dtype, tangents),
                     **tol, what=f"{case.name} JVP")


def _jvp(lib, case, arrays, dtype, tangents):
    fw = lib.autograd.forward_ad
    with fw.dual_level(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ins = [fw.make_dual(x, lib.tensor(t, dtype=x.dtype)) for x, t in
               zip(_inputs(lib, case, arrays, dtype, False), tangents)]
        outs = _outputs(case.fn(lib, *ins))
        ts = [fw.unpack_dual(o).tangent for o in outs]
        return [t.resolve_conj() if t is not None and lib is torch else t for t in ts]


# ---------------------------------------------------------------- the examples and conventions

def test_torch_facts_example():
    got = {}
    for name, lib in (("ours", retrograd), ("torch", torch)):
        z = lib.tensor([1 + 1j], requires_grad=True)
        (z * z.conj()).real.sum().backward()
        got[name] = repr(z.grad)
    assert got["ours"] == got["torch"] == "tensor([2.+2.j])"


def test_real_loss_gradient_is_dL_dx_plus_i_dL_dy():
    # L = |z|^2 = x^2 + y^2: dL/dx + i dL/dy = 2x + 2iy = 2z; a finite-difference check, no torch
    z = retrograd.tensor([0.3 - 1.2j, 2 + 0.5j], dtype=retrograd.complex128, requires_grad=True)
    f = lambda t: float((t * t.conj()).real.sum() + (t.exp() * (1 - 2j)).real.sum())
    (z * z.conj()).real.sum().add((z.exp() * (1 - 2j)).real.sum()).backward()
    a, eps = z.detach()._data.copy(), 1e-6
    num = np.zeros_like(a)
    for k in range(a.size):
        for unit in (1, 1j):
            e = np.zeros_like(a)
            e[k] = eps * unit
            d = (f(retrograd.tensor(a + e)) - f(retrograd.tensor(a - e))) / (2 * eps)
            num[k] += d * unit
    np.testing.assert_allclose(z.grad._data, num, rtol=1e-6)


def test_saved_tensor_hooks_and_retain_graph():
    # a complex node under saved-tensor hooks, run twice (retain_graph) and read back as torch does
    got = {}
    for name, lib in (("ours", retrograd), ("torch", torch)):
        z = lib.tensor([1 + 2j, -0.5j], requires_grad=True)
        w = lib.tensor([0.5 - 1j, 2 + 0j], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
            y = (z * w).exp()
        loss = (y * (1 + 1j)).real.sum()
        loss.backward(retain_graph=True)
        saved = y.grad_fn._saved_result
        loss.backward()
        got[name] = (z.grad, w.grad, saved)
    assert_close(got["ours"], list(got["torch"]), **TOL["complex64"])


def test_pow_real_exponent_jvp():
    # d(z ** r) = r z ** (r - 1) dz + z ** r log(z) dr, against finite differences
    fw = retrograd.autograd.forward_ad
    z0, r0, dz, dr = np.array([1 + 1j, -1 + 0.5j]), np.array([0.5, 2.0]), np.array([0.3 - 1j, 1j]), np.array([1.0, -0.5])
    with fw.dual_level():
        z = fw.make_dual(retrograd.tensor(z0), retrograd.tensor(dz))
        r = fw.make_dual(retrograd.tensor(r0), retrograd.tensor(dr))
        t = fw.unpack_dual(z ** r).tangent._data
    eps = 1e-6
    num = ((z0 + eps * dz) ** (r0 + eps * dr) - (z0 - eps * dz) ** (r0 - eps * dr)) / (2 * eps)
    np.testing.assert_allclose(t, num, rtol=1e-6)


NAMES = [
    lambda lib, z, x: z.conj(), lambda lib, z, x: z.real, lambda lib, z, x: z.imag, lambda lib, z, x: z.abs(),
    lambda lib, z, x: z.angle(), lambda lib, z, x: z.sgn(), lambda lib, z, x: z.conj_physical(),
    lambda lib, z, x: lib.view_as_real(z), lambda lib, z, x: lib.complex(x, x), lambda lib, z, x: lib.polar(x, x),
    lambda lib, z, x: z.conj().resolve_conj(), lambda lib, z, x: z.reshape(1, 2).mH, lambda lib, z, x: x * z,
    lambda lib, z, x: x.angle(), lambda lib, z, x: x.sgn(),
]


@pytest.mark.parametrize("k", range(len(NAMES)))
def test_node_names(k):
    def chain(lib):
        z = lib.tensor([1 + 2j, -1j], requires_grad=True)
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        out, names = NAMES[k](lib, z, x), []
        fn = out.grad_fn
        while fn is not None and type(fn).__name__ != "AccumulateGrad":
            names.append(type(fn).__name__)
            fn = fn.next_functions[0][0]
        return names, out.is_conj(), str(out.dtype)
    assert chain(retrograd) == chain(torch)


def test_identity_on_real_tensors():
    for lib in (retrograd, torch):
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        assert x.conj() is x and x.real is x and x.conj_physical() is x and x.resolve_conj() is x
        assert not x.is_complex() and not x.is_conj() and not lib.is_complex(x)
        z = lib.tensor([1j])
        assert z.is_complex() and lib.is_complex(z) and z.conj().is_conj() and not z.conj().conj().is_conj()
        assert not z.is_neg() and lib.resolve_neg(z) is z


ERRORS = [
    lambda lib: lib.tensor([1.0]).imag,
    lambda lib: lib.complex(lib.tensor([1]), lib.tensor([1])),
    lambda lib: lib.complex(lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64)),
    lambda lib: lib.complex(lib.tensor([1.0]), 2.0),
    lambda lib: lib.polar(lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64)),
    lambda lib: lib.view_as_real(lib.tensor([1j]).conj()),
    lambda lib: lib.tensor([1j]).sign(),
    lambda lib: lib.tensor([1j]).mH,
    lambda lib: lib.tensor([[[1j]]]).H,
    lambda lib: lib.tensor([1j], requires_grad=True).sum().backward(),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_as_torch(k):
    with pytest.raises(Exception) as theirs:
        ERRORS[k](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[k](retrograd)
    assert str(ours.value) == str(theirs.value)


def test_casting_complex_to_real_warns_as_torch():
    for lib in (retrograd, torch):
        z = lib.tensor([1 + 2j], requires_grad=True)
        with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
            r = z.to(lib.float32)
        r.sum().backward()
        assert z.grad.tolist() == [1 + 0j]


def test_pinv_of_complex_matrices():
    # the conjugate transposes of the SVD (no gradient: pinv refuses complex autograd)
    a = np.random.default_rng(3).normal(size=(2, 3, 2)) + 1j * np.random.default_rng(4).normal(size=(2, 3, 2))
    h = a[0, :2] @ a[0, :2].conj().T - 1.5 * np.eye(2)
    for x, kw in ((a, {}), (h, {"hermitian": True})):
        assert_close(retrograd.linalg.pinv(retrograd.tensor(x), **kw), torch.linalg.pinv(torch.tensor(x), **kw),
                     **TOL["complex128"])


def test_angle_of_real_numbers():
    for lib in (retrograd, torch):
        x = lib.tensor([-1.0, -0.0, 0.0, 2.0, float("nan")], requires_grad=True)
        a = x.angle()
        a.sum().backward()
        assert str(a.detach()) == "tensor([3.1416, 0.0000, 0.0000, 0.0000,    nan])"
        assert x.grad.tolist() == [0.0] * 5


# ---------------------------------------------------------------- everything else refuses

def _covered():
    return {n for c in CASES for n in c.covers}


def test_every_registered_op_is_verified_or_refuses_complex():
    covered = _covered()
    for name, op in OPS.items():
        assert op.complex in (None, "same", "conj"), f"{name}: complex={op.complex!r}"
        if not op.differentiable:
            continue
        if op.complex is None:
            with pytest.raises(RuntimeError, match=f"^{name}: complex autograd is not supported in retrograd yet$"):
                complex_grad.node_class(op)
        else:
            assert name in covered, f"{name} declares complex={op.complex!r} but no case in tests/test_complex.py checks it"


REFUSED = [       # one per way dispatch records a node: unary, binary, general, multi-output, in place
    ("relu", lambda lib, z: z.relu()),
    ("maximum", lambda lib, z: lib.maximum(z, z)),
    ("clamp_tensor", lambda lib, z: lib.clamp(z, lib.zeros_like(z), lib.ones_like(z))),
    ("linalg_eigh", lambda lib, z: lib.linalg.eigh(z.reshape(1, 1))),
    ("amax", lambda lib, z: z.amax(0)),
    ("relu", lambda lib, z: (z * 1).relu_()),
]


@pytest.mark.parametrize("k", range(len(REFUSED)))
def test_unverified_ops_refuse_complex_inputs_that_require_grad(k):
    name, fn = REFUSED[k]
    z = retrograd.tensor([1 + 1j], requires_grad=True)
    with pytest.raises(RuntimeError, match=f"^{name}: complex autograd is not supported in retrograd yet$"):
        fn(retrograd, z)
    with retrograd.no_grad():
        fn(retrograd, z)            # without a graph there is no gradient to get wrong
    fn(retrograd, z.detach())
    fw = retrograd.autograd.forward_ad
    with fw.dual_level():           # nor a tangent
        d = fw.make_dual(z.detach(), retrograd.tensor([1j], dtype=z.dtype))
        with pytest.raises(RuntimeError, match=f"^{name}: complex autograd is not supported in retrograd yet$"):
            fn(retrograd, d)
