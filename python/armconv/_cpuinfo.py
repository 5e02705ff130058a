"""Which ARM core this is and what it can do at most: for `python -m armconv`.

The core comes from the MIDR fields Linux prints in /proc/cpuinfo ("CPU
implementer", "CPU part"), its clock from cpufreq in sysfs where readable.
Peak figures are per core and cycle, from the width and number of the
core's SIMD multiply-accumulate pipes:

- fp32: FLOPs per cycle (an FMA is 2): 128-bit FMLA pipes x 4 lanes x 2.
  Cortex-A53/A55/A72 (and A57/A73/A75, A510/A520): 8; Cortex-A76 and later
  big cores (A77, A78, A710/A715/A720, Neoverse N1): 16; the Cortex-X cores
  (four FMLA pipes): 32.
- int8: operations per cycle (a multiply-accumulate is 2), on the path
  armconv takes: with dotprod, SDOT pipes x 16 MACs x 2 (A76 class 64, X
  class 128, A55/A510/A520 32); without, one 8-lane SMULL/SMLAL per cycle
  (A72 class: 16; A53: 8).

These are the cores' documented issue rates, not measurements; a core not in
the table gets no peak (the % column stays empty).
"""
import os
import platform
import re

# (implementer, part) -> (name, fp32 FLOP/cycle, int8 smull OPS/cycle, int8 sdot OPS/cycle)
# None: unknown or not applicable (no dotprod on that core).
CORES = {
    (0x41, 0xc07): ("Cortex-A7", None, None, None),
    (0x41, 0xc09): ("Cortex-A9", None, None, None),
    (0x41, 0xc0f): ("Cortex-A15", 8, 16, None),
    (0x41, 0xc0e): ("Cortex-A17", None, None, None),
    (0x41, 0xd03): ("Cortex-A53", 8, 8, None),
    (0x41, 0xd04): ("Cortex-A35", None, None, None),
    (0x41, 0xd05): ("Cortex-A55", 8, 8, 32),
    (0x41, 0xd07): ("Cortex-A57", 8, 16, None),
    (0x41, 0xd08): ("Cortex-A72", 8, 16, None),
    (0x41, 0xd09): ("Cortex-A73", 8, 16, None),
    (0x41, 0xd0a): ("Cortex-A75", 8, 16, 32),
    (0x41, 0xd0b): ("Cortex-A76", 16, 32, 64),
    (0x41, 0xd0c): ("Neoverse-N1", 16, 32, 64),
    (0x41, 0xd0d): ("Cortex-A77", 16, 32, 64),
    (0x41, 0xd0e): ("Cortex-A76AE", 16, 32, 64),
    (0x41, 0xd41): ("Cortex-A78", 16, 32, 64),
    (0x41, 0xd44): ("Cortex-X1", 32, 64, 128),
    (0x41, 0xd46): ("Cortex-A510", 8, 8, 32),
    (0x41, 0xd47): ("Cortex-A710", 16, 32, 64),
    (0x41, 0xd48): ("Cortex-X2", 32, 64, 128),
    (0x41, 0xd4b): ("Cortex-A78C", 16, 32, 64),
    (0x41, 0xd4c): ("Cortex-X1C", 32, 64, 128),
    (0x41, 0xd4d): ("Cortex-A715", 16, 32, 64),
    (0x41, 0xd4e): ("Cortex-X3", 32, 64, 128),
    (0x41, 0xd80): ("Cortex-A520", 8, 8, 32),
    (0x41, 0xd81): ("Cortex-A720", 16, 32, 64),
    (0x41, 0xd82): ("Cortex-X4", 32, 64, 128),
    # Qualcomm Kryo cores built on Arm designs
    (0x51, 0x801): ("Kryo 2xx Silver (Cortex-A53)", 8, 8, None),
    (0x51, 0x800): ("Kryo 2xx Gold (Cortex-A73)", 8, 16, None),
    (0x51, 0x803): ("Kryo 3xx Silver (Cortex-A55)", 8, 8, 32),
    (0x51, 0x802): ("Kryo 3xx Gold (Cortex-A75)", 8, 16, 32),
    (0x51, 0x805): ("Kryo 4xx Silver (Cortex-A55)", 8, 8, 32),
    (0x51, 0x804): ("Kryo 4xx Gold (Cortex-A76)", 16, 32, 64),
}
ARM_MACHINES = ("aarch64", "arm64", "armv7l", "armv8l", "armv6l", "arm")


class Core:
    """One kind of core of this machine."""

    def __init__(self, implementer, part, variant=0, revision=0, cpus=(), mhz=None):
        self.implementer, self.part = implementer, part
        self.variant, self.revision = variant, revision
        self.cpus = list(cpus)  # logical CPU numbers of this kind
        self.mhz = mhz          # highest clock cpufreq reports, or None
        name, fp32, smull, sdot = CORES.get((implementer, part), (None, None, None, None))
        self.known = name is not None
        self.name = name or f"unknown core (implementer 0x{implementer:02x}, part 0x{part:03x})"
        self.fp32_flop_per_cycle = fp32
        self.int8_smull_ops_per_cycle = smull
        self.int8_sdot_ops_per_cycle = sdot

    def peak_gflops(self):
        if self.mhz and self.fp32_flop_per_cycle:
            return self.mhz * 1e-3 * self.fp32_flop_per_cycle
        return None

    def peak_int8_gops(self, dotprod):
        per_cycle = self.int8_sdot_ops_per_cycle if dotprod else self.int8_smull_ops_per_cycle
        if self.mhz and per_cycle:
            return self.mhz * 1e-3 * per_cycle
        return None

    def describe(self):
        clock = f" @ {self.mhz:.0f} MHz" if self.mhz else " (clock not readable)"
        return f"{len(self.cpus)} x {self.name} r{self.variant}p{self.revision}{clock}"

    def as_dict(self):
        return {"name": self.name, "implementer": self.implementer, "part": self.part, "variant": self.variant,
                "revision": self.revision, "cpus": self.cpus, "mhz": self.mhz,
                "fp32_flop_per_cycle": self.fp32_flop_per_cycle,
                "int8_smull_ops_per_cycle": self.int8_smull_ops_per_cycle,
                "int8_sdot_ops_per_cycle": self.int8_sdot_ops_per_cycle}


def _int(text):
    try:
        return int(text, 0)
    except ValueError:
        return None


def parse_cpuinfo(text):
    """[(cpu number, implementer, part, variant, revision)] from /proc/cpuinfo text."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        fields = {}
        for line in block.splitlines():
            k, sep, v = line.partition(":")
            if sep:
                fields[k.strip().lower()] = v.strip()
        imp, part = _int(fields.get("cpu implementer", "")), _int(fields.get("cpu part", ""))
        if imp is None or part is None:
            continue
        n = _int(fields.get("processor", "")) if "processor" in fields else len(out)
        out.append((n if n is not None else len(out), imp, part, _int(fields.get("cpu variant", "0")) or 0,
                    _int(fields.get("cpu revision", "0")) or 0))
    return out


def read_mhz(cpu, sysfs="/sys/devices/system/cpu"):
    """Highest clock of a logical CPU in MHz from cpufreq, or None."""
    for name in ("cpuinfo_max_freq", "scaling_max_freq"):
        try:
            with open(os.path.join(sysfs, f"cpu{cpu}", "cpufreq", name)) as f:
                return int(f.read().strip()) / 1000.0
        except (OSError, ValueError):
            continue
    return None


def detect(cpuinfo_text=None, machine=None, sysfs="/sys/devices/system/cpu"):
    """What this machine is, for the benchmark header and its warnings.

    Returns a dict: machine, cores (list of Core, fastest first), core (the
    fastest: the one peaks refer to), emulated (an ARM process whose
    /proc/cpuinfo describes no ARM core: qemu-user on another host), arm.
    """
    machine = machine or platform.machine()
    if cpuinfo_text is None:
        try:
            with open("/proc/cpuinfo") as f:
                cpuinfo_text = f.read()
        except OSError:
            cpuinfo_text = ""
    kinds = {}
    for n, imp, part, var, rev in parse_cpuinfo(cpuinfo_text):
        kinds.setdefault((imp, part, var, rev), []).append(n)
    cores = []
    for (imp, part, var, rev), cpus in kinds.items():
        mhz = [m for m in (read_mhz(c, sysfs) for c in cpus) if m]
        cores.append(Core(imp, part, var, rev, cpus, max(mhz) if mhz else None))
    cores.sort(key=lambda c: -((c.peak_gflops() or 0) * 1e6 + (c.mhz or 0)))
    arm = machine.lower().startswith(ARM_MACHINES)
    x86_host = bool(re.search(r"^(vendor_id|model name)\s*:.*(Intel|AMD|x86)", cpuinfo_text, re.M | re.I))
    return {"machine": machine, "arm": arm, "cores": cores, "core": cores[0] if cores else None,
            "emulated": arm and (not cores or x86_host), "x86_host_cpuinfo": x86_host}


def warnings_for(det, info):
    """Why the figures would mean nothing here, as sentences (empty: they mean something)."""
    out = []
    if det["arm"] and det["emulated"]:
        what = "describes an x86 CPU" if det["x86_host_cpuinfo"] else "names no ARM core"
        out.append(f"EMULATED: this is an {det['machine']} process but /proc/cpuinfo {what} "
                   "(qemu-user?): times and GFLOPS say nothing about an ARM board. "
                   "Count instructions instead (bench/insncount.py).")
    elif not det["arm"]:
        out.append(f"NOT ARM: on {det['machine']} armconv runs its portable generic kernels "
                   "(no NEON): these figures say nothing about its speed on a Raspberry Pi or phone.")
    elif not info.get("neon"):
        out.append("NO NEON: armconv runs its generic kernels on this CPU (ARMv6, or NEON hidden by "
                   "ARMCONV_DISABLE): these figures are not what the NEON kernels do.")
    core = det["core"]
    if det["arm"] and not det["emulated"] and core is not None and core.fp32_flop_per_cycle is None:
        out.append(f"{core.name}: its peak is not in armconv's table, no % of peak shown.")
    return out
