"""The cpu_info() contract, checked against the CPU the suite is known to run on."""
import platform
import re

import armconv
from conftest import EXPECT_CPU


def test_shape_of_the_answer():
    info = armconv.cpu_info()
    assert set(info) >= {"arch", "neon", "neon_kernels", "dotprod", "fp16", "i8mm", "kernels"}
    for k in ("neon", "neon_kernels", "dotprod", "fp16", "i8mm"):
        assert isinstance(info[k], bool), k
    assert set(info["kernels"]) >= {"sgemm", "depthwise3x3", "winograd", "gemm_s8", "winograd_gemm",
                                    "winograd23_s8", "winograd_gemm_s16",
                                    "depthwise3x3_s8", "depthwise5x5", "depthwise", "half_convert", "pool",
                                    "eltwise", "quantize", "add_s8"}
    assert all(isinstance(v, str) and v for v in info["kernels"].values())


# <family>-<isa>-<tile>[-<variant>] (README, "How it works"); the file that
# holds a kernel is src/neon/<isa>/<family>_<tile>[_<variant>].cpp or src/generic/.
_NAME = re.compile(r"^(?P<family>[a-z0-9_]+)-(?P<isa>generic|aarch64|armv7)-(?P<tile>[0-9a-z]+)"
                   r"(?:-(?P<variant>[a-z0-9]+))?$")
_FAMILY = {"sgemm": "sgemm", "gemm_s8": "gemm_s8", "winograd": "winograd63", "winograd43": "winograd43",
           "winograd23": "winograd23", "winograd43s2": "winograd43s2", "winograd23s2": "winograd23s2",
           "winograd_gemm": "wino_gemm", "depthwise3x3": "dwconv3x3",
           "winograd23_s8": "winograd23_s8", "winograd_gemm_s16": "wino_gemm_s16",
           "depthwise3x3_s8": "dwconv3x3_s8", "depthwise5x5": "dwconv5x5", "depthwise": "dwconv",
           "half_convert": "half_convert", "pool": "pool", "eltwise": "eltwise", "quantize": "quantize",
           "add_s8": "add_s8",
           "hgemm": "hgemm", "depthwise3x3_fp16": "dwconv3x3",  # fp16 slots: where they run
           "winograd43_fp16": "winograd43", "winograd23_fp16": "winograd23", "winograd_gemm_fp16": "wino_gemm"}
# Slots whose kernel is one portable loop on every CPU (none since the NEON
# any-shape depthwise; the mechanism stays for the next one).
_PORTABLE: set = set()
# armv7's Advanced SIMD converts binary16 with flush-to-zero (Standard FPSCR):
# it keeps the portable conversion (src/core/half_convert.h).
_PORTABLE_ARMV7 = {"half_convert"}


def test_kernel_names_follow_the_grammar():
    info = armconv.cpu_info()
    for slot, name in info["kernels"].items():
        m = _NAME.match(name)
        assert m, (slot, name)
        assert m["family"] == _FAMILY[slot], (slot, name)
        portable = slot in _PORTABLE or (info["arch"] == "armv7" and slot in _PORTABLE_ARMV7)
        want_isa = info["arch"] if info["neon_kernels"] and not portable else "generic"
        assert m["isa"] == want_isa, (slot, name, info["arch"])
        if m["variant"] in ("dotprod", "fp16", "i8mm"):  # extension units run only where the CPU has it
            assert info[m["variant"]], (slot, name)


def test_flags_agree():
    info = armconv.cpu_info()
    # Extensions are only reported on top of NEON.
    if not info["neon"]:
        assert not (info["neon_kernels"] or info["dotprod"] or info["fp16"] or info["i8mm"])
    # neon_kernels says whether the NEON kernels run: the kernel names agree
    # (but for the slots that are one portable loop everywhere).
    for slot, name in info["kernels"].items():
        if slot in _PORTABLE or (info["arch"] == "armv7" and slot in _PORTABLE_ARMV7):
            assert "-generic-" in name, (slot, name)
        else:
            assert info["neon_kernels"] == ("-generic-" not in name), name


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
        assert info["kernels"]["sgemm"] == "sgemm-generic-8x12"
    elif EXPECT_CPU == "cortex-a72":
        assert info["arch"] == "aarch64"
        assert info["neon"] and info["neon_kernels"] and not info["dotprod"] and not info["fp16"]
        assert info["kernels"]["sgemm"] == "sgemm-aarch64-8x12"
    elif EXPECT_CPU == "cortex-a76":
        assert info["arch"] == "aarch64"
        assert info["neon"] and info["neon_kernels"] and info["dotprod"] and info["fp16"]
        assert info["kernels"]["sgemm"] == "sgemm-aarch64-8x12"
    elif EXPECT_CPU == "cortex-a15":
        assert info["arch"] == "armv7"
        assert info["neon"] and info["neon_kernels"] and not info["dotprod"]
        assert info["kernels"]["sgemm"] == "sgemm-armv7-6x8"
    elif EXPECT_CPU == "cortex-a9":
        # NEON without VFPv4: the CPU has NEON, but the NEON kernels (built
        # for NEON + VFPv4) must not run.
        assert info["arch"] == "armv7"
        assert info["neon"] and not info["neon_kernels"]
        assert all("-generic-" in v for v in info["kernels"].values()), info["kernels"]
