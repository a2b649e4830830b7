"""OpCases for ops/arith.py."""
from . import OpCase, BINARY, UNARY, ANY, POSITIVE, NONZERO, fixed

CASES = [
    OpCase("add", lambda lib, x, y: x + y, BINARY),
    OpCase("add_alpha", lambda lib, x, y: lib.add(x, y, alpha=2.5), BINARY, covers=("add",)),
    OpCase("add_scalar", lambda lib, x: 3.5 + x, covers=("add",)),
    OpCase("sub", lambda lib, x, y: x - y, BINARY),
    OpCase("sub_alpha", lambda lib, x, y: x.sub(y, alpha=-1.5), BINARY, covers=("sub",)),
    OpCase("rsub_scalar", lambda lib, x: 2 - x),
    OpCase("rsub_tensor", lambda lib, x, y: lib.rsub(x, y, alpha=2), BINARY),
    OpCase("mul", lambda lib, x, y: x * y, BINARY),
    OpCase("mul_scalar", lambda lib, x: x * 1.5 * 2, covers=("mul",)),
    OpCase("div", lambda lib, x, y: x / y, BINARY, domain=(ANY, NONZERO)),
    OpCase("rdiv", lambda lib, x: 2 / x, domain=NONZERO, covers=("div", "mul", "reciprocal")),
    OpCase("neg", lambda lib, x: -x),
    OpCase("pow_scalar", lambda lib, x: x ** 3, covers=("pow_scalar",)),
    OpCase("pow_frac", lambda lib, x: x ** 2.5, domain=POSITIVE, covers=("pow_scalar",)),
    OpCase("pow_zero", lambda lib, x: x ** 0, covers=("pow_scalar",)),
    OpCase("pow_tensor", lambda lib, x, y: x ** y, BINARY, domain=(POSITIVE, ANY)),
    OpCase("pow_scalar_base", lambda lib, x: 2.5 ** x),
]
