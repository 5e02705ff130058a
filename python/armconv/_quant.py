"""int8: symmetric quantization, the int8 GEMM and quantized convolution.

Quantized values are int8 in [-127, 127] with a float scale (real value =
q * scale, no zero point). The rules are exact, identical on every CPU and
kernel path:

* quantize: ``q = clip(round_half_away_from_zero(x / scale), -127, 127)``
  (scale rounded to float32, the division in float64).
* dequantize: ``x = float32(q) * float32(scale)`` (one float32 rounding).
* requantize (int32 accumulator -> int8), per channel scale ``s`` (float64;
  for :func:`requantize` the float32-rounded ``scale``): one shift ``E`` for
  all channels, the smallest ``E`` in [0, 31] with
  ``round(max(s) * 2**(31 - E)) < 2**31`` (31 if there is none), then per
  channel ``M = min(round(s * 2**(31 - E)), 2**31 - 1)`` (round half up) and
  ``q = clip(floor((2 * sat32(acc * 2**E) * M + 2**31) / 2**32), qmin, qmax)``:
  ``acc * s`` rounded to nearest with ties toward +infinity, ``M`` carrying 31
  bits of the scale (the NEON ``sqshl`` + ``sqrdmulh`` instructions). With
  ``s >= 2**31`` the shift stops at 31 and ``M`` is clipped: every nonzero
  accumulator then saturates to qmin or qmax, as ``acc * s`` would.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Tuple, TypeVar, overload

import numpy as np
import numpy.typing as npt

from . import _args
from ._armconv import QConv2d as _QConv2dImpl
from ._armconv import dequantize as _dequantize
from ._armconv import gemm_s8 as _gemm_s8
from ._armconv import quantize as _quantize
from ._armconv import requantize as _requantize
from ._layer import ConvLayer
from ._types import (ActivationArg, AlgoArg, ArrayIn, F32Array, I8Array, I32Array, IntPair, PaddingArg,
                     ScaleArg)

__all__ = ["gemm_s8", "quantize", "dequantize", "requantize", "QConv2d"]

_Out = TypeVar("_Out")


def _scale_value(name: str, v: object, allow_zero: bool = False) -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    f = float(v)
    if not math.isfinite(f) or f < 0 or (f == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {'>= 0' if allow_zero else '> 0'}, got {v!r}")
    f32 = np.float32(f) if f <= float(np.finfo(np.float32).max) else np.float32(np.inf)
    if f32 == 0 and f != 0:
        raise ValueError(f"{name} is too small for float32: {v!r}")
    if not np.isfinite(f32):
        raise ValueError(f"{name} is too large for float32: {v!r}")
    return f


def _scales(x: npt.NDArray[Any], scale: ScaleArg, axis: Optional[int],
            allow_zero: bool = False) -> Tuple[npt.NDArray[Any], npt.NDArray[np.float32]]:
    """-> (x viewed as (outer, channels, inner), float32 scales (channels,))."""
    if axis is None:
        if isinstance(scale, np.ndarray) and scale.ndim > 0:
            raise ValueError("scale is an array: pass axis= to give per-channel scales")
        s = np.array([_scale_value("scale", scale, allow_zero)], np.float32)
        return x.reshape(1, 1, x.size), s
    ax = _args.integer("axis", axis)
    if not -x.ndim <= ax < x.ndim:
        raise ValueError(f"axis {ax} is out of range for an array of shape {x.shape}")
    ax %= x.ndim
    sa = np.asarray(scale)
    if sa.dtype.kind not in "iuf" or sa.ndim != 1 or sa.shape[0] != x.shape[ax]:
        raise ValueError(
            f"scale must be a 1-D array of {x.shape[ax]} numbers (x.shape[{ax}]), got "
            f"{getattr(scale, 'shape', scale)!r}")
    with np.errstate(over="ignore"):
        s = sa.astype(np.float32)
    bad = ~np.isfinite(s) | (s < 0) if allow_zero else ~np.isfinite(s) | (s <= 0)
    if bad.any():
        raise ValueError(f"scale must be finite (in float32) and {'>= 0' if allow_zero else '> 0'}, "
                         f"got {scale!r}")
    outer = int(np.prod(x.shape[:ax], dtype=np.int64))
    inner = int(np.prod(x.shape[ax + 1:], dtype=np.int64))
    return x.reshape(outer, x.shape[ax], inner), s


def quantize(x: ArrayIn, scale: ScaleArg, axis: Optional[int] = None) -> I8Array:
    """float32 -> int8: ``clip(round_half_away_from_zero(x / scale), -127, 127)``.

    scale: a number (per tensor), or with ``axis`` a 1-D array of one scale per
    index along that axis (per channel); rounded to float32, the division done
    in float64. Never produces -128. NaN raises ValueError; infinities clamp to
    +-127. Large arrays run on the library's threads (:func:`armconv.threads`),
    with the same result for every thread count.
    """
    xa = _args.array("x", x, np.float32)
    xv, s = _scales(xa, scale, axis)
    q: I8Array = _quantize(xv, s).reshape(xa.shape)
    return q


def dequantize(q: ArrayIn, scale: ScaleArg, axis: Optional[int] = None) -> F32Array:
    """int8 -> float32: ``float32(q) * float32(scale)``; scale as in :func:`quantize`."""
    qa = _args.array("q", q, np.int8)
    qv, s = _scales(qa, scale, axis)
    x: F32Array = _dequantize(qv, s).reshape(qa.shape)
    return x


def requantize(acc: ArrayIn, scale: ScaleArg, axis: Optional[int] = None,
               activation_range: Tuple[int, int] = (-127, 127)) -> I8Array:
    """int32 accumulators -> int8 by the exact rule of the int8 GEMM's store.

    ``scale`` (>= 0) as in :func:`quantize` (rounded to float32);
    ``activation_range`` = (qmin, qmax) with -127 <= qmin <= qmax <= 127.
    The rule (module docstring): one shift E in [0, 31] for all channels,
    per-channel 31-bit multipliers M (clipped below 2**31), ``acc * scale``
    rounded to nearest with ties toward +infinity, then clamped.
    """
    aa = _args.array("acc", acc, np.int32)
    av, s = _scales(aa, scale, axis, allow_zero=True)
    if not isinstance(activation_range, (tuple, list)) or len(activation_range) != 2:
        raise ValueError(f"activation_range must be a pair (qmin, qmax), got {activation_range!r}")
    qmin = _args.integer("qmin", activation_range[0], -127, 127)
    qmax = _args.integer("qmax", activation_range[1], qmin, 127)
    q: I8Array = _requantize(av, s, qmin, qmax).reshape(aa.shape)
    return q


def gemm_s8(a: ArrayIn, b: ArrayIn) -> I32Array:
    """int8 matrix product (M, K) @ (K, N) -> int32 (M, N), exact.

    Operands must lie in [-127, 127] (the smull kernels add two products in an
    int16 lane): -128 raises ValueError; K is at most 65536.
    """
    aa = _args.array("a", a, np.int8, ndims=(2,))
    ba = _args.array("b", b, np.int8, ndims=(2,))
    if aa.shape[1] != ba.shape[0]:
        raise ValueError(f"a and b do not conform: a is {aa.shape}, b is {ba.shape}")
    if aa.shape[1] > 65536:
        raise ValueError(f"K (a.shape[1]) must be <= 65536, got {aa.shape[1]}")
    for name, m in (("a", aa), ("b", ba)):
        if m.size and m.min() == -128:
            raise ValueError(f"{name} holds -128: int8 GEMM operands must lie in [-127, 127] "
                             f"(use armconv.quantize, which never produces -128)")
    c: I32Array = _gemm_s8(aa, ba)
    return c


class QConv2d(ConvLayer):
    """A quantized 2-D convolution layer: int8 input, int8 or float32 output.

    ``QConv2d(weight, bias=None, input_scale, output_scale=None, stride=1,
    padding=0, dilation=1, groups=1, activation=None)``.

    weight: float32 (out_channels, in_channels // groups, kh, kw) (the weight
    array itself, not the layer's sizes), quantized once per output channel
    with ``weight_scale = float32(max|w| / 127)`` (1 for an all-zero
    channel): ``weight_q = clip(round_half_away_from_zero(w / weight_scale),
    -127, 127)``.
    input_scale: the scale of the int8 input (> 0); output_scale: see below.
    Both are rounded to float32 (``si``, ``so``) before anything is derived
    from them; the attributes ``input_scale`` and ``output_scale`` keep the
    values given. With ``unit = float64(si) * float64(weight_scale)`` (the
    value of one accumulator step, per output channel):
    bias (float32 (out_channels,) or None) becomes ``bias_q =
    clip(round_half_away_from_zero(bias / unit), -2**30, 2**30)`` (int32).
    If ``output_scale`` is given (> 0), ``layer(x)`` returns int8 requantized
    by the rule of :func:`requantize` with ``s = unit / float64(so)``
    (``requant_multiplier``, ``requant_shift``); if None it returns float32
    ``float32(acc) * dequant_scale`` with ``dequant_scale = float32(unit)``.
    stride, padding, dilation, groups: as :func:`armconv.conv2d`.
    activation: None, "relu", "relu6" or (min, max) in real units; with int8
    output it becomes the integer range ``[max(-127, round(min / so)),
    min(127, round(max / so))]`` (round half away from zero; ``qmin``,
    ``qmax``), with float output a float32 clamp.

    ``layer(x)``: x int8 (N, C, H, W) or (C, H, W) (values in [-128, 127];
    the weights never hold -128); quantize a float input with
    ``armconv.quantize(x, layer.input_scale)``. ``layer(x, out=y)`` writes
    into y (int8 or float32 as above, C-contiguous, writable, the output's
    shape, sharing no memory with x) and returns it. Algorithm (``algo``):
    "gemm" for 1x1 stride-1 unpadded layers (the image is the int8 GEMM's B),
    "depthwise3x3" for depthwise 3x3 layers (groups == in == out channels,
    stride 1 or 2, dilation 1: NEON kernels), "depthwise" for other depthwise
    shapes (a generic loop), "winograd23" (3x3 stride-1 dilation-1 layers with
    at most 3669 input channels per group: Winograd F(2x2, 3x3) in exact
    integer arithmetic), else "im2col" (int8 panels packed straight from
    the image). An "auto" 3x3 stride-1 layer runs winograd23 or im2col,
    whichever counts cheaper on the map (``algo`` names the pick on a
    224x224 output map); ``algo="..."`` forces one of these families (one
    that cannot run the layer raises ``armconv.Error``). Every path is exact
    and requantizes by the same rule, so results are identical on every CPU
    and algorithm.

    Attributes: the conv parameters, ``input_scale``, ``output_scale``,
    ``algo``, and what construction derived: ``weight_q`` (int8, the
    weight's shape), ``weight_scale``, ``bias_q``, ``requant_multiplier``,
    ``requant_shift``, ``dequant_scale``, ``qmin``, ``qmax``.
    The layer is immutable and may be called from several threads at once.
    """

    __slots__ = ("input_scale", "output_scale", "weight_q", "weight_scale", "bias_q",
                 "requant_multiplier", "requant_shift", "dequant_scale", "qmin", "qmax")

    _impl: _QConv2dImpl
    input_scale: float
    output_scale: Optional[float]
    weight_q: I8Array
    weight_scale: F32Array
    bias_q: I32Array
    requant_multiplier: I32Array
    requant_shift: int
    dequant_scale: F32Array
    qmin: int
    qmax: int

    def __init__(self, weight: ArrayIn, bias: Optional[ArrayIn] = None,
                 input_scale: Optional[float] = None, output_scale: Optional[float] = None,
                 stride: IntPair = 1, padding: PaddingArg = 0, dilation: IntPair = 1,
                 groups: int = 1, activation: ActivationArg = None, algo: AlgoArg = "auto") -> None:
        args = _args.conv_args(weight, bias, stride, padding, dilation, groups, activation,
                               layer="QConv2d")
        if input_scale is None:
            raise TypeError("QConv2d needs input_scale, the scale of its int8 input")
        in_s = _scale_value("input_scale", input_scale)
        out_s = None if output_scale is None else _scale_value("output_scale", output_scale)
        w, b = args.weight, args.bias
        if w[0].size > 65536:
            raise ValueError(
                f"in_channels // groups * kh * kw must be <= 65536 for the int8 GEMM, got "
                f"{w[0].size}")
        if not np.isfinite(w).all():
            raise ValueError("weight must be finite")
        if b is not None and not np.isfinite(b).all():
            raise ValueError("bias must be finite")
        impl = _QConv2dImpl(w, b, *args.native(), in_s, 0.0 if out_s is None else out_s,
                            _args.algo(algo))
        self._init_layer(args, impl)
        s = object.__setattr__
        s(self, "input_scale", in_s)
        s(self, "output_scale", out_s)
        s(self, "weight_q", impl.weight_q.reshape(w.shape))
        s(self, "weight_scale", impl.weight_scale)
        s(self, "bias_q", impl.bias_q)
        s(self, "requant_multiplier", impl.requant_multiplier)
        s(self, "requant_shift", impl.requant_shift)
        s(self, "dequant_scale", impl.dequant_scale)
        s(self, "qmin", impl.qmin)
        s(self, "qmax", impl.qmax)
        for name in ("weight_q", "weight_scale", "bias_q", "requant_multiplier", "dequant_scale"):
            getattr(self, name).flags.writeable = False

    def workspace_bytes(self, h: int, w: int) -> int:
        """Scratch memory one call over an h x w map (batch 1) takes at this thread's
        get_num_threads() (as Conv2d.workspace_bytes)."""
        return self._impl.workspace_bytes(_args.integer("h", h, 1), _args.integer("w", w, 1))

    @overload
    def __call__(self, x: ArrayIn, out: None = None) -> npt.NDArray[Any]: ...
    @overload
    def __call__(self, x: ArrayIn, out: _Out) -> _Out: ...

    def __call__(self, x: ArrayIn, out: Any = None) -> Any:
        """Run the layer on int8 x; int8 result with output_scale, else float32.

        The full path: the extension's ``__call__`` (installed below the
        class; this method is then ``QConv2d._call``) runs the common call
        itself (an int8 C-contiguous (N, C, H, W) numpy array; ``out`` None
        or such a numpy array) and passes every other call, and any it
        refuses, here.
        """
        hint = (f"quantize it with armconv.quantize(x, {self.input_scale!r}) (x as float32 real "
                f"values; {self.input_scale!r} is this layer's input_scale); x.astype(np.int8) "
                f"would wrap values above 127 to negative numbers")
        xa = _args.layer_input(x, self.in_channels, np.int8, hint=hint)
        dtype = np.int8 if self.output_scale is not None else np.float32
        return _args.run_layer(self._impl, xa, out, dtype)

    def __repr__(self) -> str:
        return (f"QConv2d({self._repr_fields()}, input_scale={self.input_scale!r}, "
                f"output_scale={self.output_scale!r}, algo={self.algo!r})")


# layer(x): the extension's C++ __call__ (as Conv2d's, _conv.py); QConv2d.__call__ above
# becomes QConv2d._call.
_QConv2dImpl._install_call(QConv2d)
