"""Custom differentiable operations: `Function`, its context, `once_differentiable`.

Same as `torch.autograd.Function`. `MyFn.apply(*args)` runs `forward` with grad
mode off, then records one node of class `MyFnBackward` -- which is also the
`ctx` that forward saw, as in torch -- whose backward calls `MyFn.backward`.
The engine gives the node arrays or Tensors (create_graph); the user's backward
always sees Tensors.

Difference from torch: an in-place op on a view a custom Function returned is
refused (as in torch) but with the "view created in no_grad mode" message;
torch's own message needs ops/dispatch.py to read `_view_custom`, which this
module sets on such views.
"""
import functools
import inspect
import warnings

import numpy as np

from . import forward_ad
from .. import _errors
from .graph import Node, _FREED
from .grad_mode import state, no_grad
from .saved_hooks import active as _hooks, pack_slots, _Packed

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable", "InplaceFunction",
           "NestedIOFunction"]


class FunctionCtx:
    """What `forward` may record on `ctx` for `backward`."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        self._materialize_grads = bool(value)

    def mark_shared_storage(self, *pairs):
        warnings.warn("mark_shared_storage is deprecated. Tensors with shared storages are "
                      "automatically tracked.", DeprecationWarning)


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function; also the `ctx` its forward and backward receive."""
    _forward_cls = None
    to_save = ()
    dirty_tensors = ()
    non_differentiable = ()
    _materialize_grads = True
    _saved_slots = None        # [(tensor, version, output_index or None)], set by apply
    _n_inputs = 0
    _tensor_pos = ()           # argument positions of the tensor inputs

    def __init__(self):
        self.next_functions = ()
        self._meta = None

    @property
    def saved_tensors(self):
        if self.__dict__.get("_in_jvp"):       # inside jvp(): what save_for_forward kept
            return tuple(self.__dict__.get("saved_for_forward", ()))
        slots = self._saved_slots
        if slots is _FREED:
            raise RuntimeError(_errors.SECOND_BACKWARD)
        if slots is None:            # still inside forward: nothing is saved yet (torch gives ())
            return ()
        from ..tensor import _wrap
        out = []
        for i, entry in enumerate(slots):
            if entry is None:
                out.append(None)
                continue
            if type(entry) is _Packed:      # saved under saved_tensors_hooks: unpacked, not version-checked
                out.append(entry.get(self))
                continue
            t, version, nr = entry
            if nr is not None:          # an output of this node: rebuilt without a reference cycle
                data, vc = t
                if vc[0] != version:
                    raise _errors.modified_output(self, data, nr, vc[0], version)
                r = _wrap(data, True, (self, nr))
                r._vc = vc
                out.append(r)
            else:
                if t._vc[0] != version:
                    raise _errors.modified_saved_tensor(t, version)
                out.append(t)
        return tuple(out)

    saved_variables = saved_tensors
    def __call__(self, *grads):
        # as in torch, a custom Function's node is not callable; `apply` runs its backward
        raise TypeError(f"'{type(self).__name__}' object is not callable")

    def apply(self, *grads):
        """Run the user's backward on `grads` (Tensors), as `grad_fn.apply(...)` does in torch."""
        return _user_backward(self._forward_cls)(self, *grads)

    def _release(self):
        if self._saved_slots:
            self._saved_slots = _FREED

    def _run(self, grad, graph):
        from ..tensor import Tensor, _wrap
        grads = [grad] if self._nout == 1 else list(grad)
        outs = self._outs
        for i, g in enumerate(grads):
            if g is None:
                if self._materialize_grads:
                    z = np.zeros(*outs[i])
                    grads[i] = _wrap(z)
            elif not graph:
                grads[i] = _wrap(np.asarray(g))
        res = _user_backward(self._forward_cls)(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = self._n_inputs
        if len(res) > n and all(r is None for r in res[n:]):
            res = res[:n]                   # torch tolerates trailing Nones
        if len(res) != n:
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(res)})")
        result = []
        metas = self._input_meta
        for pos, r in enumerate(res):
            if pos not in self._tensor_pos:
                if r is not None:
                    raise RuntimeError(f"function {type(self).__name__} returned a gradient different than "
                                       f"None at position {pos + 1}, but the corresponding forward input "
                                       "was not a Variable")
                continue
            shape, dt = metas[pos]
            if r is None:
                result.append(None)
                continue
            if not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            if tuple(r._data.shape) != shape:
                if not _expandable(shape, r._data.shape):
                    raise RuntimeError(
                        f"Function {type(self).__name__} returned an invalid gradient at index "
                        f"{len(result)} - got {_errors.shape_str(r._data.shape)} but expected shape "
                        f"compatible with {_errors.shape_str(shape)}")
                r = r.sum_to_size(shape)
            if r._data.dtype != dt:
                r = r.to(_dtype_of(dt))
            result.append(r if graph else r._data)
        return tuple(result)

    def __repr__(self):
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"


def _user_backward(cls):
    """The user's backward: `backward`, or `vjp` (its other name); not both, as in torch."""
    has_backward, has_vjp = cls.backward is not Function.backward, cls.vjp is not Function.vjp
    if has_backward and has_vjp:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You "
                           "should only implement one of them.")
    return cls.vjp if has_vjp else cls.backward


def _expandable(shape, grad_shape):
    if len(grad_shape) < len(shape):
        return False
    return all(s == g or s == 1 for s, g in zip(reversed(shape), reversed(grad_shape)))


def _dtype_of(np_dtype):
    from ..dtypes import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


class _FunctionMeta(type):
    """Gives every Function subclass its node class, `<Name>Backward`, as torch does."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        backward_cls.__module__ = "torch.autograd.function"
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Same as `torch.autograd.Function`: subclass it with static `forward(ctx, *args)` and
    `backward(ctx, *grad_outputs)` (or `forward(*args)` plus `setup_context(ctx, inputs,
    output)`), then call `MyFn.apply(*args)`.

        >>> class Square(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         x, = ctx.saved_tensors
        ...         return 2 * x * g
    """
    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are "
                      "all static, so you should invoke them on the class itself. Instantiating an "
                      "autograd function will raise an error in a future version of PyTorch.",
                      DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        return Function.backward(ctx, *grad_outputs)

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to "
                                  "use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        return _apply(cls, args, kwargs)


def _apply(cls, args, kwargs):
    from ..tensor import Tensor, _edge_of
    custom_setup = cls.setup_context is not Function.setup_context
    if custom_setup:        # torch binds the arguments: setup_context sees the defaults too
        args, kwargs = _bind(cls, args, kwargs)
    tensor_pos = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
    needs = tuple(isinstance(a, Tensor) and a._rg for a in args)
    record = state.grad_enabled and any(needs)
    ctx = cls._backward_cls()
    ctx.needs_input_grad = needs
    ctx._n_inputs = len(args)
    ctx._tensor_pos = tensor_pos
    fw_on = forward_ad.active[0]
    forward_ad.active[0] = False        # the forward's own ops push no tangents; jvp() does
    try:
        with no_grad():
            if custom_setup:
                out = cls.forward(*args, **kwargs)
            else:
                out = cls.forward(ctx, *args, **kwargs)
    finally:
        forward_ad.active[0] = fw_on
    if custom_setup:
        cls.setup_context(ctx, args, out)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    dirty = _mark_dirty(ctx, outs)
    nondiff = {id(t) for t in ctx.non_differentiable}
    inputs_by_id = {id(args[i]): args[i] for i in tensor_pos}
    results, views = [], []         # views[j]: output j is a view (or an input returned as is)
    for o in outs:
        is_view = isinstance(o, Tensor) and id(o) not in dirty and (id(o) in inputs_by_id or o._base is not None)
        if isinstance(o, Tensor) and id(o) in inputs_by_id and id(o) not in dirty:
            o = o.view_as(o) if record else o.detach()      # an input returned as is: a view of it
            o._edge, o._rg = None, False
        results.append(o)
        views.append(is_view)
    if record:
        ctx.next_functions = tuple(_edge_of(args[i]) for i in tensor_pos)
        ctx._input_meta = {i: (args[i]._data.shape, args[i]._data.dtype) for i in tensor_pos}
        ctx._nout = len(results)
        ctx._outs = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32)
                          for o in results)
        dirty_views = []
        for j, o in enumerate(results):
            if not isinstance(o, Tensor):
                continue
            if id(o) in dirty:
                _check_dirty(o)
                if o._base is not None:
                    dirty_views.append(o)
            if id(o) in nondiff or o._data.dtype.kind not in "fc":
                o._rg = False
                continue
            o._rg = True
            o._edge = (ctx, j)
            if views[j]:
                # in-place on it would bypass the custom backward: forbidden, as in torch
                o._view_custom = cls.__name__
                o._view_no_grad = True
        for v in dirty_views:
            _rebase_dirty_view(ctx, v, [args[i] for i in tensor_pos], len(results))
        ctx._saved_slots = _save(ctx, results)
        from .anomaly_mode import active, record as record_trace
        if active[0]:
            record_trace(ctx)
    else:
        ctx._saved_slots = _save(ctx, results)
    if fw_on:
        _forward_tangents(cls, ctx, args, results, views)
    return results[0] if single else tuple(results)


def _bind(cls, args, kwargs):
    """Arguments bound to forward's signature with defaults applied (the signature is read
    once per Function)."""
    sig = cls.__dict__.get("_forward_signature")
    if sig is None:
        sig = inspect.signature(cls.forward)
        cls._forward_signature = sig
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args, bound.kwargs


def _mark_dirty(ctx, outs):
    """The ids of the tensors `forward` marked dirty: each must be returned, and each gets a
    new version, as torch's in-place ops do."""
    dirty = {id(t): t for t in ctx.dirty_tensors}
    returned = {id(o) for o in outs}
    if any(i not in returned for i in dirty):
        raise RuntimeError("Some elements marked as dirty during the forward method were not returned as output. "
                           "The inputs that are modified inplace must all be outputs of the Function.")
    for t in dirty.values():
        t._vc[0] += 1
    return dirty


def _check_dirty(t):
    if not state.grad_enabled:
        return
    if t._edge is None and t._rg:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    base = t._base
    if base is not None and base._edge is None and base._rg:
        raise RuntimeError(_errors.VIEW_LEAF_INPLACE)


def _rebase_dirty_view(ctx, view, tensor_inputs, n_outputs):
    """A custom Function modified a view in place: its base gets a CopySlices history whose
    backward runs the custom backward on the view's region (see Note [Views and in-place] in
    ops/views.py), and the view is re-derived from the base."""
    from ..ops.views import _rederive, refresh_views
    from ..tensor import _edge_of
    if n_outputs != 1:
        raise RuntimeError(
            "If your Function modifies inplace an input that is a view of another Tensor, your Function cannot "
            "return more than one Tensor. This is not supported by the current autograd engine. You should either "
            "make sure the input is not a view (using .clone() for example) or make your Function only return one "
            "Tensor (potentially splitting it into two Functions: one doing the inplace that returns a single "
            "Tensor and a second one that does the other operations). You can ask on the forum "
            "https://discuss.pytorch.org/ if you need help to do this change.")
    k = next(i for i, x in enumerate(tensor_inputs) if x is view)
    base = view._base
    cs = _copy_slices_class()()
    cs.next_functions = (_edge_of(base),) + ctx.next_functions[:k] + ctx.next_functions[k + 1:]
    cs._meta = None
    cs._fn = ctx
    cs._chain = view._view_fn
    cs._pos = k
    base._rg = True
    base._edge = (cs, 0)
    _rederive(view, base)
    refresh_views(base, skip=view)


@functools.lru_cache(maxsize=None)
def _copy_slices_class():
    """Made on first use: ops/views.py imports the op registry, which imports this module."""
    from ..ops.views import CopySlices

    class CopySlices(CopySlices):
        """CopySlices for a custom Function that modified view input number `_pos` in place: the
        gradient of that input fills the view's region of the base's gradient."""
        __slots__ = ("_pos",)

        def _run(self, grad, graph):
            from ..ops.views import replay
            result = grad.clone() if graph else grad.copy()
            region = replay(self._chain, result)
            res = self._fn._run(region.clone() if graph else region.copy(), graph)
            g = res[self._pos]
            if graph:
                region.copy_(g if g is not None else region * 0)
            else:
                region[...] = 0 if g is None else g
            first = result if self.next_functions[0][0] is not None else None
            return (first,) + tuple(res[:self._pos]) + tuple(res[self._pos + 1:])
    return CopySlices


def _forward_tangents(cls, ctx, args, results, views):
    """Forward AD through a custom Function: its `jvp` maps input tangents to output tangents."""
    from ..tensor import Tensor
    tangents = [forward_ad.tangent_of(a) if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents):
        return
    tangents = [t if t is not None or not isinstance(a, Tensor) else a.detach() * 0
                for a, t in zip(args, tangents)]
    forward_ad.active[0] = False
    ctx._in_jvp = True
    try:
        outs = cls.jvp(ctx, *tangents)
    finally:
        forward_ad.active[0] = True
        ctx._in_jvp = False
    outs = outs if isinstance(outs, tuple) else (outs,)
    if len(outs) != len(results):
        raise RuntimeError(f"Function's jvp returned an invalid number of forward gradients (expected "
                           f"{len(results)} but got {len(outs)})")
    for j, (o, t) in enumerate(zip(results, outs)):
        if t is None or not isinstance(o, Tensor) or o._data.dtype.kind not in "fc":
            continue
        if not isinstance(t, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(t).__name__}) for grad output {j}.")
        if t.shape != o.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the "
                               f"original Tensor, this is not supported. Tensor is of size {list(o.shape)} while "
                               f"the given forward gradient is of size {list(t.shape)}.")
        if views[j] and t._base is None:
            raise RuntimeError("A custom Function's forward is returning a view (or an input as-is) but the jvp "
                               "is not returning a view.")
        forward_ad._set_tangent(o, forward_ad._fit(t, o))


def _save(ctx, outputs):
    from ..tensor import Tensor
    out_pos = {id(o): j for j, o in enumerate(outputs) if isinstance(o, Tensor)}
    slots = []
    for t in ctx.to_save:
        if t is None:
            slots.append(None)
        elif not isinstance(t, Tensor):
            raise TypeError("save_for_backward can only save variables, but argument "
                            f"{len(slots)} is of type {type(t).__name__}")
        elif id(t) in out_pos:
            slots.append(((t._data, t._vc), t._vc[0], out_pos[id(t)]))
        else:
            if t._inference:
                raise RuntimeError(
                    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                    "inference mode in computation tracked by autograd. To work around this, you can make a "
                    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead "
                    "of `torch.inference_mode()`.")
            slots.append((t, t._vc[0], None))
    ctx.to_save = ()
    if _hooks[0] and ctx.next_functions:        # hooks see only what a recorded node saves, as in torch
        slots = pack_slots(slots)
    return slots


def once_differentiable(fn):
    """Same as `torch.autograd.function.once_differentiable`: the backward runs without recording,
    and differentiating its result again raises torch's error."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from ..tensor import Tensor
        from .graph import leaf_edge
        with no_grad():
            outputs = fn(ctx, *args)
        if not state.grad_enabled or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        # As torch: the results are outputs of an `Error` node whose inputs are detached
        # copies of them (fresh leaves), so a double backward reaches the node and raises.
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err = _DelayedError()
        err._nout = len(outs)
        new, edges = [], []
        for j, o in enumerate(outs):
            if isinstance(o, Tensor):
                fake = o.detach()
                fake._rg = True
                edges.append(leaf_edge(fake))
                o = o.detach()
                o._rg = True
                o._edge = (err, j)
            else:
                edges.append((None, 0))
            new.append(o)
        err.next_functions = tuple(edges)
        return new[0] if single else tuple(new)
    return wrapper


class _DelayedError(Node):
    """The node after a once_differentiable backward (torch's `Error`): running it raises."""

    def __init__(self):
        self._meta = None

    def name(self):
        return "torch::autograd::Error"

    def _run(self, grad, graph):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


_DelayedError.__name__ = _DelayedError.__qualname__ = "Error"


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    pass

