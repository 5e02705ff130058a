"""Array interop: any CPU array-like (numpy, torch CPU tensors, objects with
__array__, __dlpack__ or the buffer protocol) is accepted, and read without a
copy when it already is C-contiguous with the right dtype.

The generic array-likes run everywhere (under QEMU too); the torch tests need
torch (installed on the x86_64 host by scripts/test.sh) and skip elsewhere.
"""
import numpy as np
import pytest

import armconv
from armconv import _args
from reference import conv2d_bound, conv2d_ref


class OnlyDLPack:
    """Exposes nothing but DLPack (like a JAX or CuPy host array)."""

    def __init__(self, a):
        self._a = a

    def __dlpack__(self, **kw):
        return self._a.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


class OnlyArray:
    """Exposes nothing but __array__ (like a pandas or xarray object)."""

    def __init__(self, a):
        self._a = a

    def __array__(self, dtype=None, copy=None):
        return self._a


class OnDevice(OnlyDLPack):
    def __dlpack_device__(self):
        return (2, 0)  # kDLCUDA


def address(a):
    return a.__array_interface__["data"][0]


WRAPPERS = {
    "dlpack": OnlyDLPack,
    "array": OnlyArray,
    "buffer": memoryview,
}


@pytest.mark.parametrize("kind", sorted(WRAPPERS))
def test_array_likes_read_without_a_copy(kind):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    got = _args.array("x", WRAPPERS[kind](x), ndims=(4,))
    assert address(got) == address(x) and got.shape == x.shape and got.dtype == np.float32


@pytest.mark.parametrize("kind", sorted(WRAPPERS))
def test_array_likes_everywhere(kind, rng):
    wrap = WRAPPERS[kind]
    x = rng.standard_normal((2, 4, 7, 6)).astype(np.float32)
    w = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    want = armconv.conv2d(x, w, b, padding=1)
    np.testing.assert_array_equal(armconv.conv2d(wrap(x), wrap(w), wrap(b), padding=1), want)
    np.testing.assert_array_equal(armconv.Conv2d(wrap(w), wrap(b), padding=1)(wrap(x)), want)
    assert np.abs(want - conv2d_ref(x, w, b, pads=(1, 1, 1, 1))).max() <= \
        conv2d_bound(x, w, b, pads=(1, 1, 1, 1)).max()
    a = rng.standard_normal((6, 5)).astype(np.float32)
    c = rng.standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_array_equal(armconv.gemm(wrap(a), wrap(c)), armconv.gemm(a, c))
    q = armconv.quantize(wrap(x), 0.05)
    np.testing.assert_array_equal(q, armconv.quantize(x, 0.05))
    np.testing.assert_array_equal(armconv.dequantize(wrap(q), 0.05), armconv.dequantize(q, 0.05))
    layer = armconv.QConv2d(w, b, input_scale=0.05, output_scale=0.1, padding=1)
    np.testing.assert_array_equal(layer(wrap(q)), layer(q))
    np.testing.assert_array_equal(armconv.to_nc4hw4(wrap(x)), armconv.to_nc4hw4(x))


def test_strided_array_likes_are_copied(rng):
    x = rng.standard_normal((1, 5, 6, 4)).astype(np.float32).transpose(0, 1, 3, 2)
    w = rng.standard_normal((3, 5, 1, 1)).astype(np.float32)
    got = armconv.conv2d(OnlyDLPack(x), w)
    np.testing.assert_array_equal(got, armconv.conv2d(np.ascontiguousarray(x), w))


def test_device_arrays_refused():
    with pytest.raises(TypeError, match="x lives on a device.*CPU"):
        armconv.conv2d(OnDevice(np.zeros((1, 1, 2, 2), np.float32)), np.zeros((1, 1, 1, 1), np.float32))


@pytest.mark.parametrize("bad", [[[1.0]], 3.0, None, "x", {"a": 1}])
def test_non_arrays_refused(bad):
    with pytest.raises(TypeError, match=r"x must be a numpy.ndarray or another CPU array .*"
                                        r"__dlpack__.*np.asarray\(x, dtype=np.float32\)"):
        armconv.conv2d(bad, np.zeros((1, 1, 1, 1), np.float32))


def test_buffer_of_the_wrong_type():
    with pytest.raises(TypeError, match="x must have dtype float32, got uint8"):
        armconv.conv2d(b"abcd", np.zeros((1, 1, 1, 1), np.float32))


# ---------------------------------------------------------------- torch
def _torch():
    return pytest.importorskip("torch")


def test_torch_tensors_without_a_copy():
    torch = _torch()
    t = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, 3, 4, 5)
    got = _args.array("x", t, ndims=(4,))
    assert address(got) == t.data_ptr()
    w = torch.ones(4, 3, 1, 1)
    y = armconv.conv2d(t, w)
    np.testing.assert_array_equal(y, armconv.conv2d(t.numpy(), w.numpy()))
    # int8 tensors too (QConv2d's input).
    q = torch.zeros(1, 3, 2, 2, dtype=torch.int8)
    assert address(_args.array("x", q, np.int8)) == q.data_ptr()


def test_torch_layer_and_gemm(rng):
    torch = _torch()
    x = rng.standard_normal((1, 8, 9, 9)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    layer = armconv.Conv2d(torch.from_numpy(w), torch.zeros(16), padding=1)
    np.testing.assert_array_equal(layer(torch.from_numpy(x)), armconv.conv2d(x, w, padding=1))
    a = torch.from_numpy(rng.standard_normal((5, 7)).astype(np.float32))
    b = torch.from_numpy(rng.standard_normal((7, 3)).astype(np.float32))
    np.testing.assert_array_equal(armconv.gemm(a, b), armconv.gemm(a.numpy(), b.numpy()))
    # A transposed (non-contiguous) tensor is copied, with the same result.
    np.testing.assert_array_equal(armconv.gemm(b.t(), a.t()),
                                  armconv.gemm(np.ascontiguousarray(b.numpy().T),
                                               np.ascontiguousarray(a.numpy().T)))


def test_torch_messages():
    torch = _torch()
    w = torch.zeros(2, 3, 1, 1)
    with pytest.raises(TypeError, match=r"x is a torch tensor that requires grad: pass x.detach\(\)"):
        armconv.conv2d(torch.zeros(1, 3, 2, 2, requires_grad=True), w)
    with pytest.raises(TypeError, match=r"weight is a torch tensor that requires grad"):
        armconv.Conv2d(torch.nn.Parameter(w))
    with pytest.raises(TypeError, match=r"x must have dtype float32, got float64; cast it with "
                                        r"x.to\(torch.float32\)"):
        armconv.conv2d(torch.zeros(1, 3, 2, 2, dtype=torch.float64), w)
    with pytest.raises(TypeError, match=r"x is on device meta.*x.cpu\(\)"):
        armconv.conv2d(torch.zeros(1, 3, 2, 2, device="meta"), w)
    with pytest.raises(TypeError, match=r"x must have dtype int8.*armconv.quantize"):
        armconv.QConv2d(w, input_scale=0.1)(torch.zeros(1, 3, 2, 2))


# ---------------------------------------------------------------- from_torch
def test_from_torch_matches_torch(rng):
    torch = _torch()
    torch.manual_seed(0)
    cases = [
        dict(cin=8, cout=16, k=3, stride=1, padding=1, dilation=1, groups=1, bias=True),
        dict(cin=8, cout=12, k=3, stride=2, padding=(1, 0), dilation=1, groups=2, bias=False),
        dict(cin=6, cout=6, k=3, stride=1, padding="same", dilation=2, groups=6, bias=True),
        dict(cin=5, cout=7, k=1, stride=1, padding=0, dilation=1, groups=1, bias=True),
        dict(cin=4, cout=8, k=(2, 4), stride=1, padding="valid", dilation=1, groups=1, bias=True),
    ]
    for c in cases:
        conv = torch.nn.Conv2d(c["cin"], c["cout"], c["k"], stride=c["stride"], padding=c["padding"],
                               dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
        for bn, act in ((None, None), (torch.nn.BatchNorm2d(c["cout"]), torch.nn.ReLU()),
                        (torch.nn.BatchNorm2d(c["cout"], affine=False), "relu6"),
                        (torch.nn.BatchNorm2d(c["cout"]), torch.nn.Hardtanh(-0.5, 0.25))):
            if bn is not None:
                with torch.no_grad():  # non-trivial running statistics
                    bn.running_mean.uniform_(-1, 1)
                    bn.running_var.uniform_(0.5, 2)
                    if bn.affine:
                        bn.weight.uniform_(0.5, 1.5)
                        bn.bias.uniform_(-0.5, 0.5)
                bn.eval()
            seq = torch.nn.Sequential(conv, *(m for m in (bn, act) if isinstance(m, torch.nn.Module)))
            if act == "relu6":
                seq.append(torch.nn.ReLU6())
            x = torch.from_numpy(rng.standard_normal((2, c["cin"], 11, 10)).astype(np.float32))
            with torch.no_grad():
                want = seq.double()(x.double()).numpy()
            seq.float()
            layer = armconv.Conv2d.from_torch(conv, bn, act)
            got = layer(x)
            assert got.shape == want.shape
            scale = np.abs(want).max() + 1
            assert np.abs(got - want).max() <= 1e-5 * scale, c


def test_from_torch_errors():
    torch = _torch()
    conv = torch.nn.Conv2d(3, 4, 3)
    with pytest.raises(TypeError, match="conv must be a torch.nn.Conv2d, got Linear"):
        armconv.Conv2d.from_torch(torch.nn.Linear(3, 4))
    with pytest.raises(ValueError, match="padding_mode must be 'zeros'"):
        armconv.Conv2d.from_torch(torch.nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"))
    with pytest.raises(ValueError, match="bn has 5 features, conv has 4 output channels"):
        armconv.Conv2d.from_torch(conv, torch.nn.BatchNorm2d(5))
    with pytest.raises(TypeError, match="bn must be a torch.nn.BatchNorm2d"):
        armconv.Conv2d.from_torch(conv, torch.nn.BatchNorm1d(4))
    with pytest.raises(ValueError, match="no running statistics"):
        armconv.Conv2d.from_torch(conv, torch.nn.BatchNorm2d(4, track_running_stats=False))
    with pytest.raises(ValueError, match="activation must be .*got GELU"):
        armconv.Conv2d.from_torch(conv, activation=torch.nn.GELU())
    assert armconv.Conv2d.from_torch(conv, activation=torch.nn.Identity()).activation is None
    assert armconv.Conv2d.from_torch(conv, algo="im2col").algo == "im2col"


def test_torch_is_imported_only_by_from_torch():
    import subprocess
    import sys

    from conftest import UNDER_QEMU
    if UNDER_QEMU:
        pytest.skip("no ARM subprocesses under qemu-user")
    code = ("import sys, numpy as np, armconv\n"
            "x = np.zeros((1, 2, 4, 4), np.float32)\n"
            "armconv.Conv2d(np.zeros((3, 2, 3, 3), np.float32))(x, out=np.empty((1, 3, 2, 2), np.float32))\n"
            "armconv.QConv2d(np.ones((3, 2, 1, 1), np.float32), input_scale=0.1)(np.zeros((2, 4, 4), np.int8))\n"
            "assert 'torch' not in sys.modules, 'armconv imported torch'\n"
            "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
