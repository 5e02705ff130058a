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
