// RISC-V CPU probe: asks Linux (riscv_hwprobe, AT_HWCAP, the V prctl) and reads vlenb. What the
// answers mean is in feature_bits.cpp. vlenb is read only once those say V is usable, because
// reading it on a CPU or process without V is SIGILL.
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "internal/cpu_probe.hpp"
#include "riscv64/feature_bits.hpp"
#include "riscv64/hwprobe.hpp"
#include "riscv64/vector_length.hpp"

namespace sy::platform::detail {
namespace {

// Linux 6.5+ can switch V off per process (sysctl/prctl) while hwcap and hwprobe still report
// it. The 6.1 sysroot's <linux/prctl.h> predates these; kernel ABI, include/uapi/linux/prctl.h.
constexpr int kPrRiscvVGetControl = 70;
constexpr int kPrVstateCtrlCurMask = 0x3;
constexpr int kPrVstateCtrlOff = 1;

struct Ids {
    uint64_t mvendorid = 0, marchid = 0, mimpid = 0;
};

// Fills raw.hwprobe_ok / raw.ima_ext0 and the machine ids; leaves them zero on ENOSYS
// (kernels before 6.4, qemu-user 7.2).
Ids run_hwprobe(RiscvRaw& raw) {
    hwprobe::Pair pairs[] = {{hwprobe::kKeyImaExt0, 0},
                             {hwprobe::kKeyMvendorid, 0},
                             {hwprobe::kKeyMarchid, 0},
                             {hwprobe::kKeyMimpid, 0}};
    // cpusetsize 0 + NULL set = "all online CPUs": a boolean key reads as the AND over them,
    // so a feature is reported only if every core has it (heterogeneous boards exist).
    const long rc = syscall(hwprobe::kSyscall, pairs, sizeof(pairs) / sizeof(pairs[0]),
                            size_t{0}, nullptr, 0u);
    Ids ids;
    if (rc != 0 || pairs[0].key == -1) return ids;
    raw.hwprobe_ok = true;
    raw.ima_ext0 = pairs[0].value;
    ids.mvendorid = pairs[1].key == -1 ? 0 : pairs[1].value;
    ids.marchid = pairs[2].key == -1 ? 0 : pairs[2].value;
    ids.mimpid = pairs[3].key == -1 ? 0 : pairs[3].value;
    return ids;
}

// Kernels (and qemu-user) without the prctl answer EINVAL: there V is all-or-nothing.
bool vector_allowed_for_process() {
    const int rc = prctl(kPrRiscvVGetControl, 0, 0, 0, 0);
    return rc < 0 || (rc & kPrVstateCtrlCurMask) != kPrVstateCtrlOff;
}

std::string model_text(const Ids& ids) {
    if (ids.mvendorid == 0 && ids.marchid == 0) return "unknown";
    char text[96];
    std::snprintf(text, sizeof(text), "mvendorid 0x%llx marchid 0x%llx mimpid 0x%llx",
                  static_cast<unsigned long long>(ids.mvendorid),
                  static_cast<unsigned long long>(ids.marchid),
                  static_cast<unsigned long long>(ids.mimpid));
    return text;
}

}  // namespace

void probe_cpu(CpuInfo& out) {
    RiscvRaw raw;
    const Ids ids = run_hwprobe(raw);
    raw.hwcap = getauxval(AT_HWCAP);
    raw.v_allowed = vector_allowed_for_process();

    out.arch = "riscv64";
    out.model = model_text(ids);
    out.features = riscv_feature_bits(raw);
    out.vlen_bits = (out.features & kCpuRvv) ? read_vlenb() * 8u : 0u;
}

}  // namespace sy::platform::detail
