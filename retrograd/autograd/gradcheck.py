"""Numerical checking of gradients: `gradcheck` and `gradgradcheck`.

Same as `torch.autograd.gradcheck`: the analytical Jacobian (one backward pass
per output element, or one forward-AD pass per input element) is compared
with central finite differences, `(f(x + eps) - f(x - eps)) / 2 eps`, one
input element at a time. On a mismatch a `GradcheckError` shows both
Jacobians, rows indexing input elements and columns output elements, as
torch prints them. `fast_mode=True` compares `v^T J u` for random unit
vectors `u`, `v` instead (torch's fast mode, issue 53876) and, on failure,
recomputes both Jacobians in slow mode for the message.

Differences from torch: complex inputs or outputs that require grad, sparse
and masked inputs, and `check_batched_forward_grad` raise NotImplementedError.
The random vectors of fast mode and the random `grad_outputs` of
gradgradcheck are drawn from NumPy, so the numbers in a fast-mode message
differ from torch's (the verdicts do not).
"""
import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "get_numerical_jacobian",
           "get_analytical_jacobian"]


class GradcheckError(RuntimeError):
    """Error raised by `gradcheck` and `gradgradcheck`."""


GradcheckError.__module__ = "torch.autograd.gradcheck"

FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x):
    from ..tensor import Tensor
    return isinstance(x, Tensor)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if _is_tensor(o) and o.requires_grad)


def _float_tensor(x):
    return _is_tensor(x) and x._data.dtype.kind in "fc"


def _t(arr):
    from ..tensor import _wrap
    return _wrap(np.asarray(arr))


def _allclose(a, n, rtol, atol):
    dt = np.result_type(a.dtype, n.dtype)
    a, n = a.astype(dt), n.astype(dt)
    return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def _notallclose_msg(a, n, i, j, forward_ad=False):
    mode = "computed with forward mode " if forward_ad else ""
    return (f"Jacobian {mode}mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{_show(n)}\nanalytical:{_show(a)}\n")


def _show(x):
    return repr(float(x)) if np.ndim(x) == 0 else str(_t(x))


# ---------------------------------------------------------------- inputs and outputs

def _check_inputs(inputs):
    any_rg = False
    for idx, inp in enumerate(inputs):
        if _is_tensor(inp) and inp.requires_grad:
            kind = inp._data.dtype
            if kind.kind == "c":
                raise NotImplementedError("gradcheck of complex inputs is not supported by retrograd yet")
            if kind != np.float64:
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating point or "
                    "complex. This check will likely fail if all the inputs are not of double precision "
                    "floating point or complex. ", stacklevel=4)
            if (inp._data.size and any(s == 0 and d > 1 for s, d in zip(inp._data.strides, inp._data.shape))) \
                    or not inp._data.flags.writeable:
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs that "
                    "are non-overlapping to be able to compute the numerical gradients correctly. You "
                    "should call .contiguous on the input before passing it to gradcheck.")
            any_rg = True
    if not any_rg:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "them have requires_grad=True.")


def _check_outputs(outputs):
    for o in outputs:
        if o._data.dtype.kind == "c":
            raise NotImplementedError("gradcheck of complex outputs is not supported by retrograd yet")


def _diff_inputs(inputs):
    return [(i, x) for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]


# ---------------------------------------------------------------- numerical

def _outputs_flat(func, inputs):
    """func(*inputs) as flat array copies, one per output (None for non-float outputs)."""
    outs = _as_tuple(func(*inputs))
    return [np.array(o._data, copy=True).reshape(-1) if _float_tensor(o) else None for o in outs]


def _numerical_jvp(func, inputs, x, direction, eps):
    """(f(x + eps d) - f(x - eps d)) / 2 eps for every output: x's data is perturbed in place."""
    data = x._data
    orig = data.copy()
    try:
        data[...] = orig - eps * direction
        outa = _outputs_flat(func, inputs)
        data[...] = orig + eps * direction
        outb = _outputs_flat(func, inputs)
    finally:
        data[...] = orig
    return [None if a is None else (b - a) / (2 * eps) for a, b in zip(outa, outb)]


def _numerical_jacobian(func, inputs, eps):
    """[input][output] -> (numel_in, numel_out) array, for every input that requires grad
    (None for non-float outputs)."""
    result = []
    for _, x in _diff_inputs(inputs):
        data = x._data
        n_in = data.size
        cols = None
        for k in range(n_in):
            idx = np.unravel_index(k, data.shape) if data.ndim else ()
            orig = data[idx].copy()
            try:
                data[idx] = orig - eps
                outa = _outputs_flat(func, inputs)
                data[idx] = orig + eps
                outb = _outputs_flat(func, inputs)
            finally:
                data[idx] = orig
            if cols is None:
                cols = [None if a is None else np.zeros((n_in, a.size), a.dtype) for a in outa]
            for c, a, b in zip(cols, outa, outb):
                if c is not None:
                    c[k] = (b - a) / (2 * eps)
        if cols is None:        # an empty input: no column, but one (0, n) block per output
            outs = _outputs_flat(func, inputs)
            cols = [None if o is None else np.zeros((0, o.size), o.dtype) for o in outs]
        result.append(cols)
    return result


def get_numerical_jacobian(fn, inputs, target=None, eps=1e-3, grad_out=1.0):
    """Deprecated in torch; kept for old callers: the numerical Jacobian as Tensors, per input."""
    if grad_out != 1.0:
        raise ValueError("Expected grad_out to be 1.0. get_numerical_jacobian no longer supports values of "
                         "grad_out != 1.0.")
    inputs = _as_tuple(inputs)
    jac = _numerical_jacobian(fn, inputs, eps)
    return tuple(tuple(_t(c) for c in per_in if c is not None) for per_in in jac)


# ---------------------------------------------------------------- analytical

def _vjp(output, diff_inputs, grad_output):
    from . import grad
    return grad(output, [x for _, x in diff_inputs], grad_output, retain_graph=True, allow_unused=True)


def _analytical_jacobian(inputs, output, nondet_tol, check_grad_dtypes):
    """[input] -> (numel_in, numel_out) array for one output, via one backward per output element,
    run twice to check that backward is reentrant."""
    diff = _diff_inputs(inputs)
    n_out = output._data.size
    jacs = [[np.zeros((x._data.size, n_out), x._data.dtype) for _, x in diff] for _ in range(2)]
    dtypes_ok, sizes_ok = True, True
    for rep in range(2):
        for k in range(n_out):
            seed = np.zeros(n_out, output._data.dtype)
            seed[k] = 1
            gs = _vjp(output, diff, _t(seed.reshape(output._data.shape)))
            for j, (g, (_, x)) in enumerate(zip(gs, diff)):
                if g is None:
                    continue
                if g._data.dtype != x._data.dtype:
                    dtypes_ok = False
                if g._data.shape != x._data.shape:
                    sizes_ok = False
                    continue
                jacs[rep][j][:, k] = g._data.reshape(-1)
    if not dtypes_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(*jacs):
        if a.size and np.max(np.abs(a - b)) > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and grad_output multiple "
                "times gives different values, although analytical gradient matches numerical gradient."
                f"The tolerance for nondeterminism was {nondet_tol}.")
    return jacs[0]


def get_analytical_jacobian(inputs, output, nondet_tol=0.0, grad_out=1.0):
    """Deprecated in torch; kept for old callers: (jacobians, reentrant, correct_grad_sizes,
    correct_grad_types)."""
    if grad_out != 1.0:
        raise ValueError("Expected grad_out to be 1.0. get_analytical_jacobian no longer supports values of "
                         "grad_out != 1.0.")
    jac = _analytical_jacobian(_as_tuple(inputs), output, nondet_tol, False)
    return tuple(_t(j) for j in jac), True, True, True


def _forward_ad_jacobian(func, inputs):
    """[input][output] -> (numel_in, numel_out) array, one forward-AD pass per input element."""
    try:
        from . import forward_ad as fwAD
    except ImportError:     # pragma: no cover - forward AD ships with retrograd
        raise NotImplementedError("check_forward_ad=True needs forward-mode AD, which retrograd does not "
                                  "have yet") from None
    result = []
    for j, x in _diff_inputs(inputs):
        n_in = x._data.size
        cols = None
        for k in range(n_in):
            tangent = np.zeros(n_in, x._data.dtype)
            tangent[k] = 1
            with fwAD.dual_level():
                args = list(inputs)
                args[j] = fwAD.make_dual(x.detach(), _t(tangent.reshape(x._data.shape)))
                outs = _as_tuple(func(*args))
                ts = [fwAD.unpack_dual(o).tangent if _float_tensor(o) else None for o in outs]
                if cols is None:
                    cols = [None if not _float_tensor(o) else np.zeros((n_in, o._data.size), o._data.dtype)
                            for o in outs]
                for c, t in zip(cols, ts):
                    if c is not None and t is not None:
                        c[k] = t._data.reshape(-1)
        if cols is None:
            outs = _as_tuple(func(*inputs))
            cols = [np.zeros((0, o._data.size), o._data.dtype) if _float_tensor(o) else None for o in outs]
        result.append(cols)
    return result


# ---------------------------------------------------------------- slow and fast checks

def _slow_check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol,
                forward_ad=False):
    func_out = _as_tuple(func_out)
    numerical = _numerical_jacobian(func, inputs, eps)          # [input][output]
    if not outputs:
        for per_in in numerical:
            for c in per_in:
                if c is not None and np.any(c != 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    keep = [i for i, o in enumerate(func_out) if _is_tensor(o) and o.requires_grad]
    if forward_ad:
        analytical = _forward_ad_jacobian(func, inputs)
        for i, oi in enumerate(keep):
            for j in range(len(numerical)):
                a, n = analytical[j][oi], numerical[j][oi]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_notallclose_msg(a, n, i, j, forward_ad=True))
        return True
    for i, (oi, o) in enumerate(zip(keep, outputs)):
        analytical = _analytical_jacobian(inputs, o, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][oi]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_notallclose_msg(a, n, i, j))
    return True


def _unit_vector(rng, n, dtype):
    v = rng.random(n).astype(dtype)
    norm = np.sqrt(np.sum(v * v))
    return v / norm if norm else v


def _fast_check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol):
    rng = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    all_u = [_unit_vector(rng, x._data.size, x._data.dtype) for _, x in diff]
    all_v = [_unit_vector(rng, o._data.size, o._data.dtype) for o in outputs]
    func_out = _as_tuple(func_out)
    keep = [i for i, o in enumerate(func_out) if _is_tensor(o) and o.requires_grad]
    numerical = []                   # [input][output] -> v^T J u
    for (_, x), u in zip(diff, all_u):
        ju = _numerical_jvp(func, inputs, x, u.reshape(x._data.shape), eps)
        if not outputs:
            if any(c is not None and np.any(c != 0) for c in ju):
                raise GradcheckError("Numerical gradient for function expected to be zero")
            continue
        numerical.append([np.sum(v * ju[oi]) for oi, v in zip(keep, all_v)])
    if not outputs:
        return True
    analytical = []                  # [output][input] -> (v^T J) u
    for o, v in zip(outputs, all_v):
        rows = []
        for rep in range(2):
            gs = _vjp(o, diff, _t(v.reshape(o._data.shape)))
            rows.append([None if g is None else g._data for g in gs])
        row = []
        for (_, x), u, g1, g2 in zip(diff, all_u, *rows):
            if g1 is None:
                row.append(np.zeros((), x._data.dtype))
                continue
            if g1.dtype != x._data.dtype and check_grad_dtypes:
                raise GradcheckError("Gradient has dtype mismatch")
            if g1.shape != x._data.shape:
                raise GradcheckError("Analytical gradient has incorrect size")
            if g1.size and np.max(np.abs(g1 - g2)) > nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and grad_output "
                    "multiple times gives different values, although analytical gradient matches numerical "
                    f"gradient.The tolerance for nondeterminism was {nondet_tol}.")
            row.append(np.sum(g1.reshape(-1) * u))
        analytical.append(row)
    for j, per_in in enumerate(numerical):
        for i, n in enumerate(per_in):
            a = analytical[i][j]
            # |v^T (A - N) u| <= atol * sum(u) * sum(v): atol scaled as torch's _adjusted_atol
            adj = atol * float(np.sum(all_u[j])) * float(np.sum(all_v[i]))
            if not _allclose(np.asarray(a), np.asarray(n), rtol, adj):
                raise GradcheckError(_notallclose_msg(a, n, i, j) +
                                     _slow_mode_msg(func, inputs, outputs, keep, j, i, rtol, atol, eps))
    return True


def _slow_mode_msg(func, inputs, outputs, keep, input_idx, output_idx, rtol, atol, eps):
    n = _numerical_jacobian(func, inputs, eps)[input_idx][keep[output_idx]]
    a = _analytical_jacobian(inputs, outputs[output_idx], float("inf"), False)[input_idx]
    diff = float(np.max(np.abs(n - a))) if n.size else 0.0
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are computed \n"
           "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
           "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
           f"Numerical:\n {_t(n)}\nAnalytical:\n{_t(a)}\n\n"
           f"The max per-element difference (slow mode) is: {diff}.\n")
    if _allclose(a, n, rtol, atol):
        msg += FAST_FAIL_SLOW_OK_MSG
    return msg


# ---------------------------------------------------------------- extra backward checks

def _test_batched_grad(inputs, output, output_idx):
    from . import grad
    diff = [x for _, x in _diff_inputs(inputs)]
    rng = np.random.default_rng(1)
    seeds = rng.standard_normal((2,) + output._data.shape).astype(output._data.dtype)
    expected = [grad(output, diff, _t(s), retain_graph=True, allow_unused=True) for s in seeds]
    try:
        got = grad(output, diff, _t(seeds), retain_graph=True, allow_unused=True, is_grads_batched=True)
    except RuntimeError as ex:
        raise GradcheckError(f"While computing batched gradients, got: {ex}") from ex
    for j, g in enumerate(got):
        exp = [e[j] for e in expected]
        if g is None and all(e is None for e in exp):
            continue
        want = np.stack([np.zeros_like(diff[j]._data) if e is None else e._data for e in exp])
        if g is None or g._data.shape != want.shape or not np.allclose(g._data, want, rtol=1e-5, atol=1e-8):
            raise GradcheckError(
                f"For output {output_idx} and input {j}:\n\nbackward not correctly batched: the batched "
                f"gradient\n{g}\ndiffers from the gradients computed one at a time\n{_t(want)}")
    return True


def _test_backward_mul_by_grad_output(outputs, inputs):
    from . import grad
    diff = [x for _, x in _diff_inputs(inputs)]
    gs = grad(outputs, diff, [_t(np.zeros_like(o._data)) for o in outputs], allow_unused=True)
    for gi, di in zip(gs, diff):
        if gi is None:
            continue
        if np.any(gi._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi._data.dtype != di._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi._data.shape != di._data.shape:
            raise GradcheckError("grad is incorrect size")
    return True


def _test_undefined_backward_mode(func, outputs, inputs):
    """Backward must cope with undefined (None) gradients for some outputs: with one output's
    gradient undefined at a time, the others' backward still runs and the result is zero."""
    from . import grad
    diff = [x for _, x in _diff_inputs(inputs)]
    n = len(outputs)
    if n < 2:
        return True         # a single undefined gradient never reaches a node: nothing runs
    for undef in range(n):
        outs = _differentiable_outputs(func(*inputs))
        kept = [o for i, o in enumerate(outs) if i != undef]
        try:
            gs = grad(kept, diff, [_t(np.zeros_like(o._data)) for o in kept], allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError('Expected backward function to handle undefined output grads. Please look at '
                                 '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
                                 ) from e
        for gi in gs:
            if gi is not None and np.any(gi._data != 0):
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads are undefined or "
                    'zero. Please look at "Notes about undefined output gradients" in '
                    '"tools/autograd/derivatives.yaml"')
    return True


# ---------------------------------------------------------------- public

def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Same as `torch.autograd.gradcheck`: True when the analytical gradients of `func` at
    `inputs` match finite differences; otherwise raises `GradcheckError` showing both
    Jacobians (or returns False when `raise_exception=False`).

        >>> x = retrograd.tensor([1., 2.], dtype=retrograd.float64, requires_grad=True)
        >>> gradcheck(lambda x: (x * x).sin(), (x,))
        True
    """
    if not raise_exception:
        try:
            return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                              check_grad_dtypes, check_batched_grad, check_batched_forward_grad,
                              check_forward_ad, check_backward_ad, fast_mode)
        except GradcheckError:
            return False
    return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad, check_grad_dtypes,
                      check_batched_grad, check_batched_forward_grad, check_forward_ad, check_backward_ad,
                      fast_mode)


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad, check_grad_dtypes,
               check_batched_grad, check_batched_forward_grad, check_forward_ad, check_backward_ad,
               fast_mode):
    if check_batched_forward_grad:
        raise NotImplementedError("check_batched_forward_grad=True is not supported by retrograd (it needs "
                                  "vmap over forward-mode AD)")
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = _differentiable_outputs(func_out)
    _check_outputs(outputs)
    args = (func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol)
    if check_backward_ad:
        (_fast_check if fast_mode else _slow_check)(*args)
    if check_forward_ad:
        _slow_check(*args, forward_ad=True)
    if not check_backward_ad:
        return True
    if check_batched_grad:
        for i, o in enumerate(outputs):
            _test_batched_grad(inputs, o, i)
    if outputs:
        _test_backward_mul_by_grad_output(outputs, inputs)
        if check_undefined_grad:
            _test_undefined_backward_mode(func, outputs, inputs)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Same as `torch.autograd.gradgradcheck`: gradcheck of the function that maps
    `(inputs, grad_outputs)` to the gradients of `func` (second derivatives against finite
    differences of first ones). Random `grad_outputs` are drawn when none are given."""
    from ..tensor import _wrap
    from . import grad
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(2)
        outputs = _differentiable_outputs(func(*inputs))
        grad_outputs = tuple(
            _wrap(rng.standard_normal(o._data.shape).astype(
                o._data.dtype if o._data.dtype.kind in "fc" else np.float64), True)
            for o in outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_in = {i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad}
    diff_go = {i for i, x in enumerate(grad_outputs) if x.requires_grad}

    def new_func(*args):
        input_args = tuple(x.requires_grad_() if i in diff_in else x for i, x in enumerate(args[:-n_out]))
        outputs = _differentiable_outputs(func(*input_args))
        gos = tuple(x.requires_grad_() if i in diff_go else x for i, x in enumerate(args[-n_out:]))
        diff_args = tuple(x for i, x in enumerate(input_args) if i in diff_in)
        grads = grad(outputs, diff_args, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev)
