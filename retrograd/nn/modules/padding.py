"""Padding layers: constant (and zero), reflection, replication and circular padding of the last
1, 2 or 3 dimensions, as torch has them. `padding` is an int (every side) or a tuple listing the
last dimension first: (left, right[, top, bottom[, front, back]]); F.pad does the work."""
from .. import functional as F
from .module import Module
from .utils import _pair, _quadruple, _ntuple

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]

_sextuple = _ntuple(6, "_sextuple")


class _PadNd(Module):
    """A padding layer of F.pad mode `_mode`; `_tuple` spreads an int over every side."""
    _mode = _tuple = None

    def __init__(self, padding):
        super().__init__()
        self.padding = type(self)._tuple(padding)

    def forward(self, input):
        return F.pad(input, self.padding, type(self)._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"
    _dims = None          # the accepted input ranks: unbatched and batched

    def forward(self, input):
        unbatched, batched = type(self)._dims
        if input.dim() != unbatched and input.dim() != batched:
            raise ValueError(f"expected {unbatched}D or {batched}D input (got {input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Same as `torch.nn.CircularPad1d`.

    >>> import retrograd as torch
    >>> torch.nn.CircularPad1d(2)
    CircularPad1d((2, 2))
    """
    _tuple, _dims = staticmethod(_pair), (2, 3)


class CircularPad2d(_CircularPadNd):
    """Same as `torch.nn.CircularPad2d`.

    >>> import retrograd as torch
    >>> torch.nn.CircularPad2d((1, 1, 2, 0))
    CircularPad2d((1, 1, 2, 0))
    """
    _tuple, _dims = staticmethod(_quadruple), (3, 4)


class CircularPad3d(_CircularPadNd):
    """Same as `torch.nn.CircularPad3d`."""
    _tuple, _dims = staticmethod(_sextuple), (4, 5)


class _ConstantPadNd(Module):
    _tuple = None

    def __init__(self, padding, value):
        super().__init__()
        self.value = value
        self.padding = type(self)._tuple(padding)

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Same as `torch.nn.ConstantPad1d`.

    >>> import retrograd as torch
    >>> torch.nn.ConstantPad1d((3, 1), 3.5)
    ConstantPad1d(padding=(3, 1), value=3.5)
    """
    _tuple = staticmethod(_pair)


class ConstantPad2d(_ConstantPadNd):
    """Same as `torch.nn.ConstantPad2d`.

    >>> import retrograd as torch
    >>> torch.nn.ConstantPad2d(2, 3.5)
    ConstantPad2d(padding=(2, 2, 2, 2), value=3.5)
    """
    _tuple = staticmethod(_quadruple)


class ConstantPad3d(_ConstantPadNd):
    """Same as `torch.nn.ConstantPad3d`.

    >>> import retrograd as torch
    >>> torch.nn.ConstantPad3d((3, 3, 6, 6, 0, 1), 3.5)
    ConstantPad3d(padding=(3, 3, 6, 6, 0, 1), value=3.5)
    """
    _tuple = staticmethod(_sextuple)


class _ZeroPad:
    """ZeroPadNd: ConstantPadNd with value 0.0, printed with its padding only."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Same as `torch.nn.ZeroPad1d`.

    >>> import retrograd as torch
    >>> torch.nn.ZeroPad1d((3, 1))
    ZeroPad1d((3, 1))
    """


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Same as `torch.nn.ZeroPad2d`.

    >>> import retrograd as torch
    >>> torch.nn.ZeroPad2d(1)
    ZeroPad2d((1, 1, 1, 1))
    """


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Same as `torch.nn.ZeroPad3d`."""


class ReflectionPad1d(_PadNd):
    """Same as `torch.nn.ReflectionPad1d`.

    >>> import retrograd as torch
    >>> torch.nn.ReflectionPad1d((3, 1))
    ReflectionPad1d((3, 1))
    """
    _mode, _tuple = "reflect", staticmethod(_pair)


class ReflectionPad2d(_PadNd):
    """Same as `torch.nn.ReflectionPad2d`.

    >>> import retrograd as torch
    >>> torch.nn.ReflectionPad2d(2)
    ReflectionPad2d((2, 2, 2, 2))
    """
    _mode, _tuple = "reflect", staticmethod(_quadruple)


class ReflectionPad3d(_PadNd):
    """Same as `torch.nn.ReflectionPad3d`."""
    _mode, _tuple = "reflect", staticmethod(_sextuple)


class ReplicationPad1d(_PadNd):
    """Same as `torch.nn.ReplicationPad1d`.

    >>> import retrograd as torch
    >>> torch.nn.ReplicationPad1d((3, 1))
    ReplicationPad1d((3, 1))
    """
    _mode, _tuple = "replicate", staticmethod(_pair)


class ReplicationPad2d(_PadNd):
    """Same as `torch.nn.ReplicationPad2d`.

    >>> import retrograd as torch
    >>> torch.nn.ReplicationPad2d((1, 1, 2, 0))
    ReplicationPad2d((1, 1, 2, 0))
    """
    _mode, _tuple = "replicate", staticmethod(_quadruple)


class ReplicationPad3d(_PadNd):
    """Same as `torch.nn.ReplicationPad3d`."""
    _mode, _tuple = "replicate", staticmethod(_sextuple)
