"""Winograd F(m x m, 3x3) for m = 2, 4, 6 (algo="winograd23", "winograd43",
"winograd63") against the float64 reference.

Error bound. The library computes, per m x m output tile (n = m + 2),
    y = A^T [ sum_c U_c (.) V_c ] A + b,   U_c = G g_c G^T,  V_c = B^T d_c B
with U_c computed in float64 and rounded once, V_c by two passes of at most
n float32 operations per output (every intermediate's coefficients are
bounded by the entries of |B^T|), the channel sum by the GEMM (Cin products;
the bias enters as the initial value of position (1, 1)), and the output
transform by two passes of at most n operations (coefficients bounded by
|A^T|). Standard forward error analysis (Higham, ch. 3: |fl(sum) - sum| <=
gamma_n sum |terms|, gamma_n ~ n u, u = 2^-24), carried through the four
stages, gives
    |y - y_exact| <= gamma_(Cin + 4n + 2) * ( |A^T| [ sum_c |G||g_c||G^T| (.) |B^T||d_c||B| ] |A| + |b| ).
The tests check it with a factor 2 of slack, (Cin + 4n + 8) * 2^-23 * mag_wino
(Cin + 40 for F(6,3), + 32 for F(4,3), + 24 for F(2,3)), elementwise.
mag_wino is larger than the direct-convolution magnitude |x| conv |w| (the
transforms' entries reach 21/4 and 32 for F(6,3), 5 and 8 for F(4,3)), which
is why Winograd is less exact than im2col (see README: error vs Cin); a wrong,
missing or duplicated term is still orders of magnitude above the bound.
"""
import numpy as np
import pytest

import armconv
from conftest import UNDER_QEMU
from guard import guarded
from reference import act_range, assert_close, conv2d_ref, out_size, pads4, wino_tiles_magnitude

# Transform matrices per output tile side m (src/core/winograd.h).
MATS = {
    2: (np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]),
        np.array([[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]]),
        np.array([[1, 1, 1, 0], [0, 1, -1, -1]])),
    4: (np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                  [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]),
        np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
                  [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]]),
        np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]])),
    6: (np.array([
        [1, 0, -21 / 4, 0, 21 / 4, 0, -1, 0],
        [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
        [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0],
        [0, 1 / 2, 1 / 4, -5 / 2, -5 / 4, 2, 1, 0],
        [0, -1 / 2, 1 / 4, 5 / 2, -5 / 4, -2, 1, 0],
        [0, 2, 4, -5 / 2, -5, 1 / 2, 1, 0],
        [0, -2, 4, 5 / 2, -5, -1 / 2, 1, 0],
        [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1]]),
        np.array([
            [1, 0, 0], [-2 / 9, -2 / 9, -2 / 9], [-2 / 9, 2 / 9, -2 / 9], [1 / 90, 1 / 45, 2 / 45],
            [1 / 90, -1 / 45, 2 / 45], [32 / 45, 16 / 45, 8 / 45], [32 / 45, -16 / 45, 8 / 45], [0, 0, 1]]),
        np.array([
            [1, 1, 1, 1, 1, 1, 1, 0],
            [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 0],
            [0, 1, 1, 4, 4, 1 / 4, 1 / 4, 0],
            [0, 1, -1, 8, -8, 1 / 8, -1 / 8, 0],
            [0, 1, 1, 16, 16, 1 / 16, 1 / 16, 0],
            [0, 1, -1, 32, -32, 1 / 32, -1 / 32, 1]])),
}
ALGO = {2: "winograd23", 4: "winograd43", 6: "winograd63"}
TILES = sorted(ALGO)

ACTIVATIONS = [None, "relu", "relu6", (-0.25, 0.5)]


def wino_magnitude(x, w, b, pads, m=6):
    """|A^T| [sum_c |G||g_c||G^T| (.) |B^T||d_c||B|] |A| + |b| per output (float64)."""
    BT, G, AT = MATS[m]
    n_ = m + 2
    x = np.abs(np.asarray(x, np.float64))
    w = np.abs(np.asarray(w, np.float64))
    n, c, h, wd = x.shape
    pt, pb, pl, pr = pads
    ho, wo = out_size(h, 3, 1, 1, pt, pb), out_size(wd, 3, 1, 1, pl, pr)
    ty, tx = -(-ho // m), -(-wo // m)
    xp = np.zeros((n, c, m * ty + 2, m * tx + 2))
    src = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))[:, :, :m * ty + 2, :m * tx + 2]
    xp[:, :, :src.shape[2], :src.shape[3]] = src
    win = np.lib.stride_tricks.sliding_window_view(xp, (n_, n_), axis=(2, 3))[:, :, ::m, ::m]
    y = wino_tiles_magnitude(win, w, BT, G, AT)[:, :, :ho, :wo]
    if b is not None:
        y = y + np.abs(np.asarray(b, np.float64))[None, :, None, None]
    return y


def wino_bound(x, w, b, pads, m=6):
    """gamma_(Cin + 4n + 2) with a factor 2 of slack: (Cin + 4n + 8) 2^-23 (n = m + 2)."""
    return (w.shape[1] + 4 * (m + 2) + 8) * 2.0 ** -23 * wino_magnitude(x, w, b, pads, m) + \
        np.finfo(np.float32).tiny


def check(x, w, b=None, padding=0, activation=None, layer=None, m=6, groups=1):
    pads = pads4(padding)
    if layer is None:
        y = armconv.conv2d(x, w, b, padding=padding, activation=activation, algo=ALGO[m], groups=groups)
    else:
        y = layer(x)
    x4 = x if x.ndim == 4 else x[None]
    ref = conv2d_ref(x4, w, b, pads=pads, act=act_range(activation), groups=groups, blas=True)
    if groups == 1:
        bound = wino_bound(x4, w, b, pads, m)
    else:  # each group is a convolution of its own
        cg, mg = x4.shape[1] // groups, w.shape[0] // groups
        bound = np.concatenate([wino_bound(x4[:, g * cg:(g + 1) * cg], w[g * mg:(g + 1) * mg],
                                           None if b is None else b[g * mg:(g + 1) * mg], pads, m)
                                for g in range(groups)], axis=1)
    if x.ndim == 3:
        ref, bound = ref[0], bound[0]
    assert_close(y, ref, bound, f"{ALGO[m]} x{x.shape} w{w.shape} g{groups} pad={padding} act={activation}")
    return y


def sweep_cases():
    """Per tile size: channels 1, 3, 4, 5, 17 (in and out), maps from smaller
    than one tile to several tiles, sizes not multiples of the tile, every
    padding form, batch 1-3, each activation, with and without bias."""
    pads = [0, 1, 2, (1, 2), (0, 1, 2, 0), (2, 0, 0, 1), (3, 1, 0, 2), "valid", "same"]
    chans = [1, 3, 4, 5, 17]
    sizes = [(1, 1), (2, 3), (3, 3), (5, 7), (6, 6), (7, 8), (8, 8), (11, 13), (12, 12), (13, 6),
             (14, 19), (20, 9)]
    cases = []
    for m in TILES:
        for i in range(36 if not UNDER_QEMU else 18):
            j = i + 7 * m  # a different mix per tile size
            pad = pads[j % len(pads)]
            pt, pb, pl, pr = pads4(pad)
            h, w = sizes[j % len(sizes)]
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


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("g,cg,mg,hw", [(2, 3, 5, 7), (4, 16, 16, 9), (3, 1, 9, 6), (10, 16, 16, 5)])
def test_groups(m, g, cg, mg, hw, rng):
    """Grouped layers: every group is its own Winograd convolution."""
    x = rng.standard_normal((2, g * cg, hw, hw + 1)).astype(np.float32)
    wt = rng.standard_normal((g * mg, cg, 3, 3)).astype(np.float32)
    b = rng.standard_normal(g * mg).astype(np.float32)
    check(x, wt, b, 1, "relu", m=m, groups=g)


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("cin", [64, 128, 256, 512])
def test_large_cin(m, cin, rng):
    """The bound holds for deep reductions (kept small in space: 1-4 tiles)."""
    hw = m if UNDER_QEMU else 2 * m
    x = rng.standard_normal((1, cin, hw, hw)).astype(np.float32)
    wt = (rng.standard_normal((8, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    y = check(x, wt, b, 1, m=m)
    # Relative to the output magnitude the error stays small (README table).
    ref = conv2d_ref(x, wt, b, pads=(1, 1, 1, 1), blas=True)
    rel = np.abs(y - ref).max() / np.sqrt(np.mean(ref ** 2))
    assert rel < 5e-4, rel


@pytest.mark.parametrize("m", TILES)
def test_many_blocks_and_strips(m, rng):
    """64 channels make blocks of several tiles; 200 columns make two or more
    strips of tiles (32 tile columns each)."""
    h, w = (7, 200) if not UNDER_QEMU else (7, 196)
    x = rng.standard_normal((1, 64, h, w)).astype(np.float32)
    wt = rng.standard_normal((20, 64, 3, 3)).astype(np.float32)
    check(x, wt, rng.standard_normal(20).astype(np.float32), 1, "relu", m=m)


@pytest.mark.parametrize("m", TILES)
def test_guarded(m, rng):
    """x, weight and bias end at an inaccessible page: over-reads crash."""
    for c, co, h, w in [(3, 5, 7, 9), (4, 4, 6, 6), (17, 3, 13, 1)]:
        x = guarded(rng.standard_normal((2, c, h, w)).astype(np.float32))
        wt = guarded(rng.standard_normal((co, c, 3, 3)).astype(np.float32))
        b = guarded(rng.standard_normal(co).astype(np.float32))
        check(x, wt, b, 1, m=m)
        check(x, wt, b, 0 if h >= 3 and w >= 3 else (1, 1, 1, 1), m=m)


@pytest.mark.parametrize("m", TILES)
def test_layer_reuse_and_3d_input(m, rng):
    wt = rng.standard_normal((6, 5, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    layer = armconv.Conv2d(wt, b, padding=1, activation="relu6", algo=ALGO[m])
    assert layer.algo == ALGO[m]
    for shape in [(5, 9, 9), (2, 5, 4, 17), (1, 5, 30, 7)]:
        x = rng.standard_normal(shape).astype(np.float32)
        check(x, wt, b, 1, "relu6", layer=layer, m=m)


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("cin,cout", [(133, 9), (6, 140), (130, 261)])
def test_channel_chunks(m, cin, cout, rng):
    """Many input channels accumulate over chunks of the reduction where V
    does not fit at once; many output channels run in chunks; both with tails
    (not multiples of 4 or 8)."""
    hw = (7, 8) if UNDER_QEMU else (13, 8)
    x = rng.standard_normal((2, cin) + hw).astype(np.float32)
    wt = (rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    check(x, wt, b, (1, 0, 0, 1), "relu", m=m)


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("c", [8, 32, 64, 128, 512])
def test_workspace_bounded(m, c):
    """The workspace of one thread does not grow with the map and stays within
    ~600 KB (V and M share 512 KB, plus the staging box) at any channel count."""
    wt = np.zeros((c, c, 3, 3), np.float32)
    layer = armconv.Conv2d(wt, padding=1, algo=ALGO[m])
    with armconv.threads(1):
        big = layer.workspace_bytes(600, 600)
        assert big == layer.workspace_bytes(3000, 3000) == layer.workspace_bytes(6000, 300)
    assert big <= 600 * 1024, big


@pytest.mark.parametrize("m", TILES)
def test_nan_propagates_to_its_tiles(m, rng):
    """F(4,3), F(6,3): a NaN input reaches every output of the tiles whose
    (m+2)x(m+2) patch holds it (each output of A^T [..] A reads transform
    positions that mix the whole patch), and no other tile. F(2,3): each
    output reads exactly its own 3x3 window (B^T and A^T are that sparse), so
    exactly the outputs direct convolution would make NaN."""
    x = rng.standard_normal((1, 4, 12, 12)).astype(np.float32)
    x[0, 1, 2, 2] = np.nan
    wt = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    y = armconv.conv2d(x, wt, padding=1, activation="relu", algo=ALGO[m])
    mask = np.zeros((12, 12), bool)
    if m == 2:
        mask[1:4, 1:4] = True  # outputs whose window (rows, columns o-1..o+1) holds 2
    else:
        # Tile t reads input rows m t - 1 .. m t + m (padding 1).
        hit = [t for t in range(12 // m) if m * t - 1 <= 2 <= m * t + m]
        for ty in hit:
            for tx in hit:
                mask[m * ty:m * ty + m, m * tx:m * tx + m] = True
    assert np.isnan(y[0][:, mask]).all()
    assert not np.isnan(y[0][:, ~mask]).any()


def test_auto_selection():
    """Which algorithm `auto` names (the one large maps get; per map size:
    tests/test_conv2d.py and tests/cpp/test_planner.cpp)."""
    w64 = np.zeros((64, 64, 3, 3), np.float32)
    assert armconv.Conv2d(w64, padding=1).algo == "winograd63"
    assert armconv.Conv2d(w64, padding=1).algo_for(7, 7) == "winograd43"
    assert armconv.Conv2d(w64, padding=1, stride=2).algo == "winograd43s2"  # (tests/test_winograd_s2.py)
    assert armconv.Conv2d(w64, padding=1, dilation=2).algo == "im2col"
    assert armconv.Conv2d(w64, padding=1, algo="im2col").algo == "im2col"


@pytest.mark.parametrize("algo", sorted(ALGO.values()))
@pytest.mark.parametrize("kw,why", [
    (dict(stride=2), "stride 1"),
    (dict(dilation=2), "dilation 1"),
])
def test_rejects(algo, kw, why):
    w = np.zeros((4, 4, 3, 3), np.float32)
    with pytest.raises(ValueError, match=why):
        armconv.Conv2d(w, algo=algo, **kw)
    with pytest.raises(ValueError, match="3x3"):
        armconv.Conv2d(np.zeros((4, 4, 5, 5), np.float32), algo=algo)


def test_cpu_info_names_the_kernels():
    info = armconv.cpu_info()
    gemm = info["kernels"]["winograd_gemm"]
    for key, m in (("winograd", 6), ("winograd43", 4), ("winograd23", 2)):
        name = info["kernels"][key]
        assert name in (f"winograd{m}3-generic-nc4", f"winograd{m}3-aarch64-nc4", f"winograd{m}3-armv7-nc4"), name
        if info["neon_kernels"]:
            assert "-generic-" not in name
    assert gemm in ("wino_gemm-generic-8x1", "wino_gemm-aarch64-8x8", "wino_gemm-armv7-8x4")
    if info["neon_kernels"]:
        assert "-generic-" not in gemm


# ---- mixed tilings ------------------------------------------------------------------
#
# algo="winograd63+23" (and "winograd63+43", "winograd43+23"; what `auto`
# runs where the cost model finds it cheaper, src/core/conv2d.cpp): F(core,3)
# tiles on rows [0, ch) x columns [0, cw), the largest part of the output map
# that is a multiple of the core tile, F(edge,3) tiles laid from the origin
# of the right border (rows [0, ch), columns [cw, wo)) and of the bottom one
# (rows [ch, ho), all columns); a map smaller than the core tile either way
# is all F(edge,3). Each output is then exactly as accurate as its tile size:
# the per-tile-size bound above, with the tiles laid from its region's origin.
MIXES = {"winograd63+23": (6, 2), "winograd63+43": (6, 4), "winograd43+23": (4, 2)}


def mixed_regions(name, ho, wo):
    """(m, y0, x0, h, w) of each region, as src/core/conv_winograd.cpp lays them."""
    core, edge = MIXES[name]
    ch, cw = ho // core * core, wo // core * core
    if ch == 0 or cw == 0:
        return [(edge, 0, 0, ho, wo)]
    regions = [(core, 0, 0, ch, cw)]
    if cw < wo:
        regions.append((edge, 0, cw, ch, wo - cw))
    if ch < ho:
        regions.append((edge, ch, 0, ho - ch, wo))
    return regions


def mixed_bound(x, w, b, pads, name):
    """wino_bound of each region's tile size over its window: the region's
    outputs are those of a 'valid' convolution of the padded input cropped to
    the window (+2 rows and columns), tiles laid from the crop's origin."""
    pt, pb, pl, pr = pads
    xp = np.pad(np.asarray(x, np.float64), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    ho, wo = xp.shape[2] - 2, xp.shape[3] - 2
    bound = np.full((x.shape[0], w.shape[0], ho, wo), np.nan)
    for m, y0, x0, h, wd in mixed_regions(name, ho, wo):
        crop = xp[:, :, y0:y0 + h + 2, x0:x0 + wd + 2]
        bound[:, :, y0:y0 + h, x0:x0 + wd] = wino_bound(crop, w, b, (0, 0, 0, 0), m)
    assert not np.isnan(bound).any()
    return bound


def check_mixed(x, w, b, padding, activation, name, groups=1, layer=None):
    pads = pads4(padding)
    if layer is None:
        layer = armconv.Conv2d(w, b, padding=padding, activation=activation, algo=name, groups=groups)
    y = layer(x)
    ref = conv2d_ref(x, w, b, pads=pads, act=act_range(activation), groups=groups, blas=True)
    cg, mg = x.shape[1] // groups, w.shape[0] // groups
    bound = np.concatenate([mixed_bound(x[:, g * cg:(g + 1) * cg], w[g * mg:(g + 1) * mg],
                                        None if b is None else b[g * mg:(g + 1) * mg], pads, name)
                            for g in range(groups)], axis=1)
    assert_close(y, ref, bound, f"{name} x{x.shape} w{w.shape} g{groups} pad={padding} act={activation}")
    return y


def mixed_cases():
    """Per mixed tiling: square maps 1..20, 28 and 56 (each map's core and
    border widths: none, one region, two, three), every padding form,
    channels not multiples of 4, batch 2, every activation, some grouped."""
    pads = [0, 1, 2, (1, 2), (0, 1, 2, 0), (2, 0, 0, 1), (3, 1, 0, 2), "valid", "same"]
    chans = [1, 3, 5, 6, 17]
    sizes = list(range(1, 21)) + [28, 56]
    cases = []
    for k, name in enumerate(MIXES):
        for i, s in enumerate(sizes):
            if UNDER_QEMU and s == 56 and k > 0:
                continue
            j = i + 5 * k
            pad = pads[j % len(pads)]
            pt, pb, pl, pr = pads4(pad)
            h, w = max(s, 3 - pt - pb), max(s + j % 3, 3 - pl - pr)
            c, co = chans[j % len(chans)], chans[(j // 2 + 1) % len(chans)]
            groups = 2 if j % 4 == 3 else 1
            cases.append((name, c * groups, co * groups, h, w, pad, ACTIVATIONS[j % 4], j % 2 == 0, groups))
    return cases


@pytest.mark.parametrize("name,c,co,h,w,pad,act,bias,groups", mixed_cases())
def test_mixed_sweep(name, c, co, h, w, pad, act, bias, groups, rng):
    x = rng.standard_normal((2, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((co, c // groups, 3, 3)).astype(np.float32)
    b = rng.standard_normal(co).astype(np.float32) if bias else None
    check_mixed(x, wt, b, pad, act, name, groups)


def test_mixed_regions_are_their_tile_sizes(rng):
    """Each region is computed by its own tile size (14x14, padding 1,
    winograd63+23: F(6,3) on rows and columns 0..11, F(2,3) on the rest). A
    NaN input at (2, 2) reaches exactly the F(6,3) tile (0, 0), whose 8x8
    patch (input rows and columns -1..6) holds it, and no border tile (they
    read rows or columns 11..14); one at (13, 5) reaches no F(6,3) tile (rows
    -1..12) and, in the bottom border's F(2,3) tiles, exactly the outputs
    whose 3x3 window holds it (test_nan_propagates_to_its_tiles)."""
    x = rng.standard_normal((1, 4, 14, 14)).astype(np.float32)
    x[0, 1, 2, 2] = np.nan
    x[0, 2, 13, 5] = np.nan
    wt = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    y = armconv.conv2d(x, wt, padding=1, algo="winograd63+23")
    mask = np.zeros((14, 14), bool)
    mask[0:6, 0:6] = True
    mask[12:14, 4:7] = True
    assert np.array_equal(np.isnan(y[0]).all(axis=0), mask)
    assert np.array_equal(np.isnan(y[0]).any(axis=0), mask)


@pytest.mark.parametrize("name", sorted(MIXES))
def test_mixed_threads_bit_identical(name, rng):
    """1, 2, 3 and 4 threads write the same bits (per-region plans for
    threads, some in stages) on maps big enough for a team."""
    for cin, cout, hw in [(64, 64, 14), (48, 40, 28)]:
        wt = (rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32)
        layer = armconv.Conv2d(wt, b, padding=1, activation="relu", algo=name)
        x = rng.standard_normal((2, cin, hw, hw)).astype(np.float32)
        with armconv.threads(1):
            one = layer(x)
        teams = set()
        for t in (2, 3, 4):
            with armconv.threads(t):
                teams.add(layer._impl._plan(2, hw, hw)["team"])
                assert np.array_equal(layer(x), one), (name, cin, hw, t)
        assert max(teams) > 1, teams
        check_mixed(x, wt, b, 1, "relu", name, layer=layer)


def test_auto_runs_mixed_tilings(rng):
    """`auto` runs a mixed tiling where the cost model finds it cheaper
    (tests/cpp/test_planner.cpp: which layers and why), with the forced
    tiling's exact bits; forcing a single tile size keeps it."""
    wt = (rng.standard_normal((64, 64, 3, 3)) / 24).astype(np.float32)
    b = rng.standard_normal(64).astype(np.float32)
    auto = armconv.Conv2d(wt, b, padding=1)
    runs = auto.algo_for(14, 14)
    assert runs in MIXES, runs
    x = rng.standard_normal((1, 64, 14, 14)).astype(np.float32)
    assert np.array_equal(auto(x), armconv.Conv2d(wt, b, padding=1, algo=runs)(x))
    for m, algo in ALGO.items():
        assert armconv.Conv2d(wt, b, padding=1, algo=algo).algo_for(14, 14) == algo
    assert auto.algo_for(12, 12) == "winograd63"  # a multiple of 6: one tile size
