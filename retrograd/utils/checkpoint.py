"""Activation checkpointing: trade compute for memory.

Same as `torch.utils.checkpoint`. `checkpoint(fn, *args, use_reentrant=False)`
runs `fn` but keeps none of the tensors its ops save for backward: a pack
hook (autograd/saved_hooks.py) replaces each by its position, and the first
time backward needs one, `fn` is run again on the same inputs (with the same
random state) to recompute them all; each is dropped once used. The peak
memory of a deep model falls from all its activations to the checkpointed
segments' inputs plus one segment's activations.

`use_reentrant=True` (torch's default, still, with a warning when not passed)
is the older form: a custom Function whose backward re-runs `fn` with grad
enabled and back-propagates through that copy.
"""
import contextlib
import warnings

from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.saved_hooks import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "noop_context_fn",
           "set_checkpoint_debug_enabled"]

_DEBUG_TIP = """
Tip: To see a more detailed error message, either pass `debug=True` to
`torch.utils.checkpoint.checkpoint(...)` or wrap the code block
with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to
enable checkpoint\u2011debug mode globally.

If this error occurs under torch.compile with automatic_dynamic_shapes enabled,
it may be because the recomputation selected a different compiled graph than the
forward pass (e.g., a dynamic graph instead of the original static graph).
"""


class CheckpointError(RuntimeError):
    """Same as `torch.utils.checkpoint.CheckpointError`."""


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Same as `torch.utils.checkpoint.set_checkpoint_debug_enabled` in form (the error messages
    suggest it); retrograd's checkpoint records no operator trace, so debug mode adds nothing."""
    yield


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


def _is_tensor(x):
    from ..tensor import Tensor
    return isinstance(x, Tensor)


def _rng_state():
    from ..creation import get_rng_state
    return get_rng_state()


def _set_rng_state(state):
    from ..creation import set_rng_state
    set_rng_state(state)


@contextlib.contextmanager
def _fork_rng(state):
    """Run with the random state `state`, then put the current one back."""
    if state is None:
        yield
        return
    now = _rng_state()
    _set_rng_state(state)
    try:
        yield
    finally:
        _set_rng_state(now)


def _meta(t):
    return {"shape": t.shape, "dtype": t.dtype, "device": t.device}


class _Frame:
    """One checkpointed call: its inputs, the positions of what its ops saved, and (during
    backward) what recomputation produced for each position."""

    def __init__(self, fn, args, kwargs, rng, recompute_context, check):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.rng = rng
        self.recompute_context = recompute_context
        self.check = check
        self.metas = []             # per position: metadata at forward time
        self.recomputed = None      # per position: the recomputed tensor, None once unpacked

    def pack(self, t):
        self.metas.append(_meta(t) if self.check else None)
        return len(self.metas) - 1

    def unpack(self, i):
        if self.recomputed is None or self.recomputed[i] is None:
            self._recompute()
        t = self.recomputed[i]
        self.recomputed[i] = None
        return t

    def _recompute(self):
        got = []

        def pack(t):
            got.append(t.detach())

        args = tuple(a.detach().requires_grad_(a.requires_grad) if _is_tensor(a) else a for a in self.args)
        with _fork_rng(self.rng), enable_grad(), self.recompute_context, saved_tensors_hooks(pack, _never):
            self.fn(*args, **self.kwargs)
        if len(got) != len(self.metas):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the original forward and "
                f"recomputation.\nNumber of tensors saved during forward: {len(self.metas)}\nNumber of tensors "
                f"saved during recomputation: {len(got)}.\n{_DEBUG_TIP}")
        if self.check:
            bad = ""
            for i, (m, t) in enumerate(zip(self.metas, got)):
                if m != _meta(t):
                    bad += f"tensor at position {i}:\nsaved metadata: {m}\nrecomputed metadata: {_meta(t)}\n"
            if bad:
                raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following tensors have "
                                      f"different metadata than during the forward pass.\n{bad}.\n{_DEBUG_TIP}")
        self.recomputed = got


def _never(_):
    raise AssertionError("a tensor saved during recomputation was unpacked")


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """Same as `torch.utils.checkpoint.checkpoint`: `function(*args, **kwargs)`, with its activations
    recomputed during backward instead of kept."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
            "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False "
            "is recommended, but if you need to preserve the current default behavior, you can pass "
            "use_reentrant=True. Refer to docs for more details on the differences between the two variants.",
            stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    frame = _Frame(function, args, kwargs, _rng_state() if preserve else None, recompute_context,
                   determinism_check == "default")
    with forward_context, saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


class CheckpointFunction(Function):
    """The `use_reentrant=True` checkpoint: forward without a graph, backward re-runs it."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng = _rng_state() if preserve_rng_state else None
        ctx.inputs = [None if _is_tensor(a) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if _is_tensor(a)]
        ctx.save_for_backward(*[a for a in args if _is_tensor(a)])
        if not any(_is_tensor(a) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        from ..autograd import backward, _checkpoint_valid
        if not _checkpoint_valid[0]:
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an `inputs` "
                "parameter to .backward(). To resolve this error, you can either set use_reentrant=False, or call "
                ".backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t.detach().requires_grad_(t.requires_grad)
        with _fork_rng(ctx.rng), enable_grad():
            outputs = ctx.run_function(*inputs)
        if _is_tensor(outputs):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if _is_tensor(o) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(a.grad if _is_tensor(a) else None for a in inputs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Same as `torch.utils.checkpoint.checkpoint_sequential`: every segment but the last is
    checkpointed."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
            "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
            "use_reentrant=False is recommended, but if you need to preserve the current default behavior, you "
            "can pass use_reentrant=True. Refer to docs for more details on the differences between the two "
            "variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
