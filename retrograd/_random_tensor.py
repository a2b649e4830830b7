"""The random Tensor methods -- uniform_, normal_, random_, bernoulli_, exponential_,
geometric_, log_normal_, cauchy_ -- and the zero-gradient nodes of random ops.

They fill in place with torch's numbers (the samplers are in _random.py, Note
[torch's CPU random streams]), check like any in-place op and bump the version. On
a tensor with history they record a node of torch's name whose gradient is zero
(torch's `self: zeros_like(grad)`), so nothing flows through the overwritten values.
"""
import math

import numpy as np

from . import _errors
from ._random import (gen, uniform, normal, random_from_to, random_full, random_default,
                      bernoulli_scalar, bernoulli_tensor, exponential, geometric, log_normal, cauchy,
                      _perm, _DIGITS, _f32, _f64)
from .autograd.graph import Node
from .autograd.grad_mode import state
from .ops.registry import export

_CNAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "signed char",
           "int16": "short int", "int32": "int", "int64": "long int", "uint8": "unsigned char",
           "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


class _ZeroGrad(Node):
    """The backward of a random op: zero gradients (self's shape first, then `_shapes`)."""
    __slots__ = ("_shapes",)

    def _run(self, grad, graph):
        from .backend import xp_of
        from .tensor import _wrap
        g = grad._data if graph else grad
        xp = xp_of(g)
        outs = [xp.zeros_like(g)] + [xp.zeros(s, d) for s, d in self._shapes]
        return tuple(_wrap(o) for o in outs) if graph else tuple(outs)


class _NotImplementedNode(Node):
    """torch's `NotImplemented` node: backward through it raises."""
    __slots__ = ("_what",)

    def _run(self, grad, graph):
        raise RuntimeError(f"derivative for {self._what} is not implemented")


_NotImplementedNode.__name__ = _NotImplementedNode.__qualname__ = "NotImplemented"


_NODES = {}


def zero_node(name, edges, shapes=()):
    """A new zero-gradient node named `name` (torch's) over input edges `edges`."""
    cls = _NODES.get(name)
    if cls is None:
        cls = _NODES[name] = type(name, (_ZeroGrad,), {"__slots__": ()})
        cls.__module__ = "torch.autograd.generated"
    node = cls()
    node.next_functions = tuple(edges)
    node._meta = None
    node._shapes = tuple(shapes)
    return node


def record_result(r, name, inputs, not_implemented=None):
    """Give the out-of-place result `r` a zero-gradient node when an input requires grad."""
    from .tensor import Tensor, _edge_of
    ts = [t for t in inputs if isinstance(t, Tensor)]
    if not (state.grad_enabled and any(t._rg for t in ts)):
        return r
    if not_implemented:
        node = _NotImplementedNode()
        node.next_functions = tuple(_edge_of(t) for t in ts)
        node._meta = None
        node._what = not_implemented
    else:
        node = zero_node(name, [_edge_of(t) for t in ts], [(t._data.shape, t._data.dtype) for t in ts[1:]])
    r._rg = True
    r._edge = (node, 0)
    return r


def _place(d, flat):
    """An array shaped like `d` holding `flat` in d's draw order (see `_perm`)."""
    out = np.empty(d.shape, d.dtype)
    p = _perm(d)
    v = out if p is None else out.transpose(p)
    with np.errstate(all="ignore"):
        v[...] = np.asarray(flat).reshape(v.shape)
    return out


def _ordered(d, a):
    """Array `a` (broadcast to d's shape) read in d's draw order, flat."""
    a = np.broadcast_to(a, d.shape)
    p = _perm(d)
    return np.ascontiguousarray(a if p is None else a.transpose(p)).reshape(-1)


def _fill_random(self, name, draw, others=()):
    """Write `draw(d)` (values in draw order for array d) into `self`, as an in-place op."""
    from .ops.dispatch import check_inplace, _write
    from .tensor import Tensor, _edge_of
    from .backend import to_numpy, xp_of
    check_inplace(self)
    d = self._data
    host = d if type(d) is np.ndarray else to_numpy(d)
    out = _place(host, draw(host))
    if host is not d:
        out = xp_of(d).asarray(out)
    ts = [x for x in others if isinstance(x, Tensor)]
    if not (state.grad_enabled and (self._rg or any(t._rg for t in ts))):
        _write(d, out)
        self._vc[0] += 1
        return self
    node = zero_node(name, [], [(t._data.shape, t._data.dtype) for t in ts])
    if self._base is not None:
        from .ops.views import inplace_on_view
        inplace_on_view(self, None, node, [d] + [t._data for t in ts], ts, (), out)
        return self
    node.next_functions = (_edge_of(self),) + tuple(_edge_of(t) for t in ts)
    _write(d, out)
    self._vc[0] += 1
    self._rg = True
    self._edge = (node, 0)
    if self.__dict__.get("_views"):
        from .ops.views import refresh_views
        refresh_views(self)
    return self


def _real(d):
    """A complex array as its real view (torch's view_as_real), other arrays as they are."""
    if d.dtype.kind == "c":
        return d[..., None].view(d.real.dtype)
    return d


def _g(v):
    """A number as C++'s ostream prints a double."""
    return "%g" % v


def _not_implemented(kernel, d):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_errors.scalar_name(d)}\'')


def _no_more(kw, name):
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")


def _need_float(d, kernel):
    if d.kind != "f":
        raise _not_implemented(kernel, d)


@export(function=False)
def uniform_(self, from_=0, to=1, *, generator=None, **kw):
    """Same as `torch.Tensor.uniform_` (`from` may be passed as `from_` or `from=`)."""
    from_, to = float(kw.pop("from", from_)), float(to)
    _no_more(kw, "uniform_")
    g = gen(generator)
    d = _real(self._data).dtype
    _need_float(d, "check_uniform_bounds")
    lo_, hi_ = float(np.finfo(d).min), float(np.finfo(d).max)
    for v, nm in ((from_, "from"), (to, "to")):
        if not lo_ <= v <= hi_:
            raise RuntimeError(f"{nm} is out of bounds for {_CNAMES[d.name]}")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_g(from_)} > to={_g(to)}")
    if to - from_ > hi_:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{_errors.scalar_name(d)}>::max(), "
                           f"but found to={_g(to)} and from={_g(from_)} which result in to-from to exceed the limit")
    return _fill_real(self, "UniformBackward0", lambda n, dt, c: uniform(g, n, dt, from_, to))


def _fill_real(self, name, sample, others=()):
    """_fill_random for samplers of floating values, `sample(n, dtype, contiguous)`: complex
    tensors are filled through their real view, as torch does."""
    def draw(a):
        r = _real(a)
        flat = sample(r.size, r.dtype, r.flags.c_contiguous)
        if r is a:
            return flat
        tmp = _place(r, flat)
        return _ordered(a, tmp[..., 0] + 1j * tmp[..., 1])
    return _fill_random(self, name, draw, others)


@export(function=False)
def normal_(self, mean=0, std=1, *, generator=None):
    """Same as `torch.Tensor.normal_`."""
    mean, std = float(mean), float(std)
    g = gen(generator)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
    d = self._data.dtype
    if d.kind == "c":
        std = std / math.sqrt(2)
    _need_float(_real(self._data).dtype, "normal_kernel_cpu")
    return _fill_real(self, "NormalBackward0", lambda n, dt, c: normal(g, n, dt, mean, std, c))


def _update_from(f, dt):
    """torch's update_from: the smallest from that survives the cast to a float dtype."""
    fp1 = _cast_int(f + 1, dt)
    if fp1 < f:
        n = abs(f + 1).bit_length() - 1
        f = fp1 + (1 << (n - _DIGITS[dt] + 1))
    return f


def _update_to(t, dt):
    tm1 = _cast_int(t - 1, dt)
    if tm1 >= t:
        n = abs(t - 1).bit_length() - 1
        t = tm1 - (1 << (n - _DIGITS[dt] + 1))
    return t


def _cast_int(v, dt):
    with np.errstate(all="ignore"):
        x = float(dt.type(v))
    return int(x) if math.isfinite(x) else (2 ** 63 - 1 if x > 0 else -2 ** 63)


def _check_range(f, to_inc, d):
    import warnings
    if d.kind == "f":
        mx = float(np.finfo(d).max)
        lo, hi = -mx, mx
    elif d == np.bool_:
        lo, hi = 0, 1
    elif d.kind in "iu":
        lo, hi = int(np.iinfo(d).min), int(np.iinfo(d).max)
    else:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    for v, nm in ((f, "from"), (to_inc, "to - 1")):
        if not lo <= v <= hi:
            raise RuntimeError(f"{nm} is out of bounds for {_CNAMES[d.name]}")
    if d.kind == "f":
        k = _DIGITS[d]
        for v, nm, line in ((f, "from", 110), (to_inc, "to - 1", 111)):
            if v < -(1 << k) or v > (1 << k):
                warnings.warn(
                    f"{nm} is out of bounds [-(2^{k}), 2^{k}]. Due to precision limitations "
                    f"{_CNAMES[d.name]} can support discrete uniform distribution only within this range. "
                    "This warning will become an error in version 1.7 release, please fix the code in "
                    "advance (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                    f"DistributionTemplates.h:{line}.)", UserWarning, stacklevel=3)


_NO_ARG = object()


@export(function=False)
def random_(self, from_=_NO_ARG, to=_NO_ARG, *, generator=None, **kw):
    """Same as `torch.Tensor.random_`: `random_()`, `random_(to)`, `random_(from, to)`
    (`to=None`: up to the dtype's largest value)."""
    from_ = kw.pop("from", from_)
    _no_more(kw, "random_")
    g = gen(generator)
    d = self._data.dtype
    for v in (from_, to):
        if v is not _NO_ARG and v is not None and (isinstance(v, float) or not hasattr(v, "__index__")):
            raise TypeError(f"random_() received an invalid combination of arguments - got "
                            f"({', '.join(type(x).__name__ for x in (from_, to) if x is not _NO_ARG)})")
    if from_ is _NO_ARG and to is _NO_ARG:
        if d.kind == "c":
            raise _not_implemented("random_kernel_cpu", d)
        return _fill_random(self, "RandomBackward2", lambda a: random_default(g, a.size, d))
    if to is _NO_ARG or from_ is _NO_ARG:          # random_(to)
        from_, to, name = 0, (from_ if to is _NO_ARG else to), "RandomBackward1"
    else:
        name = "RandomBackward0"
    from_ = int(from_)
    if to is not None:
        to = int(to)
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        if d.kind == "f":
            from_, to = _update_from(from_, d), _update_to(to, d)
            if from_ >= to:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' casted to "
                                   f"dtype, but got from={from_} >= to={to}")
        _check_range(from_, to - 1, d)
        span = (to - from_) % 2 ** 64
    elif from_ != -2 ** 63:
        if d.kind == "f":
            to_inc = min(1 << _DIGITS[d], 2 ** 63 - 1)
            from_ = _update_from(from_, d)
            if from_ >= to_inc:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal to "
                                   f"'to_inc' casted to dtype, but got from={from_} > to_inc={to_inc}")
        elif d.kind in "iub":
            to_inc = 1 if d == np.bool_ else int(np.iinfo(d).max)
        else:
            raise RuntimeError("random_from_to_impl handles only integral, floating-point and boolean types")
        _check_range(from_, to_inc, d)
        span = (to_inc - from_ + 1) % 2 ** 64
    else:
        if d not in (np.dtype(np.int64), _f32, _f64):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16")
        return _fill_random(self, name, lambda a: random_full(g, a.size, d))
    return _fill_random(self, name, lambda a: random_from_to(g, a.size, d, span, from_))


@export(function=False)
def bernoulli_(self, p=0.5, *, generator=None):
    """Same as `torch.Tensor.bernoulli_`: p a float, or a tensor broadcast to self."""
    from .tensor import Tensor
    g = gen(generator)
    d = self._data.dtype
    if not isinstance(p, Tensor):
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
        if d.kind == "c":
            raise _not_implemented("bernoulli_scalar_cpu_", d)
        return _fill_random(self, "BernoulliBackward2", lambda a: bernoulli_scalar(g, a.size, float(p)))
    pd = p._data if type(p._data) is np.ndarray else np.asarray(p.cpu()._data)
    if pd.dtype.kind != "f":
        raise _not_implemented("bernoulli_tensor_cpu_p_", pd.dtype)
    _check_expand(pd.shape, self._data.shape, pd.dtype)
    if ((pd < 0) | (pd > 1) | np.isnan(pd)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                           "message be improved?  If so, please report an enhancement request to PyTorch.)")
    return _fill_random(self, "BernoulliBackward1", lambda a: bernoulli_tensor(g, _ordered(a, pd)), (p,))


def _check_expand(shape, target, dt):
    """torch's expand errors for expanding `shape` to `target`."""
    if len(shape) > len(target):
        raise RuntimeError(f"expand({_errors.type_name(dt)}{{{_errors.shape_str(shape)}}}, "
                           f"size={_errors.shape_str(target)}): the number of sizes provided ({len(target)}) "
                           f"must be greater or equal to the number of dimensions in the tensor ({len(shape)})")
    for i in range(1, len(shape) + 1):
        if shape[-i] != 1 and shape[-i] != target[-i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                               f"({shape[-i]}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                               f"{_errors.shape_str(target)}.  Tensor sizes: {_errors.shape_str(shape)}")


@export(function=False)
def exponential_(self, lambd=1, *, generator=None):
    """Same as `torch.Tensor.exponential_`."""
    lambd = float(lambd)
    g = gen(generator)
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    d = self._data.dtype
    if d.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_errors.scalar_name(d)}")
    return _fill_random(self, "ExponentialBackward0", lambda a: exponential(g, a.size, float(lambd)))


@export(function=False)
def geometric_(self, p, *, generator=None):
    """Same as `torch.Tensor.geometric_`."""
    p = float(p)
    g = gen(generator)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    d = self._data.dtype
    if d.kind not in "fiu":
        raise _not_implemented("geometric_cpu", d)
    return _fill_random(self, "GeometricBackward0", lambda a: geometric(g, a.size, float(p)))


@export(function=False)
def log_normal_(self, mean=1, std=2, *, generator=None):
    """Same as `torch.Tensor.log_normal_`."""
    mean, std = float(mean), float(std)
    g = gen(generator)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    _need_float(self._data.dtype, "log_normal_cpu")
    return _fill_random(self, "LogNormalBackward0", lambda a: log_normal(g, a.size, float(mean), float(std)))


@export(function=False)
def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Same as `torch.Tensor.cauchy_`."""
    median, sigma = float(median), float(sigma)
    g = gen(generator)
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    d = self._data.dtype
    if d.kind != "f":
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_CNAMES[d.name]}")
    return _fill_random(self, "CauchyBackward0", lambda a: cauchy(g, a.size, float(median), float(sigma)))
