"""The same convolution in other libraries, for `python -m armconv`'s
comparison columns: numpy (im2col + np.matmul, always there), PyTorch
(torch.nn.functional.conv2d) and onnxruntime (a one-node Conv model), each
when installed. Every peer runs on one thread, as armconv does today.

make(name, x, w, b, stride, pad, groups) -> a function of no arguments that
runs the convolution and returns (N, Cout, Ho, Wo) float32, or raises
PeerUnavailable.
"""
import contextlib
import importlib

import numpy as np

NAMES = ("numpy", "torch", "onnxruntime")


class PeerUnavailable(Exception):
    pass


def available(name):
    if name == "numpy":
        return True
    try:
        importlib.import_module(name)
        return True
    except Exception:  # ImportError, or a wheel that fails to load (e.g. under emulation)
        return False


def numpy_conv(x, w, b, stride, pad, groups):
    """im2col with a strided view, then one batched np.matmul over the groups."""
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho = (h + 2 * pad - kh) // stride + 1
    wo = (wd + 2 * pad - kw) // stride + 1
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride][:, :, :ho, :wo]
    # (n, groups, cg*kh*kw, ho*wo): the im2col matrix of each group
    cols = win.reshape(n, groups, cg, ho, wo, kh, kw).transpose(0, 1, 2, 5, 6, 3, 4)
    cols = np.ascontiguousarray(cols).reshape(n, groups, cg * kh * kw, ho * wo)
    wm = w.reshape(groups, cout // groups, cg * kh * kw)
    y = np.matmul(wm, cols)  # (n, groups, cout/groups, ho*wo)
    return y.reshape(n, cout, ho, wo) + b.reshape(1, cout, 1, 1)


def _torch(x, w, b, stride, pad, groups):
    import torch
    import torch.nn.functional as F

    tx, tw, tb = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)

    def run():
        with torch.no_grad():
            return F.conv2d(tx, tw, tb, stride=stride, padding=pad, groups=groups).numpy()

    return run


@contextlib.contextmanager
def limit_threads(name, threads=1):
    """Hold a peer to `threads` threads while it is timed, as armconv runs:
    torch by set_num_threads, numpy's BLAS by threadpoolctl when it is
    installed (without it OPENBLAS_NUM_THREADS in the environment does the
    same); onnxruntime's session is made with that many threads (make())."""
    if name == "torch":
        import torch

        n = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(n)
    elif name == "numpy" and available("threadpoolctl"):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=threads, user_api="blas"):
            yield
    else:
        yield


# ---- a one-node ONNX model, written without the onnx package (protobuf wire format)

def _varint(v):
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        out.append(byte | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _field(num, payload):
    """A length-delimited field (strings, bytes, messages)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _int_field(num, v):
    return _varint(num << 3) + _varint(v)


def _tensor(name, arr):  # TensorProto: dims 1, data_type 2 (1 = FLOAT), name 8, raw_data 9
    return (b"".join(_int_field(1, d) for d in arr.shape) + _int_field(2, 1) + _field(8, name)
            + _field(9, np.ascontiguousarray(arr, dtype="<f4").tobytes()))


def _value_info(name, shape):  # ValueInfoProto{name 1, type 2: TypeProto{tensor_type 1}}
    dims = b"".join(_field(1, _int_field(1, d)) for d in shape)  # TensorShapeProto.dim{dim_value 1}
    tensor_type = _int_field(1, 1) + _field(2, dims)           # elem_type FLOAT, shape
    return _field(1, name) + _field(2, _field(1, tensor_type))


def _ints_attr(name, values):  # AttributeProto{name 1, ints 8, type 20 (INTS = 7)}
    return _field(1, name) + b"".join(_int_field(8, v) for v in values) + _int_field(20, 7)


def _int_attr(name, v):  # AttributeProto{name 1, i 3, type 20 (INT = 2)}
    return _field(1, name) + _int_field(3, v) + _int_field(20, 2)


def conv_model(x_shape, w, b, stride, pad, groups):
    """Serialized ONNX model (opset 13): y = Conv(x, W, B)."""
    n, c, h, wd = x_shape
    cout, _, kh, kw = w.shape
    ho = (h + 2 * pad - kh) // stride + 1
    wo = (wd + 2 * pad - kw) // stride + 1
    node = (_field(1, "x") + _field(1, "W") + _field(1, "B") + _field(2, "y") + _field(4, "Conv")
            + _field(5, _ints_attr("kernel_shape", [kh, kw])) + _field(5, _ints_attr("strides", [stride, stride]))
            + _field(5, _ints_attr("pads", [pad, pad, pad, pad])) + _field(5, _int_attr("group", groups)))
    graph = (_field(1, node) + _field(2, "conv") + _field(5, _tensor("W", w)) + _field(5, _tensor("B", b))
             + _field(11, _value_info("x", [n, c, h, wd])) + _field(12, _value_info("y", [n, cout, ho, wo])))
    opset = _field(1, "") + _int_field(2, 13)
    return _int_field(1, 7) + _field(2, "armconv") + _field(7, graph) + _field(8, opset)


def _onnxruntime(x, w, b, stride, pad, groups, threads=1):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    sess = ort.InferenceSession(conv_model(x.shape, w, b, stride, pad, groups), so,
                                providers=["CPUExecutionProvider"])
    return lambda: sess.run(None, {"x": x})[0]


def make(name, x, w, b, stride, pad, groups, threads=1):
    if name == "numpy":
        return lambda: numpy_conv(x, w, b, stride, pad, groups)
    if not available(name):
        raise PeerUnavailable(f"{name} is not installed")
    try:
        if name == "onnxruntime":
            return _onnxruntime(x, w, b, stride, pad, groups, threads)
        return _torch(x, w, b, stride, pad, groups)
    except Exception as e:  # a peer that cannot build this layer: its column stays empty
        raise PeerUnavailable(f"{name}: {e}") from e

