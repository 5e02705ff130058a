"""Argument normalisation and validation shared by the public functions.

Everything is checked here, with the GIL held, before the C++ core is called;
messages name the argument and say what was expected.
"""
import math
import operator

import numpy as np

ALGOS = ("auto", "gemm", "im2col", "depthwise3x3", "winograd63")


def array(name, x, dtype=np.float32, ndims=None):
    """Return `x` as a C-contiguous, aligned array of `dtype` (a copy only when needed)."""
    dtype = np.dtype(dtype)
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray of {dtype.name}, got {type(x).__name__}"
            + (f"; convert it with np.asarray({name}, dtype=np.{dtype.name})" if dtype.kind == "f" else "")
        )
    if x.dtype != dtype:
        raise TypeError(
            f"{name} must have dtype {dtype.name}, got {x.dtype}; cast it with "
            f"{name}.astype(np.{dtype.name})"
        )
    if ndims is not None and x.ndim not in ndims:
        want = " or ".join(str(d) for d in ndims)
        raise ValueError(f"{name} must have {want} dimensions, got shape {x.shape}")
    return np.require(x, dtype, ["C_CONTIGUOUS", "ALIGNED"])


def output(name, out, ndim, dtype=np.float32):
    """A caller-given output array: `dtype`, `ndim` dimensions, C-contiguous, writeable.

    Never copied (the result must land in it); its shape is checked by the callee.
    """
    dtype = np.dtype(dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray of {dtype.name}, got {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype.name}, got {out.dtype}")
    if out.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions like x, got shape {out.shape}")
    if not (out.flags.c_contiguous and out.flags.aligned and out.flags.writeable):
        raise ValueError(f"{name} must be a C-contiguous, aligned, writeable array")
    return out


def integer(name, v, minimum=None):
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        i = operator.index(v)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(v).__name__}") from None
    if minimum is not None and i < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {i}")
    return i


def pair(name, v, minimum):
    """int or (h, w) -> (h, w), each >= minimum."""
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair (h, w), got {v!r}")
        return tuple(integer(name, e, minimum) for e in v)
    i = integer(name, v, minimum)
    return (i, i)


def padding(v, kernel, stride, dilation):
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
            return tuple(integer("padding", e, 0) for e in v)
        raise ValueError(
            f"padding must be an int, (h, w), (top, bottom, left, right), 'valid' or 'same', got {v!r}"
        )
    p = integer("padding", v, 0)
    return (p, p, p, p)


def activation(v):
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


def algo(v):
    if not isinstance(v, str) or v not in ALGOS:
        raise ValueError(f"algo must be one of {', '.join(repr(a) for a in ALGOS)}, got {v!r}")
    return v


class ConvArgs:
    """The normalised parameters of a convolution layer (shared by Conv2d and QConv2d)."""

    __slots__ = ("weight", "bias", "in_channels", "out_channels", "kernel_size", "stride",
                 "dilation", "padding", "groups", "clamp", "lo", "hi", "activation")

    def native(self):
        """The positional arguments the extension's layer constructors take after (weight, bias)."""
        return (self.in_channels, self.stride, self.dilation, self.padding, self.groups,
                self.clamp, self.lo, self.hi)


def conv_args(weight, bias, stride, padding_, dilation, groups, activation_):
    """Validate and normalise a layer's parameters; messages name the argument."""
    a = ConvArgs()
    a.weight = array("weight", weight, ndims=(4,))
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


def layer_input(x, in_channels, dtype=np.float32):
    """A layer's input: (N, C, H, W) or (C, H, W) of `dtype` with C == in_channels."""
    x = array("x", x, dtype, ndims=(3, 4))
    if x.shape[-3] != in_channels:
        raise ValueError(
            f"x has {x.shape[-3]} channels (shape {x.shape}), the layer expects "
            f"{in_channels} (weight.shape[1] * groups)")
    return x


def set_layer_attributes(layer, args, impl):
    """Fill an immutable layer's public attributes from its ConvArgs."""
    s = object.__setattr__
    s(layer, "_impl", impl)
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "groups", "activation"):
        s(layer, name, getattr(args, name))
    s(layer, "algo", impl.algo)
