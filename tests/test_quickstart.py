"""README.md's quick start and Python example, run as written.

test_quick_start (scripts/test.sh's `quickstart` target sets
ARMCONV_QUICKSTART=1; it needs the network for pip and a few minutes) copies
the repository, creates a fresh venv with the system's python3 and runs the
README's first quick-start block line by line in one shell, exactly as a user
would type it. The `sudo apt install` line runs as `apt-get install -y` when
the test runs as root (as CI does) and may install (not ARMCONV_NO_INSTALL=1);
otherwise each package it names must be known to apt (a misspelt or renamed
package fails) and the tools the later lines use must be there.

test_python_example runs README's Python API example with the installed
armconv (everywhere, under QEMU too) and checks every value it says a line
prints (`# -> value`).
"""
import ast
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")


def section(title):
    """The text of README's `## title` section."""
    text = open(README, encoding="utf-8").read()
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, f"README.md has no '## {title}' section"
    return m.group(1)


def code_blocks(text, lang):
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)


def quick_start_lines():
    """The commands of the first sh block of the quick start (comments dropped)."""
    block = code_blocks(section("Quick start"), "sh")[0]
    lines = []
    for line in block.splitlines():
        cmd = line.split("  #")[0].split(" # ")[0].strip()
        if cmd and not cmd.startswith("#"):
            lines.append(cmd)
    return lines


def test_quick_start_block_is_what_the_test_runs():
    """Guards the parsing: the block has the apt line, the venv, the install and the check."""
    lines = quick_start_lines()
    assert lines[0].startswith("sudo apt install ")
    assert any(line.startswith("python3 -m venv ") for line in lines)
    assert "pip install ." in lines
    assert any(line.startswith("python -m armconv") for line in lines)


@pytest.mark.skipif(os.environ.get("ARMCONV_QUICKSTART") != "1",
                    reason="set ARMCONV_QUICKSTART=1 (scripts/test.sh's quickstart target)")
def test_quick_start(tmp_path):
    lines = quick_start_lines()
    apt = lines.pop(0)
    packages = shlex.split(apt)[3:]
    if shutil.which("apt-get") and os.geteuid() == 0 and os.environ.get("ARMCONV_NO_INSTALL") != "1":
        # The apt line itself (as root: no sudo needed).
        r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                           capture_output=True, text=True, timeout=900,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        assert r.returncode == 0, f"{apt}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
    elif shutil.which("apt-cache"):  # not root: the names must at least be right
        for p in packages:
            r = subprocess.run(["apt-cache", "show", "--no-all-versions", p], capture_output=True,
                               text=True)
            assert r.returncode == 0 and f"Package: {p}" in r.stdout, \
                f"apt does not know {p!r} (README quick start): {r.stderr}"
    for tool in ("g++", "cmake", "ninja", "python3"):
        assert shutil.which(tool), f"{tool} (from the apt line) is not installed here"

    # A clone of the repository: its files without build trees and caches.
    repo = tmp_path / "armconv"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(
        ".git", "build*", "dist", ".venv", "__pycache__", "*.so", ".pytest_cache"))
    home = tmp_path / "home"
    home.mkdir()
    # The user's environment: no venv active, nothing on PYTHONPATH, the
    # system's python3 first on PATH (not the test runner's venv).
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE",
                        "ARMCONV_QUICKSTART", "PYTHONDONTWRITEBYTECODE")}
    venv_bin = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if os.path.abspath(p) != os.path.abspath(venv_bin))
    env["HOME"] = str(home)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    script = "set -ex\n" + "\n".join(lines) + "\n"
    r = subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True,
                       timeout=1800)
    log = r.stdout + r.stderr
    assert r.returncode == 0, log[-6000:]
    venvs = [line.split()[-1] for line in lines if line.startswith("python3 -m venv ")]
    venv = os.path.expanduser(venvs[0].replace("~", str(home)))
    assert os.path.isfile(os.path.join(venv, "pyvenv.cfg")), log[-2000:]
    # `python -m armconv` ran (it exits non-zero when a self-check fails).
    assert "armconv" in r.stdout, r.stdout[-3000:]


def python_example():
    return code_blocks(section("Python API"), "python")[0]


def test_python_example():
    """README's Python example runs, and each `# -> value` is what its line prints."""
    src = python_example()
    printed = []
    claims = {}
    for i, line in enumerate(src.splitlines(), 1):
        m = re.match(r"\s*print\((.*)\)\s*#\s*->\s*(.+?)\s*$", line)
        if m:
            claims[i] = ast.literal_eval(m.group(2))
    assert claims, "no '# -> value' claims found in the README example"

    def record(*args):
        frame = sys._getframe(1)
        printed.append((frame.f_lineno, args[0] if len(args) == 1 else args))

    exec(compile(src, "README.md example", "exec"), {"print": record, "__name__": "readme"})
    got = dict(printed)
    for line, want in claims.items():
        assert got.get(line) == want, f"README example line {line}: prints {got.get(line)!r}, README says {want!r}"
