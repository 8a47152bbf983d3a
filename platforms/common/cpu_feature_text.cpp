// Human-readable names for CpuFeature bits, used by `switchyard backends` and in logs.
#include <bit>
#include <string>

#include "switchyard/platform.hpp"

namespace sy::platform {
namespace {

struct FeatureName {
    CpuFeature bit;
    const char* name;  // the spelling vendors and compilers use (-mavx512vnni, Zvfh)
};

// Order is the order of the enum, so the text is stable across runs and machines.
constexpr FeatureName kNames[] = {
    {kCpuSse42, "SSE4.2"},
    {kCpuAvx, "AVX"},
    {kCpuAvx2, "AVX2"},
    {kCpuFma, "FMA"},
    {kCpuF16c, "F16C"},
    {kCpuBmi2, "BMI2"},
    {kCpuAvxVnni, "AVX-VNNI"},
    {kCpuAvx512F, "AVX512"},
    {kCpuAvx512Vnni, "AVX512-VNNI"},
    {kCpuAvx512Bf16, "AVX512-BF16"},
    {kCpuAvx512Vbmi, "AVX512-VBMI"},
    {kCpuRvv, "RVV"},
    {kCpuZfh, "Zfh"},
    {kCpuZvfh, "Zvfh"},
    {kCpuZba, "Zba"},
    {kCpuZbb, "Zbb"},
};

}  // namespace

std::string cpu_feature_text(uint64_t features) {
    std::string text;
    auto append = [&text](const std::string& word) {
        if (!text.empty()) text += ' ';
        text += word;
    };
    uint64_t named = 0;
    for (const FeatureName& f : kNames) {
        named |= f.bit;
        if (features & f.bit) append(f.name);
    }
    // A bit added to the enum but not to the table still shows up, so it cannot hide.
    for (uint64_t rest = features & ~named; rest != 0; rest &= rest - 1) {
        append("bit" + std::to_string(std::countr_zero(rest)));
    }
    return text;
}

}  // namespace sy::platform
