"""int8 whole-model inference (Model.quantize, load(precision="int8")) on
models built straight from armconv's graph form: numpy only, so it runs on
every target (the NEON quantize and int8 kernels under QEMU included).

What is checked:
- the pipeline, exactly: a calibrated convolution's output is, bit for bit,
  QConv2d(w, b, input_scale=max|x| / 127)(armconv.quantize(x, max|x| / 127));
- accuracy against float64 with a bound derived per element (one layer) and
  a stated bound on logits (whole networks), see the tests;
- bits independent of thread count and batch cuts; save/load round trip;
- the errors a user can meet, the summary, the layer rule, and the
  float32 -> int8 kernel against the documented rule at every rounding edge.
"""
import math
import os

import numpy as np
import pytest

from reference import conv2d_ref

import armconv
from armconv._model import int8 as int8_mod
from armconv._model.ir import Graph, Node
from armconv._model.model import Model
from armconv._model.passes import optimize

INF = math.inf


def rnd(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def rel_err(y, ref):
    return float(np.abs(y.astype(np.float64) - ref).max() / np.abs(ref).max())


# ----------------------------------------------------------------- models

# (name, cin, cout, k, stride, pad, groups, activation node or None)
LAYERS = [
    ("pointwise", 16, 48, 1, 1, 0, 1, "Relu"),
    ("pointwise_s2", 24, 40, 1, 2, 0, 1, None),
    ("conv3x3", 8, 24, 3, 1, 1, 1, "Clip6"),
    ("conv3x3_s2", 8, 16, 3, 2, 1, 1, "Relu"),
    ("depthwise", 32, 32, 3, 1, 1, 32, "Clip6"),
    ("depthwise_s2", 24, 24, 3, 2, 1, 24, None),
    ("grouped5x5", 12, 12, 5, 1, 2, 3, None),
]


def one_conv(rng, spec, bias=True):
    """One Conv (+ activation) on a free-sized input; -> (graph, weight, bias, params)."""
    name, cin, cout, k, s, p, g, act = spec
    w = rnd(rng, cout, cin // g, k, k, scale=1.0 / math.sqrt(cin // g * k * k))
    b = rnd(rng, cout, scale=0.1) if bias else None
    consts = {"w": w, "lo": np.float32(0), "hi": np.float32(6)}
    ins = ["x", "w"]
    if b is not None:
        consts["b"] = b
        ins.append("b")
    out = "y" if act is None else "c"
    nodes = [Node("Conv", "conv", ins, [out], {"pads": [p] * 4, "strides": [s, s], "group": g})]
    if act == "Relu":
        nodes.append(Node("Relu", "act", ["c"], ["y"]))
    elif act == "Clip6":
        nodes.append(Node("Clip", "act", ["c", "lo", "hi"], ["y"]))
    graph = optimize(Graph([("x", [None, cin, None, None])], ["y"], nodes, consts))
    bounds = {None: None, "Relu": (0.0, INF), "Clip6": (0.0, 6.0)}[act]
    return graph, w, b, dict(stride=(s, s), pads=(p, p, p, p), groups=g, act=bounds)


def mobilenet_like(rng, c=16, t=4, blocks=2, c2=None, extra_reader=None):
    """stem 3x3 s2 + relu6 -> `blocks` inverted residual blocks of c channels (expand 1x1 +
    relu6 -> depthwise 3x3 + relu6 -> project 1x1; block i > 0 adds its input: res1, res2,
    ..., each Add's output read by the next block's expansion and the next Add, as in
    MobileNetV2's stages) -> with c2, a block to c2 channels (no residual) ->
    GlobalAveragePool -> Flatten -> Gemm (10 logits). The default: two blocks, the second
    with the residual Add. extra_reader="sigmoid": a float node reading res1's output (a
    second graph output)."""
    h = c * t
    k = {"lo": np.float32(0), "hi": np.float32(6),
         "ws": rnd(rng, c, 3, 3, 3, scale=0.4), "bs": rnd(rng, c, scale=0.1),
         "fc": rnd(rng, 10, c2 or c, scale=0.3), "fcb": rnd(rng, 10, scale=0.1)}
    nodes = [Node("Conv", "stem", ["x", "ws", "bs"], ["s0"], {"pads": [1, 1, 1, 1], "strides": [2, 2]}),
             Node("Clip", "stem_act", ["s0", "lo", "hi"], ["a0"])]
    x = "a0"
    outs = ["logits"]
    for i in range(blocks + (1 if c2 else 0)):
        co = c if i < blocks else c2
        k[f"we{i}"] = rnd(rng, h, c, 1, 1, scale=1 / math.sqrt(c))
        k[f"be{i}"] = rnd(rng, h, scale=0.1)
        k[f"wd{i}"] = rnd(rng, h, 1, 3, 3, scale=1 / 3)
        k[f"bd{i}"] = rnd(rng, h, scale=0.1)
        k[f"wp{i}"] = rnd(rng, co, h, 1, 1, scale=1 / math.sqrt(h))
        k[f"bp{i}"] = rnd(rng, co, scale=0.1)
        nodes += [Node("Conv", f"expand{i}", [x, f"we{i}", f"be{i}"], [f"e{i}"], {}),
                  Node("Clip", f"expand{i}_act", [f"e{i}", "lo", "hi"], [f"ea{i}"]),
                  Node("Conv", f"dw{i}", [f"ea{i}", f"wd{i}", f"bd{i}"], [f"d{i}"],
                       {"pads": [1, 1, 1, 1], "group": h}),
                  Node("Clip", f"dw{i}_act", [f"d{i}", "lo", "hi"], [f"da{i}"]),
                  Node("Conv", f"project{i}", [f"da{i}", f"wp{i}", f"bp{i}"], [f"p{i}"], {})]
        if 0 < i < blocks:
            nodes.append(Node("Add", f"res{i}", [f"p{i}", x], [f"r{i}"]))
            x = f"r{i}"
        else:
            x = f"p{i}"
    if extra_reader == "sigmoid":
        nodes.append(Node("Sigmoid", "side", ["r1"], ["side"]))
        outs.append("side")
    nodes += [Node("GlobalAveragePool", "gap", [x], ["g"]),
              Node("Flatten", "flat", ["g"], ["f"], {"axis": 1}),
              Node("Gemm", "fc", ["f", "fc", "fcb"], ["logits"], {"transB": 1})]
    return optimize(Graph([("x", [None, 3, 16, 16])], outs, nodes, k)), k


def mobilenet_ref(x, k, c=16):
    a = np.clip(conv2d_ref(x, k["ws"], k["bs"], stride=(2, 2), pads=(1, 1, 1, 1)), 0, 6)
    for i in range(2):
        e = np.clip(conv2d_ref(a, k[f"we{i}"], k[f"be{i}"]), 0, 6)
        d = np.clip(conv2d_ref(e, k[f"wd{i}"], k[f"bd{i}"], pads=(1, 1, 1, 1), groups=e.shape[1]), 0, 6)
        p = conv2d_ref(d, k[f"wp{i}"], k[f"bp{i}"])
        a = p + a if i == 1 else p
    return a.mean(axis=(2, 3)) @ k["fc"].astype(np.float64).T + k["fcb"]


def resnet_like(rng, c=16):
    """conv3x3 + relu -> basic block (conv3x3 relu conv3x3 + x, relu) -> downsampling block
    (3x3 s2 and the 1x1 s2 shortcut, both reading the same tensor) -> GAP -> Gemm."""
    k = {"w0": rnd(rng, c, 3, 3, 3, scale=0.4), "b0": rnd(rng, c, scale=0.1),
         "w1": rnd(rng, c, c, 3, 3, scale=1 / math.sqrt(9 * c)), "w2": rnd(rng, c, c, 3, 3, scale=1 / math.sqrt(9 * c)),
         "w3": rnd(rng, 2 * c, c, 3, 3, scale=1 / math.sqrt(9 * c)), "b3": rnd(rng, 2 * c, scale=0.1),
         "w4": rnd(rng, 2 * c, 2 * c, 3, 3, scale=1 / math.sqrt(18 * c)),
         "wsc": rnd(rng, 2 * c, c, 1, 1, scale=1 / math.sqrt(c)),
         "fc": rnd(rng, 10, 2 * c, scale=0.3), "fcb": rnd(rng, 10, scale=0.1)}
    p1 = {"pads": [1, 1, 1, 1]}
    nodes = [Node("Conv", "conv0", ["x", "w0", "b0"], ["c0"], p1), Node("Relu", "r0", ["c0"], ["a0"]),
             Node("Conv", "conv1", ["a0", "w1"], ["c1"], p1), Node("Relu", "r1", ["c1"], ["a1"]),
             Node("Conv", "conv2", ["a1", "w2"], ["c2"], p1), Node("Add", "add2", ["c2", "a0"], ["s2"]),
             Node("Relu", "r2", ["s2"], ["a2"]),
             Node("Conv", "conv3", ["a2", "w3", "b3"], ["c3"], {"pads": [1, 1, 1, 1], "strides": [2, 2]}),
             Node("Relu", "r3", ["c3"], ["a3"]),
             Node("Conv", "conv4", ["a3", "w4"], ["c4"], p1),
             Node("Conv", "shortcut", ["a2", "wsc"], ["sc"], {"strides": [2, 2]}),
             Node("Add", "add4", ["c4", "sc"], ["s4"]), Node("Relu", "r4", ["s4"], ["a4"]),
             Node("GlobalAveragePool", "gap", ["a4"], ["g"]), Node("Flatten", "flat", ["g"], ["f"], {"axis": 1}),
             Node("Gemm", "fc", ["f", "fc", "fcb"], ["logits"], {"transB": 1})]
    return optimize(Graph([("x", [None, 3, 16, 16])], ["logits"], nodes, k)), k


def resnet_ref(x, k):
    p1 = (1, 1, 1, 1)
    a0 = np.maximum(conv2d_ref(x, k["w0"], k["b0"], pads=p1), 0)
    a1 = np.maximum(conv2d_ref(a0, k["w1"], pads=p1), 0)
    a2 = np.maximum(conv2d_ref(a1, k["w2"], pads=p1) + a0, 0)
    a3 = np.maximum(conv2d_ref(a2, k["w3"], k["b3"], stride=(2, 2), pads=p1), 0)
    a4 = np.maximum(conv2d_ref(a3, k["w4"], pads=p1) + conv2d_ref(a2, k["wsc"], stride=(2, 2)), 0)
    return a4.mean(axis=(2, 3)) @ k["fc"].astype(np.float64).T + k["fcb"]


NETS = {"mobilenet": (mobilenet_like, mobilenet_ref), "resnet": (resnet_like, resnet_ref)}


# ----------------------------------------------------------------- the pipeline, exactly

@pytest.mark.parametrize("spec", LAYERS, ids=[s[0] for s in LAYERS])
def test_layer_is_qconv2d_of_quantized_input(rng, spec):
    """model(x) of a quantized one-conv model is QConv2d(...)(armconv.quantize(x, s)) bit for
    bit, with s = max|x| / 127 over the calibration inputs."""
    graph, w, b, prm = one_conv(rng, spec)
    model = Model(graph, "one")
    cal = [rnd(rng, 2, spec[1], 9, 11), rnd(rng, 3, spec[1], 9, 11, scale=1.5)]
    q = model.quantize(cal, layers="all")
    s = max(float(np.abs(c).max()) for c in cal) / 127
    assert q.input_scales == {"conv": s}
    assert q.int8_layers == ["conv"] and model.int8_layers == [] and model.precision == "fp32"
    act = {None: None, (0.0, INF): "relu", (0.0, 6.0): "relu6"}[prm["act"]]
    layer = armconv.QConv2d(w, b, input_scale=s, stride=prm["stride"], padding=prm["pads"],
                            groups=prm["groups"], activation=act)
    x = rnd(rng, 2, spec[1], 13, 10, scale=0.8)
    np.testing.assert_array_equal(q(x), layer(armconv.quantize(x, s)))


def test_1d_conv(rng):
    """A 1-D Conv runs as a 2-D QConv2d of height 1 (its int8 input reshaped in the plan)."""
    w, b = rnd(rng, 12, 6, 5, scale=0.3), rnd(rng, 12, scale=0.1)
    g = Graph([("x", [None, 6, None])], ["y"],
              [Node("Conv", "c1d", ["x", "w", "b"], ["y"], {"pads": [2, 1], "strides": [2]})], {"w": w, "b": b})
    x = rnd(rng, 3, 6, 31)
    q = Model(optimize(g), "1d").quantize(x, layers="all")
    assert q.int8_layers == ["c1d"]
    s = q.input_scales["c1d"]
    layer = armconv.QConv2d(w[:, :, None, :], b, input_scale=s, stride=(1, 2), padding=(0, 0, 2, 1))
    want = layer(armconv.quantize(x[:, :, None, :], s))[:, :, 0, :]
    np.testing.assert_array_equal(q(x), want)


@pytest.mark.parametrize("spec", LAYERS, ids=[s[0] for s in LAYERS])
def test_layer_error_within_derived_bound(rng, spec):
    """One int8 layer against float64, per output element. With xq = q_x s_x, wq = q_w s_w
    (|x - xq| <= s_x / 2 inside the calibrated range, |w - wq| <= s_w[o] / 2):
        |y - y8| <= sum over the window of (|w| s_x / 2 + |x| s_w / 2 + s_x s_w / 4)
                    + unit / 2 (the bias rounded to the accumulator's unit s_x s_w)
                    + 2^-22 (|y| + that)  (float32(acc) times float32(unit), each rounded once)
    and the fused clamp does not increase it."""
    graph, w, b, prm = one_conv(rng, spec)
    x = rnd(rng, 3, spec[1], 12, 9)
    q = Model(graph, "one").quantize(x, layers="all")
    s_x = q.input_scales["conv"]
    layer = armconv.QConv2d(w, b, input_scale=s_x, stride=prm["stride"], padding=prm["pads"],
                            groups=prm["groups"])
    s_w = layer.weight_scale.astype(np.float64)
    kw = dict(stride=prm["stride"], pads=prm["pads"], groups=prm["groups"])
    ref = conv2d_ref(x, w, b, act=prm["act"], **kw)
    k = w[0].size
    bound = (s_x / 2 * conv2d_ref(np.ones_like(x), np.abs(w), **kw)
             + s_w[None, :, None, None] / 2 * conv2d_ref(np.abs(x), np.ones_like(w), **kw)
             + k * s_x * s_w[None, :, None, None] / 4 + s_x * s_w[None, :, None, None] / 2)
    bound += 2.0 ** -22 * (np.abs(ref) + bound)
    y = q(x)
    err = np.abs(y - ref)
    assert (err <= bound).all(), float((err / bound).max())
    # and int8 ran: the error is not float32's
    assert rel_err(y, ref) > 1e-4


@pytest.mark.parametrize("net", sorted(NETS))
def test_network_logits_within_bound(rng, net):
    """Whole networks, every convolution int8 (layers="all"; the FC stays float32), calibrated
    on 8 inputs, run on 4 others of the same distribution. Bound on max|logits - float64| /
    max|float64 logits|: each int8 layer rounds its input and its weights to half a step of
    their ranges (1/254 of max|x|, of max|w[o]|), a relative error of at most 2/254 = 0.8% of the
    layer's output range if all roundings lined up; the 7 (mobilenet) / 6 (resnet) int8 layers
    in sequence add at most about 7 x 0.8% = 5.5%: bound 0.06. (Observed: about 1%, the
    roundings being independent.) The float32 model is within 1e-4."""
    build, ref_fn = NETS[net]
    graph, k = build(rng)
    model = Model(graph, net)
    cal = rnd(rng, 8, 3, 16, 16)
    q = model.quantize(cal, layers="all")
    convs = [n for n, op in model.nodes if op == "Conv"]
    assert sorted(q.int8_layers) == sorted(convs)
    x = rnd(rng, 4, 3, 16, 16)
    ref = ref_fn(x, k)
    assert rel_err(model(x), ref) < 1e-4
    err = rel_err(q(x), ref)
    print(f"{net}: int8 logits max error / max |logit| = {err:.2e}")
    assert 1e-4 < err < 0.06


# ----------------------------------------------------------------- determinism, saving

def test_bits_across_threads_and_batch_cuts(rng):
    graph, _ = mobilenet_like(rng)
    q = Model(graph, "m").quantize(rnd(rng, 4, 3, 16, 16), layers="all")
    x = rnd(rng, 5, 3, 16, 16)
    with armconv.threads(1):
        y1 = q(x)
    for t in (2, 3):
        with armconv.threads(t):
            np.testing.assert_array_equal(q(x), y1)
    for i in range(5):  # one image alone gives its own row
        np.testing.assert_array_equal(q(x[i:i + 1]), y1[i:i + 1])
    np.testing.assert_array_equal(q(x[1:4]), y1[1:4])


def test_calibration_cut_does_not_matter(rng):
    graph, _ = resnet_like(rng)
    model = Model(graph, "r")
    cal = rnd(rng, 10, 3, 16, 16)
    a = model.quantize(cal)
    b = model.quantize([cal[:3], {"x": cal[3:4]}, cal[4:]])
    assert a.input_scales == b.input_scales and len(a.input_scales) == 6


def test_calibration_of_a_fixed_batch_export(rng):
    """An export whose Reshape fixes the batch at 1 (no dynamic batch axis): a calibration
    array of 5 samples runs one sample at a time (model(x) itself takes batch 1 only)."""
    graph, w, b, prm = one_conv(rng, LAYERS[0])
    nodes = graph.nodes + [Node("Reshape", "fixed", ["y", "shape"], ["z"])]
    g = Graph(graph.inputs, ["z"], nodes, dict(graph.consts, shape=np.array([1, 48, 16], np.int64)))
    model = Model(g, "fixed")
    cal = rnd(rng, 5, 16, 4, 4)
    q = model.quantize(cal)
    assert q.input_scales == {"conv": float(np.abs(cal).max()) / 127}
    with pytest.raises(ValueError, match="cannot reshape"):
        model(cal)


def test_save_load_round_trip(rng, tmp_path):
    graph, _ = mobilenet_like(rng)
    model = Model(graph, "m")
    q = model.quantize(rnd(rng, 4, 3, 16, 16), layers="all")
    x = rnd(rng, 2, 3, 16, 16)
    path = os.path.join(str(tmp_path), "m_int8.npz")
    q.save(path)
    q2 = armconv.load(path, precision="int8")
    assert q2.input_scales == q.input_scales and q2.int8_layers == q.int8_layers
    np.testing.assert_array_equal(q2(x), q(x))
    # the same file at fp32: the float model, bit for bit (the scales ride along unused)
    f = armconv.load(path)
    assert f.int8_layers == [] and f.input_scales == q.input_scales
    np.testing.assert_array_equal(f(x), model(x))
    # saved again from the fp32 load: still quantizable by load
    path2 = os.path.join(str(tmp_path), "again.npz")
    f.save(path2)
    np.testing.assert_array_equal(armconv.load(path2, precision="int8")(x), q(x))


def test_reads_files_without_meta(rng, tmp_path):
    """Files of armconv before int8 models (no "meta" in the saved graph) still load, at fp32;
    precision="int8" says they have no scales."""
    import json
    graph, _ = resnet_like(rng)
    model = Model(graph, "r")
    path = str(tmp_path / "new.npz")
    model.save(path)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    doc = json.loads(bytes(arrays["__armconv_graph__"]).decode())
    assert doc.pop("meta") == {} and doc["version"] == 1
    arrays["__armconv_graph__"] = np.frombuffer(json.dumps(doc).encode(), np.uint8)
    old = str(tmp_path / "old.npz")
    np.savez(old, **arrays)
    x = rnd(rng, 1, 3, 16, 16)
    np.testing.assert_array_equal(armconv.load(old)(x), model(x))
    with pytest.raises(ValueError, match="has no int8 scales"):
        armconv.load(old, precision="int8")


def test_quantize_of_fp16_model_calibrates_in_fp32(rng):
    graph, _ = resnet_like(rng)
    cal = rnd(rng, 3, 3, 16, 16)
    a = Model(graph, "r").quantize(cal)
    b = Model(graph, "r", "fp16").quantize(cal)
    assert a.input_scales == b.input_scales


# ----------------------------------------------------------------- errors

@pytest.fixture
def small(rng):
    graph, _ = mobilenet_like(rng)
    return Model(graph, "m")


@pytest.mark.parametrize("cal, exc, words", [
    (None, ValueError, "calibration is None"),
    ([], ValueError, "calibration is empty"),
    ("x.npy", TypeError, "calibration must be"),
    (np.zeros((2, 3, 16, 16), np.int32), TypeError, "x.astype(np.float32)"),
    (np.zeros((2, 3, 15, 16), np.float32), ValueError, "(any batch size)"),
    (np.zeros((0, 3, 16, 16), np.float32), ValueError, "no samples"),
    ({"y": np.zeros((1, 3, 16, 16), np.float32)}, ValueError, "unknown input name"),
    ([np.zeros((1, 3, 16, 16), np.float32), [1, 2]], TypeError, "calibration[1]"),
])
def test_calibration_errors(small, cal, exc, words):
    with pytest.raises(exc) as e:
        small.quantize(cal)
    assert words in str(e.value), str(e.value)


def test_calibration_nan(small, rng):
    x = rnd(rng, 2, 3, 16, 16)
    x[1, 2, 3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        small.quantize([rnd(rng, 1, 3, 16, 16), x])
    x[1, 2, 3, 4] = np.inf
    with pytest.raises(ValueError, match=r"calibration\[0\]"):
        small.quantize([x])


def test_calibration_overflow_inside_the_model(rng):
    graph, _, _, _ = one_conv(rng, LAYERS[0])
    two = Graph(graph.inputs, ["z"], graph.nodes + [
        Node("Mul", "big", ["y", "k"], ["m"]), Node("Conv", "conv2", ["m", "w2"], ["z"], {})],
        dict(graph.consts, k=np.float32(1e38), w2=rnd(rng, 4, 48, 1, 1)))
    with pytest.raises(ValueError, match="node 'conv2'.*overflows"):
        Model(two, "o").quantize(rnd(rng, 1, 16, 4, 4) + 5)


def test_layers_argument(small, rng):
    with pytest.raises(ValueError, match="layers must be 'auto' or 'all'"):
        small.quantize(rnd(rng, 1, 3, 16, 16), layers="most")


def test_int8_without_scales(small, tmp_path):
    with pytest.raises(ValueError, match=r"no int8 scales.*model.quantize\(calibration\).*--int8"):
        Model(small._graph, "m", "int8")
    path = os.path.join(str(tmp_path), "f.npz")
    small.save(path)
    with pytest.raises(ValueError, match=r"f.npz' has no int8 scales.*model.quantize\(calibration\)"):
        armconv.load(path, precision="int8")
    with pytest.raises(ValueError, match=r"'fp32', 'fp16', 'int8' or 'int8\+fp16'"):
        armconv.load(path, precision="int4")


def test_nan_input_at_run_time(small, rng):
    """A NaN reaching an int8 layer's Quantize raises naming the layer, the tensor, where it
    comes from and what to do."""
    q = small.quantize(rnd(rng, 2, 3, 16, 16), layers="all")
    x = rnd(rng, 1, 3, 16, 16)
    x[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError) as e:
        q(x)
    msg = str(e.value)
    assert msg.startswith("node 'stem' (Conv): runs int8 and its input 'x' (a model input) holds NaN"), msg
    assert "np.isnan(x).any()" in msg and "armconv.load(path)" in msg
    # made inside the model: x -> Sqrt -> two int8 convolutions sharing one Quantize
    w1, w2 = rnd(rng, 8, 4, 1, 1), rnd(rng, 6, 4, 3, 3)
    g = Graph([("x", [None, 4, None, None])], ["y1", "y2"],
              [Node("Sqrt", "root", ["x"], ["r"]), Node("Conv", "c1", ["r", "w1"], ["y1"], {}),
               Node("Conv", "c2", ["r", "w2"], ["y2"], {"pads": [1, 1, 1, 1]})], {"w1": w1, "w2": w2})
    q = Model(optimize(g), "sq").quantize(np.abs(rnd(rng, 2, 4, 5, 5)), layers="all")
    assert [op for _, op in q.nodes].count("Quantize") == 1
    x = np.abs(rnd(rng, 1, 4, 5, 5))
    q(x)
    x[0, 3, 4, 4] = -1
    with pytest.raises(ValueError, match=r"^node 'c1' \(Conv\), node 'c2' \(Conv\): runs int8 and its "
                       r"input 'r' \(the output of node 'root' \(Sqrt\)\) holds NaN"):
        with np.errstate(invalid="ignore"):
            q(x)


def test_uncalibrated_layer_stays_float(rng):
    """Two inputs (calibrated by dicts): a conv whose input was 0 on every calibration input
    gets no scale and runs float32; the other runs int8. All-zero calibration raises."""
    graph, w, b, prm = one_conv(rng, LAYERS[0])
    nodes = graph.nodes + [Node("Conv", "conv_b", ["x2", "wb"], ["z"], {})]
    two = Graph(graph.inputs + [("x2", (None, 4, None, None))], ["y", "z"], nodes,
                dict(graph.consts, wb=rnd(rng, 8, 4, 1, 1)))
    model = Model(two, "two")
    zeros = np.zeros((2, 4, 5, 5), np.float32)
    q = model.quantize([{"x": rnd(rng, 2, 16, 5, 5), "x2": zeros}], layers="all")
    assert list(q.input_scales) == ["conv"] and q.int8_layers == ["conv"]
    x, x2 = rnd(rng, 1, 16, 5, 5), rnd(rng, 1, 4, 5, 5)
    np.testing.assert_array_equal(q(x, x2)[1], model(x, x2)[1])
    assert not np.array_equal(q(x, x2)[0], model(x, x2)[0])
    with pytest.raises(ValueError, match="all-zero input"):
        model.quantize({"x": np.zeros((1, 16, 5, 5), np.float32), "x2": zeros})
    with pytest.raises(ValueError, match="the model has 2 inputs"):
        model.quantize(zeros)


# ----------------------------------------------------------------- command line

def test_cli_convert_int8_and_run(rng, tmp_path, capsys):
    """convert --int8 CALIB.npy saves the scales; run / bench --precision int8 use them (called
    in-process, as tests/test_model_cli.py: under QEMU a test cannot start an ARM program)."""
    from armconv._model import cli
    graph, _ = mobilenet_like(rng)
    src, out = str(tmp_path / "m.npz"), str(tmp_path / "m8.npz")
    Model(graph, "m").save(src)
    cal = rnd(rng, 6, 3, 16, 16)
    np.save(str(tmp_path / "cal.npy"), cal)
    assert cli.main(["convert", src, out, "--int8", str(tmp_path / "cal.npy"), "--layers", "all"]) == 0
    assert "int8 scales of 7 convolutions from 6 calibration inputs" in capsys.readouterr().out
    assert armconv.load(out).input_scales == Model(graph, "m").quantize(cal).input_scales
    assert cli.main(["run", out, "--precision", "int8", "--repeat", "1"]) == 0
    assert "precision int8: 7 of 8 convolution / fully connected layers run int8" in capsys.readouterr().out
    assert cli.main(["run", out, "--precision", "int8+fp16", "--repeat", "1"]) == 0
    assert "precision int8+fp16: 7 of 8 convolution / fully connected layers run int8" in capsys.readouterr().out
    assert cli.main(["bench", "--model", out, "--precision", "int8", "--repeat", "1"]) == 0
    assert "int8 gemm" in capsys.readouterr().out
    # a model without scales: the error says what to do
    assert cli.main(["run", src, "--precision", "int8"]) == 2
    assert "has no int8 scales" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="--layers needs --int8"):
        cli.main(["convert", src, out, "--layers", "all"])
    with pytest.raises(SystemExit, match="give one --int8 .npy each"):
        cli.main(["convert", src, out, "--int8", str(tmp_path / "cal.npy"), "--int8", str(tmp_path / "cal.npy")])


# ----------------------------------------------------------------- summary, rule

def test_summary_marks_int8_layers(small, rng):
    q = small.quantize(rnd(rng, 2, 3, 16, 16), layers="all")
    text = q.summary()
    assert "precision int8 (layers='all'): 7 of 8 convolution / fully connected layers run int8" in text
    rows = {line.split()[0]: line for line in text.splitlines() if " Conv " in line}
    assert len(rows) == 7 and all("int8 " in r for r in rows.values())
    # int8 out where an int8 conv alone reads the output: stem -> expand0 -> dw0 -> project0,
    # expand1 -> dw1 -> project1 (project0's output also feeds the residual Add)
    assert {k for k, r in rows.items() if ">int8" in r} == {"stem", "expand0", "dw0", "expand1", "dw1"}
    assert sum(line.split()[1:2] == ["Quantize"] for line in text.splitlines()) == 2
    assert "2 Quantize nodes" in text
    assert "int8" not in small.summary()


def test_shared_quantize_node(rng):
    """conv4's sibling: the shortcut and conv3 read the same tensor at the same scale."""
    graph, _ = resnet_like(rng)
    q = Model(graph, "r").quantize(rnd(rng, 2, 3, 16, 16), layers="all")
    ops = [op for _, op in q.nodes]
    # conv0 (x), conv1 (a0, also read by the residual Add), conv3 and shortcut (a2, shared);
    # conv2 reads conv1's int8 output, conv4 conv3's
    assert ops.count("Quantize") == 3 and ops.count("Conv") == 6
    assert q.input_scales["conv3"] == q.input_scales["shortcut"]


def test_int8_chain_is_qconv2d_with_int8_outputs(rng):
    """expand 1x1 -> depthwise 3x3 -> project 1x1, each alone reading the previous: the first two
    emit int8 at the next one's input scale (QConv2d's int8 output), bit for bit."""
    c, h = 8, 32
    k = {"we": rnd(rng, h, c, 1, 1, scale=0.35), "be": rnd(rng, h, scale=0.1),
         "wd": rnd(rng, h, 1, 3, 3, scale=0.3), "wp": rnd(rng, c, h, 1, 1, scale=0.2),
         "bp": rnd(rng, c, scale=0.1), "lo": np.float32(0), "hi": np.float32(6)}
    nodes = [Node("Conv", "expand", ["x", "we", "be"], ["e"]), Node("Clip", "a", ["e", "lo", "hi"], ["ea"]),
             Node("Conv", "dw", ["ea", "wd"], ["d"], {"pads": [1, 1, 1, 1], "group": h}),
             Node("Relu", "r", ["d"], ["dr"]), Node("Conv", "project", ["dr", "wp", "bp"], ["y"])]
    g = optimize(Graph([("x", [None, c, None, None])], ["y"], nodes, k))
    x = rnd(rng, 2, c, 9, 7)
    q = Model(g, "chain").quantize(x, layers="all")
    assert [op for _, op in q.nodes] == ["Quantize", "Conv", "Conv", "Conv"]
    s = q.input_scales
    e = armconv.QConv2d(k["we"], k["be"], input_scale=s["expand"], output_scale=s["dw"], activation="relu6")
    d = armconv.QConv2d(k["wd"], None, input_scale=s["dw"], output_scale=s["project"], padding=1, groups=h,
                        activation="relu")
    p = armconv.QConv2d(k["wp"], k["bp"], input_scale=s["project"])
    np.testing.assert_array_equal(q(x), p(d(e(armconv.quantize(x, s["expand"])))))
    assert rel_err(q(x), mobilenet_chain_ref(x, k)) < 0.03


def mobilenet_chain_ref(x, k):
    e = np.clip(conv2d_ref(x, k["we"], k["be"]), 0, 6)
    d = np.maximum(conv2d_ref(e, k["wd"], pads=(1, 1, 1, 1), groups=e.shape[1]), 0)
    return conv2d_ref(d, k["wp"], k["bp"])


@pytest.mark.parametrize("spec", [LAYERS[0], LAYERS[2], LAYERS[4]], ids=["pointwise", "conv3x3", "depthwise"])
def test_int8_fp16_layers(rng, spec):
    """precision "int8+fp16": a layer the rule runs int8 is QConv2d(quantize(x)), the other
    is Conv2d(precision="fp16") (half precision where the CPU has fp16 arithmetic and it
    pays, else float32), bit for bit; "int8" runs the latter in float32. On a CPU without
    fp16 the two precisions give the same bits. cortex-a76 (sdot, fp16): the 16->48 1x1
    layer runs int8 (as at "int8"), the 3x3 one fp16 (Winograd: 15.7 MACs per instruction
    against float32's 12.5), the depthwise one fp16 too (on a 10-wide map fp16 counts 2.36,
    float32 2.17: FP16_RATES, F32_DW_RATES)."""
    graph, w, b, prm = one_conv(rng, spec)
    model = Model(graph, "one")
    cal = rnd(rng, 2, spec[1], 9, 11)
    q8 = model.quantize(cal)
    q16 = model.quantize(cal, precision="int8+fp16")
    assert q16.precision == "int8+fp16" and q16.input_scales == q8.input_scales
    x = rnd(rng, 2, spec[1], 13, 10, scale=0.8)
    act = {None: None, (0.0, INF): "relu", (0.0, 6.0): "relu6"}[prm["act"]]
    kw = dict(stride=prm["stride"], padding=prm["pads"], groups=prm["groups"], activation=act)
    fp16_cpu = bool(armconv.cpu_info()["fp16"])
    if q16.int8_layers:
        s = q16.input_scales["conv"]
        np.testing.assert_array_equal(q16(x), armconv.QConv2d(w, b, input_scale=s, **kw)(armconv.quantize(x, s)))
    else:
        want = int8_mod.float_precision(tuple(w.shape), prm["groups"], prm["stride"], int8_mod.int8_isa(), fp16_cpu,
                                        x.shape[-1])
        layer = armconv.Conv2d(w, b, precision=want, **kw)
        np.testing.assert_array_equal(q16(x), layer(x))
        assert ("of the others 1 run half-precision" in q16.summary({"x": x.shape})) == (layer.precision == "fp16")
    if not fp16_cpu:
        np.testing.assert_array_equal(q16(x), q8(x))
    if "dotprod" in armconv.cpu_info()["kernels"]["gemm_s8"] and fp16_cpu:
        assert q16.int8_layers == q8.int8_layers == (["conv"] if spec[0] == "pointwise" else [])
        assert ("of the others 1 run half-precision" in q16.summary({"x": x.shape})) == (spec[0] != "pointwise")
    with pytest.raises(ValueError, match="precision must be 'int8' or 'int8"):
        model.quantize(cal, precision="fp16")


def test_auto_follows_the_rule(rng):
    graph, _ = mobilenet_like(rng)
    q = Model(graph, "m").quantize(rnd(rng, 2, 3, 16, 16))
    isa = int8_mod.int8_isa()
    want, _ = int8_mod.pick_layers(q._source, "auto", isa)
    assert set(q.int8_layers) == want
    kernel = armconv.cpu_info()["kernels"]["gemm_s8"]
    if "generic" in kernel:
        assert want == set()
    if "dotprod" in kernel:  # sdot pointwise: 11-13 MACs per instruction against fp32's 3.6
        # the expansions (m = 64 outputs per input element) pay, and so does the stem (3x3
        # s2, m = 36: 5.8 instructions per input element in int8 with its input's
        # quantization against 6.9; it did not pay alone with the Quantize at 4.31 per
        # element, but its int8 output spares expand0 the quantization of a 4/3 times
        # larger tensor); the sdot depthwise kernels (2.9 MACs per instruction against
        # fp32's 2.5) take the depthwise layers int8 after their expansions, and so the
        # projections (m = 16) read int8
        assert q.int8_layers == ["stem", "expand0", "dw0", "project0", "expand1", "dw1", "project1"]


def modelled_cost(graph, shapes, isa):
    """Instructions of an int8 graph by RATES, QUANTIZE_INSNS and STORE_F32, int8 ones
    counted 1 / MARGIN times: every Conv's input elements times its rate for its precision,
    every Quantize node's elements times QUANTIZE_INSNS, every int8 Conv's output elements
    times STORE_F32 where it stores float32 (no output_scale) (read off the graph
    int8_rewrite built, with the real tensor sizes: independent of pick_chain's bookkeeping)."""
    total = 0.0
    for n in graph.nodes:
        src = n.inputs[0].split(":int8")[0]
        e = float(np.prod(shapes[src]))
        if n.op == "Quantize":
            total += e * int8_mod.QUANTIZE_INSNS[isa] / int8_mod.MARGIN
        elif n.op == "Conv":
            shape, g, s = int8_mod.conv_geometry(n, graph.consts[n.inputs[1]])
            r32, r8 = int8_mod.kind_rates(shape, g, s, isa)
            m = int8_mod.macs_per_input(shape, g, s)
            total += e * (m / r8 / int8_mod.MARGIN if n.attrs.get("int8") else m / r32)
            if n.attrs.get("int8") and "output_scale" not in n.attrs:
                total += float(np.prod(shapes[n.outputs[0]])) * int8_mod.STORE_F32[isa] / int8_mod.MARGIN
    return total


def test_pick_is_the_cheapest_assignment(rng):
    """On mobilenet_like (every padding 'same', so pick_chain's size ratios are exact; no
    tensor read by two convolutions), the auto pick costs, by the model, the least of all
    2^7 assignments of int8 / float32 to its convolutions, for each kernel family."""
    import itertools
    # 48 -> 8 projections: m = 8 MACs per input element, below the sdot kernels' threshold
    # (16: THRESHOLDS), so int8 only where the input arrives int8 (MobileNetV2's 144 -> 24
    # ones, m = 24, paid alone before the Quantize kernel went from 4.31 to 2.50 per element)
    graph, _ = mobilenet_like(rng, c=8, t=6)
    src = Model(graph, "m").quantize(rnd(rng, 2, 3, 16, 16))._source
    shapes = {k: t.shape for k, t in Model(graph, "m").plan({"x": (1, 3, 16, 16)}).tensors.items()}
    convs = [n.name for n in src.nodes if n.op == "Conv"]
    graphs = {}
    for bits in itertools.product((False, True), repeat=len(convs)):
        picked = frozenset(c for c, b in zip(convs, bits) if b)
        graphs[picked] = int8_mod.int8_rewrite(src, picked)
    for isa in sorted(int8_mod.RATES):
        costs = {k: modelled_cost(g, shapes, isa) for k, g in graphs.items()}
        pick, why = int8_mod.pick_layers(src, "auto", isa)
        assert costs[frozenset(pick)] <= min(costs.values()) * (1 + 1e-12), (isa, sorted(pick), why)
        # the per-layer rule (each layer alone, its input quantized) is one of the assignments
        alone = {n.name for n in src.nodes if n.op == "Conv" and int8_mod.int8_pays(
            *int8_mod.conv_geometry(n, src.consts[n.inputs[1]]), isa)[0]}
        assert costs[frozenset(pick)] <= costs[frozenset(alone)]
        g, _ = int8_mod.int8_graph(src, "auto", isa)
        assert {n.name for n in g.nodes if n.attrs.get("int8")} == pick
        if isa == "dotprod":  # the 24-channel projections: int8 only as their input arrives int8
            assert {"project0", "project1"} <= pick
            assert "input int8 from 'dw0'" in why["project0"]
            assert not {"project0", "project1"} & alone


@pytest.mark.parametrize("spec", LAYERS, ids=[s[0] for s in LAYERS])
def test_lone_layer_follows_int8_pays(rng, spec):
    """A convolution in a chain of its own: pick_layers says what int8_pays says."""
    graph, w, b, prm = one_conv(rng, spec)
    src = Model(graph, "one").quantize(rnd(rng, 1, spec[1], 5, 5))._source
    for isa in sorted(int8_mod.RATES) + [None]:
        pick, why = int8_mod.pick_layers(src, "auto", isa)
        assert (pick == {"conv"}) == int8_mod.int8_pays(tuple(w.shape), prm["groups"], prm["stride"], isa)[0]
        assert why["conv"].startswith("int8" if pick else "fp32")


def test_pick_chain():
    """pick_chain on hand-worked chains (q = 4, margin 1 to keep the sums short)."""
    # alone: int8 3 + 4 = 7 > fp32 6 -> fp32
    assert int8_mod.pick_chain([(6.0, 3.0, 1.0)], 4.0, 1.0) == ([False], [False])
    # two: fp32 6 + 6 = 12; int8 both 3 + 4 + 3 = 10 -> both int8, the second fed int8
    assert int8_mod.pick_chain([(6.0, 3.0, 1.0), (6.0, 3.0, 1.0)], 4.0, 1.0) == ([True, True], [False, True])
    # a tie (int8 2 + 4 = 6 = fp32) goes to float32
    assert int8_mod.pick_chain([(6.0, 2.0, 1.0)], 4.0, 1.0)[0] == [False]
    # the growth weights the next layer: with growth 0.25 the second costs 1.5 / 0.75 (+1)
    # per chain-input element: fp32 6 + 1.5 = 7.5 < int8 7 + 0.75 = 7.75 -> fp32, fp32
    assert int8_mod.pick_chain([(6.0, 3.0, 0.25), (6.0, 3.0, 1.0)], 4.0, 1.0)[0] == [False, False]
    # a layer dearer in int8 (5 > 4) that spares its wide reader (growth 4) a quantization
    # (4 x 4 = 16): [int8, int8] = 5 + 4 + 4 x 1 = 13 against [fp32, int8] 4 + 4 x (1 + 4) = 24
    assert int8_mod.pick_chain([(4.0, 5.0, 4.0), (6.0, 1.0, 1.0)], 4.0, 1.0)[0] == [True, True]
    # margin: int8 costs 1 / margin times
    assert int8_mod.pick_chain([(10.0, 4.0, 1.0)], 4.0, 0.9)[0] == [True]   # 8 / 0.9 = 8.9 < 10
    assert int8_mod.pick_chain([(8.5, 4.0, 1.0)], 4.0, 0.9)[0] == [False]   # 8.9 > 8.5


def test_chains(rng):
    """int8_chains cuts where an output has another reader (the residual Add) or is not a
    convolution's input 0."""
    graph, _ = mobilenet_like(rng)
    src = Model(graph, "m").quantize(rnd(rng, 2, 3, 16, 16))._source
    convs = {n.name for n in src.nodes if n.op == "Conv"}
    chains = [[n.name for n in c] for c in int8_mod.int8_chains(src, convs)]
    # project0's output feeds expand1 and the residual Add: a cut
    assert chains == [["stem", "expand0", "dw0", "project0"], ["expand1", "dw1", "project1"]]
    chains = [[n.name for n in c] for c in int8_mod.int8_chains(src, convs - {"dw0"})]
    assert chains == [["stem", "expand0"], ["project0"], ["expand1", "dw1", "project1"]]


@pytest.mark.parametrize("isa", sorted(int8_mod.RATES))
def test_rule_table(isa):
    """What the counts behind RATES say, per kernel: depthwise 3x3 never pays alone (int8's
    0.68-1.08 MACs per instruction on armv7, 2.24 and 2.27 on the A72's assembly kernel,
    2.9 and 2.5 on the sdot kernels, against float32's 1.75-2.5: not by enough for the
    input's Quantize), dense 3x3 stride 1 (fp32 Winograd) pays on i8mm only; pointwise
    layers of m = 64 MACs per input element pay on the sdot and smmla kernels only (smull
    from m = 86, armv7 from 74: THRESHOLDS)."""
    pays = lambda shape, g=1, s=(1, 1): int8_mod.int8_pays(shape, g, s, isa)[0]  # noqa: E731
    sdot_dw = isa in ("dotprod", "i8mm")  # the sdot depthwise kernels (an i8mm core has dotprod)
    asm_dw = sdot_dw or isa == "smull"  # and the A72's assembly one
    assert not pays((96, 1, 3, 3), 96) and not pays((96, 1, 3, 3), 96, (2, 2))
    assert pays((64, 64, 3, 3)) == (isa == "i8mm")
    assert pays((64, 64, 1, 1)) == sdot_dw
    assert not int8_mod.int8_pays((64, 64, 1, 1), 1, (1, 1), None)[0]
    # between two wide pointwise layers (int8 on every kernel) a depthwise one saves its
    # reader's quantization: int8 where its int8 count / 0.9 is below float32's plus the
    # Quantize's / 0.9, per input element: on the sdot kernels 9 / 2.9 / 0.9 = 3.4 < 9 / 2.5
    # + 2.50 / 0.9 = 6.4 (+ its expansion's float32 store); on smull 9 / 2.24 / 0.9 = 4.5 <
    # 6.4 (9 / 1.4 / 0.9 = 7.1 > 6.4 with the intrinsics kernel before 0db6d4a); not on
    # armv7, 9 / 0.95 / 0.9 = 10.5 > 9 / 1.75 + 2.63 / 0.9 = 8.1 (with the Quantize at
    # 4.31 / 4.88 instructions per element, before neon/quantize.h's magic-number
    # rounding, both ran it int8: 8.4 and 10.56 on the float32 side)
    chain = [int8_mod.layer_costs((2048, 128, 1, 1), 1, (1, 1), isa),
             int8_mod.layer_costs((2048, 1, 3, 3), 2048, (1, 1), isa),
             int8_mod.layer_costs((2048, 2048, 1, 1), 1, (1, 1), isa)]
    picks, _ = int8_mod.pick_chain(chain, int8_mod.QUANTIZE_INSNS[isa])
    assert picks == [True, asm_dw, True]
    # stride 2 (a quarter of the elements after it, so a quarter of the Quantize to spare):
    # armv7, where int8 layers store float32 at no extra cost (STORE_F32 0): float32,
    # 2.25 / 0.8 / 0.9 = 3.1 > 2.25 / 1.9 + 2.63 / 4 / 0.9 = 1.9; int8 on the sdot kernels
    # (2.25 / 2.5 / 0.9 = 1.0 < 2.25 / 2.2 + 2.50 / 4 / 0.9 = 1.7 even without the
    # expansion's float32 store it spares) and on smull (2.25 / 2.27 / 0.9 = 1.1 < 1.7)
    chain[1] = int8_mod.layer_costs((2048, 1, 3, 3), 2048, (2, 2), isa)
    picks, _ = int8_mod.pick_chain(chain, int8_mod.QUANTIZE_INSNS[isa])
    assert picks == [True, asm_dw, True]


# The thresholds int8.py's docstring states: (first m = out_channels of a 1x1 layer that runs
# int8, first out_channels of a 3x3 stride-2 one), None: never.
THRESHOLDS = {"dotprod": (16, 12), "smull": (86, None), "armv7": (74, None), "i8mm": (13, 9)}
# The same for 1x1 layers of K = 32 input channels (SMALL_K_POINTWISE).
THRESHOLDS_SMALL_K = {"dotprod": 18, "smull": None, "armv7": None, "i8mm": 15}
# 3x3 stride-1 dense layers: int8 on i8mm only (smmla 22.5 against fp32 Winograd's 12.5),
# from 11 output channels (64 input channels).
THRESHOLDS_S1 = {"dotprod": None, "smull": None, "armv7": None, "i8mm": 11}


@pytest.mark.parametrize("isa", sorted(THRESHOLDS))
def test_rule_thresholds(isa):
    def first(shape_of):
        return next((c for c in range(1, 5000) if int8_mod.int8_pays(*shape_of(c), isa)[0]), None)
    pw = first(lambda c: ((c, 64, 1, 1), 1, (1, 1)))
    s2 = first(lambda c: ((c, 64, 3, 3), 1, (2, 2)))
    assert (pw, s2) == THRESHOLDS[isa]
    assert first(lambda c: ((c, 32, 1, 1), 1, (1, 1))) == THRESHOLDS_SMALL_K[isa]
    assert first(lambda c: ((c, 64, 3, 3), 1, (1, 1))) == THRESHOLDS_S1[isa]


# The half-precision rule (int8.py FP16_RATES against RATES' float32 column), on a CPU with
# fp16 arithmetic: (kind, weight, groups, stride) -> precision at input widths 112, 56, 28, 14, 7.
FP16_RULE = [
    # 1x1: the fp16 GEMM 7.0 MACs per instruction against float32's 3.65, every width
    ("pointwise", (96, 16, 1, 1), 1, (1, 1), ("fp16",) * 5),
    # 3x3 stride 1 dense: fp16 Winograd 15.7 against 12.5
    ("conv3x3s1", (32, 32, 3, 3), 1, (1, 1), ("fp16",) * 5),
    # other dense (3x3 stride 2, 7x7, grouped): fp16 im2col 6.45 against 5.2
    ("other", (64, 32, 3, 3), 1, (2, 2), ("fp16",) * 5),
    ("other", (12, 4, 5, 5), 3, (1, 1), ("fp16",) * 5),
    # depthwise 3x3 stride 1: fp16 3.52, 3.52, 2.91, 2.82, 2.36 on 112..7 wide maps against
    # float32's 2.65, 2.65, 2.65, 2.50, 2.17 (F32_DW_RATES)
    ("depthwise", (96, 1, 3, 3), 96, (1, 1), ("fp16",) * 5),
    # depthwise 3x3 stride 2: fp16 2.55, 2.36, 2.27, 2.11, 2.11 against float32's 2.45, 2.41,
    # 2.17, 2.16, 2.16
    ("depthwise_s2", (96, 1, 3, 3), 96, (2, 2), ("fp16", "fp32", "fp16", "fp32", "fp32")),
    # depthwise 5x5: no fp16 figure counted: float32
    ("depthwise", (96, 1, 5, 5), 96, (1, 1), ("fp32",) * 5),
]


@pytest.mark.parametrize("isa", ["dotprod", "smull", None])
def test_fp16_rule_table(isa):
    """float_precision: which layers run half precision (precision "fp16", and the layers
    "int8+fp16" leaves float) where the CPU has fp16 arithmetic; float32 where it has not."""
    for kind, shape, g, s, want in FP16_RULE:
        assert int8_mod.layer_kind(shape, g, s) == kind
        got = tuple(int8_mod.float_precision(shape, g, s, isa, True, w) for w in (112, 56, 28, 14, 7))
        assert got == want, (kind, shape, s)
        assert all(int8_mod.float_precision(shape, g, s, isa, False, w) == "fp32" for w in (112, 56, 7))


def rule_net(rng, c=8):
    """1x1 c->2c -> depthwise 3x3 s1 -> depthwise 3x3 s2 -> 3x3 s1 2c->c -> 3x3 s2 -> GAP ->
    Flatten -> Gemm (10), on a free-sized input."""
    h = 2 * c
    k = {"w_pw": rnd(rng, h, c, 1, 1, scale=0.25), "w_dw": rnd(rng, h, 1, 3, 3, scale=0.3),
         "w_dw_s2": rnd(rng, h, 1, 3, 3, scale=0.3), "w_c3": rnd(rng, c, h, 3, 3, scale=0.06),
         "w_c3s2": rnd(rng, c, c, 3, 3, scale=0.08), "fc": rnd(rng, 10, c, scale=0.3)}
    conv = [("pw", 0, 1, 1), ("dw", 1, 1, h), ("dw_s2", 1, 2, h), ("c3", 1, 1, 1), ("c3s2", 1, 2, 1)]
    nodes, x = [], "x"
    for name, p, st, g in conv:
        nodes.append(Node("Conv", name, [x, "w_" + name], [name + "_y"],
                          {"pads": [p] * 4, "strides": [st, st], "group": g}))
        x = name + "_y"
    nodes += [Node("GlobalAveragePool", "gap", [x], ["g"]), Node("Flatten", "flat", ["g"], ["f"], {"axis": 1}),
              Node("Gemm", "fc", ["f", "fc"], ["logits"], {"transB": 1})]
    return optimize(Graph([("x", [None, c, None, None])], ["logits"], nodes, k))


# rule_net's layers at input width 56 / 28 on a CPU with fp16 (FP16_RULE; each layer's input
# width: pw, dw, dw_s2 the model's; c3 and c3s2 half of it); the fully connected layer float32
# (batch 1: fp16 counted 0.61 MACs per instruction against float32's 2.69, int8.py).
# dw_s2 at 56: float32 (2.41 MACs per instruction against fp16's 2.36, F32_DW_RATES).
RULE_NET = {56: {"pw": "fp16", "dw": "fp16", "dw_s2": "fp32", "c3": "fp16", "c3s2": "fp16", "fc": "fp32"},
            28: {"pw": "fp16", "dw": "fp16", "dw_s2": "fp16", "c3": "fp16", "c3s2": "fp16", "fc": "fp32"}}


def layer_precisions(model):
    """{node name: the precision its layer was made at} (int8 for QConv2d)."""
    return {key[0]: (key[2] if len(key) > 2 else layer.precision)
            for key, layer in model._layers._layers.items()}


@pytest.mark.parametrize("width", sorted(RULE_NET))
def test_fp16_layers_follow_the_rule(rng, width):
    """Precision "fp16" and "int8+fp16": each float layer runs at float_precision's pick for
    its input width (RULE_NET on a CPU with fp16, float32 elsewhere), and its output is that
    of Conv2d at that precision, bit for bit; "int8+fp16" keeps "int8"'s int8 layers."""
    graph = rule_net(rng)
    fp16_cpu = bool(armconv.cpu_info()["fp16"])
    x = rnd(rng, 1, 8, width, width)
    m16 = Model(graph, "r", "fp16")
    y = m16(x)
    got = layer_precisions(m16)
    want = RULE_NET[width] if fp16_cpu else dict.fromkeys(RULE_NET[width], "fp32")
    assert got == want
    # the layers it made are Conv2d at those precisions: the same bits as a model whose
    # layers are made at them one by one (the float32 model, then each layer swapped)
    np.testing.assert_array_equal(y, m16(x))
    summary = m16.summary({"x": x.shape})
    half = sum(1 for p in want.values() if p == "fp16")
    assert f"precision fp16: {half} of 6 convolution / fully connected layers run half-precision" in summary
    q = Model(graph, "r").quantize(rnd(rng, 1, 8, width, width), precision="int8+fp16")
    q(x)
    got8 = layer_precisions(q)
    assert {k for k, v in got8.items() if v == "int8"} == set(q.int8_layers)
    assert {k: v for k, v in got8.items() if v != "int8"} == {k: want[k] for k in got8 if got8[k] != "int8"}


@pytest.mark.parametrize("k", [3, 5])
def test_fp16_layer_bits(rng, k):
    """A depthwise layer at precision "fp16": Conv2d(precision=float_precision(...)) bit for bit
    on a 56-wide and a 7-wide map; where the CPU has fp16, 3x3 runs fp16 on both (F32_DW_RATES:
    fp16 counts fewer instructions on every width) and 5x5 float32 (no fp16 kernel counted)."""
    graph, w, b, prm = one_conv(rng, ("depthwise", 8, 8, k, 1, k // 2, 8, "Clip6"))
    m16 = Model(graph, "one", "fp16")
    fp16_cpu = bool(armconv.cpu_info()["fp16"])
    for width in (56, 7):
        x = rnd(rng, 1, 8, 6, width)
        want = int8_mod.float_precision(tuple(w.shape), 8, (1, 1), int8_mod.int8_isa(), fp16_cpu, width)
        assert want == ("fp16" if fp16_cpu and k == 3 else "fp32")
        layer = armconv.Conv2d(w, b, padding=prm["pads"], groups=8, activation="relu6", precision=want)
        assert layer.precision == want
        np.testing.assert_array_equal(m16(x), layer(x))


# ----------------------------------------------------------------- the quantize kernel

def _rule(x, s):
    """clip(round_half_away_from_zero(x / s), -127, 127) by exact comparisons (no division):
    q = #{k in [0, 127): |x| >= (k + 1/2) s}, signed like x; (k + 1/2) s is exact in float64."""
    a = np.abs(x.astype(np.float64))
    halves = (np.arange(127) + 0.5) * np.float64(np.float32(s))
    q = (a[:, None] >= halves[None, :]).sum(axis=1)
    return np.where(np.signbit(x), -q, q).astype(np.int8)


@pytest.mark.parametrize("scale", [0.02, 1.0 / 127, 6.0 / 127, 0.7, 3.1e-5, 2.0 ** -100, 2.0 ** 100, 2.0 ** -120])
def test_quantize_kernel_at_rounding_edges(scale):
    """armconv.quantize (the dispatched quantize kernel: NEON on ARM, the generic twin for
    scales outside 2^-100..2^100) against the rule at every half step, one and two ulps
    around it, the integers, the clamp and the specials, every tail length."""
    s = float(np.float32(scale))
    k = np.arange(-130, 131, dtype=np.float64)
    base = np.concatenate([((k + 0.5) * s), k * s]).astype(np.float32)
    vals = [base]
    lo, hi = base, base
    for _ in range(2):
        lo, hi = np.nextafter(lo, np.float32(-np.inf)), np.nextafter(hi, np.float32(np.inf))
        vals += [lo, hi]
    specials = np.array([0.0, -0.0, np.inf, -np.inf, 3.4e38, -3.4e38, 1e-45, -1e-45, 1.2e-38], np.float32)
    x = np.concatenate(vals + [specials])
    for n in (len(x), len(x) - 1, 17, 16, 15, 1):
        np.testing.assert_array_equal(armconv.quantize(x[:n], scale), _rule(x[:n], scale))


def test_quantize_threads(rng):
    """quantize runs on the library's threads (units of 4096 elements, core/qconv.cpp): the
    same bits, those of the rule, on 1 to 4 threads, per-channel scales on rows that units
    cut; so does a model's Quantize node (here 3 x 16 x 30 x 30 = 43200 elements, 11 units)."""
    x = rnd(rng, 3, 4, 3001, scale=2.0)
    scales = np.array([0.02, 0.05, 1.0 / 127, 0.3], np.float32)
    want = np.stack([_rule(x[:, c].reshape(-1), scales[c]).reshape(3, 3001) for c in range(4)], axis=1)
    for t in (1, 2, 3, 4):
        with armconv.threads(t):
            np.testing.assert_array_equal(armconv.quantize(x, scales, axis=1), want)
    graph, w, b, prm = one_conv(rng, LAYERS[0])
    q = Model(graph, "one").quantize(rnd(rng, 1, 16, 8, 8), layers="all")
    x = rnd(rng, 3, 16, 30, 30)
    s = q.input_scales["conv"]
    layer = armconv.QConv2d(w, b, input_scale=s, activation="relu")
    with armconv.threads(1):
        y1 = q(x)
    np.testing.assert_array_equal(y1, layer(armconv.quantize(x, s)))
    for t in (2, 3):
        with armconv.threads(t):
            np.testing.assert_array_equal(q(x), y1)


def test_quantize_nan_anywhere():
    x = np.linspace(-3, 3, 37).astype(np.float32)
    for i in (0, 15, 16, 31, 36):  # in a full step and in the tail
        y = x.copy()
        y[i] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            armconv.quantize(y, 0.05)
