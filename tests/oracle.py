"""Helpers to run the same code on retrograd and torch and compare the results."""
import numpy as np
import pytest

import retrograd

torch = pytest.importorskip("torch")

TOL = {"float64": dict(rtol=1e-7, atol=1e-9), "float32": dict(rtol=2e-4, atol=2e-5)}


def to_np(x):
    """A NumPy value for a result of either library (tensors, tuples, numbers)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy(force=x._is_zerotensor())   # torch's lazy zeros (abs'' = 0)
    if isinstance(x, retrograd.Tensor):
        return np.asarray(x.detach()._data)
    if isinstance(x, (tuple, list)):
        return [to_np(v) for v in x]
    return x


def assert_close(ours, theirs, rtol, atol, what=""):
    """Compare results of the two libraries: structure, dtype, shape, values."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{what}: torch gave a sequence, retrograd {type(ours)}"
        assert len(ours) == len(theirs), f"{what}: {len(ours)} results vs torch's {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_close(a, b, rtol, atol, f"{what}[{i}]")
        return
    if theirs is None or ours is None:
        assert ours is None and theirs is None, f"{what}: {ours!r} vs torch {theirs!r}"
        return
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, retrograd.Tensor), f"{what}: expected a Tensor, got {type(ours)}"
        assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} vs torch {theirs.dtype}"
        assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} vs torch {tuple(theirs.shape)}"
        a, b = to_np(ours), to_np(theirs)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(a, b, err_msg=what)
        return
    assert type(ours) is type(theirs) or (isinstance(ours, (int, float)) and isinstance(theirs, (int, float))), \
        f"{what}: {type(ours)} vs torch {type(theirs)}"
    if isinstance(theirs, float):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)
    else:
        assert ours == theirs, f"{what}: {ours!r} vs torch {theirs!r}"


def both(fn, *arrays, dtype="float64", requires_grad=False):
    """Run fn(lib, *tensors) on both libraries; returns (ours, torch's, our inputs, torch's inputs)."""
    ins_r = [retrograd.tensor(a, dtype=getattr(retrograd, dtype), requires_grad=requires_grad) for a in arrays]
    ins_t = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=requires_grad) for a in arrays]
    return fn(retrograd, *ins_r), fn(torch, *ins_t), ins_r, ins_t


def raises_same(fn, *args):
    """fn(lib, *args) raises in torch; check retrograd raises the same type with the same message."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *args)
    with pytest.raises(type(theirs.value)) as ours:
        fn(retrograd, *args)
    assert str(ours.value) == str(theirs.value)
