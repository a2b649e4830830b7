"""Function transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Same as `torch.func` for the cases below, built on reverse mode:

- Arguments and results may be Tensors or nested tuples, lists and dicts of
  them (pytrees), as in torch.func.
- Transforms nest (`grad(grad(f))`, `jacrev(jacrev(f))`): an inner transform
  keeps the graph of its result when an outer one differentiates through it.
- `jvp` uses the double-vjp trick (the JVP is the gradient of a VJP with
  respect to its cotangent), and `jacfwd` is computed by reverse mode:
  the numbers are torch's, the cost is that of `jacrev`.
- Errors are torch's, worded as the transform torch builds each one on
  (`jacrev` reports as `vjp`, `jacfwd` as `jvp`).
- There is no `vmap`: retrograd has no batching transform, so `jacfwd` does not
  refuse random ops under `randomness="error"`.
"""
import functools

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


def _spec_repr(spec, indent=0):
    """A structure as torch's TreeSpec repr prints it (children after the first on new lines)."""
    if spec is None:
        return "*"
    kind, meta, specs = spec
    context = list(meta) if kind is dict else None
    indent += 2
    children = ("," + "".join(f"\n{' ' * indent}{_spec_repr(c, indent)}," for c in specs[1:])[:-1]
                if len(specs) > 1 else "")
    first = _spec_repr(specs[0], indent) if specs else ""
    return f"TreeSpec({kind.__name__}, {context}, [{first}{children}])"


def _spec_pprint(spec):
    """A structure as torch's treespec_pprint shows it: the tree with `*` for every leaf."""
    if spec is None:
        return "*"
    kind, meta, specs = spec
    items = [_spec_pprint(c) for c in specs]
    if kind is dict:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(meta, items)) + "}"
    if kind is tuple:
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return "[" + ", ".join(items) + "]"


def _check_tensors(leaves):
    from .tensor import Tensor
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")


def _only_tensors(leaves, api, argname):
    """torch's assert_non_empty_list_of_tensors."""
    from .tensor import Tensor
    if not leaves:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{api}: Expected {argname} to only contain Tensors, got {type(x)}")


def _tensor_outputs(leaves, api):
    """torch's assert_non_empty_tensor_output."""
    from .tensor import Tensor
    if not leaves or (len(leaves) == 1 and leaves[0] is None):
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got output = {leaves})")
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}")


def _float_outputs(leaves):
    """vjp's check: every output is floating point or complex."""
    for o in leaves:
        if not (o.dtype.is_floating_point or o.dtype.is_complex):
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                               f"Tensor with dtype {o.dtype}")


def _split_aux(out, api):
    """(output, aux) of a has_aux function; aux holds only Tensors, as in torch.func."""
    from .tensor import Tensor
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    for x in _flatten(out[1])[0]:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    return out


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
                out, aux = _split_aux(out, "grad_and_value(f)(*args)")
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
    leaves, spec = _flatten(primals)
    _check_tensors(leaves)
    keep = _nested(leaves)
    with enable_grad():
        w = [_wrap_level(x) for x in leaves]
        out = func(*_unflatten(w, spec))
        aux = None
        if has_aux:
            out, aux = _split_aux(out, "vjp(f, *primals)")
    out_leaves, out_spec = _flatten(out)
    _tensor_outputs(out_leaves, "vjp(f, *primals)")
    _float_outputs(out_leaves)
    keep = keep or _outer(out_leaves, w)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct, ct_spec = _flatten(cotangents)
        if _spec_repr(ct_spec) != _spec_repr(out_spec):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {_spec_pprint(ct_spec)}, primal output: "
                               f"{_spec_pprint(out_spec)}")
        cg = keep or any(c.requires_grad for c in ct) if create_graph is None else create_graph
        with enable_grad():
            gs = _grads(out_leaves, w, ct, cg)
        return _unflatten(_detach_tree(gs, cg), spec)

    result = _detach_tree(out, keep)
    if has_aux:
        return result, vjp_fn, _detach_tree(aux, keep)
    return result, vjp_fn


_JVP = "jvp(f, primals, tangents)"


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Same as `torch.func.jvp`: `(func(*primals), J @ tangents)`, by the double-vjp trick."""
    from .creation import zeros_like
    from .autograd import forward_ad
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    leaves, spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if _spec_repr(spec) != _spec_repr(t_spec):
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python structure. For example, "
                           "if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{_spec_repr(spec)} and tangents with structure {_spec_repr(t_spec)}")
    _only_tensors(leaves, _JVP, "primals")
    _only_tensors(t_leaves, _JVP, "tangents")
    for p, t in zip(leaves, t_leaves):
        forward_ad._check_dual(p, t)         # what torch's make_dual checks: dtypes and shapes
    keep = _nested(leaves) or _nested(t_leaves)
    with enable_grad():
        w = [_wrap_level(x) for x in leaves]
        out = func(*_unflatten(w, spec))
        aux = None
        if has_aux:
            out, aux = _split_aux(out, _JVP)
        out_leaves, out_spec = _flatten(out)
        _tensor_outputs(out_leaves, _JVP)
        keep = keep or _outer(out_leaves, w)
        # u -> J^T u is linear in u; its gradient with respect to u, seeded with the tangents, is
        # J t (an integer output has a zero tangent of its dtype, as in torch)
        floats = [o for o in out_leaves if o.dtype.is_floating_point or o.dtype.is_complex]
        dummies = [zeros_like(o, requires_grad=True) for o in floats]
        vjps = _grads(floats, w, dummies, True)
        jv = iter(_grads(vjps, dummies, t_leaves, keep))
    tangents_out = [next(jv) if o.dtype.is_floating_point or o.dtype.is_complex else zeros_like(o)
                    for o in out_leaves]
    res = (_detach_tree(out, keep), _unflatten(_detach_tree(tangents_out, keep), out_spec))
    return res + (_detach_tree(aux, keep),) if has_aux else res


def _jac(func, argnums, has_aux, name):
    # torch builds jacrev on vjp and jacfwd on jvp, and reports errors in their names
    api = "vjp(f, *primals)" if name == "jacrev" else _JVP

    @functools.wraps(func)
    def wrapper(*args):
        from .autograd import forward_ad
        from .autograd.functional import _stack
        from .tensor import _wrap
        nums = _argnums(argnums, args)
        args = list(args)
        trees = []
        for a in nums:
            leaves, spec = _flatten(args[a])
            _check_tensors(leaves)
            trees.append((leaves, spec))
        flat_in = [x for lv, _ in trees for x in lv]
        if name == "jacfwd":
            for x in flat_in:
                forward_ad._check_dual(x, x)
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
                out, aux = _split_aux(out, api)
            out_leaves, out_spec = _flatten(out)
            _tensor_outputs(out_leaves, api)
            if name == "jacrev":
                _float_outputs(out_leaves)
            keep = keep or _outer(out_leaves, wrapped)
            blocks = []                 # blocks[i][j]: d out_i / d in_j
            for o in out_leaves:
                rows = [[] for _ in wrapped]
                if not (o.dtype.is_floating_point or o.dtype.is_complex):      # jacfwd: zeros of o's dtype
                    blocks.append([_wrap(np.zeros(tuple(o.shape) + tuple(x.shape), o._data.dtype)) for x in wrapped])
                    continue
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
