"""Depthwise 3x3 and 5x5 convolution (algos "depthwise3x3", "depthwise5x5") and
any other depthwise shape (algo "depthwise") against a float64 reference.

Sweeps every width 1..11 (2x the NEON vector width + 3; 5x5: 1..13) and
height 1..9, both strides, every padding form, channels {1, 3, 4, 5, 17},
batch 1..3 and every activation, with inputs that end at a PROT_NONE page
(tests/guard.py) so that an over-read past the array dies. Wider planes
exercise the NEON kernels' strips (3x3: 16 columns, 5x5: 8 on aarch64) and
their tails. Other depthwise shapes (7x7, dilation 2, stride 3, unequal
strides) go to "depthwise" (a direct loop); a channel multiplier of 2 is not
depthwise in this sense and goes to im2col. Small maps with padding 1 at the
top and left (every size 1..20, channels 1..70: the whole-row kernels) are
swept in fp32 and in int8 (bit for bit, int8 and float32 output).
"""
import threading

import numpy as np
import pytest

import armconv
from conftest import EXPECT_CPU, UNDER_QEMU
from guard import guarded
from reference import EPS32, act_range, assert_close, conv2d_bound, conv2d_ref, out_size

ACTIVATIONS = [None, "relu", "relu6", (-0.25, 0.5)]
CHANNELS = [1, 3, 4, 5, 17]
# (padding argument, explicit (top, bottom, left, right)) per stride, 3x3.
PAD_FORMS = {
    1: [(0, (0, 0, 0, 0)), (1, (1, 1, 1, 1)), (2, (2, 2, 2, 2)), ((1, 2), (1, 1, 2, 2)),
        ((0, 1, 2, 0), (0, 1, 2, 0)), ((2, 0, 0, 1), (2, 0, 0, 1)), ("same", (1, 1, 1, 1)),
        ("valid", (0, 0, 0, 0))],
    2: [(0, (0, 0, 0, 0)), (1, (1, 1, 1, 1)), (2, (2, 2, 2, 2)), ((1, 2), (1, 1, 2, 2)),
        ((0, 1, 2, 0), (0, 1, 2, 0)), ((2, 0, 0, 1), (2, 0, 0, 1)), ((1, 0, 0, 1), (1, 0, 0, 1)),
        ((3, 1, 1, 3), (3, 1, 1, 3))],
}
# 5x5: "same" is padding 2; every side 0..4 somewhere.
PAD_FORMS_5 = {
    1: [(0, (0, 0, 0, 0)), (2, (2, 2, 2, 2)), (1, (1, 1, 1, 1)), (4, (4, 4, 4, 4)), ((2, 3), (2, 2, 3, 3)),
        ((0, 3, 4, 1), (0, 3, 4, 1)), ((4, 1, 0, 2), (4, 1, 0, 2)), ("same", (2, 2, 2, 2))],
    2: [(0, (0, 0, 0, 0)), (2, (2, 2, 2, 2)), (1, (1, 1, 1, 1)), (3, (3, 3, 3, 3)), ((1, 2, 2, 1), (1, 2, 2, 1)),
        ((0, 3, 4, 1), (0, 3, 4, 1)), ((4, 1, 0, 2), (4, 1, 0, 2)), ((2, 0, 3, 2), (2, 0, 3, 2))],
}
HEIGHTS = list(range(1, 10))
WIDTHS = {3: list(range(1, 12)), 5: list(range(1, 14))}
ALGO = {3: "depthwise3x3", 5: "depthwise5x5"}


def dw_ref(x, w, b, stride, pads, act=None):
    """float64 depthwise K x K (multiplier 1) and its error bound; one tap at a time."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)[:, 0]
    n, c, h, wd = x.shape
    k = w.shape[-1]
    pt, pb, pl, pr = pads
    ho = (h + pt + pb - k) // stride + 1
    wo = (wd + pl + pr - k) // stride + 1
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    y = np.zeros((n, c, ho, wo))
    mag = np.zeros_like(y)
    for ky in range(k):
        for kx in range(k):
            patch = xp[:, :, ky:ky + stride * (ho - 1) + 1:stride, kx:kx + stride * (wo - 1) + 1:stride]
            term = patch * w[None, :, ky, kx, None, None]
            y += term
            mag += np.abs(term)
    if b is not None:
        b = np.asarray(b, np.float64)[None, :, None, None]
        y += b
        mag += np.abs(b)
    if act is not None:
        lo, hi = act
        y = np.where(np.isnan(y), y, np.clip(y, lo, hi))
    return y, (k * k + 2) * EPS32 * mag + np.finfo(np.float32).tiny


def run_case(rng, n, c, h, w, stride, padding, pads, act, bias=True, algo="auto", k=3):
    x = guarded(rng.standard_normal((n, c, h, w)).astype(np.float32))
    wt = rng.standard_normal((c, 1, k, k)).astype(np.float32)
    b = rng.standard_normal(c).astype(np.float32) if bias else None
    layer = armconv.Conv2d(wt, b, stride=stride, padding=padding, groups=c, activation=act,
                           algo=algo)
    assert layer.algo == (ALGO[k] if c > 1 or algo != "auto" else layer.algo)
    y = layer(x)
    ref, bound = dw_ref(x, wt, b, stride, pads, act_range(act))
    assert_close(y, ref, bound, f"n={n} c={c} h={h} w={w} stride={stride} padding={padding} "
                                f"act={act} algo={algo} k={k}")


@pytest.mark.parametrize("form", range(8))
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("k", [3, 5])
def test_sweep(k, stride, form, rng):
    """Every height x width for one padding form; channels, batch, activation cycle."""
    padding, pads = (PAD_FORMS if k == 3 else PAD_FORMS_5)[stride][form]
    i = 0
    for h in HEIGHTS:
        for w in WIDTHS[k]:
            if h + pads[0] + pads[1] < k or w + pads[2] + pads[3] < k:
                continue  # no output
            i += 1
            run_case(rng, 1 + i % 3, CHANNELS[i % len(CHANNELS)], h, w, stride, padding, pads,
                     ACTIVATIONS[i % len(ACTIVATIONS)], bias=i % 5 != 0, k=k,
                     algo="auto" if i % 2 else ALGO[k])


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("pad", [0, 1, (0, 1, 2, 0), (2, 1, 1, 2)])
@pytest.mark.parametrize("k", [3, 5])
def test_wide_maps(k, stride, pad, rng):
    """Widths that give several strips plus every tail, and long row runs."""
    pads = (pad,) * 4 if isinstance(pad, int) else pad
    shapes = [(56, 56), (13, 64), (9, 67), (20, 33)] if not UNDER_QEMU else [(24, 56), (9, 35), (7, 66)]
    for j, (h, w) in enumerate(shapes):
        run_case(rng, 2, 3 + j, h, w, stride, pad, pads, ACTIVATIONS[j % 4], k=k)


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("pad", [0, 1, 2, (1, 0, 1, 0), (0, 1, 0, 1), (2, 1, 2, 1)])
@pytest.mark.parametrize("k", [3, 5])
def test_mobilenet_maps(k, stride, pad, rng):
    """MobileNet's small maps (28, 14, 7 and widths near them): the strip that
    ends at the row's end (overlapping the one before), the buffered strips
    of rows narrower than a strip, and the whole-row strips that run many
    channel planes per call (many channels, batch 2: runs that end at an
    image's last channel)."""
    pads = (pad,) * 4 if isinstance(pad, int) else pad
    shapes = [(28, 28), (14, 14), (7, 7), (5, 15), (6, 10), (3, 6), (1, 1), (2, 3)]
    for j, (h, w) in enumerate(shapes):
        if h + pads[0] + pads[1] < k or w + pads[2] + pads[3] < k:
            continue
        run_case(rng, 1 + j % 2, 4 + j, h, w, stride, pad, pads, ACTIVATIONS[j % 4], k=k)
    for h, w in ((14, 14), (7, 7)):
        run_case(rng, 2, 37, h, w, stride, pad, pads, ACTIVATIONS[(h + stride) % 4], k=k)


# Small maps with padding 1 at the top and left: the whole-row kernels
# (src/neon/dwconv3x3_rows.h: stride 1 up to 16 columns, on armv7 9..16 as two
# bands; stride 2 up to 16 columns; the int8 rows of
# src/neon/dwconv3x3_s8_rows.h). Channels 1..70 (runs of planes ending
# anywhere), batch 1 and 2, every activation, bottom/right padding 1 or 0.
SMALL_CHANNELS = [1, 2, 7, 16, 33, 70]


def _small_maps(stride, first=1):
    """Every width first..20 (stride 2: ..34) with a height that cycles 1..20,
    and every height 1..20 at MobileNet's widths 14 and 7."""
    top = 20 if stride == 1 else 34
    return ([(1 + (7 * w) % 20, w) for w in range(first, top + 1)]
            + [(h, w) for h in range(1, 21) for w in (14, 7)])


def _small_pad_forms(stride):
    return [1, (1, 1, 1, 1)] if stride == 1 else [1, (1, 0, 1, 0), (1, 1, 1, 0), (1, 0, 1, 1)]


@pytest.mark.parametrize("stride", [1, 2])
def test_small_same_maps(stride, rng):
    forms = _small_pad_forms(stride)
    for i, (h, w) in enumerate(_small_maps(stride)):
        pad = forms[i % len(forms)]
        pads = (pad,) * 4 if isinstance(pad, int) else pad
        if h + pads[0] + pads[1] < 3 or w + pads[2] + pads[3] < 3:
            continue
        run_case(rng, 1 + i % 2, SMALL_CHANNELS[i % len(SMALL_CHANNELS)], h, w, stride, pad, pads,
                 ACTIVATIONS[i % len(ACTIVATIONS)], bias=i % 7 != 3)


@pytest.mark.parametrize("stride", [1, 2])
def test_small_maps_int8(stride, rng):
    """int8 depthwise 3x3 (QConv2d) on the same small maps, int8 and float32
    output, bit for bit against the integer accumulators (numpy int64) and
    the layer's output rule (tests/test_int8.py checks the rule itself)."""
    from test_int8 import rand_s8, ref_requant

    forms = _small_pad_forms(stride)
    acts = [None, "relu6", (-0.7, 0.9)]
    for i, (h, w) in enumerate(_small_maps(stride)):
        pad = forms[i % len(forms)]
        pads = (pad,) * 4 if isinstance(pad, int) else pad
        if h + pads[0] + pads[1] < 3:
            continue
        n, c, act = 1 + i % 2, SMALL_CHANNELS[i % len(SMALL_CHANNELS)], acts[i % len(acts)]
        weight = (rng.standard_normal((c, 1, 3, 3)) * 0.3).astype(np.float32)
        bias = (rng.standard_normal(c) * 0.5).astype(np.float32)
        xq = rand_s8(rng, (n, c, h, w))
        xq.flat[::7] = -128
        for output_scale in (0.031, None):
            layer = armconv.QConv2d(weight, bias, 0.02, output_scale, stride=stride, padding=pads, groups=c,
                                    activation=act)
            assert layer.algo == ("depthwise3x3" if c > 1 else layer.algo)  # (one channel: a plain conv)
            acc = np.rint(conv2d_ref(xq.astype(np.float64), layer.weight_q.astype(np.float64), None,
                                     stride=(stride, stride), pads=pads, groups=c)).astype(np.int64)
            acc += layer.bias_q.astype(np.int64)[None, :, None, None]
            y = layer(guarded(xq))
            if output_scale is not None:
                want = ref_requant(acc, layer.requant_multiplier[None, :, None, None], layer.requant_shift,
                                   layer.qmin, layer.qmax)
            else:
                want = acc.astype(np.float32) * layer.dequant_scale[None, :, None, None]
                if act is not None:
                    lo, hi = (0.0, 6.0) if act == "relu6" else act
                    want = np.clip(want, np.float32(lo), np.float32(hi))
            what = f"n={n} c={c} h={h} w={w} stride={stride} pads={pads} act={act} out={output_scale}"
            assert y.shape == want.shape, what
            np.testing.assert_array_equal(y, want, err_msg=what)


def test_reference_agrees(rng):
    """The test's vectorised reference against tests/reference.py's general one."""
    x = rng.standard_normal((2, 5, 7, 6))
    wt = rng.standard_normal((5, 1, 3, 3))
    b = rng.standard_normal(5)
    for stride, pads in ((1, (1, 1, 1, 1)), (2, (2, 0, 1, 3))):
        ref, bound = dw_ref(x, wt, b, stride, pads, (-0.5, 0.5))
        kw = dict(stride=(stride, stride), pads=pads, groups=5)
        np.testing.assert_allclose(ref, conv2d_ref(x, wt, b, act=(-0.5, 0.5), **kw), rtol=1e-12)
        np.testing.assert_allclose(bound, conv2d_bound(x, wt, b, **kw), rtol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, 1), (2, 1), (1, 0), (2, (0, 1, 0, 1)), (1, "same"),
                                            (1, (3, 0, 2, 5))])
def test_auto_picks_depthwise(stride, padding, rng):
    wt = rng.standard_normal((6, 1, 3, 3)).astype(np.float32)
    layer = armconv.Conv2d(wt, None, stride=stride, padding=padding, groups=6)
    assert layer.algo == "depthwise3x3"
    x = rng.standard_normal((6, 9, 10)).astype(np.float32)  # rank 3
    y = layer(x)
    pads = layer.padding
    ref, bound = dw_ref(x[None], wt, None, stride, pads)
    assert_close(y, ref[0], bound[0], f"auto stride={stride} padding={padding}")


# Depthwise shapes the 3x3 kernels do not cover: auto routes them to the
# family that runs them (5x5 stride 1/2: depthwise5x5; other depthwise shapes:
# the "depthwise" direct loop; a channel multiplier of 2: not depthwise), correctly;
# forcing depthwise3x3 (or a family that cannot run the shape) says why not.
OTHER_DEPTHWISE = [
    dict(k=5, stride=1, padding=2, dilation=1, mult=1, algo="depthwise5x5"),
    dict(k=3, stride=1, padding=2, dilation=2, mult=1, algo="depthwise"),
    dict(k=3, stride=1, padding=1, dilation=1, mult=2, algo="im2col"),  # (or Winograd: see below)
    dict(k=3, stride=3, padding=1, dilation=1, mult=1, algo="depthwise"),
    dict(k=3, stride=(1, 2), padding=1, dilation=1, mult=1, algo="depthwise"),
    dict(k=5, stride=2, padding=2, dilation=1, mult=1, algo="depthwise5x5"),
    dict(k=7, stride=1, padding=3, dilation=1, mult=1, algo="depthwise"),
    dict(k=7, stride=2, padding=3, dilation=1, mult=1, algo="depthwise"),
    dict(k=5, stride=1, padding=4, dilation=2, mult=1, algo="depthwise"),
    dict(k=5, stride=3, padding=1, dilation=1, mult=1, algo="depthwise"),
]


@pytest.mark.parametrize("case", OTHER_DEPTHWISE, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_other_depthwise_shapes(case, rng):
    c, k, m = 4, case["k"], case["mult"]
    s = case["stride"] if isinstance(case["stride"], tuple) else (case["stride"],) * 2
    d = (case["dilation"],) * 2
    p = case["padding"]
    kw = dict(stride=case["stride"], padding=p, dilation=case["dilation"], groups=c)
    wt = rng.standard_normal((c * m, 1, k, k)).astype(np.float32)
    b = rng.standard_normal(c * m).astype(np.float32)
    layer = armconv.Conv2d(wt, b, activation="relu", **kw)
    if m == 1:
        assert layer.algo == case["algo"]
    else:  # not depthwise in this sense: a GEMM family or Winograd (any groups)
        assert not layer.algo.startswith("depthwise")
    forced = armconv.Conv2d(wt, b, activation="relu", algo=case["algo"], **kw)
    for h, w in ((11, 9), (1, 1), (7, 7), (14, 14), (3, 20)):
        x = guarded(rng.standard_normal((2, c, h, w)).astype(np.float32))
        if out_size(h, k, s[0], d[0], p, p) < 1 or out_size(w, k, s[1], d[1], p, p) < 1:
            continue
        ref_kw = dict(stride=s, pads=(p,) * 4, dilation=d, groups=c)
        want = conv2d_ref(x, wt, b, act=act_range("relu"), **ref_kw)
        bound = conv2d_bound(x, wt, b, **ref_kw)
        assert_close(layer(x), want, bound, f"{case} {h}x{w}")
        assert_close(forced(x), want, bound, f"{case} {h}x{w} forced")
    with pytest.raises(ValueError, match="depthwise3x3"):
        armconv.Conv2d(wt, b, algo="depthwise3x3", **kw)
    if k != 5 or s != (s[0], s[0]) or d != (1, 1):
        with pytest.raises(ValueError, match="algo 'depthwise5x5' cannot run"):
            armconv.Conv2d(wt, b, algo="depthwise5x5", **kw)
    if m != 1:
        with pytest.raises(ValueError, match="algo 'depthwise' cannot run"):
            armconv.Conv2d(wt, b, algo="depthwise", **kw)


def test_depthwise_any_shape_sweep(rng):
    """The "depthwise" loop over kernel sizes 1..7 (square or not), strides 1..3
    (unequal too), dilations 1..3 and paddings on every side; maps 1..13."""
    shapes = [((1, 1), (1, 1), (1, 1)), ((2, 2), (1, 1), (1, 1)), ((1, 5), (1, 1), (1, 1)),
              ((5, 1), (2, 1), (1, 1)), ((4, 3), (3, 1), (1, 2)), ((3, 5), (2, 1), (2, 1)),
              ((7, 7), (1, 1), (1, 1)), ((7, 7), (2, 2), (1, 1)), ((3, 3), (1, 1), (3, 3)),
              ((6, 6), (2, 2), (1, 1))]
    pad_sets = [(0, 0, 0, 0), (1, 2, 3, 0), (3, 3, 3, 3), (0, 4, 1, 2)]
    i = 0
    for (kh, kw_), s, d in shapes:
        for pads in pad_sets:
            for h, w in ((1, 1), (2, 5), (7, 7), (9, 4), (13, 11)):
                i += 1
                if (out_size(h, kh, s[0], d[0], pads[0], pads[1]) < 1
                        or out_size(w, kw_, s[1], d[1], pads[2], pads[3]) < 1):
                    continue
                c = CHANNELS[i % len(CHANNELS)] + 1
                ref_kw = dict(stride=s, pads=pads, dilation=d, groups=c)
                wt = rng.standard_normal((c, 1, kh, kw_)).astype(np.float32)
                b = rng.standard_normal(c).astype(np.float32)
                x = guarded(rng.standard_normal((1 + i % 2, c, h, w)).astype(np.float32))
                act = ACTIVATIONS[i % len(ACTIVATIONS)]
                want = conv2d_ref(x, wt, b, act=act_range(act), **ref_kw)
                y = armconv.conv2d(x, wt, b, stride=s, padding=pads, dilation=d, groups=c,
                                   activation=act, algo="depthwise")
                assert_close(y, want, conv2d_bound(x, wt, b, **ref_kw),
                             f"k={kh}x{kw_} s={s} d={d} pads={pads} {h}x{w}")


def test_nan_inf_propagate(rng):
    x = rng.standard_normal((1, 3, 8, 9)).astype(np.float32)
    x[0, 0, 3, 4] = np.nan
    x[0, 1, 0, 0] = np.inf
    wt = np.abs(rng.standard_normal((3, 1, 3, 3))).astype(np.float32) + 0.1
    for stride in (1, 2):
        for act in (None, "relu", "relu6"):
            y = armconv.conv2d(x, wt, stride=stride, padding=1, groups=3, activation=act,
                               algo="depthwise3x3")
            ref, _ = dw_ref(x, wt, None, stride, (1, 1, 1, 1), act_range(act))
            np.testing.assert_array_equal(np.isnan(y), np.isnan(ref))
            np.testing.assert_array_equal(np.isinf(y), np.isinf(ref))


def test_threads_share_a_layer(rng):
    """run() is const: several threads on one layer give the single-thread result."""
    wt = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
    layer = armconv.Conv2d(wt, None, stride=1, padding=1, groups=8, activation="relu6")
    xs = [rng.standard_normal((2, 8, 17, 23)).astype(np.float32) for _ in range(4)]
    want = [layer(x) for x in xs]
    got = [None] * 4

    def work(i):
        for _ in range(3):
            got[i] = layer(xs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_cpu_info_names_the_kernel():
    kern = armconv.cpu_info()["kernels"]
    name, name5 = kern["depthwise3x3"], kern["depthwise5x5"]
    name_any = kern["depthwise"]  # any other depthwise shape
    if EXPECT_CPU in ("cortex-a72", "cortex-a76"):
        assert (name, name5, name_any) == ("dwconv3x3-aarch64-1x16", "dwconv5x5-aarch64-1x8", "dwconv-aarch64-1x32")
    elif EXPECT_CPU == "cortex-a15":
        assert (name, name5, name_any) == ("dwconv3x3-armv7-1x8", "dwconv5x5-armv7-1x4", "dwconv-armv7-1x16")
    else:
        assert name in ("dwconv3x3-generic-1x1", "dwconv3x3-aarch64-1x16", "dwconv3x3-armv7-1x8")
        assert name5 in ("dwconv5x5-generic-1x1", "dwconv5x5-aarch64-1x8", "dwconv5x5-armv7-1x4")
        assert name_any in ("dwconv-generic-1x1", "dwconv-aarch64-1x32", "dwconv-armv7-1x16")
