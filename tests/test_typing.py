"""Type information: the package is typed (py.typed, inline annotations, a
stub for the compiled module), and `mypy --strict` passes on a user script
that calls every public function, with the types a user expects.

Needs mypy (scripts/test.sh installs it into the host venv); skipped where it
is missing (the ARM Pythons under QEMU). mypy finds the package the way it
finds any installed one (PEP 561, through py.typed), from the directory this
armconv was imported from.
"""
import os
import subprocess
import sys
import textwrap

import pytest

import armconv

pytest.importorskip("mypy")
if sys.version_info < (3, 11):  # the script uses typing.assert_type
    pytest.skip("needs Python >= 3.11", allow_module_level=True)

PKG = os.path.dirname(armconv.__file__)
# The modules of the public API checked under --strict (bench.py, __main__.py
# and _model/ are the benchmark's and the model runner's: their public entry
# points, load() and Model, are annotated and used by the user script).
TYPED = ["__init__.py", "_args.py", "_conv.py", "_pool.py", "_quant.py", "_layout.py", "_types.py",
         "_layer.py", "_threads.py", "_armconv.pyi"]

USER_SCRIPT = '''
import importlib
from typing import Any, Dict, List, Optional, Tuple, Union, assert_type

import numpy as np
import numpy.typing as npt

import armconv

F32 = npt.NDArray[np.float32]


def main() -> Tuple[float, int]:
    x: F32 = np.random.default_rng(0).standard_normal((1, 8, 12, 12)).astype(np.float32)
    w = np.ones((16, 8, 3, 3), np.float32)
    b = np.zeros(16, np.float32)
    y = armconv.conv2d(x, w, b, stride=1, padding="same", activation="relu", algo="auto")
    assert_type(y, F32)
    buf: F32 = np.empty((1, 16, 12, 12), np.float32)
    assert_type(armconv.conv2d(x, w, b, padding=1, out=buf), F32)
    layer = armconv.Conv2d(w, b, stride=(1, 1), padding=(1, 1, 1, 1), dilation=1, groups=1,
                           activation=(0.0, 6.0), algo="im2col")
    assert_type(layer, armconv.Conv2d)
    assert_type(layer(x), F32)
    assert_type(layer(x, out=buf), F32)
    name: str = layer.algo_for(7, 7)
    ws: int = layer.workspace_bytes(56, 56)
    shape: Tuple[int, int, int, int] = layer.output_shape(1, 12, 12)
    kh, kw = layer.kernel_size
    pad: Tuple[int, int, int, int] = layer.padding
    try:  # torch is untyped here on purpose: mypy need not analyse it
        torch: Any = importlib.import_module("torch")
    except ImportError:
        torch = None
    if torch is not None:
        conv = torch.nn.Conv2d(8, 16, 3, padding=1)
        tl = armconv.Conv2d.from_torch(conv, torch.nn.BatchNorm2d(16), "relu")
        assert_type(tl, armconv.Conv2d)
        # An untyped (Any) input may be float16: the result is some ndarray.
        ty: npt.NDArray[Any] = tl(torch.zeros(1, 8, 5, 5))
    h = armconv.Conv2d(w, b, padding=1, precision="fp16")
    assert_type(h(x.astype(np.float16)), npt.NDArray[np.float16])
    assert_type(h(x), F32)
    prec: str = h.precision
    c = armconv.gemm(np.ones((4, 3), np.float32), np.ones((3, 5), np.float32))
    assert_type(armconv.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), F32)
    pbuf: F32 = np.empty((1, 8, 6, 6), np.float32)
    assert_type(armconv.max_pool2d(x, (2, 2), out=pbuf), F32)
    assert_type(armconv.avg_pool2d(x, 3, 1, (1, 1, 0, 1), count_include_pad=False), F32)
    assert_type(c, F32)
    q = armconv.quantize(x, 0.05)
    assert_type(q, npt.NDArray[np.int8])
    qc = armconv.quantize(w, np.full(16, 0.01, np.float32), axis=0)
    assert_type(armconv.dequantize(q, 0.05), F32)
    assert_type(armconv.dequantize(qc, np.full(16, 0.01), axis=0), F32)
    acc = armconv.gemm_s8(np.ones((2, 3), np.int8), np.ones((3, 4), np.int8))
    assert_type(acc, npt.NDArray[np.int32])
    r = armconv.requantize(acc, 0.5, activation_range=(0, 127))
    assert_type(r, npt.NDArray[np.int8])
    ql = armconv.QConv2d(w, b, input_scale=0.05, output_scale=0.1, padding=1, activation="relu")
    assert_type(ql(q), npt.NDArray[Any])
    out8: npt.NDArray[np.int8] = np.empty((1, 16, 12, 12), np.int8)
    assert_type(ql(q, out=out8), npt.NDArray[np.int8])
    m: npt.NDArray[np.int32] = ql.requant_multiplier
    e: int = ql.requant_shift
    s: float = ql.input_scale
    o: Optional[float] = ql.output_scale
    n4 = armconv.to_nc4hw4(x)
    assert_type(armconv.from_nc4hw4(n4, 8), F32)
    info = armconv.cpu_info()
    assert_type(info, armconv.CpuInfo)
    flags = [info["neon"], info["neon_kernels"], info["dotprod"], info["fp16"], info["i8mm"]]
    sgemm_impl: str = info["kernels"]["sgemm"]
    arch: str = info["arch"]
    cpus: int = info["cpus"]
    before: int = armconv.get_num_threads()
    armconv.set_num_threads(max(1, cpus))
    with armconv.threads(1) as t:
        assert_type(t, armconv.threads)
        assert armconv.get_num_threads() == 1
    armconv.set_num_threads(before)
    try:
        armconv.conv2d(x, w, algo="gemm")
    except armconv.Error as err:
        assert isinstance(err, ValueError)
    version: str = armconv.__version__
    return float(y.sum()) + s + float(e) + len(name + arch + sgemm_impl + version), ws + sum(flags)


def run_model(path: str) -> Dict[str, F32]:
    """Typed use of a whole model (not run here: it needs a model file)."""
    model: armconv.Model = armconv.load(path)
    names: List[str] = model.input_names
    x = np.zeros((1, 3, 224, 224), np.float32)
    y = model(x)
    assert_type(y, Union[F32, Tuple[F32, ...]])
    text: str = model.summary()
    model.save(path + ".npz")
    return model.run({names[0]: x})


if __name__ == "__main__":
    print(main())
'''

BAD_SCRIPT = '''
import numpy as np
import armconv

x = np.zeros((1, 3, 8, 8), np.float32)
w = np.zeros((4, 3, 3, 3), np.float32)
armconv.conv2d(x, w, stride="2")
armconv.Conv2d(w, padding="full")
armconv.Conv2d(w, activation="gelu")
n: int = armconv.gemm(x[0, 0], x[0, 0])
armconv.cpu_info()["nope"]
armconv.quantize(x, 0.1, axis="0")
armconv.Conv2d(w).algo_for(7, "7")
'''
BAD_LINES = {7: "arg-type", 8: "arg-type", 9: "arg-type", 10: "assignment", 11: "typeddict-item",
             12: "arg-type", 13: "arg-type"}


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    cache = tmp_path_factory.mktemp("mypy-cache")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(PKG))

    def run(*args, cwd):
        r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                            "--cache-dir", str(cache), *args],
                           capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
        return r.returncode, r.stdout + r.stderr
    return run


def test_every_public_name_is_in_the_user_script():
    missing = [n for n in armconv.__all__ if f"armconv.{n}" not in USER_SCRIPT]
    assert not missing, f"add {missing} to USER_SCRIPT"


def test_user_script_passes_mypy_strict(mypy, tmp_path):
    script = tmp_path / "user.py"
    script.write_text(textwrap.dedent(USER_SCRIPT))
    rc, out = mypy(str(script), cwd=tmp_path)
    assert rc == 0, out
    # and it runs
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.path.dirname(PKG)), timeout=600)
    assert r.returncode == 0, r.stderr


def test_type_errors_are_reported(mypy, tmp_path):
    """The types are real: wrong calls fail mypy where they should (not Any)."""
    script = tmp_path / "bad.py"
    script.write_text(BAD_SCRIPT)
    rc, out = mypy(str(script), cwd=tmp_path)
    assert rc == 1, out
    for line, code in BAD_LINES.items():
        assert f"bad.py:{line}: error:" in out and f"[{code}]" in out, (line, code, out)
    assert "import-untyped" not in out, out


def test_package_passes_mypy_strict(mypy, tmp_path):
    """The package's own annotations (and the stub) check under --strict."""
    assert os.path.exists(os.path.join(PKG, "py.typed"))
    # (other modules they import, e.g. the model runner's, are read but not judged)
    rc, out = mypy("--follow-imports=silent", *[os.path.join("armconv", f) for f in TYPED],
                   cwd=os.path.dirname(PKG))
    assert rc == 0, out


def test_stub_matches_the_compiled_module(tmp_path):
    """stubtest: every name of armconv._armconv is in _armconv.pyi, and nothing else.

    pybind11 classes have their own metaclass, which a stub does not spell.
    """
    allow = tmp_path / "allow.txt"
    allow.write_text("armconv._armconv.Conv2d\narmconv._armconv.QConv2d\n")
    r = subprocess.run([sys.executable, "-m", "mypy.stubtest", "armconv._armconv",
                        "--allowlist", str(allow)],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, PYTHONPATH=os.path.dirname(PKG)))
    assert r.returncode == 0, r.stdout + r.stderr
