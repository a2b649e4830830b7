"""Same as `torch.cuda`, as far as retrograd has it: the "cuda" device is CuPy's arrays.

Without CuPy (or without a GPU) every query answers as a CPU-only torch build does.
"""
from .backend import cuda_is_available


def is_available():
    """Same as `torch.cuda.is_available`: CuPy is installed and sees a GPU."""
    return cuda_is_available()


def device_count():
    """Same as `torch.cuda.device_count`."""
    if not cuda_is_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def synchronize(device=None):
    """Same as `torch.cuda.synchronize`: wait for the GPU's queued work."""
    from .backend import _load_cupy
    _load_cupy().cuda.Device().synchronize()


def manual_seed(seed):
    """Same as `torch.cuda.manual_seed`: retrograd draws every random number on the CPU
    (bit-exact with torch's CPU generator), so there is no separate GPU generator to seed."""


manual_seed_all = manual_seed
