"""OpCases for ops/linalg.py, ops/einsum.py and ops/linalg_decomp.py (products, matmul in all
its broadcasting cases, einsum, decompositions). Decompositions are compared through
gauge-invariant values (U * U, not U) where the factors are unique only up to signs."""
import numpy as np
from hypothesis.extra import numpy as hnp

from . import *  # noqa: F401,F403
from . import OpCase, fixed, ANY

# matmul's own broadcasting rule: np.matmul's gufunc signature "(n?,k),(k,m?)->(n?,m?)"
MATMUL = hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, min_side=0,
                                           max_side=3).map(lambda b: b.input_shapes)
SQUARE = fixed(((3, 3),), ((2, 3, 3),), ((1, 1),), ((2, 1, 2, 2),))
NONSQUARE = fixed(((3, 2),), ((2, 3),), ((2, 4, 3),), ((3, 3),))


def _eye_like(shape):
    return np.broadcast_to(np.eye(shape[-1]), shape) if len(shape) >= 2 and shape[-1] == shape[-2] else 0.0


def WELL(rng, shape):
    """Well-conditioned square matrices (random + 3 I)."""
    return rng.uniform(-1, 1, shape) + 3 * _eye_like(shape)


def SPD(rng, shape):
    """Symmetric positive-definite matrices with well-separated eigenvalues."""
    m = rng.uniform(-1, 1, shape)
    n = shape[-1]
    return m @ np.swapaxes(m, -1, -2) + np.diag(np.arange(1.0, n + 1) * 1.5) + n * _eye_like(shape)


def SEPARATED(rng, shape):
    """Matrices with well-separated singular values."""
    m, n = shape[-2:]
    k = min(m, n)
    u = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, m)))[0][..., :k]
    v = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, n)))[0][..., :k]
    s = np.arange(k, 0, -1) * 1.0 + 0.5
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def _sym(x):
    """The symmetric part: cholesky/eigh read one triangle, while their gradient (torch's) is symmetric,
    so they are differentiated as functions of symmetric inputs."""
    return (x + x.mT) * 0.5


_SYM = ("transpose", "add", "mul")
_MM = ("dot", "mv", "mm", "bmm", "_squeeze_inplace", "_reshape_alias", "view", "reshape_copy", "clone",
       "expand", "unsqueeze", "squeeze_dim", "transpose", "t")
_EIN = ("permute", "unsqueeze", "view", "bmm", "mul", "sum_dim", "diagonal", "_reshape_alias", "reshape_copy",
        "clone")

CASES = [
    # ---------------------------------------------------------------- one-node products
    OpCase("dot", lambda lib, a, b: lib.dot(a, b), fixed(((3,), (3,)), ((0,), (0,)), ((1,), (1,)))),
    OpCase("vdot", lambda lib, a, b: lib.vdot(a, b), fixed(((3,), (3,)), ((0,), (0,)))),
    OpCase("mv", lambda lib, a, b: lib.mv(a, b), fixed(((2, 3), (3,)), ((0, 3), (3,)), ((2, 0), (0,)))),
    OpCase("mm", lambda lib, a, b: a.mm(b), fixed(((2, 3), (3, 4)), ((0, 3), (3, 2)), ((2, 0), (0, 3)),
                                                  ((1, 1), (1, 1)))),
    OpCase("bmm", lambda lib, a, b: lib.bmm(a, b), fixed(((2, 2, 3), (2, 3, 4)), ((0, 2, 3), (0, 3, 1)),
                                                         ((1, 2, 0), (1, 0, 3)))),
    OpCase("addmm", lambda lib, s, a, b: lib.addmm(s, a, b),
           fixed(((4,), (2, 3), (3, 4)), ((2, 4), (2, 3), (3, 4)), ((), (2, 3), (3, 4)), ((1, 4), (2, 0), (0, 4)))),
    OpCase("addmm_scaled", lambda lib, s, a, b: lib.addmm(s, a, b, beta=0.5, alpha=-2) + a.addmm(a, b.t(), beta=0),
           fixed(((2, 2), (2, 3), (3, 2)),), covers=("addmm", "t", "add")),
    OpCase("addmv", lambda lib, s, a, b: lib.addmv(s, a, b, beta=2, alpha=0.5) + s.addmv(a, b),
           fixed(((2,), (2, 3), (3,)), ((), (2, 3), (3,)), ((1,), (1, 0), (0,))), covers=("addmv", "add")),
    OpCase("addr", lambda lib, s, a, b: lib.addr(s, a, b) + s.addr(a, b, beta=0.5, alpha=3),
           fixed(((2, 3), (2,), (3,)), ((3,), (2,), (3,)), ((), (0,), (2,))), covers=("addr", "add")),
    OpCase("baddbmm", lambda lib, s, a, b: lib.baddbmm(s, a, b) + s.baddbmm(a, b, beta=-1, alpha=2),
           fixed(((2, 2, 4), (2, 2, 3), (2, 3, 4)), ((4,), (2, 2, 3), (2, 3, 4)), ((1, 2, 1), (1, 2, 0), (1, 0, 1))),
           covers=("baddbmm", "add")),
    OpCase("addbmm", lambda lib, s, a, b: lib.addbmm(s, a, b) + s.addbmm(a, b, beta=0.5, alpha=2),
           fixed(((2, 4), (3, 2, 3), (3, 3, 4)), ((4,), (1, 2, 3), (1, 3, 4)), ((2, 1), (0, 2, 3), (0, 3, 1))),
           covers=("addbmm", "add")),
    OpCase("trace", lambda lib, x: x.trace(), fixed(((3, 3),), ((2, 4),), ((0, 0),), ((1, 3),))),
    OpCase("linalg_cross", lambda lib, a, b: lib.linalg.cross(a, b),
           fixed(((3,), (3,)), ((2, 3), (1, 3)), ((4, 3), (4, 3)))),
    OpCase("cross_dim", lambda lib, a, b: lib.cross(a, b, dim=0) + a.cross(b, dim=0),
           fixed(((3, 2), (3, 2)), ((3,), (3,))), covers=("linalg_cross", "add")),
    # ---------------------------------------------------------------- matmul (See Note [matmul as torch composes it])
    OpCase("matmul", lambda lib, a, b: a @ b, MATMUL, covers=_MM, examples=30),
    OpCase("matmul_fixed", lambda lib, a, b: lib.matmul(a, b),
           fixed(((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((2, 3), (2, 2, 3, 4)),
                 ((3,), (2, 3, 4)), ((2, 2, 3), (3,)), ((0, 2, 3), (3, 4)), ((2, 3, 0), (0,)), ((2, 1, 3), (1, 3))),
           covers=_MM),
    OpCase("matmul_left_const", lambda lib, a, b: a @ b, MATMUL, nograd=(0,), covers=_MM, examples=16),
    OpCase("matmul_right_const", lambda lib, a, b: a @ b, MATMUL, nograd=(1,), covers=_MM, examples=16),
    OpCase("rmatmul", lambda lib, a, b: b.__rmatmul__(a), fixed(((2, 3), (3,)), ((3,), (3, 2))), covers=_MM),
    # ---------------------------------------------------------------- composites
    OpCase("outer", lambda lib, a, b: lib.outer(a, b) + a.ger(b), fixed(((3,), (2,)), ((0,), (2,))),
           covers=("view", "mul", "add")),
    OpCase("inner", lambda lib, a, b: lib.inner(a, b),
           fixed(((3,), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (3,)), ((), (2, 3))), covers=_MM + ("permute", "mul")),
    OpCase("tensordot", lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])),
           fixed(((2, 3, 4), (4, 2, 5)), ((1, 3, 4), (4, 2)), ((2, 1, 1), (1, 2))), covers=_MM + ("permute", "sum_dim")),
    OpCase("tensordot_int", lambda lib, a, b: lib.tensordot(a, b, 1) + lib.tensordot(a, b.t().t(), dims=1),
           fixed(((2, 3), (3, 4)),), covers=_MM + ("permute", "add")),
    OpCase("kron", lambda lib, a, b: lib.kron(a, b), fixed(((2, 3), (2, 2)), ((2,), (3, 2)), ((2, 1, 2), (3,))),
           covers=("reshape_copy", "mul")),
    OpCase("multi_dot", lambda lib, a, b, c, d: lib.linalg.multi_dot([a, b, c, d]),
           fixed(((3,), (3, 4), (4, 2), (2, 5)), ((2, 3), (3, 1), (1, 4), (4,)), ((5, 1), (1, 6), (6, 2), (2, 3))),
           covers=_MM),
    OpCase("multi_dot3", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]) + lib.chain_matmul(a, b, c),
           fixed(((2, 3), (3, 4), (4, 5)), ((5, 3), (3, 1), (1, 4))), covers=_MM + ("add",)),
    # ---------------------------------------------------------------- einsum
    OpCase("einsum_mm", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), fixed(((2, 3), (3, 4)), ((2, 0), (0, 3))),
           covers=_EIN),
    OpCase("einsum_batch", lambda lib, a, b: lib.einsum("...ij,...jk", a, b),
           fixed(((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((2, 3), (2, 3, 1))), covers=_EIN),
    OpCase("einsum_diag", lambda lib, x: (lib.einsum("ii->i", x), lib.einsum("ii", x)), fixed(((3, 3),), ((0, 0),)),
           covers=_EIN),
    OpCase("einsum_repeat", lambda lib, x: lib.einsum("iji->j", x) + lib.einsum("jii->j", x.transpose(0, 1)),
           fixed(((3, 2, 3),),), covers=_EIN + ("transpose", "add")),
    OpCase("einsum_outer", lambda lib, a, b: lib.einsum("i,j->ij", a, b) + lib.einsum("ij->ji", lib.einsum("j,i", b, a)),
           fixed(((3,), (4,)),), covers=_EIN + ("add",)),
    OpCase("einsum_three", lambda lib, a, b, c: lib.einsum("bn,anm,bm->ba", a, b, c),
           fixed(((2, 3), (4, 3, 5), (2, 5)),), covers=_EIN),
    OpCase("einsum_reduce", lambda lib, x, y: lib.einsum("ij,ij->", x, y) + lib.einsum("a...b->", x),
           fixed(((2, 3), (2, 3)), ((1, 3), (2, 1))), covers=_EIN + ("sum", "add")),
    OpCase("einsum_sublist", lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]) + lib.einsum("ij,jk", [a, b]),
           fixed(((2, 3), (3, 2)),), covers=_EIN + ("add",)),
    # ---------------------------------------------------------------- decompositions
    OpCase("inv", lambda lib, x: lib.linalg.inv(x) + lib.inverse(x), SQUARE, domain=WELL,
           covers=("linalg_inv_ex", "add"), examples=6),
    OpCase("inv_ex", lambda lib, x: lib.linalg.inv_ex(x), SQUARE, domain=WELL, covers=("linalg_inv_ex",), examples=4),
    OpCase("det", lambda lib, x: (lib.linalg.det(x), x.det()), SQUARE, domain=WELL, covers=("_linalg_det",),
           examples=6),
    OpCase("det_random", lambda lib, x: lib.det(x), fixed(((3, 3),), ((2, 2, 2),), ((0, 0),)),
           covers=("_linalg_det",), examples=6),
    OpCase("slogdet", lambda lib, x: (lambda r: (r.sign.detach(), r.logabsdet))(lib.linalg.slogdet(x)), SQUARE, domain=WELL,
           covers=("_linalg_slogdet",), examples=6),
    OpCase("logdet", lambda lib, x: x.logdet(), SQUARE, domain=SPD, covers=("_linalg_slogdet", "where", "eq"),
           examples=6),
    OpCase("solve", lambda lib, a, b: lib.linalg.solve(a, b),
           fixed(((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)), ((3, 3), (2, 3, 1)),
                 ((1, 2, 2), (3, 2, 4))), domain=(WELL, ANY), covers=("_linalg_solve_ex",), examples=10),
    OpCase("solve_right", lambda lib, a, b: lib.linalg.solve(a, b, left=False),
           fixed(((3, 3), (2, 3)), ((2, 3, 3), (1, 3))), domain=(WELL, ANY), covers=("_linalg_solve_ex",),
           examples=4),
    OpCase("cholesky", lambda lib, x: lib.linalg.cholesky(_sym(x)), SQUARE, domain=SPD,
           covers=("linalg_cholesky_ex",) + _SYM,
           examples=6),
    OpCase("cholesky_upper", lambda lib, x: lib.linalg.cholesky_ex(_sym(x), upper=True).L, fixed(((3, 3),), ((2, 2, 2),)),
           domain=SPD, covers=("linalg_cholesky_ex",) + _SYM, examples=4),
    OpCase("qr", lambda lib, x: tuple(lib.linalg.qr(x)), fixed(((3, 3),), ((4, 2),), ((2, 4, 3),), ((2, 3),)),
           domain=SEPARATED, covers=("linalg_qr",), examples=6),
    OpCase("qr_complete", lambda lib, x: tuple(lib.linalg.qr(x, mode="complete")), fixed(((2, 3),), ((3, 3),)),
           domain=SEPARATED, covers=("linalg_qr",), examples=4),
    OpCase("eigh", lambda lib, x: (lambda r: (r.eigenvalues, r.eigenvectors * r.eigenvectors))(lib.linalg.eigh(_sym(x))),
           SQUARE, domain=SPD, covers=("linalg_eigh",) + _SYM, examples=6),
    OpCase("eigvalsh", lambda lib, x: lib.linalg.eigvalsh(_sym(x), UPLO="U"), SQUARE, domain=SPD,
           covers=("linalg_eigh",) + _SYM, examples=4),
    OpCase("svd", lambda lib, x: (lambda r: (r.U * r.U, r.S, r.Vh * r.Vh))(lib.linalg.svd(x, full_matrices=False)),
           NONSQUARE, domain=SEPARATED, covers=("_linalg_svd", "mul"), examples=6),
    OpCase("svd_square", lambda lib, x: (lambda r: (r.U * r.U, r.S, (r.U * r.S.unsqueeze(-2)) @ r.Vh))(lib.linalg.svd(x)),
           fixed(((3, 3),), ((2, 2, 2),)), domain=SEPARATED, covers=("_linalg_svd", "mul") + _MM, examples=4),
    OpCase("svdvals", lambda lib, x: lib.linalg.svdvals(x), NONSQUARE, domain=SEPARATED, covers=("_linalg_svd",),
           examples=6),
    OpCase("torch_svd", lambda lib, x: (lambda r: (r.U * r.U, r.S, r.V * r.V))(lib.svd(x)), fixed(((3, 2),),),
           domain=SEPARATED, covers=("_linalg_svd", "mul", "transpose"), examples=3),
    OpCase("pinv", lambda lib, x: lib.linalg.pinv(x), NONSQUARE, domain=SEPARATED, covers=("linalg_pinv",),
           examples=6),
    OpCase("pinv_hermitian", lambda lib, x: lib.linalg.pinv(_sym(x), hermitian=True), fixed(((3, 3),),), domain=SPD,
           covers=("linalg_pinv",) + _SYM, examples=3),
    OpCase("matrix_power", lambda lib, x: (lib.linalg.matrix_power(x, 3), x.matrix_power(5), lib.matrix_power(x, -2),
                                           lib.linalg.matrix_power(x, 1), lib.linalg.matrix_power(x, 2)),
           SQUARE, domain=WELL, covers=_MM + ("linalg_inv_ex",), examples=4, rtol=1e-4, atol=1e-4),
    OpCase("matrix_norm", lambda lib, x: tuple(lib.linalg.matrix_norm(x, o) for o in ("fro", "nuc", 1, -1, 2, -2,
                                                                                   float("inf"), -float("inf"))),
           fixed(((3, 3),), ((2, 3, 2),)), domain=SEPARATED,
           covers=("linalg_vector_norm", "_linalg_svd", "amax", "amin", "sum_dim", "permute"), examples=4),
    OpCase("matrix_norm_dims", lambda lib, x: (lib.linalg.matrix_norm(x, 1, dim=(2, 0), keepdim=True),
                                               lib.linalg.matrix_norm(x, "nuc", dim=(0, 2), keepdim=True)),
           fixed(((3, 2, 4),),), domain=ANY,
           covers=("linalg_vector_norm", "_linalg_svd", "amax", "sum_dim", "permute", "unsqueeze"), examples=3),
    OpCase("linalg_norm", lambda lib, x: (lib.linalg.norm(x), lib.linalg.norm(x, 3, dim=1), lib.linalg.norm(x, "fro"),
                                          lib.linalg.norm(x, float("inf")), lib.linalg.norm(x[0], 1)),
           fixed(((3, 2),),), covers=("linalg_vector_norm", "amax", "select"), examples=4),
    OpCase("vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), fixed(((3,), (3,)), ((2, 3), (3,))),
           covers=("vdot", "mul", "sum_dim")),
]
