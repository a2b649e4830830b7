"""Module backward hooks: `register_full_backward_hook` and `register_full_backward_pre_hook`.

As in torch, a call of a module that has such hooks passes its tensor inputs and outputs
through an identity Function (`BackwardHookFunctionBackward` in the graph). The node on
the outputs sees the module's grad_output first: it runs the pre-hooks (which may replace
it) and keeps it. The node on the inputs then sees grad_input and runs the hooks as
`hook(module, grad_input, grad_output)` (which may replace grad_input).
"""
import warnings

from ...autograd.function import Function
from ...tensor import Tensor


class BackwardHookFunction(Function):
    """Identity on any number of tensors; the hooks sit on its backward node."""

    @staticmethod
    def forward(ctx, *args):
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


def _wrap(values):
    """values (a tuple) with its grad-requiring tensors passed through BackwardHookFunction.

    Returns (new values, node or None, positions of the wrapped tensors).
    """
    idx = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
    if not idx:
        return values, None, idx
    wrapped = BackwardHookFunction.apply(*[values[i] for i in idx])
    out = list(values)
    for i, w in zip(idx, wrapped):
        out[i] = w
    return tuple(out), wrapped[0].grad_fn, idx


class BackwardHook:
    """The hooks of one module call, between its inputs' and its outputs' identity nodes."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = 0
        self.input_idx = self.output_idx = None

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        args, node, idx = _wrap(args)
        if node is not None:
            self.input_idx = idx
            node.register_hook(self._on_grad_inputs)
        return args

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        values = (result,) if single else tuple(result)
        self.n_outputs = len(values)
        values, node, self.output_idx = _wrap(values)
        if node is not None:
            node.register_prehook(self._on_grad_outputs)
        if single:
            return values[0]
        return values if isinstance(result, tuple) else list(values)

    @staticmethod
    def _pack(idx, grads, n):
        """grads (for the tensors at positions idx) spread over n positions, None elsewhere."""
        out = [None] * n
        for i, g in zip(idx or (), grads):
            out[i] = g
        return tuple(out)

    def _on_grad_outputs(self, grad_outputs):
        self.grad_outputs = self._pack(self.output_idx, grad_outputs, self.n_outputs)
        for hook in self.pre_hooks:
            res = hook(self.module, self.grad_outputs)
            if res is None:
                continue
            if len(res) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, got "
                                   f"{len(res)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = res
        local = self.grad_outputs
        if self.input_idx is None:
            # No input requires grad: the hooks run now, with grad_input all None.
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                          "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            grad_inputs = self._pack((), (), self.n_inputs)
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_idx)

    def _on_grad_inputs(self, grad_inputs, _):
        if self.grad_outputs is None:
            return None       # the gradient reached the inputs without passing through the outputs
        res = self._pack(self.input_idx, grad_inputs, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(out)}, but "
                                   f"expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_idx)
