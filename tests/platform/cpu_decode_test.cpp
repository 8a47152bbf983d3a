// The CPU feature decoders with made-up register values: cases no CI machine can show (an OS
// without AVX-512 state, Knights Landing, a kernel with riscv_hwprobe, V switched off).
#include <gtest/gtest.h>

#include "riscv64/feature_bits.hpp"
#include "switchyard/platform.hpp"
#include "x86_64/feature_bits.hpp"

namespace sy::platform::detail {
namespace {

constexpr unsigned b(int n) { return 1u << n; }

// CPUID of a Sapphire-Rapids-like part: everything this project asks about.
X86Raw full_x86(uint64_t xcr0) {
    X86Raw r;
    r.leaf1.ecx = b(12) /*FMA*/ | b(20) /*SSE4.2*/ | b(27) /*OSXSAVE*/ | b(28) /*AVX*/ |
                  b(29) /*F16C*/;
    r.leaf7.eax = 1;  // subleaf 1 exists
    r.leaf7.ebx = b(5) /*AVX2*/ | b(8) /*BMI2*/ | b(16) /*F*/ | b(17) /*DQ*/ | b(28) /*CD*/ |
                  b(30) /*BW*/ | b(31) /*VL*/;
    r.leaf7.ecx = b(1) /*VBMI*/ | b(11) /*VNNI*/;
    r.leaf7s1.eax = b(4) /*AVX-VNNI*/ | b(5) /*AVX512-BF16*/;
    r.xcr0 = xcr0;
    return r;
}

constexpr uint64_t kXcr0SseAvx = 0x7;       // x87 | SSE | AVX
constexpr uint64_t kXcr0WithAvx512 = 0xE7;  // + opmask | ZMM_Hi256 | Hi16_ZMM
constexpr uint64_t kAvxFamily = kCpuAvx | kCpuAvx2 | kCpuFma | kCpuF16c | kCpuAvxVnni;
constexpr uint64_t kAvx512Family = kCpuAvx512F | kCpuAvx512Vnni | kCpuAvx512Bf16 | kCpuAvx512Vbmi;

TEST(X86Decode, NothingFromNothing) { EXPECT_EQ(x86_feature_bits(X86Raw{}), 0u); }

TEST(X86Decode, EverythingWhenTheOsSavesAllState) {
    EXPECT_EQ(x86_feature_bits(full_x86(kXcr0WithAvx512)),
              kCpuSse42 | kCpuBmi2 | kAvxFamily | kAvx512Family);
}

TEST(X86Decode, NoAvx512WhenTheOsDoesNotSaveZmmState) {
    EXPECT_EQ(x86_feature_bits(full_x86(kXcr0SseAvx)), kCpuSse42 | kCpuBmi2 | kAvxFamily);
}

TEST(X86Decode, NoVectorFeaturesWithoutOsxsave) {
    X86Raw r = full_x86(kXcr0WithAvx512);
    r.leaf1.ecx &= ~b(27);  // XGETBV unavailable: the xcr0 value must be ignored
    EXPECT_EQ(x86_feature_bits(r), kCpuSse42 | kCpuBmi2);
}

TEST(X86Decode, PartialAvx512IsNoAvx512) {
    X86Raw r = full_x86(kXcr0WithAvx512);
    r.leaf7.ebx &= ~(b(17) | b(30) | b(31));  // Knights Landing: F+CD without DQ/BW/VL
    EXPECT_EQ(x86_feature_bits(r) & kAvx512Family, 0u);
    EXPECT_NE(x86_feature_bits(r) & kCpuAvx2, 0u);
}

constexpr unsigned long kHwcapImafdcv =
    (1ul << ('I' - 'A')) | (1ul << ('M' - 'A')) | (1ul << ('A' - 'A')) | (1ul << ('F' - 'A')) |
    (1ul << ('D' - 'A')) | (1ul << ('C' - 'A')) | (1ul << ('V' - 'A'));
constexpr uint64_t kImaV = 1ull << 2, kZba = 1ull << 3, kZbb = 1ull << 4, kZfh = 1ull << 27,
                   kZvfh = 1ull << 30;

TEST(RiscvDecode, HwcapFallbackKnowsOnlyV) {  // kernels before 6.4, qemu-user 7.2
    EXPECT_EQ(riscv_feature_bits({.hwcap = kHwcapImafdcv}), kCpuRvv);
    EXPECT_EQ(riscv_feature_bits({.hwcap = kHwcapImafdcv & ~(1ul << ('V' - 'A'))}), 0u);
}

TEST(RiscvDecode, HwprobeReportsExtensions) {
    const RiscvRaw raw{.hwprobe_ok = true,
                       .ima_ext0 = kImaV | kZba | kZbb | kZfh | kZvfh,
                       .hwcap = kHwcapImafdcv};
    EXPECT_EQ(riscv_feature_bits(raw), kCpuRvv | kCpuZba | kCpuZbb | kCpuZfh | kCpuZvfh);
}

TEST(RiscvDecode, HwprobeOverridesHwcap) {
    // hwprobe ANDs over all cores; if one core lacks V, V is not usable whatever hwcap says.
    const RiscvRaw raw{.hwprobe_ok = true, .ima_ext0 = kZba, .hwcap = kHwcapImafdcv};
    EXPECT_EQ(riscv_feature_bits(raw), kCpuZba);
}

TEST(RiscvDecode, VectorSwitchedOffByTheKernel) {
    const RiscvRaw raw{.hwprobe_ok = true,
                       .ima_ext0 = kImaV | kZbb | kZvfh,
                       .hwcap = kHwcapImafdcv,
                       .v_allowed = false};
    EXPECT_EQ(riscv_feature_bits(raw), kCpuZbb);
}

}  // namespace
}  // namespace sy::platform::detail
