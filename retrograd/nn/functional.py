"""Same as `torch.nn.functional`: activations, softmax, losses, normalization, linear layers,
embedding, dropout, distances and attention (ops/nn*.py), plus convolution, pooling, padding and
interpolation (ops/conv.py)."""
from ..ops.conv import *  # noqa: F401,F403
from ..ops.nn import (  # noqa: F401
    relu, hardtanh, hardtanh_, relu6, elu, elu_, selu, celu, leaky_relu, leaky_relu_, gelu, silu, mish,
    softplus, hardsigmoid, hardswish, logsigmoid, softsign, tanhshrink, softshrink, hardshrink, threshold,
    threshold_, prelu, glu, rrelu, rrelu_, softmin, gumbel_softmax, _softmax_dim, selu_, celu_)
from ..ops.nn_loss import (  # noqa: F401
    mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
    soft_margin_loss, nll_loss, cross_entropy, kl_div, poisson_nll_loss, gaussian_nll_loss, margin_ranking_loss,
    hinge_embedding_loss, multilabel_soft_margin_loss, cosine_embedding_loss, triplet_margin_loss, multi_margin_loss,
    triplet_margin_with_distance_loss)
from ..ops.nn_norm import (  # noqa: F401
    layer_norm, batch_norm, instance_norm, group_norm, rms_norm, local_response_norm, normalize, cosine_similarity,
    pairwise_distance, pdist)
from ..ops.nn_layers import (  # noqa: F401
    linear, bilinear, embedding, one_hot, dropout, alpha_dropout, feature_alpha_dropout, dropout1d, dropout2d,
    dropout3d, scaled_dot_product_attention, embedding_bag)
from ..ops.nn_attention import multi_head_attention_forward  # noqa: F401
from ..ops import nn as _nn


def relu_(input):
    """Same as `torch.nn.functional.relu_`."""
    return input.relu_()


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Same as `torch.nn.functional.softmax`: SoftmaxBackward0."""
    return _nn.softmax(input, _softmax_dim("softmax", input.dim()) if dim is None else dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Same as `torch.nn.functional.log_softmax`: LogSoftmaxBackward0."""
    return _nn.log_softmax(input, _softmax_dim("log_softmax", input.dim()) if dim is None else dim, dtype)


def sigmoid(input):
    """Same as `torch.nn.functional.sigmoid`."""
    return input.sigmoid()


def tanh(input):
    """Same as `torch.nn.functional.tanh`."""
    return input.tanh()
