# Cross-compile armconv for AArch64 Linux with clang (default clang-14) and lld,
# using the GCC cross install's libc/libstdc++ under /usr/aarch64-linux-gnu
# (apt-get install clang-14 lld-14 g++-aarch64-linux-gnu qemu-user).
# Mirrors what Termux and other clang-only platforms use.
#
#   cmake -S . -B build-clang-a64 -DCMAKE_TOOLCHAIN_FILE=toolchains/clang-aarch64-linux-gnu.cmake \
#         -DARMCONV_PYTHON=OFF -DARMCONV_TESTS=ON
#   cmake --build build-clang-a64 && QEMU_CPU=cortex-a76 ctest --test-dir build-clang-a64
#
# Another clang: -DARMCONV_CLANG=clang-19 -DARMCONV_CLANGXX=clang++-19.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(ARMCONV_TRIPLE aarch64-linux-gnu)
set(ARMCONV_CLANG   clang-14   CACHE STRING "clang C compiler for the cross build")
set(ARMCONV_CLANGXX clang++-14 CACHE STRING "clang C++ compiler for the cross build")
set(CMAKE_C_COMPILER   ${ARMCONV_CLANG})
set(CMAKE_CXX_COMPILER ${ARMCONV_CLANGXX})
set(CMAKE_C_COMPILER_TARGET   ${ARMCONV_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${ARMCONV_TRIPLE})

# Link with lld (clang's own linker) instead of the GNU cross ld.
set(CMAKE_EXE_LINKER_FLAGS_INIT    "-fuse-ld=lld")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-fuse-ld=lld")

set(CMAKE_FIND_ROOT_PATH /usr/${ARMCONV_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# ctest runs tests under qemu-aarch64; QEMU_CPU chooses the CPU model.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${ARMCONV_TRIPLE})
