"""Huge but valid stride, padding and dilation (up to 2**31 - 1).

Such layers have small outputs, but the index arithmetic of im2col (ox * sw,
ceil-divisions by the stride, ...) passes 2**31: on 32-bit ARM it must still
give the right answer. The reference below never builds the padded image: it
computes each output from Python integers.
"""
import numpy as np
import pytest

import armconv

BIG = 2 ** 31 - 1


def sparse_ref(x, w, b, stride, pads, dilation, groups):
    """float64 conv2d (and |x| conv |w| for the error bound), output by output."""
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    sh, sw = stride
    dh, dw = dilation
    pt, pb, pl, pr = pads
    ho = (h + pt + pb - (kh - 1) * dh - 1) // sh + 1
    wo = (wd + pl + pr - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((n, cout, ho, wo))
    mag = np.zeros_like(y)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    for oy in range(ho):
        for ox in range(wo):
            for ky in range(kh):
                iy = oy * sh - pt + ky * dh
                if not 0 <= iy < h:
                    continue
                for kx in range(kw):
                    ix = ox * sw - pl + kx * dw
                    if not 0 <= ix < wd:
                        continue
                    for o in range(cout):
                        g = o // (cout // groups)
                        xs = x64[:, g * cg:(g + 1) * cg, iy, ix]
                        y[:, o, oy, ox] += xs @ w64[o, :, ky, kx]
                        mag[:, o, oy, ox] += np.abs(xs) @ np.abs(w64[o, :, ky, kx])
    if b is not None:
        y += b.astype(np.float64)[None, :, None, None]
        mag += np.abs(b.astype(np.float64))[None, :, None, None]
    return y, mag


def test_issue_cases():
    x = np.arange(1, 26, dtype=np.float32).reshape(1, 1, 5, 5)
    y = armconv.conv2d(x, np.ones((1, 1, 1, 1), np.float32), stride=(1, 2 ** 31 - 4))
    np.testing.assert_array_equal(y.ravel(), [1, 6, 11, 16, 21])
    y = armconv.conv2d(x, np.ones((1, 1, 1, 1), np.float32), stride=(1, 2 ** 30),
                       padding=(0, 0, 2 ** 30, 2 ** 30), algo="im2col")
    np.testing.assert_array_equal(y[0, 0], [[0, 1 + 5 * r, 0] for r in range(5)])


def random_config(rng):
    """A layer whose stride, padding or dilation values are drawn near 2**31, with an
    output of at most a few dozen pixels."""
    def big_or_small(small_max):
        return int(rng.integers(BIG - 8, BIG + 1)) if rng.random() < 0.4 else int(rng.integers(1, small_max + 1))
    while True:
        c = int(rng.integers(1, 4))
        groups = int(rng.choice([1, c])) if c > 1 else 1
        cout = groups * int(rng.integers(1, 3))
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
        stride = (big_or_small(3), big_or_small(3))
        dilation = (big_or_small(2), big_or_small(2))
        pads = tuple(int(rng.integers(0, 3)) if rng.random() < 0.6 else
                     int(rng.integers(2 ** 30 - 4, 2 ** 30 + 1)) for _ in range(4))
        if any(p >= 2 ** 31 for p in pads) or any((k - 1) * d + 1 >= 2 ** 31 for k, d in ((kh, dilation[0]), (kw, dilation[1]))):
            continue
        eh = h + pads[0] + pads[1] - (kh - 1) * dilation[0] - 1
        ew = w + pads[2] + pads[3] - (kw - 1) * dilation[1] - 1
        if eh < 0 or ew < 0:
            continue
        ho, wo = eh // stride[0] + 1, ew // stride[1] + 1
        if ho * wo <= 48:
            return c, cout, groups, (kh, kw), (h, w), stride, dilation, pads


@pytest.mark.parametrize("seed", range(200))
def test_random_huge_params(seed):
    rng = np.random.default_rng(seed)
    c, cout, groups, k, (h, w), stride, dilation, pads = random_config(rng)
    x = rng.standard_normal((2, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((cout, c // groups) + k).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    ref, mag = sparse_ref(x, wt, b, stride, pads, dilation, groups)
    kk = (c // groups) * k[0] * k[1]
    for algo in ("auto", "im2col"):
        y = armconv.conv2d(x, wt, b, stride=stride, padding=pads, dilation=dilation, groups=groups,
                           algo=algo)
        assert y.shape == ref.shape
        bound = (kk + 2) * 2.0 ** -23 * mag
        assert np.all(np.abs(y - ref) <= bound), (algo, stride, pads, dilation, k, (h, w))


@pytest.mark.parametrize("seed", range(40))
def test_random_huge_params_int8(seed):
    """QConv2d over the same geometry: exact int32 sums, requantized."""
    rng = np.random.default_rng(1000 + seed)
    c, cout, groups, k, (h, w), stride, dilation, pads = random_config(rng)
    wt = rng.standard_normal((cout, c // groups) + k).astype(np.float32)
    layer = armconv.QConv2d(wt, None, 0.05, None, stride=stride, padding=pads, dilation=dilation,
                            groups=groups)
    xq = rng.integers(-127, 128, size=(1, c, h, w), dtype=np.int8)
    acc, _ = sparse_ref(xq.astype(np.float32), layer.weight_q.astype(np.float32), None, stride, pads,
                        dilation, groups)
    want = np.rint(acc).astype(np.float32) * layer.dequant_scale[None, :, None, None]
    np.testing.assert_array_equal(layer(xq), want.astype(np.float32))
