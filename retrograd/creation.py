"""Creating tensors: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange,
linspace, eye, the random ones, the `*_like` forms, and manual_seed.

Random numbers are torch's CPU streams bit for bit: `manual_seed(s)` then
`rand`/`randn`/`randint`/`randperm`/... give torch's numbers (see _random.py).
"""
import math
import warnings

import numpy as np

from .autograd.grad_mode import state
from .backend import as_device, xp_for, to_device, ndarray
from .dtypes import (get_default_dtype, to_dtype, from_numpy_dtype, default_complex, int64, bool_,
                     float64)
from .tensor import Tensor, _wrap
from .ops.registry import export
from . import _random, _random_tensor as _rtm, _errors

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "arange", "linspace", "logspace", "eye", "rand", "randn", "randint", "randperm",
           "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
           "randint_like", "manual_seed", "seed", "initial_seed", "Generator", "normal",
           "bernoulli", "multinomial", "poisson", "get_rng_state", "set_rng_state", "scalar_tensor"]


def _finish(data, dtype, device, requires_grad):
    """Move to the device, wrap, and set requires_grad with torch's checks."""
    dev = as_device(device)
    if dev.type != "cpu":
        data = to_device(data, dev)
    t = _wrap(data)
    if requires_grad:
        if data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = True
    if state.inference:
        t._inference = True
    return t


def _infer(data, dtype=None):
    """A NumPy array for Python data, with torch's dtype inference (floats -> default dtype);
    with `dtype` given, Python numbers convert to it directly (no rounding through float32)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        data = _unwrap_nested(data)
    arr = np.array(data)
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if dtype is not None and arr.dtype.kind in "biufc":
        return arr.astype(to_dtype(dtype).np, copy=False)
    if not isinstance(data, (ndarray, np.generic)):
        if arr.dtype.kind == "f":
            arr = arr.astype(get_default_dtype().np)
        elif arr.dtype.kind == "c":
            arr = arr.astype(default_complex().np)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
    if arr.dtype.kind == "U" or arr.dtype.kind == "S":
        raise TypeError("new(): invalid data type 'str'")
    return arr


def _unwrap_nested(data):
    out = []
    for x in data:
        if isinstance(x, Tensor):
            if x._data.size != 1 and x._data.ndim == 0:
                raise ValueError("only one element tensors can be converted to Python scalars")
            out.append(np.asarray(x._data) if x._data.ndim else x._data.item())
        elif isinstance(x, (list, tuple)):
            out.append(_unwrap_nested(x))
        else:
            out.append(x)
    return out


@export(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Same as `torch.tensor`: always copies `data`."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
            "or sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2)
    arr = _infer(data, dtype)
    arr = np.array(arr, dtype=to_dtype(dtype).np if dtype is not None else None, copy=True)
    from_numpy_dtype(arr.dtype)
    return _finish(arr, dtype, device, requires_grad)


@export(method=False)
def as_tensor(data, dtype=None, device=None):
    """Same as `torch.as_tensor`: shares memory with a Tensor or ndarray when dtype and device match."""
    if isinstance(data, Tensor):
        if (dtype is None or to_dtype(dtype).np == data._data.dtype) and (device is None or as_device(device) == data.device):
            return data
        return data.to(dtype=dtype, device=device)
    if isinstance(data, ndarray):
        arr = data if dtype is None else data.astype(to_dtype(dtype).np, copy=False)
        from_numpy_dtype(arr.dtype)
        return _finish(arr, dtype, device, False)
    arr = _infer(data, dtype)
    return _finish(arr, dtype, device, False)


@export(method=False)
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Same as `torch.asarray`."""
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = _wrap(t._data.copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


@export(method=False)
def from_numpy(ndarray_):
    """Same as `torch.from_numpy`: the tensor shares the array's memory."""
    if not isinstance(ndarray_, ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray_).__name__})")
    from_numpy_dtype(ndarray_.dtype)
    return _wrap(ndarray_)


def _size(size):
    """Sizes as torch takes them: zeros(2, 3), zeros((2, 3)), zeros([2, 3]), zeros(torch.Size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"zeros(): argument 'size' (position 1) must be tuple of ints, but found "
                            f"element of type {type(s).__name__} at pos 0")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _dt(dtype):
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def _filled(fill, size, dtype, device, requires_grad):
    dt = _dt(dtype)
    xp = xp_for(as_device(device))
    data = xp.full(size, fill, dtype=dt.np) if fill is not None else xp.empty(size, dtype=dt.np)
    t = _wrap(data)
    if requires_grad:
        if dt._cat < 2:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = True
    return t


@export(method=False)
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Same as `torch.zeros`."""
    return _filled(0, _size(size), dtype, device, requires_grad)


@export(method=False)
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Same as `torch.ones`."""
    return _filled(1, _size(size), dtype, device, requires_grad)


@export(method=False)
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """Same as `torch.empty` (NumPy's uninitialised memory)."""
    return _filled(None, _size(size), dtype, device, requires_grad)


@export(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Same as `torch.full`: the dtype follows fill_value when not given (bool, int64, default float)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = (bool_ if isinstance(fill_value, bool) else int64 if isinstance(fill_value, int)
                 else default_complex() if isinstance(fill_value, complex) else get_default_dtype())
    return _filled(fill_value, _size((size,)) if not isinstance(size, int) else (size,), dtype, device,
                   requires_grad)


@export(method=False)
def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """Same as `torch.scalar_tensor`."""
    return _filled(s, (), dtype, device, requires_grad)


def _like(t, dtype, device):
    return (t.dtype if dtype is None else dtype), (t.device if device is None else device)


@export(method=False)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Same as `torch.zeros_like`."""
    dt, dev = _like(input, dtype, device)
    return _filled(0, input._data.shape, dt, dev, requires_grad)


@export(method=False)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Same as `torch.ones_like`."""
    dt, dev = _like(input, dtype, device)
    return _filled(1, input._data.shape, dt, dev, requires_grad)


@export(method=False)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Same as `torch.empty_like`."""
    dt, dev = _like(input, dtype, device)
    return _filled(None, input._data.shape, dt, dev, requires_grad)


@export(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Same as `torch.full_like`."""
    dt, dev = _like(input, dtype, device)
    return _filled(fill_value, input._data.shape, dt, dev, requires_grad)


@export(method=False)
def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Same as `torch.arange`: int64 for integer arguments, else the default float dtype."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = int64 if all(isinstance(v, (int, np.integer)) for v in vals) else get_default_dtype()
    dt = to_dtype(dtype)
    n = int(math.ceil((end - start) / step))
    # torch computes start + i * step in double (int64 for integers), then casts
    data = (start + np.arange(n, dtype=np.float64 if dt._cat >= 2 else np.int64) * step).astype(dt.np)
    return _finish(data, dtype, device, requires_grad)


@export(method=False)
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Same as `torch.linspace`, computed from both ends as torch does."""
    start, end = [v.item() if isinstance(v, Tensor) else v for v in (start, end)]
    dt = _dt(dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 1:
        data = np.array([start], dtype=dt.np)
    else:
        work = np.float64 if dt is float64 or dt._cat < 2 else dt.np.type
        s, e = work(start), work(end)
        step = (e - s) / work(steps - 1)
        i = np.arange(steps, dtype=work)
        half = steps // 2
        data = np.where(i < half, s + step * i, e - step * (steps - 1 - i)).astype(dt.np)
    return _finish(data, dt, device, requires_grad)


@export(method=False)
def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """Same as `torch.logspace`."""
    dt = _dt(dtype)
    data = np.power(base, np.linspace(start, end, steps)).astype(dt.np)
    return _finish(data, dt, device, requires_grad)


@export(method=False)
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Same as `torch.eye`."""
    dt = _dt(dtype)
    return _finish(np.eye(n, m, dtype=dt.np), dt, device, requires_grad)


# ---------------------------------------------------------------- random
# torch's CPU streams, bit for bit: see Note [torch's CPU random streams] in _random.py.

Generator = _random.Generator
default_generator = _random.default_generator


@export(method=False)
def manual_seed(seed):
    """Same as `torch.manual_seed`: returns the default generator."""
    return default_generator.manual_seed(int(seed))


@export(method=False)
def seed():
    """Same as `torch.seed`: a non-deterministic seed, set and returned."""
    return default_generator.seed()


@export(method=False)
def initial_seed():
    """Same as `torch.initial_seed`."""
    return default_generator.initial_seed()


@export(method=False)
def get_rng_state():
    """Same as `torch.get_rng_state`: a uint8 tensor in torch's layout (5056 bytes)."""
    return default_generator.get_state()


@export(method=False)
def set_rng_state(new_state):
    """Same as `torch.set_rng_state`."""
    default_generator.set_state(new_state)


def _fresh(size, dtype):
    return _wrap(np.empty(size, _dt(dtype).np))


def _done(t, device, requires_grad):
    return _finish(t._data, None, device, requires_grad)


@export(method=False)
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Same as `torch.rand`: uniform on [0, 1), torch's numbers."""
    return _done(_rtm.uniform_(_fresh(_size(size), dtype), 0, 1, generator=generator), device, requires_grad)


@export(method=False)
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Same as `torch.randn`: standard normal, torch's numbers."""
    return _done(_rtm.normal_(_fresh(_size(size), dtype), 0, 1, generator=generator), device, requires_grad)


@export(method=False)
def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """Same as `torch.randint`: `randint(high, size)` or `randint(low, high, size)`; int64 by default."""
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if not isinstance(size, (tuple, list)) and not hasattr(size, "__len__"):
        raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    t = _wrap(np.empty(_size((size,)), (to_dtype(dtype) if dtype is not None else int64).np))
    return _done(_rtm.random_(t, low, high, generator=generator), device, requires_grad)


_INT_C = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "uint8": "uint8_t"}


@export(method=False)
def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """Same as `torch.randperm`: torch's CPU shuffle."""
    dt = to_dtype(dtype) if dtype is not None else int64
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if dt is bool_ or dt._cat > 2:
        raise NotImplementedError(f'"randperm" not implemented for \'{_errors.scalar_name(dt.np)}\'')
    if dt._cat == 2:
        cap = (1 << _random._DIGITS[dt.np]) + 1
        if n > cap:
            raise RuntimeError(f"n cannot be greater than {cap} for {_errors.scalar_name(dt.np)} type.")
    elif dt is not int64 and n - 1 > np.iinfo(dt.np).max:
        raise RuntimeError(f"value cannot be converted to type {_INT_C[dt.np.name]} without overflow")
    data = _random.randperm(_random.gen(generator), int(n)).astype(dt.np)
    return _finish(data, dt, device, requires_grad)


def _like_empty(input, dtype, device):
    dt, _ = _like(input, dtype, device)
    return _wrap(np.empty_like(input._data, dtype=to_dtype(dt).np))    # keeps the layout, as torch


@export(method=False)
def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Same as `torch.rand_like`."""
    t = _rtm.uniform_(_like_empty(input, dtype, device), 0, 1, generator=generator)
    return _done(t, _like(input, dtype, device)[1], requires_grad)


@export(method=False)
def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Same as `torch.randn_like`."""
    t = _rtm.normal_(_like_empty(input, dtype, device), 0, 1, generator=generator)
    return _done(t, _like(input, dtype, device)[1], requires_grad)


@export(method=False)
def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """Same as `torch.randint_like`: `randint_like(x, high)` or `randint_like(x, low, high)`."""
    if high is None:
        low, high = 0, low
    t = _rtm.random_(_like_empty(input, dtype, device), low, high, generator=generator)
    return _done(t, _like(input, dtype, device)[1], requires_grad)


@export(method=False)
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Same as `torch.normal`: float mean and std with a size, or Tensor mean and/or std
    (sampled as torch does: normal_(0, 1), then * std + mean; the gradient is zero)."""
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (tm or ts):
        if size is None:
            raise TypeError(f"normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected one of:\n"
                            " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
                            " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
                            " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
                            " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
                            "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
                            "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")
        t = _rtm.normal_(_fresh(_size((size,)), dtype), mean, std, generator=generator)
        return _done(t, device, requires_grad)
    if ts and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not ts and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_rtm._g(std)}")
    if tm and ts:
        try:
            shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
        except ValueError:
            raise _errors.broadcast_mismatch(mean._data.shape, std._data.shape) from None
        base, name = mean, "NormalBackward3"
    else:
        base = mean if tm else std
        shape, name = base._data.shape, "NormalBackward1" if tm else "NormalBackward2"
    t = _wrap(np.empty(shape, base._data.dtype))
    _rtm.normal_(t, 0, 1 if ts else std, generator=generator)
    d = t._data
    with np.errstate(all="ignore"):
        if ts:
            np.multiply(d, std._data, out=d, casting="unsafe")
        np.add(d, mean._data if tm else mean, out=d, casting="unsafe")
    return _rtm.record_result(t, name, [x for x in (mean, std) if isinstance(x, Tensor)])


@export
def bernoulli(input, p=None, *, generator=None, out=None):
    """Same as `torch.bernoulli`: 1 with probability `input` (or the float `p`), else 0."""
    t = _wrap(np.empty(input._data.shape, input._data.dtype))     # contiguous, as torch's
    if p is None:
        _rtm.bernoulli_(t, input, generator=generator)
        return _rtm.record_result(t, "BernoulliBackward0", [input])
    _rtm.bernoulli_(t, p, generator=generator)
    return _rtm.record_result(t, None, [input], not_implemented="aten::bernoulli")


@export
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Same as `torch.multinomial`: indices drawn from the rows of `input` (weights), as torch
    draws them (exponential races without replacement, inverse CDF with)."""
    d = input._data
    if d.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if d.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_errors.scalar_name(d.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > d.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if d.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    g = _random.gen(generator)
    rows = d.reshape(-1, d.shape[-1])
    if replacement and num_samples > 1:
        res = _random.multinomial_with_replacement(g, rows, num_samples)
    else:
        if not (np.all(d < np.inf) and np.all(d >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = _rtm.exponential_(_wrap(np.empty_like(d)), 1, generator=g)._data
        with np.errstate(all="ignore"):
            q = (d / q).reshape(rows.shape)
        if num_samples == 1:
            res = q.argmax(axis=1)[:, None]
        else:
            res = np.argsort(-q, axis=1, kind="stable")[:, :num_samples]
    return _wrap(res.reshape(d.shape[:-1] + (num_samples,)).astype(np.int64))


@export(method=False)
def poisson(input, generator=None):
    """Same as `torch.poisson` (torch's CPU sampler; the gradient is zero)."""
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f'"poisson_cpu" not implemented for \'{_errors.scalar_name(d.dtype)}\'')
    r = _wrap(_random.poisson(_random.gen(generator), d).astype(d.dtype))
    return _rtm.record_result(r, "PoissonBackward0", [input])
