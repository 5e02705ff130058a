"""Conv2d(precision="fp16"): half-precision kernels where the CPU has fp16
vector arithmetic (the suite under qemu -cpu cortex-a76), the fp32 kernels
everywhere else (host x86, cortex-a72, armv7), and the layer saying which.

Where fp16 kernels run, the GEMM families (gemm, im2col) are checked bit for
bit against a numpy emulation of their arithmetic (reference.py,
conv2d_fp16_emulated: float16 inputs, one rounding per multiply-add, in
im2col order), and every family within a float16 error bound of the float64
reference. Elsewhere the same calls must give exactly the fp32 layer's result.
"""
import os

import numpy as np
import pytest

import armconv
from conftest import EXPECT_CPU, UNDER_QEMU
from reference import (act_range, assert_close, conv2d_bound, conv2d_fp16_bound,
                       conv2d_fp16_emulated, conv2d_ref, EPS16)

KERNELS = armconv.cpu_info()["kernels"]
FP16 = bool(KERNELS.get("hgemm"))
# The families with fp16 kernels (where FP16 is set).
FP16_ALGOS = ("gemm", "im2col", "depthwise3x3", "winograd23", "winograd43")
WINO_FP16 = ("winograd23", "winograd43")
ACTS = [None, "relu", "relu6", (-0.3, 0.4)]


def expected_fp16(algo):
    return FP16 and algo in FP16_ALGOS


def test_where_fp16_runs():
    info = armconv.cpu_info()
    if EXPECT_CPU == "cortex-a76":
        assert FP16 and info["fp16"]
        assert info["kernels"]["hgemm"] == "hgemm-aarch64-8x24-fp16"
        assert info["kernels"]["depthwise3x3_fp16"] == "dwconv3x3-aarch64-1x32-fp16"
        assert info["kernels"]["winograd43_fp16"] == "winograd43-aarch64-nc8h"
        assert info["kernels"]["winograd23_fp16"] == "winograd23-aarch64-nc8h"
        assert info["kernels"]["winograd_gemm_fp16"] == "wino_gemm-aarch64-16x8-fp16"
    elif EXPECT_CPU:  # host, cortex-a72, armv7: no fp16 vector arithmetic
        assert not FP16
        assert "hgemm" not in info["kernels"]
        assert "depthwise3x3_fp16" not in info["kernels"]
        assert not {"winograd43_fp16", "winograd23_fp16", "winograd_gemm_fp16"} & set(info["kernels"])
    w = np.ones((8, 4, 1, 1), np.float32)
    layer = armconv.Conv2d(w, precision="fp16")
    assert layer.precision == ("fp16" if FP16 else "fp32")
    assert armconv.Conv2d(w).precision == "fp32"
    assert "precision='" in repr(layer)


def run_case(rng, n, c, cout, h, w, k, stride=1, pads=(0, 0, 0, 0), dilation=1, groups=1,
             act=None, algo="auto", bias=True, half_io=False):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = (rng.standard_normal((cout, c // groups, k, k)) / np.sqrt(c // groups * k * k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32) if bias else None
    layer = armconv.Conv2d(wt, b, stride=stride, padding=pads, dilation=dilation, groups=groups,
                           activation=act, algo=algo, precision="fp16")
    xin = x.astype(np.float16) if half_io else x
    y = layer(xin)
    assert y.dtype == (np.float16 if half_io else np.float32)
    kw = dict(stride=(stride, stride), pads=pads, dilation=(dilation, dilation), groups=groups)
    what = f"{layer!r} x{x.shape} half_io={half_io}"
    runs = layer.algo_for(h, w)
    if expected_fp16(runs) and runs in WINO_FP16:
        assert layer.precision == "fp16", what
        xr = xin.astype(np.float32)
        ref = conv2d_ref(xr, wt, b, act=act_range(act), blas=True, **kw)
        bound = wino_fp16_bound(xr, wt, pads, groups, 4 if runs == "winograd43" else 2, b)
        if half_io:  # the float16 store
            bound += EPS16 * (np.abs(ref) + bound)
        err = np.abs(y.astype(np.float64) - ref)
        assert (err <= bound).all(), f"{what}: outside the fp16 Winograd bound by {np.max(err - bound)}"
        # The bound is a worst case (its sums of magnitudes in the transform
        # domain are up to ~100x the output): the error as the README
        # measures it (about 1e-2 of max|ref| from 64 channels, a few times
        # that for a few channels) is checked within 10% (an indexing error
        # is O(1)).
        assert np.max(err) <= 0.1 * np.max(np.abs(ref)) + 1e-6, f"{what}: max error {np.max(err)}"
    elif expected_fp16(runs):
        assert layer.precision == "fp16", what
        xr = xin.astype(np.float32)
        emu = conv2d_fp16_emulated(xr, wt, b, act=act_range(act),
                                   bias_last=runs == "depthwise3x3", **kw)
        got = y.astype(np.float64)
        diff = ~((got == emu) | (np.isnan(got) & np.isnan(emu)))
        if diff.any():
            i = tuple(np.argwhere(diff)[0])
            raise AssertionError(f"{what}: {diff.sum()} of {y.size} outputs differ from the emulated "
                                 f"fp16 arithmetic; first at {i}: got {got[i]}, emulation {emu[i]}")
        ref = conv2d_ref(xr, wt, b, act=act_range(act), blas=groups == 1, **kw)
        bound = conv2d_fp16_bound(xr, wt, b, blas=groups == 1, **kw)
        err = np.abs(got - ref)
        assert (err <= bound).all(), f"{what}: outside the fp16 bound by {np.max(err - bound)}"
    else:
        assert layer.precision == "fp32" or runs not in FP16_ALGOS, what
        ref32 = armconv.Conv2d(wt, b, stride=stride, padding=pads, dilation=dilation,
                               groups=groups, activation=act, algo=algo)(x)
        want = ref32.astype(np.float16) if half_io else ref32
        if half_io:  # the fp32 kernels on the float16 input, rounded back
            want = armconv.Conv2d(wt, b, stride=stride, padding=pads, dilation=dilation,
                                  groups=groups, activation=act,
                                  algo=algo)(xin.astype(np.float32)).astype(np.float16)
        np.testing.assert_array_equal(y, want, err_msg=what)
    return layer, y


# ---- fp16 Winograd --------------------------------------------------------------
#
# Transforms in fp32 (F(4,3)'s input side: binary16, below), V and U rounded
# to binary16, the per-position GEMMs in
# binary16 runs of R = 32 input channels (16 for F(4,3) with up to 48 input
# channels per group) summed in fp32. Per transform
# position p of a tile the product sum M_p errs by at most (R + 2) 2^-11 W_p
# to first order, W_p = sum_k |U_pk| |V_pk| (exact U, V): 2^-11 for each of
# U and V, R for the run's roundings; the output transform adds up |A^T|
# (that error) |A|. So each output is within (R + 3) 2^-11 (1.01) sum_ij
# |A_ai| |A_bj| W_ij of the float64 result, plus float16's subnormal spacing
# per term; the bias b, which enters M in fp32 as b x_i x_j (A^T x = 1;
# F(2,3): x = e_1, position (1, 1)), adds its fp32 roundings: at most
# (ceil(Cin / 8) + 8) 2^-24 |b| sum_ij |A_ai x_i| |A_bj x_j| (one for the
# product, one per run added onto it, at most one run per octet of input
# channels, 6 in the output transform). tests/cpp/test_winograd_fp16.cpp
# checks the same bound on the generic twin, bit-equal to the NEON kernels.
# F(4,3) stages the image in binary16 and computes V in binary16 arithmetic
# (core/winograd.h): V errs by at most 17 2^-11 sum |B||d||B| (the C++
# test's kTxBound; + 2^-11 for rounding a float32 image: 18 here), which
# reaches an output through |U| and |A^T| .. |A| as the terms above.

WINO_MATRICES = {  # B^T, G, A^T, bias x (core/winograd.h; F(4,3) on {0, +-2/3, +-3/2, inf})
    2: (np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], np.float64),
        np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]]),
        np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float64),
        np.array([0, 1, 0, 0], np.float64)),
    4: (np.array([[1, 0, -97 / 36, 0, 1, 0], [0, -1.5, -2.25, 2 / 3, 1, 0], [0, 1.5, -2.25, -2 / 3, 1, 0],
                  [0, -2 / 3, -4 / 9, 1.5, 1, 0], [0, 2 / 3, -4 / 9, -1.5, 1, 0],
                  [0, 1, 0, -97 / 36, 0, 1]]),
        np.array([[1, 0, 0], [-18, -12, -8], [-18, 12, -8], [12, 18, 27], [12, -18, 27],
                  [0, 0, 65]]) / np.array([[1], [65], [65], [65], [65], [65]]),
        np.array([[1, 2.25, 2.25, 2 / 3, 2 / 3, 0], [0, 1.5, -1.5, 1, -1, 0], [0, 1, 1, 1.5, 1.5, 0],
                  [0, 2 / 3, -2 / 3, 2.25, -2.25, 1]]),
        np.array([-1.25, 5 / 6, 1 / 6, 0, 0, 5 / 9])),
}


def test_wino_matrices():
    """The tables above are F(m, 3) (the 1-D identity, float64) and carry the bias."""
    for m, (bt, g, at, bx) in WINO_MATRICES.items():
        d, k = np.arange(1.0, m + 3) ** 1.5, np.array([0.3, -1.1, 0.7])
        want = np.array([d[a:a + 3] @ k for a in range(m)])
        np.testing.assert_allclose(at @ ((g @ k) * (bt @ d)), want, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(at @ bx, np.ones(m), rtol=0, atol=1e-12)


def _tiles_sum(v, u, at, groups):
    """sum_ij |A_ai| |A_bj| sum_c u[o, c, i, j] v[n, c, y, x, i, j] for every
    output (a, b) of every tile (y, x), the channels c of o's group: v (n, c,
    ty, tx, N, N) and u (cout, cg, N, N) non-negative; (n, cout, ty m, tx m).
    As matrix products (numpy's BLAS; reference.wino_tiles_magnitude's
    layout): the sums the einsums "gocij,ngcyxij->ngoyxij" and
    "ai,bj,noyxij->noyaxb" wrote, several times faster under QEMU."""
    n_, c, ty, tx, N, _ = v.shape
    cout, cg = u.shape[:2]
    mg = cout // groups
    # Per group and transform position (i, j): (n ty tx, cg) @ (cg, mg).
    vv = v.reshape(n_, groups, cg, ty, tx, N * N).transpose(1, 5, 0, 3, 4, 2).reshape(groups, N * N, -1, cg)
    uu = u.reshape(groups, mg, cg, N * N).transpose(0, 3, 2, 1)
    w = (vv @ uu).reshape(groups, N, N, n_, ty, tx, mg).transpose(3, 0, 6, 4, 5, 1, 2)
    a = np.abs(at)
    e = a @ w.reshape(n_, cout, ty, tx, N, N) @ a.T                # (n, cout, ty, tx, m, m)
    m = at.shape[0]
    return e.transpose(0, 1, 2, 4, 3, 5).reshape(n_, cout, ty * m, tx * m)


def wino_fp16_bound(x, w, pads, groups, m, b=None):
    bt, g, at, bx = WINO_MATRICES[m]
    n_, c, h, wd = x.shape
    cout, cg = w.shape[:2]
    pt, pb, pl, pr = pads
    ho, wo = h + pt + pb - 2, wd + pl + pr - 2
    ty, tx = -(-ho // m), -(-wo // m)
    xp = np.zeros((n_, c, ty * m + 2, tx * m + 2))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    r = np.arange(m + 2)
    rows = (np.arange(ty)[:, None] * m + r)[:, :, None, None]   # ty, n, 1, 1
    cols = (np.arange(tx)[:, None] * m + r)[None, None]         # 1, 1, tx, n
    d = xp[:, :, rows, cols].transpose(0, 1, 2, 4, 3, 5)        # N, C, ty, tx, n, n
    v = np.abs(bt @ d @ bt.T)                                   # |B^T d B| per tile
    u = np.abs(g @ np.asarray(w, np.float64) @ g.T)             # |G g G^T|
    e = _tiles_sum(v, u, at, groups)[:, :, :ho, :wo]
    runs = 16 if m == 4 and cg <= 48 else 32
    bound = (runs + 3) * EPS16 * 1.01 * e + cg * (m + 2) ** 2 * 2.0 ** -24
    if m == 4:  # the binary16 input side
        vm = np.abs(bt) @ np.abs(d) @ np.abs(bt).T              # |B^T| |d| |B|
        bound += 18 * EPS16 * 1.01 * _tiles_sum(vm, u, at, groups)[:, :, :ho, :wo]
    if b is not None:
        ax = np.abs(at * bx).sum(axis=1)                            # per tile row / column
        path = np.tile(np.outer(ax, ax), (ty, tx))[:ho, :wo]
        bound += (-(-cg // 8) + 8) * 2.0 ** -24 * np.abs(np.asarray(b, np.float64))[None, :, None, None] * path
    return bound


WINO_CASES = [
    # n, c, cout, h, w, pads
    (1, 5, 9, 1, 1, (1, 1, 1, 1)),
    (1, 3, 7, 2, 3, (1, 1, 1, 1)),
    (2, 7, 11, 9, 13, (1, 1, 1, 1)),
    (1, 13, 17, 14, 5, (0, 2, 2, 0)),
    (1, 17, 4, 3, 3, (0, 0, 0, 0)),
    (1, 9, 16, 20, 19, (2, 1, 0, 3)),
    (1, 70, 24, 11, 10, (1, 1, 1, 1)),
    (1, 64, 64, 8, 8, (1, 1, 1, 1)),
]


@pytest.mark.parametrize("n,c,cout,h,w,pads", WINO_CASES)
@pytest.mark.parametrize("algo", ["winograd23", "winograd43"])
@pytest.mark.parametrize("half_io", [False, True])
def test_winograd(rng, n, c, cout, h, w, pads, algo, half_io):
    for i, act in enumerate(ACTS[:2] if UNDER_QEMU else ACTS):
        layer, _ = run_case(rng, n, c, cout, h, w, 3, 1, pads, act=act, algo=algo, bias=i % 2 == 0,
                            half_io=half_io)
        assert layer.algo == algo


def test_winograd_groups(rng):
    run_case(rng, 2, 6, 9, 11, 10, 3, 1, (1, 1, 1, 1), groups=3, act="relu", algo="winograd23")
    run_case(rng, 1, 64, 40, 12, 13, 3, 1, (1, 1, 1, 1), groups=4, algo="winograd43")


def test_depthwise_auto_fp16(rng):
    """auto fp16 depthwise 3x3 layers, stride 1 and 2, run the depthwise
    family (fp16 kernels where the CPU has them), never im2col: a stride-2
    depthwise layer is also a stride-2 Winograd shape, whose fp16 choice is
    im2col (C GEMMs of one row each)."""
    for c, stride in ((16, 1), (16, 2), (96, 2), (576, 2)):
        wt = rng.standard_normal((c, 1, 3, 3)).astype(np.float32)
        layer = armconv.Conv2d(wt, padding=1, stride=stride, groups=c, precision="fp16")
        assert layer.precision == ("fp16" if FP16 else "fp32")
        assert layer.algo == "depthwise3x3"
        for hw in (7, 14, 56):
            assert layer.algo_for(hw, hw) == "depthwise3x3", (c, stride, hw)
        run_case(rng, 1, c, c, 14, 14, 3, stride, (1, 1, 1, 1), groups=c)


def test_winograd_auto_fp16(rng):
    """auto fp16 3x3 s1 layers: F(4,3) at any channel count, im2col on maps too
    small for its tiles; F(6,3) has no fp16 kernels."""
    for c, want in ((3, "winograd43"), (16, "winograd43"), (64, "winograd43")):
        wt = (rng.standard_normal((8, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32)
        layer = armconv.Conv2d(wt, padding=1, precision="fp16")
        if FP16:
            assert layer.precision == "fp16" and layer.algo == want
            assert layer.algo_for(14, 14) == want and layer.algo_for(1, 1) == "im2col"
        else:
            assert layer.precision == "fp32"
            x = rng.standard_normal((1, c, 14, 14)).astype(np.float32)
            np.testing.assert_array_equal(layer(x), armconv.Conv2d(wt, padding=1)(x))
        run_case(rng, 1, c, 8, 14, 14, 3, 1, (1, 1, 1, 1))
        run_case(rng, 1, c, 8, 1, 1, 3, 1, (1, 1, 1, 1))
    layer = armconv.Conv2d(np.ones((8, 8, 3, 3), np.float32), padding=1, algo="winograd63",
                           precision="fp16")
    assert layer.precision == "fp32"


def test_nan_inf_winograd(rng):
    wt = (rng.standard_normal((8, 4, 3, 3)) * 0.2).astype(np.float32)
    x = rng.standard_normal((1, 4, 12, 12)).astype(np.float32)
    x[0, 1, 5, 5] = np.nan
    for algo in WINO_FP16:
        for half_io in (False, True):
            layer = armconv.Conv2d(wt, padding=1, algo=algo, precision="fp16")
            y = layer(x.astype(np.float16) if half_io else x).astype(np.float64)
            assert np.isnan(y[0, :, 4:7, 4:7]).all(), (algo, half_io)
            # The tiles whose input patches hold it (output rows and columns
            # 4..7 for both tile sizes) may be NaN; the others are finite.
            assert np.isfinite(y[0, :, 8:, :]).all() and np.isfinite(y[0, :, :, 8:]).all()
            assert np.isfinite(y[0, :, :4, :]).all() and np.isfinite(y[0, :, :, :4]).all()


# Every remainder of the 8x24 tile: output channels 1..17 (M), output pixels
# around multiples of 24 (N), reduction lengths around multiples of 4 and 16
# and past the 512 K-block (K = c * k * k).
GEMM_SHAPES = [
    # n, c, cout, h, w
    (1, 1, 1, 1, 1),
    (1, 3, 5, 4, 6),     # N = 24
    (1, 5, 8, 5, 5),     # N = 25
    (2, 7, 9, 3, 7),     # N = 21
    (1, 16, 16, 7, 7),   # N = 49: two tiles + 1 column
    (1, 17, 13, 8, 6),   # N = 48
    (1, 33, 17, 4, 10),  # N = 40: a 16-column edge
    (1, 64, 24, 3, 3),
    (1, 520, 8, 2, 5),   # K = 520: two K-blocks
]


@pytest.mark.parametrize("n,c,cout,h,w", GEMM_SHAPES)
@pytest.mark.parametrize("half_io", [False, True])
def test_gemm_1x1(rng, n, c, cout, h, w, half_io):
    for i, act in enumerate(ACTS):
        run_case(rng, n, c, cout, h, w, 1, act=act, bias=i % 2 == 0, half_io=half_io)


IM2COL_CASES = [
    # n, c, cout, h, w, k, stride, pads, dilation, groups
    (1, 3, 8, 9, 11, 3, 1, (1, 1, 1, 1), 1, 1),
    (1, 4, 16, 12, 12, 3, 2, (1, 1, 1, 1), 1, 1),
    (2, 5, 7, 13, 10, 3, 2, (0, 1, 1, 0), 1, 1),
    (1, 6, 9, 11, 17, 3, 1, (2, 0, 0, 2), 1, 1),  # padding on one side each
    (1, 3, 10, 10, 10, 3, 1, (0, 0, 0, 0), 2, 1),  # dilation
    (1, 8, 12, 9, 9, 3, 1, (1, 1, 1, 1), 1, 2),    # groups
    (1, 2, 5, 15, 15, 5, 3, (2, 2, 2, 2), 1, 1),   # stride 3
    (1, 3, 6, 8, 8, 1, 2, (0, 0, 0, 0), 1, 1),     # 1x1 stride 2
    (1, 64, 9, 6, 6, 3, 1, (1, 1, 1, 1), 1, 1),    # K = 576: two K-blocks
    (1, 3, 8, 57, 30, 3, 2, (1, 1, 1, 1), 1, 1),   # stride-2 pieces of every length
    (1, 5, 11, 1, 1, 3, 1, (1, 1, 1, 1), 1, 1),    # 1x1 map
]


@pytest.mark.parametrize("n,c,cout,h,w,k,stride,pads,dilation,groups", IM2COL_CASES)
@pytest.mark.parametrize("half_io", [False, True])
def test_im2col(rng, n, c, cout, h, w, k, stride, pads, dilation, groups, half_io):
    for i, act in enumerate(ACTS[:2] if UNDER_QEMU else ACTS):
        run_case(rng, n, c, cout, h, w, k, stride, pads, dilation, groups, act, "im2col",
                 bias=i % 2 == 1, half_io=half_io)


# Depthwise 3x3 (per plane: 1x32 strips, then an overlapping strip of 8, 16
# or 32 columns; narrower maps through an 8-column tile; bands of rows).
# Widths around 8, 16 and 32, odd maps, channels not a multiple of 8,
# padding on each side alone, batch > 1.
DW_CASES = [
    # n, c, h, w, stride, pads
    (1, 1, 1, 1, 1, (1, 1, 1, 1)),
    (2, 3, 5, 7, 1, (1, 1, 1, 1)),
    (1, 5, 9, 8, 1, (1, 1, 1, 1)),
    (1, 4, 6, 10, 1, (1, 1, 1, 1)),     # wo = 10: 8 + an overlapping 8
    (1, 2, 7, 17, 1, (0, 0, 0, 0)),     # wo = 15
    (1, 3, 11, 33, 1, (1, 1, 1, 1)),    # wo = 33: 32 + 8
    (2, 9, 13, 45, 1, (2, 0, 0, 2)),
    (1, 2, 40, 70, 1, (0, 2, 1, 0)),
    (1, 3, 1, 1, 2, (1, 1, 1, 1)),
    (2, 5, 9, 9, 2, (1, 1, 1, 1)),
    (1, 6, 14, 14, 2, (0, 1, 0, 1)),    # TF "SAME" for stride 2
    (1, 3, 16, 35, 2, (1, 0, 1, 0)),    # odd left padding
    (1, 5, 7, 100, 2, (1, 1, 1, 1)),    # wo = 50: a 32-column strip, then 16 + 16 overlapping
    (1, 3, 5, 129, 1, (1, 1, 1, 1)),    # four 32-column strips + one column
    (1, 2, 21, 66, 2, (0, 0, 2, 2)),    # wo = 33
    (1, 11, 8, 8, 1, (3, 0, 0, 0)),     # padding on one side at a time
    (1, 11, 8, 8, 1, (0, 3, 0, 0)),
    (1, 11, 8, 8, 2, (0, 0, 3, 0)),
    (1, 11, 8, 8, 2, (0, 0, 0, 3)),
]


@pytest.mark.parametrize("n,c,h,w,stride,pads", DW_CASES)
@pytest.mark.parametrize("half_io", [False, True])
def test_depthwise3x3(rng, n, c, h, w, stride, pads, half_io):
    for i, act in enumerate(ACTS[:2] if UNDER_QEMU else ACTS):
        layer, _ = run_case(rng, n, c, c, h, w, 3, stride, pads, groups=c, act=act,
                            algo="depthwise3x3", bias=i % 2 == 0, half_io=half_io)
        assert layer.algo == "depthwise3x3"


def test_auto_families(rng):
    """What `auto` picks for fp16 layers: fp16 kernels where the family has them."""
    for shape in [(1, 8, 16, 10, 10, 1, 1), (1, 8, 16, 10, 10, 3, 1), (1, 8, 8, 10, 10, 5, 1),
                  (1, 8, 8, 10, 10, 3, 8)]:
        n, c, cout, h, w, k, g = shape
        p = k // 2
        run_case(rng, n, c, cout, h, w, k, pads=(p, p, p, p), groups=g)


def test_nan_inf_propagate(rng):
    wt = (rng.standard_normal((8, 4, 3, 3)) * 0.2).astype(np.float32)
    x = rng.standard_normal((1, 4, 10, 12)).astype(np.float32)
    x[0, 1, 4, 5] = np.nan
    x[0, 2, 0, 0] = np.inf
    x[0, 3, 9, 11] = 1e6  # above float16's range: inf once converted (fp16 kernels)
    with np.errstate(over="ignore"):  # that overflow is the point (no RuntimeWarning)
        x16 = x.astype(np.float16)
    assert np.isinf(x16[0, 3, 9, 11])
    for half_io in (False, True):
        for act in (None, "relu6"):
            layer = armconv.Conv2d(wt, padding=1, activation=act, algo="im2col", precision="fp16")
            y = layer(x16 if half_io else x).astype(np.float64)
            # The 3x3 neighbourhood of the NaN is NaN in every output channel.
            assert np.isnan(y[0, :, 3:6, 4:7]).all(), (half_io, act)
            # Outputs that see no special value are finite.
            assert np.isfinite(y[0, :, 5:8, 2:4]).all()
            # The inf reaches its neighbourhood as +-inf or NaN (inf - inf), or is clamped.
            corner = y[0, :, 0:2, 0:2]
            if act is None:
                assert (~np.isfinite(corner)).all()
            else:
                assert (np.isnan(corner) | ((corner >= 0) & (corner <= 6))).all()
            if FP16 or half_io:  # 1e6 is inf in float16
                big = y[0, :, 8:10, 10:12]
                assert (~np.isfinite(big) | (act is not None)).all()


def test_nan_inf_depthwise(rng):
    wt = (rng.standard_normal((4, 1, 3, 3)) * 0.3).astype(np.float32)
    x = rng.standard_normal((1, 4, 9, 20)).astype(np.float32)
    x[0, 1, 4, 5] = np.nan
    x[0, 2, 0, 0] = -np.inf
    for half_io in (False, True):
        for act in (None, "relu6"):
            layer = armconv.Conv2d(wt, padding=1, groups=4, activation=act,
                                   algo="depthwise3x3", precision="fp16")
            y = layer(x.astype(np.float16) if half_io else x).astype(np.float64)
            assert np.isnan(y[0, 1, 3:6, 4:7]).all(), (half_io, act)
            assert np.isfinite(y[0, 1, 7:, :]).all() and np.isfinite(y[0, [0, 3]]).all()
            corner = y[0, 2, 0:2, 0:2]
            assert (~np.isfinite(corner) if act is None
                    else np.isnan(corner) | ((corner >= 0) & (corner <= 6))).all()


def test_depthwise_float16_arrays(rng):
    """The fp16 depthwise kernels on strided and misaligned float16 arrays:
    the same result as on the contiguous array (float16 in and out)."""
    wt = (rng.standard_normal((9, 1, 3, 3)) * 0.3).astype(np.float32)
    for stride in (1, 2):
        layer = armconv.Conv2d(wt, padding=1, stride=stride, groups=9, algo="depthwise3x3",
                               precision="fp16")
        x = rng.standard_normal((1, 9, 11, 37)).astype(np.float16)
        y = layer(x)
        assert y.dtype == np.float16
        wide = np.zeros((1, 9, 11, 74), np.float16)
        wide[..., 1::2] = x
        np.testing.assert_array_equal(layer(wide[..., 1::2]), y)
        raw = np.zeros(x.nbytes + 1, np.uint8)
        mis = raw[1:].view(np.float16).reshape(x.shape)
        mis[...] = x
        assert not mis.flags.aligned
        np.testing.assert_array_equal(layer(mis), y)
        np.testing.assert_array_equal(layer(x.astype(np.float32)).astype(np.float16), y)


def test_float16_arrays(rng):
    """float16 in, float16 out: contiguous, strided, misaligned, 3-D, out=, torch."""
    wt = (rng.standard_normal((12, 6, 3, 3)) * 0.15).astype(np.float32)
    b = rng.standard_normal(12).astype(np.float32)
    layer = armconv.Conv2d(wt, b, padding=1, precision="fp16")
    x = rng.standard_normal((2, 6, 9, 11)).astype(np.float16)
    y = layer(x)
    assert y.dtype == np.float16 and y.shape == (2, 12, 9, 11)
    # Strided (every other column of a wider array) and Fortran order: copied, same result.
    wide = np.zeros((2, 6, 9, 22), np.float16)
    wide[..., ::2] = x
    np.testing.assert_array_equal(layer(wide[..., ::2]), y)
    np.testing.assert_array_equal(layer(np.asfortranarray(x)), y)
    # Misaligned: float16 data at an odd byte address.
    raw = np.zeros(x.nbytes + 1, np.uint8)
    mis = raw[1:].view(np.float16).reshape(x.shape)
    mis[...] = x
    assert not mis.flags.aligned
    np.testing.assert_array_equal(layer(mis), y)
    # 3-D input, out=.
    np.testing.assert_array_equal(layer(x[1]), y[1])
    out = np.empty_like(y)
    assert layer(x, out=out) is out
    np.testing.assert_array_equal(out, y)
    with pytest.raises(TypeError, match="float16"):
        layer(x, out=np.empty(y.shape, np.float32))
    with pytest.raises(TypeError, match="float32"):
        layer(x.astype(np.float32), out=out)
    # The functional form.
    y2 = armconv.conv2d(x, wt, b, padding=1, precision="fp16")
    assert y2.dtype == np.float16
    np.testing.assert_array_equal(y2, y)
    # float32 in: float32 out, the same values when the input is the same.
    np.testing.assert_array_equal(layer(x.astype(np.float32)).astype(np.float16), y)


def test_torch_float16():
    torch = pytest.importorskip("torch")
    wt = np.full((4, 2, 1, 1), 0.5, np.float32)
    layer = armconv.Conv2d(wt, precision="fp16")
    x = torch.ones((1, 2, 3, 3), dtype=torch.float16)
    y = layer(x)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, np.ones((1, 4, 3, 3), np.float16))
    conv = torch.nn.Conv2d(2, 4, 3, padding=1)
    tl = armconv.Conv2d.from_torch(conv, precision="fp16")
    assert tl.precision == ("fp16" if FP16 else "fp32")


def test_bad_arguments():
    wt = np.ones((4, 2, 1, 1), np.float32)
    with pytest.raises(ValueError, match="precision must be 'fp32' or 'fp16'"):
        armconv.Conv2d(wt, precision="fp64")
    with pytest.raises(ValueError, match="precision"):
        armconv.conv2d(np.ones((1, 2, 3, 3), np.float32), wt, precision="half")
    # An fp32 layer refuses float16 and says how to run it.
    with pytest.raises(TypeError, match="precision='fp16'"):
        armconv.Conv2d(wt)(np.ones((1, 2, 3, 3), np.float16))
    with pytest.raises(TypeError, match="float32"):
        armconv.conv2d(np.ones((1, 2, 3, 3), np.float16), wt)
    # The weights stay float32 (they are rounded when packed).
    with pytest.raises(TypeError, match="weight must have dtype float32"):
        armconv.Conv2d(wt.astype(np.float16), precision="fp16")


def test_large_values_overflow_to_inf():
    """float16 holds up to 65504: an fp16 layer's sums beyond that are inf."""
    wt = np.ones((1, 1, 1, 1), np.float32)
    x = np.full((1, 1, 1, 2), 40000.0, np.float32)
    layer = armconv.Conv2d(wt, np.full(1, 40000.0, np.float32), precision="fp16")
    y = layer(x)
    if FP16:
        assert np.isinf(y).all()
    else:
        np.testing.assert_array_equal(y, np.full((1, 1, 1, 2), 80000.0, np.float32))


FIXTURES = os.environ.get("ARMCONV_MODEL_FIXTURES", "")
# max|fp16 model - torch| / max|torch| on the fixtures (tests/model_zoo.py):
# half precision through every layer of MobileNetV2 and the blocks.
TOL_MODEL_FP16 = 3e-2


@pytest.mark.parametrize("name", ["mobilenet_v2", "residual"])
def test_model_precision(name):
    """armconv.load(..., precision="fp16"): the model's convolutions run fp16
    kernels where they can, within float16 accuracy of torch; elsewhere
    exactly the fp32 model."""
    path = os.path.join(FIXTURES, name + ".npz")
    if not FIXTURES or not os.path.exists(path):
        pytest.skip("no model fixtures (scripts/test.sh sets ARMCONV_MODEL_FIXTURES)")
    m16 = armconv.load(path, precision="fp16")
    assert m16.precision == "fp16"
    x = np.load(os.path.join(FIXTURES, name + ".input.npy"))[:1]
    ref = np.load(os.path.join(FIXTURES, name + ".expected.npy"))[:1]
    y16 = m16(x)
    assert y16.dtype == np.float32
    err = float(np.abs(y16.astype(np.float64) - ref).max() / np.abs(ref).max())
    print(f"{name} fp16: max|armconv - torch| / max|torch| = {err:.2e}")
    summary = m16.summary()
    if FP16:
        assert err <= TOL_MODEL_FP16
        assert "precision fp16:" in summary and " 0 of" not in summary
    else:
        np.testing.assert_array_equal(y16, armconv.load(path)(x))
    with pytest.raises(ValueError, match="precision"):
        armconv.load(path, precision="int4")
