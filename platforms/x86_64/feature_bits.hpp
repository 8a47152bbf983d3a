// Turning raw CPUID/XGETBV values into CpuFeature bits, kept apart from the instructions that
// read them so the rules (above all the XCR0 gating) are unit-tested with made-up registers on
// any machine, including ones no CI runner has.
#pragma once

#include <cstdint>

namespace sy::platform::detail {

struct X86CpuidRegs {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

struct X86Raw {
    X86CpuidRegs leaf1;     // CPUID.1
    X86CpuidRegs leaf7;     // CPUID.(7,0); zero when the CPU lacks leaf 7
    X86CpuidRegs leaf7s1;   // CPUID.(7,1); zero when leaf 7 reports no subleaf 1
    uint64_t xcr0 = 0;      // XGETBV(0); zero when the OS has not set CPUID.1:ECX.OSXSAVE
};

uint64_t x86_feature_bits(const X86Raw& raw);

}  // namespace sy::platform::detail
