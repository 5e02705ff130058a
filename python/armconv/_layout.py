"""The nc4hw4 layout: channels grouped by 4, one pixel of 4 channels contiguous.

nc4hw4 is the layout the Winograd kernels transform in (one float32x4 vector
holds the same pixel of 4 channels). An (N, C, H, W) array becomes
(N, ceil(C / 4), H, W, 4); element (n, c, y, x) moves to
[n, c // 4, y, x, c % 4], and the channels past C in the last group are zero.
"""
from __future__ import annotations

from . import _args
from ._armconv import from_nc4hw4 as _from_nc4hw4
from ._armconv import to_nc4hw4 as _to_nc4hw4
from ._types import ArrayIn, F32Array

__all__ = ["to_nc4hw4", "from_nc4hw4"]


def to_nc4hw4(x: ArrayIn) -> F32Array:
    """NCHW -> nc4hw4.

    x: float32 (N, C, H, W) or (C, H, W). Returns a new float32 array
    (N, ceil(C / 4), H, W, 4) (or (ceil(C / 4), H, W, 4)) with the channel
    tail zero-filled. Non-contiguous inputs are accepted.
    """
    xa = _args.array("x", x, ndims=(3, 4))
    r: F32Array = _to_nc4hw4(xa[None])[0] if xa.ndim == 3 else _to_nc4hw4(xa)
    return r


def from_nc4hw4(y: ArrayIn, channels: int) -> F32Array:
    """nc4hw4 -> NCHW, keeping the first `channels` channels.

    y: float32 (N, C4, H, W, 4) or (C4, H, W, 4); channels: int with
    ceil(channels / 4) == C4. Returns a new float32 array (N, channels, H, W)
    (or (channels, H, W)); the inverse of :func:`to_nc4hw4`.
    """
    ya = _args.array("y", y, ndims=(4, 5))
    channels = _args.integer("channels", channels, 1)
    if ya.shape[-1] != 4:
        raise ValueError(f"y must have a last dimension of 4 (nc4hw4), got shape {ya.shape}")
    c4 = ya.shape[-4]
    if (channels + 3) // 4 != c4:
        raise ValueError(
            f"channels ({channels}) does not match y: ceil(channels / 4) must be "
            f"y.shape[{ya.ndim - 4}] = {c4}, so channels must be in [{4 * c4 - 3}, {4 * c4}]")
    r: F32Array = (_from_nc4hw4(ya[None], channels)[0] if ya.ndim == 4
                   else _from_nc4hw4(ya, channels))
    return r
