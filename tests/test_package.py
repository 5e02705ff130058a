"""What is released: LICENSE, build requirements, the sdist and the wheel,
and the cibuildwheel configuration.

scripts/test.sh passes ARMCONV_SDIST (the sdist every wheel is built from) and
ARMCONV_WHEEL_DIR (the repaired wheel the suite runs against); the tests of
those artefacts skip when run without them.
"""
import os
import re
import subprocess
import sys
import tarfile
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SDIST = os.environ.get("ARMCONV_SDIST")
WHEEL_DIR = os.environ.get("ARMCONV_WHEEL_DIR")
# ELF e_machine of the module in each platform tag's wheel.
ELF_MACHINE = {"x86_64": 62, "aarch64": 183, "armv7l": 40}


def pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def license_text():
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as f:
        return f.read()


def test_license_is_mit():
    text = license_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    project = pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]


def test_build_requirements_leave_cmake_and_ninja_to_the_system():
    """Termux and some Pi setups cannot pip-build cmake or ninja."""
    req = pyproject()["build-system"]["requires"]
    names = [re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0].lower() for r in req]
    assert "cmake" not in names and "ninja" not in names, req
    assert "scikit-build-core>=0.11" in req  # cross-compiling support
    assert any(n == "pybind11" for n in names)


def source_files():
    """The files an sdist must carry: everything that builds, tests or documents."""
    want = {"CMakeLists.txt", "LICENSE", "README.md", "pyproject.toml"}
    for top in ("cmake", "include", "src", "python", "toolchains", "tests", "bench", "scripts"):
        for d, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [x for x in dirs if x != "__pycache__" and not x.startswith(".")]
            for f in files:
                if not f.endswith((".pyc", ".so")):
                    want.add(os.path.relpath(os.path.join(d, f), ROOT))
    return want


@pytest.mark.skipif(not SDIST, reason="ARMCONV_SDIST not set (scripts/test.sh sets it)")
def test_sdist_contents():
    with tarfile.open(SDIST) as t:
        names = t.getnames()
        top = names[0].split("/")[0]
        assert re.fullmatch(r"armconv-\d+\.\d+\.\d+", top), top
        rel = {n[len(top) + 1:] for n in names if n.startswith(top + "/") and t.getmember(n).isfile()}
        lic = t.extractfile(f"{top}/LICENSE").read().decode()
        pkg_info = t.extractfile(f"{top}/PKG-INFO").read().decode()
    missing = sorted(source_files() - rel)
    assert not missing, f"the sdist lacks {missing}"
    junk = sorted(n for n in rel if re.match(r"(build|dist|\.ci|\.git)(/|$)", n)
                  or n.endswith((".so", ".pyc")) or "__pycache__" in n)
    assert not junk, junk
    assert lic == license_text()
    assert "License-Expression: MIT" in pkg_info and "License-File: LICENSE" in pkg_info


def the_wheel():
    wheels = [f for f in os.listdir(WHEEL_DIR) if f.endswith(".whl")]
    assert len(wheels) == 1, wheels
    return os.path.join(WHEEL_DIR, wheels[0])


@pytest.mark.skipif(not WHEEL_DIR, reason="ARMCONV_WHEEL_DIR not set (scripts/test.sh sets it)")
def test_wheel_contents_and_tag():
    path = the_wheel()
    m = re.fullmatch(r"armconv-([\d.]+)-(cp3\d+)-(cp3\d+)-manylinux_(\d+)_(\d+)_(\w+)\.whl",
                     os.path.basename(path))
    assert m, f"not a manylinux wheel name: {path}"
    version, _, _, glibc_major, glibc_minor, arch = m.groups()
    assert arch in ELF_MACHINE
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        info = f"armconv-{version}.dist-info"
        for f in ("armconv/__init__.py", "armconv/py.typed", "armconv/_armconv.pyi",
                  f"{info}/licenses/LICENSE", f"{info}/METADATA", f"{info}/WHEEL"):
            assert f in names, f"the wheel lacks {f}"
        assert z.read(f"{info}/licenses/LICENSE").decode() == license_text()
        meta = z.read(f"{info}/METADATA").decode()
        assert "License-Expression: MIT" in meta and "Requires-Dist: numpy" in meta
        tags = [line.split(": ", 1)[1] for line in z.read(f"{info}/WHEEL").decode().splitlines()
                if line.startswith("Tag: ")]
        assert tags == [f"{m.group(2)}-{m.group(3)}-manylinux_{glibc_major}_{glibc_minor}_{arch}"], tags
        so = [n for n in names if re.fullmatch(r"armconv/_armconv\..*\.so", n)]
        assert len(so) == 1, so
        elf = z.read(so[0])[:20]
        assert elf[:4] == b"\x7fELF" and int.from_bytes(elf[18:20], "little") == ELF_MACHINE[arch]
        # Only the package: no sources or tests; grafted libraries would be in armconv.libs/.
        assert all(n.startswith(("armconv/", info + "/", "armconv.libs/")) for n in names), names


@pytest.mark.skipif(not WHEEL_DIR, reason="ARMCONV_WHEEL_DIR not set (scripts/test.sh sets it)")
def test_readme_names_the_wheel_tag():
    """README's Wheels section states the manylinux tag scripts/wheels.sh gives."""
    tag = re.search(r"-(manylinux_\d+_\d+)_\w+\.whl$", the_wheel()).group(1)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    wheels = text[text.index("### Wheels"):text.index("## Python API")]
    stated = set(re.findall(r"manylinux_\d+_\d+", wheels))
    assert stated == {tag}, f"README says {sorted(stated)}, the wheel is {tag}"


def test_cibuildwheel_configuration():
    """[tool.cibuildwheel] parses and selects CPython manylinux wheels for each arch."""
    pytest.importorskip("cibuildwheel")
    from conftest import UNDER_QEMU
    if UNDER_QEMU:
        pytest.skip("host tool")
    r = subprocess.run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers",
                        "--platform", "linux", "--archs", "x86_64,aarch64,armv7l"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, CI="1"))
    assert r.returncode == 0, r.stderr
    ids = set(r.stdout.split())
    for arch in ("x86_64", "aarch64", "armv7l"):
        assert f"cp311-manylinux_{arch}" in ids, r.stdout
    assert not any("musllinux" in i or i.startswith("pp") for i in ids), ids
