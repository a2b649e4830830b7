"""Joining, splitting and rearranging: cat/stack (and h/v/d/column_stack), split/chunk/
tensor_split/unbind, flip/roll/rot90, repeat/tile/repeat_interleave, narrow, diagonal/diag/
diag_embed, tril/triu, broadcast_tensors, meshgrid, atleast_nd, diff, cartesian_prod.
(Strided views -- Tensor.unfold, as_strided, view_as_real/complex -- are in ops/shape.py.)

Every op here is linear in its tensor inputs (`jvp=LINEAR`). A backward formula that is
itself one of these ops calls it through `_dual(op)`: the array forward on the fast path, the
recorded op on the graph path, so higher derivatives stay exact (Note [One formula, two
paths] in registry.py). The splitting ops, diagonal and narrow return views of their input,
as in torch.
"""
import warnings

import numpy as np

from .. import _errors
from .registry import defop, export, LINEAR
from ..backend import xp_of
from ..tensor import Tensor, Size, _wrap_dim, _wrap
from .shape import view, reshape, unsqueeze, flatten, expand, clone, _shape_arg, unsqueeze_op, expand_op, _dual


def _zeros(like, shape):
    if isinstance(like, Tensor):
        return like.new_zeros(tuple(shape))
    return xp_of(like).zeros(shape, like.dtype)


def _tensors(tensors, fname):
    """The tensor list argument of cat/stack/..., with torch's type errors."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


# ------------------------------------------------------------------ cat, stack

def _skipped(shape):
    # torch's legacy rule: 1-D empty tensors take no part in cat's shape checks
    return len(shape) == 1 and shape[0] == 0


def _cat_fwd(xp, *tensors, dim=0):
    keep = [t for t in tensors if not _skipped(t.shape)]
    return xp.concatenate(keep if keep else tensors, axis=dim if keep else 0)


def _narrow_g(g, dim, start, length):
    return g[(slice(None),) * dim + (slice(start, start + length),)]


def _cat_backward(grad, sizes, dim):
    out, start = [], 0
    for s in sizes:
        if _skipped(s) and grad.ndim != 1:
            out.append(_zeros(grad, s))
            continue
        n = s[dim] if len(s) else 0
        out.append(_narrow_g(grad, dim, start, n))
        start += n
    return tuple(out)


cat_op = defop("cat", node="CatBackward0", complex="same", promote="promote", export=False, jvp=LINEAR,
               forward=_cat_fwd,
               tensors=lambda grad, tensors_sym_sizes, dim: _cat_backward(grad, tensors_sym_sizes, dim))


def _unbind_g(g, dim):
    if isinstance(g, Tensor):
        return unbind_op.fn(g, dim)
    return tuple(g[(slice(None),) * dim + (i, Ellipsis)] for i in range(g.shape[dim]))


def _stack_g(gs, dim):
    if any(isinstance(g, Tensor) for g in gs):
        return stack_op.fn(gs, dim)
    return xp_of(gs[0]).stack(gs, axis=dim)


def _cat_g(gs, dim):
    if any(isinstance(g, Tensor) for g in gs):
        return cat_op.fn(gs, dim)
    return xp_of(gs[0]).concatenate(gs, axis=dim)


stack_op = defop("stack", node="StackBackward0", complex="same", promote="promote", export=False, jvp=LINEAR,
                 forward=lambda xp, *tensors, dim=0: xp.stack(tensors, axis=dim),
                 tensors=lambda grad, dim: _unbind_g(grad, dim))


@export(method=False)
def cat(tensors, dim=0, *, axis=None, out=None):
    """Same as `torch.cat`: dtypes promote; 1-D empty tensors are skipped (torch's legacy rule)."""
    tensors = _tensors(tensors, "cat")
    if axis is not None:
        dim = axis
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = next((t._data.shape for t in tensors if not _skipped(t._data.shape)), None)
    if ref is None:
        return cat_op.fn(tensors, 0)
    d = _wrap_dim(dim, len(ref))
    for i, t in enumerate(tensors):
        s = t._data.shape
        if _skipped(s):
            continue
        if len(s) != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(s)}")
        for k in range(len(ref)):
            if k != d and s[k] != ref[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref[k]} but got size {s[k]} for tensor number {i} in the list.")
    return cat_op.fn(tensors, d)


export(cat, name="concat", method=False)
export(cat, name="concatenate", method=False)


@export(method=False)
def stack(tensors, dim=0, *, out=None):
    """Same as `torch.stack`."""
    tensors = _tensors(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    return stack_op.fn(tensors, _wrap_dim(dim, len(s0) + 1))


def _nonempty(tensors, name):
    tensors = _tensors(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


@export(method=False)
def hstack(tensors, *, out=None):
    """Same as `torch.hstack`."""
    ts = atleast_1d(_nonempty(tensors, "hstack"))
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


@export(method=False)
def vstack(tensors, *, out=None):
    """Same as `torch.vstack`."""
    return cat(atleast_2d(_nonempty(tensors, "vstack")), 0)


export(vstack, name="row_stack", method=False)


@export(method=False)
def dstack(tensors, *, out=None):
    """Same as `torch.dstack`."""
    return cat(atleast_3d(_nonempty(tensors, "dstack")), 2)


@export(method=False)
def column_stack(tensors, *, out=None):
    """Same as `torch.column_stack`."""
    ts = _nonempty(tensors, "column_stack")
    return cat([reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts], 1)


# ------------------------------------------------------------------ split, chunk, unbind, tensor_split

def _pieces(a, sizes, dim):
    out, s = [], 0
    pre = (slice(None),) * dim
    for n in sizes:
        out.append(a[pre + (slice(s, s + n),)])
        s += n
    return out


def _even_sizes(n, split_size):
    if split_size == 0:
        return [0]
    k = max(-(-n // split_size), 1)
    return [split_size] * (k - 1) + [n - split_size * (k - 1)]


split_op = defop("split", node="SplitBackward0", complex="same", view=True, outputs="*", export=False, jvp=LINEAR,
                 forward=lambda xp, self, split_size=1, dim=0:
                     _pieces(self, _even_sizes(self.shape[dim], split_size), dim),
                 self=lambda grads, self_sym_sizes, split_size, dim: _cat_g(grads, dim))
split_sizes_op = defop("split_with_sizes", node="SplitWithSizesBackward0", complex="same", view=True, outputs="*",
                       export=False, jvp=LINEAR,
                       forward=lambda xp, self, split_sizes=(), dim=0: _pieces(self, split_sizes, dim),
                       self=lambda grads, self_sym_sizes, split_sizes, dim: _cat_g(grads, dim))
unbind_op = defop("unbind", node="UnbindBackward0", complex="same", view=True, outputs="*", export=False, jvp=LINEAR,
                  forward=lambda xp, self, dim=0: _unbind_g(self, dim),
                  self=lambda grads, dim: _stack_g(grads, dim))


def _need_dims(input, what):
    if input._data.ndim == 0:
        raise RuntimeError(f"{what} expects at least a 1-dimensional tensor")


@export
def split(tensor, split_size_or_sections, dim=0):
    """Same as `torch.split`: views of `tensor` (an int size, or a list of sizes)."""
    if not isinstance(split_size_or_sections, (int, np.integer)):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    _need_dims(tensor, "split")
    s = int(split_size_or_sections)
    d = _wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    return split_op.fn(tensor, s, d)


@export
def split_with_sizes(input, split_sizes, dim=0):
    """Same as `torch.split_with_sizes`."""
    _need_dims(input, "split")
    sizes = tuple(int(s) for s in split_sizes)
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={list(sizes)}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                           f"at dimension {d}), but got split_sizes={list(sizes)}")
    return split_sizes_op.fn(input, sizes, d)


@export
def chunk(input, chunks, dim=0):
    """Same as `torch.chunk`: SplitBackward0 views of ceil(size / chunks) each."""
    _need_dims(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks)
    if size == 0 and n == 0:       # torch: `chunks` empty pieces
        return split_sizes_op.fn(input, (0,) * chunks, d)
    return split_op.fn(input, size, d)


@export
def unbind(input, dim=0):
    """Same as `torch.unbind`: views, one per index along `dim`."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        return ()                  # nothing to record: no outputs
    return unbind_op.fn(input, d)


@export
def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None):
    """Same as `torch.tensor_split`: slices (SliceBackward0 views) at indices or into sections."""
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    spec = indices_or_sections if indices_or_sections is not None else sections if sections is not None else indices
    if isinstance(spec, Tensor):
        spec = int(spec.item()) if spec._data.ndim == 0 else [int(i) for i in spec._data.tolist()]
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(spec, (int, np.integer)) and indices is None:
        k = int(spec)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        bounds = [0]
        for s in sizes:
            bounds.append(bounds[-1] + s)
    else:
        bounds = [0] + [int(i) for i in ([spec] if isinstance(spec, (int, np.integer)) else spec)] + [n]
    pre = (slice(None),) * d
    return tuple(input[pre + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


def _split_along(input, spec, dim, name, need):
    nd = input._data.ndim
    if nd < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor "
                           f"with {nd} dimensions!")
    if isinstance(spec, (int, np.integer)):
        n = input._data.shape[dim]
        if spec == 0 or n % spec:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {n} is not divisible by the split_size {spec}!")
    return tensor_split(input, spec, dim)


@export
def hsplit(input, indices_or_sections):
    """Same as `torch.hsplit`."""
    return _split_along(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, "hsplit", 1)


@export
def vsplit(input, indices_or_sections):
    """Same as `torch.vsplit`."""
    return _split_along(input, indices_or_sections, 0, "vsplit", 2)


@export
def dsplit(input, indices_or_sections):
    """Same as `torch.dsplit`."""
    return _split_along(input, indices_or_sections, 2, "dsplit", 3)


# ------------------------------------------------------------------ flip, roll, rot90

def _flip_fwd(xp, self, dims=()):
    key = tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(self.ndim))
    return self[key + (Ellipsis,)].copy()


def _roll_fwd(xp, self, shifts=(), dims=()):
    if self.size == 0 or self.ndim == 0:
        return self.copy()
    return xp.roll(self, shifts, axis=dims) if dims else xp.roll(self, shifts[0])


flip_op = defop("flip", node="FlipBackward0", complex="same", export=False, jvp=LINEAR, forward=_flip_fwd,
                self=lambda grad, dims: _dual(flip_op)(grad, dims))
roll_op = defop("roll", node="RollBackward0", complex="same", export=False, jvp=LINEAR, forward=_roll_fwd,
                self=lambda grad, shifts, dims: _dual(roll_op)(grad, tuple(-s for s in shifts), dims))
rot90_op = defop("rot90", node="Rot90Backward0", complex="same", export=False, jvp=LINEAR,
                 forward=lambda xp, self, k=1, dims=(0, 1): xp.rot90(self, k, dims).copy(),
                 self=lambda grad, k, dims: _dual(rot90_op)(grad, -k, dims))


def _dims_unique(dims, nd):
    out = tuple(_wrap_dim(int(d), nd) for d in dims)
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


@export
def flip(input, *dims):
    """Same as `torch.flip` (a copy, as in torch)."""
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    return flip_op.fn(input, _dims_unique(_shape_arg(dims), input._data.ndim))


@export
def fliplr(input):
    """Same as `torch.fliplr`."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip_op.fn(input, (1,))


@export
def flipud(input):
    """Same as `torch.flipud`."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip_op.fn(input, (0,))


@export
def roll(input, shifts, dims=None):
    """Same as `torch.roll`: without dims, the flattened tensor rolls."""
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    dims = () if dims is None else (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims) and not (not dims and len(shifts) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    nd = input._data.ndim
    if nd == 0 and dims:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    return roll_op.fn(input, shifts, tuple(_wrap_dim(d, nd) for d in dims))


@export
def rot90(input, k=1, dims=(0, 1)):
    """Same as `torch.rot90`."""
    dims = tuple(int(d) for d in dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    wrapped = tuple(_wrap_dim(d, nd) for d in dims)
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    return rot90_op.fn(input, int(k), wrapped)


# ------------------------------------------------------------------ repeat, tile, repeat_interleave

def _repeat_backward(grad, repeats, self_sym_sizes):
    sizes = (1,) * (len(repeats) - len(self_sym_sizes)) + tuple(self_sym_sizes)
    split = []
    for r, s in zip(repeats, sizes):
        split += [r, s]
    g = grad.reshape(tuple(split))
    if repeats:
        g = g.sum(axis=tuple(range(0, 2 * len(repeats), 2)))
    return g.reshape(tuple(self_sym_sizes))


repeat_op = defop("repeat", node="RepeatBackward0", complex="same", export=False, jvp=LINEAR,
                  forward=lambda xp, self, repeats=(): xp.tile(self, repeats),
                  self=lambda grad, repeats, self_sym_sizes: _repeat_backward(grad, repeats, self_sym_sizes))


@export(function=False)
def repeat(input, *repeats):
    """Same as `torch.Tensor.repeat`."""
    repeats = _shape_arg(repeats)
    shape = input._data.shape
    if len(repeats) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    padded = (1,) * (len(repeats) - len(shape)) + shape
    out = [r * s for r, s in zip(repeats, padded)]
    for o in out:
        if o < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {o}: {out}")
    return repeat_op.fn(input, repeats)


@export
def tile(input, *dims):
    """Same as `torch.tile`: repeat, with dims padded by leading ones."""
    dims = _shape_arg(dims)
    nd = input._data.ndim
    return repeat(input, (1,) * (nd - len(dims)) + dims)


@export
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Same as `torch.repeat_interleave`: an int repeats by unsqueeze/expand/clone/flatten, a tensor
    of repeats by index_select, as torch does."""
    if repeats is None:                           # torch.repeat_interleave(repeats)
        r = input._data
        return _wrap(np.repeat(np.arange(r.shape[0] if r.ndim else 1), r.reshape(-1)))
    if dim is None:
        input, dim = flatten(input), 0
    d = _wrap_dim(dim, input._data.ndim)
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                      f"'{_errors.scalar_name(r.dtype)}'")
        n = input._data.shape[d] if input._data.ndim else 1
        if r.ndim == 1 and r.shape[0] != 1 and r.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) "
                               f"= {r.shape[0]} and input.size({d}) = {n}")
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        index = _wrap(np.repeat(np.arange(n), np.broadcast_to(r.reshape(-1), (n,))))
        if not hasattr(Tensor, "index_select"):       # until ops/scatter.py has it: IndexBackward0
            return input[(slice(None),) * d + (index,)]
        return input.index_select(d, index)
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = input._data.shape
    x = unsqueeze(input, d + 1)              # a 0-d input with a dim raises here, as in torch
    x = expand(x, shape[:d + 1] + (repeats,) + shape[d + 1:])
    return flatten(clone(x), d, d + 1)


# ------------------------------------------------------------------ narrow

@export
def narrow(input, dim, start, length):
    """Same as `torch.narrow`: the slice input[..., start:start + length] (SliceBackward0)."""
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if isinstance(start, Tensor):
        start = int(start.item())
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]


# ------------------------------------------------------------------ diagonal, diag_embed, diag, tril/triu

def _diag_view(xp, a, offset, dim1, dim2):
    """The writable view of `a`'s diagonal (dims dim1, dim2 dropped, the diagonal last), as torch's."""
    nd = a.ndim
    b = xp.moveaxis(a, (dim1 % nd, dim2 % nd), (-2, -1))
    b = b[..., :, offset:] if offset >= 0 else b[..., -offset:, :]
    n = min(b.shape[-2], b.shape[-1])
    st = b.strides
    return xp.lib.stride_tricks.as_strided(b, b.shape[:-2] + (n,), st[:-2] + (st[-2] + st[-1],))


def _diag_bw_fwd(xp, grad_output, input_sizes=(), offset=0, dim1=0, dim2=1):
    z = xp.zeros(input_sizes, grad_output.dtype)
    _diag_view(xp, z, offset, dim1, dim2)[...] = grad_output
    return z


def _diag_embed_fwd(xp, self, offset=0, dim1=-2, dim2=-1):
    nd = self.ndim + 1
    n = self.shape[-1] + abs(offset)
    shape = list(self.shape[:-1])
    for d in sorted((dim1 % nd, dim2 % nd)):
        shape.insert(d, n)
    z = xp.zeros(shape, self.dtype)
    _diag_view(xp, z, offset, dim1, dim2)[...] = self
    return z


diagonal_op = defop("diagonal", node="DiagonalBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                    forward=lambda xp, self, offset=0, dim1=0, dim2=1: _diag_view(xp, self, offset, dim1, dim2),
                    self=lambda grad, self_sym_sizes, offset, dim1, dim2:
                        _dual(diagonal_backward_op)(grad, self_sym_sizes, offset, dim1, dim2))
diagonal_copy_op = defop("diagonal_copy", node="DiagonalBackward0_copy", complex="same", export=False, jvp=LINEAR,
                         forward=lambda xp, self, offset=0, dim1=0, dim2=1:
                             _diag_view(xp, self, offset, dim1, dim2).copy(),
                         self=lambda grad, self_sym_sizes, offset, dim1, dim2:
                             _dual(diagonal_backward_op)(grad, self_sym_sizes, offset, dim1, dim2))
diagonal_backward_op = defop("diagonal_backward", node="DiagonalBackwardBackward0", complex="same", export=False,
                             jvp=LINEAR, forward=_diag_bw_fwd,
                             grad_output=lambda grad, offset, dim1, dim2:
                                 _dual(diagonal_op)(grad, offset, dim1, dim2))
diag_embed_op = defop("diag_embed", node="DiagEmbedBackward0", complex="same", export=False, jvp=LINEAR,
                      forward=_diag_embed_fwd,
                      self=lambda grad, offset, dim1, dim2: _dual(diagonal_op)(grad, offset, dim1, dim2))


def _diag_dims(nd, dim1, dim2):
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@export
def diagonal(input, offset=0, dim1=0, dim2=1):
    """Same as `torch.diagonal`: a view."""
    return diagonal_op.fn(input, int(offset), *_diag_dims(input._data.ndim, dim1, dim2))


@export(method=False)
def diagonal_copy(input, offset=0, dim1=0, dim2=1, *, out=None):
    """Same as `torch.diagonal_copy`."""
    return diagonal_copy_op.fn(input, int(offset), *_diag_dims(input._data.ndim, dim1, dim2))


@export
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Same as `torch.diag_embed`."""
    _diag_dims(input._data.ndim + 1, dim1, dim2)
    return diag_embed_op.fn(input, int(offset), dim1, dim2)


@export
def diag(input, diagonal=0, *, out=None):
    """Same as `torch.diag`: a 1-D tensor to a matrix (diag_embed), a matrix to its diagonal (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        return diag_embed_op.fn(input, int(diagonal), -2, -1)
    if nd == 2:
        return diagonal_copy_op.fn(input, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


@export
def diagflat(input, offset=0):
    """Same as `torch.diagflat`."""
    return diag_embed_op.fn(reshape(input, (-1,)), int(offset), -2, -1)


tril_op = defop("tril", node="TrilBackward0", complex="same", inplace=True, export=False, jvp=LINEAR,
                forward=lambda xp, self, diagonal=0: xp.tril(self, diagonal),
                self=lambda grad, diagonal: _dual(tril_op)(grad, diagonal))
triu_op = defop("triu", node="TriuBackward0", complex="same", inplace=True, export=False, jvp=LINEAR,
                forward=lambda xp, self, diagonal=0: xp.triu(self, diagonal),
                self=lambda grad, diagonal: _dual(triu_op)(grad, diagonal))


def _tri(op, name, inplace):
    def f(input, diagonal=0, *, out=None):
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return (op.fn_ if inplace else op.fn)(input, int(diagonal))
    f.__name__ = f.__qualname__ = name + ("_" if inplace else "")
    f.__doc__ = f"Same as `torch.{'Tensor.' if inplace else ''}{f.__name__}`."
    return f


export(_tri(tril_op, "tril", False), name="tril")
export(_tri(triu_op, "triu", False), name="triu")
export(_tri(tril_op, "tril", True), name="tril_", function=False)
export(_tri(triu_op, "triu", True), name="triu_", function=False)


# ------------------------------------------------------------------ broadcasting, meshgrid, atleast_nd

@export(method=False)
def broadcast_shapes(*shapes):
    """Same as `torch.broadcast_shapes`."""
    shapes = [(s,) if isinstance(s, (int, np.integer)) else s for s in shapes if s is not None]
    if not shapes:
        return Size(())
    for s in shapes:
        if not isinstance(s, (tuple, list)):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {s}")
    common = [1] * max(len(s) for s in shapes)
    for i, s in enumerate(shapes):
        for k in range(-1, -1 - len(s), -1):
            if s[k] == common[k]:
                continue
            if common[k] == 1:
                if s[k] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[k] = s[k]
            if s[k] != 1 and common[k] != s[k]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[k]} at {k}! Mismatching "
                                   f"argument at index {i} had {s}; but expected shape should be broadcastable "
                                   f"to {common}")
    return Size(common)


@export(method=False)
def broadcast_tensors(*tensors):
    """Same as `torch.broadcast_tensors`: a tensor already of the common shape comes back as itself."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise _errors.broadcast_mismatch(shape, t._data.shape) from None
    return tuple(t if t._data.shape == shape else expand_op.fn(t, shape) for t in tensors)


@export(method=False)
def meshgrid(*tensors, indexing=None):
    """Same as `torch.meshgrid`: views (view + expand) of each input."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.device != tensors[0].device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    n = len(tensors)
    axes = list(range(n))
    if indexing == "xy" and n >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * n
    for t, a in zip(tensors, axes):
        shape[a] = t._data.size
    out = []
    for t, a in zip(tensors, axes):
        vs = [1] * n
        vs[a] = -1
        out.append(expand_op.fn(view(t, tuple(vs)), tuple(shape)))
    return tuple(out)


def _atleast(args, fn):
    if len(args) == 1:
        a = args[0]
        if isinstance(a, Tensor):
            return fn(a)
        return tuple(fn(t) for t in a)
    return tuple(fn(t) for t in args)


def _at1(t):
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _at2(t):
    nd = t._data.ndim
    return reshape(t, (1, 1)) if nd == 0 else unsqueeze_op.fn(t, 0) if nd == 1 else t


def _at3(t):
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, (1, 1, 1))
    if nd == 1:
        return unsqueeze_op.fn(unsqueeze_op.fn(t, 0), 2)
    return unsqueeze_op.fn(t, 2) if nd == 2 else t


@export(method=False)
def atleast_1d(*tensors):
    """Same as `torch.atleast_1d`."""
    return _atleast(tensors, _at1)


@export(method=False)
def atleast_2d(*tensors):
    """Same as `torch.atleast_2d`."""
    return _atleast(tensors, _at2)


@export(method=False)
def atleast_3d(*tensors):
    """Same as `torch.atleast_3d`."""
    return _atleast(tensors, _at3)


# ------------------------------------------------------------------ diff, cartesian_prod

@export
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """Same as `torch.diff`: slices and a subtraction (logical_xor for bool), n times."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, nd)
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        for t in parts:
            if t._data.ndim != nd:
                raise RuntimeError("diff expects prepend or append to be the same dimension as input")
            for k in range(nd):
                if k != d and t._data.shape[k] != input._data.shape[k]:
                    raise RuntimeError("diff expects the shape of tensor to prepend or append to match that of "
                                       f"input except along the differencing dimension; input.size({k}) = "
                                       f"{input._data.shape[k]}, but got tensor.size({k}) = {t._data.shape[k]}")
        input = cat(parts, d)
    if n == 0:
        from ..creation import empty_like
        return empty_like(input).copy_(input)
    pre = (slice(None),) * d
    for _ in range(n):
        hi, lo = input[pre + (slice(1, None),)], input[pre + (slice(None, -1),)]
        input = hi.logical_xor(lo) if input._data.dtype == np.bool_ else hi - lo
    return input


@export(method=False)
def cartesian_prod(*tensors):
    """Same as `torch.cartesian_prod`."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([flatten(g) for g in meshgrid(*tensors, indexing="ij")], 1)
