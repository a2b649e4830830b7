"""How complex tensors are differentiated: torch's convention, and each op's declaration of it.

# Note [Complex autograd]
For a real loss L of a complex z = x + iy, torch's gradient is `dL/dx + i dL/dy`
(twice the conjugate Wirtinger derivative dL/dz*). A backward formula maps the
gradient of an output to that of an input the same way; for a holomorphic f
that is `grad * conj(f'(z))`: derivatives.yaml writes `grad * other.conj()` for
mul and `grad * result.conj()` for exp. A real input that meets a complex
gradient (`x * z`) keeps its real part (torch's handle_r_to_c), done where the
engine casts gradients back to their input's dtype (registry._fix_edges).

Each op says with `defop(..., complex=...)` how its formulas serve complex
tensors:

- `complex="same"`: the formulas are right for complex as written -- linear
  ops (views, sum, cat, indexing) and formulas written for complex (abs, sgn,
  angle, var). Nothing is checked or changed.
- `complex="conj"`: the formulas are the real ones, and the complex gradient is
  the formula evaluated at the conjugates of what the node saved. That holds
  for ops whose derivative is a real-coefficient expression of the saved
  values, since then `conj(f'(z)) == f'(conj(z))`: mul, exp, sin, mm, prod.
  Complex uses of the op get a node of a subclass (same name) whose backward
  conjugates the saved values first (`conj_node_class`), so real dtypes pay
  nothing in backward, and `_saved_*` still shows what torch saved.
- `None` (the default): not supported. Recording the op on complex tensors
  raises "<op>: complex autograd is not supported in retrograd yet" instead of
  returning a wrong gradient.

ops/dispatch.py checks the dtypes only when it records a node of an op that
is not "same": one dictionary lookup per dtype (`in _CX`); forward mode checks
ops without complex support when they push a tangent (`refuse_complex`).

Forward mode: `jvp=ELEMENTWISE` applies the *unconjugated* formula to the
tangent, `f'(z) t`, which is the JVP of a holomorphic op; ops that are not
holomorphic declare their own JVP (abs, angle, var, norm) unless their VJP
is self-adjoint (sgn).
"""
import numpy as np

from ..tensor import Tensor

# the complex NumPy dtypes (CuPy uses the same dtype objects)
_CX = {np.dtype(np.complex64): True, np.dtype(np.complex128): True}


def unsupported(op):
    """The error for a complex use of an op without complex support."""
    return RuntimeError(f"{op.name}: complex autograd is not supported in retrograd yet")


def node_class(op):
    """The node class for recording `op` on complex tensors, or the error if it has none."""
    mode = op.complex
    if mode == "same":
        return op.node_cls
    if mode == "conj":
        cls = _CONJ_CLASSES.get(op)
        return cls if cls is not None else conj_node_class(op)
    raise unsupported(op)


def involves_complex(tensors, outs):
    """Whether any of the tensors (None for non-Tensor operands) or output arrays is complex."""
    for t in tensors:
        if t is not None and t._data.dtype in _CX:
            return True
    for o in outs:
        if o.dtype in _CX:
            return True
    return False


def refuse_complex(op, inputs, outs):
    """Forward mode's check: raise if an op without complex support meets complex tensors."""
    outs = (outs,) if isinstance(outs, Tensor) else outs
    if involves_complex([x if isinstance(x, Tensor) else None for x in inputs],
                        [o._data for o in outs if isinstance(o, Tensor)]):
        raise unsupported(op)


# ---------------------------------------------------------------- complex="conj" nodes

_CONJ_CLASSES = {}


def conj_node_class(op):
    """A subclass of op's node class whose backward runs the formulas on the conjugates of
    the saved values: the op's generated code (Note [Generated node code]), compiled once
    more with each formula wrapped."""
    from .registry import _generate
    src, env = _generate(op)
    for k, f in op.formulas.items():
        env["f_" + k] = _on_conjugates(f)
    where = f"<complex node {op.node_name}>"
    exec(compile(src, where, "exec"), env)
    # every generated node method (_run, _run_free, ...) in its conjugating version
    ns = {"__slots__": ()}
    ns.update((k, v) for k, v in env.items()
              if getattr(getattr(v, "__code__", None), "co_filename", None) == where and hasattr(op.node_cls, k))
    if "_run_free" not in ns:
        ns["_run_free"] = ns["_run"]
    cls = type(op.node_name, (op.node_cls,), ns)
    cls.__module__ = op.node_cls.__module__
    _CONJ_CLASSES[op] = cls
    return cls


def _on_conjugates(f):
    def formula(grad, *saved):
        return f(grad, *[conj(v) for v in saved])
    formula.__name__ = getattr(f, "__name__", "formula")
    return formula


# ---------------------------------------------------------------- helpers for formulas
# They take arrays, Tensors and Python numbers alike (Note [One formula, two paths]), and
# leave real values untouched: no copy, no node.

def is_complex(v):
    if isinstance(v, Tensor):
        return v._data.dtype in _CX
    return isinstance(v, complex) or getattr(v, "dtype", None) in _CX


def conj(v):
    """conj(v) for a complex value; v itself otherwise (also inside tuples and lists)."""
    if isinstance(v, (tuple, list)):
        return type(v)(conj(x) for x in v)
    if not is_complex(v):
        return v
    return v.conjugate() if isinstance(v, complex) else v.conj()


def real(v):
    """The real part of a complex value (a view for Tensors: `Tensor.real`); v otherwise."""
    if not is_complex(v):
        return v
    return v.real


def imag(v):
    """The imaginary part of a complex value; 0 for a real one."""
    return v.imag if is_complex(v) else 0


def sgn(v):
    """torch.sgn: z / |z| (0 at 0) for complex, the sign for real."""
    if isinstance(v, Tensor):
        return v.sgn()
    return np.sign(v)           # NumPy 2: z / |z| for complex
