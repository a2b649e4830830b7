"""Neural-network ops: activations, softmax, glu, embedding, dropout, one_hot (this file); losses in
nn_loss.py; normalization, distances, linear/bilinear and attention in nn_norm.py.

Formulas follow torch's derivatives.yaml and are written once for both paths (Note [One formula, two
paths] in registry.py): the Tensor path of each formula is differentiable again, so second and higher
derivatives are exact. Ops torch composes from others are composites here too (`softsign`,
`tanhshrink`, `dropout`), so `grad_fn` chains print what torch prints.
"""
import inspect
import math

import numpy as np

from .. import _errors
from ..tensor import Tensor, _wrap, _wrap_dim
from .registry import defop, export, ELEMENTWISE, LINEAR
from .pointwise import _sigmoid


# ------------------------------------------------------------------ helpers shared by the nn ops

def _is_t(x):
    return isinstance(x, Tensor)


def _const(like, arr):
    """A constant (no gradient) of the same kind as `like`: a Tensor on the graph path, else the array."""
    return _wrap(np.asarray(arr)) if isinstance(like, Tensor) else arr


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


def _sig(x):
    return x.sigmoid() if isinstance(x, Tensor) else _sigmoid(np, x)


def _softplus(x):
    """log(1 + exp(x)) without overflow, on arrays and Tensors alike."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def _sum_keep(x, dim):
    """Sum over `dim` (an int or tuple), keeping it; a 0-d value is its own sum."""
    if x.ndim == 0:
        return x
    return x.sum(dim, keepdim=True) if isinstance(x, Tensor) else x.sum(axis=dim, keepdims=True)


def _mean_keep(x, dim):
    if isinstance(x, Tensor):
        return x.mean(dim, keepdim=True)
    return x.mean(axis=dim, keepdims=True)


def _jvp_from_vjp(op):
    """A JVP rule from an op's VJP formulas: the formulas are linear in the incoming gradient u, so
    J t = d/du <J^T u, t>. Used where a closed form would only restate the VJP."""
    from ..autograd import grad as _grad
    from ..autograd.grad_mode import enable_grad
    from ..creation import zeros

    def impl(tangents, saved):
        outs = saved["__outs__"]
        with enable_grad():
            us = [zeros(tuple(o.shape), dtype=o.dtype, requires_grad=True) for o in outs]
            g = us[0] if op.nout == 1 else tuple(us)
            total = None
            for name, t in zip(op.operands, tangents):
                f = op.formulas.get(name)
                if f is None or t is None or not t.dtype.is_floating_point:
                    continue
                names = list(inspect.signature(f).parameters)[1:]
                term = (f(g, *[saved[n] for n in names]) * t).sum()
                total = term if total is None else total + term
            if total is None:
                return None
            res = _grad(total, us, create_graph=True, allow_unused=True)
        res = [r if r is not None else zeros(tuple(o.shape), dtype=o.dtype) for r, o in zip(res, outs)]
        return res[0] if op.nout == 1 else tuple(res)

    outs = "(result,)" if op.nout == 1 else "(" + "".join(n + ", " for n in op.out_names) + ")"
    names = list(dict.fromkeys(list(op.saved) + (["result"] if op.nout == 1 else list(op.out_names))))
    targs = ", ".join(n + "_t" for n in op.operands)
    src = (f"def rule({targs}, {', '.join(names)}):\n"
           f"    s = dict({', '.join(f'{n}={n}' for n in names)}, __outs__={outs})\n"
           f"    return impl(({targs},), s)\n")
    env = {"impl": impl}
    exec(src, env)
    op.jvp = env["rule"]
    return op


# Scalar arithmetic as ATen's composites record it (`mul(Tensor, Scalar)` -> MulBackward1): Python's
# `x * 2` is MulBackward0, but torch's C++ losses and norms print the Scalar overloads.
add_scalar = defop("_add_scalar", node="AddBackward1", export=False, jvp=ELEMENTWISE,
                   forward=lambda xp, self, other=0.0: self + other, self=lambda grad: grad)
sub_scalar = defop("_sub_scalar", node="SubBackward1", export=False, jvp=ELEMENTWISE,
                   forward=lambda xp, self, other=0.0: self - other, self=lambda grad: grad)
mul_scalar = defop("_mul_scalar", node="MulBackward1", export=False, jvp=ELEMENTWISE,
                   forward=lambda xp, self, other=1.0: self * other, self=lambda grad, other: grad * other)
div_scalar = defop("_div_scalar", node="DivBackward1", export=False, jvp=ELEMENTWISE,
                   forward=lambda xp, self, other=1.0: self / other, self=lambda grad, other: grad / other)


# Slicing one dim and its adjoint (zero padding), for formulas that split a tensor (glu).
def _narrow_arr(x, dim, start, length):
    idx = [slice(None)] * x.ndim
    idx[dim] = slice(start, start + length)
    return x[tuple(idx)]


def _unnarrow_arr(xp, g, sizes, dim, start):
    out = xp.zeros(sizes, dtype=g.dtype)
    _narrow_arr(out, dim, start, g.shape[dim])[...] = g
    return out


narrow_op = defop("_nn_narrow", node="SliceBackward0", export=False, jvp=LINEAR,
                  forward=lambda xp, self, dim=0, start=0, length=0: _narrow_arr(self, dim, start, length).copy(),
                  self=lambda grad, self_sym_sizes, dim, start: _unnarrow(grad, self_sym_sizes, dim, start))
unnarrow_op = defop("_nn_unnarrow", node="SliceBackwardBackward0", export=False, jvp=LINEAR,
                    forward=lambda xp, self, sizes=(), dim=0, start=0: _unnarrow_arr(xp, self, sizes, dim, start),
                    self=lambda grad, self_sym_sizes, dim, start: _narrow(grad, dim, start, self_sym_sizes[dim]))


def _narrow(x, dim, start, length):
    dim = dim % x.ndim
    return narrow_op.fn(x, dim, start, length) if _is_t(x) else _narrow_arr(x, dim, start, length)


def _unnarrow(g, sizes, dim, start):
    dim = dim % len(sizes)
    return unnarrow_op.fn(g, tuple(sizes), dim, start) if _is_t(g) else _unnarrow_arr(np, g, sizes, dim, start)


# ------------------------------------------------------------------ the normal CDF (for gelu)
# Cephes' rational approximations of erf / erfc: double precision, NumPy only.
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)


def _poly(x, c, monic=False):
    r = x + c[0] if monic else c[0] + 0 * x
    for a in c[1:]:
        r = r * x + a
    return r


def _erfc_arr(xp, x):
    """erfc on an array, computed in float64."""
    x = x.astype(np.float64)
    a = xp.abs(x)
    with np.errstate(all="ignore"):
        tail = xp.exp(-a * a) * xp.where(a < 8, _poly(a, _ERFC_P) / _poly(a, _ERFC_Q, True),
                                         _poly(a, _ERFC_R) / _poly(a, _ERFC_S, True))
        small = 1 - x * _poly(x * x, _ERF_T) / _poly(x * x, _ERF_U, True)
    return xp.where(a < 1, small, xp.where(x < 0, 2 - tail, tail))


_SQRT1_2 = math.sqrt(0.5)
_PDF = 1 / math.sqrt(2 * math.pi)
ndtr = defop("_ndtr", node="SpecialNdtrBackward0", export=False, jvp=ELEMENTWISE,
             forward=lambda xp, self: (0.5 * _erfc_arr(xp, -self * _SQRT1_2)).astype(self.dtype),
             self=lambda grad, self: grad * (np.exp(self * self * -0.5) * _PDF))


def _ndtr(x):
    return ndtr.fn(x) if _is_t(x) else ndtr.forward(np, x)


# ------------------------------------------------------------------ activations (elementwise)

def _act(name, node, forward, inplace=False, jvp=ELEMENTWISE, **formula):
    return defop(name, node=node, forward=forward, inplace=inplace, export=False, jvp=jvp, **formula)


def _elu_fwd(xp, self, alpha=1.0, scale=1.0, input_scale=1.0):
    # exp of min(x, 0): the branch `where` drops must stay finite, or its zero gradient becomes nan
    return xp.where(self > 0, self * scale, xp.expm1(xp.minimum(self, 0) * input_scale) * (alpha * scale))


def _celu_fwd(xp, self, alpha=1.0):
    return xp.where(self > 0, self, xp.expm1(xp.minimum(self, 0) / alpha) * alpha)


def _leaky_fwd(xp, self, negative_slope=0.01):
    return xp.where(self > 0, self, self * negative_slope)


def _rrelu_fwd(xp, self, noise, lower=0.125, upper=1 / 3, training=False):
    return self * noise if training else _leaky_fwd(xp, self, (lower + upper) / 2)


def _threshold_fwd(xp, self, threshold=0.0, value=0.0):
    return xp.where(self > threshold, self, value).astype(self.dtype, copy=False)


def _gelu_fwd(xp, self, approximate="none"):
    if approximate == "tanh":
        return 0.5 * self * (1 + xp.tanh(_KBETA * (self + _KAPPA * self * self * self)))
    return self * ndtr.forward(xp, self)


_KBETA, _KAPPA = math.sqrt(2 / math.pi), 0.044715


def _gelu_grad(grad, self, approximate):
    if approximate == "tanh":
        x2 = self * self
        t = np.tanh(_KBETA * (self + _KAPPA * x2 * self))
        return grad * (0.5 * (1 + t) + 0.5 * self * (1 - t * t) * (_KBETA * (1 + 3 * _KAPPA * x2)))
    return grad * (_ndtr(self) + self * np.exp(self * self * -0.5) * _PDF)


def _silu_grad(grad, self):
    s = _sig(self)
    return grad * s * (1 + self * (1 - s))


def _mish_grad(grad, self):
    t = np.tanh(_softplus(self))
    return grad * (t + self * _sig(self) * (1 - t * t))


def _softplus_fwd(xp, self, beta=1.0, threshold=20.0):
    z = self * beta
    return xp.where(z > threshold, self, (xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)) / beta)


def _slope_ok(slope, what):
    """torch refuses, at backward, the result-based derivative of in-place ops with a negative slope."""
    if slope < 0:
        tail = (" File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place "
                "leakRelu backward calculation with negative slope") if what == "leakyReLu" else ""
        raise RuntimeError(
            f"In-place {what} backward calculation is triggered with a negative slope which is not "
            "supported. This is caused by calling in-place forward function with a negative slope, "
            f"please call out-of-place version instead.{tail}")
    return True


_shrunk = lambda self, lambd: (self > lambd) | (self < -lambd)
_threshold_grad = lambda grad, self, threshold: np.where(self > threshold, grad, 0)

hardtanh_op = _act("hardtanh", "HardtanhBackward0",
                   lambda xp, self, min_val=-1.0, max_val=1.0: xp.clip(self, min_val, max_val), inplace=True,
                   self=lambda grad, self, min_val, max_val: np.where((self > min_val) & (self < max_val), grad, 0))
leaky_relu_op = _act("leaky_relu", "LeakyReluBackward0", _leaky_fwd,
                     self=lambda grad, self, negative_slope: np.where(self > 0, grad, grad * negative_slope))
leaky_relu_ip = _act("leaky_relu_inplace", "LeakyReluBackward1", _leaky_fwd, inplace=True,
                     self=lambda grad, result, negative_slope: _slope_ok(negative_slope, "leakyReLu") and
                         np.where(result > 0, grad, grad * negative_slope))
elu_op = _act("elu", "EluBackward0", _elu_fwd,
              self=lambda grad, self, alpha, scale, input_scale: np.where(
                  self > 0, grad * scale,
                  grad * (input_scale * alpha * scale) * np.exp(np.minimum(self, 0) * input_scale)))
elu_ip = _act("elu_inplace", "EluBackward1", _elu_fwd, inplace=True,
              self=lambda grad, result, alpha, scale, input_scale: _slope_ok(alpha, "elu") and np.where(
                  result > 0, grad * scale, grad * input_scale * (result + alpha * scale)))
celu_op = _act("celu", "CeluBackward0", _celu_fwd,
               self=lambda grad, self, alpha: np.where(self > 0, grad, grad * np.exp(np.minimum(self, 0) / alpha)))
celu_ip = _act("celu_inplace", "CeluBackward1", _celu_fwd, inplace=True,
               self=lambda grad, result, alpha: _slope_ok(alpha, "elu") and
                   np.where(result > 0, grad, grad * (result / alpha + 1)))
gelu_op = _act("gelu", "GeluBackward0", _gelu_fwd, self=_gelu_grad)
silu_op = _act("silu", "SiluBackward0", lambda xp, self: self * _sigmoid(xp, self), inplace=True,
               self=_silu_grad)
mish_op = _act("mish", "MishBackward0", lambda xp, self: self * xp.tanh(_softplus(self)), inplace=True,
               self=_mish_grad)
softplus_op = _act("softplus", "SoftplusBackward0", _softplus_fwd,
                   self=lambda grad, self, beta, threshold: np.where(self * beta > threshold, grad,
                                                                     grad * _sig(self * beta)))
hardsigmoid_op = _act("hardsigmoid", "HardsigmoidBackward0", lambda xp, self: xp.clip(self + 3, 0, 6) / 6,
                      inplace=True, self=lambda grad, self: np.where((self > -3) & (self < 3), grad / 6, 0))
hardswish_op = _act("hardswish", "HardswishBackward0", lambda xp, self: self * xp.clip(self + 3, 0, 6) / 6,
                    inplace=True, self=lambda grad, self: np.where(
                        self < -3, 0, np.where(self <= 3, grad * (self / 3 + 0.5), grad)))
log_sigmoid_op = _act("log_sigmoid", "LogSigmoidBackward0",
                      lambda xp, self: xp.minimum(self, 0) - xp.log1p(xp.exp(-xp.abs(self))),
                      self=lambda grad, self: grad * _sig(-self))
softshrink_op = _act("softshrink", "SoftshrinkBackward0",
                     lambda xp, self, lambd=0.5: xp.where(self > lambd, self - lambd,
                                                          xp.where(self < -lambd, self + lambd, 0)),
                     self=lambda grad, self, lambd: np.where(_shrunk(self, lambd), grad, 0))
hardshrink_op = _act("hardshrink", "HardshrinkBackward0",
                     lambda xp, self, lambd=0.5: xp.where(_shrunk(self, lambd), self, 0),
                     self=lambda grad, self, lambd: np.where(_shrunk(self, lambd), grad, 0))
threshold_op = _act("threshold", "ThresholdBackward0", _threshold_fwd, self=_threshold_grad)
# torch's threshold_ differentiates with the input as it was (ThresholdBackward1 saves it)
threshold_ip = _act("threshold_inplace", "ThresholdBackward1", _threshold_fwd, inplace=True,
                    self=_threshold_grad)
rrelu_op = _act("rrelu_with_noise", "RreluWithNoiseBackward0", _rrelu_fwd,
                self=lambda grad, self, noise, lower, upper, training:
                    grad * noise if training else np.where(self > 0, grad, grad * ((lower + upper) / 2)))
# (torch has no JVP for in-place rrelu; the elementwise one is exact)
rrelu_ip = _act("rrelu_with_noise_", "RreluWithNoiseBackward1", _rrelu_fwd, inplace=True,
                self=lambda grad, result, noise, lower, upper, training:
                    grad * noise if training else np.where(result > 0, grad, grad * ((lower + upper) / 2)))
prelu_kernel = defop("_prelu_kernel", node="PreluKernelBackward0", promote="promote", broadcast=True,
                     export=False, jvp=ELEMENTWISE,
                     forward=lambda xp, self, weight: xp.where(self > 0, self, weight * self),
                     self=lambda grad, self, weight: np.where(self > 0, grad, weight * grad),
                     weight=lambda grad, self: np.where(self > 0, 0, self * grad))


def _glu_fwd(xp, x, dim):
    a, b = xp.split(x, 2, axis=dim)
    return a * _sigmoid(xp, b)


def _glu_halves(x, dim):
    h = x.shape[dim] // 2
    return _narrow(x, dim, 0, h), _narrow(x, dim, h, h)


def _glu_grad(grad, self, dim):
    a, b = _glu_halves(self, dim)
    s = _sig(b)
    return (_unnarrow(grad * s, self.shape, dim, 0)
            + _unnarrow(grad * a * s * (1 - s), self.shape, dim, self.shape[dim] // 2))


def _glu_jvp(self_t, self, dim):
    (a, b), (ta, tb) = _glu_halves(self, dim), _glu_halves(self_t, dim)
    s = _sig(b)
    return ta * s + a * s * (1 - s) * tb


glu_op = defop("glu", node="GluBackward0", export=False, jvp=_glu_jvp,
               forward=lambda xp, self, dim=-1: _glu_fwd(xp, self, dim), self=_glu_grad)


def _float_only(input, kernel):
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_errors.scalar_name(input._data.dtype)}\'')


def _ip(op, op_ip, input, inplace, *params):
    return op_ip.fn_(input, *params) if inplace else op.fn(input, *params)


def relu(input, inplace=False):
    """Same as `torch.nn.functional.relu`."""
    return input.relu_() if inplace else input.relu()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Same as `torch.nn.functional.hardtanh`: HardtanhBackward0."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _ip(hardtanh_op, hardtanh_op, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """Same as `torch.nn.functional.hardtanh_`."""
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """Same as `torch.nn.functional.relu6`: hardtanh(0, 6), recorded as HardtanhBackward0."""
    return _ip(hardtanh_op, hardtanh_op, input, inplace, 0, 6)


def elu(input, alpha=1.0, inplace=False):
    """Same as `torch.nn.functional.elu`: EluBackward0 (EluBackward1 in place)."""
    _float_only(input, "elu_cpu")
    return _ip(elu_op, elu_ip, input, inplace, alpha, 1, 1)       # torch saves the int 1s


def elu_(input, alpha=1.0):
    """Same as `torch.nn.functional.elu_`."""
    return elu(input, alpha, True)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


@export(method=False)
def selu(input, inplace=False):
    """Same as `torch.selu`: elu with SELU's constants (EluBackward0; EluBackward1 in place)."""
    _float_only(input, "elu_cpu")
    return _ip(elu_op, elu_ip, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1)


@export(method=False)
def selu_(input):
    """Same as `torch.selu_`."""
    return selu(input, True)


@export(method=False)
def celu(input, alpha=1.0, inplace=False):
    """Same as `torch.celu`: CeluBackward0 (CeluBackward1 in place)."""
    _float_only(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _ip(celu_op, celu_ip, input, inplace, alpha)


@export(method=False)
def celu_(input, alpha=1.0):
    """Same as `torch.celu_`."""
    return celu(input, alpha, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Same as `torch.nn.functional.leaky_relu`: LeakyReluBackward0 (LeakyReluBackward1 in place)."""
    _float_only(input, "leaky_relu_cpu")
    return _ip(leaky_relu_op, leaky_relu_ip, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """Same as `torch.nn.functional.leaky_relu_`."""
    return leaky_relu(input, negative_slope, True)


def gelu(input, approximate="none"):
    """Same as `torch.nn.functional.gelu`: exact (erf) or tanh approximation; GeluBackward0."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return gelu_op.fn(input, approximate)


def silu(input, inplace=False):
    """Same as `torch.nn.functional.silu`: x * sigmoid(x), SiluBackward0."""
    _float_only(input, "silu_cpu")
    return _ip(silu_op, silu_op, input, inplace)


def mish(input, inplace=False):
    """Same as `torch.nn.functional.mish`: x * tanh(softplus(x)), MishBackward0."""
    _float_only(input, "mish_cpu")
    return _ip(mish_op, mish_op, input, inplace)


def softplus(input, beta=1, threshold=20):
    """Same as `torch.nn.functional.softplus`: log(1 + exp(beta x)) / beta, linear above `threshold`."""
    _float_only(input, "softplus_cpu")
    return softplus_op.fn(input, beta, threshold)


def hardsigmoid(input, inplace=False):
    """Same as `torch.nn.functional.hardsigmoid`."""
    _float_only(input, "hardsigmoid_cpu")
    return _ip(hardsigmoid_op, hardsigmoid_op, input, inplace)


def hardswish(input, inplace=False):
    """Same as `torch.nn.functional.hardswish`."""
    _float_only(input, "hardswish_cpu")
    return _ip(hardswish_op, hardswish_op, input, inplace)


def logsigmoid(input):
    """Same as `torch.nn.functional.logsigmoid`: stable for large |x|; LogSigmoidBackward0."""
    _float_only(input, "log_sigmoid_cpu")
    return log_sigmoid_op.fn(input)


def softsign(input):
    """Same as `torch.nn.functional.softsign`: input / (|input| + 1), a composite as in torch."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """Same as `torch.nn.functional.tanhshrink`: input - tanh(input), a composite as in torch."""
    return input - input.tanh()


def _lambd_check(input, lambd):
    if lambd < 0:
        top = 3.40282e+38 if input._data.dtype == np.float32 else 1.79769e+308
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{_errors.scalar_name(input._data.dtype)}, but found {lambd:g}")


def softshrink(input, lambd=0.5):
    """Same as `torch.nn.functional.softshrink`."""
    _float_only(input, "softshrink_cpu")
    _lambd_check(input, lambd)
    return softshrink_op.fn(input, lambd)


@export
def hardshrink(input, lambd=0.5):
    """Same as `torch.hardshrink`."""
    _float_only(input, "hardshrink_cpu")
    return hardshrink_op.fn(input, lambd)


@export(method=False)
def threshold(input, threshold, value, inplace=False):
    """Same as `torch.nn.functional.threshold`: ThresholdBackward0 (ThresholdBackward1 in place)."""
    return _ip(threshold_op, threshold_ip, input, inplace, threshold, value)


@export(method=False)
def threshold_(input, threshold, value):
    """Same as `torch.threshold_`."""
    return _ip(threshold_op, threshold_ip, input, True, threshold, value)


@export
def prelu(input, weight):
    """Same as `torch.prelu`: the weight viewed to broadcast over dim 1, then PreluKernelBackward0."""
    nd, n = input._data.ndim, weight._data.size
    if weight._data.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight._data.ndim}")
    if n != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        c = input._data.shape[1] if nd > 1 else 1
        if c != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                               f"numbers = {n} and channel size = {c}.")
    if nd > 1:
        weight = weight.view(*[n if i == 1 else 1 for i in range(nd)])
    elif nd == 0:
        weight = weight.view(())
    return prelu_kernel.fn(input, weight)


def glu(input, dim=-1):
    """Same as `torch.nn.functional.glu`: a * sigmoid(b) for the two halves of `dim`; GluBackward0."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, nd)
    if input._data.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input._data.shape[d]}")
    return glu_op.fn(input, dim)


@export(method=False)
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Same as `torch.rrelu`: in training, inputs <= 0 get slopes drawn from U(lower, upper) on torch's
    random stream; in eval, the mean slope. RreluWithNoiseBackward0 (1 in place)."""
    from .. import _random
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    d = input._data
    if training:
        # torch's kernel: one double uniform(lower, upper) per element <= 0, in memory order; the
        # bounds are first rounded to the input's precision
        neg = np.ascontiguousarray(d).reshape(-1) <= 0
        lo, hi = (float(np.float32(lower)), float(np.float32(upper))) if d.dtype != np.float64 else (lower, upper)
        noise = np.ones(d.size, d.dtype)
        noise[neg] = _random.uniform(_random.gen(None), int(neg.sum()), np.float64, lo, hi).astype(d.dtype)
        noise = noise.reshape(d.shape)
    else:
        noise = np.empty_like(d)
    return _ip(rrelu_op, rrelu_ip, input, inplace, _wrap(noise), lower, upper, training)


@export(method=False)
def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """Same as `torch.rrelu_`."""
    return rrelu(input, lower, upper, training, True)


# ------------------------------------------------------------------ softmax

def _softmax_fwd(xp, self, dim=-1):
    if self.ndim == 0 or self.size == 0:
        return xp.ones_like(self)
    e = xp.exp(self - self.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax_fwd(xp, self, dim=-1):
    if self.ndim == 0 or self.size == 0:
        return xp.zeros_like(self)
    z = self - self.max(axis=dim, keepdims=True)
    return z - xp.log(xp.exp(z).sum(axis=dim, keepdims=True))


softmax_op = defop("_softmax", node="SoftmaxBackward0", export=False, forward=_softmax_fwd,
                   self=lambda grad, result, dim: result * (grad - _sum_keep(grad * result, dim)),
                   jvp=lambda self_t, result, dim: result * (self_t - _sum_keep(self_t * result, dim)))
log_softmax_op = defop("_log_softmax", node="LogSoftmaxBackward0", export=False, forward=_log_softmax_fwd,
                       self=lambda grad, result, dim: grad - np.exp(result) * _sum_keep(grad, dim),
                       jvp=lambda self_t, result, dim: self_t - _sum_keep(np.exp(result) * self_t, dim))


def _softmax_input(input, dim, dtype, name):
    if dtype is not None:
        input = input.to(dtype)
    nd = input._data.ndim
    dim = _wrap_dim(dim, nd)
    _float_only(input, f"{name}_lastdim_kernel_impl" if dim == max(nd - 1, 0) else f"{name}_kernel_impl")
    return input, dim


@export
def softmax(input, dim, dtype=None):
    """Same as `torch.softmax` (`Tensor.softmax`): SoftmaxBackward0, after ToCopyBackward0 for `dtype`."""
    input, dim = _softmax_input(input, dim, dtype, "softmax")
    return softmax_op.fn(input, dim)


@export
def log_softmax(input, dim, dtype=None):
    """Same as `torch.log_softmax`: LogSoftmaxBackward0; stable for large logits."""
    input, dim = _softmax_input(input, dim, dtype, "log_softmax")
    return log_softmax_op.fn(input, dim)


def _softmax_dim(name, ndim):
    import warnings
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", UserWarning, stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1



def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Same as `torch.nn.functional.softmin`: softmax of -input."""
    return softmax(-input, _softmax_dim("softmin", input.dim()) if dim is None else dim, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Same as `torch.nn.functional.gumbel_softmax` (Gumbel noise from torch's random stream)."""
    if eps != 1e-10:
        import warnings
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    d = logits._data
    gumbels = -_wrap(np.empty_like(d)).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    idx = np.expand_dims(np.argmax(y_soft._data, axis=dim), dim)
    y_hard = np.zeros_like(d)
    np.put_along_axis(y_hard, idx, 1.0, axis=dim)
    return _wrap(y_hard) - y_soft.detach() + y_soft

from . import nn_loss, nn_norm, nn_layers, nn_attention  # noqa: E402,F401  (losses, normalization, layers)
