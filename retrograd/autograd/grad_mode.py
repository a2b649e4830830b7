"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local).

`state.grad_enabled` is read by every op, so it is a plain attribute of a
`threading.local` subclass: each thread starts with grad enabled, as in torch.
"""
import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled",
           "set_multithreading_enabled", "enforce_grad_layout_policy"]


class _State(threading.local):
    grad_enabled = True
    inference = False


state = _State()


def is_grad_enabled():
    """Same as `torch.is_grad_enabled`."""
    return state.grad_enabled


def is_inference_mode_enabled():
    """Same as `torch.is_inference_mode_enabled`."""
    return state.inference


class _DecoratorContextManager:
    """A context manager that also decorates functions and generators (as torch's)."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError("Torch grad modes cannot decorate classes")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as e:
                            with self.clone():
                                response = gen.throw(e)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as e:
                    return e.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Allows `@no_grad` as well as `@no_grad()`."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Same as `torch.no_grad`."""

    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = state.grad_enabled
        state.grad_enabled = False

    def __exit__(self, *exc):
        state.grad_enabled = self.prev


class enable_grad(_NoParamDecoratorContextManager):
    """Same as `torch.enable_grad`."""

    def __enter__(self):
        self.prev = state.grad_enabled
        state.grad_enabled = True

    def __exit__(self, *exc):
        state.grad_enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Same as `torch.set_grad_enabled`: sets the mode at once, restores it on `__exit__`."""

    def __init__(self, mode):
        self.prev = state.grad_enabled
        self.mode = bool(mode)
        state.grad_enabled = self.mode

    def __call__(self, func):
        state.grad_enabled = self.prev
        return super().__call__(func)

    def __enter__(self):
        state.grad_enabled = self.mode

    def __exit__(self, *exc):
        state.grad_enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Same as `torch.inference_mode`: no_grad, and results are marked as inference tensors."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self.prev = (state.grad_enabled, state.inference)
        if self.mode:
            state.grad_enabled, state.inference = False, True
        else:
            state.inference = False

    def __exit__(self, *exc):
        state.grad_enabled, state.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)


_multithreading = [True]


def set_multithreading_enabled(mode):
    """Accepted for compatibility: retrograd's engine is single-threaded."""
    _multithreading[0] = bool(mode)


def is_multithreading_enabled():
    return _multithreading[0]


class enforce_grad_layout_policy(_DecoratorContextManager):
    """Accepted for compatibility: NumPy gradients have no layout policy to enforce."""

    def __init__(self, enable=True):
        self.enable = enable

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        pass
