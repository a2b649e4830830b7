"""Arithmetic: + - * / ** and negation, with torch's node names and saved values.

Formulas follow torch's tools/autograd/derivatives.yaml. Broadcasting and dtype
promotion are undone by the engine at the edge, never here.
"""
import cmath
import math

import numpy as np

from .registry import defop, export, ELEMENTWISE
from . import complex_grad as _cx
from ..tensor import Tensor
from ..dtypes import result_type, can_cast
from .. import _errors

_one = lambda x: x is None or x == 1

add_op = defop("add", node="AddBackward0", complex="conj", promote="promote", broadcast=True, inplace=True, ufunc=np.add, jvp=ELEMENTWISE,
            export=False,
            forward=lambda xp, self, other, alpha=1: self + other if alpha == 1 else self + other * alpha,
            self=lambda grad: grad,
            other=lambda grad, alpha: grad if alpha == 1 else grad * alpha)

sub_op = defop("sub", node="SubBackward0", complex="conj", promote="promote", broadcast=True, inplace=True, ufunc=np.subtract, jvp=ELEMENTWISE,
            export=False,
            forward=lambda xp, self, other, alpha=1: self - other if alpha == 1 else self - other * alpha,
            self=lambda grad: grad,
            other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)

# `2 - x` is rsub(x, 2): torch records RsubBackward1 for a scalar other, RsubBackward0 for a tensor.
# (torch's rsub.Scalar: the number is saved by nobody and is no input: one edge)
rsub_scalar = defop("rsub_scalar", node="RsubBackward1", complex="conj", export=False, jvp=ELEMENTWISE,
                    forward=lambda xp, self, other=0, alpha=1: other - self if alpha == 1 else other - self * alpha,
                    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)

rsub_tensor = defop("rsub_tensor", node="RsubBackward0", complex="conj", promote="promote", broadcast=True, export=False, jvp=ELEMENTWISE,
                    forward=lambda xp, self, other, alpha=1: other - self if alpha == 1 else other - self * alpha,
                    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
                    other=lambda grad: grad)

mul_op = defop("mul", node="MulBackward0", complex="conj", promote="promote", broadcast=True, inplace=True, ufunc=np.multiply, jvp=ELEMENTWISE,
            export=False,
            forward=lambda xp, self, other: self * other,
            self=lambda grad, other: grad * other,
            other=lambda grad, self: grad * self)

div_op = defop("div", node="DivBackward0", complex="conj", promote="float", broadcast=True, inplace=True, ufunc=np.true_divide, jvp=ELEMENTWISE,
            export=False,
            forward=lambda xp, self, other: self / other,
            self=lambda grad, other: grad / other,
            other=lambda grad, self, other: -grad * self / (other * other))

neg_op = defop("neg", node="NegBackward0", complex="same", inplace=True, ufunc=np.negative, jvp=ELEMENTWISE,
            forward=lambda xp, self: -self,
            self=lambda grad: -grad)


def _pow_self(grad, self, exponent):
    # torch: a zero exponent gives a zero gradient, even where self ** -1 is inf
    if not isinstance(exponent, (np.ndarray, Tensor)):
        return grad * 0 * self if exponent == 0 else grad * (exponent * self ** (exponent - 1))
    return np.where(exponent == 0, 0.0, grad * (exponent * self ** (exponent - 1)))


def _pow_exponent(grad, self, exponent, result):
    # torch: where self == 0 and exponent >= 0 the gradient is 0, not 0 * log(0) = nan
    # (a Python-number base stays a Python number: np.log would make it a float64 scalar,
    # which NumPy lets promote a float32 gradient)
    if _cx.is_complex(exponent):
        # torch: a complex exponent counts as >= 0 when it is real and >= 0; the log is complex
        nonneg = (_cx.real(exponent) >= 0) & (_cx.imag(exponent) == 0)
        log_self = cmath.log(self) if isinstance(self, (int, float, complex)) else np.log(self)
    else:
        nonneg = exponent >= 0
        log_self = math.log(self) if isinstance(self, (int, float)) and self > 0 else np.log(self)
    return grad * np.where((self == 0) & nonneg, 0.0, result * log_self)


def _complex_base(base, exponent):
    """A real number base of a complex exponent, as the complex number torch computes with: its
    log is then the complex log on both sides of the negative axis, conjugated or not (See Note
    [Complex autograd])."""
    if isinstance(base, (int, float)) and isinstance(exponent, Tensor) and exponent._data.dtype.kind == "c":
        return complex(base)
    return base


# torch's pow.Tensor_Scalar: the exponent is a number the node saves, not an input (one edge)
pow_scalar = defop("pow_scalar", node="PowBackward0", complex="conj", inplace=True, export=False, jvp=ELEMENTWISE,
                   forward=lambda xp, self, exponent=1: self ** exponent,
                   self=_pow_self)

pow_tensor = defop("pow_tensor", node="PowBackward1", complex="conj", promote="promote", broadcast=True, export=False, jvp=ELEMENTWISE,
                   forward=lambda xp, self, exponent: self ** exponent,
                   self=_pow_self, exponent=_pow_exponent)

# torch's pow.Scalar: the base is a number the node saves (`_saved_self`), the exponent the one input
pow_scalar_base = defop("pow_scalar_base", node="PowBackward2", complex="conj", export=False, jvp=ELEMENTWISE,
                        forward=lambda xp, exponent, self=1: self ** exponent,
                        exponent=_pow_exponent)


@export
def add(input, other, *, alpha=1, out=None):
    """Same as `torch.add`: input + alpha * other."""
    return add_op.fn(input, other, alpha)


@export
def sub(input, other, *, alpha=1, out=None):
    """Same as `torch.sub`: input - alpha * other."""
    if input._data.dtype.kind == "b" or type(other) is bool or (isinstance(other, Tensor) and other._data.dtype.kind == "b"):
        _no_bool_sub(input, other)
    return sub_op.fn(input, other, alpha)


def _is_bool(v):
    return isinstance(v, (bool, np.bool_)) or (isinstance(v, Tensor) and v._data.dtype.kind == "b")


def _no_bool_sub(a, b):
    """torch's refusal to subtract booleans (tensors or Python bools), checked by sub and rsub."""
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


@export
def rsub(input, other, *, alpha=1):
    """Same as `torch.rsub`: other - alpha * input."""
    if input._data.dtype.kind == "b" or isinstance(other, (bool, np.bool_, Tensor)):
        _no_bool_sub(input, other)
    if isinstance(other, Tensor):
        return rsub_tensor.fn(input, other, alpha)
    other = _number(other)
    return rsub_scalar.fn(_promoted(input, other), other, alpha)


@export
def mul(input, other, *, out=None):
    """Same as `torch.mul`."""
    return mul_op.fn(input, other)


@export
def div(input, other, *, rounding_mode=None, out=None):
    """Same as `torch.div`; `rounding_mode` "trunc" or "floor" gives a zero gradient, as torch."""
    if rounding_mode is None:
        return div_op.fn(input, other)
    from .pointwise import div_rounding
    return div_rounding(input, other, rounding_mode)


@export
def pow(input, exponent, *, out=None):
    """Same as `torch.pow`: PowBackward0 for a scalar exponent, 1 for a tensor, 2 for a scalar base."""
    if not isinstance(input, Tensor):
        return _pow_number_base(input, exponent)
    if isinstance(exponent, Tensor):
        return pow_tensor.fn(input, exponent)
    exponent = _number(exponent)
    _pow_scalar_checks(input, exponent)
    return pow_scalar.fn(_promoted(input, exponent), exponent)


def _number(v):
    """A number operand as torch takes it: NumPy scalars as Python numbers (weak in promotion;
    a np.float64 exponent must not make a float32 result float64)."""
    return v.item() if isinstance(v, np.generic) else v


def _promoted(input, number):
    """`input` in the dtype torch computes `input <op> number` in (int ** 2.5 and 2.5 - int are
    float32, where NumPy would give float64); the common float-with-real-number case costs nothing."""
    if input._data.dtype.kind == "f" and type(number) in (int, float):
        return input
    rt = result_type(input, number)
    return input if rt == input.dtype else input.to(rt)


def _pow_scalar_checks(input, exponent):
    if input._data.dtype.kind in "iub" and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _add_(self, other, *, alpha=1):
    return add_op.fn_(self, other, alpha)


def _sub_(self, other, *, alpha=1):
    _no_bool_sub(self, other)
    return sub_op.fn_(self, other, alpha)


def _mul_(self, other):
    return mul_op.fn_(self, other)


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        from .pointwise import div_rounding
        return self.copy_(div_rounding(self, other, rounding_mode))
    return div_op.fn_(self, other)


def _pow_(self, exponent):
    if isinstance(exponent, Tensor):
        return self.copy_(pow_tensor.fn(self, exponent))
    exponent = _number(exponent)
    _pow_scalar_checks(self, exponent)
    rt = result_type(self, exponent)      # the exponent is no operand: make_inplace's cast check sees only self
    if not can_cast(rt, self.dtype):
        raise RuntimeError(f"result type {_errors.scalar_name(rt.np)} can't be cast to the desired output type "
                           f"{_errors.scalar_name(self._data.dtype)}")
    return pow_scalar.fn_(self, exponent)


for _name, _f in [("add_", _add_), ("sub_", _sub_), ("mul_", _mul_), ("div_", _div_), ("pow_", _pow_),
                  ("__iadd__", _add_), ("__isub__", _sub_), ("__imul__", _mul_), ("__itruediv__", _div_),
                  ("__ipow__", _pow_), ("subtract_", _sub_), ("multiply_", _mul_), ("divide_", _div_),
                  ("true_divide_", _div_)]:
    export(_f, name=_name, function=False)

# Aliases torch has.
for _name, _f in [("subtract", sub), ("multiply", mul), ("divide", div), ("true_divide", div_op.fn)]:
    export(_f, name=_name)


# ------------------------------------------------------------------ operators

def _radd(self, other):
    return add_op.fn(other, self) if isinstance(other, Tensor) else add_op.fn(self, other)


def _rmul(self, other):
    return mul_op.fn(other, self) if isinstance(other, Tensor) else mul_op.fn(self, other)


def _rtruediv(self, other):
    # torch records `2 / x` as reciprocal(x) * 2: ReciprocalBackward0 then MulBackward0
    return mul_op.fn(self.reciprocal(), other)


def _rpow(self, other):
    return _pow_number_base(other, self)


def _pow_number_base(base, exponent):
    base = _complex_base(_number(base), exponent)
    return pow_scalar_base.fn(_promoted(exponent, base), base)


# Operators call the op functions directly: one Python call per `x * y`.
_OPERATORS = {"__add__": add_op.fn, "__radd__": _radd, "__sub__": sub, "__rsub__": rsub,
              "__mul__": mul_op.fn, "__rmul__": _rmul, "__truediv__": div_op.fn,
              "__rtruediv__": _rtruediv, "__pow__": pow, "__rpow__": _rpow, "__neg__": neg_op.fn,
              "__pos__": lambda self: self}
for _name, _f in _OPERATORS.items():
    setattr(Tensor, _name, _f)
