"""Max and average pooling (torch.nn.functional's max_pool2d / avg_pool2d
conventions) on armconv's pooling kernels (src/core/pool.h)."""
from __future__ import annotations

from typing import Any, Optional, Tuple, TypeVar, overload

import numpy as np
import numpy.typing as npt

from . import _args
from ._armconv import pool2d as _pool2d
from ._armconv import pool_output_size as _pool_output_size
from ._types import ArrayIn, F32Array, IntPair, PoolPaddingArg

_Out = TypeVar("_Out")


def _padding(v: object, kernel: Tuple[int, int], limit: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """int, (h, w) or (top, bottom, left, right), each side <= limit (half the window)."""
    if isinstance(v, str):
        raise TypeError(f"padding must be an int, (h, w) or (top, bottom, left, right), got {v!r}")
    if isinstance(v, (tuple, list)):
        if len(v) == 2:
            ph, pw = (_args.integer("padding", e, 0) for e in v)
            pads = (ph, ph, pw, pw)
        elif len(v) == 4:
            t, b, l, r = (_args.integer("padding", e, 0) for e in v)
            pads = (t, b, l, r)
        else:
            raise ValueError(f"padding must be an int, (h, w) or (top, bottom, left, right), got {v!r}")
    else:
        p = _args.integer("padding", v, 0)
        pads = (p, p, p, p)
    for side, p in zip(("top", "bottom", "left", "right"), pads):
        lim = limit[0] if side in ("top", "bottom") else limit[1]
        if p > lim:
            raise ValueError(
                f"padding ({side} {p}) must be at most half the pooling window ({lim} for "
                f"kernel_size {kernel}), as in torch: every window then holds an input element; "
                f"pad the input yourself for more")
    return pads


def _prepare(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair], padding: PoolPaddingArg,
             dilation: IntPair, ceil_mode: bool, max_pool: bool) -> Tuple[
                 npt.NDArray[Any], npt.NDArray[Any], Tuple[int, int], Tuple[int, int], Tuple[int, int],
                 Tuple[int, int, int, int]]:
    xa = _args.array("x", x, ndims=(3, 4))
    kernel = _args.pair("kernel_size", kernel_size, 1)
    st = kernel if stride is None else _args.pair("stride", stride, 1)
    dil = _args.pair("dilation", dilation, 1)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be a bool, got {type(ceil_mode).__name__}")
    # torch: at most half the (dilated, for max) window on each side.
    eff = ((kernel[0] - 1) * dil[0] + 1, (kernel[1] - 1) * dil[1] + 1) if max_pool else kernel
    pads = _padding(padding, kernel, (eff[0] // 2, eff[1] // 2))
    x4 = xa if xa.ndim == 4 else xa[None]
    for axis, n, p0, p1, e in ((2, x4.shape[2], pads[0], pads[1], eff[0]),
                               (3, x4.shape[3], pads[2], pads[3], eff[1])):
        if n + p0 + p1 < e:
            raise ValueError(f"x.shape[{axis - 4 + xa.ndim}] = {n} plus padding ({p0 + p1}) is smaller "
                             f"than the pooling window ({e}); use a smaller kernel_size or dilation")
    return xa, x4, kernel, st, dil, pads


def _run(xa: Any, x4: Any, kind: str, kernel: Tuple[int, int], st: Tuple[int, int],
         dil: Tuple[int, int], pads: Tuple[int, int, int, int], ceil_mode: bool,
         include_pad: bool, out: Any) -> Any:
    if out is None:
        y = _pool2d(x4, kind, kernel, st, dil, pads, bool(ceil_mode), include_pad)
        return y if xa.ndim == 4 else y[0]
    ho, wo = _pool_output_size(kernel, st, dil, pads, bool(ceil_mode), x4.shape[2], x4.shape[3])
    shape = (x4.shape[0], x4.shape[1], ho, wo)
    o = _args.output(out, shape if xa.ndim == 4 else shape[1:], np.float32, [("x", xa)])
    _pool2d(x4, kind, kernel, st, dil, pads, bool(ceil_mode), include_pad,
            o if xa.ndim == 4 else o[None])
    return out


@overload
def max_pool2d(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair] = None,
               padding: PoolPaddingArg = 0, dilation: IntPair = 1, ceil_mode: bool = False, *,
               out: None = None) -> F32Array: ...
@overload
def max_pool2d(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair] = None,
               padding: PoolPaddingArg = 0, dilation: IntPair = 1, ceil_mode: bool = False, *,
               out: _Out) -> _Out: ...


def max_pool2d(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair] = None,
               padding: PoolPaddingArg = 0, dilation: IntPair = 1, ceil_mode: bool = False, *,
               out: Any = None) -> Any:
    """2-D max pooling of a float32 (N, C, H, W) or (C, H, W) array, as
    torch.nn.functional.max_pool2d (without return_indices).

    ``kernel_size``, ``stride`` (default: ``kernel_size``), ``dilation``: int
    or (h, w). ``padding``: int, (h, w) or (top, bottom, left, right), each at
    most half the dilated window; padding counts as -inf. ``ceil_mode``:
    round the output size up (a last window must start inside the input or
    its top/left padding). A NaN in a window gives NaN. ``out``: optional
    float32 C-contiguous writable array of the output's shape sharing no
    memory with x; the result is written there and ``out`` returned.
    """
    xa, x4, kernel, st, dil, pads = _prepare(x, kernel_size, stride, padding, dilation, ceil_mode, True)
    return _run(xa, x4, "max", kernel, st, dil, pads, ceil_mode, False, out)


@overload
def avg_pool2d(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair] = None,
               padding: PoolPaddingArg = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               *, out: None = None) -> F32Array: ...
@overload
def avg_pool2d(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair] = None,
               padding: PoolPaddingArg = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               *, out: _Out) -> _Out: ...


def avg_pool2d(x: ArrayIn, kernel_size: IntPair, stride: Optional[IntPair] = None,
               padding: PoolPaddingArg = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               *, out: Any = None) -> Any:
    """2-D average pooling of a float32 (N, C, H, W) or (C, H, W) array, as
    torch.nn.functional.avg_pool2d (without divisor_override).

    Arguments as :func:`max_pool2d` (padding at most half the window).
    ``count_include_pad`` (default True, as torch): divide by the window's
    size clipped to the padded input (padding counts as zeros); False: by the
    number of input elements in the window. ceil mode's extra windows never
    count what lies past the padding.
    """
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be a bool, got {type(count_include_pad).__name__}")
    xa, x4, kernel, st, dil, pads = _prepare(x, kernel_size, stride, padding, 1, ceil_mode, False)
    return _run(xa, x4, "avg", kernel, st, dil, pads, ceil_mode, bool(count_include_pad), out)
