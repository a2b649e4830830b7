"""The "cuda" device without a GPU answers as torch's CPU-only build does (CI has no GPU;
the CuPy backend itself is exercised on a GPU machine, not here)."""
import pytest

import retrograd
from conftest import needs_torch

torch = pytest.importorskip("torch")


@needs_torch
def test_cuda_queries_match_a_cpu_only_torch():
    assert retrograd.cuda.is_available() == torch.cuda.is_available() is False
    assert retrograd.cuda.device_count() == torch.cuda.device_count() == 0


@needs_torch
@pytest.mark.parametrize("make", [lambda lib: lib.zeros(2, device="cuda"),
                                  lambda lib: lib.tensor([1.0]).to("cuda"),
                                  lambda lib: lib.ones(3).cuda()])
def test_cuda_tensor_without_cuda_raises_torchs_error(make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(retrograd)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_cpu_device_roundtrip():
    x = retrograd.tensor([1.0, 2.0], device="cpu")
    assert str(x.device) == "cpu" and x.to("cpu") is x
