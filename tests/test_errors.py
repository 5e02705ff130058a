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


def test_layer_call_fast_path():
    """A float32 (N, C, H, W) ndarray goes straight to the extension (Conv2d.__call__);
    whatever the extension refuses takes the full path, with its messages and copies."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal((6, 4, 3, 3)).astype(np.float32)
    layer = armconv.Conv2d(w, padding=1)
    x = rng.standard_normal((2, 4, 8, 16)).astype(np.float32)
    want = layer(x.copy(), out=np.empty((2, 6, 8, 16), np.float32))  # the full path
    np.testing.assert_array_equal(layer(x), want)
    # Strided, misaligned, wrong channels, byte-swapped: the full path's answers.
    strided = np.zeros((2, 4, 8, 32), np.float32)
    strided[..., ::2] = x
    np.testing.assert_array_equal(layer(strided[..., ::2]), want)
    buf = np.zeros(x.size * 4 + 4, np.uint8)
    mis = buf[1:1 + x.size * 4].view(np.float32).reshape(x.shape)
    mis[...] = x
    np.testing.assert_array_equal(layer(mis), want)
    with pytest.raises(ValueError, match=r"x has 3 channels .*weight.shape\[1\] \* groups"):
        layer(x[:, :3].copy())
    with pytest.raises(TypeError, match="x must have dtype float32"):
        layer(x.astype(">f4"))


class _Sub(np.ndarray):
    """An ndarray subclass: not the fast call's exact numpy.ndarray."""


def _outcome(fn, *args, **kw):
    """What a call gives: ("ok", result dtype, shape, bytes) or ("raise", type, message)."""
    try:
        y = fn(*args, **kw)
    except Exception as e:  # noqa: BLE001 - the exact exception is the point
        return ("raise", type(e), str(e))
    return ("ok", y.dtype, y.shape, np.ascontiguousarray(y).tobytes())


def _call_cases(layer, good):
    """(name, args, kwargs) of calls on `layer`: `good` (a fast-call input) and ways to be wrong."""
    n, c, h, w = good.shape
    co, ho, wo = layer.output_shape(n, h, w)[1:]
    big = np.zeros((n, c, h, 2 * w), good.dtype)
    big[..., ::2] = good
    buf = np.zeros(good.nbytes + 1, np.uint8)
    mis = buf[1:].view(good.dtype).reshape(good.shape)
    mis[...] = good
    ro = good.copy()
    ro.flags.writeable = False
    other = np.float64 if good.dtype != np.float64 else np.float32
    ydt = (np.float16 if good.dtype == np.float16
           else np.int8 if getattr(layer, "output_scale", None) is not None else np.float32)
    ro_out = np.empty((n, co, ho, wo), ydt)
    ro_out.flags.writeable = False
    # x and out in one buffer, overlapping by a few bytes: out starts inside x's last bytes.
    ysz = np.dtype(ydt).itemsize
    nbuf = good.nbytes + n * co * ho * wo * ysz
    shared = np.zeros(nbuf + 64, np.uint8)
    good_in_big = shared[:good.nbytes].view(good.dtype).reshape(good.shape)
    good_in_big[...] = good
    at = (good.nbytes - 8) // ysz * ysz
    big_out = shared[at:at + n * co * ho * wo * ysz].view(ydt).reshape(n, co, ho, wo)
    return [
        ("fast", (good,), {}),
        ("read-only", (ro,), {}),
        ("batch 0", (good[:0].copy(),), {}),
        ("3-D", (good[0].copy(),), {}),
        ("strided", (big[..., ::2],), {}),
        ("misaligned", (mis,), {}),
        ("Fortran", (np.asfortranarray(good),), {}),
        ("subclass", (good.copy().view(_Sub),), {}),
        ("list", (good.tolist(),), {}),
        ("keyword x", (), {"x": good}),
        ("out=None", (good,), {"out": None}),
        ("out", (good,), {"out": np.empty((n, co, ho, wo), ydt)}),
        ("out positional", (good, np.empty((n, co, ho, wo), ydt)), {}),
        ("out keyword x", (), {"x": good, "out": np.empty((n, co, ho, wo), ydt)}),
        ("out Fortran", (good,), {"out": np.asfortranarray(np.empty((n, co, ho, wo), ydt))}),
        ("out read-only", (good,), {"out": ro_out}),
        ("out subclass", (good,), {"out": np.empty((n, co, ho, wo), ydt).view(_Sub)}),
        ("out 3-D", (good,), {"out": np.empty((n * co, ho, wo), ydt)}),
        ("out list", (good,), {"out": [0.0]}),
        ("out byte-swapped", (good,), {"out": np.empty((n, co, ho, wo), np.dtype(ydt).newbyteorder(">"))}),
        ("out overlaps x's buffer", (good_in_big,), {"out": big_out}),
        ("wrong dtype", (good.astype(other),), {}),
        ("byte-swapped", (good.astype(good.dtype.newbyteorder(">")),), {}),
        ("wrong channels", (np.zeros((n, c + 1, h, w), good.dtype),), {}),
        ("2-D", (np.zeros((c, h), good.dtype),), {}),
        ("5-D", (good[None],), {}),
        ("map smaller than the kernel", (np.zeros((n, c, 1, 1), good.dtype),), {}),
        ("out wrong shape", (good,), {"out": np.empty((n, co, ho, wo + 1), ydt)}),
        ("out wrong dtype", (good,), {"out": np.empty((n, co, ho, wo), np.float64)}),
        ("out overlaps x", (good,), {"out": good}),
        ("two positional", (good, None, None), {}),
        ("unknown keyword", (good,), {"bad": 1}),
        ("no argument", (), {}),
    ]


def _layers():
    rng = np.random.default_rng(11)
    w = rng.standard_normal((6, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    x = rng.standard_normal((2, 4, 7, 9)).astype(np.float32)
    fp16 = armconv.Conv2d(w, b, padding=(0, 1), precision="fp16")
    q = armconv.QConv2d(w, b, 0.05, 0.1, padding=(0, 1), activation="relu")
    qf = armconv.QConv2d(w, b, 0.05, None, padding=(0, 1))
    xq = armconv.quantize(x, 0.05)
    return [
        ("Conv2d", armconv.Conv2d(w, b, padding=(0, 1), activation="relu6"), x),
        ("Conv2d fp16 float32", fp16, x),
        ("Conv2d fp16 float16", fp16, x.astype(np.float16)),
        ("Conv2d float16 to an fp32 layer", armconv.Conv2d(w, b, padding=(0, 1)), x.astype(np.float16)),
        ("QConv2d int8 out", q, xq),
        ("QConv2d float out", qf, xq),
    ]


@pytest.mark.parametrize("name,layer,good", _layers(), ids=[c[0] for c in _layers()])
def test_fast_call_is_the_full_path(name, layer, good):
    """layer(x) runs the common call in C++ (the class's __call__ is the extension's
    method) and passes every other to _call, the Python full path: every call
    gives what _call gives, the same bits or the same exception and message."""
    cls = type(layer)
    assert type(cls.__dict__["__call__"]).__name__ == "method_descriptor"
    assert cls._call.__doc__ and "full path" in cls._call.__doc__
    for case, args, kw in _call_cases(layer, good):
        fast = _outcome(layer, *args, **kw)
        full = _outcome(cls._call, layer, *args, **kw)
        assert fast == full, case
        if "float16 to an fp32" in name:  # refused whatever the layout
            assert fast[0] == "raise", (case, fast)
            continue
        if case in ("fast", "read-only", "strided", "misaligned", "out", "3-D", "out positional",
                    "out keyword x", "out subclass"):
            assert fast[0] == "ok", (case, fast)
        if case in ("wrong channels", "2-D", "map smaller than the kernel", "out wrong shape",
                    "out Fortran", "out read-only", "out 3-D", "out overlaps x's buffer"):
            assert fast[0] == "raise" and issubclass(fast[1], ValueError), (case, fast)
        if fast[0] == "ok" and kw.get("out") is not None:
            assert layer(*args, **kw) is kw["out"], case  # `out` itself, whatever kind it was


def test_fast_call_result_is_a_new_array():
    """The fast call returns a fresh, writable, C-contiguous array each call."""
    layer = armconv.Conv2d(np.ones((3, 2, 1, 1), np.float32))
    x = np.ones((1, 2, 2, 2), np.float32)
    a, b = layer(x), layer(x)
    assert a is not b and not np.shares_memory(a, b) and not np.shares_memory(a, x)
    assert a.flags.c_contiguous and a.flags.writeable and a.flags.owndata
    np.testing.assert_array_equal(a, np.full((1, 3, 2, 2), 2, np.float32))


def test_fast_call_installed_once():
    """_install_call refuses a class that has no __call__ of its own or already has _call."""
    from armconv import _armconv

    class NoCall:
        pass

    with pytest.raises(TypeError, match="install_call"):
        _armconv.Conv2d._install_call(NoCall)
    with pytest.raises(TypeError, match="install_call"):
        _armconv.Conv2d._install_call(armconv.Conv2d)


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


def test_private_eltwise_checks_its_inputs():
    """The model runner's elementwise binding refuses what would crash or
    read the wrong memory; out may be a itself (in place), not part of it."""
    from armconv import _armconv
    inf = float("inf")
    a, b, y = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) for _ in range(3))
    ok = ("add", a, b, y, "same", 1, 1, 24, -inf, inf)

    def call(**kw):
        names = ("op", "a", "b", "out", "broadcast", "outer", "mid", "inner", "lo", "hi")
        args = dict(zip(names, ok))
        args.update(kw)
        return _armconv.eltwise(*[args[n] for n in names])
    assert call() is y and np.array_equal(y, a + b)
    assert call(out=a) is a and np.array_equal(a, 2 * b)  # in place
    with pytest.raises(TypeError, match="a must have dtype float32, got float64"):
        call(a=a.astype(np.float64))
    with pytest.raises(ValueError, match="b has 3 elements, expected 24"):
        call(b=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        call(out=np.zeros((4, 3, 2), np.float32).T)
    with pytest.raises(ValueError, match="out must be a itself or not overlap it"):
        big = np.zeros(25, np.float32)
        call(a=big[:24], out=big[1:])
    with pytest.raises(ValueError, match="out must not overlap b"):
        call(b=y[0, 0, :3], broadcast="mid", mid=3, inner=8)
    with pytest.raises(ValueError, match="read-only"):
        ro = np.zeros(24, np.float32)
        ro.flags.writeable = False
        call(out=ro)
    with pytest.raises(ValueError, match="op must be"):
        call(op="div")
    with pytest.raises(ValueError, match="broadcast must be"):
        call(broadcast="row")
    with pytest.raises(ValueError, match="NaN"):
        call(lo=float("nan"))
    with pytest.raises(ValueError, match=">= 0"):
        call(outer=-1)


@pytest.mark.parametrize("name", ["stride", "dilation", "padding", "groups"])
@pytest.mark.parametrize("v", [2 ** 63, 2 ** 64 + 3, 10 ** 30])
def test_huge_ints_name_the_argument(name, v):
    """Ints that do not fit in 64 bits: a ValueError naming the argument, never a cast error."""
    with pytest.raises(ValueError, match=f"{name} must be <= 9223372036854775807, got {v}"):
        armconv.conv2d(X, W, **{name: v})
    if name != "groups":
        with pytest.raises(ValueError, match=f"{name} must be <= 9223372036854775807"):
            armconv.Conv2d(W, **{name: (1, v) if name != "padding" else (0, 0, v, 0)})
        with pytest.raises(ValueError, match=f"{name} must be <= 9223372036854775807"):
            armconv.QConv2d(W, None, 0.1, **{name: v})


@pytest.mark.parametrize("v", [2 ** 31, 2 ** 40, 2 ** 62])
def test_large_ints_refused_by_the_core(v):
    with pytest.raises(ValueError, match="(stride|padding) is too large|too large"):
        armconv.conv2d(X, W, stride=v)
    with pytest.raises(ValueError, match="too large"):
        armconv.conv2d(X, W, padding=v)


def test_huge_map_sizes_name_the_argument():
    layer = armconv.Conv2d(W)
    with pytest.raises(ValueError, match="h must be <= 9223372036854775807, got 9223372036854775808"):
        armconv.Conv2d.workspace_bytes(layer, 2 ** 63, 5)
    with pytest.raises(ValueError, match="w must be <= 9223372036854775807"):
        layer.algo_for(5, 2 ** 64)
    with pytest.raises(ValueError, match="n must be <= 9223372036854775807"):
        layer.output_shape(2 ** 63, 5, 5)
    with pytest.raises(ValueError, match="h must be >= 1"):
        layer.workspace_bytes(-2 ** 63 - 1, 5)
    with pytest.raises(ValueError, match="channels must be <= 9223372036854775807"):
        armconv.from_nc4hw4(np.zeros((1, 1, 2, 2, 4), np.float32), 2 ** 63)
    with pytest.raises(ValueError, match="axis must be <= 9223372036854775807"):
        armconv.quantize(np.zeros(3, np.float32), np.ones(3), axis=2 ** 63)
    with pytest.raises(ValueError, match="qmin must be >= -127"):
        armconv.requantize(np.zeros(3, np.int32), 1.0, activation_range=(-2 ** 63, 0))


def test_error_is_exported():
    """armconv.Error: the ValueError subclass the core raises, named armconv.Error."""
    import traceback

    assert issubclass(armconv.Error, ValueError)
    assert armconv.Error.__module__ == "armconv" and "Error" in armconv.__all__
    with pytest.raises(armconv.Error) as e:
        armconv.conv2d(X, W, algo="gemm")
    text = "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert "armconv.Error: algo 'gemm' cannot run this convolution" in text
    assert "_armconv" not in text.splitlines()[-1]


@pytest.mark.parametrize("layer", ["Conv2d", "QConv2d"])
def test_layer_sizes_instead_of_weights(layer):
    """A PyTorch habit: Conv2d(3, 16, 3). The message says the class takes the weight array."""
    cls = getattr(armconv, layer)
    with pytest.raises(TypeError, match=rf"weight must be an array, got int \(3\): {layer} takes "
                                        r"the weight array itself.*not the layer's sizes.*"
                                        r"armconv.Conv2d.from_torch\(conv\)"):
        cls(3, 16, 3)
    with pytest.raises(TypeError, match=r"bias must be None or a float32 array of shape \(6,\), "
                                        r"got int"):
        cls(W, 16, 3)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int16])
def test_qconv_input_dtype_points_to_quantize(dtype):
    """A uint8 camera frame or a float image: the advice is armconv.quantize, never astype."""
    layer = armconv.QConv2d(W, None, input_scale=0.125)
    with pytest.raises(TypeError, match=rf"x must have dtype int8, got {np.dtype(dtype).name}; "
                                        r"quantize it with armconv.quantize\(x, 0.125\) .*"
                                        r"x.astype\(np.int8\) would wrap values above 127"):
        layer(np.zeros((1, 4, 8, 8), dtype))
    # and the advice works: quantize the real values with the layer's input_scale
    frame = np.full((1, 4, 8, 8), 200, np.uint8)
    xq = armconv.quantize(frame.astype(np.float32) * 0.125, layer.input_scale)
    assert (xq == 127).all()
    assert (frame.astype(np.int8) == -56).all()  # what the old advice did


def test_gemm_s8_dtype_points_to_quantize():
    with pytest.raises(TypeError, match=r"a must have dtype int8, got float32; quantize it with "
                                        r"armconv.quantize\(a, scale\)"):
        armconv.gemm_s8(np.zeros((2, 2), np.float32), np.zeros((2, 2), np.int8))
