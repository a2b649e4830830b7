"""Forward-mode AD: dual tensors carry a tangent, and every op pushes it forward.

Same as `torch.autograd.forward_ad`:

    with fwAD.dual_level():
        x = fwAD.make_dual(primal, tangent)
        y = f(x)
        jvp = fwAD.unpack_dual(y).tangent      # J_f(primal) @ tangent

Each op's JVP rule is declared next to its VJP formulas (`defop(..., jvp=...)`,
ops/registry.py):

- `jvp=ELEMENTWISE`: the op is elementwise, so its Jacobian is diagonal and the
  JVP is the VJP formula applied to the tangent: sum over inputs of
  `formula_i(tangent_i, ...)`, broadcast to the output.
- `jvp=LINEAR`: the op is linear in its tensor inputs (views, sum, cat, ...):
  the JVP is the op itself applied to the tangents.
- `jvp=FROM_VJP`: the VJP formulas are linear in the incoming gradient `u`, so
  the JVP is a gradient of them: `J t = d/du <J^T u, t>` (one extra backward
  pass; for ops whose closed form would only restate the VJP).
- `jvp=callable`: `jvp(t_a, t_b, ..., **saved)` with one tangent per operand
  (zeros where an input has none) and keyword arguments named like VJP
  formula arguments (`self`, `result`, `dim`, ...).
- `jvp=UNSUPPORTED`: torch has no derivative for the op (unique): forward AD
  refuses it with torch's error, as it does for an op declared without a rule.

Tangents are Tensors and the rules run on Tensors with ordinary ops, so a
tangent is differentiable by reverse mode (forward-over-reverse and
reverse-over-forward both work). While a rule runs, forward propagation is
off: the rule computes with primal values.

Only one level exists at a time, as in torch ("Nested forward mode AD is not
supported at the moment"). A tangent is stored on a tensor with the level it
belongs to; leaving the level clears them all.
"""
import weakref
from collections import namedtuple

import numpy as np

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]

ELEMENTWISE = "elementwise"
LINEAR = "linear"
FROM_VJP = "from_vjp"
UNSUPPORTED = "unsupported"

active = [False]          # read by every op (ops/dispatch.py): is a dual level open?
_level = [None]           # the open level's number, or None
_duals = []               # weak references to every tensor given a tangent at this level

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__module__ = "torch.autograd.forward_ad"


def enter_dual_level():
    """Open the (only) dual level; returns its number, 0 as in torch."""
    if _level[0] is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _level[0] = 0
    active[0] = True
    return 0


def exit_dual_level(*, level=None):
    """Close the level: every tangent created in it is dropped."""
    if level is None:
        level = -1 if _level[0] is None else _level[0]
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != _level[0]:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. "
                           "This is not supported.")
    for ref in _duals:
        t = ref()
        if t is not None:
            t.__dict__.pop("_fw", None)
    _duals.clear()
    _level[0] = None
    active[0] = False


class dual_level:
    """Context manager for one forward-AD level (same as `torch.autograd.forward_ad.dual_level`)."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def tangent_of(t):
    """The tangent of `t` at the open level, or None."""
    fw = t.__dict__.get("_fw") if hasattr(t, "__dict__") else None
    return fw[1] if fw is not None and fw[0] == _level[0] else None


def _set_tangent(t, tangent):
    t._fw = (_level[0], tangent)
    _duals.append(weakref.ref(t))


def make_dual(tensor, tangent, *, level=None):
    """A view of `tensor` whose tangent is `tangent`."""
    if _level[0] is None and level is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if level is not None and level != _level[0]:
        raise RuntimeError("Invalid level given to _make_dual")
    _check_dual(tensor, tangent)
    if tangent_of(tensor) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward gradient at the "
                           f"same level {_level[0]} is not supported.")
    was = active[0]
    active[0] = False
    try:
        dual = tensor.view(tensor.shape)
    finally:
        active[0] = was
    _set_tangent(dual, tangent if tangent.dtype == tensor.dtype else tangent.to(tensor.dtype))
    return dual


def _check_dual(tensor, tangent):
    """make_dual's checks of its arguments (torch.func.jvp makes the same)."""
    # torch reads the attributes first: a non-Tensor fails on them (AttributeError)
    if not tensor.is_floating_point() and not tensor.is_complex():
        raise ValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if not tangent.is_floating_point() and not tangent.is_complex():
        raise ValueError(f"Expected tangent to be floating point or complex, but got: {tangent.dtype}")
    if tangent.shape != tensor.shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the "
                           f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
                           f"while the given forward gradient is of size {list(tangent.shape)}.")


def unpack_dual(tensor, *, level=None):
    """`(primal, tangent)`: a view of `tensor` without its tangent, and the tangent (or None)."""
    tangent = tangent_of(tensor) if _level[0] is not None else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    if level is not None and level != _level[0]:
        raise RuntimeError("Invalid level given to _fw_primal")
    was = active[0]
    active[0] = False
    try:
        primal = tensor.view(tensor.shape)
    finally:
        active[0] = was
    return UnpackedDualTensor(primal, tangent)


# ---------------------------------------------------------------- propagation (called by ops)

def propagate(op, inputs, params, outs):
    """Push the tangents of `inputs` through `op` onto `outs` (a Tensor, or a list of them)."""
    from ..tensor import Tensor
    if op.variadic:
        inputs = tuple(inputs[0])
    tangents = [tangent_of(x) if isinstance(x, Tensor) else None for x in inputs]
    if all(t is None for t in tangents):
        return
    multi = not isinstance(outs, Tensor)
    if not op.differentiable:
        return
    if op.complex is None:          # an op not verified for complex: See Note [Complex autograd]
        from ..ops.complex_grad import refuse_complex
        refuse_complex(op, inputs, outs)
    rule = op.jvp
    if rule is None or rule == UNSUPPORTED:
        raise NotImplementedError(f"Trying to use forward AD with {op.name} that does not support it because "
                                  "it has not been implemented yet.\nPlease file an issue to PyTorch at "
                                  "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml "
                                  "so that we can prioritize its implementation or submit a PR adding the "
                                  "implementation to derivatives.yaml")
    active[0] = False
    try:
        results = _rule_output(op, rule, inputs, tangents, params, outs, multi)
    finally:
        active[0] = True
    # only floating-point (and complex) outputs carry a tangent: `x.long()` of a dual has none
    if multi:
        for o, t in zip(outs, results):
            if t is not None and isinstance(o, Tensor) and _differentiable(o):
                _set_tangent(o, _fit(t, o))
    elif results is not None and _differentiable(outs):
        _set_tangent(outs, _fit(results, outs))


def _differentiable(t):
    return t._data.dtype.kind in "fc"


def snapshot(self, others):
    """Before an in-place op under an open level: a copy of `self` carrying its tangent,
    or None when no operand has a tangent (the op then needs no forward AD)."""
    from ..tensor import Tensor, _wrap
    st = tangent_of(self)
    if st is None and not any(isinstance(x, Tensor) and tangent_of(x) is not None for x in others):
        return None
    old = _wrap(self._data.copy())
    if st is not None:
        old._fw = (_level[0], st)
    return old


def propagate_inplace(op, self, old, others, params):
    """After in-place op `op` wrote `self`: its new tangent, written *into* its tangent as
    torch does (the tangent object is updated in place, and a view's tangent is a view of
    its base's tangent, so a write through a view reaches the base's tangent)."""
    from ..tensor import _wrap
    out = _wrap(self._data)
    propagate(op, (old,) + tuple(others), params, out)
    nt = tangent_of(out)
    if nt is None:
        return
    active[0] = False
    try:
        st = tangent_of(self)
        if st is not None:
            st.copy_(nt)
        elif self._base is not None:
            from ..ops.views import replay
            base = self._base
            bt = tangent_of(base)
            if bt is None:
                bt = _zeros_for(base)
                _set_tangent(base, bt)
            region = replay(self._view_fn, bt)
            region.copy_(nt)
            _set_tangent(self, region)
        else:
            _set_tangent(self, nt)
    finally:
        active[0] = True


def _fit(t, out):
    """The tangent broadcast and cast to the output it belongs to."""
    from ..tensor import Tensor
    if not isinstance(t, Tensor):
        from ..creation import as_tensor
        t = as_tensor(np.asarray(t))
    if t.shape != out.shape:
        t = t.expand(out.shape)
    if t.dtype != out.dtype:
        t = t.to(out.dtype)
    return t


def _namespace(op, inputs, params, outs, multi):
    ns = dict(zip(op.params, params))
    for name, x in zip(op.operands, inputs if not op.variadic else (inputs,)):
        ns[name] = x
        ns[name + "_sym_sizes"] = tuple(np.shape(x._data)) if hasattr(x, "_data") else ()
        ns[name + "_sym_numel"] = int(np.size(x._data)) if hasattr(x, "_data") else 1
    if multi:
        ns.update(zip(op.out_names, outs))
        if op.nout < 0:
            ns["result"] = outs
    else:
        ns[op.out_names[0] if op.out_names else "result"] = outs
    return ns


def _call(fn, first, ns):
    import inspect
    names = list(inspect.signature(fn).parameters)
    return fn(*first, **{n: ns[n] for n in names[len(first):]})


def _zeros_for(x):
    from ..creation import zeros_like
    return zeros_like(x)


def _rule_output(op, rule, inputs, tangents, params, outs, multi):
    from ..tensor import Tensor
    ns = _namespace(op, inputs, params, outs, multi)
    if rule == ELEMENTWISE:
        total = None
        for name, t in zip(op.operands, tangents):
            f = op.formulas.get(name)
            if t is None or f is None:
                continue
            part = _call(f, (t,), ns)
            total = part if total is None else total + part
        return total
    if rule == LINEAR:
        if op.variadic:
            ts = [t if t is not None else _zeros_for(x) for x, t in zip(inputs, tangents)]
            return op.fn(ts, *params)
        ts = [t if t is not None else (_zeros_for(x) if isinstance(x, Tensor) else 0.0)
              for x, t in zip(inputs, tangents)]
        return op.fn(*ts, *params)
    if rule == FROM_VJP:
        return _transposed_vjp(op, tangents, ns, outs, multi)
    ts = [t if t is not None else (_zeros_for(x) if isinstance(x, Tensor) else None)
          for x, t in zip(inputs, tangents)]
    if op.variadic:
        ts = [ts]
    return _call(rule, ts, ns)


def _transposed_vjp(op, tangents, ns, outs, multi):
    """`jvp=FROM_VJP`: `<J^T u, t>` is linear in the dummy cotangent `u` (zeros that require
    grad), so its gradient with respect to `u` is `J t`, one tangent per output."""
    from . import grad
    from .grad_mode import enable_grad
    from ..creation import zeros
    outs = list(outs) if multi else [outs]
    with enable_grad():
        us = [zeros(tuple(o.shape), dtype=o.dtype, requires_grad=True) if _differentiable(o) else None
              for o in outs]
        u = tuple(us) if multi else us[0]
        total = None
        for name, t in zip(op.operands, tangents):
            f = op.formulas.get(name)
            if f is None or t is None:
                continue
            term = (_call(f, (u,), ns) * t).sum()
            total = term if total is None else total + term
        wrt = [x for x in us if x is not None]
        if total is None or not total.requires_grad:
            return None
        got = iter(grad(total, wrt, create_graph=True, allow_unused=True))
    res = [None if x is None else next(got) for x in us]
    res = [r if r is not None or x is None else zeros(tuple(x.shape), dtype=x.dtype) for r, x in zip(res, us)]
    return res if multi else res[0]
