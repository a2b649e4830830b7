"""Views and in-place ops: how history is rewritten when a view (or its base) is modified.

# Note [Views and in-place]
A view (an op declared `view=True`) shares its base's array and version counter,
and remembers how it was made from its root base: `_view_fn`, a tuple of steps
`(op, params, j)` that replays the view on any array or Tensor shaped like the
base (`j` picks one output of a multi-output view op such as `unbind`).

When an in-place op modifies a view `v` of base `b` while autograd records it,
the values of `b` change too, so `b`'s history must change with them. As in
torch, `b` gets a `CopySlices` node: its backward takes the gradient of the new
`b`, runs the in-place op's backward on the region `v` covers, writes the
gradient for the old values of that region back into it, and passes the rest
through to the old history of `b`. `v` then gets an `AsStridedBackward0` node:
the view, replayed from the new `b`.

Other views of `b` made earlier are now stale too: their history says they come
from the old `b`. A base keeps weak references to its views (only bases whose
history can be rewritten: not leaves that require grad) and every rewrite
re-derives each live view from the new history, so `v2.requires_grad` and
`v2.grad_fn` are right the moment the base changes.
"""
import weakref

from ..autograd.graph import Node, NO_EDGE
from ..autograd.grad_mode import state
from ..autograd import forward_ad


class _Views(list):
    """Weak references to the views of one base; pruned as it grows."""
    __slots__ = ("cap",)


def register_view(r, x, op, params, j=None):
    """Make `r` (an output of view op `op` on `x`) a view of x's root base."""
    r._vc = x._vc
    base = x._base
    if base is None:
        base = x
        chain = ((op, params, j),)
    else:
        chain = x._view_fn + ((op, params, j),)
    r._base = base
    r._view_fn = chain
    if not state.grad_enabled and x._rg:
        r._view_no_grad = True
    if base._rg and base._edge is None:
        return        # a leaf that requires grad: in-place on it (or its views) never records
    views = base.__dict__.get("_views")
    if views is None:
        views = base._views = _Views()
        views.cap = 32
    views.append(weakref.ref(r))
    if len(views) >= views.cap:
        views[:] = [w for w in views if w() is not None]
        views.cap = max(32, 2 * len(views))


def replay(chain, t):
    """The view `chain` applied to `t` (an array: array views; a Tensor: recorded view ops)."""
    from ..tensor import Tensor
    if isinstance(t, Tensor):
        for op, params, j in chain:
            t = op.fn(t, *params)
            if j is not None:
                t = t[j]            # one output of a multi-output view op (a tuple)
        return t
    from ..backend import xp_of
    xp = xp_of(t)
    for op, params, j in chain:
        t = op.forward(xp, t, *params)
        if j is not None:
            t = t[j]
    return t


class CopySlices(Node):
    """The history of a base after an in-place op on one of its views (torch's CopySlices)."""
    __slots__ = ("_fn", "_chain")

    def name(self):
        return "torch::autograd::CopySlices"

    def _run(self, grad, graph):
        fn = self._fn
        if graph:
            result = grad.clone()
            region = replay(self._chain, result)
            res = fn._run(region.clone(), True)
            if res[0] is not None:
                region.copy_(res[0])
        else:
            result = grad.copy()
            region = replay(self._chain, result)
            res = fn._run(region.copy(), False)
            if res[0] is not None:
                region[...] = res[0]
        first = result if self.next_functions[0][0] is not None else None
        return (first,) + tuple(res[1:])

    def _release(self):
        self._fn._release()


class AsStridedBackward0(Node):
    """A view re-derived from its base's new history: the view ops replayed, run backward."""
    __slots__ = ("_top",)

    def _run(self, grad, graph):
        node, nr = self._top
        stop = self.next_functions[0][0]
        g = grad
        while node is not stop:
            if node._nout != 1:
                gs = [None] * (len(node._outs) if node._nout < 0 else node._nout)
                gs[nr] = g
                g = gs
            outs = node._run(g, graph)
            g = outs[0]
            node, nr = node.next_functions[0]
        return (g,)

    def _release(self):
        pass


def _rederive(v, base):
    """Point view `v` at `base`'s current history (see Note [Views and in-place])."""
    from ..tensor import _wrap
    if not base._rg:
        return
    b = _wrap(base._data, True, base._edge)
    was, fw = state.grad_enabled, forward_ad.active[0]
    state.grad_enabled, forward_ad.active[0] = True, False
    try:
        t = replay(v._view_fn, b)
    finally:
        state.grad_enabled, forward_ad.active[0] = was, fw
    node = AsStridedBackward0()
    node.next_functions = (base._edge,)
    node._meta = None
    node._top = t._edge
    v._rg = True
    v._edge = (node, 0)


def refresh_views(base, skip=None):
    """Re-derive every live view of `base` after its history changed."""
    views = base.__dict__.get("_views")
    if not views:
        return
    live = []
    for w in views:
        v = w()
        if v is None:
            continue
        live.append(w)
        if v is not skip:
            _rederive(v, base)
    views[:] = live


def inplace_on_view(self, op, node, A, others, params, out):
    """Record in-place op `op` (its node already built, not yet wired) on view `self`:
    write `out` into the shared array, give the root base a CopySlices history and
    re-derive its views. See Note [Views and in-place]."""
    from .dispatch import _write, _edge_meta
    from ..tensor import _edge_of, Tensor
    base = self._base
    old_base_edge = _edge_of(base)
    _write(self._data, out)
    self._vc[0] += 1
    node.next_functions = (old_base_edge,) + tuple(_edge_of(x) if isinstance(x, Tensor) else NO_EDGE
                                                   for x in others)
    cs = CopySlices()
    cs.next_functions = (old_base_edge,) + node.next_functions[1:]
    cs._meta = None
    cs._fn = node
    cs._chain = self._view_fn
    base._rg = True
    base._edge = (cs, 0)
    _rederive(self, base)
    refresh_views(base, skip=self)
    return self
