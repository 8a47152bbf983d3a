// The SDK's F16/BF16 conversions: exact widening, round-to-nearest-even narrowing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "switchyard/sdk/fp16.hpp"

namespace sy::sdk {
namespace {

TEST(Fp16, EveryHalfSurvivesTheRoundTrip) {
    for (uint32_t h = 0; h <= 0xffff; ++h) {
        const float f = fp16_to_float(uint16_t(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(f)))) << h;
        } else {
            EXPECT_EQ(float_to_fp16(f), h) << h;
        }
    }
}

TEST(Fp16, KnownValuesAndRounding) {
    EXPECT_EQ(float_to_fp16(1.0f), 0x3c00);
    EXPECT_EQ(float_to_fp16(-2.0f), 0xc000);
    EXPECT_EQ(float_to_fp16(65504.0f), 0x7bff);  // largest finite
    EXPECT_EQ(float_to_fp16(65519.0f), 0x7bff);
    EXPECT_EQ(float_to_fp16(65520.0f), 0x7c00);  // rounds to infinity
    EXPECT_EQ(float_to_fp16(std::numeric_limits<float>::infinity()), 0x7c00);
    EXPECT_EQ(float_to_fp16(0x1p-14f), 0x0400);       // smallest normal
    EXPECT_EQ(float_to_fp16(0x1p-24f), 0x0001);       // smallest subnormal
    EXPECT_EQ(float_to_fp16(0x1p-25f), 0x0000);       // halfway: ties to even (0)
    EXPECT_EQ(float_to_fp16(0x1.8p-24f), 0x0002);     // halfway between 1 and 2 units: to even
    EXPECT_EQ(float_to_fp16(0x1.000002p-25f), 0x0001);  // just above halfway
    EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f), 0x3c00);  // tie, stays even
    EXPECT_EQ(float_to_fp16(1.0f + 0x1.8p-10f), 0x3c02);  // tie, rounds up to even
    EXPECT_EQ(float_to_fp16(-0.0f), 0x8000);
    EXPECT_EQ(fp16_to_float(0x0001), 0x1p-24f);
    EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(std::nanf("")))));
}

TEST(Bf16, KnownValuesAndRounding) {
    EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(bf16_to_float(0x3f80), 1.0f);
    EXPECT_EQ(float_to_bf16(bits_float(0x3f808000u)), 0x3f80);  // tie, stays even
    EXPECT_EQ(float_to_bf16(bits_float(0x3f818000u)), 0x3f82);  // tie, rounds up to even
    EXPECT_EQ(float_to_bf16(bits_float(0x3f808001u)), 0x3f81);
    EXPECT_EQ(float_to_bf16(bits_float(0x7f7fffffu)), 0x7f80);  // max float rounds to inf
    EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::nanf("")))));
    for (uint32_t b = 0; b <= 0xffff; ++b) {
        const float f = bf16_to_float(uint16_t(b));
        if (!std::isnan(f)) {
            EXPECT_EQ(float_to_bf16(f), b) << b;
        }
    }
}

}  // namespace
}  // namespace sy::sdk
