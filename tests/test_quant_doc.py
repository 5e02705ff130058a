"""README's int8 arithmetic, followed literally, reproduces QConv2d bit for bit.

README ("What QConv2d computes, exactly") says the layer rounds input_scale
and output_scale to float32 before deriving anything, while the attributes
report the values given, and that the requantization shift stops at 31 with
the multiplier clipped. These tests build the layer from scales that float32
cannot represent and check every derived attribute and the output against
a numpy model of those steps.
"""
import numpy as np
import pytest

import armconv
from test_int8 import _int_reference, rand_s8, ref_multipliers, ref_requant, round_half_away


@pytest.mark.parametrize("in_scale,out_scale", [(0.1, 0.3), (1 / 3, 0.07), (0.0123, 1e-3)])
def test_qconv2d_follows_the_readme(rng, in_scale, out_scale):
    assert float(np.float32(in_scale)) != in_scale and float(np.float32(out_scale)) != out_scale
    w = (rng.standard_normal((6, 4, 3, 3)) * 0.2).astype(np.float32)
    b = (rng.standard_normal(6) * 3).astype(np.float32)
    xq = rand_s8(rng, (1, 4, 7, 6))
    lo, hi = -0.45, 1.3
    # 1. the scales in float32
    si, so = np.float64(np.float32(in_scale)), np.float64(np.float32(out_scale))
    # 2. weights per output channel
    wscale = (np.abs(w.astype(np.float64)).reshape(6, -1).max(axis=1) / 127).astype(np.float32)
    wq = np.clip(round_half_away(w.astype(np.float64) / wscale.astype(np.float64)[:, None, None, None]),
                 -127, 127).astype(np.int8)
    # 3. one accumulator step, the bias
    unit = si * wscale.astype(np.float64)
    bq = np.clip(round_half_away(b.astype(np.float64) / unit), -2 ** 30, 2 ** 30).astype(np.int32)

    fl = armconv.QConv2d(w, b, input_scale=in_scale, padding=1, activation=(lo, hi))
    q8 = armconv.QConv2d(w, b, input_scale=in_scale, output_scale=out_scale, padding=1,
                         activation=(lo, hi))
    for layer in (fl, q8):
        assert layer.input_scale == in_scale  # the value given, not float32's
        np.testing.assert_array_equal(layer.weight_scale, wscale)
        np.testing.assert_array_equal(layer.weight_q, wq)
        np.testing.assert_array_equal(layer.bias_q, bq)
    assert q8.output_scale == out_scale
    acc = _int_reference(q8, xq, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    # 4. float output
    deq = unit.astype(np.float32)
    np.testing.assert_array_equal(fl.dequant_scale, deq)
    want = np.clip(acc.astype(np.float32) * deq[None, :, None, None], np.float32(lo), np.float32(hi))
    np.testing.assert_array_equal(fl(xq), want)
    # 5. int8 output: s = unit / so, the rule, the clamp from (lo, hi)
    m, e = ref_multipliers(unit / so)
    np.testing.assert_array_equal(q8.requant_multiplier, m)
    assert q8.requant_shift == e
    qmin = int(max(-127, round_half_away(np.float64(lo) / so)))
    qmax = int(min(127, round_half_away(np.float64(hi) / so)))
    assert (q8.qmin, q8.qmax) == (qmin, qmax)
    np.testing.assert_array_equal(q8(xq), ref_requant(acc, m[None, :, None, None], e, qmin, qmax))
    # The float64 scales would have given other numbers somewhere (what the
    # README warns about): the multipliers, to begin with.
    m64, _ = ref_multipliers(np.float64(in_scale) * wscale.astype(np.float64) / np.float64(out_scale))
    assert (m64 != m).any()


def test_shift_stops_at_31_and_the_multiplier_clips():
    """README's example: a per-channel scale of 2^40 beside 1.0."""
    acc = np.array([[1, 1]], np.int32)
    got = armconv.requantize(acc, np.array([2.0 ** 40, 1.0]), axis=1)
    assert got.tolist() == [[127, 1]]
    m, e = ref_multipliers(np.array([2.0 ** 40, 1.0]))
    assert e == 31 and m.tolist() == [2 ** 31 - 1, 1]
    # an unbounded shift (E = 41) would have rounded the 1.0 channel's M to 0
    assert np.floor(1.0 * 2.0 ** (31 - 41) + 0.5) == 0
    # large scales saturate every nonzero accumulator, as acc * s would
    acc = np.array([[-3, -1, 0, 1, 3]], np.int32).T
    assert armconv.requantize(acc, 2.0 ** 35).ravel().tolist() == [-127, -127, 0, 127, 127]
