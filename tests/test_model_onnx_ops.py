"""Operators one at a time, in ONNX graphs built by hand, against onnx's own
reference implementation (onnx.reference.ReferenceEvaluator) and, where
installed, onnxruntime.

These cover what torch's exporters do not write: attribute forms of old
opsets, every Resize coordinate mode, Pad modes, auto_pad, Softmax's opset-11
semantics, runtime Gather, Split by sizes, Gemm's transposes, the fusions
of per-channel Mul/Add into a Conv, MatMul + Add into a fully connected layer.
Host only (needs the onnx package).
"""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

import armconv  # noqa: E402

try:
    import onnxruntime
except ImportError:  # optional second opinion
    onnxruntime = None

TOL = 1e-4


def make_model(nodes, inputs, outputs, inits=(), opset=18):
    """inputs/outputs: [(name, shape)] (float32; None = free dimension)."""
    g = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in dict(inits).items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = min(m.ir_version, 8)
    return m


def reference(m, feeds):
    """onnx's reference implementation; where onnxruntime is installed it must agree
    (and it stands alone for what the reference does not implement)."""
    ort = None
    if onnxruntime is not None:
        sess = onnxruntime.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        ort = sess.run(None, feeds)
    try:
        ref = ReferenceEvaluator(m).run(None, feeds)
    except Exception as e:
        if ort is None:
            pytest.skip(f"onnx's reference cannot run this ({e}) and onnxruntime is not installed")
        return ort
    for a, b in zip(ref, ort or ()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * (np.abs(a).max() + 1))
    return ref


def check(m, feeds, tol=TOL):
    model = armconv.load(m)
    got = model.run(feeds)
    ref = reference(m, feeds)
    for (name, y), r in zip(got.items(), ref):
        assert y.shape == r.shape, (name, y.shape, r.shape)
        scale = max(float(np.abs(r).max()), 1e-30)
        err = float(np.abs(y.astype(np.float64) - r).max()) / scale
        assert err <= tol, f"{name}: relative error {err:.2e}"
    return model


def one(op, x_shape, attrs=None, extra_inputs=(), inits=(), opset=18, n_out=1, rng=None, x=None):
    """A model of one node reading 'x' (and constant extra inputs)."""
    rng = rng or np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32) if x is None else x
    outs = [f"y{i}" for i in range(n_out)]
    node = helper.make_node(op, ["x"] + list(extra_inputs), outs, **(attrs or {}))
    m = make_model([node], [("x", list(x_shape))], [(o, None) for o in outs], inits, opset)
    return m, {"x": x}


# ----------------------------------------------------------------- elementwise

@pytest.mark.parametrize("op,attrs", [
    ("Relu", {}), ("Sigmoid", {}), ("Tanh", {}), ("LeakyRelu", {"alpha": 0.2}),
    ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}), ("HardSwish", {}),
])
def test_unary(op, attrs, rng):
    x = rng.standard_normal((2, 3, 5, 7)).astype(np.float32) * 4
    x[0, 0, 0, :3] = [80.0, -80.0, 0.0]  # saturation, no overflow warnings turned errors
    m, feeds = one(op, x.shape, attrs, x=x, opset=14)
    check(m, feeds)


@pytest.mark.parametrize("lo,hi,opset", [(0.0, 6.0, 18), (-1.0, None, 18), (None, 0.5, 13), (-0.5, 0.5, 6)])
def test_clip(lo, hi, opset, rng):
    if opset < 11:
        attrs = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
        m, feeds = one("Clip", (2, 3, 4), attrs, opset=opset, rng=rng)
    else:
        names = ["lo" if lo is not None else "", "hi" if hi is not None else ""]
        inits = {n: np.float32(v) for n, v in (("lo", lo), ("hi", hi)) if v is not None}
        while names and not names[-1]:
            names.pop()
        m, feeds = one("Clip", (2, 3, 4), extra_inputs=names, inits=inits, opset=opset, rng=rng)
    check(m, feeds)


def test_prelu_per_channel(rng):
    slope = rng.standard_normal((3, 1, 1)).astype(np.float32)
    m, feeds = one("PRelu", (2, 3, 4, 5), extra_inputs=["s"], inits={"s": slope}, rng=rng)
    check(m, feeds)


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min"])
@pytest.mark.parametrize("bshape", [(1, 3, 1, 1), (5,), (), (2, 3, 4, 5)])
def test_binary_broadcast(op, bshape, rng):
    b = rng.standard_normal(bshape).astype(np.float32)
    if op == "Div":
        b = np.where(np.abs(b) < 0.3, 1.0, b).astype(np.float32)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    # both as a constant and as a second graph input
    m = make_model([helper.make_node(op, ["x", "b"], ["y"])], [("x", [2, 3, 4, 5])], [("y", None)], {"b": b})
    check(m, {"x": x})
    m = make_model([helper.make_node(op, ["b", "x"], ["y"])], [("x", [2, 3, 4, 5]), ("b", list(bshape))], [("y", None)])
    check(m, {"x": x, "b": b})


def test_variadic_max_and_residual_relu(rng):
    x = rng.standard_normal((1, 4, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Neg", ["x"], ["n"]),
             helper.make_node("Max", ["r", "n", "x"], ["m"]), helper.make_node("Add", ["m", "x"], ["s"]),
             helper.make_node("Relu", ["s"], ["y"])]
    m = make_model(nodes, [("x", [None, 4, 3, 3])], [("y", None)])
    model = check(m, {"x": x})
    adds = [n for n in model._graph.nodes if n.op == "Add"]
    assert adds and adds[0].attrs.get("activation") == [0.0, float("inf")]


# ----------------------------------------------------------------- conv

@pytest.mark.parametrize("auto_pad,strides", [("SAME_UPPER", [2, 2]), ("SAME_LOWER", [2, 1]),
                                              ("VALID", [1, 2]), ("NOTSET", [1, 1])])
def test_conv_auto_pad(auto_pad, strides, rng):
    w = rng.standard_normal((6, 4, 3, 2)).astype(np.float32)
    attrs = {"auto_pad": auto_pad, "strides": strides}
    if auto_pad == "NOTSET":
        attrs["pads"] = [1, 0, 2, 1]
    m, feeds = one("Conv", (2, 4, 9, 8), attrs, ["w"], {"w": w}, rng=rng)
    check(m, feeds)
    # SAME pads depend on the map size: another size gets its own layer
    m2, feeds2 = one("Conv", (1, 4, 10, 11), attrs, ["w"], {"w": w}, rng=rng)
    check(m2, feeds2)


def test_conv1d_dilated_grouped(rng):
    w = rng.standard_normal((6, 2, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    m, feeds = one("Conv", (2, 4, 17), {"group": 2, "dilations": [2], "pads": [2, 1], "strides": [2]},
                   ["w", "b"], {"w": w, "b": b}, rng=rng)
    check(m, feeds)


def test_conv_fusions(rng):
    """Pad (zero, spatial) -> Conv padding; Mul/Add by per-channel constants and
    BatchNormalization -> weights; Clip -> the conv's output stage."""
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    inits = {"w": w, "pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64),
             "s": rng.standard_normal((5, 1, 1)).astype(np.float32),
             "t": rng.standard_normal((1, 5, 1, 1)).astype(np.float32),
             "g": rng.random(5).astype(np.float32) + 0.5, "be": rng.standard_normal(5).astype(np.float32),
             "mu": rng.standard_normal(5).astype(np.float32), "var": rng.random(5).astype(np.float32) + 0.5,
             "lo": np.float32(-0.2), "hi": np.float32(0.3)}
    nodes = [helper.make_node("Pad", ["x", "pads"], ["p"]),
             helper.make_node("Conv", ["p", "w"], ["c"]),
             helper.make_node("BatchNormalization", ["c", "g", "be", "mu", "var"], ["bn"], epsilon=1e-3),
             helper.make_node("Mul", ["bn", "s"], ["m"]),
             helper.make_node("Add", ["t", "m"], ["a"]),
             helper.make_node("Clip", ["a", "lo", "hi"], ["y"])]
    m = make_model(nodes, [("x", [None, 3, 7, 6])], [("y", None)], inits)
    model = check(m, {"x": rng.standard_normal((2, 3, 7, 6)).astype(np.float32)})
    assert [op for _, op in model.nodes] == ["Conv"]
    conv = model._graph.nodes[0]
    assert conv.attrs["pads"] == [1, 2, 2, 1] and conv.attrs["activation"] == pytest.approx([-0.2, 0.3])


def test_batchnorm_alone_becomes_channel_affine(rng):
    inits = {"g": rng.random(3).astype(np.float32) + 0.5, "be": rng.standard_normal(3).astype(np.float32),
             "mu": rng.standard_normal(3).astype(np.float32), "var": rng.random(3).astype(np.float32) + 0.5}
    m, feeds = one("BatchNormalization", (2, 3, 4, 4), {}, ["g", "be", "mu", "var"], inits, rng=rng)
    model = check(m, feeds)
    assert [op for _, op in model.nodes] == ["ChannelAffine"]


# ----------------------------------------------------------------- fully connected

@pytest.mark.parametrize("trans_b,alpha,beta,cshape", [(0, 1.0, 1.0, (7,)), (1, 0.5, 2.0, (1, 7)),
                                                       (1, 1.0, 1.0, None)])
def test_gemm_to_fully_connected(trans_b, alpha, beta, cshape, rng):
    b = rng.standard_normal((7, 10) if trans_b else (10, 7)).astype(np.float32)
    inits = {"b": b}
    ins = ["b"]
    if cshape:
        inits["c"] = rng.standard_normal(cshape).astype(np.float32)
        ins.append("c")
    m, feeds = one("Gemm", (3, 10), {"transB": trans_b, "alpha": alpha, "beta": beta}, ins, inits, rng=rng)
    model = check(m, feeds)
    assert [op for _, op in model.nodes] == ["FullyConnected"]


def test_gemm_general(rng):
    """transA and a full C matrix: not a fully connected layer, still right."""
    x = rng.standard_normal((10, 3)).astype(np.float32)
    c = rng.standard_normal((3, 7)).astype(np.float32)
    b = rng.standard_normal((10, 7)).astype(np.float32)
    m = make_model([helper.make_node("Gemm", ["x", "b", "c"], ["y"], transA=1, beta=0.5)],
                   [("x", [10, 3]), ("b", [10, 7])], [("y", None)], {"c": c})
    check(m, {"x": x, "b": b})


def test_matmul_add_relu_fully_connected(rng):
    w = rng.standard_normal((12, 5)).astype(np.float32)
    bias = rng.standard_normal(5).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["mm"]), helper.make_node("Add", ["mm", "b"], ["a"]),
             helper.make_node("Relu", ["a"], ["y"])]
    m = make_model(nodes, [("x", [None, 4, 12])], [("y", None)], {"w": w, "b": bias})
    model = check(m, {"x": rng.standard_normal((2, 4, 12)).astype(np.float32)})
    assert [op for _, op in model.nodes] == ["FullyConnected"]


# ----------------------------------------------------------------- pooling, reductions, softmax

@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
@pytest.mark.parametrize("attrs", [
    dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
    dict(kernel_shape=[2, 3], strides=[2, 1], pads=[0, 1, 1, 0], ceil_mode=0),
    dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
    dict(kernel_shape=[2, 2], strides=[3, 3], ceil_mode=1),
])
@pytest.mark.parametrize("count_include_pad", [0, 1])
def test_pool(op, attrs, count_include_pad, rng):
    attrs = dict(attrs)
    if op == "AveragePool":
        attrs["count_include_pad"] = count_include_pad
    elif count_include_pad and "auto_pad" not in attrs:
        attrs["dilations"] = [2, 1]  # (the second MaxPool run: dilated)
    m, feeds = one(op, (2, 3, 9, 8), attrs, rng=rng, opset=19)
    check(m, feeds)


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
@pytest.mark.parametrize("attrs", [
    dict(kernel_shape=[3], strides=[2], pads=[1, 1], ceil_mode=1),
    dict(kernel_shape=[3], strides=[1], pads=[1, 1]),
    dict(kernel_shape=[2], strides=[2]),
])
def test_pool_1d(op, attrs, rng):
    """1-D pooling runs on the 2-D kernels with height 1."""
    m, feeds = one(op, (2, 3, 11), attrs, rng=rng, opset=19)
    check(m, feeds)


def test_max_pool_nan(rng):
    """A NaN in a window gives NaN (np.maximum's rule, kept by the kernels)."""
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
    x[0, 0, 2, 3] = np.nan
    m, feeds = one("MaxPool", x.shape, dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]), x=x)
    y = armconv.load(m).run(feeds)["y0"]
    assert np.isnan(y[0, 0, 1, 1:3]).all() and np.isnan(y).sum() == 2


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
def test_global_pool(op, rng):
    m, feeds = one(op, (2, 5, 4, 3), rng=rng)
    check(m, feeds)


@pytest.mark.parametrize("op", ["ReduceMean", "ReduceSum", "ReduceMax"])
@pytest.mark.parametrize("opset", [11, 18])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_reduce(op, opset, keepdims, rng):
    if opset >= 18 or (op == "ReduceSum" and opset >= 13):
        m, feeds = one(op, (2, 3, 4, 5), {"keepdims": keepdims}, ["axes"],
                       {"axes": np.array([1, -1], np.int64)}, opset=opset, rng=rng)
    else:
        m, feeds = one(op, (2, 3, 4, 5), {"keepdims": keepdims, "axes": [1, -1]}, opset=opset, rng=rng)
    check(m, feeds)


@pytest.mark.parametrize("opset,axis", [(11, 1), (11, 2), (13, 1), (13, -1)])
@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax(op, opset, axis, rng):
    m, feeds = one(op, (2, 3, 4), {"axis": axis}, opset=opset, rng=rng)
    if opset >= 13:
        check(m, feeds)
        return
    # Before opset 13 the input is seen as 2-D [prod(shape[:axis]), prod(shape[axis:])]
    # (onnx's ReferenceEvaluator applies the opset-13 rule here; onnxruntime agrees with this).
    x = feeds["x"].astype(np.float64).reshape(int(np.prod((2, 3, 4)[:axis])), -1)
    e = np.exp(x - x.max(1, keepdims=True))
    ref = e / e.sum(1, keepdims=True)
    ref = (np.log(ref) if op == "LogSoftmax" else ref).reshape(2, 3, 4)
    y = armconv.load(m)(feeds["x"])
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- data movement

def test_split_slice_concat_transpose(rng):
    inits = {"sp": np.array([1, 3, 2], np.int64), "st": np.array([1, -1], np.int64),
             "en": np.array([100, -6], np.int64), "ax": np.array([3, 2], np.int64),
             "stp": np.array([2, -1], np.int64)}
    nodes = [helper.make_node("Split", ["x", "sp"], ["a", "b", "c"], axis=1),
             helper.make_node("Concat", ["c", "a", "b"], ["d"], axis=1),
             helper.make_node("Slice", ["d", "st", "en", "ax", "stp"], ["e"]),
             helper.make_node("Transpose", ["e"], ["y"], perm=[0, 2, 3, 1])]
    m = make_model(nodes, [("x", [None, 6, 7, 9])], [("y", None)], inits)
    check(m, {"x": rng.standard_normal((2, 6, 7, 9)).astype(np.float32)})


def test_old_opset_attribute_forms(rng):
    """Split/Squeeze/Unsqueeze/Slice/Pad/ReduceMean with attributes (opset 9-11)."""
    nodes = [helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[2, 4]),
             helper.make_node("Unsqueeze", ["a"], ["u"], axes=[0]),
             helper.make_node("Squeeze", ["u"], ["s"], axes=[0]),
             helper.make_node("Slice", ["b"], ["c"], starts=[1], ends=[3], axes=[2]),
             helper.make_node("Pad", ["s"], ["p"], pads=[0, 0, 1, 0, 0, 0, 0, 0], mode="edge"),
             helper.make_node("ReduceMean", ["c"], ["r"], axes=[1, 2], keepdims=1),
             helper.make_node("Mul", ["p", "r"], ["y"])]
    m = make_model(nodes, [("x", [None, 6, 5, 4])], [("y", None)], opset=9)
    for batch in (1, 3):
        check(m, {"x": rng.standard_normal((batch, 6, 5, 4)).astype(np.float32)})


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_pad(mode, rng):
    inits = {"pads": np.array([0, 1, 2, 0, 0, 0, 1, 3], np.int64), "v": np.float32(0.5)}
    ins = ["pads"] + (["v"] if mode == "constant" else [])
    m, feeds = one("Pad", (2, 3, 4, 5), {"mode": mode}, ins, inits, rng=rng)
    check(m, feeds)


def test_shape_arithmetic_folds(rng):
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape (a view), computed for each
    input shape before the run; ConstantOfShape and Cast too."""
    inits = {"i0": np.array(0, np.int64), "m1": np.array([-1], np.int64), "two": np.array([2], np.int64)}
    nodes = [helper.make_node("Shape", ["x"], ["sh"]),
             helper.make_node("Gather", ["sh", "i0"], ["n"], axis=0),
             helper.make_node("Unsqueeze", ["n", "zero_axes"], ["n1"]),
             helper.make_node("Concat", ["n1", "m1"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["flat"]),
             helper.make_node("ConstantOfShape", ["two"], ["ones"],
                              value=numpy_helper.from_array(np.array([1.5], np.float32))),
             helper.make_node("Cast", ["sh"], ["shf"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["shf"], ["total"], keepdims=0),
             helper.make_node("Mul", ["flat", "total"], ["scaled"]),
             helper.make_node("Slice", ["scaled", "i1", "two"], ["sl"], ),
             helper.make_node("Concat", ["sl", "ones"], ["y"], axis=1)]
    inits.update({"zero_axes": np.array([0], np.int64), "i1": np.array([0], np.int64)})
    nodes[9] = helper.make_node("Slice", ["scaled", "i1", "two", "ax1"], ["sl"])
    inits["ax1"] = np.array([1], np.int64)
    nodes[5] = helper.make_node("ConstantOfShape", ["cs"], ["ones"],
                                value=numpy_helper.from_array(np.array([1.5], np.float32)))
    nodes.insert(5, helper.make_node("Concat", ["n1", "two"], ["cs"], axis=0))
    m = make_model(nodes, [("x", [None, 2, 3])], [("y", None)], inits)
    for batch in (1, 4):
        model = check(m, {"x": rng.standard_normal((batch, 2, 3)).astype(np.float32)})
    p = model.plan({"x": (4, 2, 3)})
    assert {n.op for n in p.folded} >= {"Shape", "Gather", "Concat", "ConstantOfShape", "Cast"}
    assert [s.node.op for s in p.steps] == ["Mul", "Slice", "Concat"]


def test_gather_runtime_indices(rng):
    x = rng.standard_normal((5, 4)).astype(np.float32)
    idx = np.array([[3, 0], [-1, 2]], np.int64)
    m = make_model([helper.make_node("Gather", ["x", "i"], ["y"], axis=0)], [("x", [5, 4])], [("y", None)])
    m.graph.input.append(helper.make_tensor_value_info("i", TensorProto.INT64, [2, 2]))
    with pytest.raises(ValueError, match="float32"):
        armconv.load(m)  # armconv models take float inputs
    m = make_model([helper.make_node("Gather", ["x", "i"], ["y"], axis=1)], [("x", [None, 4])], [("y", None)],
                   {"i": idx[:, ::-1].copy()})
    check(m, {"x": x})


def test_expand_and_flatten(rng):
    inits = {"shape": np.array([2, 3, 4], np.int64)}
    nodes = [helper.make_node("Expand", ["x", "shape"], ["e"]), helper.make_node("Flatten", ["e"], ["y"], axis=2)]
    m = make_model(nodes, [("x", [3, 1])], [("y", None)], inits)
    check(m, {"x": rng.standard_normal((3, 1)).astype(np.float32)})


# ----------------------------------------------------------------- Resize

@pytest.mark.parametrize("mode,coord,nearest", [
    ("nearest", "asymmetric", "floor"), ("nearest", "half_pixel", "round_prefer_floor"),
    ("nearest", "align_corners", "round_prefer_ceil"), ("nearest", "tf_half_pixel_for_nn", "ceil"),
    ("nearest", "pytorch_half_pixel", "round_prefer_ceil"), ("nearest", "half_pixel_symmetric", "floor"),
    ("linear", "half_pixel_symmetric", None),
    ("linear", "half_pixel", None), ("linear", "pytorch_half_pixel", None),
    ("linear", "align_corners", None), ("linear", "asymmetric", None),
])
@pytest.mark.parametrize("by", ["scales", "sizes"])
def test_resize(mode, coord, nearest, by, rng):
    attrs = {"mode": mode, "coordinate_transformation_mode": coord}
    if nearest:
        attrs["nearest_mode"] = nearest
    if by == "scales":
        inits = {"scales": np.array([1, 1, 2.0, 1.5], np.float32)}
        ins = ["roi", "scales"]
    else:
        inits = {"sizes": np.array([2, 3, 7, 4], np.int64), "scales": np.zeros(0, np.float32)}
        ins = ["roi", "scales", "sizes"]
    inits["roi"] = np.zeros(0, np.float32)
    # (tf_half_pixel_for_nn exists in Resize-11 only; the output widths are whole
    # numbers: for a fractional in * scale, implementations differ on align_corners)
    opset = {"tf_half_pixel_for_nn": 11, "half_pixel_symmetric": 19}.get(coord, 13)
    m, feeds = one("Resize", (2, 3, 4, 6), attrs, ins, inits, rng=rng, opset=opset)
    check(m, feeds)


def test_resize_opset10(rng):
    """Resize-10: (X, scales), asymmetric coordinates: nearest doubles every pixel."""
    x = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
    m, feeds = one("Resize", x.shape, {"mode": "nearest"}, ["scales"],
                   {"scales": np.array([1, 1, 2, 2], np.float32)}, x=x, opset=10)
    y = armconv.load(m)(x)
    np.testing.assert_array_equal(y, x.repeat(2, axis=2).repeat(2, axis=3))


# ----------------------------------------------------------------- saved form

def test_saved_form_needs_no_onnx(tmp_path, rng):
    """The .npz loads without the onnx package (imports of onnx fail)."""
    import subprocess
    import sys
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    m, feeds = one("Conv", (1, 3, 6, 6), {"pads": [1, 1, 1, 1]}, ["w"], {"w": w}, rng=rng)
    armconv.load(m).save(tmp_path / "m.npz")
    np.save(tmp_path / "x.npy", feeds["x"])
    code = ("import sys; sys.modules['onnx'] = None; import numpy as np, armconv; "
            f"m = armconv.load({str(tmp_path / 'm.npz')!r}); "
            f"print(float(np.abs(m(np.load({str(tmp_path / 'x.npy')!r}))).sum()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    ref = reference(m, feeds)[0]
    assert abs(float(out) - float(np.abs(ref).sum())) <= 1e-3 * float(np.abs(ref).sum())
