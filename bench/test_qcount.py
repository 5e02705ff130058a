"""Tests of armconv's instruction counter (bench/counter, bench/qcount.py).

Run by `scripts/test.sh` (target perf) before the gate trusts the counter:
    python -m pytest bench/test_qcount.py
bench/counter/selftest.c executes known instruction sequences inside and
outside marked regions on two threads; the counts must come out exact.
"""
import collections
import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import insncount  # noqa: E402
import qcount  # noqa: E402

SELFTEST = os.path.join(qcount.COUNTER, "selftest.c")
SYMTEST = os.path.join(qcount.COUNTER, "symtest.c")
# (arch, compiler flags, the loop body's key)
BUILDS = {
    "a64": ("aarch64", [], "fmla.4s"),
    "a64-sdot": ("aarch64", ["-DSELFTEST_SDOT"], "sdot.4s"),
    "t32": ("arm", ["-mthumb", "-mfpu=neon-vfpv4"], "vmla.f32.q"),
    "a32": ("arm", ["-marm", "-mfpu=neon-vfpv4"], "vmla.f32.q"),
}


def need(tool):
    if not shutil.which(tool):
        pytest.skip(f"{tool} not installed (bash scripts/test.sh installs it)")


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    d = tmp_path_factory.mktemp("selftest")
    out = {}
    for name, (arch, flags, _) in BUILDS.items():
        cc = qcount.ARCHES[arch]["triple"] + "-gcc"
        if not shutil.which(cc):
            continue
        exe = str(d / f"selftest-{name}")
        subprocess.run([cc, "-O2", *flags, "-I", qcount.COUNTER, SELFTEST, "-o", exe, "-lpthread"], check=True)
        out[name] = exe
    return out


def count(programs, name, n, m, cpu=None, region=True, pool_marks=True):
    arch = BUILDS[name][0]
    need(qcount.ARCHES[arch]["qemu"])
    if name not in programs:
        pytest.skip("cross compiler missing")
    c = qcount.run([programs[name], str(n), str(m)], arch, cpu, region=region, pool_marks=pool_marks)
    assert c.returncode == 0, c.stderr
    return c


@pytest.mark.parametrize("name", ["a64", "t32", "a32"])
def test_region_pause_and_threads_exact(programs, name):
    body = BUILDS[name][2]
    n = 1000
    a = count(programs, name, n, 1)
    b = count(programs, name, 2 * n, 1)
    c = count(programs, name, n, 777)
    assert a.regions == 2 and set(a.threads) == {0, 1}
    # the loop body: exactly N counted on the main thread, 2N on the second;
    # the paused loops and the 5000 iterations outside the regions not at all
    assert a.threads[0].keys[body] == n and a.threads[1].keys[body] == 2 * n
    assert b.threads[0].keys[body] == 2 * n and b.threads[1].keys[body] == 4 * n
    # N more iterations = 3N more instructions on thread 0, 6N on thread 1
    assert b.threads[0].counted - a.threads[0].counted == 3 * n
    assert b.threads[1].counted - a.threads[1].counted == 6 * n
    # M iterations paused (by hints, and between the pool's wait functions on
    # thread 1): executed, not counted
    assert c.threads[0].counted == a.threads[0].counted
    assert c.threads[1].counted == a.threads[1].counted
    assert c.threads[1].all - a.threads[1].all == 2 * 3 * (777 - 1)
    # outside the regions: the whole program runs 2 x 5000 more iterations
    assert a.threads[0].all - a.threads[0].counted > 3 * 10000
    # the per-key table adds up to the total
    for t in a.threads.values():
        assert sum(t.keys.values()) == t.counted


@pytest.mark.parametrize("name", ["a64", "t32"])
def test_pool_wait_functions_pause(programs, name):
    """Without the pool's function marks, the loop between them is counted."""
    a = count(programs, name, 1000, 1, pool_marks=False)
    c = count(programs, name, 1000, 777, pool_marks=False)
    assert c.threads[1].counted - a.threads[1].counted == 3 * (777 - 1)
    assert c.threads[1].keys[BUILDS[name][2]] - a.threads[1].keys[BUILDS[name][2]] == 777 - 1


def test_without_region_everything_counts(programs):
    a = count(programs, "a64", 1000, 1, region=False)
    assert a.regions == 2 and not a.region_mode
    # only the paused stretches are left out
    for t in a.threads.values():
        assert t.counted < t.all
    assert a.threads[0].keys["fmla.4s"] == 5000 + 1000 + 5000


def test_same_run_same_count(programs):
    a = count(programs, "a64", 1000, 5)
    b = count(programs, "a64", 1000, 5)
    assert a.threads[1].counted == b.threads[1].counted
    assert a.threads[1].keys == b.threads[1].keys


# armv8.2+ encodings that qemu 7.2's disassembler prints as ".byte": the
# counter keys them "?<word>" and qcount names them with llvm-mc.
UNNAMED_BY_QEMU = {
    "4e829420": "sdot.4s", "6e829420": "udot.4s",            # dotprod
    "4fa2e020": "sdot.4s", "6fa2e020": "udot.4s",            # ... by element
    "4e420c20": "fmla.8h", "4f321020": "fmla.8h",            # fp16 (by element)
    "4e421420": "fadd.8h", "6e421c20": "fmul.8h", "4e423420": "fmax.8h",
    "4ef9b820": "fcvtzs.8h", "4e79d820": "scvtf.8h",
    "4e22ec20": "fmlal.4s",                                  # fp16fml
    "4e82a420": "smmla.4s", "6e82a420": "ummla.4s", "4e82ac20": "usmmla.4s",  # i8mm
    "4e829c20": "usdot.4s", "4f22f020": "sudot.4s",
    "6e42fc20": "bfdot.4s", "6e42ec20": "bfmmla.4s", "0ea16820": "bfcvtn.4h",  # bf16
}


@pytest.fixture(scope="module")
def symtests(tmp_path_factory):
    d = tmp_path_factory.mktemp("symtest")
    out = {}
    for name, (arch, flags, _) in BUILDS.items():
        cc = qcount.ARCHES[arch]["triple"] + "-gcc"
        if name == "a64-sdot" or not shutil.which(cc):
            continue
        exe = str(d / f"symtest-{name}")
        subprocess.run([cc, "-O2", *flags, "-I", qcount.COUNTER, SYMTEST, "-o", exe, "-lpthread"], check=True)
        out[name] = exe
    return out


@pytest.mark.parametrize("name", ["a64", "t32", "a32"])
def test_functions_exact(symtests, name):
    """Per-function counts (symbols=on) of bench/counter/symtest.c: the two
    assembly functions exactly, summed over both threads; the inline-asm
    loop under its C function; libc as [unknown]; every counted instruction
    under some symbol."""
    arch = BUILDS[name][0]
    need(qcount.ARCHES[arch]["qemu"])
    if name not in symtests:
        pytest.skip("cross compiler missing")

    def run(n, m):
        c = qcount.run([symtests[name], str(n), str(m)], arch, region=True, symbols=True)
        assert c.returncode == 0, c.stderr
        assert set(c.threads) == {0, 1}
        for t in c.threads.values():
            assert sum(t.symbols.values()) == t.counted
        return c

    n, m = 1000, 300
    a = run(n, m)
    s = a.symbols
    assert s["sym_three"] == 2 * (3 * n + 2)
    assert s["sym_two"] == (2 * m + 2) + (4 * m + 2)
    assert a.threads[1].symbols["sym_three"] == 3 * n + 2
    assert a.threads[1].symbols["sym_two"] == 4 * m + 2
    assert 3 * n <= s["sym_inline"] <= 3 * n + 12
    assert s[qcount.UNKNOWN_SYMBOL] > 0  # getpid, pthread_create/join in libc
    assert s["main"] > 0
    # N more iterations: 3 more instructions each in sym_three (twice) and
    # sym_inline, nothing else of the program moves (libc's thread start and
    # join, [unknown], vary a little with the threads' timing)
    b = run(2 * n, m)
    diff = {k: b.symbols[k] - s[k] for k in set(b.symbols) | set(s) if k != qcount.UNKNOWN_SYMBOL}
    assert {k: d for k, d in diff.items() if d} == {"sym_three": 2 * 3 * n, "sym_inline": 3 * n}
    # the keys still add up; without symbols=on there are none, the loop
    # bodies count the same
    assert sum(a.keys.values()) == a.total == sum(s.values())
    plain = qcount.run([symtests[name], str(n), str(m)], arch, region=True)
    body = BUILDS[name][2]
    assert not plain.symbols and plain.keys[body] == a.keys[body] == 3 * n


def test_function_table():
    syms = collections.Counter({"_ZN7armconv3fooEv": 60, "bar": 30, "[unknown]": 6, "baz": 4})
    rows = qcount.function_table(syms, 2, divide=2)
    names = [r[0] for r in rows]
    assert names[0] in ("armconv::foo()", "_ZN7armconv3fooEv")  # demangled when c++filt exists
    assert names[1:] == ["bar", "(other 2 symbols)"]
    assert [r[1] for r in rows] == [30, 15, 5]
    assert [round(r[2], 6) for r in rows] == [0.6, 0.3, 0.1]


def test_insncount_functions_option(capsys, monkeypatch):
    """insncount.py --functions N prints the table under each case (counted
    with symbols=on), and not without the option."""
    calls = []

    class FakeCount:
        stdout = "impl-name\n"
        keys = collections.Counter()
        symbols = collections.Counter({"kernel_a": 900, "packer_b": 100})

    def fake_count_case(exe, arch, cpu, case, reps, keys=False, tools_dir=None, symbols=False):
        calls.append(symbols)
        return 1000 / reps, FakeCount()

    monkeypatch.setattr(insncount, "build", lambda arch, build_dir: "/nonexistent/insn_bench")
    monkeypatch.setattr(insncount, "list_cases", lambda exe, arch: {"case_x": 2000.0})
    monkeypatch.setattr(insncount, "count_case", fake_count_case)
    assert insncount.main(["--functions", "5", "case_x"]) == 0
    out = capsys.readouterr().out
    assert calls == [True]
    assert "90.00%" in out and "kernel_a" in out and "10.00%" in out and "packer_b" in out
    assert insncount.main(["case_x"]) == 0
    assert calls == [True, False] and "kernel_a" not in capsys.readouterr().out


def test_llvm_mc_names_what_qemu_cannot(tmp_path):
    need("qemu-aarch64")
    need("aarch64-linux-gnu-gcc")
    if not qcount._llvm_mc():
        pytest.skip("llvm-mc not installed (apt-get install llvm)")
    src = tmp_path / "enc.c"
    insts = "".join(f'".inst 0x{w}\\n"' for w in UNNAMED_BY_QEMU)
    src.write_text('int main(void) { __asm__ __volatile__("hint #120\\n" ' + insts +
                   ' "hint #121\\n" ::: "v0", "memory"); return 0; }\n')
    exe = str(tmp_path / "enc")
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", str(src), "-o", exe], check=True)
    raw = qcount.run([exe], "aarch64", "max", region=True, name=False)
    assert raw.returncode == 0, raw.stderr
    assert set(raw.keys) == {f"?{w}" for w in UNNAMED_BY_QEMU}  # qemu named none of them
    named = qcount.run([exe], "aarch64", "max", region=True)
    expected = collections.Counter(UNNAMED_BY_QEMU.values())
    assert named.keys == expected


def test_sdot_kernel_loop_named(programs):
    """In a loop, on the CPU model that runs the sdot kernels."""
    if not qcount._llvm_mc():
        pytest.skip("llvm-mc not installed (apt-get install llvm)")
    c = count(programs, "a64-sdot", 1000, 1, cpu="cortex-a76")
    assert c.threads[0].keys["sdot.4s"] == 1000 and c.threads[1].keys["sdot.4s"] == 2000
    assert not any(k.startswith("?") for k in c.keys)


def test_key_rule():
    k = qcount.key_of_disas
    assert k("fmla v1.4s, v2.4s, v3.s[0]") == "fmla.4s"
    assert k("ld1 {v0.16b, v1.16b}, [x0], #32") == "ld1.16b"
    assert k("ldr q0, [x1, #16]") == "ldr.q"
    assert k("add x0, x1, x2") == "add"
    assert k("vmla.f32 q4, q0, d4[0]") == "vmla.f32.q"
    assert k("sdot\tv0.4s, v1.16b, v2.4b[1]") == "sdot.4s"


def test_guest_python_region():
    """A guest Python marks a region through ctypes (bench/guest_marks.py):
    the interpreter's start-up is left out and the count repeats exactly."""
    need("qemu-aarch64")
    try:
        sr, py, _ = qcount.arm_python("aarch64")
    except qcount.CounterError as e:
        pytest.skip(str(e))
    script = ("import sys, guest_marks\nn = int(sys.argv[1])\nguest_marks.region_on()\n"
              "s = 0\nfor i in range(n):\n    s += i * i\nguest_marks.region_off()\n")

    def run(n):
        c = qcount.run([py, "-c", script, str(n)], "aarch64", sysroot=sr, region=True,
                       env=qcount.python_env("aarch64"))
        assert c.returncode == 0, c.stderr
        assert c.regions == 1
        return c

    a, a2, b = run(10000), run(10000), run(20000)
    assert a.total == a2.total
    assert a.total < a.threads[0].all / 5  # start-up not counted
    per_iteration = (b.total - a.total) / 10000
    assert 20 < per_iteration < 2000
