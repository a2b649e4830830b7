"""The Adam family, as torch's single-tensor kernels: Adam, AdamW, Adamax, NAdam, RAdam.

See Note [Updates on arrays]. The operations follow torch's order: e.g. the second
moment is `mul_(beta2).addcmul_(grad, grad, value=1 - beta2)`, and `scalar / tensor`
is torch's `tensor.reciprocal() * scalar`.
"""
from .optimizer import (Optimizer, _use_grad_for_differentiable, _value, _real, _lerp_, _step_tensor,
                        _zeros_like, _check_lr, _check_betas, _check_nonneg)
from ..backend import xp_of
from ..tensor import Tensor

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def _hyper(group):
    beta1, beta2 = (_value(b) for b in group["betas"])
    return _value(group["lr"]), beta1, beta2, _value(group["eps"]), _value(group["weight_decay"])


def _grad_of(p, maximize):
    g = _real(p._grad._data)
    return -g if maximize else g


def _step(state):
    """state['step'] += 1 (a float tensor, as torch), and its new value as a Python float."""
    s = state["step"]._data
    s += 1
    return float(s)


def _decay_sq_(avg_sq, grad, beta):
    """avg_sq.mul_(beta).addcmul_(grad, grad, value=1 - beta)"""
    avg_sq *= beta
    avg_sq += (1 - beta) * grad * grad


def _init_moments(state, p, *names):
    state["step"] = _step_tensor()
    for n in names:
        state[n] = _zeros_like(p)


class Adam(Optimizer):
    """Same as `torch.optim.Adam`."""
    _setstate_defaults = dict(amsgrad=False, maximize=False, foreach=None, capturable=False, differentiable=False,
                              decoupled_weight_decay=False, fused=None)
    _scalar_state = ("step",)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor) and b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.Adam.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, beta1, beta2, eps, wd = _hyper(group)
            amsgrad, decoupled = group["amsgrad"], group["decoupled_weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    _init_moments(state, p, *(("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad
                                              else ("exp_avg", "exp_avg_sq")))
                param, grad = _real(p._data), _grad_of(p, group["maximize"])
                xp = xp_of(param)
                step = _step(state)
                if wd != 0:
                    if decoupled:
                        param *= 1 - lr * wd
                    else:
                        grad = grad + wd * param
                exp_avg, exp_avg_sq = _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)
                _lerp_(exp_avg, grad, 1 - beta1)
                _decay_sq_(exp_avg_sq, grad, beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if amsgrad:
                    max_sq = _real(state["max_exp_avg_sq"]._data)
                    xp.maximum(max_sq, exp_avg_sq, out=max_sq)
                    denom = xp.sqrt(max_sq) / bias_correction2_sqrt
                else:
                    denom = xp.sqrt(exp_avg_sq) / bias_correction2_sqrt
                denom += eps
                param += -step_size * exp_avg / denom
                p._vc[0] += 1
        return loss


class AdamW(Adam):
    """Same as `torch.optim.AdamW`: Adam with decoupled weight decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


class Adamax(Optimizer):
    """Same as `torch.optim.Adamax`."""
    _setstate_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _scalar_state = ("step",)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.Adamax.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, beta1, beta2, eps, wd = _hyper(group)
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    _init_moments(state, p, "exp_avg", "exp_inf")
                param, grad = _real(p._data), _grad_of(p, group["maximize"])
                xp = xp_of(param)
                step = _step(state)
                if wd != 0:
                    grad = grad + wd * param
                exp_avg, exp_inf = _real(state["exp_avg"]._data), _real(state["exp_inf"]._data)
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                norm = xp.abs(grad)
                norm += eps
                xp.maximum(exp_inf, norm, out=exp_inf)
                clr = lr / (1 - beta1 ** step)
                param += -clr * exp_avg / exp_inf
                p._vc[0] += 1
        return loss


class NAdam(Optimizer):
    """Same as `torch.optim.NAdam`."""
    _setstate_defaults = dict(maximize=False, foreach=None, capturable=False, differentiable=False,
                              decoupled_weight_decay=False)
    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("momentum_decay", momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.NAdam.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, beta1, beta2, eps, wd = _hyper(group)
            momentum_decay = _value(group["momentum_decay"])
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor(1.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                param, grad = _real(p._data), _grad_of(p, group["maximize"])
                xp = xp_of(param)
                step = _step(state)
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        param *= 1 - lr * wd
                    else:
                        grad = grad + wd * param
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product_arr = state["mu_product"]._data
                mu_product_arr *= mu                   # in the state's float dtype, as torch
                mu_product = float(mu_product_arr)
                exp_avg, exp_avg_sq = _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)
                _lerp_(exp_avg, grad, 1 - beta1)
                _decay_sq_(exp_avg_sq, grad, beta2)
                denom = xp.sqrt(exp_avg_sq / bias_correction2)
                mu_product_next = mu_product * mu_next
                denom += eps
                param += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
                param += ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom
                p._vc[0] += 1
        return loss


class RAdam(Optimizer):
    """Same as `torch.optim.RAdam`."""
    _setstate_defaults = dict(foreach=None, maximize=False, differentiable=False, decoupled_weight_decay=False,
                              capturable=False)
    _scalar_state = ("step",)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Same as `torch.optim.RAdam.step`."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, beta1, beta2, eps, wd = _hyper(group)
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    _init_moments(state, p, "exp_avg", "exp_avg_sq")
                param, grad = _real(p._data), _grad_of(p, group["maximize"])
                xp = xp_of(param)
                step = _step(state)
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        param *= 1 - lr * wd
                    else:
                        grad = grad + wd * param
                exp_avg, exp_avg_sq = _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)
                _lerp_(exp_avg, grad, 1 - beta1)
                _decay_sq_(exp_avg_sq, grad, beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    exp_avg_sq_sqrt = xp.sqrt(exp_avg_sq)
                    exp_avg_sq_sqrt += eps
                    adaptive_lr = xp.reciprocal(exp_avg_sq_sqrt) * (bias_correction2 ** 0.5)
                    param -= bias_corrected_exp_avg * lr * adaptive_lr * rect
                else:
                    param -= bias_corrected_exp_avg * lr
                p._vc[0] += 1
        return loss

