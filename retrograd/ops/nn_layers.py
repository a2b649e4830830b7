"""Layers as functions: linear and bilinear, embedding, one_hot, dropout and its variants, and
scaled dot-product attention. linear/attention are built on ops/linalg.py's matmul family the way
torch builds them (AddmmBackward0 over TBackward0, ...)."""
import math
import warnings

import numpy as np

from .. import _errors
from ..tensor import Tensor, _wrap
from .registry import defop, export
from ..autograd.forward_ad import FROM_VJP
from .nn import _arr, _const, _jvp_from_vjp, mul_scalar


# ------------------------------------------------------------------ linear, bilinear

def linear(input, weight, bias=None):
    """Same as `torch.nn.functional.linear`: addmm(bias, input, weight.t()) for 2-D input (through views
    for 1-D and contiguous 3-D and higher), else matmul then add, as torch."""
    from .. import addmm
    nd = input.dim()
    if nd == 2 and bias is not None:
        return addmm(bias, input, weight.t())
    if bias is not None and nd != 0 and input.is_contiguous() and nd != 2:
        out = addmm(bias, input.view(-1, input.shape[-1]), weight.t())
        return out.view(*input.shape[:-1], weight.shape[0]) if nd > 1 else out.view(weight.shape[0])
    out = input.matmul(weight.t())
    return out + bias if bias is not None else out


def _trilinear_fwd(xp, i1, weight, i2):
    return xp.einsum("ni,oij,nj->no", i1, weight, i2)


def _contract(spec, a, b, c):
    """einsum of three operands: np.einsum on arrays; on Tensors (the graph path of the formulas) a
    broadcast product summed over the contracted letters, which is differentiable again."""
    if not isinstance(a, Tensor):
        return np.einsum(spec, a, b, c)
    ins, out = spec.split("->")
    subs = ins.split(",")
    letters = sorted(set("".join(subs)))

    def lift(t, s):           # t with its axes in `letters` order, size 1 for the letters it lacks
        order = [l for l in letters if l in s]
        perm = [s.index(l) for l in order]
        if perm != sorted(perm):
            t = t.permute(*perm)
        return t.reshape(tuple(t.shape[order.index(l)] if l in s else 1 for l in letters))

    prod = lift(a, subs[0]) * lift(b, subs[1]) * lift(c, subs[2])
    summed = tuple(i for i, l in enumerate(letters) if l not in out)
    r = prod.sum(summed) if summed else prod
    kept = [l for l in letters if l in out]
    perm = [kept.index(l) for l in out]
    return r.permute(*perm) if perm != sorted(perm) else r


trilinear_op = _jvp_from_vjp(defop(
    "_trilinear", node="TrilinearBackward0", forward=_trilinear_fwd, export=False,
    i1=lambda grad, weight, i2: _contract("no,oij,nj->ni", grad, weight, i2),
    weight=lambda grad, i1, i2: _contract("no,ni,nj->oij", grad, i1, i2),
    i2=lambda grad, i1, weight: _contract("no,ni,oij->nj", grad, i1, weight)))


def bilinear(input1, input2, weight, bias=None):
    """Same as `torch.bilinear`: x1^T W x2 + b, as views around TrilinearBackward0."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.shape[2]}")
    lead = tuple(input1.shape[:-1])
    out = trilinear_op.fn(input1.reshape(-1, input1.shape[-1]), weight, input2.reshape(-1, input2.shape[-1]))
    out = out.view(*lead, weight.shape[0])
    return out + bias if bias is not None else out


# ------------------------------------------------------------------ embedding

def _emb_coef(indices, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """Per lookup, the factor its gradient row gets: 0 at padding_idx, 1/count with scale_grad_by_freq."""
    idx = _arr(indices)
    coef = np.ones(idx.shape + (1,), dtype)
    if scale_grad_by_freq:
        coef /= np.bincount(idx.ravel(), minlength=num_weights)[idx][..., None]
    if padding_idx >= 0:
        coef[idx == padding_idx] = 0
    return coef


def _emb_grad(grad, weight_sym_sizes, indices, padding_idx, scale_grad_by_freq):
    n = weight_sym_sizes[0]
    g = grad
    if padding_idx >= 0 or scale_grad_by_freq:
        g = grad * _const(grad, _emb_coef(indices, n, padding_idx, scale_grad_by_freq, _arr(grad).dtype))
    return embedding_backward_op.fn(g, indices, n) if isinstance(g, Tensor) else _scatter_rows(np, g, indices, n)


def _scatter_rows(xp, g, indices, num_weights):
    d = g.shape[-1]
    out = xp.zeros((num_weights, d), dtype=g.dtype)
    xp.add.at(out, _arr(indices).ravel(), g.reshape(-1, d))
    return out


# Note [embedding and its adjoint]: embedding gathers rows, its gradient scatters them back; each is
# the other's derivative, so gradients of any order stay exact.
embedding_op = defop("embedding", node="EmbeddingBackward0", export=False,
                     forward=lambda xp, weight, indices=None, padding_idx=-1, scale_grad_by_freq=False, sparse=False:
                         weight[_arr(indices)],
                     weight=_emb_grad,
                     jvp=lambda weight_t, indices: embedding_op.fn(weight_t, indices))
embedding_backward_op = defop("embedding_dense_backward", node="EmbeddingDenseBackwardBackward0", export=False,
                              forward=lambda xp, self, indices=None, num_weights=0:
                                  _scatter_rows(xp, self, indices, num_weights),
                              self=lambda grad, indices: embedding_op.fn(grad, indices) if isinstance(grad, Tensor)
                                  else grad[_arr(indices)],
                              jvp=lambda self_t, indices, num_weights: embedding_backward_op.fn(self_t, indices,
                                                                                                num_weights))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Same as `torch.nn.functional.embedding`: rows of `weight`; the padding_idx row gets no gradient;
    `max_norm` renormalizes the looked-up rows of `weight` in place, as torch."""
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n or padding_idx < 0 and padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx + n if padding_idx < 0 else padding_idx
    else:
        padding_idx = -1
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_errors.type_name(idx.dtype)} instead (while checking arguments "
                           f"for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if sparse:
        raise NotImplementedError("retrograd: sparse embedding gradients are not supported")
    if max_norm is not None:
        rows = np.unique(idx)
        w = weight._data
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[rows] *= scale[:, None].astype(w.dtype)
        weight._vc[0] += 1
    return embedding_op.fn(weight, input, padding_idx, scale_grad_by_freq, sparse)


def one_hot(tensor, num_classes=-1):
    """Same as `torch.nn.functional.one_hot`: int64, a new last dim of size num_classes."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return _wrap((d[..., None] == np.arange(num_classes)).astype(np.int64))


# ------------------------------------------------------------------ dropout
# torch's _dropout_impl on CPU: input * (mask / (1 - p)), a MulBackward0 whose saved mask makes the
# gradient use the same mask. The mask is drawn as torch draws it, `empty_like(input).bernoulli_(1 - p)`
# on torch's random stream (retrograd/_random.py), so with the same seed it is torch's mask.

_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, train, feature, alpha, inplace):
    if p == 0 or not train or input.numel() == 0:
        return input
    d = input._data
    if p == 1:
        zero = _wrap(np.zeros((), d.dtype))
        return input.mul_(zero) if inplace else input * zero
    if feature and d.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = d.shape[:2] + (1,) * (d.ndim - 2) if feature else d.shape
    noise = _wrap(np.empty(shape, d.dtype)).bernoulli_(1 - p)._data
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = _wrap((noise - 1) * (_ALPHA * a) + _ALPHA * a * p)
        noise = _wrap(noise * a)
        out = input.mul_(noise) if inplace else input * noise
        return out.add_(b)
    noise = _wrap(noise / (1 - p))
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Same as `torch.nn.functional.dropout` (the mask is drawn from retrograd's generator)."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Same as `torch.nn.functional.alpha_dropout`."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, True, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Same as `torch.nn.functional.feature_alpha_dropout`."""
    _check_p(p)
    return _dropout_impl(input, p, training, True, True, inplace)


def _feature_dropout(name, input, p, training, inplace, dims, batched_dim):
    _check_p(p)
    nd = input.dim()
    if name == "dropout1d" and nd not in dims:
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if name != "dropout1d" and nd not in dims:
        k = 2 if name == "dropout2d" else 3
        warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and will result in an error "
                      f"in a future release. To retain the behavior and silence this warning, please use dropout "
                      f"instead. Note that {name} exists to provide channel-wise dropout on inputs with {k} spatial "
                      f"dimensions, a channel dimension, and an optional batch dimension (i.e. {k + 1}D or "
                      f"{k + 2}D inputs).", stacklevel=3)
    unbatched = batched_dim is not None and nd != batched_dim
    if unbatched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    out = _dropout_impl(input, p, training, True, False, inplace)
    if unbatched:
        out = out.squeeze_(0) if inplace else out.squeeze(0)
    return out


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Same as `torch.nn.functional.dropout1d`: whole channels of (N, C, L) or (C, L) input."""
    return _feature_dropout("dropout1d", input, p, training, inplace, (2, 3), 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Same as `torch.nn.functional.dropout2d`: whole channels (3-D input is read as (N, C, L), as torch)."""
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout("dropout2d", input, p, training, inplace, (3, 4), None)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Same as `torch.nn.functional.dropout3d`."""
    return _feature_dropout("dropout3d", input, p, training, inplace, (4, 5), 5)


# ------------------------------------------------------------------ attention

def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """Same as `torch.nn.functional.scaled_dot_product_attention` (torch's math path: softmax of
    q k^T * scale plus the mask; rows with every key masked give zeros, as torch's _safe_softmax)."""
    from .nn import softmax
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key, value = _repeat_heads(key, rep), _repeat_heads(value, rep)
    s = math.sqrt(1.0 / math.sqrt(E) if scale is None else scale)
    attn = mul_scalar.fn(query, s).matmul(mul_scalar.fn(key.transpose(-2, -1), s))
    if is_causal:
        attn_mask = _wrap(np.tril(np.ones((L, S), dtype=bool)))
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            bias = np.where(m, 0.0, -np.inf).astype(attn._data.dtype)
        else:
            bias = attn_mask
        attn = attn + (_wrap(bias) if isinstance(bias, np.ndarray) else bias)
    full = (attn._data == -np.inf).all(axis=-1, keepdims=True)
    if full.any():      # torch's _safe_softmax: a row with every key masked attends to nothing
        from .. import where
        full = _wrap(np.ascontiguousarray(np.broadcast_to(full, attn.shape)))
        zero = _wrap(np.zeros((), attn._data.dtype))
        p = where(full, zero, softmax(where(full, zero, attn), -1))
    else:
        p = softmax(attn, -1)
    if dropout_p > 0.0:
        p = dropout(p, dropout_p, True)
    return p.matmul(value)


def _repeat_heads(x, rep):
    shape = tuple(x.shape)
    return x.unsqueeze(-3).expand(*shape[:-2], rep, *shape[-2:]).reshape(*shape[:-3], shape[-3] * rep, *shape[-2:])


# ------------------------------------------------------------------ torch.<name> forms (ATen's argument order)

@export(method=False, name="bilinear")
def _torch_bilinear(input1, input2, weight, bias=None):
    """Same as `torch.bilinear`."""
    return bilinear(input1, input2, weight, bias)


@export(method=False, name="embedding")
def _torch_embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Same as `torch.embedding` (weight first; padding_idx -1 means none)."""
    return embedding(indices, weight, None if padding_idx < 0 else padding_idx, None, 2.0, scale_grad_by_freq, sparse)


@export(method=False, name="dropout")
def _torch_dropout(input, p, train):
    """Same as `torch.dropout`."""
    return _dropout_impl(input, p, train, False, False, False)


@export(method=False, name="dropout_")
def _torch_dropout_(input, p, train):
    return _dropout_impl(input, p, train, False, False, True)


@export(method=False, name="alpha_dropout")
def _torch_alpha_dropout(input, p, train):
    """Same as `torch.alpha_dropout`."""
    return _dropout_impl(input, p, train, False, True, False)


@export(method=False, name="feature_dropout")
def _torch_feature_dropout(input, p, train):
    """Same as `torch.feature_dropout`."""
    return _dropout_impl(input, p, train, True, False, False)


@export(method=False, name="feature_alpha_dropout")
def _torch_feature_alpha_dropout(input, p, train):
    """Same as `torch.feature_alpha_dropout`."""
    return _dropout_impl(input, p, train, True, True, False)


@export(method=False, name="alpha_dropout_")
def _torch_alpha_dropout_(input, p, train):
    return _dropout_impl(input, p, train, False, True, True)


@export(method=False, name="feature_dropout_")
def _torch_feature_dropout_(input, p, train):
    return _dropout_impl(input, p, train, True, False, True)


@export(method=False, name="feature_alpha_dropout_")
def _torch_feature_alpha_dropout_(input, p, train):
    return _dropout_impl(input, p, train, True, True, True)


@export(method=False, name="relu_")
def _torch_relu_(input):
    """Same as `torch.relu_`."""
    return input.relu_()


# ------------------------------------------------------------------ embedding_bag
# Rows of weight summed / averaged / maxed per bag. The gradient gathers each index's bag gradient
# (embedding of grad by bag id), weighs it, and scatters it back to the rows (embedding_dense_backward):
# built from the embedding pair, so it is differentiable again.

def _bag_parts(weight, indices, bags, nbags, mode, padding_idx, scale_grad_by_freq):
    w, idx, b = _arr(weight), _arr(indices), _arr(bags)
    keep = idx != padding_idx
    count = np.bincount(b[keep], minlength=nbags)
    coef = keep.astype(w.dtype)
    if mode == 1:
        coef = coef / np.maximum(count, 1)[b]
    if scale_grad_by_freq:
        coef = coef / np.bincount(idx, minlength=w.shape[0])[idx]
    coef = coef[:, None]
    if mode == 2:                    # the max: only the index that gave each bag's maximum, per column
        rows = np.where(keep[:, None], w[idx], -np.inf)
        best = np.full((nbags, w.shape[1]), -np.inf, w.dtype)
        np.maximum.at(best, b, rows)
        pos = np.broadcast_to(np.arange(len(idx))[:, None], rows.shape)
        first = np.full(best.shape, len(idx))
        np.minimum.at(first, b, np.where(rows == best[b], pos, len(idx)))     # the first one, on ties
        coef = coef * (pos == first[b])
    return keep, count, coef


def _bag_fwd(xp, weight, per_sample_weights, indices=None, bags=None, nbags=0, mode=1, padding_idx=-1,
             scale_grad_by_freq=False):
    idx, b = _arr(indices), _arr(bags)
    keep = idx != padding_idx
    count = np.bincount(b[keep], minlength=nbags)
    rows = weight[idx]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    if mode == 2:
        out = xp.full((nbags, weight.shape[1]), -np.inf, weight.dtype)
        xp.maximum.at(out, b[keep], rows[keep])
        return xp.where(count[:, None] > 0, out, 0).astype(weight.dtype)
    out = xp.zeros((nbags, weight.shape[1]), weight.dtype)
    xp.add.at(out, b[keep], rows[keep])
    return out / np.maximum(count, 1)[:, None].astype(weight.dtype) if mode == 1 else out


def _bag_rows(grad, bags):
    return embedding_op.fn(grad, bags) if isinstance(grad, Tensor) else grad[_arr(bags)]


def _bag_weight_grad(grad, weight, per_sample_weights, indices, bags, nbags, mode, padding_idx, scale_grad_by_freq):
    _, _, coef = _bag_parts(weight, indices, bags, nbags, mode, padding_idx, scale_grad_by_freq)
    g = _bag_rows(grad, bags) * _const(grad, coef.astype(_arr(grad).dtype))
    if per_sample_weights is not None:
        g = g * per_sample_weights.reshape(-1, 1)
    n = _arr(weight).shape[0]
    return embedding_backward_op.fn(g, indices, n) if isinstance(g, Tensor) else _scatter_rows(np, g, indices, n)


def _bag_psw_grad(grad, weight, indices, bags, padding_idx):
    rows = embedding_op.fn(weight, indices) if isinstance(weight, Tensor) else weight[_arr(indices)]
    keep = _const(grad, (_arr(indices) != padding_idx).astype(_arr(grad).dtype))
    return (_bag_rows(grad, bags) * rows).sum(-1) * keep


# (torch has no JVP here: "Trying to use forward AD with _embedding_bag ...")
embedding_bag_op = (defop(
    "_embedding_bag", node="EmbeddingBagBackward0", forward=_bag_fwd, export=False, jvp=FROM_VJP,
    weight=_bag_weight_grad,
    per_sample_weights=lambda grad, weight, indices, bags, padding_idx: _bag_psw_grad(grad, weight, indices, bags,
                                                                                       padding_idx)))


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Same as `torch.nn.functional.embedding_bag` (dense gradients): EmbeddingBagBackward0."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    idx = input._data
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        nbags, length = idx.shape
        bags = np.repeat(np.arange(nbags), length)
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = offsets._data.astype(np.int64)
        if include_last_offset:
            off = off[:-1]
        nbags = len(off)
        bags = np.searchsorted(off, np.arange(len(idx)), side="right") - 1
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    modes = {"sum": 0, "mean": 1, "max": 2}
    if mode not in modes:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if sparse:
        raise NotImplementedError("retrograd: sparse embedding gradients are not supported")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        embedding(_wrap(idx.copy()), weight, None, max_norm, norm_type)
    pad = -1 if padding_idx is None else (padding_idx + n if padding_idx < 0 else padding_idx)
    return embedding_bag_op.fn(weight, per_sample_weights, _wrap(idx.astype(np.int64)), _wrap(bags.astype(np.int64)),
                               nbags, modes[mode], pad, scale_grad_by_freq)
