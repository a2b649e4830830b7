"""Function transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Same as `torch.func` for the cases below, built on reverse mode:

- Arguments and results may be Tensors or nested tuples, lists and dicts of
  them (pytrees), as in torch.func.
- Transforms nest (`grad(grad(f))`, `jacrev(jacrev(f))`): an inner transform
  keeps the graph of its result when an outer one differentiates through it.
- `jvp` uses the double-vjp trick (the JVP is the gradient of a VJP with
  respect to its cotangent), and `jacfwd` is computed by reverse mode:
  the numbers are torch's, the cost is that of `jacrev`.
- There is no `vmap`: retrograd has no batching transform.
"""
import numpy as np

from .autograd.grad_mode import enable_grad

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


# ---------------------------------------------------------------- pytrees

def _flatten(tree):
    """(leaves, spec): the leaves of nested tuples/lists/dicts, and how to rebuild them."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for x in tree:
            lv, sp = _flatten(x)
            leaves += lv
            specs.append(sp)
        return leaves, (type(tree), len(tree), specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for k in tree:
            lv, sp = _flatten(tree[k])
            leaves += lv
            specs.append(sp)
        return leaves, (dict, list(tree), specs)
    return [tree], None


def _unflatten(leaves, spec):
    it = iter(leaves)

    def build(sp):
        if sp is None:
            return next(it)
        kind, meta, specs = sp
        if kind is dict:
            return {k: build(s) for k, s in zip(meta, specs)}
        items = [build(s) for s in specs]
        return tuple(items) if kind is tuple else items
    return build(spec)


def _spec_str(spec):
    if spec is None:
        return "*"
    kind, meta, specs = spec
    return f"TreeSpec({kind.__name__}, {meta if kind is dict else None}, [{', '.join(map(_spec_str, specs))}])"


def _check_tensors(leaves):
    from .tensor import Tensor
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")


# ---------------------------------------------------------------- one level of differentiation

def _wrap_level(x):
    """A differentiable stand-in for input `x` at a new level: connected to x's own graph when
    an outer transform differentiates through x, otherwise a fresh leaf."""
    if x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_(True)


def _nested(leaves):
    """Whether an outer level differentiates through these inputs (then keep graphs)."""
    return any(x.requires_grad for x in leaves)


def _outer(outputs, level_leaves):
    """Whether the graph of `outputs` reaches a tensor that requires grad outside this level
    (a closed-over parameter): then, as in torch.func, results keep their graph to it."""
    from .autograd.grad_mode import is_grad_enabled
    from .autograd.graph import AccumulateGrad
    from .tensor import Tensor
    if not is_grad_enabled():
        return False
    mine = {id(x) for x in level_leaves}
    stack = [o._edge[0] for o in outputs if isinstance(o, Tensor) and o._edge is not None]
    seen = set()
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        if type(n) is AccumulateGrad:
            if id(n.variable) not in mine:
                return True
            continue
        stack.extend(m for m, _ in n.next_functions)
    return False


def _grads(outputs, inputs, grad_outputs, create_graph):
    """autograd.grad with zeros for inputs the outputs do not depend on."""
    from .autograd import grad as autograd_grad
    from .creation import zeros_like
    diff = [o for o in outputs if o.requires_grad]
    gos = [g for o, g in zip(outputs, grad_outputs) if o.requires_grad] if grad_outputs is not None else None
    if not diff:
        got = (None,) * len(inputs)
    else:
        got = autograd_grad(diff, inputs, gos, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return [zeros_like(x) if g is None else g for g, x in zip(got, inputs)]


def _argnums(argnums, args):
    n = len(args)
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if isinstance(argnums, tuple) and not argnums:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    if len(set(a % n for a in nums)) != len(nums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return tuple(a % n for a in nums)


def _detach_tree(tree, keep):
    from .tensor import Tensor
    if keep:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


def grad_and_value(func, argnums=0, has_aux=False):
    """Same as `torch.func.grad_and_value`: `(gradient, value)` of a scalar function, or
    `(gradient, (value, aux))` with `has_aux`."""
    def wrapper(*args, **kwargs):
        from .tensor import Tensor
        nums = _argnums(argnums, args)
        args = list(args)
        trees = []
        for a in nums:
            leaves, spec = _flatten(args[a])
            _check_tensors(leaves)
            trees.append((leaves, spec))
        keep = _nested([x for lv, _ in trees for x in lv])
        with enable_grad():
            wrapped = []
            for a, (leaves, spec) in zip(nums, trees):
                w = [_wrap_level(x) for x in leaves]
                wrapped.append(w)
                args[a] = _unflatten(w, spec)
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            flat = [x for w in wrapped for x in w]
            keep = keep or _outer([out], flat)
            gs = _grads([out], flat, None, keep)
        res, k = [], 0
        for (leaves, spec), w in zip(trees, wrapped):
            res.append(_unflatten(_detach_tree(gs[k:k + len(w)], keep), spec))
            k += len(w)
        g = res[0] if not isinstance(argnums, tuple) else tuple(res)
        value = out if keep else out.detach()
        if has_aux:
            return g, (value, _detach_tree(aux, keep))
        return g, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """Same as `torch.func.grad`: the gradient of a scalar function with respect to
    `args[argnums]` (with `has_aux`: `(gradient, aux)`).

        >>> grad(lambda x: (x ** 3).sum())(retrograd.tensor([1., 2.]))
        tensor([ 3., 12.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """Same as `torch.func.vjp`: `(func(*primals), vjp_fn)`, where `vjp_fn(cotangents)` gives one
    gradient per primal (with `has_aux`: `(output, vjp_fn, aux)`)."""
    from .tensor import Tensor
    leaves, spec = _flatten(primals)
    _check_tensors(leaves)
    keep = _nested(leaves)
    with enable_grad():
        w = [_wrap_level(x) for x in leaves]
        out = func(*_unflatten(w, spec))
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) if "
                                   "has_aux is True")
            out, aux = out
    out_leaves, out_spec = _flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has non-empty output (got "
                               f"{type(o)})")
    keep = keep or _outer(out_leaves, w)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct, ct_spec = _flatten(cotangents)
        if _spec_str(ct_spec) != _spec_str(out_spec):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {_spec_str(ct_spec)}, primal output: "
                               f"{_spec_str(out_spec)}")
        cg = keep or any(c.requires_grad for c in ct) if create_graph is None else create_graph
        with enable_grad():
            gs = _grads(out_leaves, w, ct, cg)
        return _unflatten(_detach_tree(gs, cg), spec)

    result = _detach_tree(out, keep)
    if has_aux:
        return result, vjp_fn, _detach_tree(aux, keep)
    return result, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Same as `torch.func.jvp`: `(func(*primals), J @ tangents)`, by the double-vjp trick."""
    from .creation import zeros_like
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    leaves, spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if _spec_str(spec) != _spec_str(t_spec):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got "
                           f"primals with structure {_spec_str(spec)} and tangents with structure "
                           f"{_spec_str(t_spec)}")
    _check_tensors(leaves)
    _check_tensors(t_leaves)
    for p, t in zip(leaves, t_leaves):
        if p.shape != t.shape:
            raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same shape "
                               f"but got primals with shape {p.shape} and tangents with shape {t.shape}")
    keep = _nested(leaves) or _nested(t_leaves)
    with enable_grad():
        w = [_wrap_level(x) for x in leaves]
        out = func(*_unflatten(w, spec))
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("jvp(f, primals, tangents): output of function f should be a tuple: (output, "
                                   "aux) if has_aux is True")
            out, aux = out
        out_leaves, out_spec = _flatten(out)
        _check_tensors(out_leaves)
        keep = keep or _outer(out_leaves, w)
        # u -> J^T u is linear in u; its gradient with respect to u, seeded with the tangents, is J t
        dummies = [zeros_like(o, requires_grad=True) for o in out_leaves]
        vjps = _grads(out_leaves, w, dummies, True)
        jv = _grads(vjps, dummies, t_leaves, keep)
    res = (_detach_tree(out, keep), _unflatten(_detach_tree(jv, keep), out_spec))
    return res + (_detach_tree(aux, keep),) if has_aux else res


def _jac(func, argnums, has_aux, name):
    def wrapper(*args):
        from .autograd.functional import _stack
        from .tensor import Tensor, _wrap
        nums = _argnums(argnums, args)
        args = list(args)
        trees = []
        for a in nums:
            leaves, spec = _flatten(args[a])
            _check_tensors(leaves)
            trees.append((leaves, spec))
        flat_in = [x for lv, _ in trees for x in lv]
        keep = _nested(flat_in)
        with enable_grad():
            wrapped = []
            for a, (leaves, spec) in zip(nums, trees):
                w = [_wrap_level(x) for x in leaves]
                wrapped += w
                args[a] = _unflatten(w, spec)
            out = func(*args)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"{name}(f, ...)(*args): output of function f should be a tuple: (output, "
                                       "aux) if has_aux is True")
                out, aux = out
            out_leaves, out_spec = _flatten(out)
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{name}(f, ...)(*args): Expected f to be a function that has non-empty "
                                       f"output (got {type(o)})")
            keep = keep or _outer(out_leaves, wrapped)
            blocks = []                 # blocks[i][j]: d out_i / d in_j
            for o in out_leaves:
                rows = [[] for _ in wrapped]
                for e in range(o.numel()):
                    seed = np.zeros(o._data.size, o._data.dtype)
                    seed[e] = 1
                    gs = _grads([o], wrapped, [_wrap(seed.reshape(o._data.shape))], keep)
                    for r, g in zip(rows, gs):
                        r.append(g)
                blk = []
                for r, x in zip(rows, wrapped):
                    shape = tuple(o.shape) + tuple(x.shape)
                    if not r:
                        blk.append(_wrap(np.zeros(shape, x._data.dtype)))
                    elif keep:
                        blk.append(_stack(r).view(shape))
                    else:
                        blk.append(_wrap(np.stack([g._data for g in r]).reshape(shape)))
                blocks.append(blk)
        per_out = []
        for blk in blocks:
            res, k = [], 0
            for leaves, spec in trees:
                res.append(_unflatten(blk[k:k + len(leaves)], spec))
                k += len(leaves)
            per_out.append(res[0] if not isinstance(argnums, tuple) else tuple(res))
        jac = _unflatten(per_out, out_spec)
        if has_aux:
            return jac, _detach_tree(aux, keep)
        return jac
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """Same as `torch.func.jacrev`: the Jacobian of `func` with respect to `args[argnums]`, one
    backward pass per output element; block `[i][j]` has shape `out_i.shape + in_j.shape`."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jac(func, argnums, has_aux, "jacrev")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Same as `torch.func.jacfwd` in its results; computed by reverse mode (see the module doc)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    return _jac(func, argnums, has_aux, "jacfwd")


def hessian(func, argnums=0):
    """Same as `torch.func.hessian`: `jacfwd(jacrev(func, argnums), argnums)`."""
    return jacfwd(jacrev(func, argnums), argnums)
