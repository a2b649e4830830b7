"""Nodes of the backward graph: Node, AccumulateGrad, hook handles, saved tensors.

A Node is what `tensor.grad_fn` returns. It holds `next_functions` -- one
`(node, output_nr)` pair per input of the forward op, `(None, 0)` where that
input needs no gradient -- and what it saved for backward. The engine
(`engine.py`) calls `node._run(grad, graph)`; `graph` is True under
`create_graph=True`, and then gradients are Tensors and the formulas build a
graph of their own.

# Note [Saved values]
An op node keeps two tuples in the order of its `_saved_names`:
`_saved` holds what the fast (array) path of backward needs -- arrays for
tensors, plain values otherwise -- and `_saved_t` holds, for tensors, the
Tensor itself (for inputs) or the result's version counter (for outputs),
and None for plain values. `_vers` holds each saved tensor's version at save
time. Saving the result's *array* rather than the result Tensor keeps the
graph free of reference cycles (result -> grad_fn -> result), so memory is
returned as soon as the last reference goes, without waiting for the GC.
After a backward without `retain_graph`, `_saved` becomes `_FREED`, and any
later use raises torch's "backward through the graph a second time" error.
"""
import itertools
import weakref

from .. import _errors

_FREED = object()
_HIDDEN = frozenset(("_saved", "_saved_t", "_saved_names", "_saved_slots"))
_handle_ids = itertools.count()


class RemovableHandle:
    """Same as `torch.utils.hooks.RemovableHandle`: `handle.remove()` unregisters the hook."""
    __slots__ = ("_container", "_key")

    def __init__(self, container, key):
        self._container = container
        self._key = key

    def remove(self):
        self._container.pop(self._key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(owner, attr, fn):
    d = owner.__dict__.get(attr)
    if d is None:
        d = {}
        setattr(owner, attr, d)
    key = next(_handle_ids)
    d[key] = fn
    owner._hooked = True
    return RemovableHandle(d, key)


class Node:
    """Same as `torch.autograd.graph.Node`: the abstract backward function of one op."""
    __slots__ = ("next_functions", "_saved", "_saved_t", "_vers", "_meta", "__dict__", "__weakref__")
    # Rarely used state lives in the instance __dict__, with these class-level defaults
    # so the hot path never allocates it. See Note [Saved values].
    _pre_hooks = None          # {key: fn(grad_outputs) -> grad_outputs or None}
    _post_hooks = None         # {key: fn(grad_inputs, grad_outputs) -> grad_inputs or None}
    _tensor_pre_hooks = None   # {key: (output_nr, fn(grad) -> grad or None)}, from Tensor.register_hook
    _retain_hooks = None       # {output_nr: weakref to tensor}, from Tensor.retain_grad
    _metadata = None           # the `metadata` dict; anomaly mode keeps the forward stack there
    _hooked = False            # True once any hook above is registered: the engine's one check
    _saved_names = ()
    _nout = 1

    def name(self):
        return type(self).__name__

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn):
        """Same as `Node.register_hook`: `fn(grad_inputs, grad_outputs)`, may return new grad_inputs."""
        return _add_hook(self, "_post_hooks", fn)

    def register_prehook(self, fn):
        """Same as `Node.register_prehook`: `fn(grad_outputs)`, may return new grad_outputs."""
        return _add_hook(self, "_pre_hooks", fn)

    def _register_tensor_hook(self, output_nr, fn):
        return _add_hook(self, "_tensor_pre_hooks", (output_nr, fn))

    def __dir__(self):
        # torch lists what a node saved as `_saved_<name>` and `_raw_saved_<name>` only:
        # the slots that hold those values here are hidden, so listing a node's
        # `_saved_*` attributes gives torch's list.
        names = getattr(self, "_saved_names", ())
        return [k for k in super().__dir__() if k not in _HIDDEN] + ["_raw_saved_" + n for n in names]

    def _sequence_nr(self):
        return id(self)

    @property
    def requires_grad(self):
        return any(n is not None for n, _ in self.next_functions)

    def __call__(self, *grads):
        """Run this node's backward on Tensors, as calling a torch Node does."""
        from .engine import _call_node
        return _call_node(self, grads)

    def _run(self, grad, graph):  # pragma: no cover - every concrete node overrides it
        raise NotImplementedError

    def _release(self):
        """Free what was saved for backward (called after a run without retain_graph)."""

    def _run_free(self, grad, graph):
        """`_run`, then `_release`: the engine's call when the graph is not kept (generated
        op nodes do both in one function)."""
        outs = self._run(grad, graph)
        self._release()
        return outs

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node at a leaf that requires grad: adds the incoming gradient into `variable.grad`."""
    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"      # torch's C++ name, as its name() returns

    def _run(self, grad, graph):
        from .hooks import accumulate_grad
        accumulate_grad(self.variable, grad, graph)
        return ()

    def _release(self):
        pass


def leaf_edge(t):
    """The `(AccumulateGrad, 0)` edge of a leaf that requires grad, created once per leaf.

    The tensor keeps only a weak reference to its AccumulateGrad (the node keeps the
    tensor alive while a graph uses it), so leaves and nodes never form a cycle.
    """
    ref = t.__dict__.get("_accum")
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accum = weakref.ref(node)
    return (node, 0)


NO_EDGE = (None, 0)


def check_version(node, i, t, saved_version):
    """Raise torch's error when saved tensor `t` was modified in place after it was saved."""
    now = t[0] if type(t) is list else t._vc[0]
    if now != saved_version:
        raise _errors.modified_saved(node, i, now, saved_version)
