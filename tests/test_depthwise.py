"""Depthwise 3x3 convolution (algo "depthwise3x3") against a float64 reference.

Sweeps every width 1..11 (2x the NEON vector width + 3) and height 1..9, both
strides, every padding form, channels {1, 3, 4, 5, 17}, batch 1..3 and every
activation, with inputs that end at a PROT_NONE page (tests/guard.py) so that
an over-read past the array dies. Wider planes exercise the NEON kernels'
16-column strips and their tails. Other depthwise shapes (5x5, dilation 2,
channel multiplier 2, stride 3, unequal strides) must stay correct through
`auto` (im2col).
"""
import threading

import numpy as np
import pytest

import armconv
from conftest import EXPECT_CPU, UNDER_QEMU
from guard import guarded
from reference import EPS32, act_range, assert_close, conv2d_bound, conv2d_ref

ACTIVATIONS = [None, "relu", "relu6", (-0.25, 0.5)]
CHANNELS = [1, 3, 4, 5, 17]
# (padding argument, explicit (top, bottom, left, right)) per stride.
PAD_FORMS = {
    1: [(0, (0, 0, 0, 0)), (1, (1, 1, 1, 1)), (2, (2, 2, 2, 2)), ((1, 2), (1, 1, 2, 2)),
        ((0, 1, 2, 0), (0, 1, 2, 0)), ((2, 0, 0, 1), (2, 0, 0, 1)), ("same", (1, 1, 1, 1)),
        ("valid", (0, 0, 0, 0))],
    2: [(0, (0, 0, 0, 0)), (1, (1, 1, 1, 1)), (2, (2, 2, 2, 2)), ((1, 2), (1, 1, 2, 2)),
        ((0, 1, 2, 0), (0, 1, 2, 0)), ((2, 0, 0, 1), (2, 0, 0, 1)), ((1, 0, 0, 1), (1, 0, 0, 1)),
        ((3, 1, 1, 3), (3, 1, 1, 3))],
}
HEIGHTS = list(range(1, 10))
WIDTHS = list(range(1, 12))


def dw_ref(x, w, b, stride, pads, act=None):
    """float64 depthwise 3x3 (multiplier 1) and its error bound; one tap at a time."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)[:, 0]
    n, c, h, wd = x.shape
    pt, pb, pl, pr = pads
    ho = (h + pt + pb - 3) // stride + 1
    wo = (wd + pl + pr - 3) // stride + 1
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    y = np.zeros((n, c, ho, wo))
    mag = np.zeros_like(y)
    for ky in range(3):
        for kx in range(3):
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
    return y, 11 * EPS32 * mag + np.finfo(np.float32).tiny


def run_case(rng, n, c, h, w, stride, padding, pads, act, bias=True, algo="depthwise3x3"):
    x = guarded(rng.standard_normal((n, c, h, w)).astype(np.float32))
    wt = rng.standard_normal((c, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(c).astype(np.float32) if bias else None
    layer = armconv.Conv2d(wt, b, stride=stride, padding=padding, groups=c, activation=act,
                           algo=algo)
    assert layer.algo == "depthwise3x3"
    y = layer(x)
    ref, bound = dw_ref(x, wt, b, stride, pads, act_range(act))
    assert_close(y, ref, bound, f"n={n} c={c} h={h} w={w} stride={stride} padding={padding} "
                                f"act={act} algo={algo}")


@pytest.mark.parametrize("form", range(8))
@pytest.mark.parametrize("stride", [1, 2])
def test_sweep(stride, form, rng):
    """Every height x width for one padding form; channels, batch, activation cycle."""
    padding, pads = PAD_FORMS[stride][form]
    i = 0
    for h in HEIGHTS:
        for w in WIDTHS:
            if h + pads[0] + pads[1] < 3 or w + pads[2] + pads[3] < 3:
                continue  # no output
            i += 1
            run_case(rng, 1 + i % 3, CHANNELS[i % len(CHANNELS)], h, w, stride, padding, pads,
                     ACTIVATIONS[i % len(ACTIVATIONS)], bias=i % 5 != 0)


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("pad", [0, 1, (0, 1, 2, 0), (2, 1, 1, 2)])
def test_wide_maps(stride, pad, rng):
    """Widths that give several 16-column strips plus every tail, and long row runs."""
    pads = (pad,) * 4 if isinstance(pad, int) else pad
    shapes = [(56, 56), (13, 64), (9, 67), (20, 33)] if not UNDER_QEMU else [(24, 56), (9, 35), (7, 66)]
    for j, (h, w) in enumerate(shapes):
        run_case(rng, 2, 3 + j, h, w, stride, pad, pads, ACTIVATIONS[j % 4])


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("pad", [0, 1, (1, 0, 1, 0), (0, 1, 0, 1)])
def test_mobilenet_maps(stride, pad, rng):
    """MobileNet's small maps (28, 14, 7 and widths near them): the strip that
    ends at the row's end (overlapping the one before) and the buffered strips
    of rows narrower than a strip."""
    pads = (pad,) * 4 if isinstance(pad, int) else pad
    shapes = [(28, 28), (14, 14), (7, 7), (5, 15), (6, 10), (3, 6)]
    for j, (h, w) in enumerate(shapes):
        run_case(rng, 1 + j % 2, 4 + j, h, w, stride, pad, pads, ACTIVATIONS[j % 4])


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


# Depthwise shapes the 3x3 kernels do not cover: auto must route them elsewhere,
# correctly; forcing depthwise3x3 must say why not.
OTHER_DEPTHWISE = [
    dict(k=5, stride=1, padding=2, dilation=1, mult=1),
    dict(k=3, stride=1, padding=2, dilation=2, mult=1),
    dict(k=3, stride=1, padding=1, dilation=1, mult=2),
    dict(k=3, stride=3, padding=1, dilation=1, mult=1),
    dict(k=3, stride=(1, 2), padding=1, dilation=1, mult=1),
    dict(k=5, stride=2, padding=2, dilation=1, mult=1),
]


@pytest.mark.parametrize("case", OTHER_DEPTHWISE, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_other_depthwise_shapes(case, rng):
    c, k, m = 4, case["k"], case["mult"]
    x = rng.standard_normal((2, c, 11, 9)).astype(np.float32)
    wt = rng.standard_normal((c * m, 1, k, k)).astype(np.float32)
    b = rng.standard_normal(c * m).astype(np.float32)
    kw = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=c)
    layer = armconv.Conv2d(wt, b, activation="relu", **kw)
    assert layer.algo != "depthwise3x3"
    y = layer(x)
    s = case["stride"] if isinstance(case["stride"], tuple) else (case["stride"],) * 2
    d = (case["dilation"],) * 2
    p = case["padding"]
    ref_kw = dict(stride=s, pads=(p,) * 4, dilation=d, groups=c)
    assert_close(y, conv2d_ref(x, wt, b, act=act_range("relu"), **ref_kw),
                 conv2d_bound(x, wt, b, **ref_kw), f"{case}")
    with pytest.raises(ValueError, match="depthwise3x3"):
        armconv.Conv2d(wt, b, algo="depthwise3x3", **kw)


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
    name = armconv.cpu_info()["kernels"]["depthwise3x3"]
    if EXPECT_CPU in ("cortex-a72", "cortex-a76"):
        assert name == "dwconv3x3-aarch64-1x16"
    elif EXPECT_CPU == "cortex-a15":
        assert name == "dwconv3x3-armv7-1x8"
    else:
        assert name in ("dwconv3x3-generic-1x1", "dwconv3x3-aarch64-1x16", "dwconv3x3-armv7-1x8")
