"""Decompositions and norms: linalg.vector_norm, inv, det, slogdet, solve, cholesky, qr,
eigh, svd, pinv as registered ops with torch's node names, their derivatives from
torch's FunctionsManual.cpp (real dtypes), and JVP rules. The public functions are
re-exported by `retrograd.linalg`; torch's top-level aliases (torch.det, torch.inverse,
torch.logdet, ...) are published here.

Formulas run on arrays and on Tensors alike (Note [One formula, two paths]): matrix
products are `@`, transposes `np.swapaxes`, triangular masks and identities are
constants multiplied in, and solves go through `_solve` (np.linalg.solve on arrays,
the differentiable solve on Tensors). Triangular solves use the general solver.
"""
import math

import numpy as np

from .. import _errors
from .registry import defop, export
from ..tensor import Tensor, _wrap
from . import shape as _shape
from .linalg import _mT, _const, _scalar_type, _outable
from . import complex_grad as _cx


class LinAlgError(RuntimeError):
    """Same as `torch.linalg.LinAlgError`: a decomposition failed (singular, not positive-definite)."""


LinAlgError.__module__, LinAlgError.__name__, LinAlgError.__qualname__ = "torch._C", "_LinAlgError", "_LinAlgError"


# ------------------------------------------------------------------ helpers on both paths

def _arr(x):
    return x._data if isinstance(x, Tensor) else x


def _eye(n, like):
    return _const(np.eye(n), like)


def _tri(n, m, k, like):
    """The lower-triangular mask np.tri(n, m, k) in like's dtype (tril(X, k) == X * mask)."""
    return _const(np.tri(n, m, k), like)


def _unsq2(x):
    """x[..., None, None] on both paths."""
    return np.expand_dims(np.expand_dims(x, -1), -1)


def _diag_embed(v):
    return np.expand_dims(v, -1) * _eye(v.shape[-1], v)


def _diagv(x):
    """The diagonal of the last two dims, as a vector."""
    if isinstance(x, Tensor):
        from .linalg import diagonal_op
        return diagonal_op.fn(x, 0, x.ndim - 2, x.ndim - 1)
    return x.diagonal(0, -2, -1)


def _solve(A, B):
    """A^{-1} B for matrices B."""
    if isinstance(A, Tensor) or isinstance(B, Tensor):
        A, B = _as_t(A, B), _as_t(B, A)
        return solve_op.fn(A, B, True)[0]
    return np.linalg.solve(A, B)


def _solve_right(A, B):
    """B A^{-1}."""
    return _mT(_solve(_mT(A), _mT(B)))


def _inv(A):
    if isinstance(A, Tensor):
        return inv_op.fn(A)[0]
    return np.linalg.inv(A)


def _as_t(x, like):
    return x if isinstance(x, Tensor) else _const(np.asarray(x), like)


def _sum_last(x, n=1):
    return np.sum(x, axis=tuple(range(-n, 0)))


def _sel(n, k, like):
    """The n x k selection matrix: X @ sel takes the first k columns, X @ sel.T pads with zeros."""
    return _const(np.eye(n, k), like)


def _float_check(A, name):
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_errors.scalar_name(A._data.dtype)}")


def _matrix_check(A, name, square=True):
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    m, n = A._data.shape[-2:]
    if square and m != n:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {m} by {n} matrices")


def _batch_prefix(A, i):
    return f"(Batch element {i}): " if A.ndim > 2 else ""


def _first_zero_pivot(a):
    """1 + the column where LU with partial pivoting (LAPACK getrf) first meets an exact zero pivot."""
    # LAPACK orders its operations differently, so a pivot it finds exactly 0 may come out as
    # rounding noise here: take the first pivot at noise level, else the smallest.
    a = np.array(a, dtype=np.float64)
    n = a.shape[0]
    tiny = n * np.finfo(np.float64).eps * max(np.abs(a).max(), 1e-300) * 4
    pivots = []
    for j in range(n):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        pivots.append(abs(a[p, j]))
        if a[p, j] == 0:
            continue
        a[[j, p]] = a[[p, j]]
        a[j + 1:, j:] -= np.outer(a[j + 1:, j] / a[j, j], a[j, j:])
    small = [j for j, v in enumerate(pivots) if v <= tiny]
    return (small[0] if small else int(np.argmin(pivots))) + 1 if n else 0


def _singular_error(A, name):
    flat = A.reshape((-1,) + A.shape[-2:])
    for i, m in enumerate(flat):
        try:
            np.linalg.inv(m)
            continue
        except np.linalg.LinAlgError:
            k = _first_zero_pivot(m)
        if k:
            return LinAlgError(f"{name}: {_batch_prefix(A, i)}The diagonal element {k} is zero, the inversion "
                               "could not be completed because the input matrix is singular.")
    return LinAlgError(f"{name}: The inversion could not be completed because the input matrix is singular.")


# The vector norm op is the reductions family's (ops/reduce.py); torch.linalg publishes it.
from .reduce import vector_norm  # noqa: E402,F401


# ------------------------------------------------------------------ inverse

def _inv_fwd(xp, A):
    return xp.linalg.inv(A), xp.zeros(A.shape[:-2], xp.int32)


inv_op = defop("linalg_inv_ex", node="LinalgInvExBackward0", complex="conj", outputs=("inverse", "info"), export=False,
               forward=_inv_fwd,
               A=lambda grads, inverse: -(_mT(inverse) @ (grads[0] @ _mT(inverse))),
               jvp=lambda t_A, inverse: (-(inverse @ t_A @ inverse), None))


def inv_ex(A, *, check_errors=False, out=None):
    """Same as `torch.linalg.inv_ex`."""
    _matrix_check(A, "linalg.inv_ex")
    _float_check(A, "linalg.inv_ex")
    try:
        r = inv_op.fn(A)
    except np.linalg.LinAlgError:
        raise _singular_error(A._data, "linalg.inv_ex") from None
    return _rt("linalg_inv_ex", r)


@_outable("linalg_inv_ex")
def inv(A, *, out=None):
    """Same as `torch.linalg.inv` (torch.inverse)."""
    _matrix_check(A, "linalg.inv")
    _float_check(A, "linalg.inv")
    try:
        return inv_op.fn(A)[0]
    except np.linalg.LinAlgError:
        raise _singular_error(A._data, "linalg.inv") from None


# ------------------------------------------------------------------ det, slogdet

def _det_bwd(grad, A, result):
    # torch's linalg_det_backward: the cofactor matrix det * A^{-T}. Without a graph an exactly
    # singular matrix gets d = grad * det = 0, as torch's perturbed-LU solve gives; with a graph
    # singular inputs use the SVD form of the adjugate, as torch does.
    d = grad * result
    if not isinstance(A, Tensor):
        if A.size == 0:
            return np.zeros_like(A)
        n = A.shape[-1]
        sing = result == 0
        safe = np.where(sing[..., None, None], np.eye(n, dtype=A.dtype), A) if sing.any() else A
        return np.linalg.solve(_mT(safe), _unsq2(d) * np.eye(n, dtype=A.dtype))
    n = A.shape[-1]
    eps = np.finfo(A._data.dtype).eps
    near = np.abs(result._data) < 100 * eps
    if not near.any():
        return _solve(_mT(A), _unsq2(d) * _eye(n, A))
    U, S, Vh = svd_op.fn(A, False)
    alpha = det(U) * det(Vh) * grad
    D = _prod_others(S) * np.expand_dims(alpha, -1)
    sing = (U * np.expand_dims(D, -2)) @ Vh
    if near.all():
        return sing
    mask = _const(near[..., None, None], A)
    safe = np.where(near[..., None, None], np.eye(n, dtype=A._data.dtype), A._data)
    reg = _solve(_mT(A * (1 - mask) + _const(safe, A) * mask), _unsq2(d) * _eye(n, A))
    return sing * mask + reg * (1 - mask)


def _prod_others(S):
    """prod_{j != i} S_j along the last dim, without dividing (zeros are fine)."""
    k = S.shape[-1]
    out = None
    for j in range(k):
        e = _const(np.eye(k)[j], S)
        f = np.expand_dims(S @ e, -1) * (1 - e) + e
        out = f if out is None else out * f
    return out if out is not None else S


def _det_jvp(t_A, A, result):
    return _sum_last(_diagv(_solve(A, t_A))) * result


det_op = defop("_linalg_det", node="LinalgDetBackward0", complex="conj", export=False,
               forward=lambda xp, A: xp.linalg.det(A), A=_det_bwd, jvp=_det_jvp)


@_outable("_linalg_det")
def det(A, *, out=None):
    """Same as `torch.linalg.det` (torch.det)."""
    _matrix_check(A, "linalg.det")
    _float_check(A, "linalg.det")
    return det_op.fn(A)


def _slogdet_fwd(xp, A):
    sign, logabs = xp.linalg.slogdet(A)
    return sign, logabs


def _slogdet_bwd(grads, A, sign):
    g = grads[1]
    if _cx.is_complex(sign):
        # torch: the sign's gradient adds i Im(grad_sign * conj(sign)) (the phase of det moves the
        # sign); a complex node passes the saved values conjugated (Note [Complex autograd]), so
        # `sign` here is conj(sign) already
        g = g + 1j * (grads[0] * sign).imag
    n = A.shape[-1]
    if not isinstance(A, Tensor):
        try:
            return _unsq2(g) * _mT(np.linalg.inv(A))
        except np.linalg.LinAlgError:
            return np.full(A.shape, np.nan, A.dtype)
    return _solve(_mT(A), _unsq2(g) * _eye(n, A))


def _slogdet_jvp(t_A, A, sign):
    tr = _sum_last(_diagv(_solve(A, t_A)))         # d log det A = tr(A^-1 dA)
    if not _cx.is_complex(A):
        return None, tr
    return sign * (tr.imag * 1j), tr.real           # torch: the phase moves the sign, the rest log|det|


slogdet_op = defop("_linalg_slogdet", node="LinalgSlogdetBackward0", complex="conj", outputs=("sign", "logabsdet"), export=False,
                   forward=_slogdet_fwd, A=_slogdet_bwd, jvp=_slogdet_jvp)


def slogdet(A, *, out=None):
    """Same as `torch.linalg.slogdet`: (sign, logabsdet)."""
    _matrix_check(A, "linalg.slogdet")
    _float_check(A, "linalg.slogdet")
    return _rt("linalg_slogdet", slogdet_op.fn(A))


def logdet(input):
    """Same as `torch.logdet`: nan where the determinant is negative."""
    _matrix_check(input, "logdet")
    _float_check(input, "logdet")
    sign, logabs = slogdet_op.fn(input)
    if input._data.dtype.kind == "c":
        return sign.log() + logabs          # torch: log(sign) + log|det| for complex
    from .pointwise import where
    return where(sign == -1.0, math.nan, logabs)


# ------------------------------------------------------------------ solve

def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve_fwd(xp, A, B, left=True):
    vec = _is_vector_rhs(A, B)
    B_ = B[..., None] if vec else B
    try:
        if left:
            X = xp.linalg.solve(A, B_)
        else:
            X = xp.swapaxes(xp.linalg.solve(xp.swapaxes(A, -1, -2), xp.swapaxes(B_, -1, -2)), -1, -2)
    except np.linalg.LinAlgError:      # a ValueError, which the dispatcher would report as a broadcast error
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
    X = X[..., 0] if vec else X
    return X, xp.zeros(np.broadcast_shapes(A.shape[:-2], B_.shape[:-2]), xp.int32)


def _solve_grads(grads, A, result, left):
    vec = _is_vector_rhs(A, result) and left
    gX = np.expand_dims(grads[0], -1) if vec else grads[0]
    X = np.expand_dims(result, -1) if vec else result
    if left:
        gB = _solve(_mT(A), gX)
        gA = -(gB @ _mT(X))
    else:
        gB = _solve_right(_mT(A), gX)
        gA = -(_mT(X) @ gB)
    return gA, (np.squeeze(gB, -1) if vec else gB)


def _solve_jvp(t_A, t_B, A, result, left):
    vec = _is_vector_rhs(A, result) and left
    X = np.expand_dims(result, -1) if vec else result
    dB = np.expand_dims(t_B, -1) if vec else t_B
    dX = _solve(A, dB - t_A @ X) if left else _solve_right(A, dB - X @ t_A)
    return (np.squeeze(dX, -1) if vec else dX), None


solve_op = defop("_linalg_solve_ex", node="LinalgSolveExBackward0", complex="conj", outputs=("result", "info"), broadcast=True,
                 export=False, forward=_solve_fwd,
                 A=lambda grads, A, result, left: _solve_grads(grads, A, result, left)[0],
                 B=lambda grads, A, result, left: _solve_grads(grads, A, result, left)[1],
                 jvp=_solve_jvp)


def _solve_checks(A, B, left, name="linalg.solve"):
    _matrix_check(A, name)
    _float_check(A, name)
    _scalar_type(A, B)
    vec = _is_vector_rhs(A._data, B._data)
    Bs = B._data.shape + ((1,) if vec else ())
    if B._data.ndim < 1 or (not vec and B._data.ndim < 2):
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    n = A._data.shape[-1]
    k = Bs[-2] if left else Bs[-1]
    if k != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {Bs[-2]}x{Bs[-1]})")
    try:
        np.broadcast_shapes(A._data.shape[:-2], Bs[:-2])
    except ValueError:
        raise _errors.broadcast_mismatch(A._data.shape[:-2], Bs[:-2]) from None


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """Same as `torch.linalg.solve_ex`."""
    _solve_checks(A, B, left)
    return _rt("linalg_solve_ex", solve_op.fn(A, B, left))


@_outable("_linalg_solve_ex")
def solve(A, B, *, left=True, out=None):
    """Same as `torch.linalg.solve`."""
    return solve_ex(A, B, left=left)[0]


# ------------------------------------------------------------------ cholesky

def _chol_fwd(xp, A, upper=False):
    L = xp.linalg.cholesky(A)
    return (xp.swapaxes(L, -1, -2) if upper else L), xp.zeros(A.shape[:-2], xp.int32)


def _chol_bwd(grads, L, upper):
    # torch's cholesky_backward: gA = L^{-H} Phi*(tril(L^H gL)) L^{-1}, symmetric
    L_ = _mT(L) if upper else L
    gL = _mT(grads[0]) if upper else grads[0]
    n = L.shape[-1]
    gA = (_mT(L_) @ gL) * _tri(n, n, 0, L)
    gA = 0.5 * (gA + _mT(gA * _tri(n, n, -1, L)))
    return _solve_right(L_, _solve(_mT(L_), gA))


def _chol_jvp(t_A, L, upper):
    L_ = _mT(L) if upper else L
    n = L.shape[-1]
    dL = _solve_right(_mT(L_), _solve(L_, t_A))
    dL = L_ @ (dL * _tri(n, n, 0, L) - 0.5 * _diag_embed(_diagv(dL)))
    return (_mT(dL) if upper else dL), None


cholesky_op = defop("linalg_cholesky_ex", node="LinalgCholeskyExBackward0", outputs=("L", "info"), export=False,
                    forward=_chol_fwd, A=_chol_bwd, jvp=_chol_jvp)


def _not_pd(A, name):
    flat = A.reshape((-1,) + A.shape[-2:])
    for i, m in enumerate(flat):
        for k in range(1, m.shape[0] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return LinAlgError(f"{name}: {_batch_prefix(A, i)}The factorization could not be completed because "
                                   f"the input is not positive-definite (the leading minor of order {k} is not "
                                   "positive-definite).")
    return LinAlgError(f"{name}: The factorization could not be completed because the input is not positive-definite.")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Same as `torch.linalg.cholesky_ex`."""
    _matrix_check(A, "linalg.cholesky")
    _float_check(A, "linalg.cholesky")
    try:
        return _rt("linalg_cholesky_ex", cholesky_op.fn(A, upper))
    except np.linalg.LinAlgError:
        raise _not_pd(A._data, "linalg.cholesky") from None


@_outable("linalg_cholesky_ex")
def cholesky(A, *, upper=False, out=None):
    """Same as `torch.linalg.cholesky`."""
    return cholesky_ex(A, upper=upper)[0]


# ------------------------------------------------------------------ qr

def _qr_fwd(xp, A, mode="reduced"):
    if mode == "r":
        return xp.zeros((0,), A.dtype), xp.linalg.qr(A, mode="r")
    Q, R = xp.linalg.qr(A, mode=mode)
    return Q, R


def _qr_bwd(grads, Q, R, mode):
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    gQ, gR = grads
    m, n = Q.shape[-2], R.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    gA = gR @ _mT(R) - _mT(Q) @ gQ
    if m >= n:
        X = gA * (1 - _tri(n, n, -1, gA))                 # triu
        X = X + _mT(X)
        X = X - 0.5 * _diag_embed(_diagv(X))
        return _solve_right(_mT(R), Q @ X + gQ)
    X = -gA
    X = (X - _mT(X)) * _tri(m, m, 0, gA)                  # tril
    sel = _sel(n, m, R)
    gA = _solve_right(_mT(R @ sel), Q @ X)
    return gA @ _mT(sel) + Q @ gR


def _qr_jvp(t_A, Q, R, mode):
    m, n = t_A.shape[-2], t_A.shape[-1]
    if m >= n:
        dARinv = _solve_right(R, t_A)
        X = _mT(Q) @ dARinv
        X = X + _mT(X)
        dR = X * (1 - _tri(n, n, -1, X)) - 0.5 * _diag_embed(_diagv(X))
        return dARinv - Q @ dR, dR @ R
    sel = _sel(n, m, R)
    QhdA = _mT(Q) @ t_A
    Y = _solve_right(R @ sel, QhdA @ sel) * _tri(m, m, -1, t_A)
    dQ = Y - _mT(Y)
    return Q @ dQ, QhdA - dQ @ R


qr_op = defop("linalg_qr", node="LinalgQrBackward0", outputs=("Q", "R"), export=False,
              forward=_qr_fwd, A=_qr_bwd, jvp=_qr_jvp)


def qr(A, mode="reduced", *, out=None):
    """Same as `torch.linalg.qr`."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    _matrix_check(A, "linalg.qr", square=False)
    _float_check(A, "linalg.qr")
    return _rt("linalg_qr", qr_op.fn(A, mode))


# ------------------------------------------------------------------ eigh

def _eigh_bwd(grads, eigenvalues, eigenvectors):
    # torch's linalg_eig_backward, Hermitian case
    gL, gV = grads
    L, V = eigenvalues, eigenvectors
    n = L.shape[-1]
    VhgV = _mT(V) @ gV
    VhgV = 0.5 * (VhgV - _mT(VhgV))
    E = np.expand_dims(L, -2) - np.expand_dims(L, -1) + _eye(n, L)
    return V @ ((VhgV / E + _diag_embed(gL)) @ _mT(V))


def _eigh_jvp(t_A, eigenvalues, eigenvectors):
    L, V = eigenvalues, eigenvectors
    n = L.shape[-1]
    dP = _mT(V) @ t_A @ V
    E = np.expand_dims(L, -2) - np.expand_dims(L, -1) + _eye(n, L)
    return _diagv(dP), V @ (dP / E * (1 - _eye(n, L)))


eigh_op = defop("linalg_eigh", node="LinalgEighBackward0", outputs=("eigenvalues", "eigenvectors"), export=False,
                forward=lambda xp, A, UPLO="L": tuple(xp.linalg.eigh(A, UPLO=UPLO)),
                A=_eigh_bwd, jvp=_eigh_jvp)


def _needs_derivative(A):
    """Will a derivative of A's values be taken (backward or forward AD)? Then compute the vectors too."""
    from ..autograd.grad_mode import state
    from ..autograd import forward_ad
    return (A._rg and state.grad_enabled) or (forward_ad.active[0] and forward_ad.tangent_of(A) is not None)


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Same as `torch.linalg.eigh`: eigenvalues ascending, from the lower (or upper) triangle."""
    _matrix_check(A, "linalg.eigh")
    _float_check(A, "linalg.eigh")
    _uplo(UPLO)
    return _rt("linalg_eigh", eigh_op.fn(A, UPLO))


@_outable("_linalg_eigh")
def eigvalsh(A, UPLO="L", *, out=None):
    """Same as `torch.linalg.eigvalsh` (through eigh when a gradient is needed, as torch)."""
    _matrix_check(A, "linalg.eigvalsh")
    _float_check(A, "linalg.eigvalsh")
    _uplo(UPLO)
    if _needs_derivative(A):
        return eigh_op.fn(A, UPLO)[0]
    return _wrap(np.linalg.eigvalsh(A._data, UPLO=UPLO))


# ------------------------------------------------------------------ svd

def _svd_fwd(xp, A, full_matrices=True):
    U, S, Vh = xp.linalg.svd(A, full_matrices=full_matrices)
    return U, S, Vh


def _svd_bwd(grads, U, S, Vh, full_matrices):
    # torch's svd_backward (real case), on the first k = min(m, n) singular vectors
    gU, gS, gVh = grads
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    if full_matrices and m != n:
        if m > n:
            su = _sel(m, k, U)
            U, gU = U @ su, gU @ su
        else:
            sv = _sel(n, k, Vh)
            Vh, gVh = _mT(sv) @ Vh, _mT(sv) @ gVh
    UhgU = _mT(U) @ gU
    UhgU = UhgU - _mT(UhgU)
    VhgV = Vh @ _mT(gVh)
    VhgV = VhgV - _mT(VhgV)
    S2 = S * S
    E = np.expand_dims(S2, -2) - np.expand_dims(S2, -1) + _eye(k, S)
    gA = (UhgU * np.expand_dims(S, -2) + np.expand_dims(S, -1) * VhgV) / E + _diag_embed(gS)
    if m > n:
        gUSinv = gU / np.expand_dims(S, -2)
        gA = U @ gA + gUSinv - U @ (_mT(U) @ gUSinv)
        return gA @ Vh
    if m < n:
        SinvgVh = gVh / np.expand_dims(S, -1)
        gA = gA @ Vh + SinvgVh - (SinvgVh @ _mT(Vh)) @ Vh
        return U @ gA
    return U @ (gA @ Vh)


def _svd_jvp(t_A, U, S, Vh, full_matrices):
    m, n, k = t_A.shape[-2], t_A.shape[-1], S.shape[-1]
    if full_matrices and m > n:
        U = U @ _sel(m, k, U)
    if full_matrices and m < n:
        Vh = _mT(_sel(n, k, Vh)) @ Vh
    V = _mT(Vh)
    dP = _mT(U) @ (t_A @ V)
    dS = _diagv(dP)
    dP = dP - _diag_embed(dS)
    S2 = S * S
    E = np.expand_dims(S2, -2) - np.expand_dims(S2, -1) + _eye(k, S)
    sym = lambda X: X + _mT(X)       # noqa: E731
    dU = U @ (sym(dP * np.expand_dims(S, -2)) / E)
    dVh = (sym(dP * np.expand_dims(-S, -1)) / E) @ Vh
    if m > n:
        dAVSinv = t_A @ (V / np.expand_dims(S, -2))
        dU = dU + dAVSinv - U @ (_mT(U) @ dAVSinv)
        if full_matrices:
            dU = dU @ _mT(_sel(m, k, dU))
    if m < n:
        UHdASinv = (_mT(U) / np.expand_dims(S, -1)) @ t_A
        dVh = dVh + UHdASinv - (UHdASinv @ V) @ Vh
        if full_matrices:
            dVh = _sel(n, k, dVh) @ dVh
    return dU, dS, dVh


# `S` comes last among the formula's arguments: the generated node code unpacks its saved
# values into locals in this order, and one of its own locals is also called S.
svd_op = defop("_linalg_svd", node="LinalgSvdBackward0", outputs=("U", "S", "Vh"), export=False,
               forward=_svd_fwd, jvp=_svd_jvp,
               A=lambda grads, U, Vh, full_matrices, S: _svd_bwd(grads, U, S, Vh, full_matrices))


def svd(A, full_matrices=True, *, driver=None, out=None):
    """Same as `torch.linalg.svd`: (U, S, Vh)."""
    _matrix_check(A, "linalg.svd", square=False)
    _float_check(A, "linalg.svd")
    return _rt("linalg_svd", svd_op.fn(A, full_matrices))


@_outable("_linalg_svd")
def svdvals(A, *, driver=None, out=None):
    """Same as `torch.linalg.svdvals` (through svd when a gradient is needed, as torch)."""
    _matrix_check(A, "linalg.svdvals", square=False)
    _float_check(A, "linalg.svdvals")
    if _needs_derivative(A):
        return svd_op.fn(A, False)[1]
    return _wrap(np.linalg.svd(A._data, compute_uv=False))


# ------------------------------------------------------------------ pinv

def _pinv_fwd(xp, self, atol=None, rtol=None, hermitian=False):
    m, n = self.shape[-2:]
    if self.size == 0:
        return xp.zeros(self.shape[:-2] + (n, m), self.dtype)
    H = lambda a: xp.swapaxes(a.conj() if a.dtype.kind == "c" else a, -1, -2)     # conjugate transpose
    if hermitian:
        w, V = xp.linalg.eigh(self)
        S, U, Vh = xp.abs(w), V, H(V * xp.sign(w)[..., None, :])
    else:
        U, S, Vh = xp.linalg.svd(self, full_matrices=False)
    eps = np.finfo(self.dtype).eps
    if rtol is None:
        rtol = max(m, n) * eps if atol is None or atol == 0 else 0.0
    smax = S.max(-1, keepdims=True) if S.shape[-1] else S
    tol = xp.maximum(0.0 if atol is None else atol, rtol * smax)
    Sinv = xp.where(S > tol, 1.0 / xp.where(S > tol, S, 1.0), 0.0).astype(self.dtype)
    return H(Vh) * Sinv[..., None, :] @ H(U)


def _pinv_bwd(grad, self, result):
    m, n = self.shape[-2], self.shape[-1]
    pA, A = result, self
    pAh, gh = _mT(pA), _mT(grad)
    if m <= n:
        K = gh @ pA
        KpAh = K @ pAh
        return -_mT(pA @ K) + KpAh - (A @ pA) @ KpAh + (pAh @ pA) @ (gh - K @ A)
    K = pA @ gh
    pAhK = pAh @ K
    return -_mT(K @ pA) + (gh - A @ K) @ pA @ pAh + pAhK - pAhK @ pA @ A


def _pinv_jvp(t, self, result):
    m, n = self.shape[-2], self.shape[-1]
    A, pA, dAh, pAh = self, result, _mT(t), _mT(result)
    if m <= n:
        K = pAh @ dAh
        return pA @ (K - _mT(K) - K @ (A @ pA)) + (dAh - pA @ (A @ dAh)) @ (pAh @ pA)
    K = pA @ t
    Kh = _mT(K)
    return (Kh - K - pA @ A @ Kh) @ pA + (pA @ pAh) @ (dAh - (dAh @ A) @ pA)


pinv_op = defop("linalg_pinv", node="LinalgPinvBackward0", export=False,
                forward=_pinv_fwd, self=_pinv_bwd, jvp=_pinv_jvp)


@_outable("linalg_pinv")
def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Same as `torch.linalg.pinv` (torch.pinverse)."""
    _matrix_check(A, "linalg.pinv", square=False)
    _float_check(A, "linalg.pinv")
    return pinv_op.fn(A, _scalar(atol), _scalar(rtol), hermitian)


def _scalar(x):
    return float(x.item()) if isinstance(x, Tensor) else (None if x is None else float(x))


# ------------------------------------------------------------------ matrix functions built from the ops

@_outable("matmul")
def matrix_power(A, n, *, out=None):
    """Same as `torch.linalg.matrix_power`: repeated squaring with matmul, inv for n < 0."""
    _matrix_check(A, "linalg.matrix_power")
    from .linalg import matmul
    if n == 0:
        return _clone_copy_eye(A)
    if n == 1:
        return _shape.clone_op.fn(A)
    if n == -1:
        return inv(A)
    a = inv(A) if n < 0 else A
    n = abs(n)
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


def _clone_copy_eye(A):
    """torch: `A.clone().copy_(eye)`: the identity, still in A's graph (with a zero gradient)."""
    c = _shape.clone_op.fn(A)
    eye = np.broadcast_to(np.eye(A._data.shape[-1], dtype=A._data.dtype), A._data.shape).copy()
    if hasattr(c, "copy_"):
        return c.copy_(_wrap(eye))
    return c * 0 + _wrap(eye)


# ------------------------------------------------------------------ named results, top-level names

def _rt(name, values):
    """torch.return_types.<name> of `values` (retrograd/return_types.py defines them)."""
    from .. import return_types
    return getattr(return_types, name)(tuple(values))


def _torch_svd(input, some=True, compute_uv=True, *, out=None):
    """Same as `torch.svd` (deprecated there): (U, S, V) with V = Vh.mH."""
    _matrix_check(input, "linalg.svd", square=False)
    U, S, Vh = svd_op.fn(input, not some)
    V = _shape.transpose_op.fn(Vh, Vh.ndim - 2, Vh.ndim - 1)
    if not compute_uv:
        U, V = U * 0, V * 0
    return _rt("svd", (U, S, V))


for _name, _fn in [("det", det), ("logdet", logdet), ("inverse", inv), ("pinverse", lambda input, rcond=1e-15:
                   pinv(input, rtol=rcond)), ("matrix_power", matrix_power), ("svd", _torch_svd),
                   ("slogdet", lambda input: _rt("slogdet", slogdet(input)))]:
    export(_fn, name=_name)

