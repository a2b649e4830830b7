"""dtype objects, the default dtype, and torch's type-promotion rules.

A retrograd dtype wraps a NumPy dtype. Promotion follows torch, which differs
from NumPy in two ways: a higher category (bool < integer < floating < complex)
always wins with its own dtype (`float16 + int64` is float16), and operands
take part in three tiers -- tensors with dimensions, zero-dim tensors, Python
scalars -- where a lower tier only matters when its category is higher.
"""
import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype", "promote_types",
           "result_type", "can_cast", "finfo", "iinfo"]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """Same as `torch.dtype`."""
    __slots__ = ("_name", "np", "itemsize", "is_floating_point", "is_complex",
                 "is_signed", "_cat", "__weakref__")

    def __init__(self, name, np_dtype, cat):
        self._name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._cat = cat
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = self.np.kind in "ifc"

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_by_name, (self._name,))

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float16: complex64, float32: complex64, float64: complex128}.get(self, self)


float16 = dtype("float16", np.float16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool_ = dtype("bool", np.bool_, _BOOL)

ALL = (float16, float32, float64, complex64, complex128, int8, int16, int32, int64, uint8, bool_)
# torch's aliases, exported at the top level
ALIASES = {"half": float16, "float": float32, "double": float64, "cfloat": complex64,
           "cdouble": complex128, "short": int16, "int": int32, "long": int64}

_from_np = {d.np: d for d in ALL}
_names = {d._name: d for d in ALL}


def _by_name(name):
    return _names[name]


def from_numpy_dtype(np_dtype):
    """The retrograd dtype of a NumPy dtype; TypeError for ones torch lacks."""
    try:
        return _from_np[np_dtype]
    except KeyError:
        d = np.dtype(np_dtype)
        if d in _from_np:
            return _from_np[d]
        raise TypeError(f"can't convert np.ndarray of type numpy.{d.name}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, "
                        "int32, int16, int8, uint8, and bool.") from None


def to_dtype(d):
    """Accept a retrograd dtype, a NumPy dtype/type or a Python type (float, int, bool)."""
    if type(d) is dtype:
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return complex128
    return from_numpy_dtype(np.dtype(d))


_default = [float32]


def get_default_dtype():
    """Same as `torch.get_default_dtype`."""
    return _default[0]


def set_default_dtype(d):
    """Same as `torch.set_default_dtype`: only float32 and float64 (and float16) are allowed."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_complex():
    return complex128 if _default[0] is float64 else complex64


def promote_types(a, b):
    """Same as `torch.promote_types`: within a category NumPy's rule, across categories the higher wins."""
    if a is b:
        return a
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi._cat == _COMPLEX and lo._cat == _FLOAT:
            return complex128 if lo is float64 or hi is complex128 else hi
        return hi
    return _from_np[np.promote_types(a.np, b.np)]


def _combine(higher, lower):
    # torch's combine_categories (c10/core/ScalarType.h, TensorIterator's ResultTypeState)
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher is bool_ or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x):
    """The dtype torch gives a Python number taking part in an op (a 'wrapped number')."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _default[0]
    if isinstance(x, complex):
        return default_complex()
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def result_type(*operands):
    """Same as `torch.result_type`, over tensors and Python scalars (torch's three tiers)."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "_data", None)
        if d is None:
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
        elif d.ndim:
            s = _from_np[d.dtype]
            dim = s if dim is None else promote_types(dim, s)
        else:
            s = _from_np[d.dtype]
            zero = s if zero is None else promote_types(zero, s)
    return _combine(dim, _combine(zero, wrapped))


def can_cast(from_, to):
    """Same as `torch.can_cast`: no casting down a category (float -> int, anything -> bool)."""
    return from_._cat <= to._cat


class finfo:
    """Same as `torch.finfo`."""

    def __init__(self, type=None):
        self.dtype = get_default_dtype() if type is None else to_dtype(type)
        fi = np.finfo(self.dtype.np)
        self.bits, self.eps, self.max, self.min = fi.bits, float(fi.eps), float(fi.max), float(fi.min)
        self.tiny = self.smallest_normal = float(fi.tiny)
        self.resolution = float(fi.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:.6e}, max={self.max:.6e}, "
                f"eps={self.eps:.6e}, smallest_normal={self.tiny:.6e}, tiny={self.tiny:.6e}, "
                f"dtype={self.dtype._name})")


class iinfo:
    """Same as `torch.iinfo`."""

    def __init__(self, type):
        self.dtype = to_dtype(type)
        ii = np.iinfo(self.dtype.np)
        self.bits, self.max, self.min = ii.bits, int(ii.max), int(ii.min)

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype._name})"
