"""armconv: ARM NEON convolution kernels for CNN inference.

The kernels are chosen at import time for the running CPU (see
:func:`cpu_info`); every one has a portable twin, so the package gives the same
results on any CPU.

fp32: :func:`conv2d`, :class:`Conv2d` (weights packed once), :func:`gemm`.
int8: :func:`quantize`, :func:`dequantize`, :func:`requantize`, :func:`gemm_s8`,
:class:`QConv2d`. Layout: :func:`to_nc4hw4`, :func:`from_nc4hw4`.
:func:`cpu_info` says what the CPU offers and which kernels were chosen.
Threads: :func:`set_num_threads`, :func:`get_num_threads`, :class:`threads`.
Whole models: :func:`load` reads an ONNX file (or its numpy-only .npz form)
into a :class:`Model` that runs every layer on these kernels.
`python -m armconv` benchmarks and self-checks every algorithm.
"""
from ._armconv import cpu_info as _cpu_info
from ._conv import Conv2d, conv2d, gemm
from ._layout import from_nc4hw4, to_nc4hw4
from ._model import Model, load
from ._quant import QConv2d, dequantize, gemm_s8, quantize, requantize
from ._threads import get_num_threads, set_num_threads, threads

__version__ = "0.1.0"
__all__ = ["cpu_info", "conv2d", "Conv2d", "gemm", "gemm_s8", "quantize", "dequantize",
           "requantize", "QConv2d", "to_nc4hw4", "from_nc4hw4",
           "set_num_threads", "get_num_threads", "threads", "load", "Model"]


def cpu_info():
    """What the running CPU offers and which implementation each kernel family uses.

    Returns a dict: ``arch`` ("aarch64", "armv7", "x86_64", ...), ``neon``,
    ``dotprod``, ``fp16``, ``i8mm`` (bools read from the CPU at run time),
    ``cpus`` (the number of CPUs this process may run on, from
    sched_getaffinity: the default thread count), and ``kernels``: a dict
    from kernel family (``sgemm``, ``depthwise3x3``, ``winograd``,
    ``gemm_s8``) to the implementation chosen for it.
    Setting the environment variable ARMCONV_DISABLE (e.g. "dotprod" or
    "neon,dotprod") before the first use hides features from the dispatcher.
    """
    return _cpu_info()
