#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "switchyard/platform.hpp"

namespace sy::platform {
namespace {

constexpr uint64_t kX86Bits = kCpuSse42 | kCpuAvx | kCpuAvx2 | kCpuFma | kCpuF16c | kCpuBmi2 |
                              kCpuAvxVnni | kCpuAvx512F | kCpuAvx512Vnni | kCpuAvx512Bf16 |
                              kCpuAvx512Vbmi;
constexpr uint64_t kRiscvBits = kCpuRvv | kCpuZfh | kCpuZvfh | kCpuZba | kCpuZbb;

// The "flags" of the first processor in /proc/cpuinfo (the kernel's view, which already
// accounts for XCR0), or an empty set when there is no such file.
std::set<std::string> proc_cpuinfo_flags() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::set<std::string> flags;
        for (std::string w; words >> w;) flags.insert(w);
        return flags;
    }
    return {};
}

TEST(CpuInfo, IsCachedAndSafeToCallFromManyThreads) {
    const CpuInfo* seen[4] = {};
    std::vector<std::thread> threads;
    for (auto& s : seen) threads.emplace_back([&s] { s = &cpu_info(); });
    for (auto& t : threads) t.join();
    for (const CpuInfo* s : seen) EXPECT_EQ(s, &cpu_info());
}

TEST(CpuInfo, DescribesThisMachine) {
    const CpuInfo& info = cpu_info();
    EXPECT_FALSE(info.arch.empty());
    EXPECT_FALSE(info.model.empty());
    EXPECT_GE(info.logical_cores, 1u);
    if (unsigned online = std::thread::hardware_concurrency(); online > 0) {
        EXPECT_LE(info.logical_cores, online) << "affinity cannot exceed the online CPUs";
    }
    std::printf("cpu: %s | %s | %u cores | vlen %u | %s\n", info.arch.c_str(),
                info.model.c_str(), info.logical_cores, info.vlen_bits,
                cpu_feature_text(info.features).c_str());
}

TEST(CpuInfo, X86FeaturesAgreeWithProcCpuinfo) {
    const CpuInfo& info = cpu_info();
    if (info.arch != "x86_64") GTEST_SKIP() << "not x86_64";
    EXPECT_EQ(info.features & kRiscvBits, 0u);
    EXPECT_EQ(info.vlen_bits, 0u);
    const std::set<std::string> flags = proc_cpuinfo_flags();
    if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags to compare with";

    auto has = [&flags](const char* f) { return flags.count(f) != 0; };
    struct Case {
        CpuFeature bit;
        bool expected;
    };
    const Case cases[] = {
        {kCpuSse42, has("sse4_2")},
        {kCpuAvx, has("avx")},
        {kCpuAvx2, has("avx2")},
        {kCpuFma, has("fma")},
        {kCpuF16c, has("f16c")},
        {kCpuBmi2, has("bmi2")},
        {kCpuAvxVnni, has("avx_vnni")},
        {kCpuAvx512F, has("avx512f") && has("avx512cd") && has("avx512vl") && has("avx512dq") &&
                          has("avx512bw")},
        {kCpuAvx512Vnni, has("avx512f") && has("avx512_vnni")},
        {kCpuAvx512Bf16, has("avx512f") && has("avx512_bf16")},
        {kCpuAvx512Vbmi, has("avx512f") && has("avx512vbmi")},
    };
    for (const Case& c : cases) {
        // Members of the AVX-512 family are reported only with the full F+CD+VL+DQ+BW base.
        const bool base_ok = (c.bit & (kCpuAvx512Vnni | kCpuAvx512Bf16 | kCpuAvx512Vbmi)) == 0 ||
                             (info.features & kCpuAvx512F) != 0;
        const bool want = c.expected && base_ok;
        EXPECT_EQ((info.features & c.bit) != 0, want) << cpu_feature_text(c.bit);
    }
}

TEST(CpuInfo, RiscvVectorMatchesTheEmulatorOrHardware) {
    const CpuInfo& info = cpu_info();
    if (info.arch != "riscv64") GTEST_SKIP() << "not riscv64";
    EXPECT_EQ(info.features & kX86Bits, 0u);

    // Set by the riscv64 test presets to the VLEN qemu-riscv64 was started with.
    if (const char* expect = std::getenv("SWITCHYARD_EXPECT_VLEN"); expect && *expect) {
        ASSERT_NE(info.features & kCpuRvv, 0u) << "QEMU runs with v=true but RVV is not reported";
        EXPECT_EQ(info.vlen_bits, static_cast<uint32_t>(std::strtoul(expect, nullptr, 10)));
        return;
    }
    if (info.features & kCpuRvv) {
        EXPECT_GE(info.vlen_bits, 128u) << "RVV 1.0 (V) requires VLEN >= 128";
        EXPECT_EQ(info.vlen_bits & (info.vlen_bits - 1), 0u) << info.vlen_bits;
    } else {
        EXPECT_EQ(info.vlen_bits, 0u);
    }
}

TEST(CpuInfo, OtherIsasClaimNoFeatures) {
    const CpuInfo& info = cpu_info();
    if (info.arch == "x86_64" || info.arch == "riscv64") GTEST_SKIP() << "has its own test";
    EXPECT_EQ(info.features, 0u);
    EXPECT_EQ(info.vlen_bits, 0u);
}

TEST(CpuFeatureText, NamesBitsInEnumOrder) {
    EXPECT_EQ(cpu_feature_text(0), "");
    EXPECT_EQ(cpu_feature_text(kCpuAvx2 | kCpuAvx | kCpuFma), "AVX AVX2 FMA");
    EXPECT_EQ(cpu_feature_text(kCpuRvv | kCpuZvfh), "RVV Zvfh");
    EXPECT_EQ(cpu_feature_text(kCpuAvx512F), "AVX512");
}

TEST(CpuFeatureText, ShowsUnnamedBitsInsteadOfHidingThem) {
    EXPECT_EQ(cpu_feature_text(1ull << 63), "bit63");
    EXPECT_EQ(cpu_feature_text(kCpuSse42 | (1ull << 40)), "SSE4.2 bit40");
}

}  // namespace
}  // namespace sy::platform
