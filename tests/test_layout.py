"""armconv.to_nc4hw4 / from_nc4hw4 against a numpy reference."""
import numpy as np
import pytest

import armconv
from guard import guarded


def ref_nc4hw4(x):
    n, c, h, w = x.shape
    c4 = -(-c // 4)
    y = np.zeros((n, c4 * 4, h, w), np.float32)
    y[:, :c] = x
    return np.ascontiguousarray(y.reshape(n, c4, 4, h, w).transpose(0, 1, 3, 4, 2))


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 4, 5), (1, 4, 7, 3), (3, 5, 2, 9),
                                   (1, 17, 6, 6), (2, 8, 1, 13)])
def test_round_trip(shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    y = armconv.to_nc4hw4(guarded(x))
    assert y.dtype == np.float32
    assert y.shape == (shape[0], -(-shape[1] // 4), shape[2], shape[3], 4)
    np.testing.assert_array_equal(y, ref_nc4hw4(x))
    if shape[1] % 4:
        assert not y[:, -1, :, :, shape[1] % 4:].any(), "channel tail must be zero"
    back = armconv.from_nc4hw4(guarded(y), shape[1])
    assert back.shape == shape
    np.testing.assert_array_equal(back, x)


def test_element_mapping():
    x = np.arange(2 * 6 * 3 * 2, dtype=np.float32).reshape(2, 6, 3, 2)
    y = armconv.to_nc4hw4(x)
    for n, c, h, w in np.ndindex(*x.shape):
        assert y[n, c // 4, h, w, c % 4] == x[n, c, h, w]


def test_3d_and_non_contiguous(rng):
    x = rng.standard_normal((5, 6, 7)).astype(np.float32)
    y = armconv.to_nc4hw4(x)
    assert y.shape == (2, 6, 7, 4)
    np.testing.assert_array_equal(armconv.from_nc4hw4(y, 5), x)
    xt = rng.standard_normal((2, 7, 6, 5)).astype(np.float32).transpose(0, 3, 2, 1)
    np.testing.assert_array_equal(armconv.to_nc4hw4(xt), ref_nc4hw4(np.ascontiguousarray(xt)))
    # Fewer channels than stored: the extra lanes are dropped.
    np.testing.assert_array_equal(armconv.from_nc4hw4(armconv.to_nc4hw4(x), 6)[:5], x)


def test_errors():
    with pytest.raises(TypeError, match="astype"):
        armconv.to_nc4hw4(np.zeros((1, 2, 3, 3), np.float64))
    with pytest.raises(TypeError):
        armconv.to_nc4hw4([[1.0]])
    with pytest.raises(ValueError, match="dimensions"):
        armconv.to_nc4hw4(np.zeros((3, 3), np.float32))
    y = np.zeros((1, 2, 3, 3, 4), np.float32)
    with pytest.raises(ValueError, match="channels"):
        armconv.from_nc4hw4(y, 9)
    with pytest.raises(ValueError, match="channels"):
        armconv.from_nc4hw4(y, 4)
    with pytest.raises(ValueError, match="channels"):
        armconv.from_nc4hw4(y, 0)
    with pytest.raises(TypeError):
        armconv.from_nc4hw4(y, 5.0)
    with pytest.raises(ValueError, match="last dimension"):
        armconv.from_nc4hw4(np.zeros((1, 2, 3, 3, 3), np.float32), 8)
    with pytest.raises(TypeError, match="astype"):
        armconv.from_nc4hw4(y.astype(np.float16), 8)
