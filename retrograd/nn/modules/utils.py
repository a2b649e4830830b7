"""Argument helpers the layers share, as torch.nn.modules.utils has them: `_pair(3) == (3, 3)`,
while a tuple or list passes through (as a tuple)."""
from collections import abc
from itertools import repeat


def _ntuple(n, name="parse"):
    """A function that repeats a scalar n times and turns any iterable into a tuple."""
    def parse(x):
        if isinstance(x, abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """Reverse t and repeat each element n times: (1, 2) -> (2, 2, 1, 1), the order F.pad reads."""
    return tuple(x for x in reversed(t) for _ in range(n))
