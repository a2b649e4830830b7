"""Shape ops: view/reshape, expand, squeeze/unsqueeze, transpose/permute, movedim, the strided
views (Tensor.unfold, as_strided, view_as_real/complex; views share their base's array and
version counter, as in torch), dtype conversion and Tensor.new_*. Joining and splitting ops
are in ops/join.py."""
import math
import warnings

import numpy as np

from .. import _errors
from .registry import defop, export, sum_to, LINEAR
from ..tensor import Tensor, Size, _wrap_dim, _wrap
from ..dtypes import to_dtype
from ..backend import as_device, to_device, xp_of


def _sum_to(grad, shape):
    """Sum a gradient (array or Tensor) down to `shape`: the reverse of broadcasting."""
    if isinstance(grad, Tensor):
        return grad.sum_to_size(shape) if tuple(grad.shape) != tuple(shape) else grad
    return sum_to(grad, shape)


def _shape_arg(args):
    """Sizes given as `f(2, 3)`, `f((2, 3))` or `f([2, 3])`."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _infer_view(shape, numel):
    """Resolve one -1 in a view shape, with torch's errors."""
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_errors.shape_str(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_errors.shape_str(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


view_op = defop("view", node="ViewBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                forward=lambda xp, self, size=(): self.reshape(size),
                self=lambda grad, self_sym_sizes: grad.reshape(self_sym_sizes))

# reshape copies when a view is impossible: torch clones, then records _UnsafeViewBackward0 (a view
# of the private clone that does not count as a view).
reshape_copy = defop("reshape_copy", node="UnsafeViewBackward0", complex="same", export=False, jvp=LINEAR,
                     forward=lambda xp, self, size=(): self.reshape(size),
                     self=lambda grad, self_sym_sizes: grad.reshape(self_sym_sizes))


@export
def view(input, *shape):
    """Same as `torch.Tensor.view` (shape sizes only; dtype views are not supported)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
        raise NotImplementedError("retrograd: Tensor.view(dtype) is not supported")
    size = _infer_view(_shape_arg(shape), input._data.size)
    if not _viewable(input._data, size):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least "
                           "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                           "instead.")
    return view_op.fn(input, size)


def _viewable(a, size):
    if a.flags["C_CONTIGUOUS"]:
        return True
    try:
        b = a.view()
        b.shape = size          # NumPy refuses (AttributeError) when a copy would be needed
        return True
    except AttributeError:
        return False


@export
def reshape(input, *shape):
    """Same as `torch.reshape`: a view when possible, else a contiguous clone viewed as `shape`
    (torch records _UnsafeViewBackward0 over CloneBackward0)."""
    size = _infer_view(_shape_arg(shape), input._data.size)
    if _viewable(input._data, size):
        return view_op.fn(input, size)
    return reshape_copy.fn(clone_op.fn(input), size)


@export
def view_as(input, other):
    return view(input, tuple(other.shape))


@export
def reshape_as(input, other):
    return reshape(input, tuple(other.shape))


expand_op = defop("expand", node="ExpandBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                  forward=lambda xp, self, size=(): xp.broadcast_to(self, size),
                  self=lambda grad, self_sym_sizes: _sum_to(grad, self_sym_sizes))


@export
def expand(input, *sizes):
    """Same as `torch.Tensor.expand`: -1 keeps a size; new dims go in front."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({_errors.type_name(input._data.dtype)}{{{list(shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided (%d) must be greater or equal to the number of "
                           "dimensions in the tensor (%d)" % (len(sizes), len(shape)))
    lead = len(sizes) - len(shape)
    out = []
    for i in range(len(sizes) - 1, -1, -1):      # torch checks from the last dim
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shape)}")
        out.append(s)
    return expand_op.fn(input, tuple(reversed(out)))


@export
def expand_as(input, other):
    return expand(input, tuple(other.shape))


@export
def broadcast_to(input, size):
    return expand(input, tuple(size))


unsqueeze_op = defop("unsqueeze", node="UnsqueezeBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                     forward=lambda xp, self, dim=0: xp.expand_dims(self, dim),
                     self=lambda grad, dim: np.squeeze(grad, dim))


@export
def unsqueeze(input, dim):
    """Same as `torch.unsqueeze`."""
    return unsqueeze_op.fn(input, _wrap_dim(dim, input._data.ndim + 1))


squeeze_all = defop("squeeze", node="SqueezeBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                    forward=lambda xp, self: xp.squeeze(self),
                    self=lambda grad, self_sym_sizes: grad.reshape(self_sym_sizes))

def _squeeze(xp, a, dims):
    """`a` without those of `dims` whose size is 1 (a view, as torch's squeeze)."""
    return xp.squeeze(a, tuple(d for d in dims if a.ndim and a.shape[d] == 1))


squeeze_dim = defop("squeeze_dim", node="SqueezeBackward1", complex="same", view=True, export=False, jvp=LINEAR,
                    forward=lambda xp, self, dim=0: _squeeze(xp, self, (dim,)),
                    self=lambda grad, self_sym_sizes, dim: grad.reshape(self_sym_sizes))

squeeze_dims = defop("squeeze_dims", node="SqueezeBackward2", complex="same", view=True, export=False, jvp=LINEAR,
                     forward=lambda xp, self, dim=(): _squeeze(xp, self, dim),
                     self=lambda grad, self_sym_sizes, dim: grad.reshape(self_sym_sizes))


@export
def squeeze(input, dim=None):
    """Same as `torch.squeeze`: dims whose size is not 1 are left alone; an int dim records
    SqueezeBackward1, a tuple SqueezeBackward2."""
    if dim is None:
        return squeeze_all.fn(input)
    nd = input._data.ndim
    if isinstance(dim, (int, np.integer)):
        return squeeze_dim.fn(input, _wrap_dim(int(dim), nd))
    dims = tuple(_wrap_dim(int(d), nd) for d in dim)
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return squeeze_dims.fn(input, dims)


def _swap(a, dim0, dim1):
    # a 0-d tensor takes dims 0 and -1 (both wrap to 0, as for a 1-d one) and stays as it is
    return np.swapaxes(a, dim0, dim1) if a.ndim or isinstance(a, Tensor) else a


transpose_op = defop("transpose", node="TransposeBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                     forward=lambda xp, self, dim0=0, dim1=1: xp.swapaxes(self, dim0, dim1) if self.ndim
                     else self.view(),
                     self=lambda grad, dim0, dim1: _swap(grad, dim0, dim1))


@export
def transpose(input, dim0, dim1):
    """Same as `torch.transpose`."""
    nd = input._data.ndim
    return transpose_op.fn(input, _wrap_dim(dim0, nd), _wrap_dim(dim1, nd))


export(transpose, name="swapaxes")
export(transpose, name="swapdims")


permute_op = defop("permute", node="PermuteBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                   forward=lambda xp, self, dims=(): xp.transpose(self, dims),
                   self=lambda grad, dims: np.transpose(grad, tuple(np.argsort(dims))))


@export
def permute(input, *dims):
    """Same as `torch.permute`."""
    nd = input._data.ndim
    dims = tuple(_wrap_dim(d, nd) for d in _shape_arg(dims))
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is "
                           f"not equal to len(dims) = {len(dims)}")
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return permute_op.fn(input, dims)


t_op = defop("t", node="TBackward0", complex="same", view=True, export=False, jvp=LINEAR,
             forward=lambda xp, self: self.T,
             self=lambda grad: np.transpose(grad))


@export
def t(input):
    """Same as `torch.t`: transposes a 2-D tensor; 0-D and 1-D come back as they are."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return t_op.fn(input)


alias_op = defop("alias", node="AliasBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                 forward=lambda xp, self: self.view(),
                 self=lambda grad: grad)


def _dim_list(dims, nd, what):
    dims = [dims] if isinstance(dims, (int, np.integer)) else list(dims)
    out = [_wrap_dim(int(d), nd) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"movedim: repeated dim in `{what}` ({list(dims)})")
    return out


@export(methods=("moveaxis",))
def movedim(input, source, destination):
    """Same as `torch.movedim`: a permute (an alias of a 0-d tensor)."""
    nd = input._data.ndim
    src, dst = _dim_list(source, nd, "source"), _dim_list(destination, nd, "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    if nd == 0:
        return alias_op.fn(input)
    order = [None] * nd
    for a, b in zip(src, dst):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in src)
    return permute_op.fn(input, tuple(o if o is not None else next(rest) for o in order))


export(movedim, name="moveaxis", method=False)


def _T(self):
    nd = self._data.ndim
    return permute_op.fn(self, tuple(range(nd - 1, -1, -1)))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose_op.fn(self, self._data.ndim - 2, self._data.ndim - 1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)


@export
def flatten(input, start_dim=0, end_dim=-1):
    """Same as `torch.flatten`."""
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


@export
def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = _infer_view(tuple(sizes), shape[d])
    return view(input, shape[:d] + sizes + shape[d + 1:])


@export
def ravel(input):
    return reshape(input, (-1,))


clone_op = defop("clone", node="CloneBackward0", complex="same", export=False, jvp=LINEAR,
                 forward=lambda xp, self: self.copy(),
                 self=lambda grad: grad)


@export
def clone(input, *, memory_format=None):
    """Same as `torch.clone`."""
    return clone_op.fn(input)


@export
def contiguous(input, memory_format=None):
    """Same as `torch.Tensor.contiguous`: itself when already contiguous, else a clone."""
    if input._data.flags["C_CONTIGUOUS"]:
        return input
    return clone_op.fn(input)


def sum_to_size(input, *size):
    """Same as `torch.Tensor.sum_to_size`: SumBackward1 (keepdim), then a view for leading dims."""
    size = _shape_arg(size)
    shape = input._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[i + lead] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(size) if s == 1 and shape[i + lead] != 1)
    if not dims:
        return input
    from .reduce import sum_dim
    r = sum_dim.fn(input, dims, True)
    return view(r, size) if lead else r


export(sum_to_size, function=False)


# ------------------------------------------------------------------ strided views

def _dual(op):
    """`op` on a formula's value: its array forward for arrays, the recorded op for Tensors."""
    fwd = op.forward

    def f(x, *params):
        if isinstance(x, Tensor):
            return op.fn(x, *params)
        return fwd(xp_of(x), x, *params)
    return f


# ------------------------------------------------------------------ unfold

def _unfold_fwd(xp, self, dimension=0, size=1, step=1):
    if self.ndim == 0:
        return self.reshape(1)
    n, st = self.shape[dimension], self.strides
    shape = self.shape[:dimension] + ((n - size) // step + 1,) + self.shape[dimension + 1:] + (size,)
    strides = st[:dimension] + (st[dimension] * step,) + st[dimension + 1:] + (st[dimension],)
    return xp.lib.stride_tricks.as_strided(self, shape, strides)


def _unfold_bw_fwd(xp, grad_in, input_sizes=(), dim=0, size=1, step=1):
    if not input_sizes:
        return grad_in.reshape(()).copy()
    z = xp.zeros(input_sizes, grad_in.dtype)
    g = xp.moveaxis(grad_in, -1, dim + 1)            # [..., windows, size, ...]
    cnt = g.shape[dim]
    pre = (slice(None),) * dim
    for j in range(size):
        z[pre + (slice(j, j + step * (cnt - 1) + 1, step),)] += g[pre + (slice(None), j)]
    return z


unfold_op = defop("unfold", node="UnfoldBackward0", complex="same", view=True, export=False, jvp=LINEAR, forward=_unfold_fwd,
                  self=lambda grad, self_sym_sizes, dimension, size, step:
                      _dual(unfold_backward_op)(grad, self_sym_sizes, dimension, size, step))
unfold_backward_op = defop("unfold_backward", node="UnfoldBackwardBackward0", complex="same", export=False, jvp=LINEAR,
                           forward=_unfold_bw_fwd,
                           grad_in=lambda grad, dim, size, step: _dual(unfold_op)(grad, dim, size, step))


@export(function=False)
def unfold(input, dimension, size, step):
    """Same as `torch.Tensor.unfold`: a view of the windows of `size` every `step` along `dimension`."""
    nd = input._data.ndim
    d = _wrap_dim(dimension, nd)
    n = input._data.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return unfold_op.fn(input, d, int(size), int(step))


# ------------------------------------------------------------------ as_strided

def _owner(a):
    """The array that owns `a`'s memory (through NumPy's views and as_strided's wrappers)."""
    while True:
        b = a.base
        while b is not None and not isinstance(b, type(a)):
            b = getattr(b, "base", None)
        if b is None:
            return a
        a = b


def _as_strided_fwd(xp, self, size=(), stride=(), storage_offset=0, self_geometry=((), 0)):
    # `storage_offset` counts from the start of the storage; self starts self_geometry[1] into it
    # (the view replays from any array shaped like self, so nothing else may locate the storage).
    owner = _owner(self)
    if not (owner.flags["C_CONTIGUOUS"] or owner.flags["F_CONTIGUOUS"]):
        raise NotImplementedError("retrograd: as_strided on a tensor whose storage is not contiguous")
    flat = owner.ravel(order="K")
    start = (self.__array_interface__["data"][0] - owner.__array_interface__["data"][0]) // self.itemsize
    start += storage_offset - self_geometry[1]
    return xp.lib.stride_tricks.as_strided(flat[start:], tuple(size), tuple(s * self.itemsize for s in stride))


def _positions(geometry):
    sizes, strides, offset = geometry
    pos = np.full(tuple(sizes), offset, np.int64)
    for i, (n, s) in enumerate(zip(sizes, strides)):
        pos = pos + (np.arange(n) * s).reshape((n,) + (1,) * (len(sizes) - i - 1))
    return pos


def _as_strided_bw_fwd(xp, grad, src=((), (), 0), dst=((), (), 0)):
    """Scatter-add `grad` into a storage by geometry `src`, read it back by geometry `dst`."""
    ps, pd = _positions(src), _positions(dst)
    storage = xp.zeros(int(max(ps.max(initial=0), pd.max(initial=0))) + 1, grad.dtype)
    if xp is np:
        np.add.at(storage, ps, grad)
    else:
        xp.add.at(storage, xp.asarray(ps), grad)
    return storage[pd if xp is np else xp.asarray(pd)]


as_strided_op = defop("as_strided", node="AsStridedBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                      forward=_as_strided_fwd,
                      self=lambda grad, self_sym_sizes, size, stride, storage_offset, self_geometry:
                          _dual(as_strided_bw_op)(grad, (size, stride, storage_offset),
                                               (self_sym_sizes,) + self_geometry))
as_strided_bw_op = defop("as_strided_backward", node="AsStridedBackwardBackward0", complex="same", export=False, jvp=LINEAR,
                         forward=_as_strided_bw_fwd,
                         grad=lambda grad, src, dst: _dual(as_strided_bw_op)(grad, dst, src))


@export
def as_strided(input, size, stride, storage_offset=None):
    """Same as `torch.as_strided`: a view of input's storage. The gradient flows to the elements of
    `input` (not to the rest of its storage); an input whose elements overlap in memory
    (an expanded tensor) raises rather than give a wrong gradient."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    root = input._base if input._base is not None else input
    own = input.storage_offset()
    offset = own if storage_offset is None else int(storage_offset)
    need = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    have = root._data.size
    if need > have or not (root._data.flags["C_CONTIGUOUS"] or root._data.flags["F_CONTIGUOUS"]):
        if need > have:
            isz = input._data.itemsize
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                               f"{offset}, and itemsize {isz} requiring a storage size of {need * isz} are out "
                               f"of bounds for storage of size {have * isz}")
        raise NotImplementedError("retrograd: as_strided on a tensor whose storage is not contiguous")
    geometry = (input.stride(), own)
    from ..autograd.grad_mode import state
    if input._rg and state.grad_enabled:
        pos = _positions((input._data.shape,) + geometry)
        if np.unique(pos).size != pos.size:
            raise NotImplementedError("retrograd: the gradient of as_strided on an input whose elements "
                                      "overlap in memory (an expanded tensor) is not supported")
    return as_strided_op.fn(input, size, stride, offset, geometry)


# ------------------------------------------------------------------ view_as_real / view_as_complex

_REAL = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}
_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def _as_real_fwd(xp, self):
    r = self.real
    return xp.lib.stride_tricks.as_strided(r, self.shape + (2,), r.strides + (r.itemsize,))


def _as_complex_fwd(xp, self):
    return self[..., 0:2].view(_COMPLEX[self.dtype])[..., 0]


def _to_complex_g(g):
    if isinstance(g, Tensor):
        return view_as_complex_op.fn(g.contiguous())
    return g[..., 0] + 1j * g[..., 1]


def _to_real_g(g):
    if isinstance(g, Tensor):
        return view_as_real_op.fn(g)
    return xp_of(g).stack([g.real, g.imag], -1)


view_as_real_op = defop("view_as_real", node="ViewAsRealBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                        forward=_as_real_fwd, self=lambda grad: _to_complex_g(grad))
view_as_complex_op = defop("view_as_complex", node="ViewAsComplexBackward0", complex="same", view=True, export=False,
                           jvp=LINEAR, forward=_as_complex_fwd, self=lambda grad: _to_real_g(grad))


@export(method=False)
def view_as_real(input):
    """Same as `torch.view_as_real`."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if input.is_conj():     # See Note [Conjugate bit] in ops/complex_ops.py
        raise RuntimeError("view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate "
                           "tensor so you can view it as real, use self.resolve_conj(); however, be warned that "
                           "the resulting tensor will NOT alias the original.")
    return view_as_real_op.fn(input)


@export(method=False)
def view_as_complex(input):
    """Same as `torch.view_as_complex` (float32 and float64)."""
    a = input._data
    if a.dtype not in _COMPLEX:
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a "
                           f"tensor of scalar type: {_errors.scalar_name(a.dtype)}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    st = input.stride()
    if st[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in st[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return view_as_complex_op.fn(input)


# ------------------------------------------------------------------ dtype / device conversion

def _astype(a, dtype):
    if a.dtype.kind == "c" and np.dtype(dtype).kind != "c":
        warnings.warn("Casting complex values to real discards the imaginary part (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/Copy.cpp:307.)", UserWarning, stacklevel=5)
        a = a.real
    return a.astype(dtype)


to_copy = defop("_to_copy", node="ToCopyBackward0", complex="same", export=False, jvp=LINEAR,
                forward=lambda xp, self, dtype=None: _astype(self, dtype),
                self=lambda grad: grad)


def _move(x, dev):
    """Move a gradient (array or Tensor) to a device."""
    if isinstance(x, Tensor):
        return to(x, dev)
    return to_device(x, dev)


to_device_op = defop("_to_device", node="ToCopyBackward0", complex="same", export=False, jvp=LINEAR,
                     forward=lambda xp, self, device=None, src=None: to_device(self, device),
                     self=lambda grad, src: _move(grad, src))


def _to_args(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif a is None:
            continue
        elif isinstance(a, (str,)) or type(a).__name__ == "device":
            device = a
        elif isinstance(a, bool):
            copy = a      # to(dtype, non_blocking, copy) positional forms are rare; keep copy
        else:
            dtype = a
    return dtype, device, copy


@export(method=True, function=False)
def to(input, *args, **kwargs):
    """Same as `torch.Tensor.to`: dtype and/or device; itself when nothing changes (unless copy)."""
    dtype, device, copy = _to_args(args, dict(kwargs))
    out = input
    if dtype is not None:
        dt = to_dtype(dtype)
        if dt.np != input._data.dtype:
            out = to_copy.fn(out, dt.np)
    if device is not None:
        dev = as_device(device)
        if dev != out.device:
            out = to_device_op.fn(out, dev, out.device)
    if copy and out is input:
        out = clone_op.fn(input)
    return out


def _caster(dt):
    def f(self, memory_format=None):
        return to(self, dt)
    return f


for _n, _d in [("float", np.float32), ("double", np.float64), ("half", np.float16), ("long", np.int64),
               ("int", np.int32), ("short", np.int16), ("char", np.int8), ("byte", np.uint8),
               ("bool", np.bool_), ("cfloat", np.complex64), ("cdouble", np.complex128)]:
    export(_caster(to_dtype(_d)), name=_n, function=False)


@export(method=True, function=False)
def type_as(input, other):
    return to(input, other.dtype)


@export(method=True, function=False)
def cpu(input, memory_format=None):
    return to(input, "cpu")


@export(method=True, function=False)
def cuda(input, device=None, non_blocking=False, memory_format=None):
    return to(input, "cuda" if device is None else as_device(device if not isinstance(device, int) else f"cuda:{device}"))


# ------------------------------------------------------------------ Tensor.new_*: plain creation

def _new_like(self, dtype, device):
    return (self.dtype if dtype is None else dtype), (self.device if device is None else device)


@export(function=False)
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Same as `torch.Tensor.new_zeros`: self's dtype and device unless given."""
    from ..creation import zeros
    dtype, device = _new_like(self, dtype, device)
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


@export(function=False)
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Same as `torch.Tensor.new_ones`."""
    from ..creation import ones
    dtype, device = _new_like(self, dtype, device)
    return ones(*size, dtype=dtype, device=device, requires_grad=requires_grad)


@export(function=False)
def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Same as `torch.Tensor.new_empty`."""
    from ..creation import empty
    dtype, device = _new_like(self, dtype, device)
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


@export(function=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """Same as `torch.Tensor.new_full`: self's dtype whatever fill_value is."""
    from ..creation import full
    dtype, device = _new_like(self, dtype, device)
    return full(size, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


@export(function=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Same as `torch.Tensor.new_tensor`: a copy of `data` in self's dtype and device unless given."""
    from ..creation import tensor
    import warnings
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        data = data.detach()._data
    dtype, device = _new_like(self, dtype, device)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


# ------------------------------------------------------------------ NumPy functions in formulas
from .numpy_compat import implements  # noqa: E402


@implements(np.squeeze)
def _np_squeeze(a, axis=None):
    return squeeze(a, axis)


@implements(np.swapaxes)
def _np_swapaxes(a, axis1, axis2):
    return transpose(a, axis1, axis2)


@implements(np.transpose)
def _np_transpose(a, axes=None):
    if axes is None:
        axes = tuple(range(a.ndim - 1, -1, -1))
    return permute(a, tuple(axes))


@implements(np.reshape)
def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    return reshape(a, shape if shape is not None else newshape)
