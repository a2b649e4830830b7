"""Complex-number ops: conj, real/imag, angle, sgn, complex, polar, and the conjugate transposes.

Derivatives follow torch's derivatives.yaml and its convention for complex
gradients (Note [Complex autograd] in ops/complex_grad.py). view_as_real and
view_as_complex live with the other views in ops/shape.py.

# Note [Conjugate bit]
torch's `conj()` is lazy: a view with a "conjugate bit" that later ops resolve.
NumPy has no such view, so retrograd's `conj()` returns a conjugated copy; it
still records ConjBackward0 and answers `is_conj()` as torch does for the
result (and `resolve_conj()` clones it, as torch's CloneBackward0). Unlike
torch, writing in place into a conj() result does not change its base, and
views of it do not carry the bit.
"""
import math
import warnings

import numpy as np

from .registry import defop, export, UFUNCS, LINEAR, ELEMENTWISE
from . import complex_grad as _cx
from ..tensor import Tensor
from .. import _errors


def _is_c(t):
    return t._data.dtype.kind == "c"


# ------------------------------------------------------------------ conj

conj_op = defop("conj", node="ConjBackward0", export=False, jvp=LINEAR, complex="same",
                forward=lambda xp, self: xp.conj(self),
                self=lambda grad: _cx.conj(grad))

conj_physical_op = defop("conj_physical", node="ConjPhysicalBackward0", export=False, jvp=LINEAR,
                         complex="same", forward=lambda xp, self: xp.conj(self),
                         self=lambda grad: _conj_physical(grad))


def _conj_physical(g):
    return conj_physical(g) if isinstance(g, Tensor) else _cx.conj(g)


@export
def conj(input):
    """Same as `torch.conj`: the input itself for a real tensor. See Note [Conjugate bit]."""
    if not _is_c(input):
        return input
    r = conj_op.fn(input)
    if not input.is_conj():
        r._conj_bit = True
    return r


@export
def conj_physical(input):
    """Same as `torch.conj_physical`: the input itself for a real tensor."""
    return conj_physical_op.fn(input) if _is_c(input) else input


@export
def resolve_conj(input):
    """Same as `torch.resolve_conj`: a clone of a tensor whose conjugate bit is set, else itself."""
    from .shape import clone
    return clone(input) if input.is_conj() else input


@export
def resolve_neg(input):
    """Same as `torch.resolve_neg`: retrograd has no negative bit, so always the input."""
    return input


@export
def is_conj(input):
    """Same as `torch.is_conj`. See Note [Conjugate bit]."""
    return input.__dict__.get("_conj_bit", False)


@export
def is_neg(input):
    """Same as `torch.is_neg`: always False (retrograd has no negative bit)."""
    return False


@export(method=False)
def is_complex(input):
    """Same as `torch.is_complex`."""
    return _is_c(input)


UFUNCS[np.conjugate] = conj           # np.conj(tensor), as formulas write it on both paths


# ------------------------------------------------------------------ real / imag

def real(input):
    """Same as `torch.real`: a view of the real parts (the input itself for a real tensor)."""
    if not _is_c(input):
        return input
    from .shape import view_as_real_op
    return view_as_real_op.fn(input).select(-1, 0)      # torch's composite: SelectBackward0


def imag(input):
    """Same as `torch.imag`: a view of the imaginary parts."""
    if not _is_c(input):
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    from .shape import view_as_real_op
    return view_as_real_op.fn(input).select(-1, 1)


def _set_real(self, value):
    real(self).copy_(value)


def _set_imag(self, value):
    imag(self).copy_(value)


export(real, method=False)
export(imag, method=False)
Tensor.real = property(real, _set_real)
Tensor.imag = property(imag, _set_imag)


# ------------------------------------------------------------------ angle, sgn

def _angle_fwd(xp, self):
    if self.dtype.kind == "c":
        return xp.angle(self)
    # torch: pi for negative numbers, 0 otherwise (also -0.0), nan stays nan
    return xp.where(self < 0, self.dtype.type(math.pi), xp.where(self != self, self, 0)).astype(self.dtype, copy=False)


def _angle_backward(grad, self):
    # torch's angle_backward: i z / |z|^2 (0 at 0) for complex; a zero gradient for real
    if not _cx.is_complex(self):
        return np.zeros_like(grad)
    return np.where(self == 0, 0, grad * self / (abs(self) ** 2) * 1j)


def _angle_jvp(self_t, self):
    # the real-linear map t -> Im(conj(z) t) / |z|^2 (torch: angle_backward(t.conj(), z).conj())
    if not _cx.is_complex(self):
        return self_t * 0
    return np.where(self == 0, 0, (_cx.conj(self) * self_t).imag / (abs(self) ** 2))


angle_op = defop("angle", node="AngleBackward0", promote="float", complex="same", jvp=_angle_jvp,
                 forward=_angle_fwd, self=_angle_backward)


def _sgn_fwd(xp, self):
    if self.dtype.kind == "b":
        return self.copy()
    return xp.sign(self)               # NumPy 2: z / |z| for complex, 0 at 0


def _sgn_backward(grad, self, result):
    # torch's sgn_backward: (g - sgn^2 conj(g)) / (2 |z|), 0 at 0 -- zero for real inputs
    return np.where(self == 0, 0, (grad - result * result * _cx.conj(grad)) / (2 * abs(self)))


# the map is self-adjoint (Re<g, J t> = Re<J g, t>), so the same formula is its JVP
sgn_op = defop("sgn", node="SgnBackward0", inplace=True, complex="same", jvp=ELEMENTWISE,
               forward=_sgn_fwd, self=_sgn_backward)


# ------------------------------------------------------------------ complex, polar

_COMPLEX_OF = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def _from_parts(xp, real, imag):
    real, imag = xp.broadcast_arrays(real, imag)
    out = xp.empty(real.shape, _COMPLEX_OF[real.dtype])
    out.real = real                 # not real + 1j * imag: 1j * inf would be nan + inf j
    out.imag = imag
    return out


# torch's node saves both inputs (`_saved_real`, `_saved_imag`) though its formulas need neither
complex_op = defop("complex", node="ComplexBackward0", broadcast=True, export=False, jvp=LINEAR,
                   complex="same", forward=_from_parts,
                   real=lambda grad, real, imag: grad.real, imag=lambda grad, real, imag: grad.imag)


def _polar_jvp(abs_t, angle_t, angle, result):
    # torch: abs_t e^(i angle) + i angle_t result
    return polar(abs_t, angle) + result * angle_t * 1j


polar_op = defop("polar", node="PolarBackward0", broadcast=True, export=False, complex="same",
                 jvp=_polar_jvp,
                 forward=lambda xp, abs, angle: _from_parts(xp, abs * xp.cos(angle), abs * xp.sin(angle)),
                 abs=lambda grad, result: _cx.real(_cx.conj(grad) * _cx.sgn(result)),
                 angle=lambda grad, result: _cx.real(_cx.conj(grad) * (result * 1j)))


def _check_parts(name, a, b):
    for arg, pos, t in (("real" if name == "complex" else "abs", 1, a),
                        ("imag" if name == "complex" else "angle", 2, b)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(t).__name__}")
    da, db = a._data.dtype, b._data.dtype
    if da not in _COMPLEX_OF or db not in _COMPLEX_OF:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_errors.scalar_name(da)} and {_errors.scalar_name(db)}")
    if da != db:
        raise RuntimeError(f"Expected object of scalar type {_errors.scalar_name(da)} but got scalar type "
                           f"{_errors.scalar_name(db)} for second argument")


@export(method=False)
def complex(real, imag, *, out=None):
    """Same as `torch.complex`: real + i imag (float32 -> complex64, float64 -> complex128)."""
    _check_parts("complex", real, imag)
    return complex_op.fn(real, imag)


@export(method=False)
def polar(abs, angle, *, out=None):
    """Same as `torch.polar`: abs * (cos(angle) + i sin(angle))."""
    _check_parts("polar", abs, angle)
    return polar_op.fn(abs, angle)


# ------------------------------------------------------------------ conjugate transposes

def _mH(self):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got "
                           f"{self._data.ndim}-D tensor.")
    return conj(self.transpose(-2, -1))


def _H(self):
    nd = self._data.ndim
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
        return conj(self)
    if nd != 2:
        hint = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{hint}")
    return conj(self.transpose(0, 1))


@export
def adjoint(input):
    """Same as `torch.adjoint`: the conjugate transpose of the last two dimensions."""
    return _mH(input)


Tensor.mH = property(_mH)
Tensor.H = property(_H)
