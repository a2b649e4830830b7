"""Tensor: an array, its dtype and device, and its place in the autograd graph.

A Tensor has four slots that every op touches (`_data`, `_rg`, `_edge`,
`_vc`); everything rarer (`grad`, `_base`, hooks) lives in the instance
`__dict__` with a class-level default, so creating a Tensor is four stores.

- `_data`: the NumPy (or CuPy) array. Views share it with their base.
- `_rg`: requires_grad.
- `_edge`: `(grad_fn, output_nr)` for a result of a recorded op, else None.
- `_vc`: the version counter, a one-element list shared by a tensor and its
  views; in-place ops bump it, saved tensors remember it (`t._version` reads it).

Ops (`ops/*.py`) attach their methods to this class when they register.
"""
import warnings
import weakref

import numpy as np

from . import _errors
from .autograd.grad_mode import state
from .autograd.graph import leaf_edge, NO_EDGE
from .backend import ndarray, device_of, xp_of, to_numpy
from .dtypes import from_numpy_dtype, get_default_dtype, to_dtype

_new = object.__new__


class Size(tuple):
    """Same as `torch.Size`: a tuple of ints that prints as `torch.Size([2, 3])`."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """Same as `torch.Tensor`."""
    __slots__ = ("_data", "_rg", "_edge", "_vc", "__dict__", "__weakref__")
    __array_priority__ = 1000
    # Rare state, read from the class until an instance sets its own (see module docstring).
    _grad = None
    _base = None
    _hooks = None               # {key: fn}: tensor hooks of a leaf (run by AccumulateGrad)
    _post_acc_hooks = None      # {key: fn}: register_post_accumulate_grad_hook
    _retains_grad = False
    _inference = False
    _view_of_multi = None       # name of the multi-output view op that made this view
    _view_no_grad = False       # a view made in no_grad mode (in-place on it is restricted)
    _view_custom = None         # name of the custom Function whose output this view is
    _view_fn = None             # how a view replays from its base (see Note [Views and in-place])
    __hash__ = object.__hash__

    # ------------------------------------------------------------ construction
    def __init__(self, *args, device=None):
        """The legacy constructor: `torch.Tensor([1, 2])`, `torch.Tensor(2, 3)` (uninitialized)."""
        dt = get_default_dtype().np
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            src = args[0]
            data = np.array(to_numpy(src._data) if isinstance(src, Tensor) else src, dtype=dt)
        else:
            data = np.empty(tuple(int(a) for a in (args[0] if len(args) == 1 and isinstance(args[0], tuple) else args)), dtype=dt)
        self._data = data
        self._rg = False
        self._edge = None
        self._vc = [0]

    # ------------------------------------------------------------ metadata
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    @property
    def layout(self):
        return "torch.strided"

    @property
    def itemsize(self):
        return self._data.itemsize

    def element_size(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self._data.dtype.kind in "ifc"

    def type(self, dtype=None):
        if dtype is None:
            return _errors.type_name(self._data.dtype)
        return self.to(to_dtype(dtype) if not isinstance(dtype, str) else _dtype_from_type_name(dtype))

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._base
        if base is None:
            return 0
        return (self._data.__array_interface__["data"][0] - base._data.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0] if type(self._data) is ndarray else self._data.data.ptr

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags["C_CONTIGUOUS"])

    def is_inference(self):
        return self._inference

    @property
    def output_nr(self):
        e = self._edge
        return 0 if e is None else e[1]

    # ------------------------------------------------------------ autograd state
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self._edge is not None and self._edge[0] is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        if value and self._inference and not state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        """Same as `torch.Tensor.requires_grad_`."""
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        e = self._edge
        return None if e is None else e[0]

    @property
    def is_leaf(self):
        e = self._edge
        return e is None or e[0] is None

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def grad(self):
        if not self._retains_grad and self._edge is not None and self._edge[0] is not None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
                "information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype_word(value._data.dtype)}' to "
                    f"a tensor with dtype '{_dtype_word(self._data.dtype)}'. Please ensure that the "
                    "gradient and the tensor have the same dtype")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{_errors.shape_str(value._data.shape)}' "
                    f"to a tensor of size '{_errors.shape_str(self._data.shape)}'. Please ensure that "
                    "the gradient and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        """A tensor sharing this one's array but not its history or version counter."""
        return _wrap(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def _version(self):
        return self._vc[0]

    def detach(self):
        """Same as `torch.Tensor.detach`: shares the array and the version counter."""
        t = _wrap(self._data)
        t._vc = self._vc            # not a view in autograd's sense: no _base, as torch
        return t

    def detach_(self):
        """Same as `torch.Tensor.detach_`."""
        if self._base is not None and self._edge is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution.")
        self._edge = None
        self._rg = False
        return self

    def retain_grad(self):
        """Same as `torch.Tensor.retain_grad`."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.is_leaf or self._retains_grad:
            return
        node, nr = self._edge
        hooks = node.__dict__.get("_retain_hooks")
        if hooks is None:
            node._retain_hooks = hooks = {}
        hooks[nr] = weakref.ref(self)
        node._hooked = True
        self._retains_grad = True

    def register_hook(self, hook):
        """Same as `torch.Tensor.register_hook`: `hook(grad)` may return a new gradient."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.graph import _add_hook
        if self.is_leaf:
            return _add_hook(self, "_hooks", hook)
        node, nr = self._edge
        return node._register_tensor_hook(nr, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Same as `torch.Tensor.register_post_accumulate_grad_hook`: `hook(tensor)` after `.grad` is set."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .autograd.graph import _add_hook
        return _add_hook(self, "_post_acc_hooks", hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Same as `torch.Tensor.backward`."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ------------------------------------------------------------ conversions
    def numpy(self, *, force=False):
        """Same as `torch.Tensor.numpy`: shares memory with the tensor (on cpu)."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if type(self._data) is not ndarray:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return to_numpy(self._data)
        return self._data

    def item(self):
        """Same as `torch.Tensor.item`."""
        d = self._data
        if d.size != 1:
            raise RuntimeError(f"a Tensor with {d.size} elements cannot be converted to Scalar")
        return d.reshape(()).item() if type(d) is ndarray else d.item()

    def tolist(self):
        return to_numpy(self._data).tolist()

    def __array__(self, dtype=None, copy=None):
        a = to_numpy(self._data)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        if self._data.size != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")
        return float(self._data.reshape(()))

    def __int__(self):
        if self._data.size != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")
        return int(self._data.reshape(()))

    def __complex__(self):
        return complex(self._data.reshape(()))

    def __index__(self):
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        if self.__dict__.get("_fw") is not None:        # a dual tensor shows its tangent
            from .autograd.forward_ad import tangent_of
            return tensor_repr(self, tangent=tangent_of(self))
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:           # torch formats any 0-d tensor as its number
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        t = _new(type(self))
        t._data = self._data.copy()
        t._rg = self._rg
        t._edge = None
        t._vc = [0]
        for k, v in self.__dict__.items():
            if k not in ("_accum", "_base", "_hooks", "_post_acc_hooks"):
                setattr(t, k, __import__("copy").deepcopy(v, memo))
        memo[id(self)] = t
        return t

    def __reduce_ex__(self, proto):
        return (_rebuild, (to_numpy(self._data), self._rg, type(self)))

    # NumPy interop: NumPy functions on Tensors run retrograd's ops (see Note [One formula, two paths]).
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .ops.numpy_compat import array_ufunc
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from .ops.numpy_compat import array_function
        return array_function(func, args, kwargs)


def _rebuild(arr, rg, cls=Tensor):
    t = _new(cls)
    t._data = np.array(arr)
    t._rg = rg
    t._edge = None
    t._vc = [0]
    return t


def _dtype_word(np_dtype):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bool": "bool"}.get(np_dtype.name, np_dtype.name)


def _dtype_from_type_name(name):
    for k, v in _errors._TYPE_NAMES.items():
        if name == "torch." + v:
            return to_dtype(np.dtype(k))
    raise ValueError(f"invalid type: '{name}'")


def _wrap_dim(dim, ndim):
    """A non-negative dim, with torch's IndexError for one out of range (0-d counts as 1-d)."""
    n = ndim if ndim else 1
    if not -n <= dim < n:
        raise _errors.dim_out_of_range(dim, ndim)
    return dim + n if dim < 0 else dim


def _wrap(data, rg=False, edge=None):
    """A Tensor around an array (no copy). `data` must be an array, not a NumPy scalar."""
    t = _new(Tensor)
    t._data = data
    t._rg = rg
    t._edge = edge
    t._vc = [0]
    return t


def _result_tensor(node, arr, j):
    """A saved output unpacked on the graph path: a Tensor that is output j of `node`."""
    return _wrap(arr, True, (node, j))


def _as_operand(v):
    """A saved non-Tensor operand (a Python scalar) on the graph path: itself."""
    return v


def _edge_of(t):
    """The edge a new node gets for input `t`: its grad_fn, its AccumulateGrad, or (None, 0)."""
    e = t._edge
    if e is not None:
        return e
    return leaf_edge(t) if t._rg else NO_EDGE


def _asarray(x):
    """An ndarray for a NumPy result, which may be a NumPy scalar for 0-d inputs."""
    return x if type(x) is ndarray else (np.asarray(x) if isinstance(x, np.generic) else x)
