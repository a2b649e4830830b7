"""`Parameter` and `Buffer`: the tensors a Module registers when they are assigned to it.

A Parameter is a Tensor subclass that shares its array (and version counter) with the
tensor it wraps; ops on it return plain Tensors, since every op builds its result with
`tensor._wrap`. A Buffer is a plain Tensor marked `_is_buffer`, as in torch.
"""
from ..tensor import Tensor

_new = object.__new__


class Parameter(Tensor):
    """Same as `torch.nn.Parameter`: a leaf tensor that a Module lists in `parameters()`.

    >>> import retrograd as torch
    >>> torch.nn.Parameter(torch.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """
    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        p = _new(cls)
        p._data = data._data
        p._rg = False
        p._edge = None
        p._vc = data._vc              # torch's _make_subclass: an alias, one version counter
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        p._rg = bool(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass                          # everything happens in __new__ (Tensor.__init__ is the legacy ctor)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    # `isinstance(t, Buffer)` asks whether t was made by Buffer(...), as torch's metaclass does.
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Same as `torch.nn.Buffer`: assigning one to a Module registers a buffer.

    `Buffer(t)` returns a plain Tensor (t detached) carrying `persistent`.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
