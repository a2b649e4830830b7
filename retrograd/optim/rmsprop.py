"""RMSprop and Adagrad, as torch's single-tensor kernels. See Note [Updates on arrays]."""
from .optimizer import (Optimizer, _use_grad_for_differentiable, _value, _real, _lerp_, _step_tensor,
                        _zeros_like, _check_lr, _check_nonneg)
from .adam import _grad_of, _step, _decay_sq_
from ..backend import xp_of
from ..tensor import _wrap

__all__ = ["RMSprop", "Adagrad"]


class RMSprop(Optimizer):
    """Same as `torch.optim.RMSprop`."""
    _setstate_defaults = dict(momentum=0, centered=False, foreach=None, maximize=False, differentiable=False,
                              capturable=False)
    _scalar_state = ("step",)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_nonneg("momentum", momentum)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("alpha", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.RMSprop.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = _value(group["lr"]), _value(group["alpha"]), _value(group["eps"])
            wd, momentum, centered = _value(group["weight_decay"]), _value(group["momentum"]), group["centered"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                param, grad = _real(p._data), _grad_of(p, group["maximize"])
                xp = xp_of(param)
                _step(state)
                if wd != 0:
                    grad = grad + wd * param
                square_avg = _real(state["square_avg"]._data)
                _decay_sq_(square_avg, grad, alpha)
                if centered:
                    grad_avg = _real(state["grad_avg"]._data)
                    _lerp_(grad_avg, grad, 1 - alpha)
                    avg = xp.sqrt(square_avg + -1.0 * grad_avg * grad_avg)
                else:
                    avg = xp.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    buf *= momentum
                    buf += grad / avg
                    param += -lr * buf
                else:
                    param += -lr * grad / avg
                p._vc[0] += 1
        return loss


class Adagrad(Optimizer):
    """Same as `torch.optim.Adagrad` (dense gradients only)."""
    _setstate_defaults = dict(foreach=None, maximize=False, differentiable=False, fused=None)
    _scalar_state = ("step",)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonneg("lr_decay", lr_decay)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("initial_accumulator_value", initial_accumulator_value)
        _check_nonneg("epsilon", eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # Adagrad creates its state up front, for every parameter (torch does too).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p, initial_accumulator_value)

    @staticmethod
    def _init_state(state, p, init_value):
        state["step"] = _step_tensor()
        if p._data.dtype.kind == "c":
            init_value = complex(init_value, init_value)
        xp = xp_of(p._data)
        state["sum"] = _wrap(xp.full_like(p._data, init_value))

    def share_memory(self):
        """Same as `torch.optim.Adagrad.share_memory` (a no-op: there are no worker processes)."""

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.Adagrad.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay = _value(group["lr"]), _value(group["lr_decay"])
            wd, eps = _value(group["weight_decay"]), _value(group["eps"])
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    self._init_state(state, p, self.defaults["initial_accumulator_value"])
                param, grad = _real(p._data), _grad_of(p, group["maximize"])
                xp = xp_of(param)
                step = _step(state)
                if wd != 0:
                    grad = grad + wd * param
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = _real(state["sum"]._data)
                state_sum += grad * grad
                std = xp.sqrt(state_sum)
                std += eps
                param += -clr * grad / std
                p._vc[0] += 1
        return loss

