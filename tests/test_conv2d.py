"""conv2d / Conv2d against the float64 reference, over the parameter space."""
import itertools
import platform
import threading

import numpy as np
import pytest

import armconv
from conftest import UNDER_QEMU
from reference import act_range, assert_close, conv2d_bound, conv2d_ref

ACTIVATIONS = [None, "relu", "relu6", (-0.25, 0.5)]


def check(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, activation=None, algo="auto",
          pads=None):
    """Run conv2d and compare it with the reference; pads = the explicit 4-tuple."""
    y = armconv.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups,
                       activation=activation, algo=algo)
    s = (stride, stride) if isinstance(stride, int) else tuple(stride)
    d = (dilation, dilation) if isinstance(dilation, int) else tuple(dilation)
    x4 = x if x.ndim == 4 else x[None]
    kw = dict(stride=s, pads=pads, dilation=d, groups=groups)
    ref = conv2d_ref(x4, w, b, act=act_range(activation), **kw)
    bound = conv2d_bound(x4, w, b, **kw)
    if x.ndim == 3:
        ref, bound = ref[0], bound[0]
    assert_close(y, ref, bound, f"stride={stride} padding={padding} dilation={dilation} "
                                f"groups={groups} act={activation} algo={algo} x{x.shape} w{w.shape}")
    return y


def explicit_pads(padding, k, d):
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        th, tw = d[0] * (k[0] - 1), d[1] * (k[1] - 1)
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 2:
        return (padding[0], padding[0], padding[1], padding[1])
    return tuple(padding)


def sweep_cases():
    """kernel 1..7 x stride 1..3 x dilation 1..3, each with drawn channels, groups,
    padding form, map size, batch and activation (fixed seed)."""
    rng = np.random.default_rng(1234)
    forms = [0, 1, 2, (1, 2), (0, 1, 2, 0), (2, 0, 0, 1), "valid", "same"]
    cases = []
    for i, (k, s, d) in enumerate(itertools.product(range(1, 8), range(1, 4), range(1, 4))):
        pad = forms[i % len(forms)]
        if pad == "same" and s != 1:
            pad = (1, 0, 0, 1)
        gkind = ("1", "2", "dw")[i % 3]
        cg = int(rng.integers(1, 12))
        groups = {"1": 1, "2": 2, "dw": 0}[gkind]
        if groups == 0:  # depthwise, channel multiplier 1 or 2
            groups = int(rng.integers(1, 9))
            c, cout = groups, groups * int(rng.integers(1, 3))
        else:
            c = cg * groups
            cout = groups * int(rng.integers(1, 10))
        ext = d * (k - 1) + 1
        pads = explicit_pads(pad, (k, k), (d, d))
        hmin = max(1, ext - pads[0] - pads[1])
        wmin = max(1, ext - pads[2] - pads[3])
        h = hmin + int(rng.integers(0, 8))
        w = wmin + int(rng.integers(0, 9))
        n = 1 + i % 3
        act = ACTIVATIONS[i % 4]
        cases.append((k, s, d, pad, groups, c, cout, h, w, n, act, i % 2 == 0))
    return cases


@pytest.mark.parametrize("k,s,d,pad,groups,c,cout,h,w,n,act,bias", sweep_cases())
def test_sweep(k, s, d, pad, groups, c, cout, h, w, n, act, bias, rng):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((cout, c // groups, k, k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32) if bias else None
    check(x, wt, b, stride=s, padding=pad, dilation=d, groups=groups, activation=act,
          pads=explicit_pads(pad, (k, k), (d, d)))


@pytest.mark.parametrize("c", list(range(1, 34)))
def test_channels(c, rng):
    """Every channel count 1..33, for 1x1 (gemm) and 3x3 (im2col) kernels."""
    cout = 1 + (c * 7) % 33
    x = rng.standard_normal((2, c, 5, 6)).astype(np.float32)
    for k, pad in ((1, 0), (3, 1)):
        wt = rng.standard_normal((cout, c, k, k)).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32)
        check(x, wt, b, padding=pad, pads=(pad,) * 4)


@pytest.mark.parametrize("hw", [(1, 1), (1, 7), (7, 1), (2, 2), (3, 3), (5, 4)])
def test_tiny_maps(hw, rng):
    """1x1 maps, single rows/columns, and kernel == input."""
    h, w = hw
    x = rng.standard_normal((2, 3, h, w)).astype(np.float32)
    wt = rng.standard_normal((5, 3, 1, 1)).astype(np.float32)
    check(x, wt, pads=(0,) * 4)
    wt = rng.standard_normal((4, 3, h, w)).astype(np.float32)  # kernel == input: 1x1 output
    check(x, wt, pads=(0,) * 4)
    wt = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    check(x, wt, padding=1, pads=(1,) * 4)


@pytest.mark.parametrize("algo", ["auto", "gemm", "im2col"])
@pytest.mark.parametrize("stride", [1, 2, 3, (1, 2)])
def test_conv1x1(algo, stride, rng):
    """1x1 convolutions on each path; strided 1x1 subsamples while packing."""
    for c, cout, h, w in ((3, 5, 7, 9), (16, 24, 8, 12), (17, 9, 11, 5), (8, 33, 1, 1)):
        x = rng.standard_normal((2, c, h, w)).astype(np.float32)
        wt = rng.standard_normal((cout, c, 1, 1)).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32)
        check(x, wt, b, stride=stride, activation="relu", algo=algo, pads=(0,) * 4)


@pytest.mark.parametrize("c,cout,groups", [(1152, 48, 1), (48, 1152, 1), (67, 13, 1), (5, 3, 1),
                                             (96, 40, 2), (4, 25, 1)])
def test_conv1x1_on_1x1_map(c, cout, groups, rng):
    """Squeeze-and-excitation shapes: N = 1 runs as GEMVs (every row remainder of
    the register tile, K remainders of the 4-k step, groups, batch 3, clamps)."""
    x = rng.standard_normal((3, c, 1, 1)).astype(np.float32)
    wt = (rng.standard_normal((cout, c // groups, 1, 1)) / np.sqrt(c // groups)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    for act in ACTIVATIONS:
        check(x, wt, b, groups=groups, activation=act, pads=(0,) * 4)
        check(x[0], wt, b, groups=groups, activation=act, pads=(0,) * 4)
    layer = armconv.Conv2d(wt, b, groups=groups, activation="relu6")
    ref = layer(x.copy(), out=np.empty((3, cout, 1, 1), np.float32))
    for n in (1, 2, 4):  # the same bits at every thread count
        with armconv.threads(n):
            np.testing.assert_array_equal(layer(x), ref)


def test_gemm_tile_edges(rng):
    """Output channels and pixels around every remainder of the register tile."""
    for cout in range(1, 26):
        n = 1 + (cout * 5) % 30
        x = rng.standard_normal((1, 6, 1, n)).astype(np.float32)
        wt = rng.standard_normal((cout, 6, 1, 1)).astype(np.float32)
        check(x, wt, pads=(0,) * 4)


def test_large_k_blocks(rng):
    """K larger than one K-block (accumulation across blocks) and N across N-blocks."""
    c = 600 if not UNDER_QEMU else 520
    x = rng.standard_normal((1, c, 6, 7)).astype(np.float32)
    wt = rng.standard_normal((10, c, 1, 1)).astype(np.float32)
    b = rng.standard_normal(10).astype(np.float32)
    check(x, wt, b, activation="relu6", pads=(0,) * 4)
    x = rng.standard_normal((1, 64, 3, 3)).astype(np.float32)
    wt = rng.standard_normal((9, 64, 3, 3)).astype(np.float32)  # K = 576
    check(x, wt, b[:9], padding=1, activation=(-1, 1), pads=(1,) * 4)
    x = rng.standard_normal((1, 3, 40, 41)).astype(np.float32)  # N = 1640 > one N-block for small K? 
    wt = rng.standard_normal((4, 3, 1, 1)).astype(np.float32)
    check(x, wt, pads=(0,) * 4)


def test_same_padding_asymmetric(rng):
    """'same' with an even kernel puts the extra row/column at the bottom/right."""
    x = rng.standard_normal((1, 2, 6, 5)).astype(np.float32)
    for k in (2, 4):
        wt = rng.standard_normal((3, 2, k, k)).astype(np.float32)
        y = check(x, wt, padding="same", pads=explicit_pads("same", (k, k), (1, 1)))
        assert y.shape == (1, 3, 6, 5)
    wt = rng.standard_normal((3, 2, 2, 3)).astype(np.float32)
    y = check(x, wt, padding="same", dilation=2, pads=explicit_pads("same", (2, 3), (2, 2)))
    assert y.shape == (1, 3, 6, 5)


def test_rank3_input(rng):
    x = rng.standard_normal((4, 6, 7)).astype(np.float32)
    wt = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    y = check(x, wt, padding=1, pads=(1,) * 4)
    assert y.ndim == 3


def test_rectangular_params(rng):
    x = rng.standard_normal((2, 4, 13, 11)).astype(np.float32)
    wt = rng.standard_normal((6, 2, 3, 5)).astype(np.float32)
    check(x, wt, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, pads=(1, 1, 2, 2))


def test_noncontiguous_fortran_misaligned(rng):
    x = rng.standard_normal((2, 3, 8, 9)).astype(np.float32)
    wt = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    ref = armconv.conv2d(x, wt, padding=1)
    # Fortran order
    assert np.array_equal(armconv.conv2d(np.asfortranarray(x), np.asfortranarray(wt), padding=1), ref)
    # strided view
    big = np.zeros((2, 6, 16, 9), np.float32)
    big[:, ::2, ::2] = x
    assert np.array_equal(armconv.conv2d(big[:, ::2, ::2], wt, padding=1), ref)
    # misaligned: float32 data at an odd byte offset
    raw = np.zeros(x.nbytes + 1, np.uint8)
    mis = raw[1:].view(np.float32).reshape(x.shape)
    mis[...] = x
    assert not mis.flags.aligned
    assert np.array_equal(armconv.conv2d(mis, wt, padding=1), ref)


def test_empty_batch(rng):
    wt = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    y = armconv.conv2d(np.zeros((0, 3, 8, 7), np.float32), wt, stride=2)
    assert y.shape == (0, 5, 3, 3) and y.dtype == np.float32


def test_nan_inf_propagate(rng):
    x = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    x[0, 1, 2, 3] = np.nan
    x[0, 2, 4, 4] = np.inf
    wt = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    for algo in ("im2col",):
        for act in (None, "relu", "relu6"):
            y = armconv.conv2d(x, wt, padding=1, activation=act, algo=algo)
            ref = conv2d_ref(x, wt, pads=(1,) * 4, act=act_range(act))
            assert np.array_equal(np.isnan(y), np.isnan(ref)), act
            fin = np.isfinite(ref)
            assert np.array_equal(np.isinf(y), np.isinf(ref))
            assert np.allclose(y[fin], ref[fin], rtol=1e-4, atol=1e-4)
    x1 = x[:, :, :1, :1].copy()
    x1[0, 0, 0, 0] = np.nan
    y = armconv.conv2d(x1, wt[:, :, :1, :1], algo="gemm")
    assert np.isnan(y).all()


def test_layer_reuse_and_threads(rng):
    """One packed layer, several map sizes and batches, from several threads at once."""
    wt = rng.standard_normal((12, 8, 3, 3)).astype(np.float32)
    b = rng.standard_normal(12).astype(np.float32)
    layer = armconv.Conv2d(wt, b, padding=1, activation="relu")
    inputs = [rng.standard_normal((n, 8, h, w)).astype(np.float32)
              for n, h, w in ((1, 5, 5), (2, 9, 14), (3, 1, 1), (1, 17, 6))]
    expect = [armconv.conv2d(x, wt, b, padding=1, activation="relu") for x in inputs]
    for x, e in zip(inputs, expect):
        assert np.array_equal(layer(x), e)
        ref = conv2d_ref(x, wt, b, pads=(1,) * 4, act=(0, np.inf))
        assert_close(layer(x), ref, conv2d_bound(x, wt, b, pads=(1,) * 4))
    errors = []

    def worker(t):
        try:
            for r in range(6):
                i = (t + r) % len(inputs)
                if not np.array_equal(layer(inputs[i]), expect[i]):
                    errors.append((t, r))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_layer_is_immutable_and_copies_weights(rng):
    wt = rng.standard_normal((3, 2, 1, 1)).astype(np.float32)
    x = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    layer = armconv.Conv2d(wt)
    y0 = layer(x)
    wt[...] = 0
    assert np.array_equal(layer(x), y0)
    with pytest.raises(AttributeError):
        layer.algo = "im2col"
    assert layer.algo == "gemm"
    assert armconv.Conv2d(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), stride=2).algo == "im2col"
    assert layer.workspace_bytes(4, 4) > 0


def test_auto_winograd_picks_by_map_size(rng):
    """An `auto` 3x3 stride-1 layer runs the algorithm the cost model finds
    cheapest on the map (src/core/conv2d.cpp; the measured counts behind it are
    in tests/cpp/test_planner.cpp), with the forced algorithm's exact bits."""
    wt = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    layer = armconv.Conv2d(wt, b, padding=1, activation="relu")
    assert layer.algo == "winograd63"  # large maps
    # 1x1: any tile wastes most of its outputs (aarch64: im2col; armv7, whose
    # 6x8 GEMM tile wastes 7 of 8 columns there: F(2,3), 12.2 k instructions
    # against 14.8 k); 7x7: F(4,3) computes 8x8, F(6,3) 12x12; 12x12 is two
    # 6x6 tiles a side.
    # 56 = 9 x 6 + 2: F(6,3) on 54x54 and F(2,3) on the 2-wide border (the
    # model's pick on aarch64 and armv7: 0.99 M instructions against F(6,3)'s
    # 1.00 M on cortex-a72; 1.32 M against 1.31 M on cortex-a15, within the
    # model's error).
    one = "winograd23" if platform.machine().startswith("arm") else "im2col"
    want = {1: one, 2: "winograd23", 7: "winograd43", 12: "winograd63", 56: "winograd63+23"}
    assert {s: layer.algo_for(s, s) for s in want} == want
    forced = {a: armconv.Conv2d(wt, b, padding=1, activation="relu", algo=a)
              for a in ("im2col", "winograd23", "winograd43", "winograd63")}
    for a, f in forced.items():
        assert f.algo == a and all(f.algo_for(s, s) == a for s in (1, 2, 7, 12))
    for s, algo in want.items():
        if s > 12:
            continue
        x = rng.standard_normal((2, 16, s, s)).astype(np.float32)
        assert np.array_equal(layer(x), forced[algo](x)), s
        assert layer.workspace_bytes(s, s) == forced[algo].workspace_bytes(s, s)


def test_auto_packs_on_first_use_from_many_threads(rng):
    """The first calls of an `auto` 3x3 layer on new map sizes pack the weights
    for the algorithm each map runs (once, under std::call_once), from several
    threads at once; every call gets the forced algorithm's exact result."""
    wt = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    layer = armconv.Conv2d(wt, b, padding=1)
    sizes = [1, 2, 7, 12, 1, 2, 7, 12]
    xs = [rng.standard_normal((1, 8, s, s)).astype(np.float32) for s in sizes]
    # Another layer names the algorithms: layer's own algo_for would pack.
    other = armconv.Conv2d(wt, b, padding=1)
    want = [armconv.Conv2d(wt, b, padding=1, algo=other.algo_for(s, s))(x) for s, x in zip(sizes, xs)]
    assert len({other.algo_for(s, s) for s in sizes}) >= 3
    got = [None] * len(sizes)
    start = threading.Barrier(len(sizes))

    def work(i):
        start.wait()
        got[i] = layer(xs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sizes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s, g, w in zip(sizes, got, want):
        assert g is not None and np.array_equal(g, w), s
