// place_weights: -ngl, --cpu-moe / --n-cpu-moe, -ot precedence and the memory check.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "placement/placement.hpp"

namespace sy::placement {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

// A small deepseek2-like model: `n_layer` layers, each with attention, a router, routed
// experts (weights and a scale) and a shared expert; 1 MiB per tensor.
std::vector<WeightInfo> small_moe(int n_layer) {
    std::vector<WeightInfo> w{{"token_embd.weight", kMiB, -1}};
    for (int l = 0; l < n_layer; ++l) {
        for (const char* part : {"attn_q_b.weight", "ffn_gate_inp.weight", "ffn_up_exps.weight", "ffn_down_exps.weight",
                                 "ffn_down_exps.scale", "ffn_up_shexp.weight"}) {
            const std::string name = "blk." + std::to_string(l) + "." + part;
            w.push_back({name, kMiB, layer_of_tensor(name)});
        }
    }
    w.push_back({"output_norm.weight", kMiB, -1});
    w.push_back({"output.weight", kMiB, -1});
    return w;
}

std::vector<DeviceSlot> cpu_and_gpu() { return {{"CPU", true, kUnlimited}, {"CUDA0", false, kUnlimited}}; }

// name -> device, for readable expectations.
std::map<std::string, std::string> devices_by_name(const std::vector<WeightInfo>& w, const Placement& p) {
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < w.size(); ++i) out[w[i].name] = p.device_of[i];
    return out;
}

std::string reason_of(const std::vector<WeightInfo>& w, const Placement& p, const std::string& name) {
    for (size_t i = 0; i < w.size(); ++i)
        if (w[i].name == name) return p.reason[i];
    return "(absent)";
}

// How many blk.N tensors of layer `layer` are on `device`.
int layer_tensors_on(const std::vector<WeightInfo>& w, const Placement& p, int layer, const std::string& device) {
    int n = 0;
    for (size_t i = 0; i < w.size(); ++i) n += w[i].layer == layer && p.device_of[i] == device;
    return n;
}

PlacementOptions ngl(int n) {
    PlacementOptions o;
    o.n_gpu_layers = n;
    return o;
}

std::string placement_error(const std::vector<WeightInfo>& w, int n_layer, const std::vector<DeviceSlot>& devices,
                            const PlacementOptions& options) {
    try {
        place_weights(w, n_layer, devices, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(TensorNames, LayerIndexAndRoutedExperts) {
    EXPECT_EQ(layer_of_tensor("blk.0.attn_norm.weight"), 0);
    EXPECT_EQ(layer_of_tensor("blk.60.ffn_down_exps.weight"), 60);
    EXPECT_EQ(layer_of_tensor("token_embd.weight"), -1);
    EXPECT_EQ(layer_of_tensor("blk.x.attn_norm.weight"), -1);
    EXPECT_EQ(layer_of_tensor("blk.7"), -1);
    EXPECT_EQ(layer_of_tensor("blk.99999999999.a"), -1);
    EXPECT_TRUE(is_routed_expert_tensor("blk.3.ffn_gate_exps.weight"));
    EXPECT_TRUE(is_routed_expert_tensor("blk.3.ffn_gate_up_exps.weight"));
    EXPECT_FALSE(is_routed_expert_tensor("blk.3.ffn_down_exps.bias"));  // ik PR 841: biases stay
    EXPECT_TRUE(is_routed_expert_tensor("blk.3.ffn_up_exps.scale"));
    EXPECT_FALSE(is_routed_expert_tensor("blk.3.ffn_up_shexp.weight"));
    EXPECT_FALSE(is_routed_expert_tensor("blk.3.ffn_gate_inp.weight"));
    EXPECT_FALSE(is_routed_expert_tensor("blk.3.ffn_down.weight"));
    EXPECT_FALSE(is_routed_expert_tensor("blk.3.ffn_down_exps_extra.weight"));
}

TEST(GpuLayers, ZeroKeepsEverythingOnCpu) {
    const auto w = small_moe(4);
    const Placement p = place_weights(w, 4, cpu_and_gpu(), ngl(0));
    for (size_t i = 0; i < w.size(); ++i) {
        EXPECT_EQ(p.device_of[i], "CPU") << w[i].name;
        EXPECT_EQ(p.reason[i], "default") << w[i].name;
    }
}

TEST(GpuLayers, PartialOffloadTakesTheLastLayers) {
    const auto w = small_moe(4);
    const Placement p = place_weights(w, 4, cpu_and_gpu(), ngl(2));
    EXPECT_EQ(layer_tensors_on(w, p, 0, "CPU"), 6);
    EXPECT_EQ(layer_tensors_on(w, p, 1, "CPU"), 6);
    EXPECT_EQ(layer_tensors_on(w, p, 2, "CUDA0"), 6);
    EXPECT_EQ(layer_tensors_on(w, p, 3, "CUDA0"), 6);
    const auto d = devices_by_name(w, p);
    EXPECT_EQ(d.at("output.weight"), "CPU");
    EXPECT_EQ(d.at("token_embd.weight"), "CPU");
    EXPECT_EQ(reason_of(w, p, "blk.3.attn_q_b.weight"), "-ngl 2");
    EXPECT_EQ(reason_of(w, p, "blk.0.attn_q_b.weight"), "default");
}

TEST(GpuLayers, AllRepeatingLayersButNotTheOutputAtNLayer) {
    const auto w = small_moe(4);
    const Placement p = place_weights(w, 4, cpu_and_gpu(), ngl(4));
    for (int l = 0; l < 4; ++l) EXPECT_EQ(layer_tensors_on(w, p, l, "CUDA0"), 6) << l;
    const auto d = devices_by_name(w, p);
    EXPECT_EQ(d.at("output.weight"), "CPU");
    EXPECT_EQ(d.at("output_norm.weight"), "CPU");
    EXPECT_EQ(d.at("token_embd.weight"), "CPU");
}

TEST(GpuLayers, OutputFollowsAboveNLayerAndEmbeddingsNever) {
    for (int n : {5, 999}) {
        const auto w = small_moe(4);
        const Placement p = place_weights(w, 4, cpu_and_gpu(), ngl(n));
        for (int l = 0; l < 4; ++l) EXPECT_EQ(layer_tensors_on(w, p, l, "CUDA0"), 6) << n;
        const auto d = devices_by_name(w, p);
        EXPECT_EQ(d.at("output.weight"), "CUDA0") << n;
        EXPECT_EQ(d.at("output_norm.weight"), "CUDA0") << n;
        EXPECT_EQ(d.at("token_embd.weight"), "CPU") << n;
        EXPECT_EQ(reason_of(w, p, "output.weight"), "-ngl " + std::to_string(n));
    }
}

TEST(GpuLayers, UnsetOrNegativeMeansAllLayers) {
    const auto w = small_moe(4);
    for (const PlacementOptions& o : {PlacementOptions{}, ngl(-1)}) {
        const Placement p = place_weights(w, 4, cpu_and_gpu(), o);
        const auto d = devices_by_name(w, p);
        EXPECT_EQ(d.at("blk.0.ffn_up_exps.weight"), "CUDA0");
        EXPECT_EQ(d.at("output.weight"), "CUDA0");
        EXPECT_EQ(d.at("token_embd.weight"), "CPU");
        EXPECT_EQ(reason_of(w, p, "output.weight"), "-ngl default");
    }
}

TEST(GpuLayers, WithoutGpuEverythingStaysOnCpu) {
    const auto w = small_moe(4);
    const std::vector<DeviceSlot> cpu_only = {{"CPU", true, kUnlimited}};
    for (const PlacementOptions& o : {PlacementOptions{}, ngl(999), ngl(2)}) {
        const Placement p = place_weights(w, 4, cpu_only, o);
        for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(p.device_of[i], "CPU") << w[i].name;
    }
}

TEST(GpuLayers, TwoGpusSplitLayersByFreeMemory) {
    // 3:1 free memory. -ngl 60 on 60 layers: 60 slots, CUDA0 takes slots with k/60 < 0.75,
    // i.e. layers 0..44, CUDA1 layers 45..59; the output stays on the CPU.
    const auto w = small_moe(60);
    const std::vector<DeviceSlot> devices = {
        {"CPU", true, kUnlimited}, {"CUDA0", false, 3000 * kMiB}, {"CUDA1", false, 1000 * kMiB}};
    {
        const Placement p = place_weights(w, 60, devices, ngl(60));
        for (int l = 0; l < 60; ++l) EXPECT_EQ(layer_tensors_on(w, p, l, l < 45 ? "CUDA0" : "CUDA1"), 6) << l;
        EXPECT_EQ(devices_by_name(w, p).at("output.weight"), "CPU");
    }
    // -ngl 999: 61 slots (the output is the last): k/61 < 0.75 for k <= 45; the output goes to CUDA1.
    {
        const Placement p = place_weights(w, 60, devices, ngl(999));
        for (int l = 0; l < 60; ++l) EXPECT_EQ(layer_tensors_on(w, p, l, l <= 45 ? "CUDA0" : "CUDA1"), 6) << l;
        EXPECT_EQ(devices_by_name(w, p).at("output.weight"), "CUDA1");
        EXPECT_EQ(devices_by_name(w, p).at("token_embd.weight"), "CPU");
    }
    // -ngl 30: layers 30..59 offloaded, 30 slots: layers 30..52 (k < 22.5) on CUDA0, 53..59 on CUDA1.
    {
        const Placement p = place_weights(w, 60, devices, ngl(30));
        for (int l = 0; l < 60; ++l)
            EXPECT_EQ(layer_tensors_on(w, p, l, l < 30 ? "CPU" : l <= 52 ? "CUDA0" : "CUDA1"), 6) << l;
    }
}

TEST(CpuMoe, KeepsEveryRoutedExpertOnCpu) {
    const auto w = small_moe(4);
    PlacementOptions o = ngl(999);
    o.cpu_moe = true;
    const Placement p = place_weights(w, 4, cpu_and_gpu(), o);
    for (size_t i = 0; i < w.size(); ++i) {
        if (is_routed_expert_tensor(w[i].name)) {
            EXPECT_EQ(p.device_of[i], "CPU") << w[i].name;
            EXPECT_EQ(p.reason[i], "--cpu-moe") << w[i].name;
        } else if (w[i].layer >= 0) {
            EXPECT_EQ(p.device_of[i], "CUDA0") << w[i].name;  // router, shared expert, attention
        }
    }
}

TEST(CpuMoe, ExpertBiasesStayWithTheirLayer) {
    // gpt-oss-style expert biases: --cpu-moe moves the weights and scales, not the biases.
    const std::vector<WeightInfo> w = {{"token_embd.weight", kMiB, -1},
                                       {"blk.0.ffn_up_exps.weight", kMiB, 0},
                                       {"blk.0.ffn_up_exps.bias", kMiB, 0},
                                       {"blk.0.ffn_gate_up_exps.scale", kMiB, 0}};
    PlacementOptions o = ngl(999);
    o.cpu_moe = true;
    const auto d = devices_by_name(w, place_weights(w, 1, cpu_and_gpu(), o));
    EXPECT_EQ(d.at("blk.0.ffn_up_exps.weight"), "CPU");
    EXPECT_EQ(d.at("blk.0.ffn_gate_up_exps.scale"), "CPU");
    EXPECT_EQ(d.at("blk.0.ffn_up_exps.bias"), "CUDA0");
}

TEST(CpuMoe, NCpuMoeTakesTheFirstNLayers) {
    const auto w = small_moe(4);
    PlacementOptions o = ngl(999);
    o.n_cpu_moe = 2;
    const Placement p = place_weights(w, 4, cpu_and_gpu(), o);
    const auto d = devices_by_name(w, p);
    for (int l = 0; l < 4; ++l) {
        const std::string blk = "blk." + std::to_string(l) + ".";
        const std::string expected = l < 2 ? "CPU" : "CUDA0";
        EXPECT_EQ(d.at(blk + "ffn_up_exps.weight"), expected) << l;
        EXPECT_EQ(d.at(blk + "ffn_down_exps.weight"), expected) << l;
        EXPECT_EQ(d.at(blk + "ffn_down_exps.scale"), expected) << l;
        EXPECT_EQ(d.at(blk + "ffn_up_shexp.weight"), "CUDA0") << l;
    }
    EXPECT_EQ(reason_of(w, p, "blk.1.ffn_up_exps.weight"), "--n-cpu-moe 2");
}

TEST(CpuMoe, NCpuMoeAboveLayerCountMeansAllAndNegativeIsRefused) {
    const auto w = small_moe(4);
    PlacementOptions o = ngl(999);
    o.n_cpu_moe = 100;
    const Placement p = place_weights(w, 4, cpu_and_gpu(), o);
    for (size_t i = 0; i < w.size(); ++i)
        EXPECT_EQ(p.device_of[i], is_routed_expert_tensor(w[i].name) || w[i].name == "token_embd.weight" ? "CPU" : "CUDA0")
            << w[i].name;
    o.n_cpu_moe = -1;
    EXPECT_NE(placement_error(w, 4, cpu_and_gpu(), o).find("--n-cpu-moe -1"), std::string::npos);
}

TEST(Overrides, BeatCpuMoeAndGpuLayers) {
    const auto w = small_moe(4);
    PlacementOptions o = ngl(999);
    o.cpu_moe = true;
    o.overrides = {R"(blk\.3\.ffn_(up|down)_exps=CUDA0)", "attn_q_b=CPU,token_embd=CUDA0"};
    const Placement p = place_weights(w, 4, cpu_and_gpu(), o);
    const auto d = devices_by_name(w, p);
    EXPECT_EQ(d.at("blk.3.ffn_up_exps.weight"), "CUDA0");  // -ot beats --cpu-moe
    EXPECT_EQ(d.at("blk.3.ffn_down_exps.scale"), "CUDA0");
    EXPECT_EQ(d.at("blk.2.ffn_up_exps.weight"), "CPU");    // --cpu-moe still applies elsewhere
    EXPECT_EQ(d.at("blk.2.attn_q_b.weight"), "CPU");       // -ot beats -ngl
    EXPECT_EQ(d.at("token_embd.weight"), "CUDA0");         // -ot beats the input default
    EXPECT_EQ(reason_of(w, p, "blk.3.ffn_up_exps.weight"), R"(-ot 'blk\.3\.ffn_(up|down)_exps=CUDA0')");
    EXPECT_EQ(reason_of(w, p, "blk.2.attn_q_b.weight"), "-ot 'attn_q_b=CPU'");
    EXPECT_EQ(reason_of(w, p, "blk.2.ffn_up_exps.weight"), "--cpu-moe");
}

TEST(Overrides, ApplyWithNglZero) {
    // ik_llama.cpp drops -ot when -ngl is 0; here explicit rules always apply.
    const auto w = small_moe(4);
    PlacementOptions o = ngl(0);
    o.overrides = {R"(blk\.1\.=CUDA0)"};
    const Placement p = place_weights(w, 4, cpu_and_gpu(), o);
    EXPECT_EQ(layer_tensors_on(w, p, 1, "CUDA0"), 6);
    EXPECT_EQ(layer_tensors_on(w, p, 0, "CPU"), 6);
}

TEST(Overrides, BadValuesAreReportedByPlaceWeights) {
    const auto w = small_moe(2);
    PlacementOptions o;
    o.overrides = {"exps=CUDA7"};
    const std::string error = placement_error(w, 2, cpu_and_gpu(), o);
    EXPECT_NE(error.find("unknown device 'CUDA7' (available: CPU, CUDA0)"), std::string::npos) << error;
    EXPECT_NE(placement_error(w, 2, {{"CUDA0", false, kUnlimited}}, o).find("no CPU device"), std::string::npos);
}

TEST(Memory, OverfullGpuNamesNeedAvailableAndLargestTensors) {
    // -ngl 999 puts 4 layers x 6 MiB + output 2 MiB = 26 MiB on CUDA0, which has 20 MiB.
    auto w = small_moe(4);
    for (WeightInfo& t : w)
        if (t.name == "blk.2.ffn_down_exps.weight") t.bytes = 3 * kMiB;  // now 28 MiB
    const std::vector<DeviceSlot> devices = {{"CPU", true, kUnlimited}, {"CUDA0", false, 20 * kMiB}};
    const std::string error = placement_error(w, 4, devices, ngl(999));
    EXPECT_NE(error.find("CUDA0 needs 28.00 MiB but has 20.00 MiB free"), std::string::npos) << error;
    EXPECT_NE(error.find("largest tensors: blk.2.ffn_down_exps.weight (3.00 MiB, -ngl 999), blk.0.attn_q_b.weight"),
              std::string::npos)
        << error;
    EXPECT_EQ(error.find("CPU needs"), std::string::npos) << error;
    // Moving the experts off the GPU makes it fit: 4 x 3 MiB + 2 MiB = 14 MiB.
    PlacementOptions o = ngl(999);
    o.overrides = {"exps=CPU"};
    EXPECT_EQ(placement_error(w, 4, devices, o), "");
}

TEST(Memory, CpuIsCheckedTooAndExactFitPasses) {
    const auto w = small_moe(2);  // 1 + 12 + 2 = 15 tensors of 1 MiB
    EXPECT_EQ(placement_error(w, 2, {{"CPU", true, 15 * kMiB}}, {}), "");
    const std::string error = placement_error(w, 2, {{"CPU", true, 14 * kMiB}, {"CUDA0", false, 0}}, ngl(0));
    EXPECT_NE(error.find("CPU needs 15.00 MiB but has 14.00 MiB free"), std::string::npos) << error;
}

TEST(Memory, EveryOverfullDeviceIsListed) {
    const auto w = small_moe(4);
    const std::vector<DeviceSlot> devices = {{"CPU", true, 1 * kMiB}, {"CUDA0", false, 2 * kMiB}};
    const std::string error = placement_error(w, 4, devices, ngl(2));
    EXPECT_NE(error.find("CPU needs 15.00 MiB but has 1.00 MiB free"), std::string::npos) << error;
    EXPECT_NE(error.find("CUDA0 needs 12.00 MiB but has 2.00 MiB free"), std::string::npos) << error;
}

}  // namespace
}  // namespace sy::placement
