// Turning what Linux reports (riscv_hwprobe, AT_HWCAP, the V prctl) into CpuFeature bits, kept
// apart from the syscalls so the fallbacks are unit-tested on any machine: CI's qemu-user 7.2
// has no riscv_hwprobe, so that path would otherwise never run before it meets a real board.
#pragma once

#include <cstdint>

namespace sy::platform::detail {

struct RiscvRaw {
    bool hwprobe_ok = false;   // riscv_hwprobe exists and answered RISCV_HWPROBE_KEY_IMA_EXT_0
    uint64_t ima_ext0 = 0;     // its value (RISCV_HWPROBE_IMA_* / _EXT_* bits)
    unsigned long hwcap = 0;   // getauxval(AT_HWCAP): bit ('X' - 'A') per single-letter extension
    bool v_allowed = true;     // false when prctl says vector use is off for this process
};

uint64_t riscv_feature_bits(const RiscvRaw& raw);

}  // namespace sy::platform::detail
