"""Same as `torch.linalg`: norms, decompositions, solvers and products.

    >>> import retrograd as torch
    >>> A = torch.tensor([[2., 1.], [1., 3.]], requires_grad=True)
    >>> torch.linalg.det(A)
    tensor(5., grad_fn=<LinalgDetBackward0>)

The ops live in retrograd/ops/linalg.py (products) and ops/linalg_decomp.py
(decompositions); this module is torch.linalg's namespace over them, plus
matrix_norm and norm, which torch builds from vector_norm, svdvals and amax.
Derivatives are torch's, for real dtypes.
"""
import math

from .ops.linalg import (matmul, multi_dot, diagonal as _diagonal, linalg_cross as cross, vdot as _vdot)
from .ops.linalg_decomp import (LinAlgError, vector_norm, inv, inv_ex, det, slogdet, solve, solve_ex, cholesky,
                                cholesky_ex, qr, eigh, eigvalsh, svd, svdvals, pinv, matrix_power)
from .ops.reduce import amax as _amax, amin as _amin
from .ops import shape as _shape
from .ops.reduce import sum as _sum
from .tensor import _wrap_dim

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "inv_ex", "det", "slogdet", "solve",
           "solve_ex", "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv",
           "matrix_power", "cross", "multi_dot", "diagonal", "matmul", "vecdot"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Same as `torch.linalg.diagonal`: torch.diagonal over the last two dims by default."""
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    """Same as `torch.linalg.vecdot`: sum(x * y, dim); vdot for two vectors, as torch."""
    if x.ndim == 1 and y.ndim == 1 and dim in (-1, 0):
        return _vdot(x, y)
    return _sum(x * y, dim)


def _backshift(d0, d1, ndim):
    """torch's create_dim_backshift_permutation: the other dims, then d0, d1."""
    return tuple(i for i in range(ndim) if i not in (d0, d1)) + (d0, d1)


def _matrix_norm_checks(A, dim, dtype):
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
    d = tuple(_wrap_dim(x, A.ndim) for x in dim)
    if d[0] == d[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{A.dtype._name.capitalize() if hasattr(A.dtype, '_name') else A.dtype}")
    return d


def _keepdim_back(result, perm):
    """keepdim for a result computed over the last two dims of A.permute(perm)."""
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return _shape.permute_op.fn(_shape.unsqueeze(result, -1), tuple(inv))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Same as `torch.linalg.matrix_norm`: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    dim = tuple(dim)
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        d = _matrix_norm_checks(A, dim, dtype)
        if ord == "fro":
            return vector_norm(A, 2, d, keepdim, dtype=dtype)
        A_ = A.to(dtype) if dtype is not None else A
        perm = _backshift(d[0], d[1], A.ndim)
        r = _sum(svdvals(_shape.permute_op.fn(A_, perm)), -1, keepdim)
        return _keepdim_back(r, perm) if keepdim else r
    ord = float(ord)
    if abs(ord) not in (1.0, 2.0, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {_fmt(ord)} not supported.")
    d = list(_matrix_norm_checks(A, dim, dtype))
    red = _amax if ord > 0 else _amin
    if abs(ord) == 2.0:
        A_ = A.to(dtype) if dtype is not None else A
        perm = _backshift(d[0], d[1], A.ndim)
        r = red(svdvals(_shape.permute_op.fn(A_, perm)), (A.ndim - 2,), keepdim)
        return _keepdim_back(r, perm) if keepdim else r
    if abs(ord) == math.inf:
        d[0], d[1] = d[1], d[0]
    if not keepdim and d[0] < d[1]:
        d[1] -= 1
    return red(vector_norm(A, 1.0, (d[0],), keepdim, dtype=dtype), (d[1],), keepdim)


def _fmt(v):
    return "inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:g}"


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Same as `torch.linalg.norm`: a vector norm, or a matrix norm for 2 dims with an ord."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(ord, str):
        if dim is not None and len(dim) != 2 or dim is None and A.ndim != 2:
            raise RuntimeError(f"linalg.norm: If dim is specified, it mut be of length 2. Got {list(dim)}"
                               if dim is not None else
                               f"linalg.norm: If dim is not specified but ord is, the input must be 2D. Got {A.ndim}D.")
        return matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    if ord is not None and ((dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2)):
        return matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)

