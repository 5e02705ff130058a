"""int8: gemm_s8, quantize / dequantize / requantize, QConv2d.

Everything integer is checked bit for bit against numpy int64 references
written from the documented rules (python/armconv/_quant.py,
src/core/gemm_s8.h); QConv2d also against the float64 convolution reference
within one quantization step. Inputs sit at guard pages (tests/guard.py).
"""
import numpy as np
import pytest

import armconv
from conftest import EXPECT_CPU
from guard import guarded
from reference import conv2d_ref, out_size

# ---------------------------------------------------------------- references


def round_half_away(v):
    """float64 -> float64, round half away from zero, exactly."""
    r = np.trunc(v)
    return r + np.where(np.abs(v - r) >= 0.5, np.sign(v), 0.0)


def ref_quantize(x, scale):
    return np.clip(round_half_away(np.asarray(x, np.float64) / np.float64(scale)), -127, 127).astype(np.int8)


def ref_multipliers(s):
    """The rule: E the smallest shift with every round(s * 2^(31-E)) < 2^31."""
    s = np.asarray(s, np.float64)
    e = 0
    while e < 31 and np.floor(s.max() * 2.0 ** (31 - e) + 0.5) >= 2.0 ** 31:
        e += 1
    m = np.minimum(np.floor(s * 2.0 ** (31 - e) + 0.5), 2.0 ** 31 - 1).astype(np.int64)
    return m, e


def ref_requant(acc, m, e, qmin=-127, qmax=127):
    """q = clip(floor((2 * sat32(acc * 2^E) * M + 2^31) / 2^32), qmin, qmax), in int64."""
    x = np.clip(np.asarray(acc, np.int64) * (1 << e), -2 ** 31, 2 ** 31 - 1)
    t = (2 * x * np.asarray(m, np.int64) + 2 ** 31) >> 32  # >> on int64 floors
    return np.clip(t, qmin, qmax).astype(np.int8)


def rand_s8(rng, shape):
    return rng.integers(-127, 128, size=shape, dtype=np.int8)


# ---------------------------------------------------------------- dispatch

EXPECTED_IMPL = {"cortex-a76": "gemm_s8-aarch64-8x12k4-dotprod", "cortex-a72": "gemm_s8-aarch64-4x4k16",
                 "cortex-a15": "gemm_s8-armv7-4x2k16", "host": None}
EXPECTED_DW = {"cortex-a76": "dwconv3x3_s8-aarch64-1x16-dotprod", "cortex-a72": "dwconv3x3_s8-aarch64-1x16-smull",
               "cortex-a15": "dwconv3x3_s8-armv7-1x8-smull"}
# The int8 Winograd F(2,3): (transforms, per-position GEMM).
EXPECTED_WINO = {"cortex-a76": ("winograd23_s8-aarch64-nc8", "wino_gemm_s16-aarch64-8x8"),
                 "cortex-a72": ("winograd23_s8-aarch64-nc8", "wino_gemm_s16-aarch64-8x8"),
                 "cortex-a15": ("winograd23_s8-armv7-nc8", "wino_gemm_s16-armv7-8x4"),
                 "cortex-a9": ("winograd23_s8-generic-nc8", "wino_gemm_s16-generic-8x1"),
                 "host": ("winograd23_s8-generic-nc8", "wino_gemm_s16-generic-8x1")}


def test_dispatch_path():
    """The int8 GEMM implementation chosen for this CPU (shows which path the tests ran)."""
    info = armconv.cpu_info()
    impl = info["kernels"]["gemm_s8"]
    print(f"gemm_s8 implementation: {impl} (arch {info['arch']}, dotprod {info['dotprod']})")
    dw = info["kernels"]["depthwise3x3_s8"]
    wino = (info["kernels"]["winograd23_s8"], info["kernels"]["winograd_gemm_s16"])
    print(f"int8 Winograd: {wino[0]}, {wino[1]}")
    if EXPECT_CPU in EXPECTED_WINO and (EXPECT_CPU != "host" or not info["neon_kernels"]):
        assert wino == EXPECTED_WINO[EXPECT_CPU], (EXPECT_CPU, wino)
    if EXPECT_CPU in ("cortex-a76", "cortex-a72", "cortex-a15"):
        assert impl == EXPECTED_IMPL[EXPECT_CPU], (EXPECT_CPU, impl)
        assert dw == EXPECTED_DW[EXPECT_CPU], (EXPECT_CPU, dw)
        assert info["dotprod"] == (EXPECT_CPU == "cortex-a76")
    elif info["arch"] in ("x86_64", "x86") or EXPECT_CPU == "host" and not info["neon_kernels"]:
        assert impl == "gemm_s8-generic-4x4k16", impl
        assert dw == "dwconv3x3_s8-generic-1x1", dw
    elif info["i8mm"]:  # (i8mm: smmla GEMM; the depthwise stays sdot)
        assert impl == "gemm_s8-aarch64-8x8k8-i8mm" and dw.endswith("-dotprod"), (impl, dw)
    elif info["dotprod"]:
        assert impl.endswith("-dotprod") and dw.endswith("-dotprod"), (impl, dw)
    elif info["neon_kernels"]:
        assert impl in ("gemm_s8-aarch64-4x4k16", "gemm_s8-armv7-4x2k16"), impl


# ---------------------------------------------------------------- gemm_s8

# Every tile remainder of every implementation (4x4 k16, 4x2 k16, 8x12 k4):
# m, n up to twice the largest tile plus one, k around the groups of 4 and 16.
_MS = list(range(1, 18))
_NS = list(range(1, 26))
_KS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100]


@pytest.mark.parametrize("k", _KS)
def test_gemm_s8_remainders(rng, k):
    ms = _MS
    for m in ms:
        for n in _NS:
            a = rand_s8(rng, (m, k))
            b = rand_s8(rng, (k, n))
            c = armconv.gemm_s8(guarded(a), guarded(b))
            assert c.dtype == np.int32 and c.shape == (m, n)
            want = a.astype(np.int64) @ b.astype(np.int64)
            # (np.array_equal first: assert_array_equal's own checks cost ~0.25 ms
            # a call under QEMU, 6375 calls here; it reports a difference)
            if not np.array_equal(c, want):
                np.testing.assert_array_equal(c, want, err_msg=f"m={m} n={n} k={k}")


@pytest.mark.parametrize("value", [127, -127, "mixed"])
@pytest.mark.parametrize("k", [16, 257, 1000])
def test_gemm_s8_extremes(rng, value, k):
    m, n = 9, 26
    if value == "mixed":  # |products| all 127*127, signs chosen to pile up in each row
        a = np.where(rng.random((m, k)) < 0.5, -127, 127).astype(np.int8)
        b = np.where(rng.random((k, n)) < 0.5, -127, 127).astype(np.int8)
        b[:, 0] = a[0]  # row 0 . column 0 = +k*127^2
    else:
        a = np.full((m, k), value, np.int8)
        b = np.full((k, n), value, np.int8)
    c = armconv.gemm_s8(guarded(a), guarded(b))
    np.testing.assert_array_equal(c, a.astype(np.int64) @ b.astype(np.int64))


def test_gemm_s8_largest_k():
    k = 65536
    a = np.full((2, k), 127, np.int8)
    b = np.full((k, 3), -127, np.int8)
    np.testing.assert_array_equal(armconv.gemm_s8(a, b), np.full((2, 3), -k * 127 * 127))
    with pytest.raises(ValueError, match="65536"):
        armconv.gemm_s8(np.zeros((1, k + 1), np.int8), np.zeros((k + 1, 1), np.int8))


def test_gemm_s8_errors():
    a = np.ones((3, 4), np.int8)
    b = np.ones((4, 5), np.int8)
    with pytest.raises(TypeError, match="a must have dtype int8.*astype"):
        armconv.gemm_s8(a.astype(np.float32), b)
    with pytest.raises(TypeError, match="b must have dtype int8"):
        armconv.gemm_s8(a, b.astype(np.int16))
    with pytest.raises(ValueError, match="do not conform"):
        armconv.gemm_s8(a, b.T.copy())
    bad = a.copy()
    bad[1, 2] = -128
    with pytest.raises(ValueError, match="a holds -128"):
        armconv.gemm_s8(bad, b)
    bad = b.copy()
    bad[3, 4] = -128
    with pytest.raises(ValueError, match="b holds -128"):
        armconv.gemm_s8(a, bad)
    # Non-contiguous operands are accepted (copied).
    big = np.arange(-60, 60, dtype=np.int8).reshape(8, 15)
    np.testing.assert_array_equal(armconv.gemm_s8(big[::2, ::3], big[:5, :7]),
                                  big[::2, ::3].astype(np.int64) @ big[:5, :7].astype(np.int64))
    assert armconv.gemm_s8(np.zeros((2, 0), np.int8), np.zeros((0, 3), np.int8)).tolist() == [[0] * 3] * 2


# ---------------------------------------------------------------- quantize / dequantize / requantize


def test_quantize_ties_and_clamp():
    x = np.array([0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 126.5, -126.5, 127.5,
                  -127.5, 1e9, -1e9, np.inf, -np.inf, 0.0, -0.0], np.float32)
    want = [1, -1, 2, -2, 3, -3, 0, 0, 127, -127, 127, -127, 127, -127, 127, -127, 0, 0]
    q = armconv.quantize(guarded(x), 1.0)
    assert q.dtype == np.int8
    assert q.tolist() == want
    # Ties at a non-trivial scale: x / s is exactly k + 0.5 in float64.
    s = 0.25
    x = (np.arange(-40, 40) + 0.5).astype(np.float32) * np.float32(s)
    np.testing.assert_array_equal(armconv.quantize(x, s), ref_quantize(x, s))
    assert armconv.quantize(x, s).min() >= -127


def test_quantize_random_per_tensor_and_channel(rng):
    x = (rng.standard_normal((3, 5, 7, 4)) * 10).astype(np.float32)
    s = np.float32(0.0731)
    np.testing.assert_array_equal(armconv.quantize(guarded(x), s), ref_quantize(x, s))
    for axis in (0, 1, 2, 3, -1):
        scales = (rng.random(x.shape[axis]) * 0.2 + 0.01).astype(np.float32)
        shape = [1] * x.ndim
        shape[axis] = -1
        want = np.clip(round_half_away(x.astype(np.float64) / scales.astype(np.float64).reshape(shape)),
                       -127, 127).astype(np.int8)
        q = armconv.quantize(x, scales, axis=axis)
        np.testing.assert_array_equal(q, want, err_msg=f"axis {axis}")
        d = armconv.dequantize(q, scales, axis=axis)
        assert d.dtype == np.float32
        np.testing.assert_array_equal(d, q.astype(np.float32) * scales.reshape(shape))


def test_dequantize_exact(rng):
    q = rand_s8(rng, (5, 9))
    q[0, 0] = -128
    s = np.float32(0.0123)
    np.testing.assert_array_equal(armconv.dequantize(guarded(q), s), q.astype(np.float32) * s)


def test_quantize_errors():
    x = np.ones(4, np.float32)
    with pytest.raises(TypeError, match="x must have dtype float32.*astype"):
        armconv.quantize(x.astype(np.float64), 1.0)
    with pytest.raises(TypeError, match="q must have dtype int8"):
        armconv.dequantize(x, 1.0)
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="scale"):
            armconv.quantize(x, bad)
    with pytest.raises(ValueError, match="NaN"):
        armconv.quantize(np.array([1.0, np.nan], np.float32), 1.0)
    with pytest.raises(ValueError, match="axis"):
        armconv.quantize(x, np.ones(4, np.float32))
    with pytest.raises(ValueError, match="1-D array of 4"):
        armconv.quantize(x, np.ones(3, np.float32), axis=0)
    with pytest.raises(ValueError, match="out of range"):
        armconv.quantize(x, np.ones(4, np.float32), axis=1)


def test_requantize_rule(rng):
    # Ties go toward +infinity: scale 1/2 makes acc/2 exact halves.
    acc = np.array([1, -1, 3, -3, 5, -5, 0, 253, -253, 255, -255, 2 ** 31 - 1, -2 ** 31], np.int32)
    want = [1, 0, 2, -1, 3, -2, 0, 127, -126, 127, -127, 127, -127]
    assert armconv.requantize(guarded(acc), 0.5).tolist() == want
    # Random accumulators and per-channel scales, several magnitudes (E = 0 and E > 0).
    for smax in (1e-4, 0.01, 0.9, 1.0, 3.7, 1000.0):
        acc = rng.integers(-2 ** 31, 2 ** 31, size=(3, 7, 11), dtype=np.int64).astype(np.int32)
        acc[0, :, :5] = rng.integers(-400, 400, size=(7, 5))
        acc[1, :, :5] = (rng.integers(-200, 200, size=(7, 5)) / smax).astype(np.int32)
        scales = (rng.random(7) * smax).astype(np.float32)
        scales[0] = smax
        m, e = ref_multipliers(scales.astype(np.float64))
        for qr in ((-127, 127), (0, 127), (-5, 60)):
            q = armconv.requantize(acc, scales, axis=1, activation_range=qr)
            np.testing.assert_array_equal(q, ref_requant(acc, m.reshape(1, -1, 1), e, *qr),
                                          err_msg=f"smax {smax} range {qr}")
    with pytest.raises(ValueError):
        armconv.requantize(acc, 1.0, activation_range=(-128, 127))


# ---------------------------------------------------------------- QConv2d

# (n, cin, cout, h, w, k, stride, padding, dilation, groups, expected algo)
_QCONV = [
    (1, 5, 7, 6, 9, (1, 1), 1, 0, 1, 1, "gemm"),
    (2, 64, 13, 5, 5, (1, 1), 1, 0, 1, 1, "gemm"),
    (1, 3, 17, 1, 1, (1, 1), 1, 0, 1, 1, "gemm"),
    (1, 6, 9, 9, 7, (1, 1), 2, 0, 1, 1, "im2col"),
    (2, 3, 8, 7, 8, (3, 3), 1, 1, 1, 1, "3x3s1"),
    (1, 4, 6, 9, 6, (3, 3), 2, (1, 2, 0, 1), 1, 1, "im2col"),
    (1, 5, 4, 8, 9, (3, 2), (2, 1), (2, 0, 1, 3), (2, 1), 1, "im2col"),
    (1, 8, 12, 6, 6, (3, 3), 1, 1, 1, 4, "3x3s1"),
    (1, 6, 6, 7, 5, (3, 3), 1, 1, 1, 6, "depthwise3x3"),
    (2, 9, 9, 6, 7, (3, 3), 2, 1, 1, 9, "depthwise3x3"),
    (1, 4, 4, 5, 5, (5, 5), 1, 2, 1, 4, "depthwise"),
    (1, 5, 5, 9, 8, (3, 3), 2, (0, 2, 1, 0), 1, 5, "depthwise3x3"),
    (1, 3, 3, 7, 7, (3, 3), 1, 1, 2, 3, "depthwise"),             # dilation 2
    (1, 3, 3, 7, 7, (3, 3), (1, 2), 1, 1, 3, "depthwise"),        # unequal strides
    (2, 17, 17, 21, 37, (3, 3), 1, (2, 0, 0, 3), 1, 17, "depthwise3x3"),
    (1, 3, 6, 5, 5, (3, 3), 1, 1, 1, 3, "im2col"),  # channel multiplier 2
    (1, 1, 1, 1, 1, (1, 1), 1, 0, 1, 1, "gemm"),
    (1, 2, 3, 1, 1, (3, 3), 1, 1, 1, 1, "3x3s1"),
    (1, 37, 21, 3, 5, (3, 3), 1, 1, 1, 1, "3x3s1"),
]
# "3x3s1": an auto layer runs winograd23 or im2col by the cost models (per
# CPU); test_qconv2d also forces each of them.
_S1_ALGOS = ("winograd23", "im2col")


def _pads(padding):
    if isinstance(padding, int):
        return (padding,) * 4
    return tuple(padding)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _int_reference(layer, xq, stride, pads, dilation, groups):
    """int64 accumulators acc = bias_q + conv(x_q, weight_q), independently of the library."""
    acc = conv2d_ref(xq.astype(np.float64), layer.weight_q.astype(np.float64), None, stride=stride,
                     pads=pads, dilation=dilation, groups=groups)  # exact: |sums| << 2^53
    return np.rint(acc).astype(np.int64) + layer.bias_q.astype(np.int64)[None, :, None, None]


@pytest.mark.parametrize("case", range(len(_QCONV)))
@pytest.mark.parametrize("activation", [None, "relu6", (-0.7, 0.9)])
def test_qconv2d(rng, case, activation):
    n, cin, cout, h, w, k, stride, padding, dilation, groups, algo = _QCONV[case]
    stride, dilation, pads = _pair(stride), _pair(dilation), _pads(padding)
    weight = (rng.standard_normal((cout, cin // groups) + k) * 0.3).astype(np.float32)
    weight[0] = 0.0  # an all-zero output channel (scale 1)
    bias = (rng.standard_normal(cout) * 0.5).astype(np.float32)
    in_scale, out_scale = np.float32(0.02), np.float32(0.031)
    xq = rand_s8(rng, (n, cin, h, w))
    xq.flat[::7] = -128  # allowed in the input: the weights never hold -128
    lo_hi = None if activation is None else ((0.0, 6.0) if activation == "relu6" else activation)

    # Weight quantization: per output channel, scale max|w| / 127 in float32.
    amax = np.abs(weight.astype(np.float64)).reshape(cout, -1).max(axis=1)
    w_scale = (amax / 127.0).astype(np.float32)
    w_scale[w_scale == 0] = 1.0
    unit = np.float64(in_scale) * w_scale.astype(np.float64)

    runs = [(output_scale, forced) for output_scale in (out_scale, None)
            for forced in ("auto",) + (_S1_ALGOS if algo == "3x3s1" else ())]
    for output_scale, forced in runs:
        layer = armconv.QConv2d(weight, bias, in_scale, output_scale, stride=stride, padding=pads,
                                dilation=dilation, groups=groups, activation=activation, algo=forced)
        if forced != "auto":
            assert layer.algo == forced
        elif algo == "3x3s1":
            assert layer.algo in _S1_ALGOS
            assert layer._impl._plan(n, h, w)["algo"] in _S1_ALGOS
        else:
            assert layer.algo == algo
        np.testing.assert_array_equal(layer.weight_scale, w_scale)
        np.testing.assert_array_equal(
            layer.weight_q, np.clip(round_half_away(weight.astype(np.float64) / w_scale.astype(np.float64)[:, None, None, None]),
                      -127, 127).astype(np.int8))
        np.testing.assert_array_equal(
            layer.bias_q, np.clip(round_half_away(bias.astype(np.float64) / unit), -2 ** 30, 2 ** 30))
        acc = _int_reference(layer, xq, stride, pads, dilation, groups)
        y = layer(guarded(xq))
        ho, wo = out_size(h, k[0], stride[0], dilation[0], pads[0], pads[1]), \
            out_size(w, k[1], stride[1], dilation[1], pads[2], pads[3])
        assert y.shape == (n, cout, ho, wo)
        if output_scale is not None:
            assert y.dtype == np.int8
            s = unit / np.float64(out_scale)
            m, e = ref_multipliers(s)
            np.testing.assert_array_equal(layer.requant_multiplier, m)
            assert layer.requant_shift == e
            qmin, qmax = -127, 127
            if lo_hi is not None:
                qmin = int(max(-127, round_half_away(np.float64(np.float32(lo_hi[0])) / np.float64(out_scale))))
                qmax = int(min(127, round_half_away(np.float64(np.float32(lo_hi[1])) / np.float64(out_scale))))
            assert (layer.qmin, layer.qmax) == (qmin, qmax)
            want = ref_requant(acc, m[None, :, None, None], e, qmin, qmax)
            np.testing.assert_array_equal(y, want)  # bit-exact
            # Within one output step of the float64 convolution of the dequantized
            # operands (exact in float64), clamped like the layer.
            real = conv2d_ref(xq.astype(np.float64) * np.float64(in_scale),
                              layer.weight_q.astype(np.float64) * w_scale.astype(np.float64)[:, None, None, None],
                              bias.astype(np.float64), stride=stride, pads=pads, dilation=dilation,
                              groups=groups)
            real = np.clip(real, qmin * np.float64(out_scale), qmax * np.float64(out_scale))
            err = np.abs(y.astype(np.float64) * np.float64(out_scale) - real)
            assert err.max() <= np.float64(out_scale), err.max() / out_scale
        else:
            assert y.dtype == np.float32
            want = acc.astype(np.float32) * layer.dequant_scale[None, :, None, None]
            np.testing.assert_array_equal(layer.dequant_scale, unit.astype(np.float32))
            if lo_hi is not None:
                want = np.clip(want, np.float32(lo_hi[0]), np.float32(lo_hi[1]))
            np.testing.assert_array_equal(y, want)  # bit-exact
        # (C, H, W) input gives the batch-1 result.
        np.testing.assert_array_equal(layer(xq[0]), y[0])


def test_qconv2d_against_float_reference(rng):
    """End to end: quantize a float input, run, dequantize; close to the float conv."""
    x = rng.standard_normal((1, 16, 9, 9)).astype(np.float32)
    weight = (rng.standard_normal((24, 16, 3, 3)) * 0.2).astype(np.float32)
    bias = rng.standard_normal(24).astype(np.float32)
    in_scale = float(np.abs(x).max() / 127)
    ref = conv2d_ref(x, weight, bias, pads=(1, 1, 1, 1))
    out_scale = float(np.abs(ref).max() / 127)
    layer = armconv.QConv2d(weight, bias, in_scale, out_scale, padding=1)
    y = armconv.dequantize(layer(armconv.quantize(x, in_scale)), out_scale)
    # Input and weight quantization add at most sum |x||w| * (in_step/|x| + w_step/|w|) / 2.
    mag = conv2d_ref(np.abs(x), np.abs(weight), None, pads=(1, 1, 1, 1))
    tol = out_scale + 0.5 * in_scale * conv2d_ref(np.ones_like(x), np.abs(weight), None, pads=(1, 1, 1, 1)) \
        + 0.5 * mag * (layer.weight_scale / np.abs(weight).reshape(24, -1).max(axis=1))[None, :, None, None]
    assert (np.abs(y - ref) <= tol).all()
    assert np.abs(y - ref).max() < 0.1 * np.abs(ref).max()


@pytest.mark.parametrize("shape,algo", [((16, 8, 1, 1), "gemm"), ((16, 8, 3, 3), "im2col"),
                                        ((16, 8, 3, 3), "winograd23"), ((8, 1, 3, 3), "depthwise3x3"),
                                        ((8, 1, 5, 5), "depthwise")])
def test_qconv2d_workspace_bytes(shape, algo):
    """The scratch one call on one thread takes: bounded for large maps (the GEMM's
    B block and staging), none for depthwise; bad sizes raise as for Conv2d."""
    groups = 8 if shape[1] == 1 else 1
    layer = armconv.QConv2d(np.ones(shape, np.float32), None, 0.1, 0.2, padding=shape[2] // 2, groups=groups,
                            algo=algo)
    assert layer.algo == algo
    with armconv.threads(1):
        small, big = layer.workspace_bytes(8, 8), layer.workspace_bytes(2000, 2000)
        if algo.startswith("depthwise"):
            assert small == big == 0
        else:
            assert 0 < small <= big == layer.workspace_bytes(3000, 1000) < 600 * 1024
    with pytest.raises(ValueError):
        layer.workspace_bytes(0, 8)


def test_qconv2d_errors():
    w = np.ones((4, 3, 3, 3), np.float32)
    with pytest.raises(TypeError, match="input_scale"):
        armconv.QConv2d(w)
    with pytest.raises(ValueError, match="input_scale"):
        armconv.QConv2d(w, None, 0.0)
    with pytest.raises(ValueError, match="output_scale"):
        armconv.QConv2d(w, None, 0.1, -1.0)
    with pytest.raises(TypeError, match="weight must have dtype float32"):
        armconv.QConv2d(w.astype(np.float64), None, 0.1)
    layer = armconv.QConv2d(w, None, 0.1, 0.2, padding=1)
    with pytest.raises(TypeError, match="x must have dtype int8"):
        layer(np.zeros((1, 3, 5, 5), np.float32))
    with pytest.raises(ValueError, match="channels"):
        layer(np.zeros((1, 4, 5, 5), np.int8))
    with pytest.raises(AttributeError):
        layer.algo = "gemm"
    with pytest.raises(ValueError, match="65536"):
        armconv.QConv2d(np.ones((1, 8000, 3, 3), np.float32), None, 0.1)
    assert "QConv2d(3, 4" in repr(layer)


# ---------------------------------------------------------------- int8 Winograd F(2,3)

def _qlayer_reference(layer, xq, pads, groups, lo_hi, out_scale):
    """What every QConv2d path must return, bit for bit, from an int64 convolution."""
    acc = _int_reference(layer, xq, (1, 1), pads, (1, 1), groups)
    assert np.abs(acc).max(initial=0) < 2 ** 31
    if out_scale is None:
        want = acc.astype(np.float32) * layer.dequant_scale[None, :, None, None]
        if lo_hi is not None:
            want = np.clip(want, np.float32(lo_hi[0]), np.float32(lo_hi[1]))
        return want
    return ref_requant(acc, layer.requant_multiplier.astype(np.int64)[None, :, None, None],
                       layer.requant_shift, layer.qmin, layer.qmax)


_ACTS = [None, "relu", "relu6", (-0.7, 0.9)]


@pytest.mark.parametrize("seed", range(24))
def test_qconv2d_winograd23_bit_exact(seed):
    """winograd23 against im2col and an int64 reference, bit for bit: maps 1..20
    (odd, non-square), channels 1..70, padding 0/1/2 and asymmetric, groups,
    batch 2, int8 and float output, every activation, extreme values."""
    rng = np.random.default_rng(1000 + seed)
    h, w = int(rng.integers(1, 21)), int(rng.integers(1, 21))
    cin, cout = int(rng.integers(1, 71)), int(rng.integers(1, 71))
    groups = 1 if seed % 4 else int(rng.choice([g for g in (2, 3) if cin % g == 0 and cout % g == 0] or [1]))
    cin, cout = cin // groups * groups or groups, cout // groups * groups or groups
    pads = (seed % 3,) * 4 if seed % 5 else tuple(int(v) for v in rng.integers(0, 3, 4))
    if h + pads[0] + pads[1] < 3 or w + pads[2] + pads[3] < 3:
        pads = (1, 1, 1, 1)
    n = 2 if seed % 2 else 1
    activation = _ACTS[seed % 4]
    lo_hi = None if activation is None else ((0.0, np.inf) if activation == "relu" else
                                               (0.0, 6.0) if activation == "relu6" else activation)
    if seed % 6 == 5:  # weights at +-127, inputs at -128 and 127
        weight = rng.choice([-1.0, 1.0], size=(cout, cin // groups, 3, 3)).astype(np.float32)
        xq = rng.choice(np.array([-128, 127], np.int8), size=(n, cin, h, w))
    else:
        weight = (rng.standard_normal((cout, cin // groups, 3, 3)) * 0.3).astype(np.float32)
        xq = rng.integers(-128, 128, size=(n, cin, h, w), dtype=np.int8)
    bias = (rng.standard_normal(cout) * 0.5).astype(np.float32)
    for out_scale in (np.float32(0.031), None):
        layers = {a: armconv.QConv2d(weight, bias, 0.02, out_scale, padding=pads, groups=groups,
                                     activation=activation, algo=a) for a in ("winograd23", "im2col", "auto")}
        want = _qlayer_reference(layers["im2col"], xq, pads, groups, lo_hi, out_scale)
        for a, layer in layers.items():
            y = layer(guarded(xq))
            assert y.dtype == (np.float32 if out_scale is None else np.int8)
            np.testing.assert_array_equal(y, want, err_msg=a)


def test_qconv2d_winograd23_channel_bound():
    """3669 input channels at the extreme values (4 x the sum = 2147157504 < 2^31)
    are exact; one more runs im2col, and forcing winograd23 raises."""
    for cin, h, w in ((3669, 3, 3), (3669, 4, 5)):
        weight = np.full((4, cin, 3, 3), -1.0, np.float32)  # weight_q = -127
        xq = np.full((1, cin, h, w), -128, np.int8)
        for out_scale in (np.float32(4000.0), None):
            wl = armconv.QConv2d(weight, None, 0.02, out_scale, algo="winograd23")
            want = _qlayer_reference(wl, xq, (0, 0, 0, 0), 1, None, out_scale)
            np.testing.assert_array_equal(wl(xq), want)
    big = np.ones((2, 3670, 3, 3), np.float32)
    assert armconv.QConv2d(big, None, 0.1, 0.2).algo == "im2col"
    with pytest.raises(armconv.Error, match="3669"):
        armconv.QConv2d(big, None, 0.1, 0.2, algo="winograd23")


def test_qconv2d_algo_errors():
    w = np.ones((4, 4, 3, 3), np.float32)
    with pytest.raises(armconv.Error, match="stride 1"):
        armconv.QConv2d(w, None, 0.1, 0.2, stride=2, algo="winograd23")
    with pytest.raises(armconv.Error, match="no int8 kernels"):
        armconv.QConv2d(w, None, 0.1, 0.2, algo="winograd43")
    with pytest.raises(armconv.Error, match="1x1"):
        armconv.QConv2d(w, None, 0.1, 0.2, algo="gemm")
    with pytest.raises(ValueError, match="algo must be one of"):
        armconv.QConv2d(w, None, 0.1, 0.2, algo="fast")
    assert armconv.QConv2d(w, None, 0.1, 0.2, padding=1, algo="im2col").algo == "im2col"
