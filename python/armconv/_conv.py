"""fp32 convolution and GEMM."""
from __future__ import annotations

from typing import Any, Literal, Optional, Tuple, TypeVar, Union, cast, overload

import numpy as np

from . import _args
from ._armconv import Conv2d as _Conv2dImpl
from ._armconv import sgemm as _sgemm
from ._layer import ConvLayer
from ._types import (ActivationArg, AlgoArg, ArrayIn, F16Array, F32Array, IntPair, PaddingArg,
                     PrecisionArg)

__all__ = ["conv2d", "Conv2d", "gemm"]

_Out = TypeVar("_Out")


class Conv2d(ConvLayer):
    """A 2-D convolution layer whose weights are packed once.

    ``Conv2d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
    activation=None, algo="auto", precision="fp32")`` validates the
    parameters, chooses the algorithm and packs ``weight`` (a float32 array of shape
    (out_channels, in_channels // groups, kh, kw): the layer takes the weight
    array itself, not the layer's sizes; :meth:`from_torch` builds one from a
    ``torch.nn.Conv2d``) for it. ``layer(x)`` then convolves an (N, C, H, W) or
    (C, H, W) float32 array of any batch and map size and returns a float32
    array of the same rank, exactly as :func:`conv2d` would; ``layer(x,
    out=y)`` writes the result into ``y`` instead and returns it.

    The layer is immutable and may be called from several threads at once: the
    GIL is released while the kernels run, and each call has its own scratch
    memory. The weights are copied while packing, so changing ``weight``
    afterwards does not change the layer.

    Parameters are those of :func:`conv2d`. Attributes: ``in_channels``,
    ``out_channels``, ``kernel_size``, ``stride``, ``padding`` (top, bottom,
    left, right), ``dilation``, ``groups``, ``activation``, ``algo`` (the
    algorithm chosen, e.g. ``"gemm"`` or ``"im2col"``; see :meth:`algo_for`
    for the one small maps get) and ``precision`` (the arithmetic that runs:
    ``"fp16"`` only if it was asked for and this CPU has fp16 kernels for the
    layer's algorithm, else ``"fp32"``).

    ``precision="fp16"``: the weights are rounded to IEEE half precision once,
    the input is converted while it is packed, multiply-adds run in half
    precision (error table in the README) and the result is widened back to
    float32; a layer built so also takes float16 arrays, and then returns
    float16. That runs on CPUs with fp16 vector arithmetic (Armv8.2 FP16:
    Cortex-A76 / Raspberry Pi 5 and later); elsewhere (Pi 4, 32-bit ARM, x86)
    the same layer computes in float32 and ``precision`` says ``"fp32"``
    (float16 arrays are then converted in and out).
    """

    __slots__ = ("precision", "_f16_io")
    _impl: _Conv2dImpl
    precision: str
    _f16_io: bool

    def __init__(self, weight: ArrayIn, bias: Optional[ArrayIn] = None, stride: IntPair = 1,
                 padding: PaddingArg = 0, dilation: IntPair = 1, groups: int = 1,
                 activation: ActivationArg = None, algo: AlgoArg = "auto",
                 precision: PrecisionArg = "fp32") -> None:
        args = _args.conv_args(weight, bias, stride, padding, dilation, groups, activation)
        asked = _args.precision(precision)
        impl = _Conv2dImpl(args.weight, args.bias, *args.native(), _args.algo(algo), asked)
        self._init_layer(args, impl)
        object.__setattr__(self, "precision", impl.precision)
        object.__setattr__(self, "_f16_io", asked == "fp16")

    @classmethod
    def from_torch(cls, conv: Any, bn: Any = None, activation: Any = None,
                   algo: AlgoArg = "auto", precision: PrecisionArg = "fp32") -> "Conv2d":
        """A layer computing ``conv`` (a ``torch.nn.Conv2d``), then ``bn``, then ``activation``.

        ``bn``: an optional ``torch.nn.BatchNorm2d`` following the convolution,
        folded into the weights and bias with its running statistics (what it
        computes in ``eval()`` mode): ``w' = w * g``, ``b' = (b - mean) * g +
        beta`` with ``g = gamma / sqrt(running_var + eps)``, in float64, then
        rounded to float32. ``activation``: None, "relu", "relu6", a (min, max)
        pair, or a ``torch.nn.ReLU``, ``ReLU6``, ``Hardtanh`` or ``Identity``
        module. ``algo``, ``precision``: as for the constructor. torch is
        imported only by this method.
        """
        import torch  # only here: armconv itself never needs torch

        if not isinstance(conv, torch.nn.Conv2d):
            raise TypeError(f"conv must be a torch.nn.Conv2d, got {type(conv).__name__}")
        if conv.padding_mode != "zeros":
            raise ValueError(f"conv.padding_mode must be 'zeros' (armconv pads with zeros), got "
                             f"{conv.padding_mode!r}")
        w = conv.weight.detach().to("cpu", torch.float64).numpy()
        b = (np.zeros(w.shape[0]) if conv.bias is None
             else conv.bias.detach().to("cpu", torch.float64).numpy())
        if bn is not None:
            if not isinstance(bn, torch.nn.BatchNorm2d):
                raise TypeError(f"bn must be a torch.nn.BatchNorm2d or None, got {type(bn).__name__}")
            if bn.num_features != w.shape[0]:
                raise ValueError(f"bn has {bn.num_features} features, conv has {w.shape[0]} "
                                 f"output channels")
            if bn.running_mean is None or bn.running_var is None:
                raise ValueError("bn has no running statistics (track_running_stats=False): "
                                 "there is nothing to fold")

            def f64(t: Any) -> Any:
                return t.detach().to("cpu", torch.float64).numpy()

            g = 1.0 / np.sqrt(f64(bn.running_var) + bn.eps)
            if bn.weight is not None:
                g = g * f64(bn.weight)
            b = (b - f64(bn.running_mean)) * g
            if bn.bias is not None:
                b = b + f64(bn.bias)
            w = w * g[:, None, None, None]
        pad: Any = conv.padding if isinstance(conv.padding, str) else tuple(conv.padding)
        return cls(w.astype(np.float32), b.astype(np.float32),
                   stride=(conv.stride[0], conv.stride[1]), padding=pad,
                   dilation=(conv.dilation[0], conv.dilation[1]), groups=conv.groups,
                   activation=_torch_activation(activation), algo=algo, precision=precision)

    @overload
    def __call__(self, x: F16Array, out: None = None) -> F16Array: ...
    @overload
    def __call__(self, x: ArrayIn, out: None = None) -> F32Array: ...
    @overload
    def __call__(self, x: ArrayIn, out: _Out) -> _Out: ...

    def __call__(self, x: ArrayIn, out: Any = None) -> Any:
        """Convolve x ((N, C, H, W) or (C, H, W) float32); into ``out`` when given.

        A layer built with ``precision="fp16"`` also takes float16 arrays and
        then returns float16 (``out`` must be float16 too).
        ``out``: a C-contiguous, writable array of x's dtype and the output's
        exact shape, sharing no memory with x (any CPU array kind: numpy,
        torch...); returned as it was passed.

        This is the full path: the extension's ``__call__`` (installed below
        the class; this method is then ``Conv2d._call``) runs the common call
        itself (a float32 C-contiguous (N, C, H, W) numpy array, or float16
        when the layer takes it; ``out`` None or such a numpy array) and
        passes every other call, and any it refuses, here.
        """
        dt: Any = np.float32
        hint = None
        a = _args.as_ndarray("x", x, np.dtype(np.float32))
        if a.dtype == np.float16:
            if self._f16_io:
                dt = np.float16
            else:
                hint = ("cast it with x.astype(np.float32), or build the layer with "
                        "precision='fp16', which takes float16 arrays")
        return _args.run_layer(self._impl, _args.layer_input(a, self.in_channels, dt, hint), out,
                               dt)

    def algo_for(self, h: int, w: int) -> str:
        """The algorithm a call over an h x w input map runs.

        Equal to ``algo`` except for an ``auto`` 3x3 stride-1 layer: it runs
        whichever of ``"winograd63"``, ``"winograd43"``, ``"winograd23"``,
        ``"im2col"`` and the mixed tilings ``"winograd63+23"``,
        ``"winograd63+43"``, ``"winograd43+23"`` (F(6,3) or F(4,3) tiles on
        the map's core, smaller ones on its borders) the cost model (measured
        instruction counts) finds cheapest on the map, and packs its weights
        for the tile sizes it runs the first time it runs them (``algo``
        names the large-map choice among the single tile sizes and im2col).
        """
        return self._impl.algo_for(_args.integer("h", h, 1), _args.integer("w", w, 1))

    def workspace_bytes(self, h: int, w: int) -> int:
        """Scratch memory one call over an h x w map (batch 1) takes at this thread's
        get_num_threads(): every thread's scratch, plus the buffer the threads share
        on small maps (kept per thread between calls, bounded for large maps)."""
        return self._impl.workspace_bytes(_args.integer("h", h, 1), _args.integer("w", w, 1))

    def __repr__(self) -> str:
        p = f", precision={self.precision!r}" if self._f16_io else ""
        return f"Conv2d({self._repr_fields()}, algo={self.algo!r}{p})"


# layer(x): the extension's C++ __call__ (src/python/bindings.h, layer_call) runs the common
# call without a Python frame; Conv2d.__call__ above becomes Conv2d._call, the path it
# passes every other call to.
_Conv2dImpl._install_call(Conv2d)


def _torch_activation(a: Any) -> ActivationArg:
    """from_torch's activation: the armconv forms, or the torch module for one."""
    if a is None or isinstance(a, (str, tuple, list)):
        return cast(ActivationArg, a)
    import torch

    nn = torch.nn
    if isinstance(a, nn.Identity):
        return None
    if isinstance(a, nn.ReLU6):  # a Hardtanh subclass: test it first
        return "relu6"
    if isinstance(a, nn.ReLU):
        return "relu"
    if isinstance(a, nn.Hardtanh):
        return (float(a.min_val), float(a.max_val))
    raise ValueError(f"activation must be None, 'relu', 'relu6', (min, max), or torch.nn.ReLU, "
                     f"ReLU6, Hardtanh or Identity; got {type(a).__name__} (run other "
                     f"activations on the layer's output)")


@overload
def conv2d(x: ArrayIn, weight: ArrayIn, bias: Optional[ArrayIn] = None, stride: IntPair = 1,
           padding: PaddingArg = 0, dilation: IntPair = 1, groups: int = 1,
           activation: ActivationArg = None, algo: AlgoArg = "auto", *,
           out: None = None, precision: Literal["fp32"] = "fp32") -> F32Array: ...
@overload
def conv2d(x: ArrayIn, weight: ArrayIn, bias: Optional[ArrayIn] = None, stride: IntPair = 1,
           padding: PaddingArg = 0, dilation: IntPair = 1, groups: int = 1,
           activation: ActivationArg = None, algo: AlgoArg = "auto", *,
           out: None = None, precision: PrecisionArg) -> Union[F32Array, F16Array]: ...
@overload
def conv2d(x: ArrayIn, weight: ArrayIn, bias: Optional[ArrayIn] = None, stride: IntPair = 1,
           padding: PaddingArg = 0, dilation: IntPair = 1, groups: int = 1,
           activation: ActivationArg = None, algo: AlgoArg = "auto", *, out: _Out,
           precision: PrecisionArg = "fp32") -> _Out: ...


def conv2d(x: ArrayIn, weight: ArrayIn, bias: Optional[ArrayIn] = None, stride: IntPair = 1,
           padding: PaddingArg = 0, dilation: IntPair = 1, groups: int = 1,
           activation: ActivationArg = None, algo: AlgoArg = "auto", *, out: Any = None,
           precision: PrecisionArg = "fp32") -> Any:
    """2-D convolution with the semantics of ``torch.nn.functional.conv2d``.

    x: float32 (N, C, H, W) or (C, H, W); the result has the same rank.
    weight: float32 (Cout, C // groups, kh, kw). bias: float32 (Cout,) or None.
    Arrays may be numpy arrays, torch CPU tensors or any object exposing
    ``__array__``, ``__dlpack__`` or the buffer protocol (read without a copy
    when already C-contiguous float32).
    stride, dilation: int or (h, w).
    padding: int, (h, w), (top, bottom, left, right), "valid" or "same"
    ("same" needs stride 1; an odd total puts the extra row/column at the
    bottom/right, as TF/ONNX SAME_UPPER).
    activation: None, "relu", "relu6" or a (min, max) pair, fused into the
    output stage (NaN propagates).
    algo: "auto", or force a kernel family: "gemm" (1x1 kernels without
    padding), "im2col" (any shape), "depthwise3x3", "depthwise5x5" (stride 1
    or 2), "depthwise" (any other depthwise shape), "winograd23",
    "winograd43", "winograd63" (3x3 stride 1: Winograd F(2,3), F(4,3),
    F(6,3)), "winograd63+23", "winograd63+43", "winograd43+23" (the same
    shapes: F(6,3) or F(4,3) on the largest part of the map that is a
    multiple of the tile, F(2,3) or F(4,3) on the borders it leaves),
    "winograd23s2", "winograd43s2", "winograd43s2+23s2" (3x3 stride 2:
    Winograd F(2,3)s2, F(4,3)s2 and the mixed tiling of the two),
    "strassen" (1x1, stride 1, no padding, groups 1: one level of Strassen
    over the fp32 GEMM, 7/8 of its multiply-adds; fp32 only, its error a
    small multiple of the GEMM's). Forcing one that cannot run the shape
    raises armconv.Error (a ValueError) saying why.
    out: optional float32 C-contiguous writable array of the output's shape,
    sharing no memory with x; the result is written there and ``out`` returned.
    precision: "fp32" (default), or "fp16": half-precision arithmetic where
    the CPU has it (see :class:`Conv2d`); x may then also be float16, and the
    result (and ``out``) is float16 too.

    Returns a new float32 array (N, Cout, Ho, Wo) (or (Cout, Ho, Wo)).
    Non-contiguous, Fortran-ordered and misaligned inputs are accepted (copied).
    """
    f16 = (_args.precision(precision) == "fp16"
           and _args.as_ndarray("x", x, np.dtype(np.float32)).dtype == np.float16)
    xa = _args.array("x", x, np.float16 if f16 else np.float32, ndims=(3, 4))
    wa = _args.array("weight", weight, ndims=(4,))
    groups = _args.integer("groups", groups, 1)
    c = xa.shape[-3]
    if c % groups:
        raise ValueError(f"groups ({groups}) must divide the input channels ({c})")
    if wa.shape[1] * groups != c:
        raise ValueError(
            f"x has {c} channels but weight.shape[1] * groups = {wa.shape[1]} * {groups} = "
            f"{wa.shape[1] * groups}")
    layer = Conv2d(wa, bias, stride, padding, dilation, groups, activation, algo, precision)
    return layer(xa, out=out)


@overload
def gemm(a: ArrayIn, b: ArrayIn, *, out: None = None) -> F32Array: ...
@overload
def gemm(a: ArrayIn, b: ArrayIn, *, out: _Out) -> _Out: ...


def gemm(a: ArrayIn, b: ArrayIn, *, out: Any = None) -> Any:
    """float32 matrix product (M, K) @ (K, N) -> (M, N), on the packed GEMM.

    ``out``: optional float32 C-contiguous writable (M, N) array sharing no
    memory with a or b; the result is written there and ``out`` returned.
    """
    aa = _args.array("a", a, ndims=(2,))
    ba = _args.array("b", b, ndims=(2,))
    if aa.shape[1] != ba.shape[0]:
        raise ValueError(f"a and b do not conform: a is {aa.shape}, b is {ba.shape}")
    if out is None:
        return _sgemm(aa, ba)
    o = _args.output(out, (aa.shape[0], ba.shape[1]), np.float32, [("a", aa), ("b", ba)])
    _sgemm(aa, ba, o)
    return out
