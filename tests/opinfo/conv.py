"""OpCases for retrograd/ops/conv.py, pool.py, resample.py (convolution, pooling, unfold/fold,
pad, interpolate, pixel shuffle). Shapes are fixed and small (batch 2, 2-4 channels, 5x5)
so the suite stays fast; second order runs every op's backward op, and third-order ops
(the backward's backward) are the forward ops again."""
from . import *  # noqa: F401,F403
from . import OpCase, fixed, DISTINCT, POSITIVE


def F(lib):
    """The functional namespace: torch.nn.functional, or retrograd's (ops/conv.py's __all__)."""
    if lib.__name__ == "torch":
        return lib.nn.functional
    from retrograd.ops import conv
    return conv


CONV = ("convolution", "_conv_input_grad", "_conv_weight_grad")
CONVT = ("convolution", "_conv_forward", "_conv_weight_grad")
MAX2 = ("max_pool2d_with_indices", "max_pool2d_with_indices_backward", "_pool_gather")
X = ((2, 3, 5, 5),)

CASES = [
    # ------------------------------------------------------------ convolution
    OpCase("conv2d", lambda lib, x, w, b: F(lib).conv2d(x, w, b),
           fixed(((2, 3, 5, 5), (4, 3, 3, 3), (4,)), ((1, 2, 4, 3), (3, 2, 2, 1), (3,))), covers=CONV, examples=4),
    OpCase("conv2d_weight_fixed", lambda lib, x, w: F(lib).conv2d(x, w, padding=1), fixed(((2, 3, 4, 4), (2, 3, 3, 3))),
           nograd=(1,), covers=CONV, examples=2),
    OpCase("conv2d_stride_pad_dilation", lambda lib, x, w: F(lib).conv2d(x, w, None, (2, 1), (1, 2), (2, 1)),
           fixed(((2, 2, 6, 5), (3, 2, 2, 3))), covers=CONV, examples=3),
    OpCase("conv2d_groups", lambda lib, x, w, b: F(lib).conv2d(x, w, b, stride=2, padding=1, groups=2),
           fixed(((2, 4, 5, 5), (6, 2, 3, 3), (6,))), covers=CONV, examples=3),
    OpCase("conv2d_same", lambda lib, x, w: F(lib).conv2d(x, w, padding="same", dilation=(1, 2)),
           fixed(((2, 2, 5, 5), (3, 2, 2, 3))), covers=CONV + ("constant_pad_nd",), examples=3),
    OpCase("conv2d_valid_unbatched", lambda lib, x, w: F(lib).conv2d(x, w, padding="valid"),
           fixed(((2, 5, 5), (3, 2, 3, 3))), covers=CONV, examples=3),
    OpCase("conv1d", lambda lib, x, w, b: lib.conv1d(x, w, b, 2, 1),
           fixed(((2, 3, 7), (4, 3, 3), (4,))), covers=CONV, examples=3),
    OpCase("conv3d", lambda lib, x, w: F(lib).conv3d(x, w, padding=(1, 0, 1), stride=(1, 2, 1)),
           fixed(((2, 2, 3, 4, 4), (3, 2, 2, 2, 2))), covers=CONV, examples=2),
    OpCase("conv_transpose2d", lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, stride=2, padding=1,
                                                                            output_padding=1),
           fixed(((2, 3, 4, 4), (3, 2, 3, 3), (2,))), covers=CONVT, examples=3),
    OpCase("conv_transpose2d_groups_dilation",
           lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=(1, 2), groups=2, dilation=2, output_padding=(1, 0)),
           fixed(((2, 4, 3, 4), (4, 1, 2, 3))), covers=CONVT, examples=3),
    OpCase("conv_transpose1d", lambda lib, x, w: lib.conv_transpose1d(x, w, None, 3, 0, 2),
           fixed(((2, 2, 4), (2, 3, 2))), covers=CONVT, examples=3),
    OpCase("convolution", lambda lib, x, w: lib.convolution(x, w, None, [1, 1], [1, 0], [1, 1], False, [0, 0], 1),
           fixed(((2, 2, 4, 4), (3, 2, 3, 2))), covers=CONV, examples=2),

    # ------------------------------------------------------------ unfold / fold
    OpCase("unfold", lambda lib, x: F(lib).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
           fixed(X, ((3, 4, 5),)), covers=("im2col", "col2im"), examples=3),
    OpCase("fold", lambda lib, x: F(lib).fold(x, (4, 5), 2, padding=(1, 0), stride=(2, 1)),
           fixed(((2, 12, 12),), ((8, 12),)), covers=("col2im", "im2col"), examples=3),

    # ------------------------------------------------------------ max pooling
    OpCase("max_pool2d", lambda lib, x: F(lib).max_pool2d(x, 2), fixed(X, ((3, 4, 4),)), domain=DISTINCT,
           covers=MAX2, examples=3),
    OpCase("max_pool2d_overlap", lambda lib, x: F(lib).max_pool2d(x, 3, stride=(1, 2), padding=1, ceil_mode=True,
                                                                 return_indices=True),
           fixed(X), domain=DISTINCT, covers=MAX2, examples=3),
    OpCase("max_pool2d_dilation", lambda lib, x: lib.max_pool2d(x, (2, 3), 1, 0, (2, 1)), fixed(X),
           domain=DISTINCT, covers=MAX2, examples=2),
    OpCase("max_pool1d", lambda lib, x: F(lib).max_pool1d(x, 3, 2, 1, return_indices=True),
           fixed(((2, 3, 7),), ((3, 6),)), domain=DISTINCT, covers=MAX2, examples=3),
    OpCase("max_pool3d", lambda lib, x: F(lib).max_pool3d(x, 2, stride=(1, 2, 2)),
           fixed(((2, 2, 3, 4, 5),)), domain=DISTINCT,
           covers=("max_pool3d_with_indices", "max_pool3d_with_indices_backward", "_pool_gather"), examples=2),
    OpCase("max_unpool2d", lambda lib, x: F(lib).max_unpool2d(*F(lib).max_pool2d(x, 2, return_indices=True), 2),
           fixed(((2, 3, 4, 4),)), domain=DISTINCT, covers=MAX2 + ("max_unpool2d",), examples=3),

    # ------------------------------------------------------------ average pooling
    OpCase("avg_pool2d", lambda lib, x: F(lib).avg_pool2d(x, 2), fixed(X, ((3, 4, 4),)),
           covers=("avg_pool2d", "avg_pool2d_backward"), examples=3),
    OpCase("avg_pool2d_ceil_pad", lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
           fixed(X, ((2, 3, 6, 4),)), covers=("avg_pool2d", "avg_pool2d_backward"), examples=3),
    OpCase("avg_pool2d_divisor", lambda lib, x: F(lib).avg_pool2d(x, (2, 3), (1, 2), (1, 1), True, True, 5),
           fixed(X), covers=("avg_pool2d", "avg_pool2d_backward"), examples=2),
    OpCase("avg_pool1d", lambda lib, x: lib.avg_pool1d(x, 3, 2, 1, True), fixed(((2, 3, 6),)),
           covers=("avg_pool2d", "avg_pool2d_backward"), examples=3),
    OpCase("avg_pool3d", lambda lib, x: F(lib).avg_pool3d(x, 2, 1, (0, 1, 0)), fixed(((2, 2, 3, 4, 4),)),
           covers=("avg_pool3d", "avg_pool3d_backward"), examples=2),
    OpCase("lp_pool2d", lambda lib, x: F(lib).lp_pool2d(x, 2, 2, stride=1), fixed(X), domain=POSITIVE,
           covers=("avg_pool2d", "avg_pool2d_backward"), examples=2),
    OpCase("lp_pool1d", lambda lib, x: F(lib).lp_pool1d(x, 3, 2), fixed(((2, 3, 6),)), domain=POSITIVE,
           covers=("avg_pool2d", "avg_pool2d_backward"), examples=2),

    # ------------------------------------------------------------ adaptive pooling
    OpCase("adaptive_avg_pool2d", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (3, 2)), fixed(X, ((3, 4, 7),)),
           covers=("adaptive_avg_pool2d", "adaptive_avg_pool2d_backward"), examples=3),
    OpCase("adaptive_avg_pool2d_global", lambda lib, x: F(lib).adaptive_avg_pool2d(x, 1) * 2, fixed(X),
           covers=("adaptive_avg_pool2d",), examples=2),
    OpCase("adaptive_avg_pool3d", lambda lib, x: F(lib).adaptive_avg_pool3d(x, (2, None, 3)),
           fixed(((2, 2, 3, 4, 5),), ((2, 5, 3, 4),)),
           covers=("adaptive_avg_pool3d", "adaptive_avg_pool3d_backward"), examples=2),
    OpCase("interpolate_area3d", lambda lib, x: F(lib).interpolate(x, size=(2, 3, 3), mode="area"),
           fixed(((1, 2, 3, 4, 5),)), covers=("adaptive_avg_pool3d", "adaptive_avg_pool3d_backward"), examples=2),
    OpCase("adaptive_avg_pool1d", lambda lib, x: lib.adaptive_avg_pool1d(x, 4), fixed(((2, 3, 7),)),
           covers=("adaptive_avg_pool2d", "adaptive_avg_pool2d_backward"), examples=2),
    OpCase("adaptive_max_pool2d", lambda lib, x: F(lib).adaptive_max_pool2d(x, (3, 2), return_indices=True),
           fixed(X, ((3, 4, 7),)), domain=DISTINCT,
           covers=("adaptive_max_pool2d", "adaptive_max_pool2d_backward", "_pool_gather"), examples=3),
    OpCase("adaptive_max_pool1d", lambda lib, x: F(lib).adaptive_max_pool1d(x, 3), fixed(((2, 3, 7),)),
           domain=DISTINCT, covers=("adaptive_max_pool2d", "adaptive_max_pool2d_backward"), examples=2),

    # ------------------------------------------------------------ padding
    OpCase("pad_constant", lambda lib, x: F(lib).pad(x, (1, 2, 0, 1), value=0.5), fixed(X, ((3, 4),)),
           covers=("constant_pad_nd",), examples=3),
    OpCase("pad_constant_negative", lambda lib, x: lib.constant_pad_nd(x, (-1, 2, 1, -2)), fixed(X),
           covers=("constant_pad_nd",), examples=2),
    OpCase("pad_reflect1d", lambda lib, x: F(lib).pad(x, (2, 3), mode="reflect"), fixed(((2, 3, 5),), ((3, 4),)),
           covers=("reflection_pad1d", "reflection_pad1d_backward"), examples=2),
    OpCase("pad_reflect2d", lambda lib, x: F(lib).pad(x, (1, 2, 3, -1), mode="reflect"), fixed(X),
           covers=("reflection_pad2d", "reflection_pad2d_backward"), examples=2),
    OpCase("pad_reflect3d", lambda lib, x: F(lib).pad(x, (1, 0, 1, 1, 2, 1), mode="reflect"),
           fixed(((1, 2, 3, 3, 4),)), covers=("reflection_pad3d", "reflection_pad3d_backward"), examples=2),
    OpCase("pad_replicate1d", lambda lib, x: F(lib).pad(x, (3, 1), mode="replicate"), fixed(((2, 3, 4),)),
           covers=("replication_pad1d", "replication_pad1d_backward"), examples=2),
    OpCase("pad_replicate2d", lambda lib, x: F(lib).pad(x, (2, 1, 0, 6), mode="replicate"), fixed(X, ((3, 4, 2),)),
           covers=("replication_pad2d", "replication_pad2d_backward"), examples=2),
    OpCase("pad_replicate3d", lambda lib, x: F(lib).pad(x, (1, 1, 0, 2, 1, 0), mode="replicate"),
           fixed(((2, 1, 2, 3, 3),)), covers=("replication_pad3d", "replication_pad3d_backward"), examples=2),
    OpCase("pad_circular", lambda lib, x: F(lib).pad(x, (2, -1, 3, 1), mode="circular"), fixed(X),
           covers=("_pad_circular", "_pad_circular_backward"), examples=2),

    # ------------------------------------------------------------ interpolation
    OpCase("interpolate_nearest", lambda lib, x: F(lib).interpolate(x, scale_factor=(2, 1.5)), fixed(X),
           covers=("upsample_nearest2d", "upsample_nearest2d_backward"), examples=2),
    OpCase("interpolate_nearest_down", lambda lib, x: F(lib).interpolate(x, size=(3, 7)), fixed(X),
           covers=("upsample_nearest2d", "upsample_nearest2d_backward"), examples=2),
    OpCase("interpolate_nearest1d", lambda lib, x: F(lib).interpolate(x, scale_factor=2.5), fixed(((2, 3, 4),)),
           covers=("upsample_nearest1d", "upsample_nearest1d_backward"), examples=2),
    OpCase("interpolate_nearest3d", lambda lib, x: F(lib).interpolate(x, size=(2, 5, 3)), fixed(((1, 2, 3, 3, 4),)),
           covers=("upsample_nearest3d", "upsample_nearest3d_backward"), examples=2),
    OpCase("interpolate_nearest_exact", lambda lib, x: F(lib).interpolate(x, size=(7, 3), mode="nearest-exact"),
           fixed(X), covers=("_upsample_nearest_exact2d", "_upsample_nearest_exact2d_backward"), examples=2),
    OpCase("interpolate_nearest_exact1d", lambda lib, x: F(lib).interpolate(x, scale_factor=1.7, mode="nearest-exact"),
           fixed(((2, 3, 4),)), covers=("_upsample_nearest_exact1d", "_upsample_nearest_exact1d_backward"), examples=2),
    OpCase("interpolate_nearest_exact3d", lambda lib, x: F(lib).interpolate(x, size=(3, 2, 5), mode="nearest-exact"),
           fixed(((1, 2, 2, 3, 4),)), covers=("_upsample_nearest_exact3d", "_upsample_nearest_exact3d_backward"),
           examples=2),
    OpCase("interpolate_bilinear", lambda lib, x: F(lib).interpolate(x, scale_factor=1.7, mode="bilinear"), fixed(X),
           covers=("upsample_bilinear2d", "upsample_bilinear2d_backward"), examples=2),
    OpCase("interpolate_bilinear_align", lambda lib, x: F(lib).interpolate(x, size=(7, 3), mode="bilinear",
                                                                           align_corners=True),
           fixed(X), covers=("upsample_bilinear2d", "upsample_bilinear2d_backward"), examples=2),
    OpCase("interpolate_linear", lambda lib, x: F(lib).interpolate(x, size=9, mode="linear"), fixed(((2, 3, 4),)),
           covers=("upsample_linear1d", "upsample_linear1d_backward"), examples=2),
    OpCase("interpolate_bicubic", lambda lib, x: F(lib).interpolate(x, size=(7, 4), mode="bicubic"), fixed(X),
           covers=("upsample_bicubic2d", "upsample_bicubic2d_backward"), examples=2),
    OpCase("interpolate_bicubic_align", lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="bicubic",
                                                                          align_corners=True),
           fixed(((1, 2, 3, 4),)), covers=("upsample_bicubic2d", "upsample_bicubic2d_backward"), examples=2),
    OpCase("interpolate_trilinear", lambda lib, x: F(lib).interpolate(x, scale_factor=(1, 2, 1.5), mode="trilinear"),
           fixed(((1, 2, 2, 3, 4),)), covers=("upsample_trilinear3d", "upsample_trilinear3d_backward"), examples=2),
    OpCase("interpolate_area", lambda lib, x: F(lib).interpolate(x, scale_factor=0.6, mode="area"), fixed(X),
           covers=("adaptive_avg_pool2d", "adaptive_avg_pool2d_backward"), examples=2),

    # ------------------------------------------------------------ pixel shuffle
    OpCase("pixel_shuffle", lambda lib, x: lib.pixel_shuffle(x, 2), fixed(((2, 8, 3, 2),), ((4, 2, 3),)),
           covers=("pixel_shuffle", "pixel_unshuffle"), examples=2),
    OpCase("pixel_unshuffle", lambda lib, x: F(lib).pixel_unshuffle(x, 2), fixed(((2, 2, 4, 6),), ((1, 4, 2),)),
           covers=("pixel_unshuffle", "pixel_shuffle"), examples=2),
]
