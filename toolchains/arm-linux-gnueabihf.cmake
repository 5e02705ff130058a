# Cross-compile armconv for 32-bit ARM Linux, hard-float ABI (Debian armhf,
# Raspberry Pi OS 32-bit) with Debian's GCC cross compiler
# (apt-get install g++-arm-linux-gnueabihf qemu-user).
#
# Targets ARMv7-A with NEON + VFPv4 (Cortex-A7/A15/A53/A72 in 32-bit mode;
# Raspberry Pi 2 and later). Not for ARMv6 (Pi 1/Zero) or CPUs without VFPv4.
#
#   cmake -S . -B build-a32 -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake \
#         -DARMCONV_PYTHON=OFF -DARMCONV_TESTS=ON
#   cmake --build build-a32 && QEMU_CPU=cortex-a15 ctest --test-dir build-a32
#
# ctest runs the test binaries through qemu-arm (no -cpu here: set QEMU_CPU;
# qemu-arm's default CPU model has no NEON/VFPv4 guarantees, use cortex-a15 or
# cortex-a7).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7-a)

set(ARMCONV_TRIPLE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER   ${ARMCONV_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${ARMCONV_TRIPLE}-g++)

set(CMAKE_C_FLAGS_INIT   "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard")

set(CMAKE_FIND_ROOT_PATH /usr/${ARMCONV_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/${ARMCONV_TRIPLE})
