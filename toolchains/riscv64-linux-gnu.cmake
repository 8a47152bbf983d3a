# Cross-compiling for riscv64 Linux with clang + lld and Debian's GNU cross sysroot
# (packages: clang-19 lld-19 llvm-19 g++-12-riscv64-linux-gnu libc6-dev-riscv64-cross
# libstdc++-12-dev-riscv64-cross, installed by ci/setup). Tests run under qemu-riscv64.
#
#   cmake --preset riscv64-vlen128          (or -DCMAKE_TOOLCHAIN_FILE=<this file>)
#
# Cache variables:
#   SWITCHYARD_QEMU_VLEN          vector register width QEMU emulates, in bits (default 128)
#   SWITCHYARD_RISCV_GCC_VERSION  the GNU cross toolchain whose libstdc++/crt files we use (12)
#
# Base ISA is rv64gc so every binary loads on boards without vectors. Code that needs V adds
# -march=rv64gcv on its own targets/sources and is only reached after the CPU probe says so.

# CMake reads a toolchain file once per configure and again in every try_compile project; a
# second read in the same scope would append the flags below twice.
include_guard(GLOBAL)

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(SWITCHYARD_RISCV_TRIPLE riscv64-linux-gnu)
set(SWITCHYARD_RISCV_SYSROOT /usr/${SWITCHYARD_RISCV_TRIPLE})
set(SWITCHYARD_RISCV_GCC_VERSION 12 CACHE STRING "GNU cross toolchain version providing libstdc++")
set(SWITCHYARD_QEMU_VLEN 128 CACHE STRING "VLEN (bits) qemu-riscv64 emulates for tests")
set(_sy_gcc_dir /usr/lib/gcc-cross/${SWITCHYARD_RISCV_TRIPLE}/${SWITCHYARD_RISCV_GCC_VERSION})
if(NOT EXISTS ${_sy_gcc_dir}/crtbeginS.o OR NOT EXISTS ${SWITCHYARD_RISCV_SYSROOT}/lib/libc.so)
    message(FATAL_ERROR "riscv64 cross sysroot not found (${_sy_gcc_dir}, ${SWITCHYARD_RISCV_SYSROOT}); "
                        "run ci/setup")
endif()

set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_C_COMPILER_TARGET ${SWITCHYARD_RISCV_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${SWITCHYARD_RISCV_TRIPLE})
set(CMAKE_ASM_COMPILER_TARGET ${SWITCHYARD_RISCV_TRIPLE})
find_program(CMAKE_AR NAMES llvm-ar-19 REQUIRED)
find_program(CMAKE_RANLIB NAMES llvm-ranlib-19 REQUIRED)

# Headers: with the default sysroot "/" clang also searches the build machine's /usr/include
# (after the cross headers), so a header missing from the cross sysroot would silently come
# from x86. Compiling against the cross sysroot drops that; --gcc-install-dir then tells clang
# where the matching libstdc++ lives, since it no longer finds the GCC install by itself.
# Linking keeps the default sysroot: Debian's libc.so linker script names absolute paths
# (/usr/riscv64-linux-gnu/lib/libc.so.6) that lld would re-root under a sysroot and miss. The
# link search path it gets is the GCC dir and /usr/riscv64-linux-gnu/lib (plus /lib and
# /usr/lib, which hold no libraries lld could mistake for riscv64 ones).
set(CMAKE_SYSROOT_COMPILE ${SWITCHYARD_RISCV_SYSROOT})
set(_sy_arch_flags "-march=rv64gc -mabi=lp64d --gcc-install-dir=${_sy_gcc_dir}")
set(CMAKE_C_FLAGS_INIT "${_sy_arch_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_sy_arch_flags}")
set(CMAKE_ASM_FLAGS_INIT "${_sy_arch_flags}")
foreach(kind EXE SHARED MODULE)
    set(CMAKE_${kind}_LINKER_FLAGS_INIT "-fuse-ld=lld")
endforeach()

# find_* look only in the cross sysroot for libraries, headers and packages, so nothing from
# the build machine is ever linked; programs (code generators, qemu) come from the host.
set(CMAKE_FIND_ROOT_PATH ${SWITCHYARD_RISCV_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# CTest (and add_custom_command on built tools) run riscv64 binaries through QEMU user mode.
# -L: where the guest's dynamic loader and shared libraries live, so plugins dlopen'ed by the
# tests resolve libstdc++ the same way. The -cpu string is the QEMU 7.2 spelling: "v=true"
# enables RVV, "vext_spec=v1.0" pins the ratified spec (and silences QEMU's warning about it).
find_program(SWITCHYARD_QEMU_RISCV64 qemu-riscv64)
if(SWITCHYARD_QEMU_RISCV64)
    set(CMAKE_CROSSCOMPILING_EMULATOR
        ${SWITCHYARD_QEMU_RISCV64} -L ${SWITCHYARD_RISCV_SYSROOT}
        -cpu rv64,v=true,vlen=${SWITCHYARD_QEMU_VLEN},elen=64,vext_spec=v1.0)
else()
    message(WARNING "qemu-riscv64 not found: riscv64 tests cannot run here (run ci/setup)")
endif()
