# Cross-compile armconv for 64-bit ARM Linux (AArch64) with Debian's GCC cross
# compiler (apt-get install g++-aarch64-linux-gnu qemu-user).
#
#   cmake -S . -B build-a64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
#         -DARMCONV_PYTHON=OFF -DARMCONV_TESTS=ON
#   cmake --build build-a64 && QEMU_CPU=cortex-a76 ctest --test-dir build-a64
#
# ctest runs the test binaries through qemu-aarch64 (no -cpu here: the QEMU_CPU
# environment variable picks the CPU model, e.g. cortex-a72 or cortex-a76).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(ARMCONV_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER   ${ARMCONV_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${ARMCONV_TRIPLE}-g++)

# Target libraries and headers live under /usr/<triple> (Debian multiarch cross
# layout). Programs come from the host; packages may be found on the host too
# (pybind11's CMake config is a host, architecture-independent file).
set(CMAKE_FIND_ROOT_PATH /usr/${ARMCONV_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# Run target programs (ctest, add_test) under QEMU user mode.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${ARMCONV_TRIPLE})
