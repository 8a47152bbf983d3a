// format_placement_report on a Kimi-K2-shaped model, and format_bytes. Expected sizes were
// worked out by hand from kimi_k2_weights.cpp's formulas (e.g. ffn_down_exps: 2048 x 7168 x 384
// weights at 136 bytes per 256 = 2,994,733,056 B = 2.79 GiB; 60 of them = 167.34 GiB).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "kimi_k2_weights.hpp"
#include "placement/placement.hpp"

namespace sy::placement {
namespace {

constexpr uint64_t kGiB = 1ull << 30;

// Report lines with runs of spaces collapsed and the ends trimmed, so expectations do not
// depend on the column widths.
std::vector<std::string> normalized_lines(const std::string& report) {
    std::vector<std::string> lines;
    std::istringstream in(report);
    for (std::string line; std::getline(in, line);) {
        std::string out;
        for (char c : line)
            if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
        while (!out.empty() && out.back() == ' ') out.pop_back();
        lines.push_back(out);
    }
    return lines;
}

// Index of `line` in `lines`, or -1.
int line_index(const std::vector<std::string>& lines, const std::string& line) {
    const auto it = std::find(lines.begin(), lines.end(), line);
    return it == lines.end() ? -1 : int(it - lines.begin());
}

std::string report_for(const PlacementOptions& options, const std::vector<DeviceSlot>& devices) {
    const auto w = test::kimi_k2_weights();
    return format_placement_report(w, place_weights(w, test::kKimiK2Layers, devices, options), devices);
}

const std::vector<DeviceSlot> kOneGpu = {{"CUDA0", false, 24 * kGiB}, {"CPU", true, 512 * kGiB}};

TEST(PlacementReport, KimiK2ExpertsOnCpu) {
    PlacementOptions o;
    o.n_gpu_layers = 999;
    o.overrides = {"exps=CPU"};
    const std::string report = report_for(o, kOneGpu);
    const auto lines = normalized_lines(report);
    SCOPED_TRACE(report);

    // 1157 tensors: embeddings, 14 in the dense layer 0, 19 in each of layers 1..60, 2 output.
    // CUDA0: 11 + 3 + 60 x 16 + 2 = 976 tensors; CPU: token_embd + 3 x 60 experts = 181.
    ASSERT_EQ(lines.size(), 29u) << "title, 2 headers, 21 + 4 groups, total";
    EXPECT_EQ(lines[0], "Weight placement:");
    EXPECT_EQ(lines[1], "CUDA0: 11.40 GiB in 976 tensors (24.00 GiB free)");
    EXPECT_EQ(lines[2], "blk.[0-60].attn_norm.weight 61 × 28.00 KiB 1.67 MiB -ngl 999");
    EXPECT_NE(line_index(lines, "blk.[0-60].attn_output.weight 61 × 59.50 MiB 3.54 GiB -ngl 999"), -1);
    EXPECT_NE(line_index(lines, "blk.[0-60].attn_q_b.weight 61 × 19.12 MiB 1.14 GiB -ngl 999"), -1);
    EXPECT_NE(line_index(lines, "blk.0.ffn_down.weight 1 × 133.88 MiB 133.88 MiB -ngl 999"), -1);
    EXPECT_NE(line_index(lines, "blk.[1-60].ffn_gate_inp.weight 60 × 10.50 MiB 630.00 MiB -ngl 999"), -1);
    EXPECT_NE(line_index(lines, "blk.[1-60].exp_probs_b.bias 60 × 1.50 KiB 90.00 KiB -ngl 999"), -1);
    EXPECT_NE(line_index(lines, "blk.[1-60].ffn_down_shexp.weight 60 × 14.88 MiB 892.50 MiB -ngl 999"), -1);
    EXPECT_EQ(lines[22], "output.weight 1 × 1.16 GiB 1.16 GiB -ngl 999");

    EXPECT_EQ(lines[23], "CPU: 419.52 GiB in 181 tensors (512.00 GiB free)");
    EXPECT_EQ(lines[24], "token_embd.weight 1 × 1.16 GiB 1.16 GiB default");
    EXPECT_EQ(lines[25], "blk.[1-60].ffn_gate_exps.weight 60 × 2.09 GiB 125.51 GiB -ot 'exps=CPU'");
    EXPECT_EQ(lines[26], "blk.[1-60].ffn_up_exps.weight 60 × 2.09 GiB 125.51 GiB -ot 'exps=CPU'");
    EXPECT_EQ(lines[27], "blk.[1-60].ffn_down_exps.weight 60 × 2.79 GiB 167.34 GiB -ot 'exps=CPU'");
    EXPECT_EQ(lines[28], "Total: 430.92 GiB in 1157 tensors");
}

TEST(PlacementReport, ColumnsLineUpAcrossDevices) {
    PlacementOptions o;
    o.overrides = {"exps=CPU"};
    const std::string report = report_for(o, kOneGpu);
    std::istringstream in(report);
    size_t times_column = std::string::npos;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("  ", 0) != 0) continue;  // only group lines are indented
        const size_t at = line.find(" × ");
        ASSERT_NE(at, std::string::npos) << line;
        if (times_column == std::string::npos) times_column = at;
        EXPECT_EQ(at, times_column) << line;
    }
}

TEST(PlacementReport, NCpuMoeSplitsLayerRanges) {
    // --n-cpu-moe 30 counts layers 0..29; layer 0 is dense, so 29 layers of experts stay on CPU:
    // 29 x 2,994,733,056 B = 80.88 GiB of ffn_down_exps, 31 x = 86.46 GiB on the GPU.
    PlacementOptions o;
    o.n_gpu_layers = 999;
    o.n_cpu_moe = 30;
    const std::vector<DeviceSlot> devices = {{"CPU", true, 512 * kGiB}, {"CUDA0", false, 240 * kGiB}};
    const std::string report = report_for(o, devices);
    const auto lines = normalized_lines(report);
    SCOPED_TRACE(report);
    EXPECT_EQ(lines[1], "CPU: 203.37 GiB in 88 tensors (512.00 GiB free)");
    EXPECT_NE(line_index(lines, "blk.[1-29].ffn_down_exps.weight 29 × 2.79 GiB 80.88 GiB --n-cpu-moe 30"), -1);
    EXPECT_NE(line_index(lines, "CUDA0: 227.55 GiB in 1069 tensors (240.00 GiB free)"), -1);
    EXPECT_NE(line_index(lines, "blk.[30-60].ffn_down_exps.weight 31 × 2.79 GiB 86.46 GiB -ngl 999"), -1);
    EXPECT_NE(line_index(lines, "blk.[0-60].attn_kv_b.weight 61 × 8.50 MiB 518.50 MiB -ngl 999"), -1);
}

TEST(PlacementReport, GapsInLayerIndicesAndMixedSizes) {
    auto w = test::kimi_k2_weights();
    for (WeightInfo& t : w)  // layer 7 quantized with more bits: 3 GiB
        if (t.name == "blk.7.ffn_down_exps.weight") t.bytes = 3 * kGiB;
    PlacementOptions o;
    o.n_gpu_layers = 999;
    o.overrides = {R"(blk\.(3|4|7|9|10|11)\.ffn_down_exps=CUDA0)", "exps=CPU"};
    const std::vector<DeviceSlot> devices = {{"CPU", true, 512 * kGiB}, {"CUDA0", false, 48 * kGiB}};
    const std::string report = format_placement_report(w, place_weights(w, test::kKimiK2Layers, devices, o), devices);
    const auto lines = normalized_lines(report);
    SCOPED_TRACE(report);
    // 5 x 2,994,733,056 + 3 GiB = 16.95 GiB.
    EXPECT_NE(line_index(lines, "blk.[3-4,7,9-11].ffn_down_exps.weight 6 × 2.79 GiB..3.00 GiB 16.95 GiB "
                                "-ot 'blk\\.(3|4|7|9|10|11)\\.ffn_down_exps=CUDA0'"),
              -1);
    EXPECT_NE(line_index(lines, "blk.[1-2,5-6,8,12-60].ffn_down_exps.weight 54 × 2.79 GiB 150.61 GiB -ot 'exps=CPU'"),
              -1);
}

TEST(PlacementReport, EmptyDeviceAndUncheckedMemory) {
    const std::vector<WeightInfo> w = {{"token_embd.weight", 1536, -1}, {"blk.0.attn_norm.weight", 512, 0}};
    const std::vector<DeviceSlot> devices = {{"CPU", true, UINT64_MAX}, {"CUDA0", false, 8 * kGiB}};
    PlacementOptions o;
    o.n_gpu_layers = 0;
    const auto lines = normalized_lines(format_placement_report(w, place_weights(w, 1, devices, o), devices));
    const std::vector<std::string> expected = {"Weight placement:",
                                               "CPU: 2.00 KiB in 2 tensors",
                                               "token_embd.weight 1 × 1.50 KiB 1.50 KiB default",
                                               "blk.0.attn_norm.weight 1 × 512 B 512 B default",
                                               "CUDA0: 0 B in 0 tensors (8.00 GiB free)",
                                               "Total: 2.00 KiB in 2 tensors"};
    EXPECT_EQ(lines, expected);
}

TEST(FormatBytes, BinaryUnitsTwoDecimals) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(1023), "1023 B");
    EXPECT_EQ(format_bytes(1024), "1.00 KiB");
    EXPECT_EQ(format_bytes(1536), "1.50 KiB");
    EXPECT_EQ(format_bytes((1ull << 20) - 1), "1.00 MiB");  // 1023.999 KiB would print as "1024.00 KiB"
    EXPECT_EQ(format_bytes(3779571220ull), "3.52 GiB");
    EXPECT_EQ(format_bytes(5ull << 40), "5.00 TiB");
}

}  // namespace
}  // namespace sy::placement
