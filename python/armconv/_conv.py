"""fp32 convolution and GEMM."""

from . import _args
from ._armconv import Conv2d as _Conv2dImpl
from ._armconv import sgemm as _sgemm

__all__ = ["conv2d", "Conv2d", "gemm"]


class Conv2d:
    """A 2-D convolution layer whose weights are packed once.

    ``Conv2d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
    activation=None, algo="auto")`` validates the parameters, chooses the
    algorithm and packs ``weight`` (a float32 array of shape
    (out_channels, in_channels // groups, kh, kw)) for it. ``layer(x)`` then
    convolves an (N, C, H, W) or (C, H, W) float32 array of any batch and map
    size and returns a new float32 array of the same rank, exactly as
    :func:`conv2d` would. ``layer(x, out=y)`` writes the result into ``y``
    instead (a C-contiguous float32 array of the output's shape that does not
    overlap ``x``) and returns it.

    The layer is immutable and may be called from several threads at once: the
    GIL is released while the kernels run, and each call has its own scratch
    memory. The weights are copied while packing, so changing ``weight``
    afterwards does not change the layer.

    Parameters are those of :func:`conv2d`. Attributes: ``in_channels``,
    ``out_channels``, ``kernel_size``, ``stride``, ``padding`` (top, bottom,
    left, right), ``dilation``, ``groups``, ``activation`` and ``algo`` (the
    algorithm chosen, e.g. ``"gemm"`` or ``"im2col"``; see :meth:`algo_for`
    for the one small maps get).
    """

    __slots__ = ("_impl", "in_channels", "out_channels", "kernel_size", "stride", "padding",
                 "dilation", "groups", "activation", "algo")

    def __init__(self, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                 activation=None, algo="auto"):
        args = _args.conv_args(weight, bias, stride, padding, dilation, groups, activation)
        impl = _Conv2dImpl(args.weight, args.bias, *args.native(), _args.algo(algo))
        _args.set_layer_attributes(self, args, impl)

    def __setattr__(self, name, value):
        raise AttributeError("Conv2d layers are immutable")

    def __call__(self, x, out=None):
        x = _args.layer_input(x, self.in_channels)
        if out is not None:
            out = _args.output("out", out, x.ndim)
        if x.ndim == 3:
            return self._impl.run(x[None], None if out is None else out[None])[0]
        return self._impl.run(x, out)

    def algo_for(self, h, w):
        """The algorithm a call over an h x w input map runs.

        Equal to ``algo`` except for a layer whose ``auto`` choice was
        ``"winograd63"`` with fewer than 32 input channels: it also keeps an
        im2col packing of its weights and runs ``"im2col"`` on maps whose
        output is too small for Winograd's 6x6 tiles to pay (64 outputs or
        fewer).
        """
        return self._impl.algo_for(_args.integer("h", h, 1), _args.integer("w", w, 1))

    def workspace_bytes(self, h, w):
        """Scratch memory one call over an h x w map allocates."""
        return self._impl.workspace_bytes(_args.integer("h", h, 1), _args.integer("w", w, 1))

    def __repr__(self):
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}, "
                f"groups={self.groups}, activation={self.activation!r}, algo={self.algo!r})")


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, activation=None,
           algo="auto"):
    """2-D convolution with the semantics of ``torch.nn.functional.conv2d``.

    x: float32 (N, C, H, W) or (C, H, W); the result has the same rank.
    weight: float32 (Cout, C // groups, kh, kw). bias: float32 (Cout,) or None.
    stride, dilation: int or (h, w).
    padding: int, (h, w), (top, bottom, left, right), "valid" or "same"
    ("same" needs stride 1; an odd total puts the extra row/column at the
    bottom/right, as TF/ONNX SAME_UPPER).
    activation: None, "relu", "relu6" or a (min, max) pair, fused into the
    output stage (NaN propagates).
    algo: "auto", or force a kernel family: "gemm" (1x1 kernels without
    padding), "im2col" (any shape), "depthwise3x3", "winograd63". Forcing one
    that cannot run the shape raises ValueError saying why.

    Returns a new float32 array (N, Cout, Ho, Wo) (or (Cout, Ho, Wo)).
    Non-contiguous, Fortran-ordered and misaligned inputs are accepted.
    """
    x = _args.array("x", x, ndims=(3, 4))
    weight = _args.array("weight", weight, ndims=(4,))
    groups = _args.integer("groups", groups, 1)
    c = x.shape[-3]
    if c % groups:
        raise ValueError(f"groups ({groups}) must divide the input channels ({c})")
    if weight.shape[1] * groups != c:
        raise ValueError(
            f"x has {c} channels but weight.shape[1] * groups = {weight.shape[1]} * {groups} = "
            f"{weight.shape[1] * groups}")
    layer = Conv2d(weight, bias, stride, padding, dilation, groups, activation, algo)
    return layer(x)


def gemm(a, b):
    """float32 matrix product (M, K) @ (K, N) -> (M, N), on the packed GEMM."""
    a = _args.array("a", a, ndims=(2,))
    b = _args.array("b", b, ndims=(2,))
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"a and b do not conform: a is {a.shape}, b is {b.shape}")
    return _sgemm(a, b)
