"""torch's error messages, built in one place so every raise matches torch word for word."""

_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}
_SCALAR_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
NOT_SCALAR = "grad can be implicitly created only for scalar outputs"
HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
        "with torch.autograd.set_detect_anomaly(True, check_nan=False).")


def type_name(np_dtype):
    """torch's legacy type string, e.g. 'torch.FloatTensor'."""
    return "torch." + _TYPE_NAMES[np_dtype.name]


def scalar_name(np_dtype):
    """torch's ScalarType name, e.g. 'Float' for float32."""
    return _SCALAR_NAMES[np_dtype.name]


def shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def modified_saved(node, i, now, expected):
    """torch's error for a saved tensor modified in place (raised at backward)."""
    from .tensor import Tensor
    t = node._saved_t[i]
    name = node._saved_names[i]
    if type(t) is list:                      # a saved output of `node` itself
        arr = node._saved[i]
        j = node._out_names.index(name)
        origin = f", which is output {j} of {_op_name(node)},"
        return RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{type_name(arr.dtype)} {shape_str(arr.shape)}]{origin} is at version {now}; "
            f"expected version {expected} instead. {_hint()}")
    assert isinstance(t, Tensor)
    origin = ""
    e = t._edge
    if e is not None and e[0] is not None:
        origin = f", which is output {e[1]} of {_op_name(e[0])},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name(t._data.dtype)} {shape_str(t._data.shape)}]{origin} is at version "
        f"{now}; expected version {expected} instead. {_hint()}")


def modified_saved_tensor(t, expected):
    """The same error, for one tensor of a saved sequence (cat, stack)."""
    origin = ""
    e = t._edge
    if e is not None and e[0] is not None:
        origin = f", which is output {e[1]} of {_op_name(e[0])},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name(t._data.dtype)} {shape_str(t._data.shape)}]{origin} is at version "
        f"{t._vc[0]}; expected version {expected} instead. {_hint()}")


def _op_name(node):
    name = type(node).__name__
    for suffix in ("Backward0", "Backward1", "Backward2", "Backward"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def broadcast_mismatch(sa, sb):
    """torch's message for shapes that do not broadcast (a and b right-aligned)."""
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for k in range(n - 1, -1, -1):
        if pa[k] != pb[k] and pa[k] != 1 and pb[k] != 1:
            return RuntimeError(f"The size of tensor a ({pa[k]}) must match the size of tensor b "
                                f"({pb[k]}) at non-singleton dimension {k}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


def dim_out_of_range(dim, ndim):
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    return IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")


def modified_output(node, arr, nr, now, expected):
    """The same error, for a saved output of a custom Function."""
    name = _op_name(node)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name(arr.dtype)} {shape_str(arr.shape)}], which is output {nr} of {name}, "
        f"is at version {now}; expected version {expected} instead. {_hint()}")


def _hint():
    from .autograd.anomaly_mode import hint
    return hint()
