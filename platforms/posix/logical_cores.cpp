// How many CPUs this process may use. Thread pools size themselves from this, so it must
// honour `taskset`, cgroup cpusets and container limits expressed as affinity masks; the
// online count (std::thread::hardware_concurrency) would oversubscribe in those cases.
#include <sched.h>

#include <cerrno>
#include <memory>
#include <thread>

#include "internal/cpu_probe.hpp"

namespace sy::platform::detail {
namespace {

// The mask size the kernel wants is not known in advance (> 1024 CPUs exist), so grow the
// dynamically sized set until sched_getaffinity stops answering EINVAL.
unsigned affinity_count() {
    for (int ncpus = 1024; ncpus <= (1 << 20); ncpus *= 2) {
        struct Free {
            void operator()(cpu_set_t* s) const { CPU_FREE(s); }
        };
        std::unique_ptr<cpu_set_t, Free> set(CPU_ALLOC(ncpus));
        if (!set) return 0;
        const size_t bytes = CPU_ALLOC_SIZE(ncpus);
        CPU_ZERO_S(bytes, set.get());
        if (sched_getaffinity(0, bytes, set.get()) == 0) {
            return static_cast<unsigned>(CPU_COUNT_S(bytes, set.get()));
        }
        if (errno != EINVAL) return 0;
    }
    return 0;
}

}  // namespace

unsigned logical_cores() {
    if (unsigned n = affinity_count(); n > 0) return n;
    if (unsigned n = std::thread::hardware_concurrency(); n > 0) return n;
    return 1;
}

}  // namespace sy::platform::detail
