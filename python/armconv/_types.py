"""Type aliases of the public API (for annotations; nothing here runs kernels)."""
from __future__ import annotations

from typing import Any, Literal, Protocol, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt


class SupportsDLPack(Protocol):
    """An array exporting DLPack (a torch CPU tensor, for one)."""

    def __dlpack__(self) -> Any: ...


#: Any CPU array armconv reads without a copy when it already has the right
#: dtype and is C-contiguous: numpy arrays, torch CPU tensors, and objects with
#: ``__array__``, ``__dlpack__`` or the buffer protocol.
ArrayIn = Union[npt.ArrayLike, SupportsDLPack]
#: An int or an (h, w) pair.
IntPair = Union[int, Tuple[int, int]]
#: int, (h, w), (top, bottom, left, right), "valid" or "same".
PaddingArg = Union[int, Tuple[int, int], Tuple[int, int, int, int], Literal["valid", "same"]]
# Pooling padding: int, (h, w) or (top, bottom, left, right).
PoolPaddingArg = Union[int, Tuple[int, int], Tuple[int, int, int, int]]
#: None, "relu", "relu6" or a (min, max) clamp.
ActivationArg = Union[None, Literal["relu", "relu6"], Tuple[float, float]]
#: The kernel families a layer can be forced to.
AlgoArg = Literal["auto", "gemm", "im2col", "depthwise3x3", "depthwise5x5", "depthwise", "winograd23", "winograd43",
                  "winograd63", "winograd63+23", "winograd63+43", "winograd43+23", "winograd23s2", "winograd43s2",
                  "winograd43s2+23s2", "strassen"]
#: A layer's arithmetic: "fp32", or "fp16" (half precision where the CPU has it).
PrecisionArg = Literal["fp32", "fp16"]
#: A scale: a number (per tensor) or a 1-D array (per channel, with axis=).
ScaleArg = Union[float, npt.ArrayLike]

F32Array = npt.NDArray[np.float32]
F16Array = npt.NDArray[np.float16]
I8Array = npt.NDArray[np.int8]
I32Array = npt.NDArray[np.int32]


class _KernelsAlways(TypedDict):
    sgemm: str
    depthwise3x3: str
    depthwise5x5: str
    depthwise: str
    winograd: str
    winograd43: str
    winograd23: str
    winograd43s2: str
    winograd23s2: str
    gemm_s8: str
    winograd_gemm: str
    winograd23_s8: str
    winograd_gemm_s16: str
    depthwise3x3_s8: str
    half_convert: str
    quantize: str
    pool: str
    eltwise: str


class Kernels(_KernelsAlways, total=False):
    """``cpu_info()["kernels"]``: the implementation each kernel family uses,
    named ``<family>-<isa>-<tile>[-<variant>]`` (e.g. ``"sgemm-aarch64-8x12"``).
    The fp16 slots (``hgemm``, ``depthwise3x3_fp16``, ``winograd43_fp16``,
    ``winograd23_fp16``, ``winograd_gemm_fp16``) are present only where fp16
    kernels run."""

    hgemm: str
    depthwise3x3_fp16: str
    winograd43_fp16: str
    winograd23_fp16: str
    winograd_gemm_fp16: str


class CpuInfo(TypedDict):
    """What :func:`armconv.cpu_info` returns."""

    arch: str
    neon: bool
    neon_kernels: bool
    dotprod: bool
    fp16: bool
    i8mm: bool
    cpus: int
    kernels: Kernels


__all__ = ["ArrayIn", "IntPair", "PaddingArg", "PoolPaddingArg", "ActivationArg", "AlgoArg", "PrecisionArg",
           "ScaleArg", "F32Array", "F16Array", "I8Array", "I32Array", "CpuInfo", "Kernels", "SupportsDLPack"]
