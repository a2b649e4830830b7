"""Indexing: `x[key]` and `x[key] = value`, torch's way, plus copy_/fill_/zero_.

torch takes an index apart left to right (`applySlicing`): an int selects
(SelectBackward0), a slice slices (SliceBackward0; a full `:` does nothing),
None and True/False add a dim (UnsqueezeBackward0), `...` skips dims, and
integer or boolean tensors (and lists) are advanced indices gathered into one
`index` op (IndexBackward0) at the end. retrograd takes the same steps, so
`grad_fn` chains, result shapes and gradients are torch's -- including the
cases where torch and NumPy place advanced-index dims differently
(`x[0, :, [0, 1]]`).

Assignment mirrors it: the basic steps give a view, then `copy_`/`fill_` into
it, or `index_put_` for advanced indices. When nothing needs recording the
same steps run on the arrays directly (no Tensors, no nodes).
"""
import warnings

import numpy as np

from .registry import defop, export
from .dispatch import check_inplace
from ..autograd.grad_mode import state
from ..autograd import forward_ad
from ..backend import xp_of
from ..tensor import Tensor, _wrap

INT64_MAX = 9223372036854775807


def _dual(op):
    """A formula helper: `op`'s forward on arrays, the recorded op on Tensors (so the
    backward of a backward is differentiable again)."""
    fwd = op.forward

    def f(x, *params):
        if isinstance(x, Tensor):
            return op.fn(x, *params)
        return fwd(xp_of(x), x, *params)
    return f


def _select_key(dim, index):
    return (slice(None),) * dim + (index, Ellipsis)       # `...` keeps a 0-d result a view


def _slice_key(dim, start, end, step):
    return (slice(None),) * dim + (slice(start, end, step),)


def _np_key(indices):
    return tuple(slice(None) if i is None else i for i in indices)


# ------------------------------------------------------------------ view ops

def _select_bw_fwd(xp, grad_output, input_sizes=(), dim=0, index=0):
    z = xp.zeros(input_sizes, grad_output.dtype)
    z[_select_key(dim, index)] = grad_output
    return z


def _slice_bw_fwd(xp, grad_output, input_sizes=(), dim=0, start=0, end=INT64_MAX, step=1):
    z = xp.zeros(input_sizes, grad_output.dtype)
    z[_slice_key(dim, start, end, step)] = grad_output
    return z


select_op = defop("select", node="SelectBackward0", complex="same", view=True, export=False, jvp="linear",
                  forward=lambda xp, self, dim=0, index=0: self[_select_key(dim, index)],
                  self=lambda grad, self_sym_sizes, dim, index: _select_bw(grad, self_sym_sizes, dim, index))
slice_op = defop("slice", node="SliceBackward0", complex="same", view=True, export=False, jvp="linear",
                 forward=lambda xp, self, dim=0, start=0, end=INT64_MAX, step=1: self[_slice_key(dim, start, end, step)],
                 self=lambda grad, self_sym_sizes, dim, start, end, step:
                     _slice_bw(grad, self_sym_sizes, dim, start, end, step))
select_backward_op = defop("select_backward", node="SelectBackwardBackward0", complex="same", export=False, jvp="linear",
                           forward=_select_bw_fwd,
                           grad_output=lambda grad, dim, index: _select(grad, dim, index))
slice_backward_op = defop("slice_backward", node="SliceBackwardBackward0", complex="same", export=False, jvp="linear",
                          forward=_slice_bw_fwd,
                          grad_output=lambda grad, dim, start, end, step: _slice(grad, dim, start, end, step))
_select, _slice = _dual(select_op), _dual(slice_op)
_select_bw, _slice_bw = _dual(select_backward_op), _dual(slice_backward_op)


@export
def select(input, dim, index):
    """Same as `torch.select`: a view without dimension `dim`, at `index`."""
    from ..tensor import _wrap_dim
    d = _wrap_dim(dim, input._data.ndim)
    return select_op.fn(input, d, _check_index(index, d, input._data.shape))


def _check_index(i, dim, shape):
    n = shape[dim]
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")
    return i


# ------------------------------------------------------------------ advanced indexing

def _index_fwd(xp, self, indices=()):
    return self[_np_key(indices)]


def _index_put_fwd(xp, self, values, indices=(), accumulate=False):
    key = _np_key(indices)
    out = self.copy()
    target = out[key].shape
    try:
        vb = xp.broadcast_to(values, target)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(values))} cannot be "
                           f"broadcast to indexing result of shape {list(target)}") from None
    if accumulate:
        np.add.at(out, key, vb) if xp is np else xp.add.at(out, key, vb)
    else:
        out[key] = vb
    return out


def _index_backward(grad, self_sym_sizes, indices):
    if isinstance(grad, Tensor):
        from ..creation import zeros
        z = zeros(self_sym_sizes, dtype=grad.dtype, device=grad.device)
        return index_put_op.fn(z, grad, indices, True)
    xp = xp_of(grad)
    z = xp.zeros(self_sym_sizes, grad.dtype)
    np.add.at(z, _np_key(indices), grad) if xp is np else xp.add.at(z, _np_key(indices), grad)
    return z


def _put_self_grad(grad, indices, accumulate):
    if accumulate:
        return grad
    if isinstance(grad, Tensor):
        from ..creation import zeros
        return index_put_op.fn(grad, zeros((), dtype=grad.dtype, device=grad.device), indices, False)
    g = grad.copy()
    g[_np_key(indices)] = 0
    return g


index_op = defop("index", node="IndexBackward0", complex="same", export=False, jvp="linear", forward=_index_fwd,
                 self=_index_backward)
index_put_op = defop("index_put", node="IndexPutBackward0", complex="same", broadcast=True, inplace=True, export=False,
                     jvp="linear", forward=_index_put_fwd,
                     self=lambda grad, indices, accumulate: _put_self_grad(grad, indices, accumulate),
                     values=lambda grad, indices: _dual(index_op)(grad, indices))


def _as_indices(indices):
    return tuple(None if i is None else (i._data if isinstance(i, Tensor) else np.asarray(i)) for i in indices)


@export
def index_put(input, indices, values, accumulate=False):
    """Same as `torch.index_put`: `indices` is a tuple of index tensors (or None) per dim."""
    return index_put_op.fn(input, _value_tensor(values, input), _as_indices(indices), accumulate)


@export(name="index_put_", function=False)
def _index_put_(self, indices, values, accumulate=False):
    return index_put_op.fn_(self, _value_tensor(values, self), _as_indices(indices), accumulate)


def _value_tensor(v, like):
    if isinstance(v, Tensor):
        return v
    return _wrap(np.asarray(v, dtype=like._data.dtype))


# ------------------------------------------------------------------ parsing a key

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
              "indices (got {})")


def _seq_as_tuple(key):
    """torch treats a list holding slices, None, `...`, sequences or tensors as a tuple (deprecated)."""
    if len(key) >= 32:
        return False
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, (slice, list, tuple, Tensor)):
            return True
    return False


def _parse(key, shape):
    """torch's steps for `key` on a tensor of `shape`: basic steps
    ("select", dim, i) / ("slice", dim, start, end, step) / ("unsqueeze", dim), and advanced
    indices [(dim, int array)], dims counted on the result of the basic steps."""
    if not isinstance(key, tuple):
        if isinstance(key, list) and _seq_as_tuple(key):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will "
                          "be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 "
                          "this will be interpreted as tensor index, x[torch.tensor(seq)], which will result "
                          "either in an error or a different result", UserWarning, stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    items = []
    consumed = 0
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
        elif isinstance(k, (list, tuple)):
            k = np.array(k)
            if k.dtype == object or k.dtype.kind not in "biu":
                if k.size == 0:
                    k = k.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if isinstance(k, np.ndarray) or (hasattr(k, "__cuda_array_interface__") and hasattr(k, "dtype")):
            kind = k.dtype.kind
            if kind == "b" or k.dtype == np.uint8:
                consumed += max(k.ndim, 1) if k.ndim else 0
            elif kind in "iu":
                consumed += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif k is None or k is Ellipsis or isinstance(k, (bool, np.bool_)):
            pass
        elif isinstance(k, (int, np.integer, slice)):
            consumed += 1
        else:
            if isinstance(k, str):
                raise TypeError("new(): invalid data type 'str'")
            raise IndexError(_BAD_INDEX.format(type(k).__name__))
        items.append(k)
    ndim = len(shape)
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    shape = list(shape)
    steps, adv = [], []
    dim = 0
    seen_ellipsis = False
    for k in items:
        if k is Ellipsis:
            if not seen_ellipsis:          # torch: a later `...` stands for no dims
                dim += ndim - consumed
            seen_ellipsis = True
        elif k is None:
            steps.append(("unsqueeze", dim))
            shape.insert(dim, 1)
            dim += 1
        elif isinstance(k, (bool, np.bool_)):
            steps.append(("unsqueeze", dim))
            shape.insert(dim, 1)
            adv.append((dim, np.zeros(1 if k else 0, np.int64)))
            dim += 1
        elif isinstance(k, (int, np.integer)):
            i = int(k)
            _check_index(i, dim, shape)
            steps.append(("select", dim, i))
            del shape[dim]
        elif isinstance(k, slice):
            start, stop, step = k.start, k.stop, k.step
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            if start is not None or stop is not None or (step is not None and step != 1):
                steps.append(("slice", dim, 0 if start is None else _int(start),
                              INT64_MAX if stop is None else _int(stop), 1 if step is None else _int(step)))
                shape[dim] = len(range(*slice(start, stop, step).indices(shape[dim])))
            dim += 1
        elif k.dtype.kind == "b" or k.dtype == np.uint8:
            k = k.astype(bool, copy=False)
            if k.ndim == 0:
                steps.append(("unsqueeze", dim))
                shape.insert(dim, 1)
                adv.append((dim, np.zeros(1 if bool(k) else 0, np.int64)))
                dim += 1
                continue
            for j in range(k.ndim):
                if k.shape[j] != shape[dim + j]:
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {j} does not match the "
                                     f"shape of the indexed tensor {shape} at index {dim + j}")
            for j, nz in enumerate(k.nonzero()):
                adv.append((dim + j, nz))
            dim += k.ndim
        else:
            if k.ndim == 0 and not adv:
                i = int(k)
                _check_index(i, dim, shape)
                steps.append(("select", dim, i))
                del shape[dim]
                continue
            n = shape[dim]
            if k.size and (k.max() >= n or k.min() < -n):
                bad = k.max() if k.max() >= n else k.min()
                raise IndexError(f"index {int(bad)} is out of bounds for dimension {dim} with size {n}")
            adv.append((dim, k.astype(np.int64, copy=False) if k.dtype != np.int64 else k))
            dim += 1
    return steps, adv


def _int(v):
    if isinstance(v, Tensor):
        return int(v.item())
    return int(v)


def _indices(adv):
    """The `indices` tuple of the index op: one entry per leading dim, None where not indexed."""
    n = max(d for d, _ in adv) + 1
    out = [None] * n
    for d, a in adv:
        out[d] = a
    return tuple(out)


def _apply(steps, t):
    """Run basic steps on a Tensor (recorded view ops)."""
    from .shape import unsqueeze_op
    for s in steps:
        if s[0] == "select":
            t = select_op.fn(t, s[1], s[2])
        elif s[0] == "slice":
            t = slice_op.fn(t, s[1], s[2], s[3], s[4])
        else:
            t = unsqueeze_op.fn(t, s[1])
    return t


def _apply_arrays(steps, a):
    for s in steps:
        if s[0] == "select":
            a = a[_select_key(s[1], s[2])]
        elif s[0] == "slice":
            a = a[_slice_key(s[1], s[2], s[3], s[4])]
        else:
            a = a[(slice(None),) * s[1] + (None,)]
    return a


# ------------------------------------------------------------------ x[key]

def getitem(self, key):
    """Same as `torch.Tensor.__getitem__`."""
    if type(key) is int:                       # the common case: one select
        return select_op.fn(self, 0, _check_index(key, 0, self._data.shape) if self._data.ndim else
                            _too_many(self))
    steps, adv = _parse(key, self._data.shape)
    t = _apply(steps, self)
    if adv:
        t = index_op.fn(t, _indices(adv))
    elif t is self:
        from .shape import alias_op
        t = alias_op.fn(self)                  # x[...], x[()]
    return t


def _too_many(self):
    raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                     "C++ to convert a 0-dim tensor to a number")


# ------------------------------------------------------------------ x[key] = value

def setitem(self, key, value):
    """Same as `torch.Tensor.__setitem__`: copy_/fill_ into a view, or index_put_."""
    if self._data.ndim == 0 and type(key) is int:
        _too_many(self)
    vt = isinstance(value, Tensor)
    steps, adv = _parse(key, self._data.shape)
    if not (state.grad_enabled and (self._rg or (vt and value._rg))) and not forward_ad.active[0]:
        # nothing to record: the same steps on the arrays
        check_inplace(self)
        a = _apply_arrays(steps, self._data)
        v = value._data if vt else value
        idx = _np_key(_indices(adv)) if adv else Ellipsis
        try:
            a[idx] = v
        except ValueError as e:
            if "read-only" in str(e):
                from .dispatch import _write
                _write(a, v)
            raise _shape_error(v, a[idx].shape, adv) from None
        self._vc[0] += 1
        return
    t = _apply(steps, self)
    if adv:
        t.index_put_(tuple(_wrap(i) for i in _indices(adv)), _value_tensor(value, self))
    else:
        _copy_to(t, value if vt else _value_tensor(value, self))


def _copy_to(dst, src):
    """torch's copy_to: copy_ for equal shapes, fill_ for a 0-d value, else view + expand + copy_."""
    ds, ss = dst._data.shape, src._data.shape
    if ds == ss:
        dst.copy_(src)
    elif not ss:
        dst.fill_(src)
    else:
        lead = 0
        while lead < len(ss) and ss[lead] == 1:
            lead += 1                     # torch drops leading size-1 dims of the value
        dst.copy_(src.view(ss[lead:]).expand(ds))


def _shape_error(value, target, adv):
    """torch's error for a value that does not fit the indexed region."""
    vshape = np.shape(value)
    if adv:
        return RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
                            f"indexing result of shape {list(target)}")
    lead = 0
    while lead < len(vshape) and vshape[lead] == 1:
        lead += 1
    from .shape import expand
    try:
        expand(_wrap(np.empty(vshape[lead:], np.result_type(value))), tuple(target))
    except RuntimeError as e:
        return e
    return RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
                        f"indexing result of shape {list(target)}")


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


# ------------------------------------------------------------------ copy_, fill_, zero_

def _copy_fwd(xp, self, src):
    if xp_of(src) is not xp:
        from ..backend import to_device, device_of
        src = to_device(src, device_of(self))
    return xp.broadcast_to(src, self.shape).astype(self.dtype, copy=True)


copy_op = defop("copy", node="CopyBackwards", complex="same", inplace=True, export=False, jvp="linear",
                forward=_copy_fwd,
                self=lambda grad: np.zeros_like(grad),
                src=lambda grad: grad)
zero_op = defop("zero", node="ZeroBackward0", complex="same", inplace=True, export=False, jvp="linear",
                forward=lambda xp, self: xp.zeros_like(self),
                self=lambda grad: np.zeros_like(grad))
fill_scalar = defop("fill_scalar", node="FillBackward2", complex="same", inplace=True, export=False,
                    jvp=lambda self_t: np.zeros_like(self_t),
                    forward=lambda xp, self, value=0: xp.full_like(self, value),
                    self=lambda grad: np.zeros_like(grad))
fill_tensor = defop("fill_tensor", node="FillBackward3", complex="same", inplace=True, broadcast=True, export=False,
                    jvp="linear", forward=lambda xp, self, value: xp.broadcast_to(value, self.shape).astype(self.dtype),
                    self=lambda grad: np.zeros_like(grad),
                    value=lambda grad: grad.sum())


@export(name="copy_", function=False)
def _copy_(self, src, non_blocking=False):
    """Same as `torch.Tensor.copy_`: broadcasts `src` and casts it to self's dtype."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    return copy_op.fn_(self, src)


@export(name="zero_", function=False)
def _zero_(self):
    """Same as `torch.Tensor.zero_`."""
    return zero_op.fn_(self)


@export(name="fill_", function=False)
def _fill_(self, value):
    """Same as `torch.Tensor.fill_`: a number (FillBackward2) or a 0-d tensor (FillBackward3)."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return fill_tensor.fn_(self, value)
    return fill_scalar.fn_(self, value)


# CopyBackwards is one of torch's hand-written nodes: its name() carries the C++ namespace.
copy_op.node_cls.name = lambda self: "torch::autograd::CopyBackwards"
