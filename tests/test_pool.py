"""armconv.max_pool2d / avg_pool2d (src/core/pool.h kernels) against an
independent float64 numpy reference over every edge: map sizes 1..20, every
padding up to kernel/2 on each side separately, strides 1..3, kernels 1..5,
dilation, ceil_mode, channels 1..70, batches, NaN/inf, strided and misaligned
inputs, out=, threads, bad arguments; and against torch where it is installed.
"""
import itertools

import numpy as np
import pytest

import armconv


def out_size(n, k, s, d, p0, p1, ceil_mode):
    """torch's formula (and ONNX's), written out independently."""
    span = n + p0 + p1 - ((k - 1) * d + 1)
    o = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (o - 1) * s >= n + p0:
        o -= 1
    return o


def reference(x, kind, k, s, pads, d=(1, 1), ceil_mode=False, include_pad=True):
    """float64 pooling of (N, C, H, W) by gathering each window offset."""
    x = x.astype(np.float64)
    n, c, h, w = x.shape
    t, b, l, r = pads
    ho = out_size(h, k[0], s[0], d[0], t, b, ceil_mode)
    wo = out_size(w, k[1], s[1], d[1], l, r, ceil_mode)
    eh = max(t + h + b, (ho - 1) * s[0] + (k[0] - 1) * d[0] + 1)
    ew = max(l + w + r, (wo - 1) * s[1] + (k[1] - 1) * d[1] + 1)
    fill = -np.inf if kind == "max" else 0.0
    xp = np.full((n, c, eh, ew), fill)
    xp[:, :, t:t + h, l:l + w] = x
    inside = np.zeros((eh, ew))  # the positions the average counts
    if include_pad:
        inside[:t + h + b, :l + w + r] = 1
    else:
        inside[t:t + h, l:l + w] = 1
    taps, counts = [], np.zeros((ho, wo))
    for ky, kx in itertools.product(range(k[0]), range(k[1])):
        rows = slice(ky * d[0], ky * d[0] + (ho - 1) * s[0] + 1, s[0])
        cols = slice(kx * d[1], kx * d[1] + (wo - 1) * s[1] + 1, s[1])
        taps.append(xp[:, :, rows, cols])
        counts += inside[rows, cols]
    taps = np.stack(taps)
    if kind == "max":
        return taps.max(axis=0)  # NaN propagates
    return taps.sum(axis=0) / counts


def check(got, want, kind):
    assert got.dtype == np.float32 and got.shape == want.shape
    # (np.array_equal / np.allclose first, the same comparisons as the
    # asserts' (NaN equal to NaN), which then only report a difference: their
    # own checks were a quarter of this file's time under QEMU)
    if kind == "max":
        want = want.astype(np.float32)
        if not np.array_equal(got, want, equal_nan=True):
            np.testing.assert_array_equal(got, want)
    elif not np.allclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def pads_of(case, k, d=1):
    """none, all sides, or one side alone, each at its largest: half the window."""
    ph, pw = ((k[0] - 1) * d + 1) // 2, ((k[1] - 1) * d + 1) // 2
    return [(0, 0, 0, 0), (ph, ph, pw, pw), (ph, 0, 0, 0), (0, ph, 0, 0), (0, 0, pw, 0), (0, 0, 0, pw)][case]


SWEEP = list(itertools.product(range(1, 6), range(1, 4), range(6), (False, True)))


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("chunk", range(4))
def test_sweep(kind, chunk):
    rng = np.random.default_rng(chunk)
    for i, (k, s, pcase, ceil) in enumerate(SWEEP[chunk::4]):
        d = 1 + (i % 2) if kind == "max" and k > 1 else 1
        kk = (k, k) if i % 3 else (k, 1 + (k + i) % 5)
        pads = pads_of(pcase, kk, d if kind == "max" else 1)
        h = 1 + (7 * i + chunk) % 20
        w = 1 + (11 * i + 3 * chunk) % 20
        eff = ((kk[0] - 1) * d + 1, (kk[1] - 1) * d + 1)
        h, w = max(h, eff[0] - pads[0] - pads[1]), max(w, eff[1] - pads[2] - pads[3])
        c = 1 + (13 * i + chunk) % 70
        n = 1 + i % 2
        x = rng.uniform(-2, 2, (n, c, h, w)).astype(np.float32)
        if kind == "max":
            got = armconv.max_pool2d(x, kk, s, pads, d, ceil)
            want = reference(x, "max", kk, (s, s), pads, (d, d), ceil)
        else:
            incl = bool(i % 2)
            got = armconv.avg_pool2d(x, kk, s, pads, ceil, incl)
            want = reference(x, "avg", kk, (s, s), pads, ceil_mode=ceil, include_pad=incl)
        check(got, want, kind)


@pytest.mark.parametrize("h", range(1, 21))
def test_every_map_size(h):
    """ResNet's 3x3 s2 p1 (the fused kernel), 2x2 s2, 3x3 s1 p1 on every size."""
    rng = np.random.default_rng(h)
    for w in (h, 21 - h, 2 * h + 3):
        x = rng.standard_normal((2, 5, h, w)).astype(np.float32)
        for k, s, p in ((3, 2, 1), (2, 2, 0), (3, 1, 1), (3, 2, 0)):
            if min(h, w) + 2 * p < k:
                continue
            for ceil in (False, True):
                check(armconv.max_pool2d(x, k, s, p, ceil_mode=ceil),
                      reference(x, "max", (k, k), (s, s), (p,) * 4, ceil_mode=ceil), "max")
                check(armconv.avg_pool2d(x, k, s, p, ceil_mode=ceil),
                      reference(x, "avg", (k, k), (s, s), (p,) * 4, ceil_mode=ceil), "avg")


def test_resnet_stem():
    x = np.random.default_rng(0).standard_normal((2, 64, 112, 112)).astype(np.float32)
    check(armconv.max_pool2d(x, 3, 2, 1), reference(x, "max", (3, 3), (2, 2), (1,) * 4), "max")


@pytest.mark.parametrize("k,s,p", [(3, 2, 1), (2, 2, 0), (3, 1, 1), (4, 3, 2), (7, 1, 0)])
def test_nan_and_inf(k, s, p):
    """A NaN anywhere in a window gives NaN (max as np.maximum; average as a sum);
    +-inf are ordinary values; padding never wins over -inf."""
    rng = np.random.default_rng(k * 10 + s)
    h = w = 9 if k < 7 else 7
    x = rng.standard_normal((2, 3, h, w)).astype(np.float32)
    x[0, 0, 4, 4] = np.nan
    x[0, 1, 0, 0] = np.nan
    x[0, 2, h - 1, w - 1] = np.nan
    x[1, 0] = -np.inf
    x[1, 1, 2, 3] = np.inf
    x[1, 2, :, ::2] = -np.inf
    got = armconv.max_pool2d(x, k, s, p)
    want = reference(x, "max", (k, k), (s, s), (p,) * 4)
    check(got, want, "max")
    assert np.isnan(got[0]).any() and (got[1, 0] == -np.inf).all()
    with np.errstate(invalid="ignore"):
        check(armconv.avg_pool2d(x, k, s, p), reference(x, "avg", (k, k), (s, s), (p,) * 4), "avg")


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_global(kind):
    """A window over the whole plane (the model runner's global pooling)."""
    rng = np.random.default_rng(1)
    for h, w in ((1, 1), (7, 7), (1, 49), (3, 5), (13, 11)):
        x = rng.standard_normal((3, 70, h, w)).astype(np.float32)
        x[2, 5, h // 2, w // 2] = np.nan
        f = armconv.max_pool2d if kind == "max" else armconv.avg_pool2d
        check(f(x, (h, w)), reference(x, kind, (h, w), (1, 1), (0,) * 4), kind)


def test_strided_fortran_misaligned_and_3d():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((2, 6, 15, 22)).astype(np.float32)
    views = [base[:, ::2, :, 1::2], np.asfortranarray(base), base[..., ::-1]]
    raw = np.zeros(base.size * 4 + 1, np.uint8)
    mis = raw[1:].view(np.float32).reshape(base.shape)  # not 4-byte aligned
    mis[...] = base
    views.append(mis)
    for v in views:
        check(armconv.max_pool2d(v, 3, 2, 1), reference(np.array(v), "max", (3, 3), (2, 2), (1,) * 4), "max")
        check(armconv.avg_pool2d(v, 2), reference(np.array(v), "avg", (2, 2), (2, 2), (0,) * 4), "avg")
    got = armconv.max_pool2d(base[0], 3, 2, 1)  # (C, H, W) as torch
    assert got.shape == (6, 8, 11)
    check(got, reference(base[:1], "max", (3, 3), (2, 2), (1,) * 4)[0], "max")


def test_out():
    x = np.random.default_rng(3).standard_normal((2, 4, 10, 9)).astype(np.float32)
    out = np.full((2, 4, 5, 5), 7.0, np.float32)
    assert armconv.max_pool2d(x, 3, 2, 1, out=out) is out
    check(out, reference(x, "max", (3, 3), (2, 2), (1,) * 4), "max")
    assert armconv.avg_pool2d(x, 2, ceil_mode=True, out=out) is out
    check(out, reference(x, "avg", (2, 2), (2, 2), (0,) * 4, ceil_mode=True), "avg")
    o3 = np.empty((4, 5, 5), np.float32)
    assert armconv.max_pool2d(x[0], 3, 2, 1, out=o3) is o3
    check(o3, reference(x[:1], "max", (3, 3), (2, 2), (1,) * 4)[0], "max")
    with pytest.raises(ValueError, match="out must have shape"):
        armconv.max_pool2d(x, 3, 2, 1, out=np.empty((2, 4, 4, 5), np.float32))
    with pytest.raises(TypeError, match="out must have dtype float32"):
        armconv.max_pool2d(x, 3, 2, 1, out=np.empty((2, 4, 5, 5), np.float64))
    with pytest.raises(ValueError, match="C-contiguous"):
        armconv.max_pool2d(x, 3, 2, 1, out=np.empty((2, 4, 5, 10), np.float32)[..., ::2])
    big = np.zeros((2, 4, 10, 10), np.float32)
    with pytest.raises(ValueError, match="overlaps x"):
        armconv.max_pool2d(big, 1, out=big)


def test_threads_do_not_change_the_result():
    x = np.random.default_rng(4).standard_normal((3, 37, 31, 29)).astype(np.float32)
    for f, kw in ((armconv.max_pool2d, {}), (armconv.avg_pool2d, {"count_include_pad": False})):
        with armconv.threads(1):
            one = f(x, 3, 2, 1, ceil_mode=True, **kw)
        with armconv.threads(3):
            three = f(x, 3, 2, 1, ceil_mode=True, **kw)
        np.testing.assert_array_equal(one, three)


def test_bad_arguments():
    x = np.zeros((1, 2, 8, 8), np.float32)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        armconv.max_pool2d(x, 0)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        armconv.max_pool2d(x, "3")
    with pytest.raises(ValueError, match="stride must be >= 1"):
        armconv.avg_pool2d(x, 2, stride=0)
    with pytest.raises(ValueError, match="dilation must be >= 1"):
        armconv.max_pool2d(x, 2, dilation=(1, 0))
    with pytest.raises(ValueError, match="padding must be >= 0"):
        armconv.max_pool2d(x, 3, padding=-1)
    with pytest.raises(ValueError, match="at most half the pooling window"):
        armconv.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match="at most half the pooling window"):
        armconv.avg_pool2d(x, 3, padding=(0, 0, 0, 2))
    with pytest.raises(ValueError, match="padding must be an int"):
        armconv.max_pool2d(x, 3, padding=(1, 1, 1))
    with pytest.raises(TypeError, match="padding must be an int"):
        armconv.max_pool2d(x, 3, padding="same")
    with pytest.raises(TypeError, match="ceil_mode must be a bool"):
        armconv.max_pool2d(x, 3, ceil_mode="yes")
    with pytest.raises(TypeError, match="count_include_pad must be a bool"):
        armconv.avg_pool2d(x, 3, count_include_pad=1)
    with pytest.raises(TypeError, match="x must have dtype float32"):
        armconv.max_pool2d(x.astype(np.float64), 2)
    with pytest.raises(ValueError, match="x must have 3 or 4 dimensions"):
        armconv.max_pool2d(x[0, 0], 2)
    with pytest.raises(ValueError, match="smaller than the pooling window"):
        armconv.max_pool2d(x, 9)
    with pytest.raises(ValueError, match="smaller than the pooling window"):
        armconv.max_pool2d(x, 3, dilation=4)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    for shape, k, s, p, d, ceil in [((2, 64, 112, 112), 3, 2, 1, 1, False), ((1, 5, 17, 13), 3, 2, 1, 1, True),
                                    ((2, 3, 11, 12), (2, 3), (1, 2), (1, 0), (2, 1), True),
                                    ((1, 8, 7, 7), 7, 1, 0, 1, False)]:
        x = rng.standard_normal(shape).astype(np.float32)
        want = F.max_pool2d(torch.from_numpy(x), k, s, p, d, ceil).numpy()
        np.testing.assert_array_equal(armconv.max_pool2d(x, k, s, p, d, ceil), want)
        for incl in (False, True):
            want = F.avg_pool2d(torch.from_numpy(x), k, s, p, ceil, incl).numpy()
            np.testing.assert_allclose(armconv.avg_pool2d(x, k, s, p, ceil, incl), want, rtol=1e-5, atol=1e-6)
    t = torch.from_numpy(rng.standard_normal((1, 2, 6, 6)).astype(np.float32))
    np.testing.assert_array_equal(armconv.max_pool2d(t, 2), F.max_pool2d(t, 2).numpy())
