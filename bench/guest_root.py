"""The guest side of peer benchmarks under qemu-user: a sysroot overlay that
describes the emulated core, and a site folder of aarch64 wheels from PyPI.

qemu-user resolves an absolute path under its -L folder first, file by file,
and falls back to the host's file when the folder has none. Two things leak
from the host that way unless the overlay has them:
- /proc/cpuinfo: onnxruntime's aarch64 wheel crashes at import on the x86
  host's (its cpuinfo library finds no ARM core); ncnn counts CPUs in it.
- /sys/devices/system/cpu: ncnn sizes its GEMM and Winograd blocks from the
  L2 cache size it reads there (cpu*/cache/index*), and checks cpufreq and
  topology for big.LITTLE; onnxruntime's cpuinfo reads possible/present and
  the topology. With the host's files the peers' counts would depend on the
  machine that runs the benchmark.
overlay() makes a folder of links to the ARM sysroot plus these files for a
Raspberry Pi 4 (4x Cortex-A72, 1 MB shared L2) or Pi 5 (4x Cortex-A76, 512 KB
L2 per core, 2 MB L3), so the peers plan as on those boards, on any host.

guest_site() pip-installs pinned aarch64 manylinux wheels into a folder for
the guest's PYTHONPATH (pip --target with --platform: pip does not expand
manylinux tags, so each is named), byte-compiled with the host Python 3.11
(same magic number) so that imports under qemu are fast.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys

# The peers' pinned aarch64 wheels (bench/peers.py, bench/model_bench.py) and
# numpy as in the sysroot (scripts/test.sh SYSROOT_PIP_aarch64).
NCNN = "ncnn==1.0.20261020"
ORT = "onnxruntime==1.32.0"
NUMPY = "numpy==2.4.6"

# MIDR fields, HWCAP feature names (qemu 7.2's getauxval(AT_HWCAP) for the
# model), and the caches of the board that carries the core.
CORES = {
    "cortex-a72": dict(part="0xd08", variant="0x0", revision=3, max_khz=1800000,
                       features="fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid",
                       # (level, type, size KB, shared by all 4 cores)
                       caches=[(1, "Data", 32, False), (1, "Instruction", 48, False), (2, "Unified", 1024, True)]),
    "cortex-a76": dict(part="0xd0b", variant="0x4", revision=1, max_khz=2400000,
                       features="fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid "
                                "asimdrdm lrcpc dcpop asimddp",
                       caches=[(1, "Data", 64, False), (1, "Instruction", 64, False), (2, "Unified", 512, False),
                               (3, "Unified", 2048, True)]),
    # QEMU's "max" model (i8mm, dotprod, fp16: the int8 smmla kernels), described to the
    # guest as a Cortex-A710 phone core (no Raspberry Pi has i8mm; the caches only steer
    # blocking): 64 KB L1, 512 KB L2 per core, a shared 4 MB L3.
    "max": dict(part="0xd47", variant="0x2", revision=0, max_khz=2850000,
                features="fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid "
                         "asimdrdm lrcpc dcpop asimddp i8mm",
                caches=[(1, "Data", 64, False), (1, "Instruction", 64, False), (2, "Unified", 512, False),
                        (3, "Unified", 4096, True)]),
}
NCPUS = 4  # both boards; every benchmark here runs one thread


def arm_sysroot(cache=None):
    """The aarch64 sysroot (with its Python 3.11) that scripts/test.sh builds."""
    cache = cache or os.environ.get("ARMCONV_CACHE") or os.path.expanduser("~/.cache/armconv")
    found = sorted(glob.glob(os.path.join(cache, "sysroot-aarch64-*", ".complete")), key=os.path.getmtime)
    if not found:
        sys.exit(f"no aarch64 sysroot in {cache}: run ARMCONV_TARGETS='host aarch64' bash scripts/test.sh")
    return os.path.dirname(found[-1])


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def overlay(sr, cpu, out):
    """A sysroot of links to sr, plus proc/cpuinfo and sys/devices/system/cpu for `cpu`."""
    c = CORES[cpu]
    root = os.path.join(out, f"root-{cpu}")
    stamp = os.path.join(root, ".overlay")
    tag = hashlib.sha256(repr((sr, sorted(c.items()), NCPUS)).encode()).hexdigest()[:12]
    if os.path.exists(stamp) and open(stamp).read() == tag:
        return root
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for entry in os.listdir(sr):
        if entry not in ("proc", "sys"):
            os.symlink(os.path.join(sr, entry), os.path.join(root, entry))
    midr = (0x41 << 24) | (int(c["variant"], 16) << 20) | (0xf << 16) | (int(c["part"], 16) << 4) | c["revision"]
    _write(os.path.join(root, "proc", "cpuinfo"), "\n".join(
        f"processor\t: {i}\nBogoMIPS\t: 108.00\nFeatures\t: {c['features']}\nCPU implementer\t: 0x41\n"
        f"CPU architecture: 8\nCPU variant\t: {c['variant']}\nCPU part\t: {c['part']}\n"
        f"CPU revision\t: {c['revision']}\n" for i in range(NCPUS)) + "\n")
    base = os.path.join(root, "sys", "devices", "system", "cpu")
    span = f"0-{NCPUS - 1}"
    every = f"{(1 << NCPUS) - 1:x}"
    for name, text in (("possible", span), ("present", span), ("online", span), ("kernel_max", str(NCPUS - 1))):
        _write(os.path.join(base, name), text + "\n")
    for i in range(NCPUS):
        d = os.path.join(base, f"cpu{i}")
        for j, (level, kind, kb, shared) in enumerate(c["caches"]):
            idx = os.path.join(d, "cache", f"index{j}")
            for name, text in (("level", str(level)), ("type", kind), ("size", f"{kb}K"),
                               ("shared_cpu_map", every if shared else f"{1 << i:x}"),
                               ("shared_cpu_list", span if shared else str(i)), ("coherency_line_size", "64")):
                _write(os.path.join(idx, name), text + "\n")
        for name, text in (("physical_package_id", "0"), ("core_id", str(i)), ("cluster_id", "0"),
                           ("thread_siblings_list", str(i)), ("core_cpus_list", str(i)),
                           ("thread_siblings", f"{1 << i:x}"), ("core_siblings_list", span),
                           ("package_cpus_list", span), ("cluster_cpus_list", span)):
            _write(os.path.join(d, "topology", name), text + "\n")
        for name, text in (("cpuinfo_max_freq", str(c["max_khz"])), ("cpuinfo_min_freq", "600000"),
                           ("stats/time_in_state", f"600000 0\n{c['max_khz']} 0")):
            _write(os.path.join(d, "cpufreq", name), text + "\n")
        _write(os.path.join(base, "cpufreq", "stats", f"cpu{i}", "time_in_state"), f"600000 0\n{c['max_khz']} 0\n")
        _write(os.path.join(d, "regs", "identification", "midr_el1"), f"0x{midr:016x}\n")
    _write(stamp, tag)
    return root


def guest_site(out, requirements, name="site"):
    """A folder with the pinned aarch64 wheels (and their dependencies) for the guest Python 3.11.

    requirements: pip requirement strings ("onnxruntime==1.32.0", ...). The
    folder is named after them, so a changed pin installs afresh.
    """
    tag = hashlib.sha256(" ".join(sorted(requirements)).encode()).hexdigest()[:10]
    site = os.path.join(out, f"{name}-aarch64-{tag}")
    if os.path.exists(os.path.join(site, ".complete")):
        return site
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q",
                    "--no-compile", "--target", site, "--only-binary=:all:", "--python-version", "3.11",
                    "--implementation", "cp", "--abi", "cp311", "--platform", "manylinux_2_28_aarch64",
                    "--platform", "manylinux_2_27_aarch64", "--platform", "manylinux_2_24_aarch64",
                    "--platform", "manylinux_2_17_aarch64", "--platform", "manylinux2014_aarch64",
                    *requirements], check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j0", site], stdout=subprocess.DEVNULL)
    with open(os.path.join(site, "requirements.txt"), "w") as f:
        f.write("\n".join(requirements) + "\n")
    open(os.path.join(site, ".complete"), "w").close()
    return site
