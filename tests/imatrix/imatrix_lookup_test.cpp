// Finding a tensor's entry (exact names and llama-quantize's fallbacks) and cutting the slice
// for an expert's rows.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imatrix/imatrix.hpp"
#include "imatrix_test_support.hpp"

namespace sy::imatrix_test {
namespace {

Imatrix with_names(const std::vector<std::string>& names) {
    Imatrix m;
    for (const std::string& n : names) m.entries.push_back({n, 1, {1.f}, {1}});
    return m;
}

std::string found(const Imatrix& m, const std::string& tensor) {
    const ImatrixEntry* e = m.find_for_tensor(tensor);
    return e ? e->name : "(none)";
}

TEST(ImatrixLookup, ExactNameWins) {
    const Imatrix m = with_names({"blk.0.ffn_gate.weight", "blk.0.ffn_up.weight"});
    EXPECT_EQ(found(m, "blk.0.ffn_gate.weight"), "blk.0.ffn_gate.weight");
    EXPECT_EQ(m.find("blk.0.ffn_gate.weight"), &m.entries[0]);
    EXPECT_EQ(found(m, "blk.1.ffn_up.weight"), "(none)");
}

TEST(ImatrixLookup, ExpertGateAndUpPreferTheMergedEntry) {
    const Imatrix merged = with_names({"blk.3.ffn_gate_up_exps.weight", "blk.3.ffn_up_exps.weight"});
    EXPECT_EQ(found(merged, "blk.3.ffn_gate_exps.weight"), "blk.3.ffn_gate_up_exps.weight");
    const Imatrix split = with_names({"blk.3.ffn_up_exps.weight"});
    EXPECT_EQ(found(split, "blk.3.ffn_gate_exps.weight"), "blk.3.ffn_up_exps.weight");
    const Imatrix merged_only = with_names({"blk.3.ffn_gate_up_exps.weight"});
    EXPECT_EQ(found(merged_only, "blk.3.ffn_up_exps.weight"), "blk.3.ffn_gate_up_exps.weight");
    EXPECT_EQ(found(merged_only, "blk.4.ffn_up_exps.weight"), "(none)");
}

TEST(ImatrixLookup, MergedTensorFallsBackToUp) {
    const Imatrix m = with_names({"blk.7.ffn_up_exps.weight"});
    EXPECT_EQ(found(m, "blk.7.ffn_gate_up_exps.weight"), "blk.7.ffn_up_exps.weight");
}

TEST(ImatrixLookup, DenseGateUsesUp) {
    const Imatrix m = with_names({"blk.2.ffn_up.weight", "blk.2.ffn_up_shexp.weight"});
    EXPECT_EQ(found(m, "blk.2.ffn_gate.weight"), "blk.2.ffn_up.weight");
    EXPECT_EQ(found(m, "blk.2.ffn_gate_shexp.weight"), "(none)");  // no rule for shared experts
}

TEST(ImatrixLookup, MlaValueAndKvProjectionsShareTheirEntry) {
    const Imatrix kv = with_names({"blk.5.attn_kv_b.weight"});
    EXPECT_EQ(found(kv, "blk.5.attn_v_b.weight"), "blk.5.attn_kv_b.weight");
    EXPECT_EQ(found(kv, "blk.5.attn_k_b.weight"), "(none)");
    const Imatrix v = with_names({"blk.5.attn_v_b.weight"});
    EXPECT_EQ(found(v, "blk.5.attn_kv_b.weight"), "blk.5.attn_v_b.weight");
}

TEST(ImatrixLookup, TheFirstMatchingRuleDecidesWithoutFallingThrough) {
    // ffn_gate_exps has its rule (merged, then up_exps); the dense ffn_up is not tried.
    const Imatrix m = with_names({"blk.0.ffn_up.weight"});
    EXPECT_EQ(found(m, "blk.0.ffn_gate_exps.weight"), "(none)");
}

TEST(ImatrixSlice, DenseTensorsUseTheWholeEntry) {
    const ImatrixEntry e{"w", 1, {1, 2, 3, 4}, {1}};
    EXPECT_EQ(importance_slice(e, 4, 1, 0, "t"), e.values.data());
    expect_error([&] { importance_slice(e, 2, 1, 0, "model.gguf: tensor 'w'"); },
                 {"model.gguf: tensor 'w': imatrix entry 'w' has 4 values", "ne0 * ne2 = 2 * 1"});
}

TEST(ImatrixSlice, ExpertsTakeConsecutiveSlices) {
    const ImatrixEntry e{"exps", 3, {1, 2, 3, 4, 5, 6}, {1, 1, 1}};
    EXPECT_EQ(importance_slice(e, 2, 3, 0, "t"), e.values.data());
    EXPECT_EQ(importance_slice(e, 2, 3, 1, "t"), e.values.data() + 2);
    EXPECT_EQ(importance_slice(e, 2, 3, 2, "t"), e.values.data() + 4);
    // A dense .dat entry for ne0 * ne2 values has n_slices 1; the size is what counts.
    const ImatrixEntry flat{"exps", 1, {1, 2, 3, 4, 5, 6}, {2}};
    EXPECT_EQ(importance_slice(flat, 3, 2, 1, "t"), flat.values.data() + 3);
}

TEST(ImatrixSlice, RejectsSizesAndExpertsThatDoNotFit) {
    const ImatrixEntry e{"exps", 3, {1, 2, 3, 4, 5, 6}, {1, 1, 1}};
    // One slice's worth is not enough for a 3-D tensor: llama-quantize refuses it too.
    expect_error([&] { importance_slice(e, 6, 3, 0, "t"); }, {"has 6 values", "6 * 3"});
    expect_error([&] { importance_slice(e, 4, 1, 0, "t"); }, {"has 6 values", "4 * 1"});
    expect_error([&] { importance_slice(e, 2, 3, 3, "t"); }, {"expert 3 is outside [0, 3)"});
    expect_error([&] { importance_slice(e, 2, 3, -1, "t"); }, {"expert -1"});
    expect_error([&] { importance_slice(e, 0, 3, 0, "t"); }, {"has no rows"});
    expect_error([&] { importance_slice(e, 2, INT64_MAX, 0, "t"); }, {"has 6 values"});
}

}  // namespace
}  // namespace sy::imatrix_test
