"""Devices and array modules: the only file that knows NumPy from CuPy.

A Tensor holds one array (`_data`): a `numpy.ndarray` on "cpu", a
`cupy.ndarray` on "cuda". Everything else asks this module for `xp`, the array
module that matches an array or a device. CuPy is imported on first use, so
`import retrograd` never pays for it.
"""
import numpy as np

ndarray = np.ndarray
_cupy = None


def _load_cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError as e:  # pragma: no cover - depends on the machine
            # torch's type and message on a CPU-only build; retrograd's "cuda" is CuPy
            raise AssertionError("Torch not compiled with CUDA enabled") from e
        _cupy = cupy
    return _cupy


def cuda_is_available():
    try:
        return _load_cupy().cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


class device:
    """Same as `torch.device`: `device("cpu")`, `device("cuda", 0)`, `device("cuda:1")`."""
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = "cuda", type
        elif ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError("Expected one of cpu, cuda device type at start of device string: " + type)
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # torch: device("cpu") == "cpu" is False; only devices compare equal.
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def as_device(d):
    """A `device` from None, a string, an int or a device (None means cpu)."""
    if d is None:
        return CPU
    if type(d) is device:
        return d
    return device(d)


def xp_of(arr):
    """The array module of an array: numpy for numpy arrays, cupy for cupy arrays."""
    if type(arr) is ndarray or _cupy is None:
        return np
    return _cupy if isinstance(arr, _cupy.ndarray) else np


def xp_for(dev):
    """The array module for a device."""
    return np if dev.type == "cpu" else _load_cupy()


def device_of(arr):
    if type(arr) is ndarray or _cupy is None or not isinstance(arr, _cupy.ndarray):
        return CPU
    return device("cuda", arr.device.id)


def to_device(arr, dev):
    """Move an array to a device (a no-op when it is already there)."""
    if dev.type == "cpu":
        if type(arr) is ndarray or _cupy is None or not isinstance(arr, _cupy.ndarray):
            return arr
        return _cupy.asnumpy(arr)
    cp = _load_cupy()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(arr)


def to_numpy(arr):
    """A NumPy array for an array of any device (shares memory on cpu)."""
    if type(arr) is ndarray:
        return arr
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy.asnumpy(arr)
    return np.asarray(arr)
