"""The op families. Importing this package registers every op (ops/registry.py)."""
from . import arith, pointwise, reduce, sort, scan, shape, join, index, linalg, views, nn, conv, scatter  # noqa: F401  (registration happens on import)
from . import complex_ops  # noqa: F401
from .registry import OPS, FUNCTIONS

globals().update(FUNCTIONS)
from .numpy_compat import FUNCS as _np_funcs  # noqa: F401


def copy_into(dst, src):
    """`dst.copy_(src)`, used by the engine for `.grad` under create_graph."""
    return dst.copy_(src)
