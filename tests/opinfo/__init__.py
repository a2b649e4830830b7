"""One OpCase per registered op: the oracle suite (tests/test_oracle.py) runs each case's
lambda on retrograd and on torch with the same inputs and compares values, VJPs, second
derivatives and forward-mode JVPs. A registered op no case covers, or a differentiable op no
`jvp` case covers, fails tests/test_oracle.py.

    OpCase("log", lambda lib, x: x.log(), domain=POSITIVE)

`lib` is the library under test (retrograd or torch). Inputs are drawn by hypothesis:
`shapes` gives the shapes (a strategy of tuples of shapes, one per tensor argument),
`domain` the values (one domain, or one per argument).
"""
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# ---------------------------------------------------------------- shapes

UNARY = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4).map(lambda s: (s,))
NONEMPTY = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4).map(lambda s: (s,))
BINARY = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0,
                                          max_side=4).map(lambda b: b.input_shapes)
TERNARY = hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=0,
                                           max_side=4).map(lambda b: b.input_shapes)
SAME2 = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4).map(lambda s: (s, s))


def fixed(*shape_tuples):
    """Exactly these argument shapes, e.g. fixed(((2, 3), (3, 4)), ((3,), (3,)))."""
    return st.sampled_from([tuple(tuple(s) for s in t) for t in shape_tuples])


# ---------------------------------------------------------------- values

def uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, shape)


ANY = uniform(-2.0, 2.0)
POSITIVE = uniform(0.2, 3.0)
UNIT = uniform(-0.9, 0.9)            # inside (-1, 1): asin, atanh, ...
ABOVE_ONE = uniform(1.1, 3.0)        # acosh


def NONZERO(rng, shape):
    """Away from 0 (for division, sign-sensitive ops)."""
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def DISTINCT(rng, shape):
    """Well-separated values: no ties (max, sort, median, ...)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) * 0.37 - n * 0.15 + rng.uniform(-0.05, 0.05, shape))


def AWAY_FROM_INT(rng, shape):
    """Values whose fractional part is far from 0 and 0.5 (floor, round, remainder)."""
    return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)


@dataclass
class OpCase:
    name: str
    fn: Callable[..., Any]
    shapes: Any = UNARY                   # strategy of tuples of shapes
    domain: Any = ANY                     # a domain, or a tuple: one per argument
    covers: tuple = ()                    # registry op names exercised (default: (name,))
    grad: bool = True                     # compare VJPs
    grad2: bool = True                    # compare second derivatives
    nograd: tuple = ()                    # argument indices that never require grad
    dtypes: tuple = ("float64", "float32")
    rtol: float = None
    atol: float = None
    examples: int = 12
    notes: str = ""
    gradcheck: bool = True                # False: finite differences can't check it (ties, NaN, inf)
    jvp: bool = None                      # compare forward-mode tangents (default: when grad is compared)

    def __post_init__(self):
        if not self.covers:
            self.covers = (self.name,)
        if not self.grad:
            self.grad2 = False
        if self.jvp is None:
            self.jvp = self.grad

    def domains(self, n):
        if isinstance(self.domain, tuple):
            return self.domain
        return (self.domain,) * n


def all_cases():
    from . import arith, pointwise, reduce, shape, index, linalg, nn, conv, scatter  # noqa: F401
    cases = []
    for mod in (arith, pointwise, reduce, shape, index, linalg, nn, conv, scatter):
        cases.extend(mod.CASES)
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate OpCase names: {dup}"
    return cases
