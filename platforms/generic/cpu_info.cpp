// CPU probe for ISAs without a dedicated one: name the machine, claim no features, so every
// backend's score() falls back to its portable path.
#include <sys/utsname.h>

#include "internal/cpu_probe.hpp"

namespace sy::platform::detail {

void probe_cpu(CpuInfo& out) {
    utsname u{};
    out.arch = uname(&u) == 0 ? u.machine : "unknown";
    out.model = "unknown";
    out.features = 0;
    out.vlen_bits = 0;
}

}  // namespace sy::platform::detail
