// Reading the vector register width is a V instruction, which the rest of the library must not
// be compiled with (it also runs on rv64gc boards without vectors).
#pragma once

#include <cstdint>

namespace sy::platform::detail {

// VLEN in bytes (the vlenb CSR). Call ONLY after the OS has said V is present and enabled:
// on a CPU without V this is an illegal instruction (SIGILL).
uint32_t read_vlenb();

}  // namespace sy::platform::detail
