"""Argument normalisation and validation shared by the public functions.

Everything is checked here, with the GIL held, before the C++ core is called;
messages name the argument, say what was expected and give a fix that works.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._types import ActivationArg, ArrayIn, IntPair, PaddingArg

ALGOS = ("auto", "gemm", "im2col", "depthwise3x3", "depthwise5x5", "depthwise", "winograd23", "winograd43",
         "winograd63", "winograd63+23", "winograd63+43", "winograd43+23", "winograd23s2", "winograd43s2",
         "winograd43s2+23s2", "strassen")
PRECISIONS = ("fp32", "fp16")
INT64_MAX = 2 ** 63 - 1

# DLPack device types a CPU array may come from (dlpack.h: kDLCPU,
# kDLCUDAHost, kDLROCMHost: host memory numpy can read).
_DLPACK_HOST_DEVICES = (1, 3, 11)


def _is_torch(x: object) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _cast_hint(name: str, x: object, dtype: np.dtype[Any]) -> str:
    """How to get `x` into `dtype`: the fix a TypeError proposes."""
    if dtype == np.int8:
        return (f"quantize it with armconv.quantize({name}, scale) (float32 in, int8 out); "
                f"{name}.astype(np.int8) would wrap values above 127 to negative numbers")
    if _is_torch(x):
        return f"cast it with {name}.to(torch.{dtype.name})"
    return f"cast it with {name}.astype(np.{dtype.name})"


def as_ndarray(name: str, x: object, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """View any CPU array-like as a numpy array, copying nothing.

    Accepts numpy arrays and objects exposing ``__dlpack__`` (torch CPU
    tensors, JAX/CuPy host arrays...), ``__array__`` or the buffer protocol.
    """
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "__dlpack__"):
        if _is_torch(x):
            if getattr(x, "requires_grad", False):
                raise TypeError(f"{name} is a torch tensor that requires grad: pass {name}.detach()")
            dev = getattr(x, "device", None)
            if dev is not None and getattr(dev, "type", "cpu") != "cpu":
                raise TypeError(f"{name} is on device {dev}: armconv runs on the CPU, pass "
                                f"{name}.cpu()")
        device = getattr(x, "__dlpack_device__", None)
        if device is not None and int(device()[0]) not in _DLPACK_HOST_DEVICES:
            raise TypeError(f"{name} lives on a device (DLPack device {device()}): armconv runs "
                            f"on the CPU; copy it to host memory first")
        try:
            return np.from_dlpack(x)
        except (BufferError, RuntimeError, TypeError, ValueError) as e:
            if not hasattr(x, "__array__"):
                raise TypeError(f"{name} ({type(x).__name__}) cannot be read through DLPack: {e}; "
                                f"{_cast_hint(name, x, dtype)}") from None
            # e.g. a dtype DLPack cannot describe: __array__ may still work.
    if hasattr(x, "__array__"):
        try:
            return np.asarray(x)
        except Exception as e:  # the object's own __array__ failed
            raise TypeError(f"{name} ({type(x).__name__}) cannot be converted to an array: {e}") from None
    if not isinstance(x, (str, list, tuple)):
        try:
            view = memoryview(x)  # type: ignore[arg-type]
        except TypeError:
            pass
        else:
            return np.asarray(view)
    raise TypeError(
        f"{name} must be a numpy.ndarray or another CPU array (an object with __array__, "
        f"__dlpack__ or the buffer protocol, e.g. a torch CPU tensor), got {type(x).__name__}; "
        f"convert it with np.asarray({name}, dtype=np.{np.dtype(dtype).name})")


def array(name: str, x: ArrayIn, dtype: npt.DTypeLike = np.float32,
          ndims: Optional[Sequence[int]] = None, hint: Optional[str] = None) -> npt.NDArray[Any]:
    """Return `x` as a C-contiguous, aligned numpy array of `dtype`.

    No copy when `x` already is one (whatever kind of array it is); a copy when
    it is strided, Fortran-ordered or misaligned. `hint` replaces the cast
    advice of the dtype error.
    """
    dt = np.dtype(dtype)
    a = as_ndarray(name, x, dt)
    if a.dtype != dt:
        raise TypeError(f"{name} must have dtype {dt.name}, got {a.dtype}; "
                        f"{hint or _cast_hint(name, x, dt)}")
    if ndims is not None and a.ndim not in ndims:
        want = " or ".join(str(d) for d in ndims)
        raise ValueError(f"{name} must have {want} dimensions, got shape {a.shape}")
    return np.require(a, dt, ["C_CONTIGUOUS", "ALIGNED"])


def output(out: object, shape: Tuple[int, ...], dtype: npt.DTypeLike,
           inputs: Sequence[Tuple[str, npt.NDArray[Any]]]) -> npt.NDArray[Any]:
    """Check a caller-given output array and return a numpy view of it.

    It must have exactly `shape` and `dtype`, be C-contiguous, aligned and
    writable (the kernels write it in place), and share no memory with any of
    `inputs` (the kernels read those while writing it).
    """
    dt = np.dtype(dtype)
    o = as_ndarray("out", out, dt)
    fresh = f"np.empty({tuple(shape)}, np.{dt.name})"
    if o.dtype != dt:
        raise TypeError(f"out must have dtype {dt.name}, got {o.dtype}; pass {fresh}")
    if o.shape != tuple(shape):
        raise ValueError(f"out must have shape {tuple(shape)}, got {o.shape}")
    if not o.flags.c_contiguous:
        raise ValueError("out must be C-contiguous (the result is written straight into it); "
                         f"pass {fresh}, or omit out and copy the result")
    if not o.flags.aligned:
        raise ValueError(f"out must be aligned to its dtype; pass {fresh}")
    if not o.flags.writeable:
        raise ValueError(f"out is read-only; pass a writable array, e.g. {fresh}")
    for name, a in inputs:
        if _overlap(o, a):
            raise ValueError(f"out overlaps {name}: the kernels read {name} while they write out; "
                             f"pass a separate array, e.g. {fresh}")
    return o


# numpy >= 1.25 keeps it in np.exceptions; older numpy (Debian's 1.24) in np.
_TooHardError: Any = getattr(getattr(np, "exceptions", np), "TooHardError", Exception)


def _overlap(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    if not np.may_share_memory(a, b):
        return False
    max_work: Any = 100000  # numpy's stubs only admit the exact/bounds modes
    try:  # exact answer for the few cases the bounds test cannot settle
        return bool(np.shares_memory(a, b, max_work=max_work))
    except _TooHardError:  # pragma: no cover - assume the worst
        return True


def integer(name: str, v: object, minimum: Optional[int] = None, maximum: int = INT64_MAX) -> int:
    """`v` as a Python int in [minimum, maximum] (numpy integers accepted, bools refused)."""
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        i = operator.index(v)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(v).__name__}") from None
    if minimum is not None and i < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {i}")
    if i > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {i}")
    return i


def pair(name: str, v: object, minimum: int) -> Tuple[int, int]:
    """int or (h, w) -> (h, w), each >= minimum."""
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair (h, w), got {v!r}")
        return (integer(name, v[0], minimum), integer(name, v[1], minimum))
    i = integer(name, v, minimum)
    return (i, i)


def padding(v: object, kernel: Tuple[int, int], stride: Tuple[int, int],
            dilation: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """Any padding form -> (top, bottom, left, right)."""
    if isinstance(v, str):
        if v == "valid":
            return (0, 0, 0, 0)
        if v == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' needs stride 1, got stride {stride}")
            th = dilation[0] * (kernel[0] - 1)
            tw = dilation[1] * (kernel[1] - 1)
            # Odd totals put the extra row/column at the bottom/right (SAME_UPPER).
            return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        raise ValueError(f"padding must be an int, a tuple, 'valid' or 'same', got {v!r}")
    if isinstance(v, (tuple, list)):
        if len(v) == 2:
            ph, pw = (integer("padding", e, 0) for e in v)
            return (ph, ph, pw, pw)
        if len(v) == 4:
            t, b, l, r = (integer("padding", e, 0) for e in v)
            return (t, b, l, r)
        raise ValueError(
            f"padding must be an int, (h, w), (top, bottom, left, right), 'valid' or 'same', got {v!r}"
        )
    p = integer("padding", v, 0)
    return (p, p, p, p)


def activation(v: object) -> Tuple[bool, float, float]:
    """None / 'relu' / 'relu6' / (min, max) -> (clamp, lo, hi)."""
    if v is None:
        return (False, -math.inf, math.inf)
    if isinstance(v, str):
        if v == "relu":
            return (True, 0.0, math.inf)
        if v == "relu6":
            return (True, 0.0, 6.0)
        raise ValueError(f"activation must be None, 'relu', 'relu6' or a (min, max) pair, got {v!r}")
    if isinstance(v, (tuple, list)) and len(v) == 2:
        try:
            lo, hi = float(v[0]), float(v[1])
        except (TypeError, ValueError):
            raise ValueError(f"activation (min, max) must be two numbers, got {v!r}") from None
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise ValueError(f"activation (min, max) needs min <= max, got {v!r}")
        return (True, lo, hi)
    raise ValueError(f"activation must be None, 'relu', 'relu6' or a (min, max) pair, got {v!r}")


def algo(v: object) -> str:
    if not isinstance(v, str) or v not in ALGOS:
        raise ValueError(f"algo must be one of {', '.join(repr(a) for a in ALGOS)}, got {v!r}")
    return v


def precision(v: object) -> str:
    if not isinstance(v, str) or v not in PRECISIONS:
        raise ValueError(f"precision must be 'fp32' or 'fp16', got {v!r}")
    return v


class ConvArgs:
    """The normalised parameters of a convolution layer (shared by Conv2d and QConv2d)."""

    __slots__ = ("weight", "bias", "in_channels", "out_channels", "kernel_size", "stride",
                 "dilation", "padding", "groups", "clamp", "lo", "hi", "activation")

    weight: npt.NDArray[np.float32]
    bias: Optional[npt.NDArray[np.float32]]
    in_channels: int
    out_channels: int
    kernel_size: Tuple[int, int]
    stride: Tuple[int, int]
    dilation: Tuple[int, int]
    padding: Tuple[int, int, int, int]
    groups: int
    clamp: bool
    lo: float
    hi: float
    activation: Union[None, str, Tuple[float, float]]

    def native(self) -> Tuple[int, Tuple[int, int], Tuple[int, int], Tuple[int, int, int, int],
                              int, bool, float, float]:
        """The positional arguments the extension's layer constructors take after (weight, bias)."""
        return (self.in_channels, self.stride, self.dilation, self.padding, self.groups,
                self.clamp, self.lo, self.hi)


def _weight_hint(layer: str) -> str:
    return (f"{layer} takes the weight array itself, float32 of shape (out_channels, "
            f"in_channels // groups, kh, kw), not the layer's sizes: for a torch.nn.Conv2d use "
            f"armconv.Conv2d.from_torch(conv), or armconv.{layer}(conv.weight.detach().numpy(), "
            f"conv.bias.detach().numpy(), stride=conv.stride, padding=conv.padding)")


def conv_args(weight: ArrayIn, bias: Optional[ArrayIn], stride: IntPair, padding_: PaddingArg,
              dilation: IntPair, groups: int, activation_: ActivationArg,
              layer: str = "Conv2d") -> ConvArgs:
    """Validate and normalise a layer's parameters; messages name the argument."""
    if isinstance(weight, (int, float, np.integer, np.floating)) and not isinstance(weight, bool):
        raise TypeError(f"weight must be an array, got {type(weight).__name__} ({weight!r}): "
                        + _weight_hint(layer))
    a = ConvArgs()
    a.weight = array("weight", weight, ndims=(4,))
    if isinstance(bias, (int, float, np.integer, np.floating)) and not isinstance(bias, bool):
        raise TypeError(f"bias must be None or a float32 array of shape ({a.weight.shape[0]},), "
                        f"got {type(bias).__name__} ({bias!r}): " + _weight_hint(layer))
    a.bias = None if bias is None else array("bias", bias, ndims=(1,))
    a.groups = integer("groups", groups, 1)
    cout, cin_g, kh, kw = a.weight.shape
    if min(a.weight.shape) < 1:
        raise ValueError(f"weight must have no empty dimension, got shape {a.weight.shape}")
    if cout % a.groups:
        raise ValueError(
            f"groups ({a.groups}) must divide the output channels weight.shape[0] ({cout})")
    if a.bias is not None and a.bias.shape != (cout,):
        raise ValueError(f"bias must have shape ({cout},), got {a.bias.shape}")
    a.in_channels, a.out_channels, a.kernel_size = cin_g * a.groups, cout, (kh, kw)
    a.stride = pair("stride", stride, 1)
    a.dilation = pair("dilation", dilation, 1)
    a.padding = padding(padding_, (kh, kw), a.stride, a.dilation)
    a.clamp, a.lo, a.hi = activation(activation_)
    a.activation = (activation_ if activation_ is None or isinstance(activation_, str)
                    else (a.lo, a.hi))
    return a


def layer_input(x: ArrayIn, in_channels: int, dtype: npt.DTypeLike = np.float32,
                hint: Optional[str] = None) -> npt.NDArray[Any]:
    """A layer's input: (N, C, H, W) or (C, H, W) of `dtype` with C == in_channels."""
    a = array("x", x, dtype, ndims=(3, 4), hint=hint)
    if a.shape[-3] != in_channels:
        raise ValueError(
            f"x has {a.shape[-3]} channels (shape {a.shape}), the layer expects "
            f"{in_channels} (weight.shape[1] * groups)")
    return a


def run_layer(impl: Any, x: npt.NDArray[Any], out: object, dtype: npt.DTypeLike) -> Any:
    """Run a bound layer over x ((N, C, H, W) or (C, H, W)), into `out` when given.

    Returns the new array, or `out` itself (whatever kind of array it was).
    """
    x4 = x[None] if x.ndim == 3 else x
    if out is None:
        y = impl.run(x4)
        return y[0] if x.ndim == 3 else y
    shape = tuple(impl.output_shape(x4.shape[0], x4.shape[2], x4.shape[3]))
    if x.ndim == 3:
        shape = shape[1:]
    o = output(out, shape, dtype, [("x", x)])
    impl.run(x4, o[None] if x.ndim == 3 else o)
    return out
