"""Every bad input gets a clear exception naming the argument; nothing crashes."""
import numpy as np
import pytest

import armconv

X = np.zeros((1, 4, 8, 8), np.float32)
W = np.zeros((6, 4, 3, 3), np.float32)


def raises(exc, match, *args, **kw):
    with pytest.raises(exc, match=match):
        armconv.conv2d(*args, **kw)


@pytest.mark.parametrize("bad", [[[1.0]], 3.0, None, "x"])
def test_non_array_x(bad):
    raises(TypeError, "x must be a numpy.ndarray", bad, W)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int8, np.int32, ">f4"])
def test_wrong_dtype(dtype):
    raises(TypeError, r"x must have dtype float32.*astype\(np.float32\)", X.astype(dtype), W)
    raises(TypeError, r"weight must have dtype float32.*astype", X, W.astype(dtype))
    raises(TypeError, r"bias must have dtype float32", X, W, np.zeros(6, dtype))


def test_wrong_ndim():
    raises(ValueError, "x must have 3 or 4 dimensions", X[0, 0], W)
    raises(ValueError, "x must have 3 or 4 dimensions", X[None], W)
    raises(ValueError, "weight must have 4 dimensions", X, W[0])
    raises(ValueError, "bias must have 1 dimensions", X, W, np.zeros((6, 1), np.float32))


def test_channel_mismatch():
    raises(ValueError, r"x has 4 channels but weight.shape\[1\] \* groups", X, W[:, :3])
    raises(ValueError, "groups \\(3\\) must divide the input channels", X, W, groups=3)
    raises(ValueError, "groups \\(4\\) must divide the output channels",
           X, np.zeros((6, 1, 3, 3), np.float32), groups=4)
    raises(ValueError, r"x has 4 channels but weight.shape\[1\] \* groups",
           X, np.zeros((6, 1, 3, 3), np.float32), groups=2)


def test_bias_shape():
    raises(ValueError, r"bias must have shape \(6,\)", X, W, np.zeros(5, np.float32))


@pytest.mark.parametrize("name", ["stride", "dilation"])
@pytest.mark.parametrize("v", [0, -1, (1, 0), (0, 1)])
def test_stride_dilation_below_one(name, v):
    raises(ValueError, f"{name} must be >= 1", X, W, **{name: v})


@pytest.mark.parametrize("name", ["stride", "dilation", "groups"])
@pytest.mark.parametrize("v", [1.5, "2", None, True])
def test_integer_params_wrong_type(name, v):
    raises(TypeError, f"{name} must be an int", X, W, **{name: v})


@pytest.mark.parametrize("pad", [-1, (1, -1), (0, 0, 0, -2)])
def test_negative_padding(pad):
    raises(ValueError, "padding must be >= 0", X, W, padding=pad)


@pytest.mark.parametrize("pad", ["full", (1, 2, 3), (1,), "SAME"])
def test_bad_padding_form(pad):
    raises(ValueError, "padding must be", X, W, padding=pad)


def test_same_with_stride():
    raises(ValueError, "padding='same' needs stride 1", X, W, stride=2, padding="same")


def test_output_smaller_than_one():
    raises(ValueError, "output size would be < 1", X[:, :, :2, :2], W)
    raises(ValueError, "output size would be < 1", X, W, dilation=4)
    # the layer form too
    layer = armconv.Conv2d(W)
    with pytest.raises(ValueError, match="output size would be < 1"):
        layer(X[:, :, :1])


@pytest.mark.parametrize("act", ["gelu", "Relu", (1, 0), (0, float("nan")), (1,), 5, ("a", "b")])
def test_bad_activation(act):
    raises(ValueError, "activation", X, W, activation=act)


@pytest.mark.parametrize("algo", ["fast", "", None, "GEMM"])
def test_unknown_algo(algo):
    raises(ValueError, "algo must be one of", X, W, algo=algo)


def test_forced_algo_that_does_not_apply():
    raises(ValueError, "algo 'gemm' cannot run this convolution: it needs a 1x1 kernel", X, W,
           algo="gemm")
    raises(ValueError, "algo 'gemm' cannot run this convolution: it needs padding 0", X,
           W[:, :, :1, :1], padding=1, algo="gemm")
    raises(ValueError, "algo 'winograd63' cannot run this convolution", X, W, stride=2,
           algo="winograd63")
    raises(ValueError, "algo 'depthwise3x3' cannot run this convolution", X, W,
           algo="depthwise3x3")


def test_empty_weight_dims():
    raises(ValueError, "weight must have no empty dimension", X, np.zeros((0, 4, 3, 3), np.float32))
    raises(ValueError, "weight must have no empty dimension", X[:, :0], np.zeros((6, 0, 3, 3), np.float32))


def test_empty_spatial_input():
    raises(ValueError, "input height must be >= 1", np.zeros((1, 4, 0, 8), np.float32), W)


def test_overflowing_sizes():
    # Sizes whose products overflow 64 bits are refused before anything is allocated.
    big = 2 ** 40
    raises((ValueError, OverflowError), "(too large|overflow|must be)", X, W, stride=big)
    # A (virtual, zero-strided) input of 2^40 elements, far larger than memory:
    # refused, or a MemoryError when the copy is attempted, never a crash.
    # (On 32-bit targets numpy itself cannot describe such an array.)
    if np.intp(0).itemsize == 8:
        x = np.lib.stride_tricks.as_strided(np.zeros(1, np.float32),
                                            shape=(1, 4, 2 ** 19, 2 ** 19), strides=(0, 0, 0, 0))
        with pytest.raises((ValueError, MemoryError)):
            armconv.conv2d(x, W)
    with pytest.raises(ValueError, match="too large"):
        armconv.conv2d(X, np.zeros((1, 4, 1, 1), np.float32), padding=2 ** 31)


def test_gemm_bad_input():
    a = np.zeros((3, 4), np.float32)
    with pytest.raises(TypeError, match="a must have dtype float32"):
        armconv.gemm(a.astype(np.float64), a.T)
    with pytest.raises(TypeError, match="b must be a numpy.ndarray"):
        armconv.gemm(a, [[1.0]])
    with pytest.raises(ValueError, match="do not conform"):
        armconv.gemm(a, a)
    with pytest.raises(ValueError, match="a must have 2 dimensions"):
        armconv.gemm(a[0], a.T)


def test_layer_bad_input():
    layer = armconv.Conv2d(W, padding=1)
    with pytest.raises(TypeError, match="x must have dtype float32"):
        layer(X.astype(np.float64))
    with pytest.raises(ValueError, match="x has 3 channels"):
        layer(X[:, :3])
    with pytest.raises(ValueError, match="x must have 3 or 4 dimensions"):
        layer(X[0, 0])


def test_private_module_checks_its_inputs():
    """The extension module itself refuses what would crash (in case it is used directly)."""
    from armconv import _armconv
    layer = _armconv.Conv2d(W, None, 4, (1, 1), (1, 1), (0, 0, 0, 0), 1, False, 0.0, 0.0, "auto")
    with pytest.raises(TypeError):
        layer.run(X.astype(np.float64))
    with pytest.raises(ValueError):
        layer.run(np.asfortranarray(np.zeros((1, 4, 8, 9), np.float32)))
    with pytest.raises(ValueError):
        layer.run(X[:, :3])
