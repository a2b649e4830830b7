"""Elementwise unary functions and their derivatives (torch's derivatives.yaml)."""
import numpy as np

from .registry import defop, export, ELEMENTWISE
from . import complex_grad as _cx

exp = defop("exp", node="ExpBackward0", complex="conj", promote="float", inplace=True, ufunc=np.exp, jvp=ELEMENTWISE,
            forward=lambda xp, self: xp.exp(self),
            self=lambda grad, result: grad * result)

sin = defop("sin", node="SinBackward0", complex="conj", promote="float", inplace=True, ufunc=np.sin, jvp=ELEMENTWISE,
            forward=lambda xp, self: xp.sin(self),
            self=lambda grad, self: grad * np.cos(self))

cos = defop("cos", node="CosBackward0", complex="conj", promote="float", inplace=True, ufunc=np.cos, jvp=ELEMENTWISE,
            forward=lambda xp, self: xp.cos(self),
            self=lambda grad, self: grad * -np.sin(self))

log = defop("log", node="LogBackward0", complex="conj", promote="float", inplace=True, ufunc=np.log, jvp=ELEMENTWISE,
            forward=lambda xp, self: xp.log(self),
            self=lambda grad, self: grad / self)

tanh = defop("tanh", node="TanhBackward0", complex="conj", promote="float", inplace=True, ufunc=np.tanh, jvp=ELEMENTWISE,
             forward=lambda xp, self: xp.tanh(self),
             self=lambda grad, result: _tanh_backward(grad, result))

reciprocal = defop("reciprocal", node="ReciprocalBackward0", complex="conj", promote="float", inplace=True, jvp=ELEMENTWISE,
                   ufunc=np.reciprocal,
                   forward=lambda xp, self: 1 / self,
                   self=lambda grad, result: -grad * (result * result))

where_op = defop("where", node="WhereBackward0", complex="same", promote=("promote", "self", "other"), broadcast=True, jvp=ELEMENTWISE,
                 export=False,
                 forward=lambda xp, condition, self, other: xp.where(condition, self, other),
                 self=lambda grad, condition: np.where(condition, grad, 0),
                 other=lambda grad, condition: np.where(condition, 0, grad))


@export
def where(condition, input=None, other=None, *, out=None):
    """Same as `torch.where`; with only a condition, the same as `torch.nonzero(as_tuple=True)`."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype._name.capitalize()}")
    return where_op.fn(condition, input, other)


# ------------------------------------------------------------------ more unary functions
# Each derivative follows torch's derivatives.yaml; saved names are torch's.

from ..tensor import Tensor  # noqa: E402
from .numpy_compat import implements  # noqa: E402
from .registry import ELEMENTWISE  # noqa: E402
from .arith import neg_op  # noqa: E402

_LN2, _LN10 = float(np.log(2.0)), float(np.log(10.0))


def _unary(name, node, ufunc, fwd, **formula):
    # each is holomorphic with a real-coefficient derivative: See Note [Complex autograd]
    return defop(name, node=node, promote="float", inplace=True, ufunc=ufunc, forward=fwd,
                 jvp=ELEMENTWISE, complex="conj", **formula)


log2 = _unary("log2", "Log2Backward0", np.log2, lambda xp, self: xp.log2(self),
              self=lambda grad, self: grad / (self * _LN2))
log10 = _unary("log10", "Log10Backward0", np.log10, lambda xp, self: xp.log10(self),
               self=lambda grad, self: grad / (self * _LN10))
log1p = _unary("log1p", "Log1PBackward0", np.log1p, lambda xp, self: xp.log1p(self),
               self=lambda grad, self: grad / (self + 1))
expm1 = _unary("expm1", "Expm1Backward0", np.expm1, lambda xp, self: xp.expm1(self),
               self=lambda grad, result: grad * (result + 1))
exp2 = _unary("exp2", "Exp2Backward0", np.exp2, lambda xp, self: xp.exp2(self),
              self=lambda grad, result: grad * result * _LN2)
sqrt = _unary("sqrt", "SqrtBackward0", np.sqrt, lambda xp, self: xp.sqrt(self),
              self=lambda grad, result: grad / (2 * result))
rsqrt = _unary("rsqrt", "RsqrtBackward0", None, lambda xp, self: 1 / xp.sqrt(self),
               self=lambda grad, result: -0.5 * grad * result * result * result)
tan = _unary("tan", "TanBackward0", np.tan, lambda xp, self: xp.tan(self),
             self=lambda grad, result: grad * (1 + result * result))
asin = _unary("asin", "AsinBackward0", np.arcsin, lambda xp, self: xp.arcsin(self),
              self=lambda grad, self: grad / np.sqrt(1 - self * self))
acos = _unary("acos", "AcosBackward0", np.arccos, lambda xp, self: xp.arccos(self),
              self=lambda grad, self: -grad / np.sqrt(1 - self * self))
atan = _unary("atan", "AtanBackward0", np.arctan, lambda xp, self: xp.arctan(self),
              self=lambda grad, self: grad / (1 + self * self))
sinh = _unary("sinh", "SinhBackward0", np.sinh, lambda xp, self: xp.sinh(self),
              self=lambda grad, self: grad * np.cosh(self))
cosh = _unary("cosh", "CoshBackward0", np.cosh, lambda xp, self: xp.cosh(self),
              self=lambda grad, self: grad * np.sinh(self))
asinh = _unary("asinh", "AsinhBackward0", np.arcsinh, lambda xp, self: xp.arcsinh(self),
               self=lambda grad, self: grad / np.sqrt(self * self + 1))
acosh = _unary("acosh", "AcoshBackward0", np.arccosh, lambda xp, self: xp.arccosh(self),
               self=lambda grad, self: grad / np.sqrt(self * self - 1))
atanh = _unary("atanh", "AtanhBackward0", np.arctanh, lambda xp, self: xp.arctanh(self),
               self=lambda grad, self: grad / (1 - self * self))
sigmoid = _unary("sigmoid", "SigmoidBackward0", None, lambda xp, self: _sigmoid(xp, self),
                 self=lambda grad, result: _sigmoid_backward(grad, result))

# torch differentiates tanh and sigmoid with fused ops of their own (aten::tanh_backward,
# aten::sigmoid_backward): with create_graph=True one node is recorded per gradient, named
# as torch names it, instead of the three a formula of separate operations would record.
tanh_backward = defop("tanh_backward", node="TanhBackwardBackward0", complex="conj", promote="promote", broadcast=True,
                      export=False, jvp=ELEMENTWISE,
                      forward=lambda xp, grad_output, output: grad_output * (1 - output * output),
                      grad_output=lambda grad, output: _tanh_backward(grad, output),
                      output=lambda grad, output, grad_output: grad * -2 * output * grad_output)
sigmoid_backward = defop("sigmoid_backward", node="SigmoidBackwardBackward0", complex="conj", promote="promote", broadcast=True,
                         export=False, jvp=ELEMENTWISE,
                         forward=lambda xp, grad_output, output: grad_output * output * (1 - output),
                         grad_output=lambda grad, output: _sigmoid_backward(grad, output),
                         output=lambda grad, output, grad_output: grad * grad_output * (1 - 2 * output))


def _tanh_backward(grad, result):
    if isinstance(grad, Tensor) or isinstance(result, Tensor):
        return tanh_backward.fn(grad, result)
    return grad * (1 - result * result)


def _sigmoid_backward(grad, result):
    if isinstance(grad, Tensor) or isinstance(result, Tensor):
        return sigmoid_backward.fn(grad, result)
    return grad * result * (1 - result)


def _sigmoid(xp, x):
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    # stable on both sides: exp of a non-positive number only
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


relu = defop("relu", node="ReluBackward0", inplace=True, jvp=ELEMENTWISE,
             forward=lambda xp, self: xp.maximum(self, 0).astype(self.dtype, copy=False),
             self=lambda grad, result: grad * (result > 0))

def _abs_jvp(self_t, self):
    # torch: the real part of conj(t) * sgn(self) (t * sign(self) for real inputs)
    if not _cx.is_complex(self):
        return self_t * _cx.sgn(self)
    return (_cx.conj(self_t) * _cx.sgn(self)).real


abs_op = defop("abs", node="AbsBackward0", complex="same", inplace=True, ufunc=np.absolute, jvp=_abs_jvp,
               forward=lambda xp, self: xp.abs(self),
               self=lambda grad, self: grad * _cx.sgn(self))       # torch's sgn: z / |z| for complex


def _sign_fwd(xp, self):
    if self.dtype.kind == "c":
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                                  "Please use torch.sgn instead.")
    return xp.sign(self)


sign = defop("sign", node="SignBackward0", inplace=True, ufunc=np.sign, jvp=ELEMENTWISE,
             forward=_sign_fwd, self=lambda grad: np.zeros_like(grad))


def _zero_grad_op(name, node, ufunc, fwd):
    return defop(name, node=node, inplace=True, ufunc=ufunc, forward=fwd, jvp=ELEMENTWISE,
                 self=lambda grad: np.zeros_like(grad))


floor = _zero_grad_op("floor", "FloorBackward0", np.floor, lambda xp, self: xp.floor(self))
ceil = _zero_grad_op("ceil", "CeilBackward0", np.ceil, lambda xp, self: xp.ceil(self))
trunc = _zero_grad_op("trunc", "TruncBackward0", np.trunc, lambda xp, self: xp.trunc(self))
round_op = defop("round", node="RoundBackward0", inplace=True, export=False, jvp=ELEMENTWISE,
                 forward=lambda xp, self: xp.round(self), self=lambda grad: np.zeros_like(grad))
round_dec = defop("round_decimals", node="RoundBackward1", inplace=True, export=False, jvp=ELEMENTWISE,
                  forward=lambda xp, self, decimals=0: xp.round(self, decimals),
                  self=lambda grad: np.zeros_like(grad))
frac = defop("frac", node="FracBackward0", inplace=True, jvp=ELEMENTWISE,
             forward=lambda xp, self: self - xp.trunc(self), self=lambda grad: grad)


@export(methods=("round",))
def round(input, *, decimals=0, out=None):
    """Same as `torch.round` (halves to even, as torch); zero gradient."""
    return round_dec.fn(input, decimals) if decimals else round_op.fn(input)


export(lambda self, *, decimals=0: (round_dec.fn_(self, decimals) if decimals else round_op.fn_(self)),
       name="round_", function=False)


@export(methods=("square",))
def square(input, *, out=None):
    """Same as `torch.square`: `input ** 2`, recorded as PowBackward0."""
    from .arith import pow
    return pow(input, 2)


@implements(np.zeros_like)
def _np_zeros_like(a, dtype=None, order="K", subok=True, shape=None):
    from ..creation import zeros_like
    return zeros_like(a)


@implements(np.ones_like)
def _np_ones_like(a, dtype=None, order="K", subok=True, shape=None):
    from ..creation import ones_like
    return ones_like(a)


# ------------------------------------------------------------------ binary functions

def _max_grad(grad, self, other):
    # torch: ties split the gradient evenly
    return np.where(self == other, grad / 2, np.where(self > other, grad, 0))


maximum = defop("maximum", node="MaximumBackward0", promote="promote", broadcast=True, ufunc=np.maximum,
                jvp=ELEMENTWISE, forward=lambda xp, self, other: xp.maximum(self, other),
                self=_max_grad, other=lambda grad, self, other: _max_grad(grad, other, self))
minimum = defop("minimum", node="MinimumBackward0", promote="promote", broadcast=True, ufunc=np.minimum,
                jvp=ELEMENTWISE, forward=lambda xp, self, other: xp.minimum(self, other),
                self=lambda grad, self, other: _max_grad(grad, other, self),
                other=lambda grad, self, other: _max_grad(grad, self, other))
export(maximum.fn, name="max_elementwise", function=False, method=False)
atan2 = defop("atan2", node="Atan2Backward0", promote="float", broadcast=True, ufunc=np.arctan2,
              inplace=True, jvp=ELEMENTWISE, forward=lambda xp, self, other: xp.arctan2(self, other),
              self=lambda grad, self, other: grad * other / (self * self + other * other),
              other=lambda grad, self, other: -grad * self / (self * self + other * other))
export(atan2.fn, name="arctan2")
hypot = defop("hypot", node="HypotBackward0", promote="float", broadcast=True, ufunc=np.hypot,
              jvp=ELEMENTWISE, forward=lambda xp, self, other: xp.hypot(self, other),
              self=lambda grad, self, result: grad * self / result,
              other=lambda grad, other, result: grad * other / result)


def _floor_div(xp, a, b):
    return xp.floor_divide(a, b)


remainder_t = defop("remainder_tensor", node="RemainderBackward1", promote="promote", broadcast=True,
                    export=False, jvp=ELEMENTWISE, forward=lambda xp, self, other: xp.remainder(self, other),
                    self=lambda grad: grad,
                    other=lambda grad, self, other: -grad * np.floor(self / other))
remainder_s = defop("remainder_scalar", node="RemainderBackward0", promote="promote", export=False,
                    jvp=ELEMENTWISE, forward=lambda xp, self, other=1: xp.remainder(self, other),
                    self=lambda grad: grad)
fmod_t = defop("fmod_tensor", node="FmodBackward1", promote="promote", broadcast=True, export=False,
               jvp=ELEMENTWISE, forward=lambda xp, self, other: xp.fmod(self, other),
               self=lambda grad: grad,
               other=lambda grad, self, other: -grad * np.trunc(self / other))
fmod_s = defop("fmod_scalar", node="FmodBackward0", promote="promote", export=False, jvp=ELEMENTWISE,
               forward=lambda xp, self, other=1: xp.fmod(self, other), self=lambda grad: grad)


@export
def remainder(input, other, *, out=None):
    """Same as `torch.remainder` (Python's %: the sign of the divisor)."""
    if not isinstance(input, Tensor):
        from ..creation import as_tensor
        input = as_tensor(input)
    return remainder_t.fn(input, other) if isinstance(other, Tensor) else remainder_s.fn(input, other)


@export
def fmod(input, other, *, out=None):
    """Same as `torch.fmod` (C's fmod: the sign of the dividend)."""
    return fmod_t.fn(input, other) if isinstance(other, Tensor) else fmod_s.fn(input, other)


div_floor = defop("div_floor", node="DivBackward2", promote="promote", broadcast=True, export=False,
                  jvp=ELEMENTWISE, forward=lambda xp, self, other, rounding_mode="floor": xp.floor_divide(self, other)
                  if self.dtype.kind in "iub" and np.result_type(other).kind in "iub"
                  else xp.floor(self / other),
                  self=lambda grad, other, rounding_mode: np.zeros_like(grad),
                  other=lambda grad, self, other, rounding_mode: np.zeros_like(grad))
div_trunc = defop("div_trunc", node="DivBackward2", promote="promote", broadcast=True, export=False,
                  jvp=ELEMENTWISE, forward=lambda xp, self, other, rounding_mode="trunc": _trunc_div(xp, self, other),
                  self=lambda grad, other, rounding_mode: np.zeros_like(grad),
                  other=lambda grad, self, other, rounding_mode: np.zeros_like(grad))


def _trunc_div(xp, a, b):
    if a.dtype.kind in "iub" and np.result_type(b).kind in "iub":
        q = xp.abs(a) // xp.abs(b)
        return (q * xp.sign(a) * xp.sign(b)).astype(np.result_type(a, b), copy=False)
    return xp.trunc(a / b)


def div_rounding(input, other, rounding_mode):
    """`torch.div(input, other, rounding_mode=...)`: zero gradient, as torch."""
    if rounding_mode == "floor":
        return div_floor.fn(input, other, "floor")
    if rounding_mode == "trunc":
        return div_trunc.fn(input, other, "trunc")
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"'{rounding_mode}'")


@export
def floor_divide(input, other, *, out=None):
    """Same as `torch.floor_divide`."""
    return div_floor.fn(input, other, "floor")


Tensor.__floordiv__ = lambda self, other: div_floor.fn(self, other, "floor")
Tensor.__rfloordiv__ = lambda self, other: div_floor.fn(other, self, "floor")
Tensor.__mod__ = lambda self, other: remainder(self, other)
Tensor.__rmod__ = lambda self, other: remainder(other, self)
Tensor.__abs__ = lambda self: abs_op.fn(self)
export(abs_op.fn, name="absolute")
export(abs_op.fn_, name="absolute_", function=False)
export(neg_op.fn, name="negative")


# ------------------------------------------------------------------ clamp

clamp_s = defop("clamp_scalar", node="ClampBackward1", inplace=True, export=False, jvp=ELEMENTWISE,
                forward=lambda xp, self, min=None, max=None: _clip(xp, self, min, max),
                self=lambda grad, self, min, max: grad * _in_range(self, min, max))
clamp_t = defop("clamp_tensor", node="ClampBackward0", promote="promote", broadcast=True, export=False,
                jvp=ELEMENTWISE,
                forward=lambda xp, self, min, max: _clip(xp, self, min, max),
                self=lambda grad, self, min, max: grad * _in_range(self, min, max),
                min=lambda grad, self, min: grad * (self < min),
                max=lambda grad, self, min, max: grad * ((self > max) & (self >= min)))


def _clip(xp, x, lo, hi):
    if lo is not None:
        x = xp.maximum(x, lo)
    if hi is not None:
        x = xp.minimum(x, hi)
    return x


def _in_range(x, lo, hi):
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


def _clamp_check(min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")


@export(methods=("clip",))
def clamp(input, min=None, max=None, *, out=None):
    """Same as `torch.clamp`: numbers give ClampBackward1, tensors ClampBackward0."""
    _clamp_check(min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from ..creation import full_like
        lo = min if isinstance(min, Tensor) or min is None else full_like(input, min)
        hi = max if isinstance(max, Tensor) or max is None else full_like(input, max)
        if lo is None:
            lo = full_like(input, -np.inf) if input.dtype.is_floating_point else None
        if hi is None:
            hi = full_like(input, np.inf) if input.dtype.is_floating_point else None
        return clamp_t.fn(input, lo, hi)
    return clamp_s.fn(input, min, max)


export(clamp, name="clip")


@export(name="clamp_", function=False, methods=("clip_",))
def _clamp_(self, min=None, max=None):
    _clamp_check(min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return self.copy_(clamp(self, min, max))
    return clamp_s.fn_(self, min, max)


@export
def clamp_min(input, min):
    """Same as `torch.clamp_min`."""
    return clamp(input, min=min)


@export
def clamp_max(input, max):
    """Same as `torch.clamp_max`."""
    return clamp(input, max=max)


# ------------------------------------------------------------------ comparisons and logic (bool results)

def _cmp(name, ufunc, dunder, aliases=()):
    # `2 < x` reaches x.__gt__(2): Python reflects comparisons, so no __r*__ forms
    op = defop(name, promote="compare", broadcast=True, differentiable=False, ufunc=ufunc,
               forward=lambda xp, self, other: ufunc(self, other))
    setattr(Tensor, dunder, op.fn)
    for a in aliases:
        export(op.fn, name=a)
    return op


eq = _cmp("eq", np.equal, "__eq__")
ne = _cmp("ne", np.not_equal, "__ne__", ("not_equal",))
lt = _cmp("lt", np.less, "__lt__", ("less",))
le = _cmp("le", np.less_equal, "__le__", ("less_equal",))
gt = _cmp("gt", np.greater, "__gt__", ("greater",))
ge = _cmp("ge", np.greater_equal, "__ge__", ("greater_equal",))
Tensor.__hash__ = object.__hash__          # torch tensors hash by identity, despite __eq__


def _logic(name, ufunc, dunder=None, rdunder=None):
    op = defop(name, promote="compare", broadcast=True, differentiable=False, ufunc=ufunc,
               forward=lambda xp, self, other: ufunc(self, other))
    if dunder:
        setattr(Tensor, dunder, op.fn)
    if rdunder:
        setattr(Tensor, rdunder, lambda self, other: op.fn(other, self))
    return op


logical_and = _logic("logical_and", np.logical_and)
logical_or = _logic("logical_or", np.logical_or)
logical_xor = _logic("logical_xor", np.logical_xor)
logical_not = defop("logical_not", differentiable=False, ufunc=np.logical_not,
                    forward=lambda xp, self: xp.logical_not(self))


def _bitwise_fwd(ufunc):
    def f(xp, self, other):
        if np.result_type(self).kind == "f" or np.result_type(other).kind == "f":
            raise RuntimeError(f'"{ufunc.__name__}_cpu" not implemented for \'Float\'')
        return ufunc(self, other)
    return f


bitwise_and = defop("bitwise_and", promote="promote", broadcast=True, differentiable=False,
                    ufunc=np.bitwise_and, forward=_bitwise_fwd(np.bitwise_and))
bitwise_or = defop("bitwise_or", promote="promote", broadcast=True, differentiable=False,
                   ufunc=np.bitwise_or, forward=_bitwise_fwd(np.bitwise_or))
bitwise_xor = defop("bitwise_xor", promote="promote", broadcast=True, differentiable=False,
                    ufunc=np.bitwise_xor, forward=_bitwise_fwd(np.bitwise_xor))
bitwise_not = defop("bitwise_not", differentiable=False, ufunc=np.invert,
                    forward=lambda xp, self: xp.invert(self))
for _d, _op in (("and", bitwise_and), ("or", bitwise_or), ("xor", bitwise_xor)):
    setattr(Tensor, f"__{_d}__", _op.fn)
    setattr(Tensor, f"__r{_d}__", (lambda o: lambda self, other: o.fn(other, self))(_op))
    setattr(Tensor, f"__i{_d}__", _op.fn_ if _op.inplace else _op.fn)
Tensor.__invert__ = bitwise_not.fn

isnan = defop("isnan", differentiable=False, ufunc=np.isnan, forward=lambda xp, self: xp.isnan(self))
isinf = defop("isinf", differentiable=False, ufunc=np.isinf, forward=lambda xp, self: xp.isinf(self))
isfinite = defop("isfinite", differentiable=False, ufunc=np.isfinite,
                 forward=lambda xp, self: xp.isfinite(self))
isposinf = defop("isposinf", differentiable=False, forward=lambda xp, self: xp.isposinf(self))
isneginf = defop("isneginf", differentiable=False, forward=lambda xp, self: xp.isneginf(self))


@export
def equal(input, other):
    """Same as `torch.equal`: same shape and same values."""
    return bool(input.shape == other.shape and np.array_equal(input._data, other._data))


@export
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Same as `torch.isclose`."""
    from ..tensor import _wrap
    b = other._data if isinstance(other, Tensor) else other
    return _wrap(np.isclose(input._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


@export
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Same as `torch.allclose`."""
    b = other._data if isinstance(other, Tensor) else other
    return bool(np.allclose(input._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
