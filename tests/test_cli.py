"""python -m armconv: the command dispatcher and the benchmark's every option.

Runs in-process on small shapes (also under QEMU, where the benchmark must
say that it is emulated)."""
import argparse
import json
import subprocess
import sys

import numpy as np
import pytest

import armconv
from armconv import __main__ as cli
from armconv import _cpuinfo, _peers, bench
from conftest import EXPECT_CPU, UNDER_QEMU
from reference import conv2d_ref

SMALL = ["--shape", "8,16,3,9", "--repeat", "1", "--peers", "numpy"]


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ------------------------------------------------------------------ dispatch, help

def test_help_documents_every_option(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "bench" in out and "commands:" in out
    for action in bench.build_parser()._actions:
        for opt in action.option_strings:
            assert opt in out, opt
        if action.help and action.help != argparse.SUPPRESS and action.option_strings != ["-h", "--help"]:
            assert action.help.split()[0] in out
    for word in ("CIN,COUT,K,H", "stride=", "groups="):  # the --shape format
        assert word in out


@pytest.mark.skipif(UNDER_QEMU, reason="qemu-user without binfmt_misc cannot start an ARM subprocess")
def test_command_help_and_python_dash_m():
    """`python -m armconv bench --help` through the interpreter, as a user types it."""
    r = subprocess.run([sys.executable, "-m", "armconv", "bench", "--help"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "usage: python -m armconv bench" in r.stdout and "--plot" in r.stdout


def test_unknown_command(capsys):
    status, _, err = run(capsys, "frobnicate")
    assert status == 2
    assert "unknown command 'frobnicate'" in err and "bench" in err


def test_commands_are_modules_with_main():
    import importlib
    for name, (module, desc) in cli.COMMANDS.items():
        assert callable(importlib.import_module(module).main) and desc
    assert cli.DEFAULT in cli.COMMANDS


# ------------------------------------------------------------------ the benchmark

def expected_warning():
    if UNDER_QEMU:
        return "EMULATED"
    if EXPECT_CPU == "host":
        return "NOT ARM"
    return None


def test_default_command_runs_table(capsys):
    status, out, err = run(capsys, *SMALL)
    assert status == 0, err
    lines = [ln for ln in out.splitlines() if ln.startswith("conv3x3 8->16 9x9")]
    assert len(lines) == 1
    auto = armconv.Conv2d(np.zeros((16, 8, 3, 3), np.float32), padding=1).algo_for(9, 9)
    assert f"{auto}*" in lines[0]
    assert any("int8" in ln for ln in out.splitlines())  # the QConv2d row
    assert "numpy ms" in out and "speed-up" in out
    assert "[1/1] conv3x3 8->16 9x9" in err  # progress
    if expected_warning():
        assert "WARNING: " + expected_warning() in err


def test_explicit_bench_command(capsys):
    status, out, _ = run(capsys, "bench", *SMALL, "--no-int8")
    assert status == 0 and "conv3x3 8->16 9x9" in out


def test_json(capsys):
    status, out, err = run(capsys, *SMALL, "--json", "--shape", "6,6,3,7,stride=2,groups=6")
    assert status == 0, err
    doc = json.loads(out)
    assert doc["armconv"] == armconv.__version__ and doc["threads"] == 1 and doc["repeat"] == 1
    assert [lay["layer"] for lay in doc["layers"]] == ["conv3x3 8->16 9x9", "dw3x3/2 6->6 7x7"]
    conv, dw = doc["layers"]
    assert conv["shape"] == {"in_channels": 8, "out_channels": 16, "kernel": 3, "stride": 1, "padding": 1,
                             "groups": 1, "h": 9, "w": 9}
    assert conv["flops"] == 2 * 16 * 9 * 9 * 8 * 9
    kinds = [r["kind"] for r in conv["rows"]]
    assert kinds == ["fp32", "int8"]
    fp32 = conv["rows"][0]
    assert fp32["ok"] and fp32["auto"] and fp32["ms"] > 0 and fp32["gflops"] > 0
    assert fp32["peers_ms"]["numpy"] > 0 and fp32["speedup"] > 0
    assert [r["algo"] for r in dw["rows"]] == ["depthwise3x3"]  # no int8 row for depthwise
    assert doc["peers"] == {"numpy": np.__version__}
    if expected_warning():
        assert any(w.startswith(expected_warning()) for w in doc["warnings"])
    if UNDER_QEMU:
        assert doc["emulated"] and doc["peak_gflops"] is None


def test_algos_all_and_no_int8(capsys):
    status, out, _ = run(capsys, *SMALL, "--algos", "all", "--no-int8", "--json")
    rows = json.loads(out)["layers"][0]["rows"]
    assert status == 0
    # every family that runs 3x3 s1
    assert {r["algo"] for r in rows} == {"im2col", "winograd23", "winograd43", "winograd63"}
    assert sum(r["auto"] for r in rows) == 1 and all(r["kind"] == "fp32" and r["ok"] for r in rows)


def test_threads(capsys):
    """--threads N: armconv's calls (and the peers) on N threads; the team each
    call used is reported, the results are checked as at one thread."""
    before = armconv.get_num_threads()
    status, out, err = run(capsys, "--shape", "64,96,1,14", "--shape", "4,4,3,5,groups=4", "--repeat", "1",
                           "--peers", "numpy", "--threads", "3", "--json")
    assert status == 0, err
    doc = json.loads(out)
    assert doc["threads"] == 3
    assert "benchmark: 3 threads" in err and "peers (3 threads)" in err
    big, tiny = doc["layers"]
    assert [r["team"] for r in big["rows"]] == [3, 3] and all(r["ok"] for r in big["rows"])
    assert [r["team"] for r in tiny["rows"]] == [1]  # too little work to wake threads
    assert armconv.get_num_threads() == before  # the setting is restored
    status, out, _ = run(capsys, "--shape", "64,96,1,14", "--repeat", "1", "--peers", "none", "--threads", "2")
    assert status == 0 and "team" in out.splitlines()[out.splitlines().index(next(
        ln for ln in out.splitlines() if ln.startswith("layer")))]
    assert "armconv 0" in out or "benchmark: 2 threads" in out


def test_peers_none(capsys):
    status, out, _ = run(capsys, "--shape", "4,4,1,5", "--repeat", "1", "--peers", "none")
    assert status == 0
    assert "numpy ms" not in out and "peers (one thread)" not in out


def test_quick_and_list(capsys):
    status, out, _ = run(capsys, "--quick", "--list")
    assert status == 0
    assert [ln.split("  ")[0] for ln in out.splitlines()] == [lay[0] for lay in bench.LAYERS if lay[0] in bench.QUICK]
    status, out, _ = run(capsys, "--list")
    assert len(out.splitlines()) == len(bench.LAYERS)
    status, out, _ = run(capsys, "--list", "--shape", "3,8,5,32x16,stride=2,pad=1")
    assert out.split()[:4] == ["conv5x5/2", "3->8", "32x16", "in_channels=3"]


@pytest.mark.parametrize("argv, message", [
    (["--repeat", "0"], "positive integer"),
    (["--peers", "tensorflow"], "unknown peer"),
    (["--shape", "8,16,3"], "expected CIN,COUT,K,H"),
    (["--shape", "8,16,3,9,dilation=2"], "unknown key"),
    (["--shape", "8,16,x,9"], "K must be an integer"),
    (["--shape", "8,16,3,9,groups=3"], "must divide"),
    (["--shape", "8,16,7,2,pad=0"], "does not fit"),
    (["--algos", "fastest"], "invalid choice"),
    (["--threads", "0"], "positive integer"),
    (["--threads", "two"], "positive integer"),
    (["--threads", "1025"], "at most 1024 threads"),
])
def test_bad_options(capsys, argv, message):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_plot(capsys, tmp_path, monkeypatch):
    path = tmp_path / "layers.png"
    try:
        import matplotlib  # noqa: F401
        have = True
    except ImportError:
        have = False
    status, _, err = run(capsys, *SMALL, "--plot", str(path))
    if have:
        assert status == 0, err
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert status == 2 and "--plot needs matplotlib" in err and "pip install matplotlib" in err
    # without matplotlib: a clear message before anything runs
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, out, err = run(capsys, *SMALL, "--plot", str(tmp_path / "x.png"))
    assert status == 2 and "--plot needs matplotlib" in err and out == ""
    status, _, err = run(capsys, *SMALL, "--plot", str(tmp_path / "x.pdf"))
    assert status == 2 and ".png" in err


# ------------------------------------------------------------------ core detection

A72_CPU = """processor\t: {n}
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x0
CPU part\t: 0xd08
CPU revision\t: 3

"""
PI4 = A72_CPU.format(n=0) + A72_CPU.format(n=1) + "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n"
PI5 = PI4.replace("0xd08", "0xd0b").replace("variant\t: 0x0", "variant\t: 0x4").replace("revision\t: 3", "revision\t: 1")
PI2_32BIT = """processor\t: 0
model name\t: ARMv7 Processor rev 5 (v7l)
BogoMIPS\t: 38.40
Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm
CPU implementer\t: 0x41
CPU architecture: 7
CPU variant\t: 0x0
CPU part\t: 0xc07
CPU revision\t: 5
"""
PHONE = "".join(f"processor\t: {i}\nCPU implementer\t: 0x41\nCPU part\t: {p}\nCPU variant\t: 0x{v}\nCPU revision\t: 0\n\n"
                for i, (p, v) in enumerate([("0xd05", 2)] * 4 + [("0xd0d", 1)] * 3 + [("0xd44", 1)]))
X86 = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\n"


def sysfs(tmp_path, khz):
    for cpu, f in khz.items():
        d = tmp_path / f"cpu{cpu}" / "cpufreq"
        d.mkdir(parents=True)
        (d / "cpuinfo_max_freq").write_text(f"{f}\n")
    return str(tmp_path)


def test_pi4(tmp_path):
    det = _cpuinfo.detect(PI4, "aarch64", sysfs(tmp_path, {0: 1800000, 1: 1800000}))
    core = det["core"]
    assert not det["emulated"] and core.name == "Cortex-A72" and core.cpus == [0, 1]
    assert core.describe() == "2 x Cortex-A72 r0p3 @ 1800 MHz"
    assert core.peak_gflops() == pytest.approx(14.4)          # 8 FLOP/cycle
    assert core.peak_int8_gops(False) == pytest.approx(28.8)  # smull: 16 ops/cycle
    assert _cpuinfo.warnings_for(det, {"neon": True}) == []


def test_pi5(tmp_path):
    det = _cpuinfo.detect(PI5, "aarch64", sysfs(tmp_path, {0: 2400000}))
    core = det["core"]
    assert core.name == "Cortex-A76" and (core.variant, core.revision) == (4, 1)
    assert core.peak_gflops() == pytest.approx(38.4)          # 16 FLOP/cycle
    assert core.peak_int8_gops(True) == pytest.approx(153.6)  # 2 sdot/cycle
    assert core.mhz == 2400  # cpu1 has no cpufreq here: the readable one counts


def test_no_cpufreq_no_peak(tmp_path):
    det = _cpuinfo.detect(PI4, "aarch64", str(tmp_path / "missing"))
    assert det["core"].mhz is None and det["core"].peak_gflops() is None
    assert "clock not readable" in det["core"].describe()


def test_32bit_pi_and_unknown_peak():
    det = _cpuinfo.detect(PI2_32BIT, "armv7l", "/nonexistent")
    assert det["core"].name == "Cortex-A7" and not det["emulated"]
    assert any("peak is not in" in w for w in _cpuinfo.warnings_for(det, {"neon": True}))


def test_big_little_fastest_first(tmp_path):
    det = _cpuinfo.detect(PHONE, "aarch64", sysfs(tmp_path, {0: 1800000, 4: 2400000, 7: 2840000}))
    assert [c.name for c in det["cores"]] == ["Cortex-X1", "Cortex-A77", "Cortex-A55"]
    assert det["core"].peak_gflops() == pytest.approx(2.84 * 32)
    assert [len(c.cpus) for c in det["cores"]] == [1, 3, 4]


def test_emulated_and_x86():
    det = _cpuinfo.detect(X86, "aarch64")
    assert det["emulated"] and det["core"] is None
    (w,) = _cpuinfo.warnings_for(det, {"neon": True})
    assert w.startswith("EMULATED") and "x86" in w
    det = _cpuinfo.detect("", "aarch64")  # no MIDR at all
    assert det["emulated"]
    det = _cpuinfo.detect(X86, "x86_64")
    assert not det["arm"] and _cpuinfo.warnings_for(det, {"neon": False})[0].startswith("NOT ARM")
    det = _cpuinfo.detect(PI4, "aarch64", "/nonexistent")
    assert _cpuinfo.warnings_for(det, {"neon": False})[0].startswith("NO NEON")


def test_this_machine():
    det = _cpuinfo.detect()
    if UNDER_QEMU:  # qemu-user passes the x86 host's /proc/cpuinfo through
        assert det["arm"] and det["emulated"]
    elif EXPECT_CPU == "host":
        assert not det["arm"]


# ------------------------------------------------------------------ peers

@pytest.mark.parametrize("stride, pad, groups", [(1, 1, 1), (2, 0, 1), (2, 1, 4), (1, 2, 2)])
def test_numpy_peer_matches_reference(stride, pad, groups):
    rng = np.random.default_rng(stride * 10 + pad + groups)
    x = rng.standard_normal((2, 8, 9, 7))
    w = rng.standard_normal((12, 8 // groups, 3, 3))
    b = rng.standard_normal(12)
    y = _peers.numpy_conv(x, w, b, stride, pad, groups)
    ref = conv2d_ref(x, w, b, stride=(stride, stride), pads=(pad,) * 4, groups=groups)
    np.testing.assert_allclose(y, ref, rtol=1e-10, atol=1e-10)


def test_onnx_model_bytes_run_in_onnxruntime():
    if not _peers.available("onnxruntime"):
        pytest.skip("onnxruntime not installed")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 6, 11, 10)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    y = _peers.make("onnxruntime", x, w, b, 2, 1, 2)()
    np.testing.assert_allclose(y, _peers.numpy_conv(x, w, b, 2, 1, 2), rtol=1e-4, atol=1e-4)


def test_peer_not_installed(capsys, monkeypatch):
    """A peer that cannot be imported: named as such in the header, no column."""
    monkeypatch.setattr(_peers, "available", lambda name: name == "numpy")
    with pytest.raises(_peers.PeerUnavailable):
        _peers.make("torch", None, None, None, 1, 0, 1)
    status, out, _ = run(capsys, "--shape", "4,4,1,5", "--repeat", "1", "--peers", "numpy,torch")
    assert status == 0
    assert "torch not installed" in out and "torch ms" not in out and "numpy ms" in out
