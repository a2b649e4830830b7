"""repr/str of tensors, formatted exactly as torch 2.13 formats them.

The rules are torch's (torch/_tensor_str.py); the work is done on NumPy
arrays. Printing has three steps:

1. A formatter looks at the values that will be printed (all of them, or only
   the edges when the tensor is summarised) and picks one mode for the whole
   tensor: integer-valued floats (`1.`), fixed point with `precision` digits
   (`0.1000`), or scientific (`1.0000e-08`), and one common width.
2. The layout prints rows of that width, wraps them at `linewidth`, and nests
   the brackets with torch's indentation (a blank line between blocks of 3-D
   and up).
3. Suffixes follow in torch's order: device, size, dtype, grad_fn or
   requires_grad, tangent; a suffix that would pass `linewidth` goes on its
   own line.

Values are formatted from Python floats (the exact value of a float16/32
element), as torch does with `.item()` and `.tolist()`, so rounding agrees.
"""
import math

import numpy as np

from .backend import to_numpy
from .dtypes import bool_, default_complex, from_numpy_dtype, get_default_dtype, int64

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


class _PrintOptions:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Same as `torch.set_printoptions`.

    As in torch, `sci_mode` is always set (omitting it restores automatic choice),
    and an unknown `profile` is ignored.

    >>> import retrograd as torch
    >>> torch.set_printoptions(precision=2)
    >>> torch.tensor([1.12345])
    tensor([1.12])
    >>> torch.set_printoptions(profile="default")
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """Same as `torch._tensor_str.get_printoptions`: the options as keyword arguments of `set_printoptions`.

    >>> get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


class printoptions:
    """Same as `torch._tensor_str.printoptions`: set print options for a `with` block."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._old = None

    def __enter__(self):
        self._old = get_printoptions()
        set_printoptions(**self._kwargs)

    def __exit__(self, *exc):
        set_printoptions(**self._old)
        return False


# ---------------------------------------------------------------- formatting values
class _Formatter:
    """One mode and one width for all the values of a tensor (torch's `_Formatter`).

    `values` is a flat array of the values that will be printed. `fmt(v)` turns
    one Python value into its padded text.
    """
    __slots__ = ("width", "fmt")

    def __init__(self, values):
        width = 1
        if values.dtype.kind != "f":
            # bool and integers: Python's str, right-aligned to the longest.
            if values.size:
                width = max(width, max(map(len, map(str, values.tolist()))))
            self.width = width
            self.fmt = lambda v: str(v).rjust(width)
            return
        p = PRINT_OPTS.precision
        finite = values[np.isfinite(values) & (values != 0)]
        int_mode, sci_mode = True, False
        if finite.size:
            int_mode = bool(np.all(np.ceil(finite) == finite))
            magnitudes = np.abs(finite)
            lo, hi = float(magnitudes.min()), float(magnitudes.max())
            sci_mode = PRINT_OPTS.sci_mode
            if sci_mode is None:
                sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            # Only nonzero finite values set the width: zeros and nan/inf are
            # padded to it (or overflow it, as `-0.0000` and `nan` can).
            if sci_mode:
                spec, extra = f".{p}e", 0
            elif int_mode:
                spec, extra = ".0f", 1      # the "." that follows
            else:
                spec, extra = f".{p}f", 0
            width = max(width, max(len(format(v, spec)) for v in finite.tolist()) + extra)
        self.width = width
        if sci_mode:
            spec = f"{width}.{p}e"
            self.fmt = lambda v: format(v, spec).rjust(width)
        elif int_mode:
            self.fmt = lambda v: (format(v, ".0f") + ("." if math.isfinite(v) else "")).rjust(width)
        else:
            spec = f".{p}f"
            self.fmt = lambda v: format(v, spec).rjust(width)


def _complex_fmt(real, imag):
    """Text of a complex value from the formatters of the real and imaginary parts."""
    def fmt(v):
        re = real.fmt(v.real)
        im = (imag.fmt(v.imag) + "j").lstrip()
        # a sign is already there for negative numbers and -0.
        return re + im if im[0] in "+-" else re + "+" + im
    return fmt


def _summarized(a):
    """The values a summarised tensor shows, flat (torch's `get_summarized_data`)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a.reshape(-1)
    if a.ndim == 1:
        # With edgeitems=0 this is the whole vector (a[-0:] is everything), as in torch.
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a.reshape(-1)[:0]
    index = [np.r_[0:e, n - e:n] if n > 2 * e else np.arange(n) for n in a.shape]
    return a[np.ix_(*index)].reshape(-1)


# ---------------------------------------------------------------- layout
def _vector_str(a, indent, summarize, fmt, element_length):
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt(v) for v in a[:e].tolist()] + [" ..."] + [fmt(v) for v in a[-e:].tolist()]
    else:
        data = [fmt(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, fmt, element_length):
    if a.ndim == 0:
        return fmt(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt, element_length)
    n, e = a.shape[0], PRINT_OPTS.edgeitems
    if summarize and n > 2 * e:
        rows = [*range(e), None, *range(n - e, n)]
    else:
        rows = range(n)
    slices = ["..." if i is None else _nested_str(a[i], indent + 1, summarize, fmt, element_length)
              for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(a, indent):
    """The bracketed values of a non-empty array, as torch lays them out after `indent` columns."""
    summarize = a.size > PRINT_OPTS.threshold
    shown = _summarized(a) if summarize else a.reshape(-1)
    if a.dtype.kind == "c":
        real, imag = _Formatter(shown.real), _Formatter(shown.imag)
        fmt = _complex_fmt(real, imag)
        element_length = real.width + imag.width + 3     # ", " and "j"
    else:
        formatter = _Formatter(shown)
        fmt = formatter.fmt
        element_length = formatter.width + 2             # ", "
    return _nested_str(a, indent, summarize, fmt, element_length)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    # torch counts the last line this way (two more than its length when there is one line).
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _is_parameter_class(cls):
    return cls.__name__ == "Parameter" and cls.__module__.startswith("retrograd")


def tensor_repr(t, *, tensor_contents=None, tangent=None):
    """`repr(t)` as torch prints it.

    `tensor_contents` replaces the bracketed values (as in torch's `Tensor.__repr__`).
    `tangent`: the forward-mode tangent of `t`, or None; when given, t's repr ends
    with `tangent=<its repr>` (`t` is then the primal, printed with the dual's grad_fn).
    """
    from .tensor import Tensor
    cls = type(t)
    plain = cls is Tensor or _is_parameter_class(cls)
    prefix = "tensor(" if plain else cls.__name__ + "("
    indent = len(prefix)
    a = to_numpy(t._data)
    suffixes = []

    device = t.device
    if device.type != "cpu":
        suffixes.append(f"device='{device}'")

    dtype = from_numpy_dtype(a.dtype)
    default = get_default_dtype()
    if a.size == 0:
        # No values to tell an integer tensor from a float one: the dtype is shown
        # unless it is the default (int64 included).
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default:
            suffixes.append(f"dtype={dtype}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default and dtype is not default_complex() and dtype is not int64 \
                and dtype is not bool_:
            suffixes.append(f"dtype={dtype}")
        body = None if tensor_contents is not None else _tensor_str(a, indent)
    if tensor_contents is not None:
        body = tensor_contents

    edge = t._edge
    grad_fn = edge[0] if edge is not None else None
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        suffixes.append(f"tangent={tangent}")

    text = _add_suffixes(prefix + body, suffixes, indent)
    if not plain and any(_is_parameter_class(c) for c in cls.__mro__):
        text = f"Parameter({text})"
    return text
