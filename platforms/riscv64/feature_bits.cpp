// Linux's RISC-V feature reports -> CpuFeature bits. Pure, so it builds and is tested anywhere.
#include "riscv64/feature_bits.hpp"

#include "riscv64/hwprobe.hpp"
#include "switchyard/platform.hpp"

namespace sy::platform::detail {

uint64_t riscv_feature_bits(const RiscvRaw& raw) {
    constexpr unsigned long kHwcapV = 1ul << ('V' - 'A');
    // hwprobe is the authority when present (it ANDs over all cores); hwcap is the fallback
    // for kernels before 6.4 and qemu-user 7.2, and it only knows single-letter extensions.
    // Either way Linux says V only for ratified RVV 1.0, never T-Head's 0.7.1.
    const bool has_v = raw.hwprobe_ok ? (raw.ima_ext0 & hwprobe::kImaV) != 0
                                      : (raw.hwcap & kHwcapV) != 0;
    const bool v = has_v && raw.v_allowed;

    uint64_t f = 0;
    if (v) f |= kCpuRvv;
    if (raw.hwprobe_ok) {
        if (raw.ima_ext0 & hwprobe::kExtZba) f |= kCpuZba;
        if (raw.ima_ext0 & hwprobe::kExtZbb) f |= kCpuZbb;
        if (raw.ima_ext0 & hwprobe::kExtZfh) f |= kCpuZfh;
        if (v && (raw.ima_ext0 & hwprobe::kExtZvfh)) f |= kCpuZvfh;  // vector fp16 needs V on
    }
    return f;
}

}  // namespace sy::platform::detail
