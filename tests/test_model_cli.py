"""python -m armconv run / convert / bench --model (called in-process: under QEMU
a test cannot start another ARM program)."""
import numpy as np
import pytest

from test_model_errors import small_model

from armconv._model import cli


@pytest.fixture
def npz(tmp_path):
    p = tmp_path / "small.npz"
    small_model().save(p)
    return p


def test_dispatch():
    assert cli.wants(["run", "m.onnx"]) and cli.wants(["convert", "a", "b"])
    assert cli.wants(["bench", "--model", "m.onnx"]) and cli.wants(["bench", "--model=m.onnx"])
    assert not cli.wants([]) and not cli.wants(["bench", "--quick"]) and not cli.wants(["--repeat", "3"])


def test_run(npz, tmp_path, capsys):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    assert cli.main(["run", str(npz), "--input", str(tmp_path / "x.npy"), "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "output 'y': (2, 4) float32" in out and "ms per run" in out


def test_run_random_input_and_top5(tmp_path, capsys):
    from armconv._model.ir import Graph, Node
    from armconv._model.model import Model
    w = np.random.default_rng(1).standard_normal((1000, 3, 1, 1)).astype(np.float32)
    g = Graph([("x", [None, 3, 2, 2])], ["y"],
              [Node("Conv", "c", ["x", "w"], ["c"]), Node("GlobalAveragePool", "g", ["c"], ["p"]),
               Node("Flatten", "f", ["p"], ["y"])], {"w": w})
    Model(g).save(tmp_path / "cls.npz")
    assert cli.main(["run", str(tmp_path / "cls.npz"), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "random normal, seed 0" in out and "top-5: " in out


def test_run_free_dims_need_shape(tmp_path, capsys):
    from armconv._model.ir import Graph, Node
    from armconv._model.model import Model
    Model(Graph([("x", [None, 3, None, None])], ["y"], [Node("Relu", "r", ["x"], ["y"])], {})).save(
        tmp_path / "free.npz")
    with pytest.raises(SystemExit, match="give --shape"):
        cli.main(["run", str(tmp_path / "free.npz")])
    assert cli.main(["run", str(tmp_path / "free.npz"), "--shape", "1,3,5,7", "--repeat", "1"]) == 0
    assert "(1, 3, 5, 7)" in capsys.readouterr().out


def test_bench(npz, capsys):
    assert cli.main(["bench", "--model", str(npz), "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    for word in ("Conv", "GlobalAveragePool", "whole model", "glue", "activation arena", "%"):
        assert word in out


def test_bench_threads(npz, capsys, monkeypatch):
    """--threads N: the model's layers run at N threads (armconv.threads), then the setting is back."""
    import armconv
    seen = []
    real = cli.cmd_bench
    monkeypatch.setattr(cli, "cmd_bench", lambda a: seen.append(armconv.get_num_threads()) or real(a))
    before = armconv.get_num_threads()
    assert cli.main(["bench", "--model", str(npz), "--repeat", "1", "--threads", "3"]) == 0
    assert seen == [3] and armconv.get_num_threads() == before
    for bad in ("0", "x", "1025"):
        with pytest.raises(SystemExit):
            cli.main(["bench", "--model", str(npz), "--threads", bad])
        assert "from 1 to 1024" in capsys.readouterr().err


def test_errors_are_messages(tmp_path, capsys):
    assert cli.main(["run", str(tmp_path / "missing.onnx")]) == 2
    assert "No such file" in capsys.readouterr().err
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 broken")
    assert cli.main(["run", str(tmp_path / "bad.npz")]) == 2
    assert "not a readable armconv model" in capsys.readouterr().err


def test_convert_and_compare(tmp_path, capsys):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper
    w = np.random.default_rng(2).standard_normal((4, 3, 3, 3)).astype(np.float32)
    g = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
                           helper.make_node("Relu", ["c"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(w, "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, tmp_path / "m.onnx")
    assert cli.main(["convert", str(tmp_path / "m.onnx"), str(tmp_path / "m.npz")]) == 0
    assert (tmp_path / "m.npz").exists()
    assert cli.main(["bench", "--model", str(tmp_path / "m.onnx"), "--compare", "onnxruntime",
                     "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "armconv / onnxruntime" in out and "max |armconv - onnxruntime|" in out
    diff = float(out.split("max |armconv - onnxruntime| = ")[1].split()[0])
    assert diff < 1e-4
