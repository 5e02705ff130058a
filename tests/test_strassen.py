"""Conv2d(algo="strassen") (one level of Strassen over the fp32 GEMM, 1x1
stride-1 layers) against the float64 numpy reference, batch > 1, the clear
error on shapes it cannot run, and which algorithm `auto` 1x1 layers pick.

Tolerance (src/core/strassen.h; tests/cpp/test_strassen.cpp): Strassen's
error is normwise, not componentwise: each half-size product sums K2 =
ceil(K/2) terms of operands that are sums of two, and C adds up to four
products and biases, so
    |y - ref| <= 2^-24 (K2 + 4) (4 K2 max|w| max|x| + 3 max|b|) + 2^-22 |ref|
A wrong block, sign or bias term is off by ~sqrt(K) max|w| max|x|, far above.
"""
import numpy as np
import pytest

import armconv

from reference import act_range, conv2d_ref


def strassen_bound(x, w, b, ref):
    k2 = (w.shape[1] + 1) // 2
    amax = float(np.abs(w).max())
    xmax = float(np.abs(x).max())
    bmax = float(np.abs(b).max()) if b is not None else 0.0
    return 2.0 ** -24 * (k2 + 4) * (4 * k2 * amax * xmax + 3 * bmax) + 2.0 ** -22 * np.abs(ref)


@pytest.mark.parametrize("cin,cout,h,w,n", [
    (1, 1, 1, 1, 1), (2, 7, 3, 5, 2), (17, 9, 7, 7, 1), (64, 33, 5, 5, 3),
    (96, 24, 14, 14, 2), (161, 17, 4, 6, 1), (160, 96, 7, 7, 2), (3, 16, 11, 13, 1),
])
@pytest.mark.parametrize("activation", [None, "relu", "relu6"])
def test_strassen_against_reference(rng, cin, cout, h, w, n, activation):
    x = rng.uniform(-1, 1, (n, cin, h, w)).astype(np.float32)
    wt = rng.uniform(-1, 1, (cout, cin, 1, 1)).astype(np.float32)
    b = rng.uniform(-1, 1, cout).astype(np.float32)
    layer = armconv.Conv2d(wt, b, activation=activation, algo="strassen")
    assert layer.algo == "strassen" and layer.precision == "fp32"
    y = layer(x)
    ref = conv2d_ref(x, wt, b, act=act_range(activation))
    assert y.shape == ref.shape and y.dtype == np.float32
    err = np.abs(y.astype(np.float64) - ref)
    bound = strassen_bound(x, wt, b, ref)
    bad = ~(err <= bound)
    assert not bad.any(), f"{bad.sum()} outputs outside the bound, max error {err.max():.3g}"
    # One image at a time gives the same bits as the batch (units never span images' sums).
    for i in range(n):
        np.testing.assert_array_equal(layer(x[i]), y[i])
    # The functional form too.
    np.testing.assert_array_equal(armconv.conv2d(x, wt, b, activation=activation, algo="strassen"), y)


def test_strassen_threads_same_bits(rng):
    x = rng.uniform(-1, 1, (2, 96, 14, 14)).astype(np.float32)
    wt = rng.uniform(-1, 1, (160, 96, 1, 1)).astype(np.float32)
    layer = armconv.Conv2d(wt, None, activation="relu6", algo="strassen")
    with armconv.threads(1):
        one = layer(x)
    for t in (2, 3, 4):
        with armconv.threads(t):
            np.testing.assert_array_equal(layer(x), one)


@pytest.mark.parametrize("kw,why", [
    (dict(kernel=3), "1x1 kernel"),
    (dict(stride=2), "stride 1"),
    (dict(padding=1), "padding 0"),
    (dict(groups=2), "groups 1"),
])
def test_strassen_rejects(rng, kw, why):
    k = kw.pop("kernel", 1)
    groups = kw.get("groups", 1)
    wt = rng.uniform(-1, 1, (8, 8 // groups, k, k)).astype(np.float32)
    with pytest.raises(armconv.Error, match=f"strassen.*{why}"):
        armconv.Conv2d(wt, None, algo="strassen", **kw)


def test_strassen_fp16_asked_runs_fp32(rng):
    # Strassen is fp32 only: a forced fp16 layer runs (and says) fp32.
    wt = rng.uniform(-1, 1, (16, 16, 1, 1)).astype(np.float32)
    layer = armconv.Conv2d(wt, None, algo="strassen", precision="fp16")
    assert layer.precision == "fp32"


def _auto(cin, cout):
    wt = np.full((cout, cin, 1, 1), 0.01, np.float32)
    return armconv.Conv2d(wt, None)


def test_auto_picks():
    # Everywhere: low-K layers and 1x1 maps keep the GEMM.
    assert _auto(16, 96).algo_for(112, 112) == "gemm"
    assert _auto(960, 320).algo_for(1, 1) == "gemm"
    info = armconv.cpu_info()
    if info["kernels"].get("sgemm") == "sgemm-aarch64-8x12":
        # aarch64: where Strassen counted 2.5-8% fewer instructions (cortex-a72; 14x14 maps peel 4
        # columns: halves of 96 = 8 x 12); 384->96 14x14 (0.973x, estimated 0.983x) within the margin.
        assert _auto(960, 320).algo_for(7, 7) == "strassen"
        assert _auto(320, 1280).algo_for(7, 7) == "strassen"
        assert _auto(160, 960).algo_for(7, 7) == "strassen"
        assert _auto(576, 160).algo_for(7, 7) == "strassen"
        assert _auto(96, 576).algo_for(14, 14) == "strassen"
        assert _auto(576, 96).algo_for(14, 14) == "strassen"
        assert _auto(384, 96).algo_for(14, 14) == "gemm"
    elif info["kernels"].get("sgemm") == "sgemm-armv7-6x8":
        # armv7 (cortex-a15, the NEON B-combination packer): 0.937x, 0.943x; 160->960 0.992x (within
        # the margin), 960->160 1.002x.
        assert _auto(960, 320).algo_for(7, 7) == "strassen"
        assert _auto(320, 1280).algo_for(7, 7) == "strassen"
        assert _auto(160, 960).algo_for(7, 7) == "gemm"
        assert _auto(960, 160).algo_for(7, 7) == "gemm"


def test_auto_strassen_layer_runs_both(rng):
    # An auto layer that picks by map size: right on the map where it picks
    # Strassen and on the 1x1 map (the GEMV), whatever this CPU picks.
    wt = rng.uniform(-1, 1, (320, 960, 1, 1)).astype(np.float32)
    b = rng.uniform(-1, 1, 320).astype(np.float32)
    layer = armconv.Conv2d(wt, b)
    for h in (7, 1):
        x = rng.uniform(-1, 1, (2, 960, h, h)).astype(np.float32)
        y = layer(x)
        ref = conv2d_ref(x, wt, b)
        err = np.abs(y.astype(np.float64) - ref)
        assert (err <= strassen_bound(x, wt, b, ref)).all(), (layer.algo_for(h, h), err.max())
