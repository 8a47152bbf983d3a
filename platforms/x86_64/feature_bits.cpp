// CPUID + XCR0 -> CpuFeature bits. Pure (no CPUID here), so it builds and is tested anywhere.
// A vector feature counts only when the CPU has it AND the OS saves its registers (XCR0):
// otherwise the first AVX instruction faults, or state is silently lost on context switches.
#include "x86_64/feature_bits.hpp"

#include "switchyard/platform.hpp"

namespace sy::platform::detail {
namespace {

constexpr bool bit(unsigned reg, int n) { return (reg >> n) & 1u; }

// XCR0 components: 1 SSE, 2 AVX (upper YMM halves), 5 opmask, 6 upper ZMM0-15, 7 ZMM16-31.
constexpr uint64_t kXcr0Avx = (1u << 1) | (1u << 2);
constexpr uint64_t kXcr0Avx512 = kXcr0Avx | (1u << 5) | (1u << 6) | (1u << 7);

}  // namespace

uint64_t x86_feature_bits(const X86Raw& raw) {
    const bool osxsave = bit(raw.leaf1.ecx, 27);
    const uint64_t xcr0 = osxsave ? raw.xcr0 : 0;
    const bool os_avx = (xcr0 & kXcr0Avx) == kXcr0Avx;
    const bool os_avx512 = (xcr0 & kXcr0Avx512) == kXcr0Avx512;

    uint64_t f = 0;
    if (bit(raw.leaf1.ecx, 20)) f |= kCpuSse42;
    if (bit(raw.leaf7.ebx, 8)) f |= kCpuBmi2;  // scalar: needs no OS-saved state

    // Everything below operates on YMM registers.
    if (os_avx && bit(raw.leaf1.ecx, 28)) {
        f |= kCpuAvx;
        if (bit(raw.leaf1.ecx, 12)) f |= kCpuFma;
        if (bit(raw.leaf1.ecx, 29)) f |= kCpuF16c;
        if (bit(raw.leaf7.ebx, 5)) f |= kCpuAvx2;
        if (bit(raw.leaf7s1.eax, 4)) f |= kCpuAvxVnni;
    }

    // Kernels are written against F+CD+VL+DQ+BW (Skylake-SP and later), so that set is one
    // bit: a part with only some of them (Knights Landing: no VL/DQ/BW) takes the AVX2 path.
    const X86CpuidRegs& l7 = raw.leaf7;
    const bool avx512 = os_avx512 && (f & kCpuAvx) && bit(l7.ebx, 16) /*F*/ &&
                        bit(l7.ebx, 28) /*CD*/ && bit(l7.ebx, 31) /*VL*/ &&
                        bit(l7.ebx, 17) /*DQ*/ && bit(l7.ebx, 30) /*BW*/;
    if (avx512) {
        f |= kCpuAvx512F;
        if (bit(l7.ecx, 11)) f |= kCpuAvx512Vnni;
        if (bit(raw.leaf7s1.eax, 5)) f |= kCpuAvx512Bf16;
        if (bit(l7.ecx, 1)) f |= kCpuAvx512Vbmi;
    }
    return f;
}

}  // namespace sy::platform::detail
