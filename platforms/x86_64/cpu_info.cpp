// x86-64 CPU probe: executes CPUID and XGETBV; what the values mean is in feature_bits.cpp.
#include <cpuid.h>

#include <cstring>
#include <string>

#include "internal/cpu_probe.hpp"
#include "x86_64/feature_bits.hpp"

namespace sy::platform::detail {
namespace {

X86CpuidRegs cpuid(unsigned leaf, unsigned subleaf = 0) {
    X86CpuidRegs r;
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
    return r;
}

// Inline asm rather than _xgetbv(): the intrinsic needs -mxsave on the whole file, and this
// file must build for any x86-64. Only valid once CPUID.1:ECX.OSXSAVE says XGETBV exists.
uint64_t xgetbv0() {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

X86Raw read_raw() {
    X86Raw raw;
    // Leaves above the maximum return another leaf's data on some parts: check before asking.
    const unsigned max_leaf = __get_cpuid_max(0, nullptr);
    if (max_leaf < 1) return raw;
    raw.leaf1 = cpuid(1);
    if (max_leaf >= 7) {
        raw.leaf7 = cpuid(7, 0);
        if (raw.leaf7.eax >= 1) raw.leaf7s1 = cpuid(7, 1);  // EAX = highest subleaf
    }
    if ((raw.leaf1.ecx >> 27) & 1u) raw.xcr0 = xgetbv0();
    return raw;
}

// "Intel(R) Xeon(R) ..." from leaves 0x80000002..4, with the padding spaces trimmed.
std::string brand_string() {
    if (__get_cpuid_max(0x80000000u, nullptr) < 0x80000004u) return "unknown";
    char text[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
        const X86CpuidRegs r = cpuid(0x80000002u + i);
        const unsigned words[4] = {r.eax, r.ebx, r.ecx, r.edx};
        std::memcpy(text + 16 * i, words, sizeof(words));
    }
    const std::string brand(text);
    const size_t first = brand.find_first_not_of(' ');
    if (first == std::string::npos) return "unknown";
    const size_t last = brand.find_last_not_of(' ');
    return brand.substr(first, last - first + 1);
}

}  // namespace

void probe_cpu(CpuInfo& out) {
    out.arch = "x86_64";
    out.model = brand_string();
    out.features = x86_feature_bits(read_raw());
    out.vlen_bits = 0;
}

}  // namespace sy::platform::detail
