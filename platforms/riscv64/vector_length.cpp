// The one function of the platform layer that executes a V instruction.
//
// V is enabled for this function alone with a target attribute rather than -march=rv64gcv on
// the file: a whole-file -march would be merged by the linker into the ELF's RISC-V arch
// attribute, marking every binary that links the platform layer as needing V. Clang supports
// target("arch=+v") on RISC-V (GCC from 14), and the riscv64 toolchain file uses clang.
#include "riscv64/vector_length.hpp"

namespace sy::platform::detail {

__attribute__((target("arch=+v"))) uint32_t read_vlenb() {
    unsigned long vlenb = 0;
    __asm__ volatile("csrr %0, vlenb" : "=r"(vlenb));
    return static_cast<uint32_t>(vlenb);
}

}  // namespace sy::platform::detail
