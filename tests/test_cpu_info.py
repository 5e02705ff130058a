"""The cpu_info() contract, checked against the CPU the suite is known to run on."""
import platform

import armconv
from conftest import EXPECT_CPU


def test_shape_of_the_answer():
    info = armconv.cpu_info()
    assert set(info) >= {"arch", "neon", "neon_kernels", "dotprod", "fp16", "i8mm", "kernels"}
    for k in ("neon", "neon_kernels", "dotprod", "fp16", "i8mm"):
        assert isinstance(info[k], bool), k
    assert set(info["kernels"]) >= {"sgemm", "depthwise3x3", "winograd", "gemm_s8"}
    assert all(isinstance(v, str) and v for v in info["kernels"].values())
    # Extensions are only reported on top of NEON.
    if not info["neon"]:
        assert not (info["neon_kernels"] or info["dotprod"] or info["fp16"] or info["i8mm"])
    # neon_kernels says whether the NEON kernels run: the kernel names agree.
    assert info["neon_kernels"] == info["kernels"]["sgemm"].startswith("neon")
    assert info["neon_kernels"] == info["kernels"]["depthwise3x3"].startswith("neon")


def test_arch_matches_the_interpreter():
    m = platform.machine()
    arch = armconv.cpu_info()["arch"]
    if m in ("x86_64", "AMD64"):
        assert arch == "x86_64"
    elif m in ("aarch64", "arm64"):
        assert arch == "aarch64"
    elif m.startswith("armv7") or m.startswith("armv8l"):
        assert arch == "armv7"


def test_expected_cpu_model():
    """scripts/test.sh says which QEMU model (or host) runs the suite."""
    info = armconv.cpu_info()
    if EXPECT_CPU == "host" and platform.machine() == "x86_64":
        assert not info["neon"] and not info["neon_kernels"]
        assert info["kernels"]["sgemm"].startswith("generic")
    elif EXPECT_CPU == "cortex-a72":
        assert info["arch"] == "aarch64"
        assert info["neon"] and info["neon_kernels"] and not info["dotprod"] and not info["fp16"]
        assert info["kernels"]["sgemm"].startswith("neon")
    elif EXPECT_CPU == "cortex-a76":
        assert info["arch"] == "aarch64"
        assert info["neon"] and info["neon_kernels"] and info["dotprod"] and info["fp16"]
        assert info["kernels"]["sgemm"].startswith("neon")
    elif EXPECT_CPU == "cortex-a15":
        assert info["arch"] == "armv7"
        assert info["neon"] and info["neon_kernels"] and not info["dotprod"]
        assert info["kernels"]["sgemm"].startswith("neon")
    elif EXPECT_CPU == "cortex-a9":
        # NEON without VFPv4: the CPU has NEON, but the NEON kernels (built
        # for NEON + VFPv4) must not run.
        assert info["arch"] == "armv7"
        assert info["neon"] and not info["neon_kernels"]
        assert all(v.startswith("generic") for v in info["kernels"].values()), info["kernels"]
