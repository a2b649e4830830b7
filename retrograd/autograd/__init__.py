"""retrograd.autograd: backward(), grad(), grad modes -- same as `torch.autograd`."""
import warnings

import numpy as np

from .. import _errors
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                        set_multithreading_enabled, enforce_grad_layout_policy)
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from . import graph, grad_mode, anomaly_mode, function, forward_ad
from .engine import execute
from .function import Function, NestedIOFunction, once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from . import functional
from . import saved_hooks  # publishes graph.saved_tensors_hooks, save_on_cpu

__all__ = ["Variable", "Function", "backward", "grad_mode", "NestedIOFunction", "detect_anomaly",
           "enable_grad", "grad", "gradcheck", "gradgradcheck", "inference_mode", "no_grad",
           "set_detect_anomaly", "set_grad_enabled", "set_multithreading_enabled",
           "enforce_grad_layout_policy", "variable"]


# False while a backward that captures gradients (grad(), backward(inputs=...)) runs: the
# reentrant checkpoint refuses to run inside one, as torch's _is_checkpoint_valid() tells it to.
_checkpoint_valid = [True]


def _execute(valid, *args):
    prev = _checkpoint_valid[0]
    _checkpoint_valid[0] = valid
    try:
        return execute(*args)
    finally:
        _checkpoint_valid[0] = prev


def _tensors(x):
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _seeds(outputs, grads, create_graph, what="tensors"):
    """The roots' edges and their seed gradients (checked as torch checks them)."""
    from ..tensor import Tensor, _wrap, _edge_of
    if grads is None:
        grads = (None,) * len(outputs)
    elif isinstance(grads, Tensor):
        grads = (grads,)
    else:
        grads = tuple(grads)
    if len(grads) < len(outputs):        # torch ignores extra gradients, as zip() does
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    roots, seeds = [], []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not out._rg:
            raise RuntimeError(f"element {i} of {what} does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(_errors.NOT_SCALAR)
            if out._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            arr = np.ones_like(out._data)
            seed = _wrap(arr) if create_graph else arr
        else:
            if not isinstance(g, Tensor):
                from ..creation import tensor
                g = tensor(g, dtype=out.dtype)
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                                   f"output[{i}] has a shape of {out.shape}.")
            if create_graph:
                seed = g if g._data.dtype == out._data.dtype else g.to(out.dtype)
            else:
                seed = g._data.astype(out._data.dtype, copy=True)
        roots.append(_edge_of(out))
        seeds.append(seed)
    return roots, seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Same as `torch.autograd.backward`."""
    from ..tensor import Tensor
    if grad_variables is not None:
        grad_tensors = grad_variables
    outputs = _tensors(tensors)
    if inputs is not None:
        inputs = _tensors(inputs) if not isinstance(inputs, Tensor) else (inputs,)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this function, "
            "make sure to reset the .grad fields of your parameters to None after use to break the "
            "cycle and avoid the leak.", UserWarning, stacklevel=3)
    roots, seeds = _seeds(outputs, grad_tensors, create_graph)
    if inputs is None:
        _execute(True, roots, seeds, retain_graph, create_graph)
        return
    captures, order = _captures(inputs)
    got = _execute(False, roots, seeds, retain_graph, create_graph, captures)
    from .hooks import accumulate_grad, retain
    for t, slot in order:
        g = got[slot] if slot is not None else None
        if g is None:
            continue
        if t.is_leaf:
            accumulate_grad(t, g, create_graph)
        else:
            retain(t, g, create_graph)


def _captures(inputs):
    """{edge: slot} for the inputs' gradients; a leaf never used in a graph has no edge."""
    captures, order = {}, []
    for t in inputs:
        e = t._edge
        if e is None:
            ref = t.__dict__.get("_accum")
            node = ref() if ref is not None else None
            e = (node, 0) if node is not None else None
        if e is None:
            order.append((t, None))
            continue
        slot = captures.setdefault(e, len(captures))
        order.append((t, slot))
    return captures, order


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Same as `torch.autograd.grad`."""
    from ..tensor import Tensor, _wrap
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    single_input = isinstance(inputs, Tensor)
    outputs = _tensors(outputs)
    inputs = (inputs,) if single_input else tuple(inputs)
    if len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                             materialize_grads)
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    roots, seeds = _seeds(outputs, grad_outputs, create_graph, "tensors")
    captures, order = _captures(inputs)
    got = _execute(False, roots, seeds, retain_graph, create_graph, captures)
    result = []
    for i, (t, slot) in enumerate(order):
        g = got[slot] if slot is not None else None
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                g = _wrap(np.zeros_like(t._data))
        elif not create_graph:
            g = _wrap(np.array(g) if any(g is s for s in seeds) or not isinstance(g, np.ndarray)
                      else g)
        result.append(g)
    return tuple(result)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused, materialize):
    """`is_grads_batched=True`: one backward per slice of the first dim of grad_outputs, stacked."""
    from ..ops import stack
    grad_outputs = _tensors(grad_outputs)
    n = grad_outputs[0].shape[0]
    rows = []
    for b in range(n):
        rows.append(grad(outputs, inputs, [g[b] for g in grad_outputs], retain_graph=True,
                         create_graph=create_graph, allow_unused=allow_unused,
                         materialize_grads=materialize))
    return tuple(None if rows[0][j] is None else stack([r[j] for r in rows]) for j in range(len(inputs)))
