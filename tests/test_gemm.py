"""armconv.gemm (the packed fp32 GEMM) against float64 numpy: every remainder of
the register tile, long K (several K-blocks), strided/sliced inputs, guard
pages, and bad input."""
import threading

import numpy as np
import pytest

import armconv

from guard import guarded
from reference import EPS32


def check(a, b):
    c = armconv.gemm(a, b)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    mag = np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))
    bound = (a.shape[1] + 2) * EPS32 * mag + np.finfo(np.float32).tiny
    assert c.shape == (a.shape[0], b.shape[1]) and c.dtype == np.float32
    err = np.abs(c.astype(np.float64) - ref)
    bad = ~(err <= bound)
    assert not bad.any(), (f"a{a.shape} b{b.shape}: {bad.sum()} outside the bound, first at "
                           f"{tuple(np.argwhere(bad)[0])}")
    return c


def rand(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


# m spans 1..2 tiles of the widest MR (8 on aarch64, 6 on armv7), n 1..2 tiles of
# the widest NR (12), k covers the unrolled loop's remainders.
M_RANGE = range(1, 17)
N_RANGE = range(1, 25)
K_VALUES = (1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17)


@pytest.mark.parametrize("m", M_RANGE)
def test_tile_remainders(rng, m):
    for n in N_RANGE:
        for k in K_VALUES:
            check(guarded(rand(rng, m, k)), guarded(rand(rng, k, n)))


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (7, 300, 1), (33, 50, 700), (40, 257, 1100),
                                   (64, 64, 64), (9, 1000, 20), (100, 13, 30)])
def test_shapes(rng, m, n, k):
    # k > 512 spans several K-blocks (accumulating into C); n > the N-block too.
    check(guarded(rand(rng, m, k)), guarded(rand(rng, k, n)))


def test_non_contiguous_inputs(rng):
    a = rand(rng, 20, 40)[:, ::2]          # strided columns: copied to contiguous
    b = rand(rng, 40, 26)[::2, 1:]         # row slice + offset
    check(a, b)
    check(np.asfortranarray(rand(rng, 9, 5)), rand(rng, 5, 14))


def test_empty_and_k0(rng):
    assert armconv.gemm(np.zeros((0, 3), np.float32), rand(rng, 3, 4)).shape == (0, 4)
    assert armconv.gemm(rand(rng, 3, 2), np.zeros((2, 0), np.float32)).shape == (3, 0)
    c = armconv.gemm(np.zeros((3, 0), np.float32), np.zeros((0, 5), np.float32))
    assert c.shape == (3, 5) and not c.any()


def test_special_values():
    a = np.array([[1.0, np.inf], [np.nan, 2.0]], np.float32)
    b = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    c = armconv.gemm(a, b)
    assert c[0, 0] == np.inf and c[0, 1] == -np.inf and np.isnan(c[1]).all()


def test_threads_identical(rng):
    a, b = rand(rng, 24, 70), rand(rng, 70, 50)
    want = armconv.gemm(a, b)
    out = [None] * 4

    def work(i):
        out[i] = armconv.gemm(a, b)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for o in out:
        np.testing.assert_array_equal(o, want)


@pytest.mark.parametrize("bad", [[[1.0]], 2.0, None])
def test_not_an_array(bad):
    with pytest.raises(TypeError, match="a must be a numpy.ndarray"):
        armconv.gemm(bad, np.zeros((1, 1), np.float32))
    with pytest.raises(TypeError, match="b must be a numpy.ndarray"):
        armconv.gemm(np.zeros((1, 1), np.float32), bad)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, ">f4"])
def test_wrong_dtype(dtype):
    with pytest.raises(TypeError, match=r"a must have dtype float32.*astype\(np.float32\)"):
        armconv.gemm(np.zeros((2, 2), dtype), np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match=r"b must have dtype float32"):
        armconv.gemm(np.zeros((2, 2), np.float32), np.zeros((2, 2), dtype))


def test_wrong_shapes():
    with pytest.raises(ValueError, match="a must have 2 dimensions"):
        armconv.gemm(np.zeros(3, np.float32), np.zeros((3, 1), np.float32))
    with pytest.raises(ValueError, match="b must have 2 dimensions"):
        armconv.gemm(np.zeros((1, 3), np.float32), np.zeros((3, 1, 1), np.float32))
    with pytest.raises(ValueError, match="do not conform"):
        armconv.gemm(np.zeros((2, 3), np.float32), np.zeros((4, 2), np.float32))
