// cpu_info(): probe once, share forever. The ISA-specific work is in <isa>/cpu_info.cpp.
#include "internal/cpu_probe.hpp"

namespace sy::platform {

const CpuInfo& cpu_info() {
    // A function-local static is initialised exactly once even under concurrent first calls
    // (C++11 "magic statics"), which is the thread-safety platform.hpp promises.
    static const CpuInfo info = [] {
        CpuInfo probed;
        detail::probe_cpu(probed);
        probed.logical_cores = detail::logical_cores();
        return probed;
    }();
    return info;
}

}  // namespace sy::platform
