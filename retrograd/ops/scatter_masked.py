"""Masked ops and flat indexing: masked_fill, masked_scatter, masked_select, take, put,
take_along_dim. Masks and indices are parameters, as in ops/scatter.py (whose helpers these use)."""
import math

import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from .scatter import _run, _zeros, _total, index_copy_op, gather
from ..tensor import Tensor

def _masked_fill_fwd(xp, self, value, mask=None):
    return xp.where(mask, xp.asarray(value).astype(self.dtype), self)


def _masked_scatter_fwd(xp, self, source, mask=None):
    shape = np.broadcast_shapes(self.shape, mask.shape)
    out = np.array(np.broadcast_to(self, shape))
    m = np.broadcast_to(mask, shape)
    k = int(np.count_nonzero(m))
    if k > source.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[m] = source.reshape(-1)[:k]
    return out


def _masked_select_fwd(xp, self, mask=None):
    s, m = np.broadcast_arrays(self, mask)
    return s[m]


def _put_fwd(xp, self, source, index=None, accumulate=False):
    out = self.copy()
    flat, ix = out.reshape(-1), index.reshape(-1)
    ix = np.where(ix < 0, ix + flat.size, ix)
    if accumulate:
        np.add.at(flat, ix, source.reshape(-1))
    else:
        flat[ix] = source.reshape(-1)
    return out

# ---------------------------------------------------------------- masked ops, take, put

masked_fill_op = defop("masked_fill", node="MaskedFillBackward0", complex="same", export=False, inplace=True,
                       forward=lambda xp, self, value=0, mask=None: _masked_fill_fwd(xp, self, value, mask),
                       self=lambda grad, mask: _run(masked_fill_op, grad, 0, mask),
                       jvp=lambda self_t, mask: masked_fill_op.fn(self_t, 0, mask))

masked_fill_tensor = defop("masked_fill_tensor", node="MaskedFillBackward1", complex="same", export=False, inplace=True,
                           broadcast=True, jvp=LINEAR, forward=_masked_fill_fwd,
                           self=lambda grad, mask: _run(masked_fill_op, grad, 0, mask),
                           value=lambda grad, mask: _total(_run(masked_select_op, grad, mask)))


def _masked_scatter_source_grad(grad, mask, source_sym_sizes):
    sel = _run(masked_select_op, grad, mask)
    numel, k = math.prod(source_sym_sizes), sel.shape[0]
    if numel > k:       # pad with zeros (torch: cat with zeros) to the source's numel
        sel = _run(index_copy_op, _zeros(grad, (numel,)), sel, 0, np.arange(k))
    return sel.reshape(tuple(source_sym_sizes))


masked_scatter_op = defop("masked_scatter", node="MaskedScatterBackward0", complex="same", export=False, inplace=True,
                          broadcast=True, jvp=LINEAR, forward=_masked_scatter_fwd,
                          self=lambda grad, mask: _run(masked_fill_op, grad, 0, mask),
                          source=_masked_scatter_source_grad)

masked_select_op = defop("masked_select", node="MaskedSelectBackward0", complex="same", export=False, jvp=LINEAR,
                         forward=_masked_select_fwd,
                         self=lambda grad, self, mask: _run(masked_scatter_op, _zeros(grad, self.shape), grad, mask))

take_op = defop("take", node="TakeBackward0", complex="same", export=False, jvp=LINEAR,
                forward=lambda xp, self, index=None: xp.asarray(xp.take(self.reshape(-1), index)),
                self=lambda grad, self, index: _run(put_op, _zeros(grad, self.shape), grad, index, True))

put_op = defop("put", node="PutBackward0", complex="same", export=False, inplace=True, jvp=LINEAR, forward=_put_fwd,
               self=lambda grad, index, source, accumulate:
                   grad if accumulate else _run(put_op, grad, _zeros(grad, source.shape), index, False),
               source=lambda grad, index, source: _run(take_op, grad, index).reshape(tuple(source.shape)))


# ---------------------------------------------------------------- public functions

_C_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
            "int64": "long int", "float16": "c10::Half", "float32": "float", "float64": "double",
            "complex64": "c10::complex<float>", "complex128": "c10::complex<double>", "bool": "bool"}


def _mask_shape(input, mask):
    """The broadcast shape of self and mask, with torch's message when they do not broadcast."""
    try:
        return np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        raise _errors.broadcast_mismatch(mask._data.shape, input._data.shape) from None


def _masked_fill(input, mask, value, inplace):
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_C_NAMES[m.dtype.name]}")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    shape = _mask_shape(input, mask)
    if isinstance(value, Tensor):
        return (masked_fill_tensor.fn_ if inplace else masked_fill_tensor.fn)(input, value, m)
    value = value.item() if isinstance(value, np.generic) else value
    if inplace:
        return masked_fill_op.fn_(input, value, m)
    # a one-operand op broadcasts nothing at the edge: a mask larger than self expands self first
    return masked_fill_op.fn(input if shape == input._data.shape else input.expand(*shape), value, m)


@export
def masked_fill(input, mask, value):
    """Same as `torch.masked_fill`: a scalar or a 0-d tensor value; self and mask broadcast."""
    return _masked_fill(input, mask, value, False)


@export(function=False)
def masked_fill_(input, mask, value):
    """Same as `torch.Tensor.masked_fill_`."""
    return _masked_fill(input, mask, value, True)


def _masked_scatter(input, mask, source, inplace):
    m, d, s = mask._data, input._data, source._data
    if m.dtype != np.bool_:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_errors.scalar_name(m.dtype)}")
    if inplace and m.ndim > d.ndim:
        raise RuntimeError(f"expand(CPUBoolType{{{list(m.shape)}}}, size={list(d.shape)}): the number of sizes "
                           f"provided ({d.ndim}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({m.ndim})")
    _mask_shape(input, mask)
    if s.dtype != d.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_errors.scalar_name(d.dtype)} and {_errors.scalar_name(s.dtype)}")
    return (masked_scatter_op.fn_ if inplace else masked_scatter_op.fn)(input, source, m)


@export
def masked_scatter(input, mask, source):
    """Same as `torch.masked_scatter`."""
    return _masked_scatter(input, mask, source, False)


@export(function=False)
def masked_scatter_(input, mask, source):
    """Same as `torch.Tensor.masked_scatter_`."""
    return _masked_scatter(input, mask, source, True)


@export
def masked_select(input, mask):
    """Same as `torch.masked_select`: a 1-D tensor; self and mask broadcast."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _mask_shape(input, mask)
    # the result is 1-D, so the engine cannot undo broadcasting: expand self to the mask first
    return masked_select_op.fn(input if shape == input._data.shape else input.expand(*shape), mask._data)


def _flat_index(name, input, index):
    ix = index._data
    if ix.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got {_errors.scalar_name(ix.dtype)}")
    return ix


def _flat_bounds(ix, n):
    if ix.size:
        bad = (ix < -n) | (ix >= n)
        if bad.any():
            v = ix.reshape(-1)[np.argmax(bad.reshape(-1))]
            raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")


@export
def take(input, index):
    """Same as `torch.take`: `input` as 1-D; negative indices count from the end."""
    ix = _flat_index("take", input, index)
    n = input._data.size
    if n == 0 and ix.size:
        raise IndexError("take(): tried to take from an empty tensor")
    _flat_bounds(ix, n)
    return take_op.fn(input, ix)


def _put(input, index, source, accumulate, inplace):
    ix = _flat_index("put_", input, index)
    d, s = input._data, source._data
    if s.dtype != d.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{_errors.scalar_name(d.dtype)} and source.dtype = {_errors.scalar_name(s.dtype)}")
    if s.size != ix.size:
        raise IndexError("put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {s.size}, index.numel() = {ix.size}")
    _flat_bounds(ix, d.size)
    return (put_op.fn_ if inplace else put_op.fn)(input, source, ix, bool(accumulate))


@export
def put(input, index, source, accumulate=False):
    """Same as `torch.put`."""
    return _put(input, index, source, accumulate, False)


@export(function=False)
def put_(input, index, source, accumulate=False):
    """Same as `torch.Tensor.put_`."""
    return _put(input, index, source, accumulate, True)


@export
def take_along_dim(input, indices, dim=None):
    """Same as `torch.take_along_dim`: gather after broadcasting input and indices (but dim)."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d, ix = input._data, indices._data
    if d.ndim != ix.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {d.ndim} dimensions for input, and {ix.ndim} dimensions for indices")
    if ix.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_errors.scalar_name(ix.dtype)}")
    from .scatter import _wrap_dim
    dim = _wrap_dim(dim, d.ndim)

    def shape_with(a, b):
        s = list(a.shape)
        if s:
            s[dim] = b.shape[dim]
        try:
            return np.broadcast_shapes(tuple(s), b.shape)
        except ValueError:
            raise _errors.broadcast_mismatch(s, b.shape) from None

    ishape, sshape = shape_with(d, ix), shape_with(ix, d)
    if ishape != ix.shape:
        indices = indices.expand(*ishape)
    return gather(input.expand(*sshape), dim, indices)
