#!/usr/bin/env bash
# armconv's release builder: the sdist and the wheels for Linux x86_64, aarch64
# and armv7l, repaired and checked by auditwheel, each tested before release.
#
#   bash scripts/wheels.sh [-o DIR]      # everything below, into DIR (default dist/)
#
# This runs scripts/test.sh's Python targets (ARMCONV_TARGETS="host aarch64
# armv7", ARMCONV_PY_ONLY=1), which do, on an x86_64 Debian/Ubuntu machine
# (installing what they need):
#   1. the sdist (`wheels.sh sdist`), its contents checked (tests/test_package.py);
#   2. a wheel per architecture built from that sdist (`wheels.sh build`): the
#      host's with gcc, aarch64 and armv7l cross-compiled with the toolchain
#      files in toolchains/ against Debian's Python 3.11 for the target;
#      `auditwheel repair` then gives each the manylinux tag of the lowest
#      glibc its symbols allow (and would graft any non-system library the
#      module links, e.g. libgomp, into armconv.libs/);
#   3. each wheel installed by pip of the Python it is for (`wheels.sh
#      install`: the ARM Python runs under qemu-user), so a tag that Python
#      does not accept fails here;
#   4. the test suite run against the installed wheel: x86_64 on the host,
#      aarch64 under QEMU as a Cortex-A72 (Pi 4) and a Cortex-A76 (Pi 5),
#      armv7l as a Cortex-A15 (NEON/VFPv4 kernels) and, for the run-time
#      fallback, a Cortex-A9 (NEON without VFPv4: generic kernels).
# Only when every step passes are the sdist and wheels copied to DIR. The
# wheels are for CPython 3.11 (the Python of Debian 12 / Pi OS Bookworm);
# other Python versions: the [tool.cibuildwheel] configuration in
# pyproject.toml, or the sdist.
#
# Commands (scripts/test.sh sources this file and runs them as functions;
# ARMCONV_PY_VER, default 3.11; PYTHON, default python3):
#   wheels.sh sdist OUTDIR
#       build the sdist into OUTDIR (scikit-build-core's PEP 517 hook).
#   wheels.sh build ARCH SRC WORKDIR [VAR=value ...]
#       ARCH: host, aarch64 or armv7; SRC: a source tree or an sdist. Builds
#       the wheel in WORKDIR (WORKDIR/skbuild is the CMake build tree, kept
#       between runs while the configuration stays the same) with the given
#       build environment (e.g. CC=clang-14 CXX=clang++-14), repairs it into
#       WORKDIR/dist/. Cross builds need ARMCONV_SYSROOT: the target's root
#       with usr/include/python3.11 (scripts/test.sh makes one).
#   wheels.sh install ARCH WHEEL DIR
#       pip install --target DIR, run by the target's Python (ARM: under QEMU,
#       QEMU_CPU from the environment or the arch's first CPU model).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY_VER=${ARMCONV_PY_VER:-3.11}
declare -A TRIPLE=([aarch64]=aarch64-linux-gnu [armv7]=arm-linux-gnueabihf)
declare -A PLAT=([aarch64]=linux-aarch64 [armv7]=linux-armv7l)
declare -A QEMU=([aarch64]=qemu-aarch64 [armv7]=qemu-arm)
declare -A QEMU_CPU0=([aarch64]=cortex-a72 [armv7]=cortex-a15)
# The armv7l wheel keeps Debian armhf's baseline (ARMv7-A, Thumb-2,
# VFPv3-D16, no NEON) everywhere but in the NEON sources, which CMake builds
# for NEON/VFPv4 and the run-time dispatch picks only on a CPU that has both:
# the wheel then runs on every ARMv7 hard-float CPU (toolchains/arm-linux-gnueabihf.cmake
# alone would build everything for NEON/VFPv4).
ARMV7_BASELINE="-march=armv7-a -mthumb -mfpu=vfpv3-d16 -mfloat-abi=hard"

PY=${PYTHON:-python3}  # with scikit-build-core, pybind11, auditwheel (scripts/test.sh's venv)
die() { printf 'wheels.sh: %s\n' "$*" >&2; exit 2; }

cmd_sdist() {  # OUTDIR
  local out=$1
  rm -rf "$out"; mkdir -p "$out"
  out=$(cd "$out" && pwd)
  (cd "$ROOT" && "$PY" -c 'import sys; from scikit_build_core.build import build_sdist; print(build_sdist(sys.argv[1]))' "$out")
  local sd; sd=$(ls "$out"/armconv-*.tar.gz)
  local f list; list=$(tar tzf "$sd")
  for f in LICENSE README.md pyproject.toml CMakeLists.txt python/armconv/py.typed; do
    grep -qx "armconv-[^/]*/$f" <<<"$list" || die "$sd lacks $f"
  done
  echo "sdist: $sd ($(du -k "$sd" | cut -f1) KB)"
}

# Wipe a build tree when what it was configured with changes (a toolchain
# file's *_FLAGS_INIT, for one, is read only when the cache is first made).
reset_if_changed() {  # dir words...  (a word naming a file stands for its content)
  local d=$1 x key; shift
  key=$(for x in "$@"; do echo "$x"; [ -f "$x" ] && cat "$x"; done; cmake --version 2>/dev/null | head -n 1)
  key=$(sha256sum <<<"$key" | cut -c1-16)
  if [ "$(cat "$d/.armconv-config" 2>/dev/null)" != "$key" ]; then
    rm -rf "$d"; mkdir -p "$d"; echo "$key" >"$d/.armconv-config"
  fi
}

cmd_build() {  # ARCH SRC WORKDIR [VAR=value...]
  local a=$1 src=$2 w=$3; shift 3
  case $a in host|aarch64|armv7) ;; *) die "unknown arch '$a' (host, aarch64, armv7)";; esac
  mkdir -p "$w"; w=$(cd "$w" && pwd)
  if [ -f "$src" ]; then  # an sdist: unpack where the build tree can stay valid
    # An sdist's files all carry one fixed time: unpack with the current one,
    # then give back the previous time to each file whose content is the
    # same, so that the build tree rebuilds exactly what changed.
    local f
    rm -rf "$w/src.new"; mkdir -p "$w/src.new"
    tar xzf "$src" -C "$w/src.new" --touch
    if [ -d "$w/src" ]; then
      while IFS= read -r f; do
        if cmp -s "$w/src.new/$f" "$w/src/$f"; then touch -r "$w/src/$f" "$w/src.new/$f"; fi
      done < <(cd "$w/src.new" && find . -type f)
    fi
    rm -rf "$w/src"; mv "$w/src.new" "$w/src"
    src=$(ls -d "$w"/src/armconv-*)
  fi
  local args=(-Cbuild-dir="$w/skbuild") envs=() tc="" sr=""
  if [ "$a" != host ]; then
    sr=${ARMCONV_SYSROOT:?set ARMCONV_SYSROOT to the $a Python sysroot}
    local t=${TRIPLE[$a]} soabi=cpython-${PY_VER/./}-${TRIPLE[$a]}
    tc=$ROOT/toolchains/$t.cmake
    envs=(_PYTHON_HOST_PLATFORM="${PLAT[$a]}" SETUPTOOLS_EXT_SUFFIX=".$soabi.so")
    args+=(-Ccmake.define.CMAKE_TOOLCHAIN_FILE="$tc"
           -Ccmake.define.Python_INCLUDE_DIR="$sr/usr/include/python$PY_VER"
           -Ccmake.define.Python_SOABI="$soabi"
           -Ccmake.define.ARMCONV_EXTRA_INCLUDE="$sr/usr/include")
    if [ "$a" = armv7 ]; then
      args+=("-Ccmake.define.CMAKE_C_FLAGS=$ARMV7_BASELINE" "-Ccmake.define.CMAKE_CXX_FLAGS=$ARMV7_BASELINE")
    fi
  fi
  envs+=("$@")
  reset_if_changed "$w/skbuild" "$ROOT/CMakeLists.txt" "$a" "$tc" "$sr" "${envs[@]}" "${args[@]}"
  rm -rf "$w/raw" "$w/dist"; mkdir -p "$w/raw" "$w/dist"
  env "${envs[@]}" "$PY" -m pip wheel -v "$src" --no-deps --no-build-isolation \
    --no-cache-dir --disable-pip-version-check -w "$w/raw" "${args[@]}"
  local raw; raw=$(ls "$w"/raw/armconv-*.whl)
  # auditwheel: the lowest manylinux tag the module's symbol versions allow
  # ("auto"), and any library it links outside the manylinux set grafted in.
  # Cross wheels: look for such libraries in the target's library folders.
  local ld=()
  if [ "$a" != host ]; then
    ld=(--ldpaths "/usr/${TRIPLE[$a]}/lib:$sr/lib/${TRIPLE[$a]}:$sr/usr/lib/${TRIPLE[$a]}")
  fi
  "$PY" -m auditwheel repair "${ld[@]}" -w "$w/dist" "$raw"
  local whl; whl=$(ls "$w"/dist/armconv-*.whl)
  case $(basename "$whl") in
    *-manylinux_*) ;;
    *) die "auditwheel gave no manylinux tag: $whl" ;;
  esac
  "$PY" -m auditwheel show "$whl"
  echo "wheel: $whl ($(du -k "$whl" | cut -f1) KB)"
}

cmd_install() {  # ARCH WHEEL DIR
  local a=$1 whl=$2 dir=$3
  rm -rf "$dir"; mkdir -p "$dir"
  local pipargs=(install --no-deps --no-index --no-compile --disable-pip-version-check --target "$dir" "$whl")
  if [ "$a" = host ]; then
    "$PY" -m pip "${pipargs[@]}"
    return
  fi
  # The target's Python runs the host's pip (pure Python, same 3.x version):
  # pip then judges the wheel's tags against the ARM interpreter and its glibc.
  local sr=${ARMCONV_SYSROOT:?set ARMCONV_SYSROOT to the $a Python sysroot} pipdir
  pipdir=$(mktemp -d)
  ln -s "$("$PY" -c 'import os, pip; print(os.path.dirname(pip.__file__))')" "$pipdir/pip"
  local rc=0
  env -u PYTHONHOME QEMU_LD_PREFIX="$sr" QEMU_CPU="${QEMU_CPU:-${QEMU_CPU0[$a]}}" PYTHONPATH="$pipdir" \
    PIP_ROOT_USER_ACTION=ignore PIP_CONFIG_FILE=/dev/null \
    "${QEMU[$a]}" "$sr/usr/bin/python$PY_VER" -m pip "${pipargs[@]}" || rc=$?
  rm -rf "$pipdir"
  return $rc
}

cmd_release() {  # [-o DIR]
  local out=$ROOT/dist
  while [ $# -gt 0 ]; do
    case $1 in
      -o) out=$2; shift 2 ;;
      -h|--help) sed -n '2,42p' "${BASH_SOURCE[0]}"; return 0 ;;
      *) die "unknown argument '$1' (wheels.sh [-o DIR])" ;;
    esac
  done
  local build=${ARMCONV_BUILD_DIR:-$ROOT/build-test}
  ARMCONV_TARGETS="host aarch64 armv7" ARMCONV_PY_ONLY=1 bash "$ROOT/scripts/test.sh"
  mkdir -p "$out"
  cp "$build"/sdist/armconv-*.tar.gz "$build"/host-py/dist/armconv-*.whl \
     "$build"/aarch64-py/dist/armconv-*.whl "$build"/armv7-py/dist/armconv-*.whl "$out"/
  echo "released into $out:"
  ls -l "$out"
}

# scripts/test.sh sources this file for its functions and facts.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

case ${1:-} in
  sdist) shift; [ $# = 1 ] || die "usage: wheels.sh sdist OUTDIR"; cmd_sdist "$@" ;;
  build) shift; [ $# -ge 3 ] || die "usage: wheels.sh build ARCH SRC WORKDIR [VAR=value ...]"; cmd_build "$@" ;;
  install) shift; [ $# = 3 ] || die "usage: wheels.sh install ARCH WHEEL DIR"; cmd_install "$@" ;;
  *) cmd_release "$@" ;;
esac
