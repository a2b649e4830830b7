"""retrograd: reverse-mode automatic differentiation on NumPy, with PyTorch's API.

    import retrograd as torch
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()
    x.grad          # tensor([2., 4.])
"""
from .tensor import Tensor, Size
from .dtypes import (dtype, get_default_dtype, set_default_dtype, promote_types, result_type, can_cast,
                     finfo, iinfo, float16, float32, float64, complex64, complex128, int8, int16, int32,
                     int64, uint8, bool_ as bool)
from .dtypes import ALIASES as _ALIASES
from .backend import device
from . import autograd
from . import return_types
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode
from .autograd.grad_mode import is_grad_enabled, is_inference_mode_enabled
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled
from . import ops as _ops
from . import creation as _creation
from .creation import Generator, default_generator
from .ops.registry import FUNCTIONS as _FUNCTIONS

globals().update(_ALIASES)
globals().update(_FUNCTIONS)

__version__ = "0.1.0"


def is_tensor(obj):
    """Same as `torch.is_tensor`."""
    return isinstance(obj, Tensor)


def numel(input):
    """Same as `torch.numel`."""
    return input.numel()


_SUBMODULES = {"nn", "optim", "utils", "func", "viz", "testing", "linalg", "special", "fft", "cuda", "backends",
               "serialization"}


def save(obj, f, *args, **kwargs):
    """Same as `torch.save`: PyTorch's zip format (see retrograd/serialization.py)."""
    from .serialization import save
    return save(obj, f, *args, **kwargs)


def load(f, map_location=None, *args, **kwargs):
    """Same as `torch.load`: reads PyTorch's zip format without running code (weights_only=True)."""
    from .serialization import load
    return load(f, map_location, *args, **kwargs)


def __getattr__(name):
    """Submodules load on first use (`torch.nn`, `torch.optim`, ...): `import retrograd` stays fast."""
    if name in _SUBMODULES:
        import importlib
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'retrograd' has no attribute '{name}'")
