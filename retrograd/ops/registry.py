"""defop(): declare an op once -- forward on arrays, one derivative per input, JVP.

    defop("exp", node="ExpBackward0",
          forward=lambda xp, self: xp.exp(self),
          self=lambda grad, result: grad * result)

The forward's parameters without defaults are the op's *operands* (tensors or
Python scalars); those with defaults are plain parameters (dims, flags).
Each operand may get a derivative formula under its own name. A formula's
argument names say what the node saves: operands (`self`, `other`), outputs
(`result`, or the names in `outputs=`), `<operand>_sym_sizes` (a shape), and
parameters. They are exactly the node's `_saved_*` attributes.

# Note [One formula, two paths]
Formulas are written with operations that NumPy arrays and Tensors share:
operators, array methods both have, and NumPy functions (`np.cos(x)`), which
reach Tensors through `Tensor.__array_ufunc__` / `__array_function__`. The
engine runs a formula on raw arrays when `create_graph` is False -- no Tensor
is built and no op is dispatched, so backward costs little more than NumPy
itself -- and on Tensors when it is True, where every operation in the
formula is recorded and the derivative is differentiable again. Exactness of
higher-order derivatives follows from using the same formula on both paths.

# Note [Generated node code]
Each op gets a Node subclass named as torch names it (`MulBackward0`). Its
`_run` (backward) and its `_save` (called by forward) are generated once, at
registration, from the formula signatures: the saved layout is fixed per op,
so unpacking saved values is plain tuple indexing with no per-call loops.
`op.source` shows the generated code.
"""
import inspect
import re

import numpy as np

from ..autograd.graph import Node, _FREED, check_version
from ..autograd import anomaly_mode, saved_hooks
from .. import _errors

OPS = {}            # name -> Op, in registration order: tests iterate over it
# JVP rules (autograd/forward_ad.py): the VJP formula applied to the tangent (elementwise
# ops), or the op itself applied to the tangents (linear ops), or a function.
from ..autograd.forward_ad import ELEMENTWISE, LINEAR  # noqa: E402,F401


class Op:
    """A registered op: what defop() declared, plus its generated node class."""

    def __init__(self, name, node, forward, formulas, outputs, promote, broadcast, view,
                 inplace, differentiable, jvp, doc):
        self.name = name
        self.promote_only = None        # promote=("promote", "self", "other"): only those operands
        if isinstance(promote, tuple):
            promote, self.promote_only = promote[0], promote[1:]
        self.forward = forward
        ps = _signature(forward)[1:]          # drop xp
        # forward(xp, *tensors, dim=0): one variadic operand, a sequence of tensors (cat, stack)
        self.variadic = any(star for _, _, star in ps)
        self.operands = tuple(n for n, d, _ in ps if d is _EMPTY)
        self.params = tuple(n for n, d, _ in ps if d is not _EMPTY)
        self.defaults = tuple(d for n, d, _ in ps if d is not _EMPTY)
        self.formulas = formulas
        if outputs == "*":              # a list of outputs whose length depends on the input (split)
            self.out_names, self.nout = (), -1
        else:
            self.out_names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
            self.nout = len(self.out_names)
        self.promote = promote
        self.broadcast = broadcast
        self.view = view
        self.inplace = inplace
        self.differentiable = differentiable and bool(formulas)
        self.jvp = jvp
        self.doc = doc
        if self.variadic and len(self.operands) != 1:
            raise TypeError(f"defop {name}: a variadic op has exactly one operand, *{self.operands[-1]}")
        if self.promote_only is not None:
            self.promote_only = tuple(self.operands.index(n) for n in self.promote_only)
        for k in formulas:
            if k not in self.operands:
                raise TypeError(f"defop {name}: formula for unknown operand {k!r}")
        self.saved = self._saved_names()
        self.node_name = node
        self.node_cls = _make_node_class(self) if self.differentiable else None

    def _saved_names(self):
        names = []
        for f in self.formulas.values():
            for p in _argnames(f)[1:]:      # drop grad / grads
                if p not in names:
                    names.append(p)
        for n in names:
            base = _size_base(n)
            ok = (n in self.operands or n in self.out_names or n in self.params
                  or (base is not None and base in self.operands)
                  or (n == "result" and self.nout == 1))
            if not ok:
                raise TypeError(f"defop {self.name}: formula argument {n!r} is not an operand, "
                                "output, parameter or <operand>_sym_sizes")
            if n in ("node", "grad", "grads", "graph") or (n[0] == "g" and n[1:].isdigit()):
                raise TypeError(f"defop {self.name}: {n!r} is a name the generated node code uses")
        return tuple(names)

    built = False

    @property
    def source(self):
        """The generated node code (Note [Generated node code])."""
        if not self.built:
            build(self)
        return self._source

    def __repr__(self):
        return f"<op {self.name}>"


_EMPTY = inspect.Parameter.empty


def _signature(f):
    """[(name, default or _EMPTY, is *args)] of f's parameters in signature order: what
    inspect.signature says, read straight off the code object (it is called for every op at
    import; inspect is ten times slower)."""
    c = getattr(f, "__code__", None)
    if c is None or hasattr(f, "__wrapped__") or not inspect.isfunction(f):
        return [(p.name, p.default, p.kind is inspect.Parameter.VAR_POSITIONAL)
                for p in inspect.signature(f).parameters.values()]
    pos = c.co_varnames[:c.co_argcount]
    kwonly = c.co_varnames[c.co_argcount:c.co_argcount + c.co_kwonlyargcount]
    defs = f.__defaults__ or ()
    kwdefs = f.__kwdefaults__ or {}
    out = [(n, defs[i - len(pos) + len(defs)] if i >= len(pos) - len(defs) else _EMPTY, False)
           for i, n in enumerate(pos)]
    if c.co_flags & inspect.CO_VARARGS:
        out.append((c.co_varnames[c.co_argcount + c.co_kwonlyargcount], _EMPTY, True))
    out += [(n, kwdefs.get(n, _EMPTY), False) for n in kwonly]
    return out


def _argnames(f):
    return [n for n, _, _ in _signature(f)]


def defop(name, node=None, forward=None, outputs="result", promote=None, broadcast=False,
          view=False, inplace=False, differentiable=True, jvp=None, doc=None,
          export=True, method=True, ufunc=None, complex=None, **formulas):
    """Register an op and return it; `op.fn` is its callable (`op.fn_` the in-place one).

    promote: None (operands keep their dtype), "promote" (torch.result_type), "float"
      (result_type, integral -> default float), "compare" (no casting; bool result);
      a tuple ("promote", "self", "other") promotes only the operands it names.
    broadcast: operands broadcast against each other (the engine undoes it at the edge).
    view: the output shares the first operand's array and version counter.
    inplace: also publish `name_`, the in-place form.
    export: publish `retrograd.<name>` (and `Tensor.<name>` if `method`); a string
      publishes under that name instead; False keeps the op internal (wrap it by hand).
    ufunc: the NumPy ufunc that reaches this op from `np.<ufunc>(tensor)`.
    complex: how the formulas serve complex tensors: "same", "conj" or None (unsupported);
      see Note [Complex autograd] in ops/complex_grad.py.
    """
    if name in OPS:
        raise ValueError(f"op {name} is already registered")
    op = Op(name, node, forward, formulas, outputs, promote, broadcast, view, inplace,
            differentiable, jvp, doc)
    op.complex = complex        # read by dispatch when it records a node: set before function_of
    OPS[name] = op
    if export:
        function_of(op, name=export if isinstance(export, str) else None, method=method, ufunc=ufunc)
    else:
        from .dispatch import make_function, make_inplace
        op.fn = make_function(op)
        op.fn.__name__ = name
        if inplace:
            op.fn_ = make_inplace(op, op.fn)
        if ufunc is not None:
            UFUNCS[ufunc] = op.fn
    return op


# ---------------------------------------------------------------- node generation

class OpNode(Node):
    """Base of the generated node classes of registered ops."""
    __slots__ = ()
    _op = None
    _out_names = ()

    def __getattr__(self, name):
        # `_raw_saved_x` reads like `_saved_x`, as in torch, for the names this node saves.
        if name.startswith("_raw_saved_"):
            return getattr(self, "_saved_" + name[len("_raw_saved_"):])
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _saved_property(i, kind, name):
    def get(node):
        from ..tensor import Tensor, _wrap, _result_tensor
        v = node._saved[i]
        if v is _FREED:
            raise RuntimeError(_errors.SECOND_BACKWARD)
        # See Note [Saved values]: sizes, dims and flags stay readable after backward.
        if kind in ("size", "strides"):
            return tuple(v)
        if kind in ("param", "numel"):
            return _param_value(v)
        if v is None:
            return None                         # never saved (its formula's operand needs no grad)
        t = node._saved_t[i]
        if kind == "operand":
            if isinstance(t, Tensor):
                return t
            return _wrap(np.asarray(v))         # a Python scalar, as torch's wrapped number
        if v.dtype.kind not in "fc":            # an integer output (indices): never differentiable
            return _wrap(v)
        return _result_tensor(node, v, node._out_names.index(name))
    get.__name__ = "_saved_" + name
    return property(get)


def _is_array(v):
    return isinstance(v, np.ndarray) or type(v).__module__.startswith("cupy")


def _param_value(v):
    """A saved parameter as torch shows it: index and mask arrays as Tensors."""
    from ..tensor import _wrap
    if _is_array(v):
        return _wrap(v)
    if isinstance(v, (tuple, list)) and any(_is_array(a) for a in v):
        return type(v)(_wrap(a) if _is_array(a) else a for a in v)
    return v


def _strides(a):
    """An array's strides in elements, as torch counts them (`<operand>_sym_strides`)."""
    return tuple(s // a.itemsize for s in a.strides)


def _size_base(n):
    for suffix in ("_sym_sizes", "_sym_numel", "_sym_strides"):
        if n.endswith(suffix):
            return n[: -len(suffix)]
    return None


def _classify(op, n):
    if n in op.operands:
        return "operand", op.operands.index(n)
    if n == "result" and op.nout == 1:
        return "output", 0
    if n in op.out_names:
        return "output", op.out_names.index(n)
    if n in op.params:
        return "param", op.params.index(n)
    kind = "size" if n.endswith("_sym_sizes") else "strides" if n.endswith("_sym_strides") else "numel"
    return kind, op.operands.index(_size_base(n))


def _users(op, n):
    """The operands whose formulas use saved name `n`."""
    return [op.operands.index(k) for k, f in op.formulas.items()
            if n in _argnames(f)[1:]]


def _make_node_class(op):
    if op.nout < 0 and any(_classify(op, n)[0] == "output" for n in op.saved):
        raise TypeError(f"defop {op.name}: an op with outputs='*' cannot save its outputs")
    ns = {"__slots__": (), "_op": op, "_saved_names": op.saved, "_nout": op.nout,
          "_out_names": (op.out_names if op.nout > 1 else ("result",))}
    for i, n in enumerate(op.saved):
        kind, _ = _classify(op, n)
        ns["_saved_" + n] = _saved_property(i, kind, n)
    for m in ("_run", "_run_free", "_release"):
        ns[m] = _lazy_method(op, m)
    cls = type(op.node_name, (OpNode,), ns)
    cls.__module__ = "torch.autograd.generated"    # where torch's own node classes live
    return cls


def _lazy_method(op, name):
    """A stand-in for a generated node method: builds the op's code on first use, then calls
    the real method (a subclass that captured the stand-in, saved_hooks', still lands there)."""
    def first_call(node, *args):
        if not op.built:
            build(op)
        return getattr(op.node_cls, name)(node, *args)
    first_call.__name__ = name
    return first_call


def build(op):
    """Generate and compile the op's node code: `_save` (called by forward), `_run` / `_run_free`
    (backward), `_release`. Done on the op's first recorded use, not at import: compiling ~300
    ops' code costs half a second (Note [Generated node code])."""
    cls = op.node_cls
    src, env = _generate(op)
    k = len(op.operands)
    if op.nout == 1 and k in (1, 2) and not op.variadic:
        pos = _positional_save(src, k)
        if pos is not None:
            src += "\n" + pos
    exec(compile(src, f"<node {op.node_name}>", "exec"), env)
    cls._run = env["_run"]
    cls._release = env.get("_release", _keep)
    cls._run_free = env.get("_run_free", env["_run"])
    op.save = env["_save"]
    op.save_k = env.get("_save_k")
    op._source = src
    op.built = True


def _positional_save(src, k):
    """`_save` with its one- or two-operand tuples unpacked into arguments: the unary and
    binary fast paths call it without building five tuples per op."""
    start = src.index("def _save(")
    body = src[start:src.index("\ndef ", start + 1)].split("\n", 1)[1]
    for pat, rep in ((r"RT\[0\]", "RT0"), (r"_T\[(\d)\]", r"T\1"), (r"\bR\[0\]", "R0"), (r"\bA\[(\d)\]", r"A\1")):
        body = re.sub(pat, rep, body)
    if re.search(r"\b(A|_T|R|RT)\b", body):      # a saved layout that needs the whole tuple
        return None
    args = ", ".join([f"A{i}" for i in range(k)] + [f"T{i}" for i in range(k)] + ["R0", "RT0", "P"])
    return f"def _save_k(node, {args}):\n{body}"


def _with_run_free(src):
    """The generated code plus `_run_free` when the node frees anything (see below)."""
    return src + "\n" + _run_and_release(src) if "def _release(" in src else src


def _run_and_release(src):
    """`_run_free`: `_run` that frees the saved tensors before returning, as `_release` does;
    the engine calls it when the graph is not kept (one call per node instead of two)."""
    start = src.index("def _run(")
    run = src[start:src.index("\ndef ", start + 1) if "\ndef " in src[start + 1:] else len(src)]
    rel = src[src.index("def _release("):src.index("\ndef ", src.index("def _release(") + 1)]
    free = [line for line in rel.split("\n")[2:] if line.strip()]     # after `_S = node._saved`
    body = run.rstrip("\n").split("\n")
    assert body[-1] == "    return _gs"
    return "\n".join(["def _run_free(node, grad, graph):"] + body[1:-1] + free + [body[-1]]) + "\n"


def _keep(node):
    """The release of a node that saved no tensors: nothing to free, it can run again."""


def _generate(op):
    """The source of `_save(node, A, T, R, RT, P)`, `_run(node, grad, graph)`, and of `_release` /
    `_run_free` when the node saves tensors.

    A: operand arrays, T: operand Tensors (None for Python scalars), R: output arrays,
    RT: output Tensors, P: parameter values.
    """
    from ..tensor import _result_tensor, _as_operand      # (built lazily: tensor.py is loaded by now)
    env = {"_result_tensor": _result_tensor, "_as_operand": _as_operand, "_strides": _strides, "_FREED": _FREED, "_errors": _errors, "check_version": check_version,
           "_fix_edges": _fix_edges, "_zeros_for": _zeros_for, "_anomaly": anomaly_mode.active,
           "_record": anomaly_mode.record, "_hooks": saved_hooks.active, "_pack": saved_hooks.pack_node}
    fast, tvals, vers = [], [], []
    for i, n in enumerate(op.saved):
        kind, j = _classify(op, n)
        # A tensor only the formulas of operands that need no gradient use is not kept
        # (as torch): the node must not hold activations alive for nothing.
        users = _users(op, n)
        need = " or ".join(f"_nf[{k}][0] is not None" for k in users)
        if kind == "operand" and op.variadic:
            fast.append("A")
            tvals.append("_T")
            vers.append("tuple(t._vc[0] if t is not None else None for t in _T)")
        elif kind == "size" and op.variadic:
            fast.append("tuple(a.shape for a in A)")
            tvals.append("None")
            vers.append("None")
        elif kind == "operand":
            keep = f"_T[{j}] if ({need}) else None" if len(users) < len(op.formulas) else f"_T[{j}]"
            fast.append(f"(A[{j}] if ({need}) else None)" if len(users) < len(op.formulas) else f"A[{j}]")
            tvals.append(keep)
            vers.append(f"(_T[{j}]._vc[0] if _T[{j}] is not None else None)")
        elif kind == "output":
            fast.append(f"R[{j}]")
            tvals.append(f"RT[{j}]._vc")
            vers.append(f"RT[{j}]._vc[0]")
        elif kind == "size":
            fast.append(f"A[{j}].shape")
            tvals.append("None")
            vers.append("None")
        elif kind == "strides":
            fast.append(f"_strides(A[{j}])")
            tvals.append("None")
            vers.append("None")
        elif kind == "numel":
            fast.append(f"A[{j}].size")
            tvals.append("None")
            vers.append("None")
        else:
            fast.append(f"P[{j}]")
            tvals.append("None")
            vers.append("None")
    tup = lambda xs: "(" + "".join(x + ", " for x in xs) + ")"
    lines = ["def _save(node, A, _T, R, RT, P):",
             "    _nf = node.next_functions",
             f"    node._saved = {tup(fast)}",
             f"    node._saved_t = {tup(tvals)}",
             f"    node._vers = {tup(vers)}",
             "    if _anomaly[0]:",
             "        _record(node)",
             "    if _hooks[0]:",
             "        _pack(node)",
             "",
             "def _run(node, grad, graph):",
             "    _S = node._saved",
             "    if _S is _FREED:",
             "        raise RuntimeError(_errors.SECOND_BACKWARD)"]
    if op.saved:
        lines += ["    _T = node._saved_t", "    _V = node._vers"]
    for i, n in enumerate(op.saved):
        kind, j = _classify(op, n)
        if kind == "operand" and op.variadic:
            lines.append(f"    for t, v in zip(_T[{i}], _V[{i}]):")
            lines.append("        if t is not None and t._vc[0] != v:")
            lines.append("            raise _errors.modified_saved_tensor(t, v)")
        elif kind in ("operand", "output"):
            cond = f"_T[{i}] is not None and " if kind == "operand" else ""
            lines.append(f"    if {cond}_V[{i}] != (_T[{i}][0] if type(_T[{i}]) is list else _T[{i}]._vc[0]):")
            lines.append(f"        check_version(node, {i}, _T[{i}], _V[{i}])")
    # unpack: arrays on the fast path, Tensors on the graph path
    # See Note [Saved values]: only saved tensors are freed; sizes, dims and flags stay readable.
    tslots = [i for i, n in enumerate(op.saved) if _classify(op, n)[0] in ("operand", "output")]
    # a slot that never held a tensor (an operand without grad, not saved) stays None
    rel = [(f"(_FREED if _S[{i}] is not None else None)" if i in tslots else f"_S[{i}]")
           for i in range(len(op.saved))]
    lines[lines.index("def _run(node, grad, graph):"):lines.index("def _run(node, grad, graph):")] = [
        "def _release(node):",
        "    _S = node._saved",
        f"    node._saved = {tup(rel)}",
        "    node._saved_t = None",
        "    node._vers = None",
        ""] if tslots else []
    if tslots:
        k = tslots[0]
        i0 = lines.index("    if _S is _FREED:")
        lines[i0] = f"    if _S[{k}] is _FREED:"
    else:
        i0 = lines.index("    if _S is _FREED:")
        del lines[i0:i0 + 2]
    lines.append("    if graph:")
    for i, n in enumerate(op.saved):
        kind, j = _classify(op, n)
        if kind == "operand" and op.variadic:
            lines.append(f"        {n} = tuple(t if t is not None else a for t, a in zip(_T[{i}], _S[{i}]))")
        elif kind == "operand":
            lines.append(f"        {n} = _T[{i}] if _T[{i}] is not None else _as_operand(_S[{i}])")
        elif kind == "output":
            lines.append(f"        {n} = _result_tensor(node, _S[{i}], {j})")
        else:
            lines.append(f"        {n} = _S[{i}]")
    if not op.saved:
        lines.append("        pass")
    lines.append("    else:")
    for i, n in enumerate(op.saved):
        lines.append(f"        {n} = _S[{i}]")
    if not op.saved:
        lines.append("        pass")
    gname = "grad"
    if op.nout != 1:
        lines.append("    if any(g is None for g in grad):")
        lines.append("        grad = _zeros_for(node, grad, graph)")
        gname = "grads"
        lines.append("    grads = grad")
    lines.append("    _nf = node.next_functions")
    outs = []
    if op.variadic:
        (operand,) = op.operands
        f = op.formulas.get(operand)
        if f is None:
            lines.append("    _gs = (None,) * len(_nf)")
        else:
            env[f"f_{operand}"] = f
            args = ", ".join([gname] + _argnames(f)[1:])
            lines.append(f"    _gs = tuple(g if e[0] is not None else None for g, e in zip(f_{operand}({args}), _nf))")
        lines.append("    if node._meta is not None:")
        lines.append("        _gs = _fix_edges(_gs, node._meta, graph)")
        lines.append("    return _gs")
        return _with_run_free("\n".join(lines) + "\n"), env
    for k, operand in enumerate(op.operands):
        f = op.formulas.get(operand)
        if f is None:
            outs.append("None")
            continue
        env[f"f_{operand}"] = f
        args = ", ".join([gname] + _argnames(f)[1:])
        lines.append(f"    g{k} = f_{operand}({args}) if _nf[{k}][0] is not None else None")
        outs.append(f"g{k}")
    lines.append(f"    _gs = {tup(outs)}")
    lines.append("    if node._meta is not None:")
    lines.append("        _gs = _fix_edges(_gs, node._meta, graph)")
    lines.append("    return _gs")
    return _with_run_free("\n".join(lines) + "\n"), env


def _fix_edges(gs, meta, graph):
    """Undo broadcasting and promotion at the edges: sum each gradient to its input's
    shape and cast it to its input's dtype. The one place broadcasting is undone."""
    out = []
    for g, m in zip(gs, meta):
        if g is not None and m is not None:
            shape, dt = m
            if graph:
                if tuple(g.shape) != shape:
                    g = g.sum_to_size(shape)
                if g._data.dtype != dt:
                    # a real input's part of a complex gradient is its real part (torch's handle_r_to_c)
                    g = g.real if g._data.dtype.kind == "c" and dt.kind != "c" else g
                    g = g.to(_np_to_dtype(dt))
            else:
                if g.shape != shape:
                    g = sum_to(g, shape)
                if g.dtype != dt:
                    g = (g.real if g.dtype.kind == "c" and dt.kind != "c" else g).astype(dt)
        out.append(g)
    return tuple(out)


def _np_to_dtype(np_dtype):
    from ..dtypes import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def sum_to(g, shape):
    """Sum array `g` down to `shape` (the reverse of broadcasting `shape` to g.shape)."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
        if lead:
            g = g.reshape(shape)
    return g


def _zeros_for(node, grads, graph):
    """Materialize the missing gradients of a multi-output node as zeros."""
    from ..tensor import _wrap
    out = []
    for g, (shape, dt) in zip(grads, node._outs):
        if g is None:
            z = np.zeros(shape, dt)
            g = _wrap(z) if graph else z
        out.append(g)
    return tuple(out)


# ---------------------------------------------------------------- public names

FUNCTIONS = {}      # name -> function, exported as retrograd.<name>
UFUNCS = {}         # NumPy ufunc -> retrograd function (Tensor.__array_ufunc__)


def export(fn=None, *, name=None, method=True, function=True, methods=()):
    """Publish `fn` as `retrograd.<name>` and/or `Tensor.<name>` (plus extra method aliases)."""
    def deco(f):
        from ..tensor import Tensor
        n = name or f.__name__
        if function:
            FUNCTIONS[n] = f
        if method:
            setattr(Tensor, n, f)
        for m in methods:
            setattr(Tensor, m, f)
        return f
    return deco(fn) if fn is not None else deco


def function_of(op, *, name=None, method=True, function=True, ufunc=None, inplace_name=None):
    """The public callable of a registered op (positional operands, then parameters),
    published under `name` (default: the op's name), with `name_` if the op has an in-place form."""
    from .dispatch import make_function, make_inplace
    f = make_function(op)
    n = name or op.name
    f.__name__ = n
    f.__qualname__ = n
    f.__doc__ = op.doc or f"Same as `torch.{n}`."
    op.fn = f
    export(f, name=n, method=method, function=function)
    if ufunc is not None:
        UFUNCS[ufunc] = f
    if op.inplace:
        g = make_inplace(op, f)
        op.fn_ = g
        export(g, name=inplace_name or n + "_", function=False)
    return f
