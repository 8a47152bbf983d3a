// The kernel table against the type registry: same block and row-header sizes, and a
// dequantizer for every type of the golden set (the types Switchyard promises to load), plus
// the two activation-only types that the dot products read (Q8_1, Q8_K).
#include <gtest/gtest.h>

#include <string>

#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy {
namespace {

TEST(QuantKernels, SizesAgreeWithTheTypeRegistry) {
    ASSERT_FALSE(all_kernels().empty());
    for (const QuantKernels& k : all_kernels()) {
        const TypeInfo* t = find_type(k.type_id);
        ASSERT_NE(t, nullptr) << "kernel for unknown type id " << k.type_id;
        SCOPED_TRACE(std::string(t->name));
        EXPECT_EQ(k.block_elems, t->block_elems);
        EXPECT_EQ(k.block_bytes, t->block_bytes);
        EXPECT_EQ(k.row_header_bytes, t->row_header_bytes);
        EXPECT_NE(k.dequantize_row, nullptr);
        EXPECT_TRUE(t->role == TypeRole::Float || t->role == TypeRole::Quantized ||
                    k.type_id == 9 || k.type_id == 15);  // Q8_1, Q8_K: activation only
        EXPECT_EQ(find_kernels(k.type_id), &k);
    }
}

TEST(QuantKernels, EveryPromisedTypeHasADequantizer) {
    const char* const promised[] = {
        "F32",    "F16",    "BF16",   "Q8_0",   "Q4_0",   "IQ6_K",   "IQ4_K",  "IQ4_KSS",
        "IQ3_K",  "IQ3_KS", "IQ2_KL", "IQ2_KS", "IQ1_KT", "IQ4_NL",  "IQ5_K",  "IQ5_KS",
        "IQ4_KS", "IQ2_K",  "IQ2_KT", "IQ3_KT", "IQ4_KT", "Q4_1",    "Q5_0",   "Q5_1",
        "Q2_K",   "Q3_K",   "Q4_K",   "Q5_K",   "Q6_K",   "IQ4_XS",  "IQ3_XXS", "IQ3_S",
        "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_S",  "IQ1_M",
        "Q6_0"};  // not promised by the issue, but the quantize fallback for Q5_K/IQ5_K rows
    for (const char* name : promised) {
        const TypeInfo* t = find_type_by_name(name);
        ASSERT_NE(t, nullptr) << name;
        const QuantKernels* k = find_kernels(t->id);
        ASSERT_NE(k, nullptr) << name;
        EXPECT_NE(k->dequantize_row, nullptr) << name;
    }
    EXPECT_EQ(all_kernels().size(), std::size(promised) + 2);  // + Q8_1, Q8_K
}

TEST(QuantKernels, UnknownRepackedAndInterleavedTypesHaveNone) {
    for (int32_t id : {-1, 4, 99 /* Q8_2_X4 */, 148 /* Q8_K32 */, 208 /* Q8_0_R8 */, 1000})
        EXPECT_EQ(find_kernels(id), nullptr) << id;
}

}  // namespace
}  // namespace sy
