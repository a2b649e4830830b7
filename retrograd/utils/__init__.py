"""retrograd.utils: same as `torch.utils`; submodules (`checkpoint`, `data`) load on first use."""
import importlib

_SUBMODULES = {"checkpoint", "data"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'retrograd.utils' has no attribute '{name}'")
