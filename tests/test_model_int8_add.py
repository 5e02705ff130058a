"""The int8 residual stream (python/armconv/_model/int8.py: observe_ranges' Add ranges,
calibrated_graph's add_scales, stream_check, pick_adds, int8_rewrite; ops.py's int8 Add on
_add_s8): which Adds run int8 on a MobileNetV2-like model for each int8 kernel family, the
int8 model's accuracy against float64, bits across threads and batch cuts, a float reader
that keeps the stream float, the cost rule's refusal, layers="all", saving and loading.

The rule is run for each kernel family by name (int8_graph(src, "auto", isa)); the graph it
returns runs on this machine's kernels (generic ones on x86: the same bits as NEON, the
int8 kernels being bit-exact twins)."""
import numpy as np
import pytest

from reference import conv2d_ref

import armconv
from armconv._model import int8 as int8_mod
from armconv._model.model import Model
from test_model_int8 import mobilenet_like, rel_err, rnd


def stage_net(rng, c=16, t=6, blocks=3, c2=24, extra_reader=None):
    """test_model_int8's mobilenet_like with three residual-capable blocks (res1, res2) and a
    last block to c2 channels; extra_reader: "sigmoid" adds a float node reading res1's
    output (a second graph output)."""
    return mobilenet_like(rng, c, t, blocks, c2, extra_reader)


def stage_ref(x, k, blocks=3):
    a = np.clip(conv2d_ref(x, k["ws"], k["bs"], stride=(2, 2), pads=(1, 1, 1, 1)), 0, 6)
    for i in range(blocks + 1):
        e = np.clip(conv2d_ref(a, k[f"we{i}"], k[f"be{i}"]), 0, 6)
        d = np.clip(conv2d_ref(e, k[f"wd{i}"], k[f"bd{i}"], pads=(1, 1, 1, 1), groups=e.shape[1]), 0, 6)
        p = conv2d_ref(d, k[f"wp{i}"], k[f"bp{i}"])
        a = p + a if 0 < i < blocks else p
    return a.mean(axis=(2, 3)) @ k["fc"].astype(np.float64).T + k["fcb"]


@pytest.fixture
def calibrated(rng):
    graph, k = stage_net(rng)
    q = Model(graph, "stage").quantize(rnd(rng, 8, 3, 16, 16))
    return graph, k, q._source


def ops_of(g):
    return [(n.op, n.name) for n in g.nodes]


def test_calibration_records_add_scales(calibrated, rng):
    """Every Add whose output a Conv reads gets add_scales = max|a|, max|b|, max|y| over the
    calibration inputs / 127; y's scale is the reading expansion's input_scale, and an
    operand's is that of every Conv reading it (one calibrated tensor, one scale)."""
    graph, k, src = calibrated
    nodes = {n.name: n for n in src.nodes}
    for i in (1, 2):
        sa, sb, sy = nodes[f"res{i}"].attrs["add_scales"]
        assert sy == nodes[f"expand{i + 1}"].attrs["input_scale"]
        assert sb == nodes[f"expand{i}"].attrs["input_scale"]  # the block's input x
    # the float model's tensors, by hand
    x = rnd(np.random.default_rng(5), 3, 3, 16, 16)
    q = Model(graph, "stage").quantize(x)
    m = Model(graph, "stage").plan({"x": x.shape})
    seen = {}

    def observe(step, ins):
        if step.node.op == "Add":
            seen[step.node.name] = [float(np.abs(v).max()) for v in ins]
        if step.node.name == "expand2":
            seen["r1"] = float(np.abs(ins[0]).max())
    m.run([x], observe=observe)
    s = {n.name: n.attrs for n in q._source.nodes}["res1"]["add_scales"]
    assert s == [v / 127.0 for v in seen["res1"] + [seen["r1"]]]


@pytest.mark.parametrize("isa", sorted(int8_mod.RATES))
def test_which_adds_run_int8(calibrated, isa):
    """On the sdot and smmla kernels every convolution runs int8 and both Adds join the stream: one
    Quantize (the model input), the projections store int8, the Adds read and write int8;
    on smull and armv7 the 16-channel expansions (K = 16) stay float32, so the Adds' outputs
    have a float reader and the stream stays float."""
    _, _, src = calibrated
    g, why = int8_mod.int8_graph(src, "auto", isa)
    nodes = {n.name: n for n in g.nodes}
    adds = {n.name for n in g.nodes if n.op == "Add" and n.attrs.get("int8")}
    convs = {n.name for n in g.nodes if n.op == "Conv" and n.attrs.get("int8")}
    assert convs == int8_mod.pick_layers(src, "auto", isa)[0]
    if isa in ("dotprod", "i8mm"):
        assert adds == {"res1", "res2"}
        assert [n.name for n in g.nodes if n.op == "Quantize"] == ["stem:quantize"]
        for p in ("project0", "project1", "project2"):
            assert "output_scale" in nodes[p].attrs
        assert nodes["project0"].attrs["output_scale"] == nodes["res1"].attrs["add_scales"][1]
        assert why["res1"].startswith("int8") and why["res2"].startswith("int8")
        # the float graph has Quantize nodes before expand1, expand2 and expand3
        g0 = int8_mod.int8_rewrite(src, convs)
        assert len([n for n in g0.nodes if n.op == "Quantize"]) == 4
    else:
        assert adds == set()
        assert "expand1" not in convs
        assert why["res1"].startswith("fp32") and "float32" in why["res1"]


def test_accuracy_and_bits(calibrated, rng):
    """The int8 stream model (dotprod's pick, run here) against float64: within the bound
    of test_model_int8's network test (7 roundings of 0.8% in sequence -> 0.06; here 13 int8
    layers and 2 int8 Adds in a 4-block chain, measured about 2%: bound 0.08); the same bits
    on 1 to 3 threads and across batch cuts; and not the float stream's bits (the Adds ran
    int8) though as close to float64."""
    graph, k, src = calibrated
    g, _ = int8_mod.int8_graph(src, "auto", "dotprod")
    m = Model(g, "int8 stream")
    g0 = int8_mod.int8_rewrite(src, {n.name for n in g.nodes if n.op == "Conv" and n.attrs.get("int8")})
    m0 = Model(g0, "float stream")
    x = rnd(rng, 4, 3, 16, 16)
    ref = stage_ref(x, k)
    assert rel_err(Model(graph, "f")(x), ref) < 1e-4
    with armconv.threads(1):
        y = m(x)
    err, err0 = rel_err(y, ref), rel_err(m0(x), ref)
    print(f"int8 stream {err:.2e}, float stream {err0:.2e}")
    assert 1e-4 < err < 0.08 and err < 2 * err0 + 0.01
    assert not np.array_equal(y, m0(x))
    for t in (2, 3):
        with armconv.threads(t):
            np.testing.assert_array_equal(m(x), y)
    for i in range(4):
        np.testing.assert_array_equal(m(x[i:i + 1]), y[i:i + 1])


def test_int8_add_node_is_add_s8(calibrated, rng):
    """The int8 Add node computes _add_s8 with add_s8_params of its add_scales on the int8
    tensors the projections wrote: checked on res1 by observing the plan's buffers."""
    _, _, src = calibrated
    g, _ = int8_mod.int8_graph(src, "auto", "dotprod")
    res1 = next(n for n in g.nodes if n.name == "res1")
    sa, sb, sy = res1.attrs["add_scales"]
    plan = Model(g, "m").plan({"x": (2, 3, 16, 16)})
    seen = {}

    def observe(step, ins):
        if step.node.name == "res1":
            seen["in"] = [v.copy() for v in ins]
        if step.node.name == "expand2":
            seen["out"] = ins[0].copy()
    plan.run([rnd(rng, 2, 3, 16, 16)], observe=observe)
    a, b = seen["in"]
    assert a.dtype == np.int8 and b.dtype == np.int8 and seen["out"].dtype == np.int8
    ma, mb, shift, lo = armconv._armconv.add_s8_params(sa, sb, sy, -127)
    v = a.astype(np.float64) * ma + b.astype(np.float64) * mb
    want = np.clip(np.sign(v) * np.floor(np.abs(v) / 2.0 ** shift + 0.5), -127, 127).astype(np.int8)
    np.testing.assert_array_equal(seen["out"], want)


def test_float_reader_keeps_the_stream_float(rng):
    """res1's output also read by a Sigmoid (float32): res1 cannot write int8, and res2 alone
    would need res1's output int8: both stay float32, saying why."""
    graph, k = stage_net(rng, extra_reader="sigmoid")
    src = Model(graph, "side").quantize(rnd(rng, 8, 3, 16, 16))._source
    assert all("add_scales" in n.attrs for n in src.nodes if n.op == "Add")
    g, why = int8_mod.int8_graph(src, "auto", "dotprod")
    assert not any(n.attrs.get("int8") for n in g.nodes if n.op == "Add")
    assert "Sigmoid" in why["res1"] and "float32" in why["res1"], why["res1"]
    assert why["res2"].startswith("fp32")
    x = rnd(rng, 2, 3, 16, 16)
    y = Model(g, "m")(x)
    assert rel_err(y[0], stage_ref(x, k)) < 0.08
    with pytest.raises(ValueError, match="cannot run int8"):
        int8_mod.int8_rewrite(src, int8_mod.pick_layers(src, "auto", "dotprod")[0], {"res1", "res2"})


def test_rule_refuses_when_int8_costs_more(calibrated, monkeypatch):
    """With an int8 Add dearer than what the stream spares (here 10 instructions per
    element against float32's 0.57 + Quantize 2.5 + 2 float32 stores), the Adds stay float."""
    _, _, src = calibrated
    monkeypatch.setitem(int8_mod.ADD_INSNS, "dotprod", (0.5674, 10.0))
    g, why = int8_mod.int8_graph(src, "auto", "dotprod")
    assert not any(n.attrs.get("int8") for n in g.nodes if n.op == "Add")
    assert why["res1"] == "fp32: int8 saves nothing here"
    # the counted figures: the stream p0, p1, p2 (3 projections' int8 stores, -0.056 each:
    # dearer than float32's), x0 = p0, r1, r2 (3 Quantize nodes, 2.50 each) and 2 float32
    # Adds (0.567): 8.5 instructions per element against 2 int8 Adds, 2 x 1.6915 / 0.9 = 3.8
    monkeypatch.setitem(int8_mod.ADD_INSNS, "dotprod", (0.5674, 1.6915))
    assert int8_mod.pick_adds(src, int8_mod.pick_layers(src, "auto", "dotprod")[0], "dotprod")[0] == {"res1", "res2"}


def test_host_and_all_keep_adds_float(calibrated):
    """No int8 kernels of a family (isa None: generic) or layers="all": the Adds stay float."""
    _, _, src = calibrated
    g, why = int8_mod.int8_graph(src, "auto", None)
    assert not any(n.attrs.get("int8") for n in g.nodes if n.op == "Add")
    assert why["res1"] == "fp32: generic int8 kernels"
    g, _ = int8_mod.int8_graph(src, "all", "dotprod")
    assert not any(n.attrs.get("int8") for n in g.nodes if n.op == "Add")


def test_save_keeps_add_scales(calibrated, tmp_path):
    graph, _, src = calibrated
    q = Model(src, "stage", "int8")
    q.save(tmp_path / "s.npz")
    back = armconv.load(tmp_path / "s.npz", precision="int8")
    a = {n.name: n.attrs.get("add_scales") for n in src.nodes if n.op == "Add"}
    b = {n.name: n.attrs.get("add_scales") for n in back._source.nodes if n.op == "Add"}
    assert a == b and all(v is not None for v in a.values())
