"""Host-side tests of bench/peers.py (run by scripts/test.sh, target perf).

The counted runs themselves need the peers' aarch64 wheels and minutes of
QEMU, so they stay in the benchmark, which checks every output it counts
against float64. These check what the benchmark's figures rest on, in a few
seconds: the layer lists are what bench/peer_layers.py makes of torchvision's
networks; the float64 reference is a convolution; the one-node ONNX models
(run here by the host's onnxruntime) compute that reference for float, int8
and GEMM cases; the guest overlay describes the emulated board; the case
names are bench/insncount.py's.
"""
import glob
import json
import os
import re
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guest_root  # noqa: E402
import peer_layers  # noqa: E402
import peers  # noqa: E402


def test_layer_lists_are_what_peer_layers_makes_of_torchvision():
    pytest.importorskip("torchvision")
    with open(peer_layers.OUT) as f:
        doc = json.load(f)
    for name in peer_layers.NETWORKS:
        assert peer_layers.layers_of(name) == doc["networks"][name]["layers"], \
            f"bench/peer_layers.json is stale for {name}: run bench/peer_layers.py"
    nets = peers.network_cases()
    assert [len(v) for v in nets.values()] == [52, 20]
    assert sum(c.macs for c in nets["mobilenet_v2"]) == 299_494_272  # issue 13: 299.5 M
    assert sum(c.macs for c in nets["resnet18"]) == 1_813_561_344  # 1,813.6 M


def test_reference_is_a_convolution():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 6, 9, 7))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    got = peers._conv64(x, w, b, 2, 1, 2)
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), 2, 1,
                                      groups=2).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


CASES = [
    peers.Case("t_conv", 8, 12, 3, 2, 1, 1, 9, 11, act="relu6"),
    peers.Case("t_group", 8, 8, 3, 1, 1, 4, 7, act="relu"),
    peers.Case("t_dw", 8, 8, 3, 1, 1, 8, 6),
    peers.Case("t_qconv", 16, 8, 3, 1, 1, 1, 6, kind="qconv"),
    peers.Case("t_gemm", 32, 16, 1, 1, 0, 1, 4, kind="gemm_s8"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_onnx_model_computes_the_reference(case, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    d, ref = peers.make_data(case)
    path = str(tmp_path / "m.onnx")
    kind = peers.make_onnx(case, d, path)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feed = {"matmulinteger": d.get("a"), "qlinearconv": d.get("xq"), "conv": d["x"]}[kind]
    y = sess.run(None, {sess.get_inputs()[0].name: feed})[0]
    if kind == "matmulinteger":
        exact = peers._conv64(d["xq"], d["wq"], np.zeros(case.cout), 1, 0, 1)
        assert np.array_equal(y.T.reshape(exact.shape), exact)
    elif kind == "qlinearconv":
        assert y.dtype == np.int8 and np.abs(y.astype(np.float64) - ref).max() <= 1
        assert np.abs(ref).max() > 50  # the output scale uses the int8 range
    else:
        assert y.shape == ref.shape
        assert np.abs(y - ref).max() <= 1e-5 * np.abs(ref).max()
        if case.act == "relu6":
            assert ref.min() == 0 and ref.max() == 6  # both ends of the clamp are exercised


def test_a_wrong_result_is_caught():
    case = CASES[0]
    d, ref = peers.make_data(case)
    y = ref.astype(np.float32).copy()
    assert peers.error_of(case, "ncnn", y, ref)[0] < 1e-6
    y[0, 3, 1, 2] += 0.5
    assert peers.error_of(case, "ncnn", y, ref)[0] > peers.TOL["ncnn"]


def test_overlay_describes_the_board(tmp_path):
    sr = tmp_path / "sysroot"
    (sr / "usr" / "bin").mkdir(parents=True)
    for cpu, midr, l2 in (("cortex-a72", "0x00000000410fd083", "1024K"), ("cortex-a76", "0x00000000414fd0b1", "512K")):
        root = guest_root.overlay(str(sr), cpu, str(tmp_path))
        assert os.path.realpath(os.path.join(root, "usr")) == str(sr / "usr")
        info = open(os.path.join(root, "proc", "cpuinfo")).read()
        assert info.count("processor\t:") == guest_root.NCPUS
        assert ("asimddp" in info) == (cpu == "cortex-a76")
        cpu0 = os.path.join(root, "sys", "devices", "system", "cpu", "cpu0")
        assert open(os.path.join(cpu0, "regs", "identification", "midr_el1")).read().strip() == midr
        levels = {open(p + "/level").read().strip(): open(p + "/size").read().strip()
                  for p in glob.glob(os.path.join(cpu0, "cache", "index*"))}
        assert levels["2"] == l2


def test_case_names_are_insncounts():
    names = set()
    for src in glob.glob(os.path.join(HERE, "*.cpp")):
        names |= set(re.findall(r'"([a-z0-9_]+)"', open(src).read()))
    for c in peers.readme_cases():
        assert c.name in names, f"{c.name} is not a case of bench/insn_bench"


def test_network_summary_without_onnxruntime(capsys):
    """Run with --engines armconv,ncnn: the totals are over the layers both
    measured, the onnxruntime columns say "-" and the summary says what ran
    (it used to report "0 of N measured")."""
    nets = {"mobilenet_v2": peers.network_cases()["mobilenet_v2"][:3]}
    res = {}
    for i, c in enumerate(nets["mobilenet_v2"]):
        res[(c.name, "armconv")] = {"insns": c.macs / 4.0}
        if i < 2:
            res[(c.name, "ncnn")] = {"insns": c.macs / 2.0}
    peers.print_networks(nets, res, False, ("armconv", "ncnn"))
    out = capsys.readouterr().out
    assert "0 of" not in out
    assert "2 of 3 measured by all of armconv, ncnn" in out
    assert "not run: onnxruntime" in out
    summary = [ln for ln in out.splitlines() if ln.startswith("mobilenet_v2")][0]
    assert "(4.00)" in summary and "(2.00)" in summary and "0.50" in summary
    peers.print_networks(nets, res, False, ("armconv",))
    out = capsys.readouterr().out
    assert "3 layers," in out and "not run: ncnn, onnxruntime" in out
