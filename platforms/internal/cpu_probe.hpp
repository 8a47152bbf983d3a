// Seams between the ISA-neutral cpu_info() cache (common/cpu_info.cpp) and the per-platform
// probes. Exactly one definition of each function is linked, picked by platforms/CMakeLists.txt,
// so callers never see an #ifdef. Private to platforms/: not installed, not on any public path.
#pragma once

#include "switchyard/platform.hpp"

namespace sy::platform::detail {

// Fills arch, model, features and vlen_bits for the ISA this library was built for
// (x86_64/, riscv64/ or generic/cpu_info.cpp). Called once; may be slow (reads /proc).
void probe_cpu(CpuInfo& out);

// Logical CPUs this process may run on: the affinity mask when the OS has one (taskset,
// cgroup cpusets), else the online count. Never 0 (posix/logical_cores.cpp).
unsigned logical_cores();

}  // namespace sy::platform::detail
