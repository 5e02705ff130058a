"""int8: symmetric quantization, the int8 GEMM and quantized convolution.

Quantized values are int8 in [-127, 127] with a float scale (real value =
q * scale, no zero point). The rules are exact, identical on every CPU and
kernel path:

* quantize: ``q = clip(round_half_away_from_zero(x / scale), -127, 127)``
  (the division in float64).
* dequantize: ``x = float32(q) * float32(scale)`` (one float32 rounding).
* requantize (int32 accumulator -> int8), per channel scale ``s``: with
  ``E >= 0`` the smallest shift such that every ``M = round(s * 2**(31 - E))``
  is below ``2**31``, ``q = clip(floor((2 * sat32(acc * 2**E) * M + 2**31) / 2**32),
  qmin, qmax)``: ``acc * s`` rounded to nearest with ties toward +infinity,
  ``M`` carrying 31 bits of the scale (the NEON ``sqrdmulh`` instruction).
"""
import math

import numpy as np

from . import _args
from ._armconv import QConv2d as _QConv2dImpl
from ._armconv import dequantize as _dequantize
from ._armconv import gemm_s8 as _gemm_s8
from ._armconv import quantize as _quantize
from ._armconv import requantize as _requantize

__all__ = ["gemm_s8", "quantize", "dequantize", "requantize", "QConv2d"]


def _scale_value(name, v, allow_zero=False):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    f = float(v)
    if not math.isfinite(f) or f < 0 or (f == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {'>= 0' if allow_zero else '> 0'}, got {v!r}")
    if np.float32(f) == 0 and f != 0:
        raise ValueError(f"{name} is too small for float32: {v!r}")
    return f


def _scales(x, scale, axis, allow_zero=False):
    """-> (x viewed as (outer, channels, inner), float32 scales (channels,))."""
    if axis is None:
        if isinstance(scale, np.ndarray) and scale.ndim > 0:
            raise ValueError("scale is an array: pass axis= to give per-channel scales")
        s = np.array([_scale_value("scale", scale, allow_zero)], np.float32)
        return x.reshape(1, 1, x.size), s
    axis = _args.integer("axis", axis)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of shape {x.shape}")
    axis %= x.ndim
    s = np.asarray(scale)
    if s.dtype.kind not in "iuf" or s.ndim != 1 or s.shape[0] != x.shape[axis]:
        raise ValueError(
            f"scale must be a 1-D array of {x.shape[axis]} numbers (x.shape[{axis}]), got "
            f"{getattr(scale, 'shape', scale)!r}")
    s = s.astype(np.float32)
    bad = ~np.isfinite(s) | (s < 0) if allow_zero else ~np.isfinite(s) | (s <= 0)
    if bad.any():
        raise ValueError(f"scale must be finite and {'>= 0' if allow_zero else '> 0'}, got {scale!r}")
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
    return x.reshape(outer, x.shape[axis], inner), s


def quantize(x, scale, axis=None):
    """float32 -> int8: ``clip(round_half_away_from_zero(x / scale), -127, 127)``.

    scale: a number (per tensor), or with ``axis`` a 1-D array of one scale per
    index along that axis (per channel). Never produces -128. NaN raises
    ValueError; infinities clamp to +-127.
    """
    x = _args.array("x", x, np.float32)
    xv, s = _scales(x, scale, axis)
    return _quantize(xv, s).reshape(x.shape)


def dequantize(q, scale, axis=None):
    """int8 -> float32: ``float32(q) * scale``; scale as in :func:`quantize`."""
    q = _args.array("q", q, np.int8)
    qv, s = _scales(q, scale, axis)
    return _dequantize(qv, s).reshape(q.shape)


def requantize(acc, scale, axis=None, activation_range=(-127, 127)):
    """int32 accumulators -> int8 by the exact rule of the int8 GEMM's store.

    ``scale`` (>= 0) as in :func:`quantize`; ``activation_range`` = (qmin,
    qmax) with -127 <= qmin <= qmax <= 127. See the module docstring for the
    rounding rule (ties toward +infinity).
    """
    acc = _args.array("acc", acc, np.int32)
    av, s = _scales(acc, scale, axis, allow_zero=True)
    if not isinstance(activation_range, (tuple, list)) or len(activation_range) != 2:
        raise ValueError(f"activation_range must be a pair (qmin, qmax), got {activation_range!r}")
    qmin = _args.integer("qmin", activation_range[0], -127)
    qmax = _args.integer("qmax", activation_range[1], qmin)
    if qmax > 127:
        raise ValueError(f"qmax must be <= 127, got {qmax}")
    return _requantize(av, s, qmin, qmax).reshape(acc.shape)


def gemm_s8(a, b):
    """int8 matrix product (M, K) @ (K, N) -> int32 (M, N), exact.

    Operands must lie in [-127, 127] (the smull kernels add two products in an
    int16 lane): -128 raises ValueError; K is at most 65536.
    """
    a = _args.array("a", a, np.int8, ndims=(2,))
    b = _args.array("b", b, np.int8, ndims=(2,))
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"a and b do not conform: a is {a.shape}, b is {b.shape}")
    if a.shape[1] > 65536:
        raise ValueError(f"K (a.shape[1]) must be <= 65536, got {a.shape[1]}")
    for name, m in (("a", a), ("b", b)):
        if m.size and m.min() == -128:
            raise ValueError(f"{name} holds -128: int8 GEMM operands must lie in [-127, 127] "
                             f"(use armconv.quantize, which never produces -128)")
    return _gemm_s8(a, b)


class QConv2d:
    """A quantized 2-D convolution layer: int8 input, int8 or float32 output.

    ``QConv2d(weight, bias=None, input_scale, output_scale=None, stride=1,
    padding=0, dilation=1, groups=1, activation=None)``.

    weight: float32 (out_channels, in_channels // groups, kh, kw), quantized
    once per output channel with ``weight_scale = max|w| / 127`` (float32; 1
    for an all-zero channel); bias: float32 (out_channels,) or None, quantized
    to int32 with scale ``input_scale * weight_scale`` (clamped to +-2**30).
    input_scale: the scale of the int8 input (> 0).
    output_scale: if given (> 0), ``layer(x)`` returns int8 requantized with
    ``s = input_scale * weight_scale / output_scale`` by the rule in
    :func:`requantize`; if None it returns float32
    ``float32(acc) * float32(input_scale * weight_scale)``.
    stride, padding, dilation, groups: as :func:`armconv.conv2d`.
    activation: None, "relu", "relu6" or (min, max) in real units; with int8
    output it becomes the integer range ``[max(-127, round(min / output_scale)),
    min(127, round(max / output_scale))]`` (round half away from zero).

    ``layer(x)``: x int8 (N, C, H, W) or (C, H, W) (values in [-128, 127];
    the weights never hold -128). Algorithm (``algo``): "gemm" for 1x1
    stride-1 unpadded layers (the image is the int8 GEMM's B),
    "depthwise3x3" for depthwise 3x3 layers (groups == in == out channels,
    stride 1 or 2, dilation 1: NEON kernels), "depthwise" for other depthwise
    shapes (a generic loop), else "im2col" (int8 panels packed straight from
    the image). The int8 GEMM is exact and its store
    requantizes, so results are identical on every CPU.

    Attributes: the conv parameters, ``input_scale``, ``output_scale``,
    ``algo``, and what construction derived: ``weight_q`` (int8, the
    weight's shape), ``weight_scale``, ``bias_q``, ``requant_multiplier``,
    ``requant_shift``, ``dequant_scale``, ``qmin``, ``qmax``.
    The layer is immutable and may be called from several threads at once.
    """

    __slots__ = ("_impl", "in_channels", "out_channels", "kernel_size", "stride", "padding",
                 "dilation", "groups", "activation", "input_scale", "output_scale", "algo",
                 "weight_q", "weight_scale", "bias_q", "requant_multiplier", "requant_shift",
                 "dequant_scale", "qmin", "qmax")

    def __init__(self, weight, bias=None, input_scale=None, output_scale=None, stride=1,
                 padding=0, dilation=1, groups=1, activation=None):
        args = _args.conv_args(weight, bias, stride, padding, dilation, groups, activation)
        if input_scale is None:
            raise TypeError("QConv2d needs input_scale, the scale of its int8 input")
        input_scale = _scale_value("input_scale", input_scale)
        if output_scale is not None:
            output_scale = _scale_value("output_scale", output_scale)
        weight, bias = args.weight, args.bias
        if weight[0].size > 65536:
            raise ValueError(
                f"in_channels // groups * kh * kw must be <= 65536 for the int8 GEMM, got "
                f"{weight[0].size}")
        if not np.isfinite(weight).all():
            raise ValueError("weight must be finite")
        if bias is not None and not np.isfinite(bias).all():
            raise ValueError("bias must be finite")
        impl = _QConv2dImpl(weight, bias, *args.native(), input_scale,
                            0.0 if output_scale is None else output_scale)
        _args.set_layer_attributes(self, args, impl)
        s = object.__setattr__
        s(self, "input_scale", input_scale)
        s(self, "output_scale", output_scale)
        s(self, "weight_q", impl.weight_q.reshape(weight.shape))
        s(self, "weight_scale", impl.weight_scale)
        s(self, "bias_q", impl.bias_q)
        s(self, "requant_multiplier", impl.requant_multiplier)
        s(self, "requant_shift", impl.requant_shift)
        s(self, "dequant_scale", impl.dequant_scale)
        s(self, "qmin", impl.qmin)
        s(self, "qmax", impl.qmax)
        for name in ("weight_q", "weight_scale", "bias_q", "requant_multiplier", "dequant_scale"):
            getattr(self, name).flags.writeable = False

    def workspace_bytes(self, h, w):
        """Scratch memory one call over an h x w input map allocates (bounded for large maps)."""
        return self._impl.workspace_bytes(_args.integer("h", h, 1), _args.integer("w", w, 1))

    def __setattr__(self, name, value):
        raise AttributeError("QConv2d layers are immutable")

    def __call__(self, x):
        x = _args.layer_input(x, self.in_channels, np.int8)
        if x.ndim == 3:
            return self._impl.run(x[None])[0]
        return self._impl.run(x)

    def __repr__(self):
        return (f"QConv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}, "
                f"groups={self.groups}, activation={self.activation!r}, "
                f"input_scale={self.input_scale!r}, output_scale={self.output_scale!r}, "
                f"algo={self.algo!r})")
