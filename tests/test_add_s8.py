"""The int8 residual Add kernel (src/core/add_s8.h) through the module: _add_s8_params
against the documented rule computed here in float64, and _add_s8 (the dispatched kernel:
NEON on ARM, the generic twin elsewhere) against the rule in float64 numpy, every length
0..70 (every tail of the 16-element step), every shift, saturation, every rounding tie,
ReLU (lo 0), in place, 1 to 4 threads; and its argument checks."""
import numpy as np
import pytest

import armconv
from armconv import _armconv as A


def rha(v):
    """round half away from zero, float64."""
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def rule(a, b, ma, mb, shift, lo):
    """max(lo, clip(round_half_away((a ma + b mb) / 2^shift), -127, 127)), float64 (exact:
    |a ma + b mb| < 2^23, a power-of-2 division)."""
    v = rha((a.astype(np.float64) * ma + b.astype(np.float64) * mb) / 2.0 ** shift)
    return np.maximum(np.clip(v, -127, 127), lo).astype(np.int8)


def params_rule(sa, sb, sy, lo):
    ra = float(np.float32(sa)) / float(np.float32(sy))
    rb = float(np.float32(sb)) / float(np.float32(sy))
    r = max(ra, rb)
    shift = 16
    while shift > 1 and np.floor(r * 2.0 ** shift + 0.5) > 32767:
        shift -= 1
    return int(np.floor(ra * 2.0 ** shift + 0.5)), int(np.floor(rb * 2.0 ** shift + 0.5)), shift, lo


def test_params(rng):
    for _ in range(2000):
        sa, sb, sy = (float(np.float32(2.0 ** e)) for e in rng.uniform(-12, 12, 3))
        if max(sa, sb) / sy > 16383:
            with pytest.raises(ValueError):
                A.add_s8_params(sa, sb, sy, 0)
            continue
        got = A.add_s8_params(sa, sb, sy, 0)
        assert got == params_rule(sa, sb, sy, 0), (sa, sb, sy)
        ma, mb, shift, _ = got
        assert max(ma, mb) >= 16384 or shift == 16
        # what the multipliers stand for: (a sa + b sb) / sy within 127 / 2^shift
        assert abs(ma / 2.0 ** shift - sa / sy) <= 0.5 / 2.0 ** shift
    assert A.add_s8_params(1.0, 0.5, 2.0) == (16384, 8192, 15, -127)
    for bad in [(0.0, 1.0, 1.0), (1.0, -1.0, 1.0), (1.0, 1.0, float("inf")), (1.0, 1.0, float("nan")),
                (1.0, 1.0, 1e-5)]:
        with pytest.raises(ValueError):
            A.add_s8_params(*bad)
    for lo in (-128, 128):
        with pytest.raises(ValueError):
            A.add_s8_params(1.0, 1.0, 1.0, lo)


def cases(rng):
    for shift in range(1, 17):
        half = 1 << min(shift - 1, 14)
        yield half, half, shift, -127                      # (a + b) / 2: ties at every odd sum
        yield 3 << max(0, min(shift - 2, 13)), half, shift, 0
        yield 32767, 32767, shift, -127                    # saturation at both ends
        yield int(rng.integers(0, 32768)), int(rng.integers(0, 32768)), shift, int(rng.integers(-127, 128))
        yield -32767, 32767, shift, -127                   # a difference


def test_kernel_every_length(rng):
    for ma, mb, shift, lo in cases(rng):
        a = rng.integers(-127, 128, 70 + 33, dtype=np.int8)
        b = rng.integers(-127, 128, 70 + 33, dtype=np.int8)
        for n in range(71):
            aa, bb = a[:n].copy(), b[33:33 + n].copy()
            y = np.full(n, 99, np.int8)
            A.add_s8(aa, bb, y, ma, mb, shift, lo)
            np.testing.assert_array_equal(y, rule(aa, bb, ma, mb, shift, lo), err_msg=f"{ma} {mb} {shift} {lo} n={n}")


def test_kernel_every_pair_and_ties():
    """Every (a, b) pair of int8 values (-128 too: the rule holds for it), at multipliers
    whose sums are ties half the time; the ties are counted."""
    a = np.tile(np.arange(-128, 128, dtype=np.int8), 256)
    b = np.repeat(np.arange(-128, 128, dtype=np.int8), 256)
    for shift in (1, 7, 15, 16):
        half = 1 << min(shift - 1, 14)
        acc = a.astype(np.int64) * half + b.astype(np.int64) * half
        unit = 1 << shift
        ties = int(((2 * np.abs(acc)) % unit == 0).sum() - ((2 * np.abs(acc)) % (2 * unit) == 0).sum())
        assert ties > 10000
        for lo in (-127, 0):
            y = np.empty_like(a)
            A.add_s8(a, b, y, half, half, shift, lo)
            np.testing.assert_array_equal(y, rule(a, b, half, half, shift, lo))
            assert y.min() >= max(lo, -127)


def test_in_place_and_threads(rng):
    n = 24 * 56 * 56 + 5
    a = rng.integers(-127, 128, n, dtype=np.int8)
    b = rng.integers(-127, 128, n, dtype=np.int8)
    p = A.add_s8_params(0.031, 0.017, 0.043, 0)
    want = rule(a, b, *p)
    for t in (1, 2, 3, 4):
        with armconv.threads(t):
            y = np.empty_like(a)
            A.add_s8(a, b, y, *p)
            np.testing.assert_array_equal(y, want)
            for which in (0, 1):
                x = [a.copy(), b.copy()]
                A.add_s8(x[0], x[1], x[which], *p)
                np.testing.assert_array_equal(x[which], want)


def test_arguments():
    a = np.zeros(10, np.int8)
    with pytest.raises(TypeError):
        A.add_s8(a.astype(np.float32), a, a.copy(), 1, 1, 1, 0)
    with pytest.raises(ValueError):
        A.add_s8(a, a[:9].copy(), a.copy(), 1, 1, 1, 0)
    for ma, mb, shift, lo in [(32768, 1, 1, 0), (1, -32768, 1, 0), (1, 1, 0, 0), (1, 1, 17, 0), (1, 1, 1, -128)]:
        with pytest.raises(ValueError):
            A.add_s8(a, a.copy(), a.copy(), ma, mb, shift, lo)
    big = np.zeros(20, np.int8)
    with pytest.raises(ValueError):  # out overlaps a without being it
        A.add_s8(big[:10], a, big[5:15], 1, 1, 1, 0)
    with pytest.raises(ValueError):
        A.add_s8(a[::2], a[:5].copy(), np.zeros(5, np.int8), 1, 1, 1, 0)
