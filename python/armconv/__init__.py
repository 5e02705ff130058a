"""armconv: ARM NEON convolution kernels for CNN inference.

The kernels are chosen at import time for the running CPU (see
:func:`cpu_info`); every one has a portable twin, so the package works on any
CPU, with results within the same float32 error bounds (int8: identical bits).

fp32: :func:`conv2d`, :class:`Conv2d` (weights packed once;
:meth:`Conv2d.from_torch`), :func:`gemm`, :func:`max_pool2d`, :func:`avg_pool2d`.
int8: :func:`quantize`, :func:`dequantize`, :func:`requantize`, :func:`gemm_s8`,
:class:`QConv2d`. Layout: :func:`to_nc4hw4`, :func:`from_nc4hw4`.
:func:`cpu_info` says what the CPU offers and which kernels were chosen.
Threads: :func:`set_num_threads`, :func:`get_num_threads`, :class:`threads`.
Whole models: :func:`load` reads an ONNX file (or its numpy-only .npz form)
into a :class:`Model` that runs every layer on these kernels.
Arrays may be numpy arrays, torch CPU tensors or anything exposing
``__array__``, ``__dlpack__`` or the buffer protocol. Invalid arguments raise
TypeError or ValueError naming the argument (:class:`Error`, a ValueError, for
those the C++ core refuses).
`python -m armconv` benchmarks the kernels on this CPU against numpy (and torch,
onnxruntime when installed) and checks every result; `python -m armconv run
model.onnx` runs a whole model.
"""
from __future__ import annotations

from ._armconv import Error
from ._armconv import cpu_info as _cpu_info
from ._conv import Conv2d, conv2d, gemm
from ._layout import from_nc4hw4, to_nc4hw4
from ._model import Model, load
from ._pool import avg_pool2d, max_pool2d
from ._quant import QConv2d, dequantize, gemm_s8, quantize, requantize
from ._threads import get_num_threads, set_num_threads, threads
from ._types import CpuInfo

__version__ = "0.1.0"
__all__ = ["cpu_info", "conv2d", "Conv2d", "gemm", "max_pool2d", "avg_pool2d", "gemm_s8", "quantize", "dequantize",
           "requantize", "QConv2d", "to_nc4hw4", "from_nc4hw4",
           "set_num_threads", "get_num_threads", "threads", "load", "Model", "Error", "CpuInfo"]


def cpu_info() -> CpuInfo:
    """What the running CPU offers and which implementation each kernel family uses.

    Returns a dict: ``arch`` ("aarch64", "armv7", "x86_64", ...); ``neon``,
    ``dotprod``, ``fp16``, ``i8mm``: bools read from the CPU at run time
    (``neon``: the CPU has NEON / Advanced SIMD); ``neon_kernels``: whether
    the NEON kernels run (False on a 32-bit CPU with NEON but without VFPv4,
    e.g. a Cortex-A9, and in a build without them); ``cpus``: the number of
    CPUs this process may run on (from sched_getaffinity: the default thread
    count); ``kernels``: a dict from kernel family (``sgemm``,
    ``depthwise3x3``, ``winograd``, ``gemm_s8``) to the implementation chosen
    for it.
    Setting the environment variable ARMCONV_DISABLE (e.g. "dotprod" or
    "neon,dotprod") before the first use hides features from the dispatcher
    (and from this answer).
    """
    info: CpuInfo = _cpu_info()
    return info
