"""Linear algebra beyond the OpCases: torch's errors word for word, the grad_fn chains torch
builds for matmul and einsum, saved attributes, named results and their reprs."""
import itertools
import warnings

import numpy as np
import pytest

import retrograd
from oracle import torch, raises_same, to_np

f32, f64 = "float32", "float64"


def T(lib, *shape, dtype=f32, rg=False):
    return lib.ones(*shape, dtype=getattr(lib, dtype), requires_grad=rg)


# ---------------------------------------------------------------- errors

ERRORS = {
    "mm shape": lambda L: L.mm(T(L, 2, 3), T(L, 2, 3)),
    "mm dtype": lambda L: L.mm(T(L, 2, 3), T(L, 3, 3, dtype=f64)),
    "mm dtype long": lambda L: L.mm(L.ones(2, 2, dtype=L.long), T(L, 2, 2)),
    "mm 1d": lambda L: L.mm(T(L, 3), T(L, 3, 3)),
    "mm mat2 1d": lambda L: L.mm(T(L, 3, 3), T(L, 3)),
    "mm shape before dtype": lambda L: L.mm(T(L, 2, 3, dtype=f64), T(L, 4, 2)),
    "matmul 0d": lambda L: L.matmul(L.tensor(1.), T(L, 3)),
    "matmul 1-1": lambda L: T(L, 3) @ T(L, 4),
    "matmul 1-1 dtype": lambda L: T(L, 3) @ T(L, 3, dtype=f64),
    "matmul 2-1": lambda L: T(L, 2, 3) @ T(L, 4),
    "matmul 2-1 dtype": lambda L: T(L, 2, 3) @ T(L, 3, dtype=f64),
    "matmul 1-2": lambda L: T(L, 3) @ T(L, 4, 2),
    "matmul 3-3": lambda L: T(L, 5, 2, 3) @ T(L, 5, 4, 2),
    "matmul 3-3 batch": lambda L: T(L, 5, 2, 3) @ T(L, 4, 3, 2),
    "matmul 3-3 dtype": lambda L: T(L, 5, 2, 3) @ T(L, 5, 3, 2, dtype=f64),
    "matmul 3-2": lambda L: T(L, 5, 2, 3) @ T(L, 4, 2),
    "matmul 3-2 dtype": lambda L: T(L, 5, 2, 3) @ T(L, 3, 2, dtype=f64),
    "matmul 3-1": lambda L: T(L, 5, 2, 3) @ T(L, 4),
    "matmul 1-3": lambda L: T(L, 4) @ T(L, 5, 3, 2),
    "matmul 2-3": lambda L: T(L, 2, 4) @ T(L, 5, 3, 2),
    "matmul 2-3 grad": lambda L: T(L, 2, 4, rg=True) @ T(L, 5, 3, 2),
    "matmul 4-4 broadcast": lambda L: T(L, 2, 5, 2, 3) @ T(L, 3, 5, 3, 2),
    "matmul long float": lambda L: L.ones(2, 2, dtype=L.long) @ T(L, 2, 2),
    "bmm batch": lambda L: L.bmm(T(L, 5, 2, 3), T(L, 4, 3, 2)),
    "bmm inner": lambda L: L.bmm(T(L, 5, 2, 3), T(L, 5, 4, 2)),
    "bmm 2d": lambda L: L.bmm(T(L, 2, 3), T(L, 3, 2)),
    "bmm 2d mat2": lambda L: L.bmm(T(L, 2, 2, 3), T(L, 3, 2)),
    "bmm dtype": lambda L: L.bmm(T(L, 5, 2, 3), T(L, 5, 3, 2, dtype=f64)),
    "bmm dtype 2": lambda L: L.bmm(T(L, 2, 2, 3, dtype=f64), T(L, 2, 3, 2)),
    "mv shape": lambda L: L.mv(T(L, 2, 3), T(L, 4)),
    "mv dims": lambda L: L.mv(T(L, 2, 3), T(L, 3, 1)),
    "mv dims 1": lambda L: L.mv(T(L, 3), T(L, 3)),
    "mv dtype": lambda L: L.mv(T(L, 2, 3), T(L, 3, dtype=f64)),
    "mv dtype 2": lambda L: L.mv(T(L, 2, 3, dtype=f64), T(L, 3)),
    "dot size": lambda L: L.dot(T(L, 3), T(L, 4)),
    "dot dims": lambda L: L.dot(T(L, 3, 1), T(L, 3)),
    "dot dtype": lambda L: L.dot(T(L, 3), T(L, 3, dtype=f64)),
    "vdot size": lambda L: L.vdot(T(L, 3), T(L, 4)),
    "vdot dtype": lambda L: L.vdot(T(L, 3), T(L, 3, dtype=f64)),
    "outer dims": lambda L: L.outer(T(L, 3, 1), T(L, 3)),
    "outer 0d": lambda L: L.outer(L.tensor(1.), T(L, 3)),
    "outer vec2": lambda L: L.outer(T(L, 3), T(L, 3, 1)),
    "addmm expand": lambda L: L.addmm(T(L, 3), T(L, 2, 3), T(L, 3, 4)),
    "addmm shapes": lambda L: L.addmm(T(L, 4), T(L, 2, 3), T(L, 2, 4)),
    "addmm dtype self": lambda L: L.addmm(T(L, 4, dtype=f64), T(L, 2, 3), T(L, 3, 4)),
    "addmm dtype mat2": lambda L: L.addmm(T(L, 4), T(L, 2, 3), T(L, 3, 4, dtype=f64)),
    "addmm dtype mat1": lambda L: L.addmm(T(L, 4), T(L, 2, 3, dtype=f64), T(L, 3, 4)),
    "addmm 1d": lambda L: L.addmm(T(L, 4), T(L, 3), T(L, 3, 4)),
    "addmv shape": lambda L: L.addmv(T(L, 3), T(L, 2, 3), T(L, 3)),
    "addmv vec": lambda L: L.addmv(T(L, 2), T(L, 2, 3), T(L, 4)),
    "addmv dtype": lambda L: L.addmv(T(L, 2, dtype=f64), T(L, 2, 3), T(L, 3)),
    "addr 2d": lambda L: L.addr(T(L, 2, 2), T(L, 2, 2), T(L, 2)),
    "addr expand": lambda L: L.addr(T(L, 2, 2), T(L, 3), T(L, 4)),
    "baddbmm expand": lambda L: L.baddbmm(T(L, 5, 2, 3), T(L, 5, 2, 3), T(L, 5, 3, 4)),
    "baddbmm dtype": lambda L: L.baddbmm(T(L, 2, 2, 2, dtype=f64), T(L, 2, 2, 2), T(L, 2, 2, 2)),
    "baddbmm dtype batch1": lambda L: L.baddbmm(T(L, 2, 2, 2), T(L, 2, 2, 2, dtype=f64), T(L, 2, 2, 2)),
    "baddbmm dtype batch2": lambda L: L.baddbmm(T(L, 2, 2, 2), T(L, 2, 2, 2), T(L, 2, 2, 2, dtype=f64)),
    "baddbmm batches": lambda L: L.baddbmm(T(L, 2, 2, 2), T(L, 3, 2, 2), T(L, 2, 2, 2)),
    "addbmm expand": lambda L: L.addbmm(T(L, 2, 3), T(L, 5, 2, 3), T(L, 5, 3, 4)),
    "addbmm 2d": lambda L: L.addbmm(T(L, 2, 2), T(L, 2, 2), T(L, 2, 2, 2)),
    "addbmm batches": lambda L: L.addbmm(T(L, 2, 2), T(L, 3, 2, 2), T(L, 2, 2, 2)),
    "addbmm dtype": lambda L: L.addbmm(T(L, 2, 2, dtype=f64), T(L, 2, 2, 2), T(L, 2, 2, 2)),
    "addbmm dtype batch2": lambda L: L.addbmm(T(L, 2, 2), T(L, 2, 2, 2), T(L, 2, 2, 2, dtype=f64)),
    "trace 3d": lambda L: L.trace(T(L, 2, 2, 2)),
    "trace 1d": lambda L: L.trace(T(L, 2)),
    "tensordot sizes": lambda L: L.tensordot(T(L, 2, 3), T(L, 4, 5), dims=1),
    "tensordot dtype": lambda L: L.tensordot(T(L, 2, 3, dtype=f64), T(L, 3, 2), dims=1),
    "tensordot negative": lambda L: L.tensordot(T(L, 2, 3), T(L, 3, 2), dims=-1),
    "tensordot lists": lambda L: L.tensordot(T(L, 2, 3), T(L, 3, 2), dims=([0, 1], [0])),
    "inner": lambda L: L.inner(T(L, 2, 3), T(L, 2, 4)),
    "cross length": lambda L: L.cross(T(L, 4, 2), T(L, 4, 2), dim=1),
    "linalg.cross length": lambda L: L.linalg.cross(T(L, 4, 2), T(L, 4, 2)),
    "linalg.cross broadcast": lambda L: L.linalg.cross(T(L, 4, 3), T(L, 5, 3)),
    "linalg.cross ndim": lambda L: L.linalg.cross(T(L, 2, 3), T(L, 3)),
    "linalg.cross dtype": lambda L: L.linalg.cross(T(L, 3, dtype=f64), T(L, 3)),
    "multi_dot one": lambda L: L.linalg.multi_dot([T(L, 2, 3)]),
    "multi_dot 3d last": lambda L: L.linalg.multi_dot([T(L, 2, 3), T(L, 2, 3, 3)]),
    "multi_dot 3d first": lambda L: L.linalg.multi_dot([T(L, 2, 2, 3), T(L, 3, 3)]),
    "multi_dot middle": lambda L: L.linalg.multi_dot([T(L, 2, 3), T(L, 3), T(L, 3, 3)]),
    "multi_dot shapes": lambda L: L.linalg.multi_dot([T(L, 2, 3), T(L, 2, 3)]),
    "einsum sizes": lambda L: L.einsum("ij,jk", T(L, 2, 3), T(L, 4, 5)),
    "einsum fewer": lambda L: L.einsum("ij,jk->ik", T(L, 2, 3)),
    "einsum more": lambda L: L.einsum("ij->ij", T(L, 2, 3), T(L, 2, 3)),
    "einsum output": lambda L: L.einsum("ij->ik", T(L, 2, 3)),
    "einsum ndim": lambda L: L.einsum("ij", T(L, 2, 3, 4)),
    "einsum ndim ellipsis": lambda L: L.einsum("ij...k", T(L, 2, 3)),
    "einsum dtype": lambda L: L.einsum("ij,jk", T(L, 2, 3), T(L, 3, 5, dtype=f64)),
    "einsum no operand": lambda L: L.einsum("i"),
    "einsum repeated": lambda L: L.einsum("ii", T(L, 2, 3)),
    "einsum subscript": lambda L: L.einsum("i1", T(L, 2, 3)),
    "einsum ellipsis": lambda L: L.einsum("...i,...i", T(L, 2, 3), T(L, 4, 3)),
    "einsum output twice": lambda L: L.einsum("i->ii", T(L, 2)),
    "einsum dot": lambda L: L.einsum("i.j", T(L, 2, 3)),
    "inv square": lambda L: L.linalg.inv(T(L, 2, 3)),
    "inv 1d": lambda L: L.linalg.inv(T(L, 3)),
    "inv long": lambda L: L.linalg.inv(L.ones(3, 3, dtype=L.long)),
    "det long": lambda L: L.linalg.det(L.ones(3, 3, dtype=L.long)),
    "svd 1d": lambda L: L.linalg.svd(T(L, 3)),
    "solve shapes": lambda L: L.linalg.solve(T(L, 3, 3), T(L, 4)),
    "qr mode": lambda L: L.linalg.qr(T(L, 3, 3), mode="full"),
    "qr r backward": lambda L: L.linalg.qr(T(L, 3, 3, rg=True), mode="r")[1].sum().backward(),
    "eigh uplo": lambda L: L.linalg.eigh(T(L, 3, 3), UPLO="X"),
    "matrix_norm ord": lambda L: L.linalg.matrix_norm(T(L, 3, 3), 3),
    "matrix_norm str": lambda L: L.linalg.matrix_norm(T(L, 3, 3), "abc"),
    "matrix_norm 1d": lambda L: L.linalg.matrix_norm(T(L, 3)),
    "matrix_norm dims": lambda L: L.linalg.matrix_norm(T(L, 3, 3), dim=(0, 0)),
    "norm ord 3d": lambda L: L.linalg.norm(T(L, 2, 2, 2), 2),
    "norm dims": lambda L: L.linalg.norm(T(L, 2, 2, 2), dim=(0, 1, 2)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_as_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_same(ERRORS[name])


LINALG_ERRORS = {
    "inv singular": lambda L: L.linalg.inv(L.tensor([[1., 2.], [2., 4.]])),
    "inv singular batch": lambda L: L.linalg.inv(L.tensor([[[1., 0.], [0., 1.]], [[1., 2.], [2., 4.]]])),
    "inverse singular 3": lambda L: L.inverse(L.tensor([[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]])),
    "cholesky": lambda L: L.linalg.cholesky(L.tensor([[1., 2.], [2., 1.]])),
    "cholesky batch": lambda L: L.linalg.cholesky(L.tensor([[[1., 0.], [0., 1.]], [[1., 2.], [2., 1.]]])),
    "solve singular": lambda L: L.linalg.solve(L.tensor([[1., 2.], [2., 4.]]), L.ones(2)),
}


@pytest.mark.parametrize("name", list(LINALG_ERRORS))
def test_linalg_error_as_torch(name):
    """torch raises torch.linalg.LinAlgError (a RuntimeError); ours is retrograd.linalg.LinAlgError."""
    with pytest.raises(torch.linalg.LinAlgError) as theirs:
        LINALG_ERRORS[name](torch)
    with pytest.raises(retrograd.linalg.LinAlgError) as ours:
        LINALG_ERRORS[name](retrograd)
    assert isinstance(ours.value, RuntimeError)
    assert str(ours.value) == str(theirs.value)
    assert type(ours.value).__name__ == type(theirs.value).__name__


def test_cross_without_dim_warns_as_torch():
    for lib in (torch, retrograd):
        with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
            lib.cross(lib.ones(2, 3), lib.ones(2, 3))


# ---------------------------------------------------------------- grad_fn chains

def chain(fn):
    """The node names of a graph, depth first (AccumulateGrad as 'Acc')."""
    out, stack = [], [fn]
    while stack:
        f = stack.pop()
        if f is None:
            continue
        out.append("Acc" if type(f).__name__ == "AccumulateGrad" else type(f).__name__)
        stack.extend(g for g, _ in reversed(f.next_functions))
    return out


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (5, 3, 4)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
                 ((2, 1, 2, 3), (5, 3, 4)), ((2, 5, 2, 3), (3, 4)), ((2, 3), (2, 5, 3, 4)), ((3,), (2, 5, 3, 4)),
                 ((1, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((2, 1, 2, 3), (1, 3, 4)), ((0, 2, 3), (3, 4)),
                 ((5, 2, 0), (0, 3)), ((1, 0, 3), (2, 3, 1))]


@pytest.mark.parametrize("shapes,grads", list(itertools.product(MATMUL_SHAPES, [(1, 1), (1, 0), (0, 1)])))
def test_matmul_chain_as_torch(shapes, grads):
    """matmul records exactly torch's nodes: the folded mm/mv, or expand + reshape + bmm (which
    torch chooses from the operands' dims, strides and requires_grad)."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    res = {}
    for name, lib in (("torch", torch), ("ours", retrograd)):
        a, b = (lib.tensor(x, requires_grad=bool(g)) for x, g in zip(arrays, grads))
        y = a @ b
        gy = lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)))
        gs = lib.autograd.grad(y, [x for x in (a, b) if x.requires_grad], gy)
        res[name] = chain(y.grad_fn), to_np(y), [to_np(g) for g in gs]
    assert res["ours"][0] == res["torch"][0]
    np.testing.assert_allclose(res["ours"][1], res["torch"][1], rtol=1e-12, atol=1e-12)
    for g, h in zip(res["ours"][2], res["torch"][2]):
        np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-12)


EINSUMS = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("i,i->", [(3,), (3,)]),
           ("i,j->ij", [(3,), (4,)]), ("ii->", [(3, 3)]), ("ii->i", [(3, 3)]), ("ij->ji", [(2, 3)]),
           ("ij->j", [(2, 3)]), ("...ij,...jk->...ik", [(5, 2, 3), (5, 3, 4)]), ("bij,jk->bik", [(5, 2, 3), (3, 4)]),
           ("ij,ij->ij", [(2, 3), (2, 3)]), ("i,ij->j", [(3,), (3, 4)]), ("ij,kl->ijkl", [(2, 3), (3, 4)]),
           ("i,i,i->", [(3,), (3,), (3,)]), ("iij->j", [(3, 3, 2)]), ("a...b,b...c->...ac", [(2, 4, 3), (3, 4, 5)]),
           ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("Ab,bA->", [(2, 3), (3, 2)]),
           ("...i,...i->...", [(2, 1, 3), (4, 3)]), ("ij,kj->ik", [(1, 3), (4, 3)])]


@pytest.mark.parametrize("eq,shapes", EINSUMS)
def test_einsum_chain_as_torch(eq, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    res = {}
    for name, lib in (("torch", torch), ("ours", retrograd)):
        ins = [lib.tensor(x, requires_grad=True) for x in arrays]
        y = lib.einsum(eq, *ins)
        res[name] = chain(y.grad_fn), to_np(y)
    assert res["ours"][0] == res["torch"][0]
    np.testing.assert_allclose(res["ours"][1], res["torch"][1], rtol=1e-12, atol=1e-12)


CHAINS = {
    "outer": lambda L, a: L.outer(a[0], a[0]),
    "tensordot": lambda L, a: L.tensordot(a.unsqueeze(-1) * a, a.t(), dims=([0, 2], [1, 0])),
    "inner": lambda L, a: L.inner(a, a),
    "kron": lambda L, a: L.kron(a, a),
    "multi_dot": lambda L, a: L.linalg.multi_dot([a[0], a, a, a[:, 0]]),
    "matrix_power": lambda L, a: L.linalg.matrix_power(a, -3),
    "logdet": lambda L, a: L.logdet(a @ a.t()),
    "nuc": lambda L, a: L.linalg.matrix_norm(a, "nuc"),
    "matrix_norm 1": lambda L, a: L.linalg.matrix_norm(a, 1),
    "matrix_norm 2": lambda L, a: L.linalg.matrix_norm(a, 2),
    "norm": lambda L, a: L.linalg.norm(a),
    "svdvals": lambda L, a: L.linalg.svdvals(a),
    "eigvalsh": lambda L, a: L.linalg.eigvalsh(a),
    "pinv": lambda L, a: L.linalg.pinv(a),
    "inverse": lambda L, a: a.inverse(),
    "solve": lambda L, a: L.linalg.solve(a, a[0]),
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_composite_chain_as_torch(name):
    a = np.array([[2., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 4.]])
    ours = CHAINS[name](retrograd, retrograd.tensor(a, requires_grad=True))
    theirs = CHAINS[name](torch, torch.tensor(a, requires_grad=True))
    assert chain(ours.grad_fn) == chain(theirs.grad_fn)
    np.testing.assert_allclose(to_np(ours), to_np(theirs), rtol=1e-10, atol=1e-12)


def test_saved_attributes_as_torch():
    def nodes(L):
        x = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        v = L.tensor([1., 2.], requires_grad=True)
        return {"mm": L.mm(x, x).grad_fn, "mv": L.mv(x, v).grad_fn, "dot": L.dot(v, v).grad_fn,
                "addmm": L.addmm(v, x, x, beta=2, alpha=3).grad_fn, "bmm": L.bmm(x[None], x[None]).grad_fn,
                "cross": L.linalg.cross(L.ones(3, requires_grad=True), L.ones(3)).grad_fn,
                "inv": L.linalg.inv(x).grad_fn, "eigh": L.linalg.eigh(x @ x.t()).eigenvalues.grad_fn,
                "qr": L.linalg.qr(x).Q.grad_fn, "svd": L.linalg.svd(x).S.grad_fn}
    ours, theirs = nodes(retrograd), nodes(torch)
    for k, names in {"mm": ["self", "mat2"], "mv": ["self", "vec"], "dot": ["self", "tensor"],
                     "addmm": ["mat1", "mat2", "beta", "alpha"], "bmm": ["self", "mat2"],
                     "cross": ["self", "other"], "inv": ["inverse"], "eigh": ["eigenvalues", "eigenvectors"],
                     "qr": ["Q", "R", "mode"], "svd": ["U", "S", "Vh", "full_matrices"]}.items():
        assert type(ours[k]).__name__ == type(theirs[k]).__name__
        for n in names:
            a, b = getattr(ours[k], "_saved_" + n), getattr(theirs[k], "_saved_" + n)
            if isinstance(b, torch.Tensor):
                np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-6)
            else:
                assert a == b, (k, n, a, b)


def test_named_results_as_torch():
    a = [[2., 1.], [1., 3.]]
    for f in (lambda L: L.linalg.slogdet(L.tensor(a)), lambda L: L.slogdet(L.tensor(a)),
              lambda L: L.linalg.eigh(L.tensor(a)), lambda L: L.linalg.inv_ex(L.tensor(a)),
              lambda L: L.linalg.cholesky_ex(L.tensor(a)), lambda L: L.linalg.solve_ex(L.tensor(a), L.tensor(a[0]))):
        assert repr(f(retrograd)) == repr(f(torch))
    r = retrograd.linalg.eigh(retrograd.tensor(a))
    assert r.eigenvalues is r[0] and len(r) == 2


def test_matmul_with_numpy_in_formulas():
    """np.matmul on Tensors (as formulas write it) is retrograd's matmul."""
    x = retrograd.ones(2, 3, requires_grad=True)
    y = np.matmul(x, retrograd.ones(3, 4))
    assert type(y.grad_fn).__name__ == "MmBackward0"


def test_det_of_singular_matrix_as_torch():
    """torch's first-order det gradient of an exactly singular matrix is 0 (det * A^-T with det = 0),
    its second-order path uses the adjugate (through the SVD)."""
    a = [[1., 2.], [2., 4.]]
    for create_graph in (False, True):
        gs = []
        for lib in (torch, retrograd):
            x = lib.tensor(a, dtype=lib.float64, requires_grad=True)
            g, = lib.autograd.grad(lib.linalg.det(x), x, create_graph=create_graph)
            gs.append(to_np(g))
        np.testing.assert_allclose(gs[1], gs[0], atol=1e-12)


def _out_cases(L):
    a = L.ones(3, 3, requires_grad=True)
    v = L.ones(3, requires_grad=True)
    eye = L.eye(3) + a * 0
    return {"mm": lambda o: L.mm(a, a, out=o), "matmul": lambda o: L.matmul(a, a, out=o),
            "dot": lambda o: L.dot(v, v, out=o), "mv": lambda o: L.mv(a, v, out=o),
            "addmm": lambda o: L.addmm(a, a, a, out=o), "outer": lambda o: L.outer(v, v, out=o),
            "kron": lambda o: L.kron(a, a, out=o), "tensordot": lambda o: L.tensordot(a, a, out=o),
            "inner": lambda o: L.inner(a, a, out=o), "multi_dot": lambda o: L.linalg.multi_dot([a, a], out=o),
            "inv": lambda o: L.linalg.inv(eye, out=o), "det": lambda o: L.linalg.det(a, out=o),
            "solve": lambda o: L.linalg.solve(eye, v, out=o), "matrix_power": lambda o: L.linalg.matrix_power(a, 2, out=o),
            "svdvals": lambda o: L.linalg.svdvals(a, out=o), "eigvalsh": lambda o: L.linalg.eigvalsh(a, out=o),
            "baddbmm": lambda o: L.baddbmm(a[None], a[None], a[None], out=o)}


@pytest.mark.parametrize("name", list(_out_cases(retrograd)))
def test_out_as_torch(name):
    """out= is refused while autograd records (naming the op torch names; tensordot and inner copy
    into it instead), else written into."""
    if name not in ("tensordot", "inner"):
        raises_same(lambda L: _out_cases(L)[name](L.empty(0)))
    for lib in (torch, retrograd):
        with lib.no_grad():
            o = lib.empty(0)
            r = _out_cases(lib)[name](o)
        assert r is o
    got = [to_np(_no_grad_out(lib, name)) for lib in (torch, retrograd)]
    np.testing.assert_allclose(got[1], got[0], rtol=1e-6, atol=1e-6)


def _no_grad_out(lib, name):
    with lib.no_grad():
        o = lib.empty(0)
        _out_cases(lib)[name](o)
    return o


def test_out_dtype_and_resize_as_torch():
    raises_same(lambda L: L.mm(L.ones(2, 3), L.ones(3, 2), out=L.empty(2, 2, dtype=L.float64)))
    for lib in (torch, retrograd):
        with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
            o = lib.empty(3, 3)
            lib.mm(lib.ones(2, 3), lib.ones(3, 2), out=o)
        assert tuple(o.shape) == (2, 2)
