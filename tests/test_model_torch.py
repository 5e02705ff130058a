"""Whole models exported from PyTorch, run by armconv.load(), against torch.

Host only: needs torch, torchvision and onnx (scripts/test.sh installs them
on x86_64; elsewhere these tests skip). Every block of tests/model_zoo.py is
exported three ways (torch's dynamo exporter, which folds BatchNormalization
itself; the TorchScript exporter without constant folding, so BN and the
shape arithmetic reach armconv; the same at opset 11) and must match torch
within 1e-4 of max|output| (1e-3 where a layer may run Winograd F(6,3)).
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

import model_zoo  # noqa: E402

import armconv  # noqa: E402


def rel_err(y, ref):
    return float(np.abs(y - ref).max() / np.abs(ref).max())


def check(model, module, x, tol=None):
    ref = model_zoo.run_torch(module, x)
    y = model(x)
    assert y.shape == ref.shape and y.dtype == np.float32
    if tol is None:
        tol = model_zoo.TOL_WINOGRAD if model_zoo.may_run_winograd(model) else model_zoo.TOL
    err = rel_err(y, ref)
    assert err <= tol, f"max|armconv - torch| / max|torch| = {err:.2e} > {tol}"
    return err


def node_ops(model):
    return [op for _, op in model.nodes]


@pytest.fixture(scope="module")
def exported():
    cache = {}

    def get(name, exporter):
        if (name, exporter) not in cache:
            module, shape = model_zoo.block(name)
            x = torch.randn((2,) + shape, generator=torch.Generator().manual_seed(7))
            cache[name, exporter] = (module, model_zoo.export(module, x, exporter))
        return cache[name, exporter]
    return get


@pytest.mark.parametrize("exporter", model_zoo.EXPORTERS)
@pytest.mark.parametrize("name", sorted(model_zoo.BLOCKS))
def test_block(exported, name, exporter, tmp_path, rng):
    module, data = exported(name, exporter)
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(data)
    model = armconv.load(path)
    shape = model_zoo.BLOCKS[name][1]
    for batch in (1, 3):  # the export traced batch 2: the batch axis is free
        x = rng.standard_normal((batch,) + shape).astype(np.float32)
        check(model, module, x)
    # the numpy-only form gives the same results
    model.save(tmp_path / "m.npz")
    again = armconv.load(tmp_path / "m.npz")
    assert node_ops(again) == node_ops(model)
    np.testing.assert_array_equal(again(x), model(x))


FUSIONS = {
    # block: (ops that must be gone, expected counts of ops that run)
    "conv_chain": ({"BatchNormalization", "Clip", "Relu", "ChannelAffine"}, {"Conv": 10, "Add": 1}),
    "residual": ({"BatchNormalization", "Relu", "ChannelAffine"}, {"Conv": 6, "Add": 2, "MaxPool": 1}),
    "head": ({"BatchNormalization", "Relu", "Gemm", "MatMul", "Dropout", "ChannelAffine"},
             {"FullyConnected": 2, "Conv": 1}),
}


@pytest.mark.parametrize("exporter", model_zoo.EXPORTERS)
@pytest.mark.parametrize("name", sorted(FUSIONS))
def test_fusions(exported, name, exporter, tmp_path):
    """BN folded into Conv (and Gemm), activations into the conv's output stage,
    Add + Relu fused, Dropout gone: the nodes that run are exactly the layers."""
    _, data = exported(name, exporter)
    model = armconv.load(onnx.load_from_string(data))
    ops = node_ops(model)
    gone, counts = FUSIONS[name]
    assert not gone & set(ops), ops
    for op, n in counts.items():
        assert ops.count(op) == n, (op, ops)
    nodes = {n.name: n for n in model._graph.nodes}
    if name == "residual":
        adds = [n for n in nodes.values() if n.op == "Add"]
        assert all(n.attrs.get("activation") == [0.0, float("inf")] for n in adds)
    if name == "conv_chain":
        acts = [n.attrs.get("activation") for n in nodes.values() if n.op == "Conv"]
        assert acts.count([0.0, 6.0]) == 7 and acts.count([0.0, float("inf")]) == 1
    s = model.summary()
    assert "algo" in s and "liveness lower bound" in s


def test_bn_folding_is_visible_in_summary(exported):
    _, data = exported("conv_chain", "legacy")
    model = armconv.load(onnx.load_from_string(data))
    s = model.summary()
    assert "BatchNormalization" in s  # the fused node names are listed
    assert "depthwise3x3" in s and "gemm" in s


@pytest.fixture(scope="module")
def torchvision_exports():
    """Each network exported once per exporter, with free batch and map size."""
    pytest.importorskip("torchvision")
    cache = {}

    def get(name, exporter):
        if (name, exporter) not in cache:
            module = model_zoo.torchvision_model(name)
            x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
            cache[name, exporter] = (module, model_zoo.export(module, x, exporter, free_map_size=True))
        return cache[name, exporter]
    return get


@pytest.mark.parametrize("exporter", ["dynamo", "legacy"])
@pytest.mark.parametrize("name", ["mobilenet_v2", "resnet18"])
def test_torchvision(torchvision_exports, name, exporter, tmp_path, rng):
    """torchvision's networks, random weights, eval mode; at 224x224 (their native
    size, as the benchmark runs them) and at a small map with batch 2."""
    module, data = torchvision_exports(name, exporter)
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(data)
    model = armconv.load(path)
    ops = set(node_ops(model))
    assert ops <= {"Conv", "Add", "MaxPool", "ReduceMean", "GlobalAveragePool", "FullyConnected",
                   "Reshape", "Flatten", "Shape", "Gather", "Unsqueeze", "Concat"}, ops
    for shape in ((1, 3, 224, 224), (2, 3, 72, 88)):
        x = rng.standard_normal(shape).astype(np.float32)
        err = check(model, module, x)
        p = model.plan({"input": x.shape})
        assert p.arena_bytes <= 1.25 * p.lower_bound_bytes
        assert sum(s.glue for s in p.steps) <= 12  # residual adds, pooling: nothing else runs
        print(f"{name} {exporter} {shape}: error {err:.2e}")
