"""Stride-2 Winograd F(m x m, 3x3), m = 2, 4 (algo="winograd23s2",
"winograd43s2", "winograd43s2+23s2") against the float64 reference.

The algorithm (src/core/winograd.h, stride-2 section): in 1-D a tile of m
outputs y_i = w0 x_2i + w1 x_2i+1 + w2 x_2i+2 reads x_0 .. x_2m; the even
samples meet (w0, w2), F(m,2), the odd ones w1 alone. As matrices acting on
the natural-order patch of n = 2m + 1: B'^T (n x n), G' (n x 3),
A'^T (m x n), and in 2-D
    Y = A'^T [ sum_c (G' g_c G'^T) (.) (B'^T d_c B') ] A' + b.
The matrices are built here from F(m,2)'s (independently of the C++ tables)
and test_exact checks in float64 that they compute the stride-2
correlation exactly.

Error bound: the analysis of tests/test_winograd.py with n = 2m + 1 (two
transform passes of at most n operations each way, the Cin-term GEMM, U
rounded once): (Cin + 4n + 8) 2^-23 * (|A'^T| [sum_c |G'||g_c||G'^T| (.)
|B'^T||d_c||B'|] |A'| + |b|), elementwise (Cin + 28 for m = 2, + 44 for
m = 4).
"""
from fractions import Fraction

import numpy as np
import pytest

import armconv
from conftest import UNDER_QEMU
from guard import guarded
from reference import act_range, assert_close, conv2d_ref, out_size, pads4, wino_tiles_magnitude

# F(m,2) (correlation with 2 taps) on {0, 1, inf} and {0, 1, -1, 2, inf}.
F2 = {
    2: (np.array([[1, -1, 0], [0, 1, 0], [0, -1, 1]]),
        np.array([[1, 0], [1, 1], [0, 1]]),
        np.array([[1, 1, 0], [0, 1, 1]])),
    4: (np.array([[2, -1, -2, 1, 0], [0, 2, 1, -1, 0], [0, 2, -3, 1, 0], [0, -1, 0, 1, 0], [0, 2, -1, -2, 1]]),
        np.array([[1 / 2, 0], [1 / 2, 1 / 2], [-1 / 6, 1 / 6], [1 / 6, 1 / 3], [0, 1]]),
        np.array([[1, 1, 1, 1, 0], [0, 1, -1, 2, 0], [0, 1, 1, 4, 0], [0, 1, -1, 8, 1]])),
}


def s2_matrices(m):
    """B'^T, G', A'^T of the stride-2 tile of side m (natural-order patch)."""
    bt, g, at = F2[m]
    n = 2 * m + 1
    BT, G, AT = np.zeros((n, n)), np.zeros((n, 3)), np.zeros((m, n))
    BT[:m + 1, 0::2] = bt  # F(m,2)'s B^T on the even samples
    G[:m + 1, 0], G[:m + 1, 2] = g[:, 0], g[:, 1]  # on (w0, w2)
    AT[:, :m + 1] = at
    for i in range(m):  # the odd samples times w1, added to output i
        BT[m + 1 + i, 2 * i + 1] = 1
        G[m + 1 + i, 1] = 1
        AT[i, m + 1 + i] = 1
    return BT, G, AT


MATS = {m: s2_matrices(m) for m in F2}
ALGO = {2: "winograd23s2", 4: "winograd43s2"}
TILES = sorted(ALGO)
MIX = "winograd43s2+23s2"
ACTIVATIONS = [None, "relu", "relu6", (-0.25, 0.5)]


@pytest.mark.parametrize("m", TILES)
def test_exact(m, rng):
    """float64: A'^T [(G' g G'^T) (.) (B'^T d B')] A' is the stride-2
    correlation of the (2m+1)^2 patch d with g (to rounding of float64), in
    1-D and 2-D; column 1 of A'^T (the point 1, where the bias rides) is all
    ones."""
    BT, G, AT = MATS[m]
    n = 2 * m + 1
    assert (AT[:, 1] == 1).all()
    for _ in range(20):
        d1, g1 = rng.standard_normal(n), rng.standard_normal(3)
        ref1 = np.array([g1 @ d1[2 * i:2 * i + 3] for i in range(m)])
        np.testing.assert_allclose(AT @ ((G @ g1) * (BT @ d1)), ref1, rtol=0, atol=1e-12)
        d, g = rng.standard_normal((n, n)), rng.standard_normal((3, 3))
        ref = np.array([[np.sum(g * d[2 * i:2 * i + 3, 2 * j:2 * j + 3]) for j in range(m)] for i in range(m)])
        y = AT @ ((G @ g @ G.T) * (BT @ d @ BT.T)) @ AT.T
        np.testing.assert_allclose(y, ref, rtol=0, atol=1e-12)
    # In rational arithmetic: exactly.
    BT, G, AT = (np.vectorize(lambda v: Fraction(v).limit_denominator(64))(a).astype(object) for a in MATS[m])
    d = np.vectorize(Fraction)(rng.integers(-50, 50, (n, n))).astype(object)
    g = np.vectorize(Fraction)(rng.integers(-50, 50, (3, 3))).astype(object)
    ref = np.array([[np.sum(g * d[2 * i:2 * i + 3, 2 * j:2 * j + 3]) for j in range(m)] for i in range(m)])
    assert (AT.dot((G.dot(g).dot(G.T)) * (BT.dot(d).dot(BT.T))).dot(AT.T) == ref).all()


def wino_magnitude(x, w, b, pads, m, region=None):
    """|A'^T| [sum_c |G'||g_c||G'^T| (.) |B'^T||d_c||B'|] |A'| + |b| per output
    (float64) of tiles laid from the region's origin (y0, x0, h, w) of the
    output map (None: the whole map); NaN outside the region."""
    BT, G, AT = (np.abs(a) for a in MATS[m])
    n_ = 2 * m + 1
    x = np.abs(np.asarray(x, np.float64))
    w = np.abs(np.asarray(w, np.float64))
    n, c, h, wd = x.shape
    pt, pb, pl, pr = pads
    ho, wo = out_size(h, 3, 2, 1, pt, pb), out_size(wd, 3, 2, 1, pl, pr)
    y0, x0, rh, rw = region if region else (0, 0, ho, wo)
    ty, tx = -(-rh // m), -(-rw // m)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb + 2 * m * ty + 2), (pl, pr + 2 * m * tx + 2)))
    xp = xp[:, :, 2 * y0:2 * y0 + 2 * m * ty + 1, 2 * x0:2 * x0 + 2 * m * tx + 1]
    win = np.lib.stride_tricks.sliding_window_view(xp, (n_, n_), axis=(2, 3))[:, :, ::2 * m, ::2 * m]
    yr = wino_tiles_magnitude(win, w, BT, G, AT)[:, :, :rh, :rw]
    y = np.full((n, w.shape[0], ho, wo), np.nan)
    y[:, :, y0:y0 + rh, x0:x0 + rw] = yr
    if b is not None:
        y = y + np.abs(np.asarray(b, np.float64))[None, :, None, None]
    return y


def mix_regions(ho, wo):
    """winograd43s2+23s2's regions (m, y0, x0, h, w): F(4,3)s2 on the largest
    multiple of 4, F(2,3)s2 on the right and bottom borders."""
    ch, cw = ho // 4 * 4, wo // 4 * 4
    if ch == 0 or cw == 0:
        return [(2, 0, 0, ho, wo)]
    r = [(4, 0, 0, ch, cw)]
    if cw < wo:
        r.append((2, 0, cw, ch, wo - cw))
    if ch < ho:
        r.append((2, ch, 0, ho - ch, wo))
    return r


def wino_bound(x, w, b, pads, m):
    """(Cin + 4n + 8) 2^-23 * magnitude, n = 2m + 1; m = "mix": per region."""
    ho = out_size(x.shape[2], 3, 2, 1, pads[0], pads[1])
    wo = out_size(x.shape[3], 3, 2, 1, pads[2], pads[3])
    regions = mix_regions(ho, wo) if m == "mix" else [(m, 0, 0, ho, wo)]
    bound = np.full((x.shape[0], w.shape[0], ho, wo), np.nan)
    for (mr, y0, x0, h, wd) in regions:
        mag = wino_magnitude(x, w, b, pads, mr, (y0, x0, h, wd))
        part = (w.shape[1] + 4 * (2 * mr + 1) + 8) * 2.0 ** -23 * mag
        bound[:, :, y0:y0 + h, x0:x0 + wd] = part[:, :, y0:y0 + h, x0:x0 + wd]
    assert not np.isnan(bound).any()
    return bound + np.finfo(np.float32).tiny


def check(x, w, b=None, padding=0, activation=None, layer=None, m=4, groups=1):
    algo = MIX if m == "mix" else ALGO[m]
    if layer is None:
        y = armconv.conv2d(x, w, b, stride=2, padding=padding, activation=activation, algo=algo, groups=groups)
    else:
        y = layer(x)
    x4 = x if x.ndim == 4 else x[None]
    pads = pads4(padding)
    ref = conv2d_ref(x4, w, b, stride=(2, 2), pads=pads, act=act_range(activation), groups=groups, blas=True)
    cg, mg = x4.shape[1] // groups, w.shape[0] // groups
    bound = np.concatenate([wino_bound(x4[:, g * cg:(g + 1) * cg], w[g * mg:(g + 1) * mg],
                                       None if b is None else b[g * mg:(g + 1) * mg], pads, m)
                            for g in range(groups)], axis=1)
    if x.ndim == 3:
        ref, bound = ref[0], bound[0]
    assert_close(y, ref, bound, f"{algo} x{x.shape} w{w.shape} g{groups} pad={padding} act={activation}")
    return y


def sweep_cases():
    """Per tile (and the mixed tiling): channels 1, 3, 4, 5, 17, input maps
    from 1x1 to several tiles, odd and even, every padding form, batch 1-3,
    each activation, with and without bias."""
    pads = [0, 1, 2, (1, 2), (0, 1, 2, 0), (2, 0, 0, 1), (3, 1, 0, 2), "valid", (1, 0, 1, 0)]
    chans = [1, 3, 4, 5, 17]
    sizes = [(1, 1), (2, 3), (3, 3), (5, 7), (6, 6), (7, 8), (9, 9), (11, 13), (12, 12), (13, 6),
             (14, 19), (17, 16), (20, 9), (29, 29), (28, 31)]
    cases = []
    for k, m in enumerate(TILES + ["mix"]):
        for i in range(40 if not UNDER_QEMU else 20):
            j = i + 7 * k
            pad = pads[j % len(pads)]
            h, w = sizes[j % len(sizes)]
            pt, pb, pl, pr = pads4(pad)
            h, w = max(h, 3 - pt - pb), max(w, 3 - pl - pr)  # output at least 1x1
            c = chans[j % len(chans)]
            co = chans[(j // len(chans) + j) % len(chans)]
            n = 1 + j % 3
            cases.append((m, n, c, co, h, w, pad, ACTIVATIONS[j % 4], j % 2 == 0))
    return cases


@pytest.mark.parametrize("m,n,c,co,h,w,pad,act,bias", sweep_cases())
def test_sweep(m, n, c, co, h, w, pad, act, bias, rng):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((co, c, 3, 3)).astype(np.float32)
    b = rng.standard_normal(co).astype(np.float32) if bias else None
    check(x, wt, b, pad, act, m=m)


@pytest.mark.parametrize("m", TILES + ["mix"])
@pytest.mark.parametrize("g,cg,mg,hw", [(2, 3, 5, 7), (4, 16, 16, 9), (3, 1, 9, 12), (10, 16, 16, 15)])
def test_groups(m, g, cg, mg, hw, rng):
    """Grouped layers: every group is its own Winograd convolution."""
    x = rng.standard_normal((2, g * cg, hw, hw + 1)).astype(np.float32)
    wt = rng.standard_normal((g * mg, cg, 3, 3)).astype(np.float32)
    b = rng.standard_normal(g * mg).astype(np.float32)
    check(x, wt, b, 1, "relu", m=m, groups=g)


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("cin", [64, 128, 256, 512])
def test_large_cin(m, cin, rng):
    """The bound holds for deep reductions (1-4 tiles in space), and relative
    to the output's RMS the error stays small (README table)."""
    hw = 2 * m + 1 if UNDER_QEMU else 4 * m
    x = rng.standard_normal((1, cin, hw, hw)).astype(np.float32)
    wt = (rng.standard_normal((8, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    y = check(x, wt, b, 1, m=m)
    ref = conv2d_ref(x, wt, b, stride=(2, 2), pads=(1, 1, 1, 1), blas=True)
    rel = np.abs(y - ref).max() / np.sqrt(np.mean(ref ** 2))
    assert rel < 2e-4, rel


@pytest.mark.parametrize("m", TILES)
def test_many_blocks_and_strips(m, rng):
    """64 channels make blocks of several tiles; 400 input columns (200
    output) make two or more strips of tiles (32 tile columns each)."""
    h, w = (13, 400) if not UNDER_QEMU else (9, 392)
    x = rng.standard_normal((1, 64, h, w)).astype(np.float32)
    wt = rng.standard_normal((20, 64, 3, 3)).astype(np.float32)
    check(x, wt, rng.standard_normal(20).astype(np.float32), 1, "relu", m=m)


@pytest.mark.parametrize("m", TILES + ["mix"])
def test_guarded(m, rng):
    """x, weight and bias end at an inaccessible page: over-reads crash."""
    for c, co, h, w in [(3, 5, 7, 9), (4, 4, 6, 6), (17, 3, 13, 1), (5, 8, 16, 16)]:
        x = guarded(rng.standard_normal((2, c, h, w)).astype(np.float32))
        wt = guarded(rng.standard_normal((co, c, 3, 3)).astype(np.float32))
        b = guarded(rng.standard_normal(co).astype(np.float32))
        check(x, wt, b, 1, m=m)
        check(x, wt, b, 0 if h >= 3 and w >= 3 else (1, 1, 1, 1), m=m)


@pytest.mark.parametrize("m", TILES)
def test_layer_reuse_and_3d_input(m, rng):
    wt = rng.standard_normal((6, 5, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    layer = armconv.Conv2d(wt, b, stride=2, padding=1, activation="relu6", algo=ALGO[m])
    assert layer.algo == ALGO[m]
    for shape in [(5, 9, 9), (2, 5, 4, 17), (1, 5, 30, 7)]:
        x = rng.standard_normal(shape).astype(np.float32)
        check(x, wt, b, 1, "relu6", layer=layer, m=m)


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("cin,cout", [(133, 9), (6, 140), (130, 261)])
def test_channel_chunks(m, cin, cout, rng):
    """Many input channels accumulate over chunks of the reduction; many
    output channels run in chunks; both with tails."""
    hw = (13, 15) if UNDER_QEMU else (25, 15)
    x = rng.standard_normal((2, cin) + hw).astype(np.float32)
    wt = (rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    check(x, wt, b, (1, 0, 0, 1), "relu", m=m)


@pytest.mark.parametrize("algo", sorted(ALGO.values()) + [MIX])
def test_threads_bit_identical(algo, rng):
    """1, 2, 3 and 4 threads write the same bits (plans for threads: smaller
    tile blocks and chunks on large maps, stages on small ones)."""
    for cin, cout, hw in [(64, 64, 28), (48, 40, 56), (32, 72, 13)]:
        wt = (rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32)
        layer = armconv.Conv2d(wt, b, stride=2, padding=1, activation="relu", algo=algo)
        x = rng.standard_normal((2, cin, hw, hw)).astype(np.float32)
        with armconv.threads(1):
            one = layer(x)
        teams = set()
        for t in (2, 3, 4):
            with armconv.threads(t):
                teams.add(layer._impl._plan(2, hw, hw)["team"])
                assert np.array_equal(layer(x), one), (algo, cin, hw, t)
        assert max(teams) > 1, teams
        check(x, wt, b, 1, "relu", layer=layer, m="mix" if algo == MIX else int(algo[8]))


@pytest.mark.parametrize("m", TILES)
def test_nan_propagates_to_its_tiles(m, rng):
    """A NaN input reaches the outputs of the tiles whose (2m+1)^2 patch
    holds it at a position whose transform mixes it in: F(2,3)s2's B'^T and
    A'^T are as sparse as direct convolution (each output reads its own 3x3
    window: exactly the outputs direct convolution makes NaN); F(4,3)s2's even
    rows/columns spread over the tile, an odd one (w1's) only to its output
    row/column."""
    x = rng.standard_normal((1, 4, 24, 24)).astype(np.float32)
    wt = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    for r in (4, 5):  # padded row/column r + 1: even at r = 5, odd at r = 4
        xx = x.copy()
        xx[0, 1, r, r] = np.nan
        y = armconv.conv2d(xx, wt, stride=2, padding=1, algo=ALGO[m])
        nan = np.isnan(y[0]).all(axis=0)
        assert np.array_equal(nan, np.isnan(y[0]).any(axis=0))
        q = r + 1  # in the padded image
        direct = np.zeros((12, 12), bool)
        for o in range(12):
            for p in range(12):
                direct[o, p] = 2 * o <= q <= 2 * o + 2 and 2 * p <= q <= 2 * p + 2
        if m == 2 or q % 2 == 1:
            assert np.array_equal(nan, direct), (m, r)
        else:
            assert (nan >= direct).all() and nan.sum() > direct.sum(), (m, r)


def test_auto_selection(rng):
    """What `auto` runs on ResNet-18's stride-2 layers (the counts and reasons:
    tests/cpp/test_planner.cpp), with the forced algorithm's bits; 3 input
    channels (a stem) stay im2col; fp16 layers keep fp16 im2col where it runs."""
    for cin, cout, hw, want in [(64, 128, 56, "winograd43s2"), (128, 256, 28, "winograd43s2+23s2"),
                                (256, 512, 14, "winograd43s2")]:
        wt = (rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32)
        auto = armconv.Conv2d(wt, b, stride=2, padding=1, activation="relu")
        assert auto.algo_for(hw, hw) == want, (cin, hw, auto.algo_for(hw, hw))
        if cin == 64 or not UNDER_QEMU:
            x = rng.standard_normal((1, cin, hw, hw)).astype(np.float32)
            forced = armconv.Conv2d(wt, b, stride=2, padding=1, activation="relu", algo=want)
            assert np.array_equal(auto(x), forced(x))
    stem = armconv.Conv2d(np.zeros((32, 3, 3, 3), np.float32), stride=2, padding=1)
    assert stem.algo == "im2col" and stem.algo_for(224, 224) == "im2col"
    half = armconv.Conv2d(np.zeros((64, 64, 3, 3), np.float32), stride=2, padding=1, precision="fp16")
    if half.precision == "fp16":
        assert half.algo == "im2col"


def test_rejects():
    w = np.zeros((4, 4, 3, 3), np.float32)
    for algo in sorted(ALGO.values()) + [MIX]:
        for kw, why in ((dict(stride=1), "stride 2"), (dict(stride=(2, 1)), "stride 2"),
                        (dict(stride=2, dilation=2), "dilation 1")):
            with pytest.raises(ValueError, match=why):
                armconv.Conv2d(w, algo=algo, **kw)
        with pytest.raises(ValueError, match="3x3"):
            armconv.Conv2d(np.zeros((4, 4, 5, 5), np.float32), stride=2, algo=algo)


def test_cpu_info_names_the_kernels():
    info = armconv.cpu_info()
    for key, m in (("winograd43s2", 4), ("winograd23s2", 2)):
        name = info["kernels"][key]
        assert name in (f"winograd{m}3s2-generic-nc4", f"winograd{m}3s2-aarch64-nc4",
                        f"winograd{m}3s2-armv7-nc4"), name
        if info["neon_kernels"]:
            assert "-generic-" not in name
