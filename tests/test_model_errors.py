"""Bad input to armconv.load() and to a Model: a clear Python exception, never a crash.

The saved-form (.npz) and input-validation cases need numpy only and run on
every target; the ONNX-file cases need the onnx package (host).
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import armconv
from armconv._model.ir import Graph, Node
from armconv._model.model import Model


def small_model():
    """x (N, 3, 6, 6) -> Conv 3x3 pad 1 + ReLU -> GlobalAveragePool -> Flatten."""
    rng = np.random.default_rng(0)
    consts = {"w": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
              "b": rng.standard_normal(4).astype(np.float32)}
    nodes = [Node("Conv", "conv", ["x", "w", "b"], ["c"], {"pads": [1, 1, 1, 1], "activation": [0.0, 6.0]}),
             Node("GlobalAveragePool", "gap", ["c"], ["g"]),
             Node("Flatten", "flat", ["g"], ["y"], {"axis": 1})]
    return Model(Graph([("x", [None, 3, 6, 6])], ["y"], nodes, consts), "small")


@pytest.fixture(scope="module")
def model():
    return small_model()


@pytest.fixture
def saved(tmp_path, model):
    p = tmp_path / "small.npz"
    model.save(p)
    return p


# ----------------------------------------------------------------- inputs

def test_wrong_dtype(model):
    with pytest.raises(TypeError, match=r"input 'x' must have dtype float32, got float64; cast it"):
        model(np.zeros((1, 3, 6, 6)))
    with pytest.raises(TypeError, match="float32"):
        model(np.zeros((1, 3, 6, 6), np.int32))


def test_not_an_array(model):
    with pytest.raises(TypeError, match=r"numpy.ndarray of float32, got list; convert it"):
        model([[[[0.0]]]])


def test_wrong_rank(model):
    with pytest.raises(ValueError, match=r"input 'x' must have 4 dimensions \(N, 3, 6, 6\), got shape \(3, 6, 6\)"):
        model(np.zeros((3, 6, 6), np.float32))


def test_wrong_shape(model):
    with pytest.raises(ValueError, match=r"input 'x' must have shape \(N, 3, 6, 6\) \(any batch size\), got \(1, 3, 7, 6\)"):
        model(np.zeros((1, 3, 7, 6), np.float32))
    with pytest.raises(ValueError, match="dimension 0 is 0"):
        model(np.zeros((0, 3, 6, 6), np.float32))


def test_missing_and_extra_names(model):
    x = np.zeros((1, 3, 6, 6), np.float32)
    with pytest.raises(ValueError, match=r"unknown input name\(s\) 'image'; the model's inputs are 'x'"):
        model.run({"x": x, "image": x})
    with pytest.raises(ValueError, match=r"missing input\(s\) 'x'"):
        model.run({})
    with pytest.raises(TypeError, match=r"takes 1 input\(s\) \('x'\), got 2"):
        model(x, x)
    with pytest.raises(TypeError, match="takes a dict"):
        model.run(x)
    with pytest.raises(ValueError, match="unknown output 'z'"):
        model.run({"x": x}, outputs=["z"])
    assert set(model.run({"x": x}, outputs="y")) == {"y"}


def test_input_not_modified_and_noncontiguous(model):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 12)).astype(np.float32)[:, :, :, ::2]
    keep = x.copy()
    y = model(x)
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_array_equal(y, model(np.ascontiguousarray(x)))


# ----------------------------------------------------------------- saved files

def test_truncated_npz(saved, tmp_path):
    data = saved.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 10):
        p = tmp_path / f"cut{cut}.npz"
        p.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="not a readable armconv model file|truncated"):
            armconv.load(p)


def test_npz_that_is_not_a_model(tmp_path):
    p = tmp_path / "other.npz"
    np.savez(p, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a model saved by armconv"):
        armconv.load(p)


def test_saved_unknown_op_and_version(tmp_path, saved):
    import json
    with np.load(saved) as z:
        arrays = {k: z[k] for k in z.files}
    doc = json.loads(bytes(arrays["__armconv_graph__"]).decode())
    doc["nodes"][1]["op"] = "Einsum"
    arrays["__armconv_graph__"] = np.frombuffer(json.dumps(doc).encode(), np.uint8)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=r"node 'gap' \(Einsum\): operator 'Einsum' is not supported"):
        armconv.load(tmp_path / "bad.npz")
    doc["version"] = 99
    arrays["__armconv_graph__"] = np.frombuffer(json.dumps(doc).encode(), np.uint8)
    np.savez(tmp_path / "v99.npz", **arrays)
    with pytest.raises(ValueError, match="format version 99"):
        armconv.load(tmp_path / "v99.npz")


def test_missing_file_and_bad_argument(tmp_path):
    with pytest.raises(FileNotFoundError):
        armconv.load(tmp_path / "nope.onnx")
    with pytest.raises(TypeError, match="file path or an onnx.ModelProto"):
        armconv.load(42)


def test_save_needs_npz_suffix(model, tmp_path):
    with pytest.raises(ValueError, match="ending in .npz"):
        model.save(tmp_path / "m.onnx")


def test_graph_errors():
    w = np.zeros((4, 3, 3, 3), np.float32)

    def conv_graph(shape):
        return Graph([("x", shape)], ["y"], [Node("Conv", "c", ["x", "w"], ["y"])], {"w": w})
    # a declared shape is planned at load time
    with pytest.raises(ValueError, match=r"node 'c' \(Conv\): the input of shape \(1, 3, 1, 1\) is too small"):
        Model(conv_graph([1, 3, 1, 1]))
    # a free map size: the first call with a map too small says so
    m = Model(conv_graph([None, 3, None, None]))
    with pytest.raises(ValueError, match="too small"):
        m(np.zeros((1, 3, 2, 2), np.float32))
    assert m(np.zeros((2, 3, 4, 5), np.float32)).shape == (2, 4, 2, 3)
    g = Graph([("x", [1, 3, 4, 4])], ["y"], [Node("Conv", "c", ["x", "w"], ["y"])], {})
    with pytest.raises(ValueError, match="produced by no node|must be a constant"):
        Model(g)
    g = Graph([("x", [None, 8])], ["y"], [Node("Reshape", "r", ["x", "s"], ["y"])],
              {"s": np.array([1, 2, 4], np.int64)})
    m = Model(g)
    assert m(np.zeros((1, 8), np.float32)).shape == (1, 2, 4)
    with pytest.raises(ValueError, match="fixed batch size"):
        m(np.zeros((3, 8), np.float32))


# ----------------------------------------------------------------- ONNX files

@pytest.fixture
def onnx_file(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    w = numpy_helper.from_array(np.ones((2, 3, 1, 1), np.float32), "w")
    g = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["c"], name="conv1"),
                           helper.make_node("Relu", ["c"], ["y"], name="relu1")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    p = tmp_path / "m.onnx"
    onnx.save(m, p)
    return p, m


def test_truncated_onnx(onnx_file, tmp_path):
    p, _ = onnx_file
    data = p.read_bytes()
    for cut in (len(data) // 3, len(data) - 5):
        q = tmp_path / f"cut{cut}.onnx"
        q.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="ONNX"):
            armconv.load(q)


def test_corrupt_and_empty_onnx(onnx_file, tmp_path):
    p, _ = onnx_file
    for name, data in (("garbage.onnx", bytes(range(256)) * 7), ("empty.onnx", b""),
                       ("text.onnx", b"this is not a model\n" * 10)):
        q = tmp_path / name
        q.write_bytes(data)
        with pytest.raises(ValueError, match="ONNX"):
            armconv.load(q)


def test_unsupported_op_names_op_and_node(onnx_file):
    from onnx import helper
    _, m = onnx_file
    m.graph.node.append(helper.make_node("NonMaxSuppression", ["y"], ["z"], name="nms_7"))
    m.graph.node.append(helper.make_node("Foo", ["z"], ["q"], name="f", domain="com.example"))
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    with pytest.raises(ValueError, match=r"NonMaxSuppression \(first at node 'nms_7'\); com.example.Foo"):
        armconv.load(m)


def test_non_constant_weight(onnx_file):
    from onnx import TensorProto, helper
    _, m = onnx_file
    del m.graph.initializer[:]
    m.graph.input.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, 3, 1, 1]))
    with pytest.raises(ValueError, match=r"node 'conv1' \(Conv\): its weight must be a constant"):
        armconv.load(m)


def test_load_without_onnx_package(onnx_file):
    p, _ = onnx_file
    code = f"import sys; sys.modules['onnx'] = None; import armconv; armconv.load({str(p)!r})"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert r.returncode != 0
    assert "ImportError: reading ONNX files needs the onnx package: pip install 'armconv[onnx]'" in r.stderr
