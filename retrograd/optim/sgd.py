"""SGD, as `torch.optim.SGD` (torch's `_single_tensor_sgd`). See Note [Updates on arrays]."""
from .optimizer import Optimizer, _use_grad_for_differentiable, _value, _real, _check_lr
from ..tensor import _wrap

__all__ = ["SGD"]


class SGD(Optimizer):
    """Same as `torch.optim.SGD`: stochastic gradient descent, optionally with momentum."""
    _setstate_defaults = dict(nesterov=False, maximize=False, foreach=None, differentiable=False, fused=False)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.SGD.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _value(group["lr"])
            wd = _value(group["weight_decay"])
            momentum = _value(group["momentum"])
            dampening = _value(group["dampening"])
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p] if momentum != 0 else None
                param = _real(p._data)
                grad = _real(p._grad._data)
                if maximize:
                    grad = -grad
                if wd != 0:
                    grad = grad + wd * param
                if momentum != 0:
                    buf_t = state.get("momentum_buffer")
                    if buf_t is None:
                        buf = grad.copy()
                        # complex params are updated through real views: the buffer keeps the param's dtype
                        state["momentum_buffer"] = _wrap(buf.view(p._data.dtype) if p._data.dtype.kind == "c"
                                                         else buf)
                    else:
                        buf = _real(buf_t._data)
                        buf *= momentum
                        buf += (1 - dampening) * grad
                    grad = grad + momentum * buf if nesterov else buf
                param += -lr * grad
                p._vc[0] += 1
        return loss

