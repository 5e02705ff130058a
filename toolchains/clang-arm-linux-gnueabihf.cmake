# Cross-compile armconv for 32-bit ARM Linux (armhf) with clang (default
# clang-14) and lld, using the GCC cross install's libc/libstdc++ under
# /usr/arm-linux-gnueabihf
# (apt-get install clang-14 lld-14 g++-arm-linux-gnueabihf qemu-user).
#
# Baseline flags on purpose: Debian armhf's default (ARMv7-A, Thumb-2,
# VFPv3-D16, hard float, no NEON), like a native Debian/Pi OS compiler. Only the
# NEON sources get NEON (CMakeLists.txt adds -mfpu=neon-vfpv4 to them) and the
# run-time dispatch picks them. This complements toolchains/arm-linux-gnueabihf.cmake,
# which builds everything with NEON/VFPv4.
#
#   cmake -S . -B build-clang-a32 -DCMAKE_TOOLCHAIN_FILE=toolchains/clang-arm-linux-gnueabihf.cmake \
#         -DARMCONV_PYTHON=OFF -DARMCONV_TESTS=ON
#   cmake --build build-clang-a32 && QEMU_CPU=cortex-a15 ctest --test-dir build-clang-a32
#
# Another clang: -DARMCONV_CLANG=clang-19 -DARMCONV_CLANGXX=clang++-19.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7-a)

set(ARMCONV_TRIPLE arm-linux-gnueabihf)
set(ARMCONV_CLANG   clang-14   CACHE STRING "clang C compiler for the cross build")
set(ARMCONV_CLANGXX clang++-14 CACHE STRING "clang C++ compiler for the cross build")
set(CMAKE_C_COMPILER   ${ARMCONV_CLANG})
set(CMAKE_CXX_COMPILER ${ARMCONV_CLANGXX})
set(CMAKE_C_COMPILER_TARGET   ${ARMCONV_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${ARMCONV_TRIPLE})

set(CMAKE_C_FLAGS_INIT   "-march=armv7-a -mthumb -mfpu=vfpv3-d16 -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mthumb -mfpu=vfpv3-d16 -mfloat-abi=hard")

set(CMAKE_EXE_LINKER_FLAGS_INIT    "-fuse-ld=lld")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-fuse-ld=lld")

set(CMAKE_FIND_ROOT_PATH /usr/${ARMCONV_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# ctest runs tests under qemu-arm; QEMU_CPU chooses the CPU model.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/${ARMCONV_TRIPLE})
