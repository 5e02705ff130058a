#!/usr/bin/env bash
# The fork experiment behind armconv's choice of its own thread pool (README,
# "Threads"): does a forked child run parallel work after its parent did?
#   bash src/threads/fork_experiment/run.sh
# Runs what is installed: OpenMP with gcc (libgomp) natively and, with the
# cross compilers and qemu-user of scripts/test.sh, for aarch64 and armhf;
# OpenMP with clang (libomp, Debian's libomp-14-dev); pthreadpool (Debian's
# libpthreadpool-dev). Each case prints the parent's and the child's result.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {  # label, command...
  local label=$1; shift
  printf '== %s\n' "$label"
  "$@" 2>&1 | sed 's/^/   /'
}
if command -v g++ >/dev/null && g++ -fopenmp -O2 omp_fork.cpp -o "$out/gomp" 2>/dev/null; then
  run "OpenMP, gcc + libgomp, $(uname -m)" "$out/gomp"
fi
if command -v aarch64-linux-gnu-g++ >/dev/null && command -v qemu-aarch64 >/dev/null &&
   aarch64-linux-gnu-g++ -fopenmp -O2 omp_fork.cpp -o "$out/gomp-a64"; then
  run "OpenMP, gcc + libgomp, aarch64 (qemu-aarch64)" qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/gomp-a64"
fi
if command -v arm-linux-gnueabihf-g++ >/dev/null && command -v qemu-arm >/dev/null &&
   arm-linux-gnueabihf-g++ -fopenmp -O2 omp_fork.cpp -o "$out/gomp-arm"; then
  run "OpenMP, gcc + libgomp, armhf (qemu-arm)" qemu-arm -L /usr/arm-linux-gnueabihf "$out/gomp-arm"
fi
if command -v clang++-14 >/dev/null && clang++-14 -fopenmp=libomp -O2 omp_fork.cpp -o "$out/omp" 2>/dev/null; then
  run "OpenMP, clang-14 + libomp, $(uname -m)" "$out/omp"
else
  echo "== OpenMP, clang + libomp: not built (apt-get install clang-14 libomp-14-dev)"
fi
if cc -O2 pthreadpool_fork.c -o "$out/ptp" -lpthreadpool -lpthread 2>/dev/null; then
  run "pthreadpool (Debian libpthreadpool-dev), $(uname -m)" "$out/ptp"
else
  echo "== pthreadpool: not built (apt-get install libpthreadpool-dev)"
fi
