"""torch.einsum, built as torch builds it (aten/src/ATen/native/Linear.cpp): parse the
equation, take diagonals for repeated labels, unsqueeze and permute every operand to
one label order, then contract left to right with `sumproduct_pair` (permute, reshape,
bmm, view, permute). Gradients, double gradients and JVPs come from those ops, and
`grad_fn` chains print what torch prints.
"""
from .registry import export
from ..tensor import Tensor
from . import shape as _shape
from .arith import mul_op
from .reduce import sum as _sum

_ELL = 52          # the label of "..." (torch: TOTAL_LABELS)


def _subscript(c):
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + 26


def _label(s):
    return chr(s + ord("A")) if s < 26 else chr(s - 26 + ord("a"))


def _movedim_last(op, dst):
    nd = op._data.ndim
    perm = list(range(nd - 1))
    perm.insert(dst, nd - 1)
    return _shape.permute_op.fn(op, tuple(perm))


def _parse_lhs(lhs, num_ops):
    op_labels = [[] for _ in range(num_ops)]
    ell, cur, i = False, 0, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            if ell:
                raise RuntimeError(f"einsum(): found '.' for operand {cur} for which an ellipsis was already found")
            if not (i + 2 < len(lhs) and lhs[i + 1] == "." and lhs[i + 2] == "."):
                raise RuntimeError(f"einsum(): found '.' for operand {cur} that is not part of any ellipsis")
            i += 2
            op_labels[cur].append(_ELL)
            ell = True
        elif c == ",":
            cur += 1
            if cur >= num_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
            ell = False
        elif c != " ":
            if not (c.isascii() and c.isalpha()):
                raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, "
                                   "subscripts must be in [a-zA-Z]")
            op_labels[cur].append(_subscript(c))
        i += 1
    if cur != num_ops - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return op_labels


def _einsum(equation, operands):
    num_ops = len(operands)
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _parse_lhs(lhs, num_ops)
    count = [0] * _ELL
    ell_num_dim = 0
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        nd = op._data.ndim
        nlabels = sum(1 for s in labels if s != _ELL)
        has_ell = _ELL in labels
        if has_ell:
            ell_num_dim = max(ell_num_dim, nd - nlabels)
        for s in labels:
            if s != _ELL:
                count[s] += 1
        if (nlabels > nd) if has_ell else (nlabels != nd):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nlabels}) "
                + ("is more than the number of dimensions (" if has_ell else "does not match the number of dimensions (")
                + f"{nd}) for operand {i}" + ("" if has_ell else " and no ellipsis was given"))
    perm_index_of = [-1] * _ELL
    perm_index = ell_index = 0
    ell_in_output = False
    if arrow < 0:
        # implicit output: the ellipsis, then the labels seen once, in label order
        perm_index, ell_in_output = ell_num_dim, True
        for s in range(_ELL):
            if count[s] == 1:
                perm_index_of[s] = perm_index
                perm_index += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
                if not (i + 2 < len(rhs) and rhs[i + 1] == "." and rhs[i + 2] == "."):
                    raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
                i += 2
                ell_index, ell_in_output = perm_index, True
                perm_index += ell_num_dim
            elif c != " ":
                if not (c.isascii() and c.isalpha()):
                    raise RuntimeError(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                                       "equation string, subscripts must be in [a-zA-Z]")
                s = _subscript(c)
                if not (count[s] > 0 and perm_index_of[s] == -1):
                    why = (" appears more than once in the output" if perm_index_of[s] > -1
                           else " does not appear in the equation for any input operand")
                    raise RuntimeError(f"einsum(): output subscript {c}{why}")
                perm_index_of[s] = perm_index
                perm_index += 1
            i += 1
    out_num_dim = perm_index
    if not ell_in_output:
        ell_index = perm_index
        perm_index += ell_num_dim
    for s in range(_ELL):
        if count[s] > 0 and perm_index_of[s] == -1:
            perm_index_of[s] = perm_index
            perm_index += 1

    # align every operand to the permuted label order
    label_size = [1] * _ELL
    ell_sizes = [1] * ell_num_dim
    dim_counts = [0] * perm_index
    ops = []
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        perm = [-1] * perm_index
        dim = 0
        for s in labels:
            shape = op._data.shape
            if s == _ELL:
                ndim = operands[i]._data.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - ndim, ell_num_dim):
                    if op._data.shape[dim] != 1:
                        if ell_sizes[j] not in (1, op._data.shape[dim]):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {i}has size "
                                f"{op._data.shape[dim]} which does not broadcast with previously seen ellipsis "
                                f"with size {ell_sizes[j]} for the respective dimension")
                        ell_sizes[j] = op._data.shape[dim]
                        dim_counts[ell_index + j] += 1
                    perm[ell_index + j] = dim
                    dim += 1
            elif perm[perm_index_of[s]] == -1:
                if shape[dim] != 1:
                    if label_size[s] not in (1, shape[dim]):
                        raise RuntimeError(f"einsum(): subscript {_label(s)} has size {shape[dim]} for operand {i} "
                                           f"which does not broadcast with previously seen size {label_size[s]}")
                    label_size[s] = shape[dim]
                    dim_counts[perm_index_of[s]] += 1
                perm[perm_index_of[s]] = dim
                dim += 1
            else:                                    # a repeated label: its diagonal
                prev = perm[perm_index_of[s]]
                if shape[dim] != shape[prev]:
                    raise RuntimeError(f"einsum(): subscript {_label(s)} is repeated for operand {i} but the sizes "
                                       f"don't match, {shape[dim]} != {shape[prev]}")
                from .linalg import diagonal_op
                op = _movedim_last(diagonal_op.fn(op, 0, prev, dim), prev)
        for k, val in enumerate(perm):
            if val == -1:
                op = _shape.unsqueeze_op.fn(op, dim)
                perm[k] = dim
                dim += 1
        ops.append(_shape.permute_op.fn(op, tuple(perm)))

    # contract left to right
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_sum, b_sum = [], [], []
        for dim in range(out_num_dim, perm_index):
            sa, sb = a._data.shape[dim], b._data.shape[dim]
            if sa != 1 and sb != 1:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if sa != 1:
                    a_sum.append(dim)
                    dim_counts[dim] = 0
                elif sb != 1:
                    b_sum.append(dim)
                    dim_counts[dim] = 0
        if a_sum:
            a = _sum(a, tuple(a_sum), True)
        if b_sum:
            b = _sum(b, tuple(b_sum), True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))

    if perm_index - out_num_dim > 0:
        if num_ops > 1:
            return _shape.view_op.fn(ops[0], ops[0]._data.shape[:out_num_dim])
        return _sum(ops[0], tuple(range(out_num_dim, perm_index)))
    return ops[0]


def _sumproduct_pair(left, right, sum_dims):
    """(left * right).sum(sum_dims, keepdim=True) through one bmm, as torch computes it."""
    if not sum_dims:
        return mul_op.fn(left, right)
    from .linalg import bmm, _reshape
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left._data.ndim):
        sl, sr = left._data.shape[i], right._data.shape[i]
        if i in sum_dims:
            if sl != 1 and sr != 1:
                sum_size *= sl
            elif sl != 1:
                left = _sum(left, i, True)
            elif sr != 1:
                right = _sum(right, i, True)
        elif sl != 1 and sr != 1:
            lro.append(i)
            lro_size *= sl
        elif sl != 1:
            lo.append(i)
            lo_size *= sl
        else:
            ro.append(i)
            ro_size *= sr
    out_size = ([left._data.shape[d] for d in lro] + [left._data.shape[d] for d in lo] + [1] * len(sum_dims)
                + [right._data.shape[d] for d in ro])
    lperm = lro + lo + list(sum_dims) + ro
    rperm = lro + list(sum_dims) + ro + lo
    operm = [0] * len(lperm)
    for k, d in enumerate(lro + lo + list(sum_dims) + ro):
        operm[d] = k
    left = _reshape(_shape.permute_op.fn(left, tuple(lperm)), (lro_size, lo_size, sum_size))
    right = _reshape(_shape.permute_op.fn(right, tuple(rperm)), (lro_size, sum_size, ro_size))
    r = bmm(left, right)
    return _shape.permute_op.fn(_shape.view_op.fn(r, tuple(out_size)), tuple(operm))


def _sublist_equation(args):
    def sub(n):
        if n is Ellipsis:
            return "..."
        if 0 <= n < 26:
            return chr(ord("A") + n)
        if 26 <= n < 52:
            return chr(ord("a") + n - 26)
        raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
    eq = ",".join("".join(sub(s) for s in lst) for lst in args[1::2])
    if len(args) % 2 == 1:
        return eq + "->" + "".join(sub(s) for s in args[-1]), args[:-1:2]
    return eq, args[::2]


@export(method=False)
def einsum(*args):
    """Same as `torch.einsum`: an equation and operands, or the sublist format."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], Tensor):
        equation, operands = _sublist_equation(args)
    else:
        equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    return _einsum(equation, list(operands))
