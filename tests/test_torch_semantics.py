"""conv2d against torch.nn.functional.conv2d, the semantics it promises.

Runs where torch is installed (scripts/test.sh installs it on the x86_64 host
when the wheel is available); skipped elsewhere (under QEMU). The float64
reference in reference.py carries the correctness tests everywhere; this file
checks the *parameter semantics* (padding forms, 'same', dilation, groups,
rank-3 inputs) against the library users compare with.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import armconv  # noqa: E402


def torch_conv(x, w, b, stride, padding, dilation, groups, act):
    tx = torch.from_numpy(x.astype(np.float64))
    tw = torch.from_numpy(w.astype(np.float64))
    tb = None if b is None else torch.from_numpy(b.astype(np.float64))
    if isinstance(padding, tuple) and len(padding) == 4:
        t, bo, l, r = padding
        tx = F.pad(tx, (l, r, t, bo))
        padding = 0
    y = F.conv2d(tx, tw, tb, stride=stride, padding=padding, dilation=dilation, groups=groups)
    if act == "relu":
        y = F.relu(y)
    elif act == "relu6":
        y = F.relu6(y)
    elif isinstance(act, tuple):
        y = torch.clamp(y, *act)
    return y.numpy()


CASES = [
    dict(stride=1, padding=0, dilation=1, groups=1),
    dict(stride=2, padding=1, dilation=1, groups=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
    dict(stride=1, padding="same", dilation=2, groups=1),
    dict(stride=1, padding="valid", dilation=1, groups=4),
    dict(stride=3, padding=(0, 2, 1, 0), dilation=1, groups=1),
    dict(stride=1, padding="same", dilation=1, groups=8),  # depthwise
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("k", [(1, 1), (2, 2), (3, 3), (3, 5), (4, 4), (7, 7)])
@pytest.mark.parametrize("act", [None, "relu", "relu6", (-0.5, 0.25)])
def test_matches_torch(case, k, act, rng):
    g = case["groups"]
    x = rng.standard_normal((2, 8, 17, 15)).astype(np.float32)
    w = rng.standard_normal((8, 8 // g, *k)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    try:
        ref = torch_conv(x, w, b, case["stride"], case["padding"], case["dilation"], g, act)
    except RuntimeError:
        pytest.skip("torch rejects this combination")
    y = armconv.conv2d(x, w, b, activation=act, **case)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    y3 = armconv.conv2d(x[0], w, b, activation=act, **case)
    np.testing.assert_allclose(y3, ref[0], rtol=1e-4, atol=1e-4 * np.abs(ref).max())
