"""Matrix products: dot, mv, mm, bmm, addmm & co. as registered ops, and matmul,
tensordot, inner, outer, kron, multi_dot built from them the way torch builds
them, so `grad_fn` chains print what torch prints. einsum lives in
ops/einsum.py, the decompositions (inv, det, svd, ...) in ops/linalg_decomp.py.

Every forward and backward is one NumPy/BLAS call on whole arrays (`@` is
`np.matmul`): no Python loop over a batch.

# Note [matmul as torch composes it]
torch.matmul is not an op with its own node: it dispatches on the operands'
dims to dot / mv / mm, folds a batched operand into a matrix when the other is
a vector or matrix (`should_fold`, which looks at strides and requires_grad),
and otherwise expands both batch shapes, flattens them and calls bmm. `matmul`
below follows aten/src/ATen/native/LinearAlgebra.cpp step for step, with
torch's reshape rule (`_reshape`): a view of a contiguous tensor is a view
(ViewBackward0), of a non-contiguous one an alias (ReshapeAliasBackward0), and
a reshape that cannot be a view is a clone then an `_unsafe_view`.
"""
import functools
import math
import warnings

import numpy as np

from .. import _errors
from .registry import defop, export, OPS, LINEAR, UFUNCS
from ..tensor import Tensor, _wrap_dim
from ..autograd.grad_mode import state
from . import shape as _shape
from .arith import mul_op
from . import complex_grad as _cx
from .join import diagonal_op, diagonal  # noqa: F401  (einsum and the decompositions use them)

_view, _unsafe_view, _clone = _shape.view_op.fn, _shape.reshape_copy.fn, _shape.clone_op.fn
_transpose, _t, _unsqueeze = _shape.transpose_op.fn, _shape.t_op.fn, _shape.unsqueeze_op.fn
_permute, _squeeze = _shape.permute_op.fn, _shape.squeeze_dim.fn

# C++ type names torch prints in "expected m1 and m2 to have the same dtype" (mm, addmm).
_CTYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
          "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _sname(t):
    return _errors.scalar_name(t._data.dtype)


def _guarded(name, **kw):
    """Register `name` unless another family already has (shape/index ops this file needs)."""
    return OPS[name] if name in OPS else defop(name, **kw)


# ------------------------------------------------------------------ out=

def _outable(name, copies=False):
    """`out=` as torch: refused when autograd records (`name` is the op torch reports), dtype checked,
    resized with torch's warning; `copies`: the result is copied in with copy_ (tensordot, inner)."""
    def deco(f):
        @functools.wraps(f)
        def g(*args, out=None, **kw):
            r = f(*args, **kw)
            if out is None:
                return r
            if isinstance(out, (tuple, list)):
                raise NotImplementedError(f"retrograd: {name}(out=...) with a tuple of outputs is not supported")
            if not copies and state.grad_enabled and (r._rg or out._rg):
                raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                                   "differentiation, but one of the arguments requires grad.")
            if out._data.dtype != r._data.dtype:
                raise RuntimeError(f"Expected out tensor to have dtype {_CTYPE[r._data.dtype.name]}, but got "
                                   f"{_CTYPE[out._data.dtype.name]} instead")
            if out._data.shape != r._data.shape:
                if out._data.size:
                    warnings.warn(f"An output with one or more elements was resized since it had shape "
                                  f"{list(out._data.shape)}, which does not match the required output shape "
                                  f"{list(r._data.shape)}. This behavior is deprecated, and in a future PyTorch "
                                  "release outputs will not be resized unless they have zero elements. You can "
                                  "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                                  "t.resize_(0).", UserWarning, stacklevel=2)
                out._data = np.empty(r._data.shape, r._data.dtype)
            if copies:
                return out.copy_(r)
            out._data[...] = r._data
            out._vc[0] += 1
            return out
        return g
    return deco


# ------------------------------------------------------------------ formula helpers
# Each runs on arrays (create_graph=False) and on Tensors (True); see Note [One formula, two paths].

def _mT(x):
    return np.swapaxes(x, -1, -2)


def _scale(x, s):
    return x if s == 1 else x * s


def _outer(a, b):
    return np.expand_dims(a, -1) * b


def _const(arr, like):
    """A constant array in the dtype of `like` (an array or a Tensor)."""
    if isinstance(like, Tensor):
        from ..tensor import _wrap
        return _wrap(arr.astype(like._data.dtype, copy=False))
    return arr.astype(like.dtype, copy=False)


# ------------------------------------------------------------------ products (one node each)

dot_op = defop("dot", node="DotBackward0", complex="conj", export=False,
               forward=lambda xp, self, tensor: xp.dot(self, tensor),
               self=lambda grad, tensor: grad * tensor,
               tensor=lambda grad, self: grad * self,
               jvp=lambda t_self, t_tensor, self, tensor: dot_op.fn(t_self, tensor) + dot_op.fn(self, t_tensor))

vdot_op = defop("vdot", node="VdotBackward0", complex="same", export=False,
                forward=lambda xp, self, other: xp.vdot(self, other),
                self=lambda grad, other: _cx.conj(grad) * other,       # vdot conjugates self: torch's formula
                other=lambda grad, self: grad * self,
                jvp=lambda t_self, t_other, self, other: vdot_op.fn(t_self, other) + vdot_op.fn(self, t_other))

mv_op = defop("mv", node="MvBackward0", complex="conj", export=False,
              forward=lambda xp, self, vec: self @ vec,
              self=lambda grad, vec: _outer(grad, vec),
              vec=lambda grad, self: self.T @ grad,
              jvp=lambda t_self, t_vec, self, vec: mv_op.fn(t_self, vec) + mv_op.fn(self, t_vec))

mm_op = defop("mm", node="MmBackward0", complex="conj", export=False,
              forward=lambda xp, self, mat2: self @ mat2,
              self=lambda grad, mat2, self_sym_sizes, self_sym_strides:
                  _mm_mat1_grad(grad, mat2, self_sym_sizes, self_sym_strides),
              mat2=lambda grad, self, mat2_sym_sizes, mat2_sym_strides:
                  _mm_mat2_grad(grad, self, mat2_sym_sizes, mat2_sym_strides),
              jvp=lambda t_self, t_mat2, self, mat2: mm_op.fn(t_self, mat2) + mm_op.fn(self, t_mat2))


def _column_major(sizes, strides):
    return strides[0] == 1 and strides[1] == sizes[0]


def _mm_mat1_grad(grad, mat2, sizes, strides):
    """torch's mm_mat1_backward: grad @ mat2.T, computed so that it comes out column-major when
    mat1 was (its gradient then has mat1's layout, as torch's has)."""
    if _column_major(sizes, strides):
        return (mat2 @ grad.T).T
    return grad @ mat2.T


def _mm_mat2_grad(grad, mat1, sizes, strides):
    """torch's mm_mat2_backward: mat1.T @ grad, column-major when mat2 was -- `linear`'s
    weight.t(), whose gradient is then C-contiguous again after TBackward0."""
    if _column_major(sizes, strides):
        return (grad.T @ mat1).T
    return mat1.T @ grad

bmm_op = defop("bmm", node="BmmBackward0", complex="conj", export=False,
               forward=lambda xp, self, mat2: xp.matmul(self, mat2),
               self=lambda grad, mat2: grad @ _mT(mat2),
               mat2=lambda grad, self: _mT(self) @ grad,
               jvp=lambda t_self, t_mat2, self, mat2: bmm_op.fn(t_self, mat2) + bmm_op.fn(self, t_mat2))


def _add_scaled(out, self, beta, alpha):
    """alpha * out + beta * self, in place on the fresh product `out` (torch ignores self when beta == 0)."""
    if alpha != 1:
        out *= alpha
    if beta != 0:
        out += self if beta == 1 else self * beta
    return out


def _addmm_fwd(xp, self, mat1, mat2, beta=1, alpha=1):
    return _add_scaled(mat1 @ mat2, self, beta, alpha)


addmm_op = defop("addmm", node="AddmmBackward0", complex="conj", broadcast=True, export=False, forward=_addmm_fwd,
                 self=lambda grad, beta: _scale(grad, beta),
                 mat1=lambda grad, mat2, mat1_sym_sizes, mat1_sym_strides, alpha:
                     _scale(_mm_mat1_grad(grad, mat2, mat1_sym_sizes, mat1_sym_strides), alpha),
                 mat2=lambda grad, mat1, mat2_sym_sizes, mat2_sym_strides, alpha:
                     _scale(_mm_mat2_grad(grad, mat1, mat2_sym_sizes, mat2_sym_strides), alpha),
                 jvp=lambda t_s, t_1, t_2, mat1, mat2, beta, alpha:
                     _scale(t_s, beta) + _scale(mm_op.fn(t_1, mat2) + mm_op.fn(mat1, t_2), alpha))

addmv_op = defop("addmv", node="AddmvBackward0", complex="conj", broadcast=True, export=False,
                 forward=lambda xp, self, mat, vec, beta=1, alpha=1: _add_scaled(mat @ vec, self, beta, alpha),
                 self=lambda grad, beta: _scale(grad, beta),
                 mat=lambda grad, vec, alpha: _scale(_outer(grad, vec), alpha),
                 vec=lambda grad, mat, alpha: _scale(mat.T @ grad, alpha),
                 jvp=lambda t_s, t_m, t_v, mat, vec, beta, alpha:
                     _scale(t_s, beta) + _scale(mv_op.fn(t_m, vec) + mv_op.fn(mat, t_v), alpha))

addr_op = defop("addr", node="AddrBackward0", complex="conj", broadcast=True, promote="promote", export=False,
                forward=lambda xp, self, vec1, vec2, beta=1, alpha=1:
                    _add_scaled(xp.multiply.outer(vec1, vec2), self, beta, alpha),
                self=lambda grad, beta: _scale(grad, beta),
                vec1=lambda grad, vec2, alpha: _scale(grad @ vec2, alpha),
                vec2=lambda grad, vec1, alpha: _scale(grad.T @ vec1, alpha),
                jvp=lambda t_s, t_1, t_2, vec1, vec2, beta, alpha:
                    _scale(t_s, beta) + _scale(outer(t_1, vec2) + outer(vec1, t_2), alpha))

baddbmm_op = defop("baddbmm", node="BaddbmmBackward0", complex="conj", broadcast=True, export=False,
                   forward=lambda xp, self, batch1, batch2, beta=1, alpha=1:
                       _add_scaled(xp.matmul(batch1, batch2), self, beta, alpha),
                   self=lambda grad, beta: _scale(grad, beta),
                   batch1=lambda grad, batch2, alpha: _scale(grad @ _mT(batch2), alpha),
                   batch2=lambda grad, batch1, alpha: _scale(_mT(batch1) @ grad, alpha),
                   jvp=lambda t_s, t_1, t_2, batch1, batch2, beta, alpha:
                       _scale(t_s, beta) + _scale(bmm_op.fn(t_1, batch2) + bmm_op.fn(batch1, t_2), alpha))


def _per_batch(grad, batch2):
    """addbmm's gradient, one copy per batch: grad.unsqueeze(0).expand(b, n, p)."""
    return np.broadcast_to(np.expand_dims(grad, 0), (batch2.shape[0],) + tuple(grad.shape))


addbmm_op = defop("addbmm", node="AddbmmBackward0", complex="conj", broadcast=True, export=False,
                  forward=lambda xp, self, batch1, batch2, beta=1, alpha=1:
                      _add_scaled(xp.matmul(batch1, batch2).sum(0), self, beta, alpha),
                  self=lambda grad, beta: _scale(grad, beta),
                  batch1=lambda grad, batch2, alpha: _scale(_per_batch(grad, batch2) @ _mT(batch2), alpha),
                  batch2=lambda grad, batch1, alpha: _scale(_mT(batch1) @ _per_batch(grad, batch1), alpha),
                  jvp=lambda t_s, t_1, t_2, batch1, batch2, beta, alpha:
                      _scale(t_s, beta) + _scale((bmm_op.fn(t_1, batch2) + bmm_op.fn(batch1, t_2)).sum(0), alpha))

trace_op = defop("trace", node="TraceBackward0", complex="same", export=False, jvp=LINEAR,
                 forward=lambda xp, self: xp.trace(self),
                 self=lambda grad, self_sym_sizes: grad * _const(np.eye(*self_sym_sizes), grad))


def _cross(a, b, dim):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return cross_op.fn(a, b, dim)
    return np.cross(a, b, axis=dim)


cross_op = defop("linalg_cross", node="LinalgCrossBackward0", complex="conj", broadcast=True, export=False,
                 forward=lambda xp, self, other, dim=-1: xp.cross(self, other, axis=dim),
                 self=lambda grad, other, dim: _cross(other, grad, dim),
                 other=lambda grad, self, dim: _cross(grad, self, dim),
                 jvp=lambda t_self, t_other, self, other, dim:
                     cross_op.fn(t_self, other, dim) + cross_op.fn(self, t_other, dim))

# `v.unsqueeze(0).mm(m).squeeze_(0)`: torch's in-place squeeze of a fresh result, SqueezeBackward4.
squeeze_inplace = defop("_squeeze_inplace", node="SqueezeBackward4", complex="same", export=False, jvp=LINEAR,
                        forward=lambda xp, self, dim=0: xp.squeeze(self, dim),
                        self=lambda grad, self_sym_sizes, dim: grad.reshape(self_sym_sizes))

reshape_alias = _guarded("_reshape_alias", node="ReshapeAliasBackward0", complex="same", view=True, export=False, jvp=LINEAR,
                         forward=lambda xp, self, size=(): self.reshape(size),
                         self=lambda grad, self_sym_sizes: grad.reshape(self_sym_sizes))


# ------------------------------------------------------------------ checks (torch's messages)

def _same_dtype_mm(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_CTYPE[a._data.dtype.name]} "
                           f"!= {_CTYPE[b._data.dtype.name]}")


def _mm_shapes(a, b):
    (n, k), (k2, m) = a._data.shape, b._data.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")


def _bmm_checks(b1, b2):
    if b1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (bs, _, k), (bs2, k2, _) = b1._data.shape, b2._data.shape
    if bs2 != bs or k2 != k:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] but got: "
                           f"[{bs2}, {k2}].")


def _scalar_type(expected, found):
    if expected._data.dtype != found._data.dtype:
        raise RuntimeError(f"expected scalar type {_sname(expected)} but found {_sname(found)}")


def _fits(shape, target):
    """Does `shape` expand to `target`? (addmm & co. expand `self` to the product's shape.)"""
    return len(shape) <= len(target) and all(x in (1, y) for x, y in zip(shape[::-1], target[::-1]))


def _expand_to(self, target):
    shape = self._data.shape
    if _fits(shape, target):
        return
    if len(shape) > len(target):
        _shape.expand(self, target)       # raises torch's error
    lead = len(target) - len(shape)
    for i in range(len(target) - 1, lead - 1, -1):    # torch names the last mismatching dim
        if shape[i - lead] not in (1, target[i]):
            raise RuntimeError(f"The expanded size of the tensor ({target[i]}) must match the existing size "
                               f"({shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _vectors(name, a, b, na="self", nb="vec2"):
    for t, n in ((a, na), (b, nb)):
        if t._data.ndim != 1:
            raise RuntimeError(f"{name}: Expected 1-D argument {n}, but got {t._data.ndim}-D")


# ------------------------------------------------------------------ public products

@export
@_outable("mm")
def mm(input, mat2, *, out=None):
    """Same as `torch.mm`."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _mm_shapes(input, mat2)
    _same_dtype_mm(input, mat2)
    return mm_op.fn(input, mat2)


@export
@_outable("bmm")
def bmm(input, mat2, *, out=None):
    """Same as `torch.bmm`."""
    _bmm_checks(input, mat2)
    _scalar_type(input, mat2)
    return bmm_op.fn(input, mat2)


def _mv_checks(self, mat, vec):
    if mat._data.ndim != 2 or vec._data.ndim != 1 or (self is not None and self._data.ndim > 1):
        nd = 1 if self is None else self._data.ndim
        raise RuntimeError(f"vector + matrix @ vector expected, got {nd}, {mat._data.ndim}, {vec._data.ndim}")
    n, k = mat._data.shape
    lead = n if self is None else (self._data.shape[0] if self._data.ndim else 1)
    if vec._data.shape[0] != k or (self is not None and lead not in (1, n)):
        raise RuntimeError(f"size mismatch, got input ({lead}), mat ({n}x{k}), vec ({vec._data.shape[0]})")
    first = vec if self is None else self
    if not (first._data.dtype == mat._data.dtype == vec._data.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_sname(first)}, "
                           f"{_sname(mat)}, and {_sname(vec)}")


@export
@_outable("mv")
def mv(input, vec, *, out=None):
    """Same as `torch.mv`."""
    _mv_checks(None, input, vec)
    return mv_op.fn(input, vec)


def _dot_checks(a, b, name="dot"):
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_sname(a)} and {_sname(b)}")
    if a._data.shape != b._data.shape:
        n, m = a._data.shape[0], b._data.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                           f"of elements, but got {n} and {m} elements respectively")


@export
@_outable("dot")
def dot(input, tensor, *, out=None):
    """Same as `torch.dot`."""
    _dot_checks(input, tensor)
    return dot_op.fn(input, tensor)


@export
@_outable("vdot")
def vdot(input, other, *, out=None):
    """Same as `torch.vdot` (conjugates the first argument)."""
    _dot_checks(input, other)
    return vdot_op.fn(input, other)


@export
@_outable("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """Same as `torch.addmm`: beta * input + alpha * (mat1 @ mat2)."""
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_sname(input)} and {_sname(mat2)}")
    if mat1._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_sname(mat1)} and {_sname(mat2)}")
    for t, n in ((mat1, "mat1"), (mat2, "mat2")):
        if t._data.ndim != 2:
            raise RuntimeError(f"{n} must be a matrix, got {t._data.ndim}-D tensor")
    _mm_shapes(mat1, mat2)
    _expand_to(input, (mat1._data.shape[0], mat2._data.shape[1]))
    return addmm_op.fn(input, mat1, mat2, beta, alpha)


@export
@_outable("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """Same as `torch.addmv`: beta * input + alpha * (mat @ vec)."""
    _mv_checks(input, mat, vec)
    return addmv_op.fn(input, mat, vec, beta, alpha)


@export
@_outable("addr")
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """Same as `torch.addr`: beta * input + alpha * outer(vec1, vec2)."""
    _vectors("addr", vec1, vec2, "vec1", "vec2")
    _expand_to(input, (vec1._data.shape[0], vec2._data.shape[0]))
    return addr_op.fn(input, vec1, vec2, beta, alpha)


@export
@_outable("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """Same as `torch.baddbmm`: beta * input + alpha * (batch1 @ batch2), batch by batch."""
    target = (batch1._data.shape[0], batch1._data.shape[1], batch2._data.shape[2]) \
        if batch1._data.ndim == 3 and batch2._data.ndim == 3 else None
    if target is not None:
        _expand_to(input, target)
    if input._data.dtype != batch1._data.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_CTYPE[input._data.dtype.name]}, batch1: "
                           f"{_CTYPE[batch1._data.dtype.name]}, batch2: {_CTYPE[batch2._data.dtype.name]}")
    _bmm_checks(batch1, batch2)
    _scalar_type(batch1, batch2)
    return baddbmm_op.fn(input, batch1, batch2, beta, alpha)


@export
@_outable("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """Same as `torch.addbmm`: beta * input + alpha * sum_b (batch1[b] @ batch2[b])."""
    for t, n in ((batch1, "batch1"), (batch2, "batch2")):
        if t._data.ndim != 3:
            raise RuntimeError(f"{n} must be a 3D tensor")
    if batch1._data.shape[0] != batch2._data.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1._data.shape[0]} and "
                           f"{batch2._data.shape[0]}")
    (_, n, k), (_, k2, m) = batch1._data.shape, batch2._data.shape
    if k != k2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({n}x{k} and {k2}x{m})")
    _expand_to(input, (n, m))
    for a, b, na in ((input, batch2, "self"), (batch1, batch2, "mat1")):
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(f"{na} and mat2 must have the same dtype, but got {_sname(a)} and {_sname(b)}")
    return addbmm_op.fn(input, batch1, batch2, beta, alpha)


@export
def trace(input):
    """Same as `torch.trace`."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return trace_op.fn(input)


@export
@_outable("mul")
def outer(input, vec2, *, out=None):
    """Same as `torch.outer`: input.reshape(n, 1) * vec2, as torch builds it."""
    _vectors("outer", input, vec2)
    return mul_op.fn(_reshape(input, (input._data.shape[0], 1)), vec2)


export(outer, name="ger")


def _default_cross_dim(shape):
    for i, s in enumerate(shape):
        if s == 3:
            return i
    raise RuntimeError("no dimension of size 3 in input")


@_outable("linalg_cross")
def linalg_cross(input, other, *, dim=-1, out=None):
    """Same as `torch.linalg.cross`."""
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and {b.shape[d]}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _errors.broadcast_mismatch(a.shape, b.shape) from None
    _scalar_type(input, other)
    return cross_op.fn(input, other, d - a.ndim)


@export
@_outable("cross")
def cross(input, other, dim=None, *, out=None):
    """Same as `torch.cross`: without `dim`, the first dim of size 3 (with torch's deprecation warning)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = _default_cross_dim(np.broadcast_shapes(input._data.shape, other._data.shape))
    return linalg_cross(input, other, dim=dim)


# ------------------------------------------------------------------ matmul (See Note [matmul as torch composes it])

def _reshape(x, shape):
    """torch's reshape inside its composites: view, alias, or clone + _unsafe_view."""
    a = x._data
    if a.flags.c_contiguous:
        return _view(x, tuple(shape))
    if _shape._viewable(a, tuple(shape)):
        return reshape_alias.fn(x, tuple(shape))
    return _unsafe_view(_clone(x), tuple(shape))


def _strides(a):
    return tuple(s // a.itemsize for s in a.strides) if a.itemsize else a.strides


def _should_fold(t1, t2):
    """torch's should_fold: fold the batched operand into a matrix and call mm/mv instead of bmm."""
    larger = t1._data.ndim >= t2._data.ndim
    big = t1._data if larger else t2._data
    dim_big, dim_small = big.ndim, (t2 if larger else t1)._data.ndim
    if not (dim_big >= 3 and dim_small <= 2):
        return False
    if (t2 if larger else t1)._rg:
        return True
    if t1._data.ndim == 2:
        return False
    if big.size == 0:
        return True
    shape, st = list(big.shape), list(_strides(big))
    if not larger:                     # tensor2.mT()
        shape[-1], shape[-2], st[-1], st[-2] = shape[-2], shape[-1], st[-2], st[-1]
    return all(st[i] == st[i + 1] * shape[i + 1] for i in range(dim_big - 2))


@_outable("matmul")
def matmul(input, other, *, out=None):
    """Same as `torch.matmul`: dot, mv, mm, folded mm/mv, or expanded bmm, as torch chooses."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    d1, d2 = input._data.ndim, other._data.ndim
    if d1 == 0 or d2 == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D")
    if d1 == 1 and d2 == 1:
        return dot(input, other)
    if d1 == 2 and d2 == 1:
        return mv(input, other)
    if d1 == 1 and d2 == 2:
        return squeeze_inplace.fn(mm(_unsqueeze(input, 0), other), 0)
    if d1 == 2 and d2 == 2:
        return mm(input, other)
    if _should_fold(input, other):
        return _matmul_folded(input, other, d1, d2)
    return _matmul_batched(input, other, d1, d2)


def _matmul_folded(input, other, d1, d2):
    transpose = d2 > d1
    t1 = _transpose(other, d2 - 2, d2 - 1) if transpose else input
    t2 = other if not transpose else (_t(input) if d1 == 2 else input)
    sizes = t1._data.shape
    out_shape = sizes[:-1]
    folded = _reshape(t1, (math.prod(out_shape), sizes[-1]))
    if t2._data.ndim == 2:
        r = _unsafe_view(mm(folded, t2), out_shape + (t2._data.shape[1],))
        return _shape.contiguous(_transpose(r, r._data.ndim - 2, r._data.ndim - 1)) if transpose else r
    return _unsafe_view(mv(folded, t2), out_shape)


def _matmul_batched(input, other, d1, d2):
    s1, s2 = input._data.shape, other._data.shape
    n = s1[-2] if d1 > 1 else 1
    m1 = s1[-1]
    b1 = s1[:max(d1 - 2, 0)]
    m2 = s2[-2] if d2 > 1 else s2[0]
    p = s2[-1] if d2 > 1 else 1
    b2 = s2[:max(d2 - 2, 0)]
    # a size-1 batch that requires grad takes the folded path (torch: same reason as should_fold)
    if d1 == 3 and d2 == 3 and b1[0] != b2[0]:
        if b1[0] == 1 and input._rg:
            return matmul(_squeeze(input, 0), other)
        if b2[0] == 1 and other._rg:
            return matmul(input, _squeeze(other, 0))
    try:
        batch = np.broadcast_shapes(b1, b2)
    except ValueError:
        raise _errors.broadcast_mismatch(b1, b2) from None
    nb = math.prod(batch)
    e1 = _reshape(_shape.expand(input, batch + (n, m1)), (nb, n, m1))
    if d2 == 1:
        e2 = _unsqueeze(_reshape(_shape.expand(other, batch + (m2,)), (nb, m2)), 2)
    else:
        e2 = _reshape(_shape.expand(other, batch + (m2, p)), (nb, m2, p))
    out_shape = batch + ((n,) if d1 > 1 else ()) + ((p,) if d2 > 1 else ())
    r = bmm(e1, e2)
    if d2 == 1:
        r = _squeeze(r, 2)
    return _unsafe_view(r, out_shape)


export(matmul, name="matmul")
Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)


UFUNCS[np.matmul] = matmul          # np.matmul is a ufunc: formulas' `@` on Tensors and np.matmul(t, u)


# ------------------------------------------------------------------ composites: tensordot, inner, kron, multi_dot

def _tensordot(a, b, dims1, dims2):
    if len(dims1) != len(dims2):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    na, nb = a._data.ndim, b._data.ndim
    d1 = [_wrap_dim(d, na) for d in dims1]
    d2 = [_wrap_dim(d, nb) for d in dims2]
    csize = 1
    t1, t2 = a, b
    from .reduce import sum as _sum
    for i, (x, y) in enumerate(zip(d1, d2)):
        s1, s2 = a._data.shape[x], b._data.shape[y]
        if s2 == 1:            # broadcast dims are summed right away
            t1 = _sum(t1, x, True)
        elif s1 == 1:
            t2 = _sum(t2, y, True)
        else:
            if s1 != s2:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim "
                                   f"{dims1[i]} and second has size {s2} in dim {dims2[i]}")
            csize *= s1
    free1 = [i for i in range(na) if i not in d1]
    free2 = [i for i in range(nb) if i not in d2]
    rs = [t1._data.shape[i] for i in free1] + [t2._data.shape[i] for i in free2]
    t1 = _reshape(_permute(t1, tuple(free1 + d1)), (math.prod(rs[:len(free1)]), csize))
    t2 = _reshape(_permute(t2, tuple(d2 + free2)), (csize, math.prod(rs[len(free1):])))
    return _reshape(mm(t1, t2), tuple(rs))


@export
@_outable("tensordot", copies=True)
def tensordot(a, b, dims=2, out=None):
    """Same as `torch.tensordot`: dims an int, a pair of dim lists, or a 2-element tensor."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (list, tuple)) and len(dims) == 2 and all(isinstance(d, (list, tuple, int)) for d in dims) \
            and not all(isinstance(d, int) for d in dims):
        d1, d2 = ([d] if isinstance(d, int) else list(d) for d in dims)
    elif isinstance(dims, (list, tuple)) and len(dims) == 2:
        d1, d2 = [dims[0]], [dims[1]]
    else:
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a._data.ndim or dims > b._data.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        d1, d2 = list(range(-dims, 0)), list(range(dims))
    return _tensordot(a, b, d1, d2)


@export
@_outable("inner", copies=True)
def inner(input, other, *, out=None):
    """Same as `torch.inner`: tensordot over the last dims (a product for 0-d operands)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return mul_op.fn(input, other)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input._data.shape)} and {list(other._data.shape)}")
    return _tensordot(input, other, [-1], [-1])


@export
@_outable("mul")
def kron(input, other, *, out=None):
    """Same as `torch.kron`: interleaved _unsafe_views of both, a product, a view back."""
    nd = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (nd - input._data.ndim) + input._data.shape
    sb = (1,) * (nd - other._data.ndim) + other._data.shape
    a = _unsafe_view(input, tuple(x for s in sa for x in (s, 1)))
    b = _unsafe_view(other, tuple(x for s in sb for x in (1, s)))
    return _unsafe_view(mul_op.fn(a, b), tuple(x * y for x, y in zip(sa, sb)))


@_outable("mm")
def multi_dot(tensors, *, out=None):
    """Same as `torch.linalg.multi_dot`: the cheapest order of mm's (torch's matrix-chain DP)."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    ts = list(tensors)
    out_shape = []
    first, last = ts[0]._data.ndim, ts[-1]._data.ndim
    if first == 1:
        ts[0] = _unsqueeze(ts[0], 0)
    elif first == 2:
        out_shape.append(ts[0]._data.shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last == 1:
        ts[-1] = _unsqueeze(ts[-1], 1)
    elif last == 2:
        out_shape.append(ts[-1]._data.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i in range(1, n - 1):
        if ts[i]._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i]._data.ndim}D")
    for i in range(1, n):
        if ts[i]._data.dtype != ts[0]._data.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{ts[0].dtype} and tensor {i} {ts[i].dtype}")
        if ts[i - 1]._data.shape[-1] != ts[i]._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {list(tensors[i - 1].shape)} and "
                               f"{list(tensors[i].shape)} cannot be multiplied")
    if n == 2:
        r = mm(ts[0], ts[1])
    elif n == 3:
        a, b = ts[0]._data.shape[0], ts[1]._data.shape[0]
        c, d = ts[2]._data.shape
        if (a * c) * (b + d) > (b * d) * (a + c):
            r = mm(ts[0], mm(ts[1], ts[2]))
        else:
            r = mm(mm(ts[0], ts[1]), ts[2])
    else:
        r = _chain(ts, _chain_order(ts), 0, n - 1)
    return _view(r, tuple(out_shape))


def _chain_order(ts):
    n = len(ts)
    p = [t._data.shape[0] for t in ts] + [ts[-1]._data.shape[1]]
    m = [[0] * n for _ in range(n)]
    s = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            m[i][j] = math.inf
            for k in range(i, j):
                q = m[i][k] + m[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if q < m[i][j]:
                    m[i][j], s[i][j] = q, k
    return s


def _chain(ts, s, i, j):
    if i == j:
        return ts[i]
    return mm(_chain(ts, s, i, s[i][j]), _chain(ts, s, s[i][j] + 1, j))


_warned_chain = [False]


@export(method=False)
def chain_matmul(*matrices, out=None):
    """Same as `torch.chain_matmul` (deprecated there too): multi_dot of 2-D tensors."""
    if not _warned_chain[0]:
        _warned_chain[0] = True
        warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                      "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                      "multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, t in enumerate(matrices):
        if t._data.ndim != 2:
            raise RuntimeError(f"Expected 2-dimensional tensor, but got {t._data.ndim}-dimensional tensor for "
                               f"argument #{i + 1} 'matrices' (while checking arguments for chain_matmul)")
    if len(matrices) == 1:
        return _clone(matrices[0])
    return multi_dot(matrices)


from . import einsum as _einsum_module  # noqa: E402,F401  (registers torch.einsum)
from . import linalg_decomp  # noqa: E402,F401  (inv, det, svd, ... and their Tensor methods)
