"""NumPy functions on Tensors (`np.cos(t)`, `np.sum(t, axis=0)`) run retrograd's ops.

This is what lets one backward formula serve both paths (Note [One formula, two
paths] in registry.py): on the graph path a formula's `np.xxx` calls arrive
here with Tensors and are dispatched to the differentiable op.
"""
import numpy as np

from .registry import UFUNCS, FUNCTIONS
from ..tensor import Tensor

FUNCS = {}     # NumPy function -> implementation taking NumPy's arguments


def implements(np_func):
    def deco(f):
        FUNCS[np_func] = f
        return f
    return deco


def array_ufunc(ufunc, method, inputs, kwargs):
    if method != "__call__" or kwargs.get("out") is not None:
        return NotImplemented
    f = UFUNCS.get(ufunc)
    if f is None:
        return NotImplemented
    return f(*inputs)


def array_function(func, args, kwargs):
    f = FUNCS.get(func)
    if f is None:
        return NotImplemented
    return f(*args, **kwargs)


@implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False):
    return FUNCTIONS["sum"](a, axis, keepdims)


@implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False):
    return FUNCTIONS["mean"](a, axis, keepdims)


@implements(np.broadcast_to)
def _broadcast_to(array, shape, subok=False):
    return array.expand(*shape)


@implements(np.expand_dims)
def _expand_dims(a, axis):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = a.ndim + len(axes)                  # NumPy: negative axes count in the result
    axes = sorted(ax % nd for ax in axes)
    for ax in axes:
        a = a.unsqueeze(ax)
    return a


@implements(np.where)
def _where(condition, x=None, y=None):
    return FUNCTIONS["where"](condition, x, y)
