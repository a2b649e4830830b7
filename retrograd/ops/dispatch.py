"""Running a registered op forward: promotion, the array forward, recording a node.

`make_function(op)` returns the callable behind `torch.<name>` and the Tensor
method: `fn(operand..., param...)`. Unary and binary ops get specialised
closures, the rest a general one; all three do the same steps:

1. promote dtypes as torch does (`op.promote`),
2. run the forward on arrays,
3. wrap the result(s) in Tensors (views share their base's version counter),
4. if grad mode is on and an operand requires grad: make the node, point its
   `next_functions` at the operands' edges, and save what the formulas need.
   Broadcasting and promotion are remembered per operand in `node._meta` so
   the engine can undo them at the edge.

Nothing beyond step 3 happens when grad is off or no operand requires grad.
"""
import numpy as np

from .. import _errors
from ..autograd.grad_mode import state
from ..autograd import forward_ad
from ..backend import ndarray, xp_of
from ..dtypes import result_type, get_default_dtype, can_cast, from_numpy_dtype
from ..tensor import Tensor, _wrap, _edge_of, _new
from .views import register_view, inplace_on_view, refresh_views
from .registry import build
from .complex_grad import _CX, node_class, involves_complex   # See Note [Complex autograd]

_PY_NUMBERS = (int, float, bool, complex)
_FW = forward_ad.active       # [True] while a forward-AD dual level is open


def _operand(x):
    """A binary op's non-Tensor operand: Python numbers as they are, NumPy scalars as
    Python numbers (torch treats both as 'wrapped numbers'), anything else as a tensor."""
    if isinstance(x, _PY_NUMBERS):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple, ndarray)):
        from ..creation import tensor
        return tensor(x) if not isinstance(x, ndarray) else _wrap(x)
    raise TypeError(f"unsupported operand type(s): {type(x).__name__}")


def _promote(op, operands):
    """The dtype the op computes in and returns, per `op.promote`:
    None: no promotion; "promote": torch.result_type; "float": result_type, then integral
    and bool go to the default float dtype; "compare": like promote, result is bool."""
    rt = result_type(*operands)
    if op.promote == "float" and rt._cat < 2:
        rt = get_default_dtype()
    return rt


def _cast(a, np_dtype):
    return a if a.dtype == np_dtype else a.astype(np_dtype)


def make_function(op):
    k = len(op.operands)
    if op.variadic:
        return _make_general(op)
    if op.nout == 1 and k == 1:
        return _make_unary(op)
    if op.nout == 1 and k == 2 and op.promote is not None:
        return _make_binary(op)
    return _make_general(op)


def _make_unary(op):
    fwd, cls, view = op.forward, op.node_cls, op.view
    cx_same = op.complex == "same"      # complex uses need no other node class, nor a check
    def save(*args):            # the op's node code is built on its first recorded use
        nonlocal save
        save = _save_k(op, 1)
        return save(*args)
    to_float = op.promote == "float"
    nparams, defaults = len(op.params), op.defaults

    def apply(x, *params):
        if len(params) != nparams:
            params = params + defaults[len(params):]
        d = x._data
        if to_float and d.dtype.kind in "biu":
            d = d.astype(get_default_dtype().np)
        out = fwd(np if type(d) is ndarray else xp_of(d), d, *params)
        if type(out) is not ndarray:
            out = _asarray(out)
        r = _new(Tensor)
        r._data = out
        r._edge = None
        if view:
            register_view(r, x, op, params)
        else:
            r._vc = [0]
        if x._rg and state.grad_enabled and cls is not None and out.dtype.kind in "fc":   # integers get no grad
            # a complex input (real -> complex ops, to() and view_as_complex, are "same")
            node = _new(cls if cx_same or d.dtype not in _CX else node_class(op))
            node.next_functions = (x._edge or _edge_of(x),)
            # an op that changes dtype (to, float, abs of complex) casts its gradient back
            node._meta = None if out.dtype is x._data.dtype else ((x._data.shape, x._data.dtype),)
            save(node, d, x, out, r, params)
            r._rg = True
            r._edge = (node, 0)
        else:
            r._rg = False
            if state.inference:
                r._inference = True
        if _FW[0]:
            forward_ad.propagate(op, (x,), params, r)
        return r
    return apply


def _make_binary(op):
    fwd, cls, bcast = op.forward, op.node_cls, op.broadcast
    cx_same = op.complex == "same"      # See Note [Complex autograd]
    def save(*args):            # the op's node code is built on its first recorded use
        nonlocal save
        save = _save_k(op, 2)
        return save(*args)
    promote, to_float = op.promote, op.promote == "float"
    nparams, defaults = len(op.params), op.defaults

    def apply(a, b, *params):
        if len(params) != nparams:
            params = params + defaults[len(params):]
        ta = isinstance(a, Tensor)
        if not ta and type(a) is not float:
            a = _operand(a)
            ta = isinstance(a, Tensor)
        tb = isinstance(b, Tensor)
        if not tb and type(b) is not float:
            b = _operand(b)
            tb = isinstance(b, Tensor)
        ad = a._data if ta else a
        bd = b._data if tb else b
        # dtype: the common cases first, torch's full rule otherwise
        if ta and tb and ad.dtype is bd.dtype and not to_float:
            pass
        elif ta and not tb and ((type(b) is float and ad.dtype.kind == "f")
                                or (type(b) is int and ad.dtype.kind in "fi")) and not to_float:
            pass
        elif tb and not ta and ((type(a) is float and bd.dtype.kind == "f")
                                or (type(a) is int and bd.dtype.kind in "fi")) and not to_float:
            pass
        else:
            rt = _promote(op, (a, b)).np
            if promote != "compare":
                # Python scalars stay as they are: NumPy treats them as weak, as torch does.
                if ta:
                    ad = _cast(ad, rt)
                if tb:
                    bd = _cast(bd, rt)
        xp = np if type(ad) is ndarray or type(bd) is ndarray else xp_of(ad if ta else bd)
        try:
            out = fwd(xp, ad, bd, *params)
        except ValueError:
            raise _errors.broadcast_mismatch(np.shape(ad), np.shape(bd)) from None
        if type(out) is not ndarray:
            out = _asarray(out)
        r = _new(Tensor)
        r._data = out
        r._edge = None
        r._vc = [0]
        if cls is not None and state.grad_enabled and ((ta and a._rg) or (tb and b._rg)):
            node = _new(cls if cx_same or out.dtype not in _CX else node_class(op))   # complex in: complex out
            node.next_functions = ((a._edge or _edge_of(a)) if ta else _NO, (b._edge or _edge_of(b)) if tb else _NO)
            meta = None
            # equal shapes and no cast: every gradient already fits its operand
            if ((bcast and ta and tb and ad.shape != bd.shape) or ad is not (a._data if ta else a)
                    or bd is not (b._data if tb else b)):
                meta = _edge_meta(((a, ta), (b, tb)), out)
            node._meta = meta
            save(node, ad, bd, a if ta else None, b if tb else None, out, r, params)
            r._rg = True
            r._edge = (node, 0)
        else:
            r._rg = False
            if state.inference:
                r._inference = True
        if _FW[0]:
            forward_ad.propagate(op, (a, b), params, r)
        return r
    return apply


def _save_k(op, k=None):
    """The op's `_save` (built now if it was not yet), taking its k operands as arguments when k
    is given (see registry._positional_save); the tuple form `_save(node, A, T, R, RT, P)` else."""
    if not op.built:
        build(op)
    if k is None:
        return op.save
    if op.save_k is not None:
        return op.save_k
    save = op.save
    if k == 1:
        return lambda node, A0, T0, R0, RT0, P: save(node, (A0,), (T0,), (R0,), (RT0,), P)
    return lambda node, A0, A1, T0, T1, R0, RT0, P: save(node, (A0, A1), (T0, T1), (R0,), (RT0,), P)


def _edge_meta(pairs, out):
    """Per operand, (shape, dtype) to reduce and cast its gradient to, or None if it matches."""
    meta = []
    any_ = False
    for x, is_t in pairs:
        if is_t and x._rg:
            d = x._data
            if d.shape != out.shape or d.dtype != out.dtype:
                meta.append((d.shape, d.dtype))
                any_ = True
                continue
        meta.append(None)
    return tuple(meta) if any_ else None


def _dtype_meta(T, out):
    """Per operand, (shape, dtype) where its dtype differs from the output's, so its gradient
    is cast back (to(), or a float op on mixed inputs); None when every dtype matches."""
    if all(t is None or not t._rg or t._data.dtype is out.dtype for t in T):
        return None
    return tuple((t._data.shape, t._data.dtype) if t is not None and t._rg and t._data.dtype is not out.dtype
                 else None for t in T)


def _make_general(op):
    fwd, cls, view, bcast = op.forward, op.node_cls, op.view, op.broadcast
    cx_same = op.complex == "same"      # See Note [Complex autograd]
    def save(*args):            # the op's node code is built on its first recorded use
        nonlocal save
        save = _save_k(op)
        return save(*args)
    k = len(op.operands)
    promote, only = op.promote, op.promote_only
    nparams, defaults = len(op.params), op.defaults
    multi = op.nout != 1

    variadic = op.variadic
    pnames = op.params

    def apply(*args):
        if variadic:
            operands, params = tuple(args[0]), args[1:]
        else:
            operands, params = args[:k], args[k:]
        if len(params) != nparams:
            params = params + defaults[len(params):]
        A, T = [], []
        rg = False
        for x in operands:
            if isinstance(x, Tensor):
                A.append(x._data)
                T.append(x)
                rg = rg or x._rg
            else:
                A.append(x)
                T.append(None)
        if promote is not None:
            idx = only if only is not None else range(len(operands))
            rt = _promote(op, [operands[i] for i in idx if operands[i] is not None]).np
            if promote != "compare":
                for i in idx:
                    if T[i] is not None:
                        A[i] = _cast(A[i], rt)
        first = next((a for a in A if a is not None and not isinstance(a, _PY_NUMBERS)), None)
        xp = np if first is None or type(first) is ndarray else xp_of(first)
        try:
            out = fwd(xp, *A, **dict(zip(pnames, params))) if variadic else fwd(xp, *A, *params)
        except ValueError as e:
            if bcast:
                shapes = [np.shape(a) for a in A if a is not None]
                raise _errors.broadcast_mismatch(shapes[0], shapes[1]) from None
            raise
        record = rg and cls is not None and state.grad_enabled and (not multi or len(out) > 0)
        src = T[0]
        if multi:
            outs = tuple(_asarray(o) for o in out)
            rs = []
            for j, o in enumerate(outs):
                r = _new(Tensor)
                r._data = o
                r._edge = None
                r._rg = False
                if view:
                    register_view(r, src, op, params, j)
                    r._view_of_multi = op.node_name
                else:
                    r._vc = [0]
                rs.append(r)
        else:
            outs = (_asarray(out),)
            r = _new(Tensor)
            r._data = outs[0]
            r._edge = None
            r._rg = False
            if view:
                register_view(r, src, op, params)
            else:
                r._vc = [0]
            rs = [r]
        if record:
            node = _new(cls if cx_same or not involves_complex(T, outs) else node_class(op))
            node.next_functions = tuple(_edge_of(t) if t is not None else _NO for t in T)
            if bcast or promote:
                node._meta = _edge_meta(tuple((t, t is not None) for t in T), outs[0])
            else:
                node._meta = _dtype_meta(T, outs[0])
            if multi:
                node._outs = tuple((o.shape, o.dtype) for o in outs)
            save(node, tuple(A), tuple(T), outs, tuple(rs), params)
            for j, r in enumerate(rs):
                if r._data.dtype.kind in "fc":
                    r._rg = True
                    r._edge = (node, j)
        elif state.inference:
            for r in rs:
                r._inference = True
        if _FW[0]:
            forward_ad.propagate(op, operands if not variadic else (operands,), params, rs if multi else rs[0])
        return tuple(rs) if multi else rs[0]
    return apply


_NO = (None, 0)


def _asarray(x):
    return x if type(x) is ndarray else (np.asarray(x) if isinstance(x, (np.generic, bool, int, float, complex)) else x)


# ------------------------------------------------------------------ in-place

def make_inplace(op, out_of_place):
    """The in-place variant `name_` of an op: same node name, computed out of place and
    written back into `self`'s array; `self` takes the new node as its history."""
    fwd, cls = op.forward, op.node_cls
    cx_same = op.complex == "same"      # See Note [Complex autograd]
    def save(*args):            # the op's node code is built on its first recorded use
        nonlocal save
        save = _save_k(op)
        return save(*args)
    saves_self = op.operands[0] in op.saved
    k = len(op.operands)
    nparams, defaults = len(op.params), op.defaults

    def apply_(self, *args):
        operands, params = (self,) + args[: k - 1], args[k - 1:]
        if len(params) != nparams:
            params = params + defaults[len(params):]
        check_inplace(self)
        others = [_operand(x) if not isinstance(x, Tensor) else x for x in operands[1:]]
        d = self._data
        rt = _promote(op, [self] + others) if op.promote is not None else from_numpy_dtype(d.dtype)
        sd = from_numpy_dtype(d.dtype)
        if not can_cast(rt, sd):
            raise RuntimeError(f"result type {_errors.scalar_name(rt.np)} can't be cast to the "
                               f"desired output type {_errors.scalar_name(d.dtype)}")
        A = [_cast(d, rt.np)] + [(_cast(x._data, rt.np) if isinstance(x, Tensor) else x) for x in others]
        xp = np if type(d) is ndarray else xp_of(d)
        try:
            out = fwd(xp, *A, *params)
        except ValueError:
            raise _errors.broadcast_mismatch(np.shape(A[0]), np.shape(A[1])) from None
        if np.shape(out) != d.shape:
            raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                               f"{list(np.shape(out))}")
        fw_old = forward_ad.snapshot(self, others) if _FW[0] else None
        record = (cls is not None and state.grad_enabled
                  and (self._rg or any(isinstance(x, Tensor) and x._rg for x in others)))
        if not record:
            _write(d, out)
            self._vc[0] += 1
            if fw_old is not None:
                forward_ad.propagate_inplace(op, self, fw_old, others, params)
            return self
        old = self
        if saves_self:     # the formulas need self as it was: keep a copy, as torch does
            old = _wrap(d.copy(), self._rg, self._edge)
            A[0] = old._data
        # in place, a complex operand makes self complex (or fails the cast check above)
        node = _new(cls if cx_same or d.dtype not in _CX else node_class(op))
        if self._base is not None:
            # See Note [Views and in-place] in ops/views.py: the base's history is rewritten.
            inplace_on_view(self, op, node, A, others, params, out)
        else:
            node.next_functions = (_edge_of(self),) + tuple(_edge_of(x) if isinstance(x, Tensor) else _NO
                                                            for x in others)
            _write(d, out)
            self._vc[0] += 1
        node._meta = _edge_meta(tuple((x, isinstance(x, Tensor)) for x in [old] + others), d)
        save(node, tuple(A), (old,) + tuple(x if isinstance(x, Tensor) else None for x in others),
             (d,), (self,), params)
        if any(isinstance(x, Tensor) and x._vc is self._vc for x in others):
            _saved_before_write(node, old, self._vc)
        if self._base is None:
            self._rg = True
            self._edge = (node, 0)
            if self.__dict__.get("_views"):
                refresh_views(self)
        if fw_old is not None:
            forward_ad.propagate_inplace(op, self, fw_old, others, params)
        return self
    apply_.__name__ = op.name + "_"
    return apply_


def _saved_before_write(node, old, vc):
    """An operand that shares self's memory (`x.mul_(x)`) was saved as it was *before* the
    write, as torch saves it: its backward then fails torch's version check."""
    vers = list(node._vers)
    for i, t in enumerate(node._saved_t):
        if isinstance(t, Tensor) and t is not old and t._vc is vc:
            vers[i] -= 1
    node._vers = tuple(vers)


def _write(dst, src):
    """Write `src` into the array `dst` in place (torch casts to dst's dtype)."""
    try:
        dst[...] = src
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.") from None
        raise


def check_inplace(t):
    """torch's checks before any in-place op on `t`."""
    if t._inference and not state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
            "clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")
    if t._view_custom and state.grad_enabled:
        raise RuntimeError(
            f"Output {t._edge[1]} of {t._view_custom} is a view and is being modified inplace. This view was "
            "created inside a custom Function (or because an input was returned as-is) and the autograd logic "
            "to handle view+inplace would override the custom backward associated with the custom Function, "
            "leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the "
            "output of the custom Function.")
    if t._view_no_grad and state.grad_enabled:
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
            "You can clarify your code by moving both the view and the inplace either both "
            "inside the no_grad block (if you don't want the inplace to be tracked) or both "
            "outside (if you want the inplace to be tracked).")
    if t._rg and state.grad_enabled:
        if t._edge is None:
            raise RuntimeError(_errors.LEAF_INPLACE)
        base = t._base
        if base is not None:
            if base._edge is None and base._rg:
                raise RuntimeError(_errors.VIEW_LEAF_INPLACE)
            if t._view_of_multi:
                name = t._view_of_multi.replace("Backward0", "")
                raise RuntimeError(
                    f"Output {t._edge[1]} of {name} is a view and is being modified inplace. This view is "
                    "the output of a function that returns multiple views. Such functions do not allow "
                    "the output views to be modified inplace. You should replace the inplace operation "
                    "by an out-of-place one.")
