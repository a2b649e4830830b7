"""The backward engine: count dependencies, then run the nodes whose gradients are complete.

Both loops are iterative (a 100,000-op chain never touches the recursion
limit) and linear in the graph. Gradients are arrays unless `create_graph`,
when they are Tensors and every formula is recorded (Note [One formula, two
paths] in ops/registry.py).
"""
import sys

import numpy as np

from .grad_mode import state
from .graph import AccumulateGrad
from .hooks import pre_hooks, post_hooks, capture, as_tensor
from . import anomaly_mode


def execute(roots, seeds, keep_graph, graph, captures=None):
    """Run backward from `roots` (edges) seeded with `seeds`.

    captures: {(node, output_nr): slot} -- record the gradient arriving there (autograd.grad,
    backward(inputs=)); then only the nodes leading to a capture run, AccumulateGrad never,
    and the captured gradients are returned in slot order.
    """
    ends = None if captures is None else set(n for n, _ in captures)
    order, needed = _topological(roots, ends)       # loop 1: every node after its consumers
    out = None if captures is None else [None] * len(captures)
    buffers = {}
    for (n, nr), g in zip(roots, seeds):
        _add(buffers, n, nr, g)
    check_nan = anomaly_mode._state.enabled and anomaly_mode._state.check_nan
    prev_mode = state.grad_enabled
    state.grad_enabled = graph
    errs = np.seterr(all="ignore")          # torch warns about nothing it computes (inf, nan)
    pop, get = buffers.pop, buffers.get
    slow_all = keep_graph or check_nan
    try:
        for node in reversed(order):               # loop 2: run the nodes gradients reached
            g = pop(node, None)
            if g is None or (needed is not None and node not in needed):
                continue
            hooked = node._hooked
            if hooked:
                g = pre_hooks(node, g, graph)
            if ends is not None and node in ends:
                capture(node, g, captures, out)
                if type(node) is AccumulateGrad:
                    continue
            slow = slow_all or hooked
            try:
                # without hooks, anomaly checks or retain_graph: _run, then _release, in one call
                outs = node._run(g, graph) if slow else node._run_free(g, graph)
            except Exception as e:
                anomaly_mode.report(node, e)
                raise
            if slow:
                if hooked:
                    outs = post_hooks(node, outs, g, graph)
                if check_nan:
                    anomaly_mode.check_nan(node, outs)
                if not keep_graph:
                    node._release()
            for (nxt, nr), gi in zip(node.next_functions, outs):
                if nxt is None or gi is None:
                    continue
                if nxt._nout != 1:
                    _add(buffers, nxt, nr, gi)
                    continue
                prev = get(nxt)
                if prev is not None:
                    buffers[nxt] = prev + gi
                elif not graph and type(nxt) is AccumulateGrad and (gi is g or not _owned(gi, g)):
                    buffers[nxt] = gi.copy()       # never store a shared array in .grad
                else:
                    buffers[nxt] = gi
    finally:
        state.grad_enabled = prev_mode
        np.seterr(**errs)
    return out


def _owned(a, g):
    """Whether nothing but `a` holds a's memory, so `.grad` may keep it without a copy (torch's
    AccumulateGrad steals such a gradient too): a fresh array, or a writeable, non-overlapping
    view of an array nothing else references -- the transpose of a fresh product, as
    `linear`'s weight gradient is."""
    b = getattr(a, "base", None)
    if b is None:
        return True
    f = a.flags
    if not f.writeable or not (f.c_contiguous or f.f_contiguous):
        return False
    # the references we know of: the view's, `b` here, getrefcount's argument, and, when the
    # view was taken of the incoming gradient (`grad.t()`), the engine's `g` and ours (or g's base)
    known = 3 + (2 if g is b else getattr(g, "base", None) is b)
    return sys.getrefcount(b) == known


def _add(buffers, node, nr, g):
    """Sum gradient `g` into the buffer of `node`'s output `nr`."""
    if node._nout == 1:
        prev = buffers.get(node)
        buffers[node] = g if prev is None else prev + g
    else:
        lst = buffers.get(node)
        if lst is None:
            lst = buffers[node] = [None] * (len(node._outs) if node._nout < 0 else node._nout)
        prev = lst[nr]
        lst[nr] = g if prev is None else prev + g


def _topological(roots, ends=None):
    """The nodes reachable from `roots` in post-order (each after everything it leads to),
    by an iterative depth-first walk; and, when `ends` is given, the set of nodes from which
    an end can be reached (a node's children are finished before it is)."""
    order = []
    seen = set()
    needed = None if ends is None else set()
    for root, _ in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            n, it = stack[-1]
            for nxt, _ in it:
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                order.append(n)
                if needed is not None:
                    if n in ends:
                        needed.add(n)
                    else:
                        for m, _ in n.next_functions:
                            if m in needed:
                                needed.add(n)
                                break
    return order, needed


def _call_node(node, grads):
    """`node(*grads)`: run one node's backward on Tensors, outside the engine."""
    from ..tensor import Tensor
    gs = [g._data if isinstance(g, Tensor) else g for g in grads]
    outs = node._run(gs[0] if node._nout == 1 else gs, False)
    return tuple(as_tensor(o, False) for o in outs) if len(outs) != 1 else as_tensor(outs[0], False)
