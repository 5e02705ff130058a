"""out=: results written into a caller's array (conv2d, Conv2d, gemm, QConv2d).

Each call with out= must give exactly the result of the call without it,
return out itself, and refuse an out of the wrong shape, dtype, layout,
writability, or one overlapping the input, with a message saying which.
"""
import numpy as np
import pytest

import armconv


@pytest.fixture
def data(rng):
    x = rng.standard_normal((2, 4, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    return x, w, b


def _calls(x, w, b):
    """(name, f(out) -> result, expected result, the input out must not overlap)."""
    layer = armconv.Conv2d(w, b, padding=1, activation="relu")
    a = x.reshape(-1, 8)[:20]
    bm = np.ascontiguousarray(x.reshape(8, -1)[:, :5])
    q = armconv.quantize(x, 0.05)
    q8 = armconv.QConv2d(w, b, input_scale=0.05, output_scale=0.2, stride=2)
    qf = armconv.QConv2d(w, b, input_scale=0.05)
    return [
        ("conv2d", lambda out: armconv.conv2d(x, w, b, padding=1, activation="relu", out=out),
         armconv.conv2d(x, w, b, padding=1, activation="relu"), x),
        ("Conv2d", lambda out: layer(x, out=out), layer(x), x),
        ("Conv2d rank 3", lambda out: layer(x[1], out=out), layer(x[1]), x[1]),
        ("gemm", lambda out: armconv.gemm(a, bm, out=out), armconv.gemm(a, bm), a),
        ("QConv2d int8", lambda out: q8(q, out=out), q8(q), q),
        ("QConv2d float", lambda out: qf(q[0], out=out), qf(q[0]), q[0]),
    ]


def test_out_gives_the_same_result(data):
    for name, f, want, _ in _calls(*data):
        out = np.full(want.shape, 99, want.dtype)
        got = f(out)
        assert got is out, name
        np.testing.assert_array_equal(out, want, err_msg=name)


def test_out_errors(data):
    for name, f, want, src in _calls(*data):
        wrong = np.float64 if want.dtype == np.float32 else np.float32
        with pytest.raises(TypeError, match=f"out must have dtype {want.dtype.name}, got"):
            f(np.empty(want.shape, wrong))
        with pytest.raises(ValueError, match=r"out must have shape \("):
            f(np.empty(want.shape[:-1] + (want.shape[-1] + 1,), want.dtype))
        with pytest.raises(ValueError, match="out must have shape"):
            f(np.empty(want.shape[1:], want.dtype))
        fortran = np.empty(want.shape[::-1], want.dtype).T
        with pytest.raises(ValueError, match="out must be C-contiguous"):
            f(fortran)
        ro = np.empty(want.shape, want.dtype)
        ro.flags.writeable = False
        with pytest.raises(ValueError, match="out is read-only"):
            f(ro)
        with pytest.raises(TypeError, match="out must be a numpy.ndarray or another CPU array"):
            f(want.tolist())
        # Overlap with the input: out viewing the input's own memory.
        if src.dtype == want.dtype and src.size >= want.size:
            alias = src.reshape(-1)[:want.size].reshape(want.shape)
            with pytest.raises(ValueError, match="out overlaps (x|a)"):
                f(alias)


def test_gemm_out_overlapping_b(rng):
    buf = rng.standard_normal(64).astype(np.float32)
    a = rng.standard_normal((4, 4)).astype(np.float32)
    b = buf[:16].reshape(4, 4)
    with pytest.raises(ValueError, match="out overlaps b"):
        armconv.gemm(a, b, out=buf[8:24].reshape(4, 4))
    out = buf[16:32].reshape(4, 4)  # adjacent, not overlapping: fine
    want = armconv.gemm(a, b.copy())
    assert armconv.gemm(a, b, out=out) is out
    np.testing.assert_array_equal(out, want)


def test_out_into_part_of_a_larger_buffer(data):
    """A C-contiguous slice of a bigger array (a batch slot, say) is a fine out."""
    x, w, b = data
    layer = armconv.Conv2d(w, b, padding=1)
    batch = np.zeros((3,) + layer.output_shape(1, 9, 8)[1:], np.float32)
    layer(x[0], out=batch[1])
    np.testing.assert_array_equal(batch[1], layer(x[0]))
    assert not batch[0].any() and not batch[2].any()


def test_output_shape(data):
    x, w, b = data
    layer = armconv.Conv2d(w, b, stride=2, padding=(1, 0))
    assert layer.output_shape(2, 9, 8) == layer(x).shape == (2, 6, 5, 3)
    assert layer.output_shape(0, 9, 8) == (0, 6, 5, 3)
    q = armconv.QConv2d(w, b, input_scale=0.1, padding=1)
    assert q.output_shape(1, 9, 8) == (1, 6, 9, 8)
    with pytest.raises(ValueError, match="output size would be < 1"):
        layer.output_shape(1, 1, 1)
    with pytest.raises(ValueError, match="h must be >= 1"):
        layer.output_shape(1, 0, 8)


def test_empty_batch_out(data):
    x, w, b = data
    out = np.empty((0, 6, 9, 8), np.float32)
    assert armconv.conv2d(x[:0], w, b, padding=1, out=out) is out


def test_torch_out(data):
    torch = pytest.importorskip("torch")
    x, w, b = data
    out = torch.full((2, 6, 9, 8), 7.0)
    got = armconv.conv2d(torch.from_numpy(x), w, b, padding=1, out=out)
    assert got is out
    np.testing.assert_array_equal(out.numpy(), armconv.conv2d(x, w, b, padding=1))
    with pytest.raises(TypeError, match="out is a torch tensor that requires grad"):
        armconv.conv2d(x, w, b, padding=1, out=torch.zeros(2, 6, 9, 8, requires_grad=True))
    with pytest.raises(ValueError, match="out must be C-contiguous"):
        armconv.conv2d(x, w, b, padding=1, out=torch.zeros(2, 6, 8, 9).transpose(2, 3))
