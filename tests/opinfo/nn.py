"""OpCases for retrograd/ops/nn.py, nn_loss.py and nn_norm.py (activations, softmax, losses,
normalization, embedding, ...). Integer targets and masks are built inside the lambdas from fixed
values, so both libraries see the same ones."""
from . import *  # noqa: F401,F403
from . import OpCase, NONEMPTY, ANY, NONZERO, AWAY_FROM_INT, uniform, fixed

F = lambda lib: lib.nn.functional
WIDE = uniform(-4.0, 4.0)

CASES = [
    # ---------------------------------------------------------------- activations
    OpCase("hardtanh", lambda lib, x: F(lib).hardtanh(x * 2), domain=AWAY_FROM_INT, covers=("hardtanh", "mul")),
    OpCase("relu6", lambda lib, x: F(lib).relu6(x * 4), domain=AWAY_FROM_INT, covers=("hardtanh", "mul")),
    OpCase("hardtanh_inplace", lambda lib, x: F(lib).hardtanh(x * 2, -0.5, 1.5, inplace=True), domain=AWAY_FROM_INT,
           covers=("hardtanh", "mul")),
    OpCase("leaky_relu", lambda lib, x: F(lib).leaky_relu(x, 0.2), domain=NONZERO),
    OpCase("leaky_relu_inplace", lambda lib, x: F(lib).leaky_relu(x * 1, 0.2, inplace=True), domain=NONZERO,
           covers=("leaky_relu_inplace", "mul")),
    OpCase("elu", lambda lib, x: F(lib).elu(x, 0.7), domain=NONZERO),
    OpCase("elu_inplace", lambda lib, x: F(lib).elu_(x * 1, 0.7), domain=NONZERO, covers=("elu_inplace", "mul")),
    OpCase("selu", lambda lib, x: lib.selu(x), domain=NONZERO, covers=("elu",)),
    OpCase("selu_inplace", lambda lib, x: F(lib).selu(x * 1, inplace=True), domain=NONZERO,
           covers=("elu_inplace", "mul")),
    OpCase("celu", lambda lib, x: F(lib).celu(x, 1.5), domain=NONZERO),
    OpCase("celu_inplace", lambda lib, x: lib.celu_(x * 1, 1.5), domain=NONZERO, covers=("celu_inplace", "mul")),
    OpCase("gelu", lambda lib, x: F(lib).gelu(x * 2), covers=("gelu", "_ndtr", "mul")),
    OpCase("gelu_tanh", lambda lib, x: F(lib).gelu(x * 2, approximate="tanh"), covers=("gelu", "mul")),
    OpCase("silu", lambda lib, x: F(lib).silu(x * 2), covers=("silu", "mul")),
    OpCase("silu_inplace", lambda lib, x: F(lib).silu(x * 2, inplace=True), covers=("silu", "mul")),
    OpCase("mish", lambda lib, x: F(lib).mish(x * 2), covers=("mish", "mul")),
    OpCase("softplus", lambda lib, x: F(lib).softplus(x * 2), covers=("softplus", "mul")),
    OpCase("softplus_beta", lambda lib, x: F(lib).softplus(x, beta=3, threshold=4), domain=WIDE,
           covers=("softplus",)),
    OpCase("hardsigmoid", lambda lib, x: F(lib).hardsigmoid(x), domain=AWAY_FROM_INT, grad2=False,
           notes="torch: derivative for aten::hardsigmoid_backward is not implemented"),
    OpCase("hardswish", lambda lib, x: F(lib).hardswish(x * 1.5), domain=AWAY_FROM_INT, covers=("hardswish", "mul")),
    OpCase("hardswish_inplace", lambda lib, x: F(lib).hardswish(x * 1.5, inplace=True), domain=AWAY_FROM_INT,
           covers=("hardswish", "mul")),
    OpCase("hardsigmoid_inplace", lambda lib, x: F(lib).hardsigmoid(x * 1.5, inplace=True), domain=AWAY_FROM_INT,
           covers=("hardsigmoid", "mul"), grad2=False),
    OpCase("mish_inplace", lambda lib, x: F(lib).mish(x * 2, inplace=True), covers=("mish", "mul")),
    OpCase("logsigmoid", lambda lib, x: F(lib).logsigmoid(x * 3), covers=("log_sigmoid", "mul")),
    OpCase("softsign", lambda lib, x: F(lib).softsign(x), domain=NONZERO, covers=("div", "add", "abs")),
    OpCase("tanhshrink", lambda lib, x: F(lib).tanhshrink(x), covers=("sub", "tanh")),
    OpCase("softshrink", lambda lib, x: F(lib).softshrink(x), domain=AWAY_FROM_INT),
    OpCase("hardshrink", lambda lib, x: x.hardshrink(0.5) + lib.hardshrink(x), domain=AWAY_FROM_INT,
           covers=("hardshrink", "add")),
    OpCase("threshold", lambda lib, x: F(lib).threshold(x, 0.5, -2.0), domain=AWAY_FROM_INT),
    OpCase("threshold_inplace", lambda lib, x: F(lib).threshold(x * 1, 0.5, 2.0, inplace=True), domain=AWAY_FROM_INT,
           covers=("threshold_inplace", "mul")),
    OpCase("prelu", lambda lib, x, w: F(lib).prelu(x, w), fixed(((2, 3, 4), (3,)), ((3, 2), (2,)), ((4,), (1,)),
                                                                 ((2, 3), (1,)), ((), (1,))),
           domain=NONZERO, covers=("_prelu_kernel", "view")),
    OpCase("glu", lambda lib, x: F(lib).glu(x), fixed(((2, 4),), ((6,),), ((3, 2, 2),)),
           covers=("glu", "_nn_narrow", "_nn_unnarrow")),
    OpCase("glu_dim", lambda lib, x: F(lib).glu(x, 0), fixed(((4, 3),), ((2, 1),)),
           covers=("glu", "_nn_narrow", "_nn_unnarrow")),
    OpCase("rrelu_eval", lambda lib, x: F(lib).rrelu(x, 0.1, 0.3), domain=NONZERO, covers=("rrelu_with_noise",)),
    OpCase("rrelu_inplace_eval", lambda lib, x: F(lib).rrelu(x * 1, 0.1, 0.3, inplace=True), domain=NONZERO,
           covers=("rrelu_with_noise_", "mul")),
    # ---------------------------------------------------------------- softmax
    OpCase("softmax", lambda lib, x: F(lib).softmax(x, -1), NONEMPTY, covers=("_softmax",)),
    OpCase("softmax_dim0", lambda lib, x: x.softmax(0) * 3, fixed(((3, 4),), ((2, 2, 3),)),
           covers=("_softmax", "mul")),
    OpCase("softmax_dtype", lambda lib, x: lib.softmax(x.float(), 1, dtype=lib.float64),
           fixed(((3, 4),)), covers=("_softmax", "_to_copy"), dtypes=("float64",), gradcheck=False,
           notes="rounds through float32: too coarse for finite differences"),
    OpCase("log_softmax", lambda lib, x: F(lib).log_softmax(x, dim=-1), NONEMPTY, covers=("_log_softmax",)),
    OpCase("log_softmax_dim1", lambda lib, x: x.log_softmax(1) * 2, fixed(((3, 4, 2),)),
           covers=("_log_softmax", "mul")),
    OpCase("log_softmax_large", lambda lib, x: F(lib).log_softmax(x * 1000, 1), fixed(((3, 4),)),
           covers=("_log_softmax", "mul"), grad2=False),
    OpCase("softmin", lambda lib, x: F(lib).softmin(x, 1), fixed(((3, 4),)), covers=("_softmax", "neg")),
]

# ---------------------------------------------------------------- losses
PROB = uniform(0.05, 0.95)
SAME = fixed(((3, 4), (3, 4)), ((5,), (5,)), ((2, 3, 2), (2, 3, 2)))
REDUCTIONS = ("mean", "sum", "none")


def _targets(lib, shape, c, ignore=False):
    """Class indices of `shape` in [0, c), the same in both libraries; with `ignore`, every third is -100."""
    n = 1
    for s in shape:
        n *= s
    vals = [(7 * i + 3) % c for i in range(n)]
    if ignore:
        vals = [-100 if i % 3 == 1 else v for i, v in enumerate(vals)]
    return lib.tensor(vals, dtype=lib.int64).reshape(shape)


def _loss_cases(name, fn, shapes=SAME, domain=ANY, covers=None, **kw):
    return [OpCase(f"{name}_{r}", (lambda r: lambda lib, *xs: fn(lib, *xs, reduction=r))(r), shapes, domain=domain,
                   covers=covers or (name,), **kw) for r in REDUCTIONS]


CASES += [
    *_loss_cases("mse_loss", lambda lib, x, y, reduction: F(lib).mse_loss(x, y, reduction=reduction)),
    OpCase("mse_loss_broadcast", lambda lib, x, y: F(lib).mse_loss(x, y), fixed(((3, 4), (4,))),
           covers=("mse_loss", "expand")),
    OpCase("mse_loss_weight", lambda lib, x, y: F(lib).mse_loss(x, y, weight=y.abs() + 1), fixed(((3, 4), (3, 4))),
           covers=("pow_scalar", "sub", "mul", "sum", "div", "abs", "add")),
    *_loss_cases("l1_loss", lambda lib, x, y, reduction: F(lib).l1_loss(x, y, reduction=reduction),
                 domain=(ANY, AWAY_FROM_INT), covers=("abs", "sub", "mean", "sum"), grad2=False,
                 notes="torch's second derivative of abs is a ZeroTensor the oracle cannot read"),
    *_loss_cases("smooth_l1_loss", lambda lib, x, y, reduction: F(lib).smooth_l1_loss(x, y, reduction=reduction,
                                                                                     beta=0.7)),
    OpCase("smooth_l1_loss_beta0", lambda lib, x, y: F(lib).smooth_l1_loss(x, y, beta=0.0), SAME,
           domain=(ANY, AWAY_FROM_INT), covers=("abs", "sub", "mean"), grad2=False),
    *_loss_cases("huber_loss", lambda lib, x, y, reduction: F(lib).huber_loss(x, y, reduction=reduction,
                                                                             delta=0.8)),
    OpCase("huber_loss_weight", lambda lib, x, y: F(lib).huber_loss(x, y, weight=y.abs()), fixed(((3, 4), (3, 4))),
           covers=("huber_loss", "mul", "mean", "abs")),
    *_loss_cases("binary_cross_entropy", lambda lib, x, y, reduction: F(lib).binary_cross_entropy(
        x, y, reduction=reduction), domain=(PROB, PROB)),
    OpCase("binary_cross_entropy_weight", lambda lib, x, y, w: F(lib).binary_cross_entropy(x, y, w.detach()),
           fixed(((3, 4), (3, 4), (4,))), domain=(PROB, PROB, PROB), covers=("binary_cross_entropy", "expand")),
    *_loss_cases("binary_cross_entropy_with_logits", lambda lib, x, y, reduction:
                 F(lib).binary_cross_entropy_with_logits(x * 3, y, reduction=reduction), domain=(ANY, PROB),
                 covers=("binary_cross_entropy_with_logits", "mul")),
    OpCase("bce_with_logits_weights", lambda lib, x, y, w, pw: F(lib).binary_cross_entropy_with_logits(
        x * 3, y, w.detach(), pos_weight=pw.detach()), fixed(((3, 4), (3, 4), (3, 1), (4,))),
        domain=(ANY, PROB, PROB, PROB), covers=("binary_cross_entropy_with_logits", "mul")),
    OpCase("bce_with_logits_large", lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(
        x * 1000, y, reduction="none"), fixed(((3, 4), (3, 4))), domain=(NONZERO, PROB),
        covers=("binary_cross_entropy_with_logits", "mul")),
    *_loss_cases("soft_margin_loss", lambda lib, x, y, reduction: F(lib).soft_margin_loss(
        x, y.detach().sign(), reduction=reduction), domain=(ANY, NONZERO), covers=("soft_margin_loss", "sign")),
    *_loss_cases("nll_loss", lambda lib, x, reduction: F(lib).nll_loss(x, _targets(lib, x.shape[:1], x.shape[1]),
                                                                       reduction=reduction),
                 fixed(((3, 4),), ((5, 2),)), covers=("nll_loss",)),
    OpCase("nll_loss_1d", lambda lib, x: F(lib).nll_loss(x, lib.tensor(2)), fixed(((4,),)), covers=("nll_loss",)),
    *_loss_cases("nll_loss_weight_ignore", lambda lib, x, w, reduction: F(lib).nll_loss(
        x, _targets(lib, x.shape[:1], x.shape[1], ignore=True), w.detach().abs(), reduction=reduction),
        fixed(((6, 4), (4,)),), covers=("nll_loss", "abs")),
    *_loss_cases("nll_loss2d", lambda lib, x, reduction: F(lib).nll_loss(
        x, _targets(lib, (x.shape[0],) + tuple(x.shape[2:]), x.shape[1], ignore=True), reduction=reduction),
        fixed(((2, 3, 2, 2),), ((1, 4, 3, 1),)), covers=("nll_loss2d",)),
    *_loss_cases("nll_loss_nd", lambda lib, x, reduction: F(lib).nll_loss(
        x, _targets(lib, (x.shape[0],) + tuple(x.shape[2:]), x.shape[1]), reduction=reduction),
        fixed(((2, 3, 4),), ((2, 3, 2, 1, 2),)), covers=("nll_loss2d", "view")),
    *_loss_cases("cross_entropy", lambda lib, x, reduction: F(lib).cross_entropy(
        x, _targets(lib, (x.shape[0],) + tuple(x.shape[2:]), x.shape[1]), reduction=reduction),
        fixed(((3, 4),), ((2, 3, 4),), ((2, 3, 2, 2),)), covers=("nll_loss", "nll_loss2d", "_log_softmax", "view")),
    OpCase("cross_entropy_1d", lambda lib, x: F(lib).cross_entropy(x, lib.tensor(1)), fixed(((4,),)),
           covers=("nll_loss", "_log_softmax")),
    OpCase("cross_entropy_large", lambda lib, x: F(lib).cross_entropy(x * 1000, _targets(lib, (3,), 4)),
           fixed(((3, 4),)), covers=("nll_loss", "_log_softmax", "mul"), grad2=False),
    OpCase("cross_entropy_weight_ignore", lambda lib, x, w: F(lib).cross_entropy(
        x, _targets(lib, (6,), 4, ignore=True), w.detach().abs()), fixed(((6, 4), (4,))),
        covers=("nll_loss", "_log_softmax", "abs")),
    *_loss_cases("cross_entropy_probs", lambda lib, x, p, reduction: F(lib).cross_entropy(
        x, p.detach().softmax(1), reduction=reduction), fixed(((3, 4), (3, 4)), ((2, 3, 2), (2, 3, 2))),
        covers=("_log_softmax", "_softmax", "mul", "sum", "sum_dim", "neg", "_div_scalar")),
    OpCase("cross_entropy_probs_smooth_weight", lambda lib, x, p, w: F(lib).cross_entropy(
        x, p.detach().softmax(1), w.detach().abs(), label_smoothing=0.2), fixed(((3, 4), (3, 4), (4,))),
        covers=("_log_softmax", "_softmax", "mul", "sum", "neg", "_div_scalar", "_mul_scalar", "_add_scalar",
                "view", "abs")),
]

SIGNS = lambda lib, shape: lib.tensor([(-1.0) ** (i * i // 2) for i in range(_n(shape))]).reshape(shape)


def _n(shape):
    n = 1
    for s in shape:
        n *= s
    return n


CASES += [
    *_loss_cases("kl_div", lambda lib, x, y, reduction: F(lib).kl_div(x, y, reduction=reduction),
                 domain=(ANY, PROB), covers=("sub", "mul", "mean", "sum", "_nn_xlogy")),
    OpCase("kl_div_batchmean", lambda lib, x, y: F(lib).kl_div(x, y, reduction="batchmean"), SAME,
           domain=(ANY, PROB), covers=("sub", "mul", "sum", "div", "_nn_xlogy")),
    OpCase("kl_div_log_target", lambda lib, x, y: F(lib).kl_div(x, y, reduction="sum", log_target=True), SAME,
           covers=("exp", "sub", "mul", "sum")),
    *_loss_cases("poisson_nll_loss", lambda lib, x, y, reduction: F(lib).poisson_nll_loss(x, y, reduction=reduction),
                 domain=(ANY, PROB), covers=("exp", "sub", "mul", "mean", "sum")),
    OpCase("poisson_nll_loss_linear", lambda lib, x, y: F(lib).poisson_nll_loss(x, y, log_input=False), SAME,
           domain=(PROB, PROB), covers=("add", "log", "sub", "mul", "mean")),
    *_loss_cases("gaussian_nll_loss", lambda lib, x, y, v, reduction: F(lib).gaussian_nll_loss(
        x, y, v, reduction=reduction), fixed(((3, 4), (3, 4), (3, 4)), ((3, 4), (3, 4), (3, 1)), ((3, 4), (3, 4), (3,))),
        domain=(ANY, ANY, PROB), covers=("clone", "log", "sub", "pow_scalar", "div", "add", "mul", "mean", "sum",
                                        "unsqueeze")),
    *_loss_cases("margin_ranking_loss", lambda lib, x, y, reduction: F(lib).margin_ranking_loss(
        x, y, SIGNS(lib, x.shape), 0.3, reduction=reduction), domain=(ANY, AWAY_FROM_INT),
        covers=("neg", "sub", "mul", "_add_scalar", "clamp_scalar", "mean", "sum"), grad2=False),
    *_loss_cases("hinge_embedding_loss", lambda lib, x, reduction: F(lib).hinge_embedding_loss(
        x, SIGNS(lib, x.shape), 0.7, reduction=reduction), fixed(((3, 4),), ((5,),)), domain=AWAY_FROM_INT,
        covers=("sub", "clamp_scalar", "where", "add", "mean", "sum", "ne"), grad2=False),
    *_loss_cases("multilabel_soft_margin_loss", lambda lib, x, y, reduction: F(lib).multilabel_soft_margin_loss(
        x, (y.detach() > 0).double(), reduction=reduction), fixed(((3, 4), (3, 4)), ((5,), (5,))),
        covers=("log_sigmoid", "mul", "neg", "rsub_scalar", "add", "sum_dim", "div", "mean", "sum", "_to_copy", "gt")),
    *_loss_cases("cosine_embedding_loss", lambda lib, x, y, reduction: F(lib).cosine_embedding_loss(
        x, y, SIGNS(lib, x.shape[:-1]), 0.1, reduction=reduction), fixed(((3, 4), (3, 4)), ((5,), (5,))),
        covers=("mul", "sum_dim", "_add_scalar", "sqrt", "div", "sub", "_sub_scalar", "clamp_scalar", "where",
                "add", "mean", "sum", "eq"), grad2=False),
]

# ---------------------------------------------------------------- normalization
CASES += [
    OpCase("layer_norm", lambda lib, x: F(lib).layer_norm(x, x.shape[-1:]), fixed(((3, 4),), ((2, 3, 5),), ((6,),)),
           covers=("native_layer_norm",)),
    OpCase("layer_norm_affine", lambda lib, x, w, b: F(lib).layer_norm(x, x.shape[-2:], w, b, eps=1e-3),
           fixed(((3, 4, 2), (4, 2), (4, 2)), ((2, 3), (2, 3), (2, 3))), covers=("native_layer_norm",)),
    OpCase("layer_norm_weight_only", lambda lib, x, w: F(lib).layer_norm(x, (4,), w), fixed(((3, 4), (4,))),
           covers=("native_layer_norm",)),
    OpCase("batch_norm_train", lambda lib, x, w, b: F(lib).batch_norm(x, None, None, w, b, training=True),
           fixed(((4, 3), (3,), (3,)), ((2, 3, 4), (3,), (3,)), ((2, 2, 3, 2), (2,), (2,))),
           covers=("native_batch_norm",)),
    OpCase("batch_norm_train_running", lambda lib, x: F(lib).batch_norm(
        x, lib.zeros(x.shape[1], dtype=x.dtype), lib.ones(x.shape[1], dtype=x.dtype), training=True, momentum=0.3),
        fixed(((4, 3),), ((2, 3, 4),)), covers=("native_batch_norm",)),
    OpCase("batch_norm_eval", lambda lib, x, w, b, m, v: F(lib).batch_norm(
        x, m.detach(), v.detach().abs() + 0.5, w, b), fixed(((4, 3), (3,), (3,), (3,), (3,)),
                                                          ((2, 3, 2), (3,), (3,), (3,), (3,))),
        covers=("native_batch_norm", "abs", "add")),
    OpCase("instance_norm", lambda lib, x: F(lib).instance_norm(x), fixed(((2, 3, 4),), ((1, 2, 3, 2),)),
           covers=("native_batch_norm", "view")),
    OpCase("group_norm", lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b),
           fixed(((2, 4, 3), (4,), (4,)), ((3, 2, 2, 2), (2,), (2,)), ((2, 6), (6,), (6,))),
           covers=("native_group_norm",)),
    OpCase("group_norm_plain", lambda lib, x: F(lib).group_norm(x, 3), fixed(((2, 3, 4),), ((1, 6, 2),)),
           covers=("native_group_norm",)),
    OpCase("rms_norm", lambda lib, x, w: F(lib).rms_norm(x, x.shape[-1:], w), fixed(((3, 4), (4,)), ((2, 3, 2), (2,))),
           covers=("pow_scalar", "mean_dim", "_add_scalar", "rsqrt", "mul")),
    OpCase("rms_norm_eps", lambda lib, x: F(lib).rms_norm(x, x.shape[-2:], eps=1e-3), fixed(((3, 4),), ((2, 3, 2),)),
           covers=("pow_scalar", "mean_dim", "_add_scalar", "rsqrt", "mul")),
]

# ---------------------------------------------------------------- layers
CASES += [
    OpCase("bilinear", lambda lib, x, y, w, b: F(lib).bilinear(x, y, w, b),
           fixed(((3, 2), (3, 4), (5, 2, 4), (5,)), ((2, 3, 2), (2, 3, 3), (4, 2, 3), (4,))),
           covers=("_trilinear", "view", "add")),
    OpCase("bilinear_nobias", lambda lib, x, y, w: lib.bilinear(x, y, w), fixed(((3, 2), (3, 4), (5, 2, 4)),),
           covers=("_trilinear", "view")),
    OpCase("embedding", lambda lib, w: F(lib).embedding(lib.tensor([[0, 2, 1], [2, 2, 3]]), w),
           fixed(((4, 3),), ((5, 1),)), covers=("embedding", "embedding_dense_backward")),
    OpCase("embedding_padding", lambda lib, w: F(lib).embedding(lib.tensor([0, 2, 1, 2, 0]), w, padding_idx=2),
           fixed(((4, 3),),), covers=("embedding", "embedding_dense_backward"), gradcheck=False,
           notes="the padding row gets no gradient by definition, not by derivative"),
    OpCase("embedding_freq", lambda lib, w: F(lib).embedding(lib.tensor([[0, 2], [1, 2]]), w, scale_grad_by_freq=True,
                                                             padding_idx=-4),
           fixed(((4, 3),),), covers=("embedding", "embedding_dense_backward"), grad2=False, gradcheck=False,
           notes="scaled by 1/count by definition, not a derivative; torch's double backward of embedding_dense_backward drops the 1/count scaling; ours keeps it"),
    OpCase("embedding_max_norm", lambda lib, w: F(lib).embedding(lib.tensor([0, 2, 2]), w.detach().clone() * 1, max_norm=0.5),
           fixed(((4, 3),),), grad=False, covers=("embedding", "clone", "mul")),
]
CASES += [
    OpCase("local_response_norm", lambda lib, x: F(lib).local_response_norm(x, 3, alpha=0.1, k=2.0),
           fixed(((2, 4, 3),), ((1, 5, 2, 2),), ((2, 3, 2, 1, 2),)), domain=uniform(0.5, 2.0),
           covers=("mul", "div", "pow_scalar", "view")),
]
CASES += [
    *_loss_cases("multi_margin_loss", lambda lib, x, reduction: F(lib).multi_margin_loss(
        x, _targets(lib, x.shape[:1], x.shape[1]), margin=0.7, reduction=reduction), fixed(((4, 3),), ((2, 5),)),
        domain=AWAY_FROM_INT, grad2=False, notes="torch: derivative for multi_margin_loss_backward not implemented"),
    OpCase("multi_margin_loss_p2_weight", lambda lib, x, w: F(lib).multi_margin_loss(
        x, _targets(lib, x.shape[:1], x.shape[1]), p=2, weight=w.detach().abs()), fixed(((4, 3), (3,))),
        domain=AWAY_FROM_INT, grad2=False, covers=("multi_margin_loss", "abs")),
    OpCase("multi_margin_loss_1d", lambda lib, x: F(lib).multi_margin_loss(x, lib.tensor(1), reduction="sum"),
           fixed(((4,),)), domain=AWAY_FROM_INT, grad2=False, covers=("multi_margin_loss",)),
    OpCase("pdist", lambda lib, x: F(lib).pdist(x), fixed(((4, 3),), ((2, 5),), ((1, 2),)), grad2=False,
           covers=("_pdist_forward", "embedding", "embedding_dense_backward"),
           notes="torch: the derivative for '_pdist_backward' is not implemented"),
    OpCase("pdist_p", lambda lib, x: lib.pdist(x, 1) + lib.pdist(x, 3) + lib.pdist(x, float("inf")),
           fixed(((4, 3),)), domain=lambda rng, s: rng.permutation(12).reshape(s) * 0.3 + 0.1,
           grad2=False, covers=("_pdist_forward", "add"), gradcheck=False,
           notes="the inf-norm picks one coordinate: a kink finite differences straddle"),
]

# ---------------------------------------------------------------- built on linalg / reduce ops
CASES += [
    OpCase("linear", lambda lib, x, w, b: F(lib).linear(x, w, b), fixed(((3, 4), (5, 4), (5,)), ((4,), (2, 4), (2,)),
                                                                    ((2, 3, 4), (5, 4), (5,)), ((2, 1, 2, 3), (2, 3), (2,))),
           covers=("t", "view")),
    OpCase("linear_nobias", lambda lib, x, w: F(lib).linear(x, w), fixed(((3, 4), (5, 4)), ((2, 3, 4), (5, 4))),
           covers=("t",)),
    OpCase("sdpa", lambda lib, q, k, v: F(lib).scaled_dot_product_attention(q, k, v),
           fixed(((2, 3, 4), (2, 5, 4), (2, 5, 2)), ((1, 2, 3, 2), (1, 2, 3, 2), (1, 2, 3, 3))),
           covers=("_mul_scalar", "_softmax", "transpose")),
    OpCase("sdpa_causal", lambda lib, q, k, v: F(lib).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.4),
           fixed(((2, 3, 4), (2, 3, 4), (2, 3, 2)),), covers=("_mul_scalar", "_softmax", "transpose", "add")),
    OpCase("sdpa_mask", lambda lib, q, k, v, m: F(lib).scaled_dot_product_attention(q, k, v, attn_mask=m.detach()),
           fixed(((2, 3, 4), (2, 5, 4), (2, 5, 2), (3, 5))), covers=("_mul_scalar", "_softmax", "transpose", "add")),
    OpCase("normalize", lambda lib, x: F(lib).normalize(x, dim=-1), fixed(((3, 4),), ((2, 3, 2),)),
           covers=("div", "expand")),
    OpCase("normalize_p1", lambda lib, x: F(lib).normalize(x, p=1, dim=0), fixed(((3, 4),),), domain=NONZERO,
           covers=("div", "expand")),
    OpCase("cosine_similarity", lambda lib, x, y: F(lib).cosine_similarity(x, y, dim=-1),
           fixed(((3, 4), (3, 4)), ((2, 3), (3,))), covers=("clone", "div", "mul", "sum_dim")),
    OpCase("pairwise_distance", lambda lib, x, y: F(lib).pairwise_distance(x, y),
           fixed(((3, 4), (3, 4)), ((2, 3), (3,))), covers=("_add_scalar", "sub")),
    OpCase("triplet_margin_loss", lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n, margin=2.0, swap=True),
           fixed(((3, 4), (3, 4), (3, 4)),), covers=("_add_scalar", "sub", "minimum"), grad2=False),
]
CASES += [
    OpCase("embedding_bag", lambda lib, w: F(lib).embedding_bag(lib.tensor([0, 2, 4, 3, 4, 1]), w, lib.tensor([0, 2, 2]),
                                                                mode="mean"),
           fixed(((5, 3),),), grad2=False, covers=("_embedding_bag",),
           notes="torch: the derivative for '_embedding_bag_backward' is not implemented"),
    OpCase("embedding_bag_sum_weights", lambda lib, w, p: F(lib).embedding_bag(
        lib.tensor([[0, 2, 4], [3, 4, 1]]), w, mode="sum", per_sample_weights=p, padding_idx=1),
        fixed(((5, 3), (2, 3)),), grad2=False, covers=("_embedding_bag",)),
    OpCase("embedding_bag_max", lambda lib, w: F(lib).embedding_bag(lib.tensor([[0, 2, 4], [3, 4, 1]]), w, mode="max"),
           fixed(((5, 3),),), grad2=False, covers=("_embedding_bag",)),
]
