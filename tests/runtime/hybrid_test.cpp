// Weights split between the reference CPU device and TEST0 (separate memory, the same
// reference kernels): the logits must be bit-identical to a CPU-only run, and activations
// must really have crossed devices.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "runtime_models.hpp"
#include "runtime_test_support.hpp"

namespace sy::test {
namespace {

constexpr int64_t kCtx = 32;
constexpr int kCpu = 0, kTest0 = 1;

bool has(const std::string& name, const char* part) { return name.find(part) != std::string::npos; }

struct HybridCase {
    const char* name;
    std::function<gguf::GgufWriter()> make;
    PlacementFn place;  // device index: 0 CPU, 1 TEST0
};

gguf::GgufWriter ds2_split() { return make_deepseek2_model(Deepseek2Spec{}); }
gguf::GgufWriter ds2_kvb_only() {
    Deepseek2Spec s;
    s.kv_b_layout = KvBLayout::KvbOnly;
    s.yarn = true;
    return make_deepseek2_model(s);
}
gguf::GgufWriter llama_tied() {
    LlamaSpec s;
    s.tied_output = true;
    return make_llama_model(s);
}

std::vector<HybridCase> hybrid_cases() {
    const PlacementFn attention_on_test0 = [](const std::string& n) { return has(n, "attn_") ? kTest0 : kCpu; };
    const PlacementFn experts_on_test0 = [](const std::string& n) { return has(n, "_exps") ? kTest0 : kCpu; };
    const PlacementFn all_but_experts_on_test0 = [](const std::string& n) { return has(n, "_exps") ? kCpu : kTest0; };
    const PlacementFn head_on_test0 = [](const std::string& n) { return n == "output.weight" ? kTest0 : kCpu; };
    const PlacementFn odd_layers_on_test0 = [](const std::string& n) {
        return has(n, "blk.1.") || has(n, "blk.3.") ? kTest0 : kCpu;
    };
    // Scattered placements: every norm weight and the router bias (ADD/MUL pinned to their
    // weight), only the key projection (the cache, and so ATTENTION, on TEST0 while Q and V
    // come from the CPU), only the latent projection of deepseek2.
    const PlacementFn norms_and_bias_on_test0 = [](const std::string& n) {
        return has(n, "norm") || has(n, "exp_probs_b") ? kTest0 : kCpu;
    };
    const PlacementFn keys_on_test0 = [](const std::string& n) {
        return has(n, "attn_k.") || has(n, "attn_kv_a_mqa") ? kTest0 : kCpu;
    };
    return {
        {"ds2_norms_and_bias_on_test0", ds2_split, norms_and_bias_on_test0},
        {"ds2_latent_projection_on_test0", ds2_split, keys_on_test0},
        {"llama_keys_on_test0", llama_tied, keys_on_test0},
        {"llama_norms_on_test0", llama_tied, norms_and_bias_on_test0},
        {"ds2_attention_on_test0", ds2_split, attention_on_test0},
        {"ds2_experts_on_test0", ds2_split, experts_on_test0},
        {"ds2_all_but_experts_on_test0", ds2_split, all_but_experts_on_test0},
        {"ds2_head_on_test0", ds2_split, head_on_test0},
        {"ds2_derived_kv_b_attention_on_test0", ds2_kvb_only, attention_on_test0},
        {"ds2_odd_layers_on_test0", ds2_split, odd_layers_on_test0},
        {"llama_attention_on_test0", llama_tied, attention_on_test0},
        {"llama_tied_head_on_test0", llama_tied, head_on_test0},
        {"llama_odd_layers_on_test0", llama_tied, odd_layers_on_test0},
    };
}

class Hybrid : public ::testing::TestWithParam<HybridCase> {};

TEST_P(Hybrid, BitIdenticalToCpuOnly) {
    ScratchDir dir;
    const gguf::GgufModel file = gguf::GgufModel::open(dir.write(GetParam().make(), "model.gguf"));
    const std::vector<int32_t> tokens = test_tokens(18, 96, 3);

    for (int32_t cache_type : {kTypeF32, kTypeF16}) {
        SCOPED_TRACE(cache_type == kTypeF32 ? "f32 cache" : "f16 cache");
        runtime::RuntimeOptions options;
        options.n_ctx = kCtx;
        options.type_k = options.type_v = cache_type;
        auto cpu = make_runtime(file, {open_device("CPU")}, options);
        const std::vector<float> want = cpu->decode(tokens, 0, true);

        // One batch, then a continuation in micro-batches (cache reads across devices).
        options.n_ubatch = 4;
        auto mixed = make_runtime(file, {open_device("CPU"), open_device("TEST0")}, options, GetParam().place);
        const std::vector<float> first = mixed->decode(std::span(tokens).first(7), 0, true);
        const std::vector<float> rest = mixed->decode(std::span(tokens).subspan(7), 7, true);
        std::vector<float> got = first;
        got.insert(got.end(), rest.begin(), rest.end());
        EXPECT_EQ(first_difference(got, want), -1);

        const runtime::SchedulerStats& stats = mixed->scheduler().stats();
        EXPECT_GT(stats.cross_device_copies, 0u);
        EXPECT_GT(stats.cross_device_bytes, 0u);
        // Both devices computed something.
        const std::vector<int>& where = mixed->scheduler().node_devices();
        EXPECT_NE(std::count(where.begin(), where.end(), kTest0), 0);
        EXPECT_NE(std::count(where.begin(), where.end(), kCpu), 0);
        // Weights went where they were placed.
        const auto use = mixed->memory_use();
        ASSERT_EQ(use.size(), 2u);
        EXPECT_GT(use[kTest0].weight_bytes, 0u);
        EXPECT_GT(use[kCpu].weight_bytes, 0u);
    }
}

INSTANTIATE_TEST_SUITE_P(Placements, Hybrid, ::testing::ValuesIn(hybrid_cases()),
                         [](const ::testing::TestParamInfo<HybridCase>& param_info) { return std::string(param_info.param.name); });

// The KV cache of a layer follows that layer's attention weights.
TEST(HybridCache, CacheLivesWithAttention) {
    ScratchDir dir;
    const gguf::GgufModel file = gguf::GgufModel::open(dir.write(ds2_split(), "model.gguf"));
    runtime::RuntimeOptions options;
    options.n_ctx = kCtx;
    auto rt = make_runtime(file, {open_device("CPU"), open_device("TEST0")}, options,
                           [](const std::string& n) { return has(n, "attn_") ? kTest0 : kCpu; });
    const auto use = rt->memory_use();
    EXPECT_EQ(use[kCpu].cache_bytes, 0u);
    EXPECT_GT(use[kTest0].cache_bytes, 0u);
    EXPECT_EQ(use[kTest0].device, "TEST0");
}

// A model wholly on TEST0 (the only device, so also the fallback): the same bits as the CPU,
// with nothing copied between devices.
TEST(SingleAccelerator, AllWeightsOnTest0MatchCpu) {
    ScratchDir dir;
    const gguf::GgufModel file = gguf::GgufModel::open(dir.write(ds2_kvb_only(), "model.gguf"));
    const std::vector<int32_t> tokens = test_tokens(12, 96, 4);
    runtime::RuntimeOptions options;
    options.n_ctx = kCtx;
    auto cpu = make_runtime(file, {open_device("CPU")}, options);
    auto test0 = make_runtime(file, {open_device("TEST0")}, options);
    EXPECT_EQ(first_difference(test0->decode(tokens, 0, true), cpu->decode(tokens, 0, true)), -1);
    EXPECT_EQ(test0->scheduler().stats().cross_device_copies, 0u);
    EXPECT_EQ(test0->memory_use()[0].device, "TEST0");
}

}  // namespace
}  // namespace sy::test
