#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "types/type_registry.hpp"

namespace sy {
namespace {

// Row sizes quoted in FORMATS.md §0 for a Kimi ffn_down_exps row of 2048 elements.
TEST(TypeRegistry, RowHeaderCountsOncePerRow) {
    EXPECT_EQ(row_bytes(144 /*IQ4_KS*/, 2048, "t"), 4u + 8u * 136u);
    EXPECT_EQ(row_bytes(145 /*IQ2_KS*/, 2048, "t"), 2u + 8u * 70u);
    EXPECT_EQ(row_bytes(158 /*IQ1_KT*/, 256, "t"), 4u + 56u);
}

TEST(TypeRegistry, PlainBlockTypes) {
    EXPECT_EQ(row_bytes(0, 7, "t"), 28u);
    EXPECT_EQ(row_bytes(1, 7, "t"), 14u);
    EXPECT_EQ(row_bytes(30, 3, "t"), 6u);
    EXPECT_EQ(row_bytes(8 /*Q8_0*/, 64, "t"), 68u);
    EXPECT_EQ(row_bytes(2 /*Q4_0*/, 4096, "t"), 128u * 18u);
    EXPECT_EQ(row_bytes(141 /*IQ6_K*/, 512, "t"), 2u * 212u);
}

// Bits per weight of the model-card types (FORMATS.md §1, header excluded at large ne0).
TEST(TypeRegistry, BitsPerWeightOfModelCardTypes) {
    struct Case { const char* name; double bpw; };
    const Case cases[] = {{"Q8_0", 8.5},    {"Q4_0", 4.5},     {"IQ6_K", 6.625},
                          {"IQ4_K", 4.5},   {"IQ4_KSS", 4.0},  {"IQ3_K", 3.4375},
                          {"IQ3_KS", 3.1875}, {"IQ2_KL", 2.6875}, {"IQ2_KS", 2.1875},
                          {"IQ1_KT", 1.75}, {"IQ2_KT", 2.125}, {"IQ4_KT", 4.0}};
    for (const Case& c : cases) {
        const TypeInfo* t = find_type_by_name(c.name);
        ASSERT_NE(t, nullptr) << c.name;
        const int64_t ne0 = 256 * 4096;  // large enough that the row header is negligible
        EXPECT_NEAR(bits_per_weight(*t, ne0), c.bpw, 1e-3) << c.name;
    }
}

TEST(TypeRegistry, LookupByNameIsCaseInsensitive) {
    ASSERT_NE(find_type_by_name("iq4_ks"), nullptr);
    EXPECT_EQ(find_type_by_name("iq4_ks")->id, 144);
    EXPECT_EQ(find_type_by_name("q4_K")->id, 12);
    EXPECT_EQ(find_type_by_name("bf16")->id, 30);
    EXPECT_EQ(find_type_by_name("IQ9_XYZ"), nullptr);
}

TEST(TypeRegistry, IdsAreUniqueAndNamesRoundTrip) {
    for (const TypeInfo& t : all_types()) {
        ASSERT_EQ(find_type(t.id), &t);
        ASSERT_EQ(find_type_by_name(t.name), &t);
        EXPECT_GT(t.block_elems, 0);
        EXPECT_GT(t.block_bytes, 0u);
    }
    // Deprecated/removed ids are not types.
    for (int32_t id : {4, 5, 34, 35, 40, 142, 143, 159, 1000, -1}) EXPECT_EQ(find_type(id), nullptr) << id;
}

TEST(TypeRegistry, ErrorsNameTensorAndType) {
    try {
        row_bytes(144, 100, "blk.0.ffn_down.weight");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("blk.0.ffn_down.weight"), std::string::npos) << msg;
        EXPECT_NE(msg.find("IQ4_KS"), std::string::npos) << msg;
        EXPECT_NE(msg.find("256"), std::string::npos) << msg;
    }
    EXPECT_THROW(row_bytes(4, 32, "x"), Error);
    EXPECT_THROW(row_bytes(0, 0, "x"), Error);
    EXPECT_THROW(row_bytes(0, -5, "x"), Error);
    EXPECT_EQ(type_name(4), "type#4");
}

TEST(TypeRegistry, OverflowIsAnErrorNotAWrap) {
    EXPECT_THROW(row_bytes(0, int64_t(1) << 62, "x"), Error);
}

}  // namespace
}  // namespace sy
