"""What the engine does around a node: hooks, captures for autograd.grad, and
accumulation into `.grad` (AccumulateGrad's work)."""
import numpy as np


def _wrap(arr):
    """tensor._wrap, bound on first use (tensor.py imports this package)."""
    global _wrap
    from ..tensor import _wrap as wrap
    _wrap = wrap
    return wrap(arr)


def as_tensor(g, graph):
    if g is None or graph:
        return g
    return _wrap(np.asarray(g))


def as_grad(t, graph):
    if t is None or graph:
        return t
    return t._data


def pre_hooks(node, g, graph):
    """Tensor hooks (Tensor.register_hook on a non-leaf), retain_grad, then Node pre-hooks."""
    single = node._nout == 1
    gs = [g] if single else list(g)
    th = node._tensor_pre_hooks
    if th:
        for nr, fn in list(th.values()):
            if gs[nr] is not None:
                r = fn(as_tensor(gs[nr], graph))
                if r is not None:
                    gs[nr] = as_grad(r, graph)
    rh = node._retain_hooks
    if rh:
        for nr, ref in rh.items():
            t = ref()
            if t is not None and gs[nr] is not None:
                retain(t, gs[nr], graph)
    ph = node._pre_hooks
    if ph:
        for fn in list(ph.values()):
            r = fn(tuple(as_tensor(x, graph) for x in gs))
            if r is not None:
                if len(r) != len(gs):
                    raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' has returned an incorrect "
                                       f"number of values (got {len(r)}, but expected {len(gs)})")
                gs = [as_grad(x, graph) for x in r]
    return gs[0] if single else gs


def post_hooks(node, outs, g, graph):
    ph = node._post_hooks
    if not ph:
        return outs
    gin = tuple(as_tensor(x, graph) for x in outs)
    gout = tuple(as_tensor(x, graph) for x in ([g] if node._nout == 1 else g))
    for fn in list(ph.values()):
        r = fn(gin, gout)
        if r is not None:
            if len(r) != len(gin):
                raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' has returned an incorrect "
                                   f"number of values (got {len(r)}, but expected {len(gin)})")
            gin = tuple(r)
    return tuple(as_grad(x, graph) for x in gin)


def retain(t, g, graph):
    from ..tensor import _wrap
    if graph:
        t._grad = g if t._grad is None else t._grad + g
    elif t._grad is None:
        t._grad = _wrap(np.array(g))
    else:
        t._grad = _wrap(t._grad._data + g)


def capture(node, g, captures, out):
    if node._nout == 1:
        slot = captures.get((node, 0))
        if slot is not None:
            out[slot] = g if out[slot] is None else out[slot] + g
    else:
        for nr, gi in enumerate(g):
            slot = captures.get((node, nr))
            if slot is not None and gi is not None:
                out[slot] = gi if out[slot] is None else out[slot] + gi


# ---------------------------------------------------------------- accumulation into .grad

def accumulate_grad(t, g, graph):
    """AccumulateGrad's work: leaf hooks, then add `g` into `t.grad` (in place when
    possible, as torch does), then post-accumulate hooks."""
    from ..tensor import _wrap
    hooks = t._hooks
    if hooks:
        for fn in list(hooks.values()):
            r = fn(as_tensor(g, graph))
            if r is not None:
                g = as_grad(r, graph)
    old = t._grad
    if graph:
        if old is None:
            t._grad = _copy_for_grad(g)
        else:
            t._grad = old + g
    else:
        if type(g) is not np.ndarray:
            g = np.asarray(g) if isinstance(g, np.generic) else g
        if g.dtype != t._data.dtype:
            g = g.astype(t._data.dtype)
        if old is None:
            t._grad = _wrap(g if g.shape == t._data.shape else np.broadcast_to(g, t._data.shape).copy())
        elif old._rg:
            t._grad = old + _wrap(g)
        else:
            od = old._data
            if od.flags.writeable and od.shape == np.broadcast_shapes(od.shape, g.shape):
                od += g
                old._vc[0] += 1
            else:
                t._grad = _wrap(od + g)
    post = t._post_acc_hooks
    if post:
        for fn in list(post.values()):
            fn(t)


def _copy_for_grad(g):
    """Under create_graph, `.grad` is a copy recorded as CopyBackwards, as in torch."""
    from ..tensor import _wrap
    from ..ops import copy_into
    return copy_into(_wrap(np.empty_like(g._data)), g)


