"""Hooks on saved tensors: `saved_tensors_hooks`, `save_on_cpu`, `disable_saved_tensors_hooks`.

Same as `torch.autograd.graph.saved_tensors_hooks`: inside the context, every
tensor an op saves for backward is given to `pack_hook`, the node keeps only
what it returns, and `unpack_hook` turns that back into a tensor when backward
(or `grad_fn._saved_*`) needs it. As in torch, a tensor saved through hooks is
not version-checked, and the innermost hooks win.

# Note [Packing saved tensors]
Ops save at full speed when no hooks are active: the generated `_save` of an
op (ops/registry.py) and `save_for_backward` (function.py) test one flag,
`active[0]`, and only then call `pack_node` / `pack_slots`. `pack_node`
hands each saved tensor to the pack hook, replaces it in the node by None,
and switches the node to a subclass of its class (same name) whose `_run`
unpacks the tensors just before the backward formulas run and drops them
again afterwards, and whose `_saved_*` properties unpack on access.
"""
__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

active = [False]          # read by every op's _save: is a pack hook in force?
_stack = []               # [(pack_hook, unpack_hook)], innermost last
_disabled = [None]        # error message while disable_saved_tensors_hooks is in force


class saved_tensors_hooks:
    """Same as `torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook)`."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled[0] is not None:
            raise RuntimeError(_disabled[0])
        _stack.append((self.pack_hook, self.unpack_hook))
        active[0] = True
        return self

    def __exit__(self, *exc):
        _stack.pop()
        active[0] = bool(_stack)


class save_on_cpu(saved_tensors_hooks):
    """Same as `torch.autograd.graph.save_on_cpu`: saved tensors are kept in host memory and
    moved back to their device for backward (a no-op copy-free pass-through for CPU tensors)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            if t.device.type == "cpu":
                return (t.device, t)
            return (t.device, t.cpu())

        def unpack(packed):
            device, t = packed
            return t if t.device == device else t.to(device)
        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Same as `torch.autograd.graph.disable_saved_tensors_hooks(error_message)`: registering
    saved-tensor hooks inside raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if _stack:                  # as torch: not while saved-tensor hooks are in force
            raise RuntimeError(self.error_message)
        self._prev = _disabled[0]
        _disabled[0] = self.error_message

    def __exit__(self, *exc):
        _disabled[0] = self._prev


class _Packed:
    """What a node keeps for one saved tensor under hooks: the pack hook's result, and where
    the tensor sat in the graph, so that the unpacked tensor takes its place there (as torch's
    SavedVariable does): double backward through unpacked tensors reaches the same inputs."""
    __slots__ = ("value", "unpack", "edge", "rg", "nr")

    def __init__(self, t, hooks, nr=None):
        from ..tensor import _edge_of
        pack, self.unpack = hooks
        self.nr = nr                    # an output of the node itself: rebuilt as output nr
        self.edge = _edge_of(t) if nr is None and t._rg else None
        self.rg = t._rg
        self.value = pack(t)

    def get(self, node=None):
        import weakref
        from ..tensor import Tensor, _wrap, _edge_of
        from .graph import AccumulateGrad
        t = self.unpack(self.value)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                            f"{type(t).__name__}")
        if self.nr is not None:
            r = _wrap(t._data, True, (node, self.nr))
        elif not self.rg:
            if not t._rg:
                return t
            r = _wrap(t._data)
        elif t._rg and _edge_of(t) == self.edge:
            return t                    # the saved tensor itself (identity hooks)
        elif type(self.edge[0]) is AccumulateGrad:
            r = _wrap(t._data, True)    # a leaf: its gradient goes to the saved leaf's accumulator
            r._accum = weakref.ref(self.edge[0])
        else:
            r = _wrap(t._data, True, self.edge)
        r._vc = t._vc
        return r


# ---------------------------------------------------------------- registered ops

_kinds = {}          # op -> ((slot, kind, output index), ...) for the tensor slots of its node
_classes = {}        # node class -> its hooked subclass


def _tensor_slots(op):
    got = _kinds.get(op)
    if got is None:
        from ..ops.registry import _classify
        got = []
        for i, n in enumerate(op.saved):
            kind, j = _classify(op, n)
            if kind in ("operand", "output"):
                got.append((i, "variadic" if kind == "operand" and op.variadic else kind, j))
        got = _kinds[op] = tuple(got)
    return got


def pack_node(node):
    """Give the tensors `node` just saved to the innermost pack hook (see Note [Packing saved tensors])."""
    from ..tensor import _result_tensor
    hooks = _stack[-1]
    S, T = list(node._saved), list(node._saved_t)
    packed = {}
    for i, kind, j in _tensor_slots(node._op):
        if kind == "variadic":
            if T[i] is None:
                continue
            packed[i] = tuple(None if t is None else _Packed(t, hooks) for t in T[i])
            S[i] = tuple(a if t is None else None for t, a in zip(T[i], S[i]))
            T[i] = (None,) * len(T[i])
            continue
        if S[i] is None:            # a tensor this node does not need (see _generate's "keep")
            continue
        if kind == "operand":
            if T[i] is None:        # a Python scalar operand: not a tensor, nothing to pack
                continue
            t = T[i]
        else:
            t = _result_tensor(node, S[i], j)
            t._vc = T[i]
        packed[i] = _Packed(t, hooks, None if kind == "operand" else j)
        S[i], T[i] = None, None
    if not packed:
        return
    node._saved, node._saved_t = tuple(S), tuple(T)
    node._packed = packed
    node.__class__ = _hooked_class(type(node))


def _unpack_into(node):
    """Put the unpacked tensors where the generated `_run` reads them; returns what to restore."""
    S, T, V = list(node._saved), list(node._saved_t), list(node._vers)
    before = (node._saved, node._saved_t, node._vers)
    for i, kind, j in _tensor_slots(node._op):
        p = node._packed.get(i)
        if p is None:
            continue
        if kind == "variadic":
            ts = tuple(None if q is None else q.get() for q in p)
            T[i] = ts
            S[i] = tuple(a if t is None else t._data for t, a in zip(ts, S[i]))
            V[i] = tuple(None if t is None else t._vc[0] for t in ts)
        elif kind == "operand":
            t = p.get()
            S[i], T[i], V[i] = t._data, t, t._vc[0]
        else:
            t = p.get(node)
            S[i], T[i], V[i] = t._data, t._vc, t._vc[0]
    node._saved, node._saved_t, node._vers = tuple(S), tuple(T), tuple(V)
    return before


def _hooked_class(cls):
    sub = _classes.get(cls)
    if sub is not None:
        return sub
    base_run, base_release = cls._run, cls._release

    def _run(node, grad, graph):
        if "_packed" not in node.__dict__:          # released by an earlier backward
            from .. import _errors
            raise RuntimeError(_errors.SECOND_BACKWARD)
        before = _unpack_into(node)
        try:
            return base_run(node, grad, graph)
        finally:
            if node._saved_t is not None:           # not released meanwhile: drop the unpacked tensors
                node._saved, node._saved_t, node._vers = before

    def _release(node):
        base_release(node)
        node.__dict__.pop("_packed", None)

    def _run_and_release(node, grad, graph):
        outs = _run(node, grad, graph)
        _release(node)
        return outs

    ns = {"__slots__": (), "_run": _run, "_release": _release, "_run_free": _run_and_release}
    for i, kind, j in _tensor_slots(cls._op):
        ns["_saved_" + cls._op.saved[i]] = _unpacking_property(i, kind, j, getattr(cls, "_saved_" + cls._op.saved[i]))
    sub = type(cls.__name__, (cls,), ns)
    sub.__module__ = cls.__module__
    sub.__qualname__ = cls.__qualname__
    _classes[cls] = sub
    return sub


def _unpacking_property(i, kind, j, plain):
    def get(node):
        p = node.__dict__.get("_packed", {}).get(i)
        if p is None:                       # released, or a slot that held no tensor
            return plain.fget(node)
        if kind == "variadic":
            return tuple(None if q is None else q.get() for q in p)
        return p.get(node)
    return property(get)


# ---------------------------------------------------------------- custom Functions

def pack_slots(slots):
    """save_for_backward under hooks: each `(tensor, version, nr)` slot becomes a _Packed."""
    from ..tensor import _wrap
    hooks = _stack[-1]
    out = []
    for entry in slots:
        if entry is None:
            out.append(None)
            continue
        t, version, nr = entry
        if nr is not None:          # an output of the node: (array, version counter)
            data, vc = t
            t = _wrap(data, True)
            t._vc = vc
        out.append(_Packed(t, hooks, nr))
    return out


def _install():
    """Publish the hooks under `autograd.graph`, where torch has them."""
    from . import graph
    graph.saved_tensors_hooks = saved_tensors_hooks
    graph.save_on_cpu = save_on_cpu
    graph.disable_saved_tensors_hooks = disable_saved_tensors_hooks


_install()
