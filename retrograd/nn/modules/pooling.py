"""Pooling layers: max, average, adaptive, power-average (LP) pooling and max-unpooling, as torch
has them. Each stores its arguments (as torch does: some as given, some as tuples, which shows
in `extra_repr`) and calls the matching nn.functional op."""
from .. import functional as F
from .module import Module
from .utils import _single, _pair, _triple

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "AvgPool1d", "AvgPool2d",
           "AvgPool3d", "LPPool1d", "LPPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"]


class _MaxPoolNd(Module):
    _pool = None      # F.max_pool{1,2,3}d

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._pool(input, self.kernel_size, self.stride, self.padding, self.dilation,
                                ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Same as `torch.nn.MaxPool1d`.

    >>> import retrograd as torch
    >>> torch.nn.MaxPool1d(3, stride=2)
    MaxPool1d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)
    """
    _pool = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Same as `torch.nn.MaxPool2d`.

    >>> import retrograd as torch
    >>> torch.nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """
    _pool = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Same as `torch.nn.MaxPool3d`.

    >>> import retrograd as torch
    >>> torch.nn.MaxPool3d((3, 2, 2), stride=(2, 1, 2))
    MaxPool3d(kernel_size=(3, 2, 2), stride=(2, 1, 2), padding=0, dilation=1, ceil_mode=False)
    """
    _pool = staticmethod(F.max_pool3d)


class _MaxUnpoolNd(Module):
    _tuple = _unpool = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        t = type(self)._tuple
        self.kernel_size = t(kernel_size)
        self.stride = t(stride if stride is not None else kernel_size)
        self.padding = t(padding)

    def forward(self, input, indices, output_size=None):
        return type(self)._unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Same as `torch.nn.MaxUnpool1d`.

    >>> import retrograd as torch
    >>> torch.nn.MaxUnpool1d(2)
    MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """
    _tuple, _unpool = staticmethod(_single), staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Same as `torch.nn.MaxUnpool2d`.

    >>> import retrograd as torch
    >>> torch.nn.MaxUnpool2d(2, stride=2)
    MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    """
    _tuple, _unpool = staticmethod(_pair), staticmethod(F.max_unpool2d)


class _AvgPoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Same as `torch.nn.AvgPool1d` (its arguments are stored as 1-tuples, as torch does).

    >>> import retrograd as torch
    >>> torch.nn.AvgPool1d(3, stride=2)
    AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPoolWithDivisor(_AvgPoolNd):
    """AvgPool2d/3d: the arguments kept as given, plus divisor_override."""
    _pool = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return type(self)._pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                self.count_include_pad, self.divisor_override)


class AvgPool2d(_AvgPoolWithDivisor):
    """Same as `torch.nn.AvgPool2d`.

    >>> import retrograd as torch
    >>> torch.nn.AvgPool2d((3, 2), stride=(2, 1))
    AvgPool2d(kernel_size=(3, 2), stride=(2, 1), padding=0)
    """
    _pool = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPoolWithDivisor):
    """Same as `torch.nn.AvgPool3d`.

    >>> import retrograd as torch
    >>> torch.nn.AvgPool3d(3, stride=2)
    AvgPool3d(kernel_size=3, stride=2, padding=0)
    """
    _pool = staticmethod(F.avg_pool3d)


class _LPPoolNd(Module):
    _pool = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._pool(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Same as `torch.nn.LPPool1d`.

    >>> import retrograd as torch
    >>> torch.nn.LPPool1d(2, 3, stride=2)
    LPPool1d(norm_type=2, kernel_size=3, stride=2, ceil_mode=False)
    """
    _pool = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """Same as `torch.nn.LPPool2d`.

    >>> import retrograd as torch
    >>> torch.nn.LPPool2d(1.2, (3, 2), stride=(2, 1))
    LPPool2d(norm_type=1.2, kernel_size=(3, 2), stride=(2, 1), ceil_mode=False)
    """
    _pool = staticmethod(F.lp_pool2d)


class _AdaptiveMaxPoolNd(Module):
    _pool = None

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return type(self)._pool(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Same as `torch.nn.AdaptiveMaxPool1d`.

    >>> import retrograd as torch
    >>> torch.nn.AdaptiveMaxPool1d(5)
    AdaptiveMaxPool1d(output_size=5)
    """
    _pool = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Same as `torch.nn.AdaptiveMaxPool2d` (None in output_size keeps that dimension).

    >>> import retrograd as torch
    >>> torch.nn.AdaptiveMaxPool2d((None, 7))
    AdaptiveMaxPool2d(output_size=(None, 7))
    """
    _pool = staticmethod(F.adaptive_max_pool2d)


class _AdaptiveAvgPoolNd(Module):
    _pool = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return type(self)._pool(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Same as `torch.nn.AdaptiveAvgPool1d`.

    >>> import retrograd as torch
    >>> torch.nn.AdaptiveAvgPool1d(5)
    AdaptiveAvgPool1d(output_size=5)
    """
    _pool = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Same as `torch.nn.AdaptiveAvgPool2d` (None in output_size keeps that dimension).

    >>> import retrograd as torch
    >>> torch.nn.AdaptiveAvgPool2d((5, 7))
    AdaptiveAvgPool2d(output_size=(5, 7))
    """
    _pool = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Same as `torch.nn.AdaptiveAvgPool3d`.

    >>> import retrograd as torch
    >>> torch.nn.AdaptiveAvgPool3d((5, None, 9))
    AdaptiveAvgPool3d(output_size=(5, None, 9))
    """
    _pool = staticmethod(F.adaptive_avg_pool3d)
