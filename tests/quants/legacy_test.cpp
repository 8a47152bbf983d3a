// Hand-built blocks of the float types and the 32-element block types (legacy.cpp), with
// the expected values worked out from FORMATS.md §3.1-3.2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "hand_built.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/tables.hpp"

namespace sy::test {
namespace {

using namespace sy::quants;

// Every finite half against the definition: (-1)^s * 2^(e-15) * (1 + m/1024), or
// (-1)^s * 2^-14 * (m/1024) for e = 0.
TEST(Fp16, EveryFiniteHalfMatchesTheDefinition) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const int exponent = (h >> 10) & 0x1F;
        if (exponent == 0x1F) continue;
        const int mantissa = h & 0x3FF;
        const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24)
                                               : std::ldexp(1024 + mantissa, exponent - 25);
        const float want = float((h & 0x8000) ? -magnitude : magnitude);
        const float got = fp16_to_fp32(uint16_t(h));
        ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0) << std::hex << h;
    }
}

TEST(Fp16, InfinityAndQuietNan) {
    EXPECT_EQ(fp16_to_fp32(0x7C00), std::numeric_limits<float>::infinity());
    EXPECT_EQ(fp16_to_fp32(0xFC00), -std::numeric_limits<float>::infinity());
    const float nan = fp16_to_fp32(0x7C01);  // a signalling NaN comes back quiet
    uint32_t bits;
    std::memcpy(&bits, &nan, sizeof bits);
    EXPECT_EQ(bits, 0x7FC02000u);
    EXPECT_TRUE(std::signbit(fp16_to_fp32(0x8000)));
}

TEST(FloatRows, F32F16Bf16) {
    const float f32[3] = {1.5f, -0.0f, 3e38f};
    std::vector<uint8_t> row(sizeof f32);
    std::memcpy(row.data(), f32, sizeof f32);
    EXPECT_EQ(dequantize(0, row), (std::vector<float>{1.5f, -0.0f, 3e38f}));

    const uint16_t f16[3] = {kHalfOne, 0xC000 /* -2 */, 0x7BFF /* 65504 */};
    row.resize(sizeof f16);
    std::memcpy(row.data(), f16, sizeof f16);
    EXPECT_EQ(dequantize(1, row), (std::vector<float>{1.f, -2.f, 65504.f}));

    const uint16_t bf16[3] = {0x3F80 /* 1 */, 0xC040 /* -3 */, 0x4049 /* 3.140625 */};
    row.resize(sizeof bf16);
    std::memcpy(row.data(), bf16, sizeof bf16);
    EXPECT_EQ(dequantize(30, row), (std::vector<float>{1.f, -3.f, 3.140625f}));
}

TEST(Q4_0, NibblesMinusEightTimesD) {
    auto b = zero_block<BlockQ4_0>();
    b.d = kHalfHalf;
    for (int j = 0; j < 16; ++j) b.qs[j] = uint8_t(j | (15 - j) << 4);
    auto second = b;
    second.d = kHalfTwo;
    const auto y = dequantize(2, row_of({b, second}));
    ASSERT_EQ(y.size(), 64u);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], 0.5f * float(j - 8)) << j;         // low nibble: element j
        EXPECT_EQ(y[j + 16], 0.5f * float(7 - j)) << j;    // high nibble: element j+16
        EXPECT_EQ(y[32 + j], 2.0f * float(j - 8)) << j;    // second block
    }
}

TEST(Q4_1, ScaleAndMinimum) {
    auto b = zero_block<BlockQ4_1>();
    b.d = kHalfQuarter;
    b.m = kHalfMinusOne;
    for (int j = 0; j < 16; ++j) b.qs[j] = uint8_t(j | 3 << 4);
    const auto y = dequantize(3, row_of({b}));
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], 0.25f * float(j) - 1.f);
        EXPECT_EQ(y[j + 16], 0.25f * 3.f - 1.f);
    }
}

TEST(Q5_0, FifthBitComesFromQh) {
    auto b = zero_block<BlockQ5_0>();
    b.d = kHalfOne;
    for (int j = 0; j < 16; ++j) b.qs[j] = 0x21;  // low nibble 1, high nibble 2
    b.qh[0] = 0x01;  // element 0
    b.qh[2] = 0x01;  // element 16
    b.qh[3] = 0x80;  // element 31
    const auto y = dequantize(6, row_of({b}));
    EXPECT_EQ(y[0], float(1 + 16 - 16));
    EXPECT_EQ(y[1], float(1 - 16));
    EXPECT_EQ(y[16], float(2 + 16 - 16));
    EXPECT_EQ(y[17], float(2 - 16));
    EXPECT_EQ(y[31], float(2 + 16 - 16));
}

TEST(Q5_1, FifthBitAndMinimum) {
    auto b = zero_block<BlockQ5_1>();
    b.d = kHalfTwo;
    b.m = kHalfHalf;
    for (int j = 0; j < 16; ++j) b.qs[j] = 0xF0;
    b.qh[1] = 0x02;  // element 9
    const auto y = dequantize(7, row_of({b}));
    EXPECT_EQ(y[9], 2.f * 16.f + 0.5f);
    EXPECT_EQ(y[8], 0.5f);
    EXPECT_EQ(y[20], 2.f * 15.f + 0.5f);
}

TEST(Q8_0, SignedBytesTimesD) {
    auto b = zero_block<BlockQ8_0>();
    b.d = kHalfTwo;
    for (int j = 0; j < 32; ++j) b.qs[j] = int8_t(j * 8 - 128);
    const auto y = dequantize(8, row_of({b}));
    for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], 2.f * float(j * 8 - 128));
}

TEST(Iq4Nl, NibblesIndexTheNonLinearTable) {
    auto b = zero_block<BlockIq4Nl>();
    b.d = kHalfHalf;
    for (int j = 0; j < 16; ++j) b.qs[j] = uint8_t(j | (15 - j) << 4);
    const auto y = dequantize(20, row_of({b}));
    EXPECT_EQ(y[0], 0.5f * -127.f);
    EXPECT_EQ(y[15], 0.5f * 113.f);
    EXPECT_EQ(y[16], 0.5f * 113.f);
    EXPECT_EQ(y[31], 0.5f * -127.f);
}

TEST(Iq4Xs, SixBitBlockScales) {
    auto b = zero_block<BlockIq4Xs>();
    b.d = kHalfOne;
    // Block 3: low nibble 0xA (scales_l[1] high nibble), high bits 0b10 -> 0x2A - 32 = 10.
    b.scales_l[1] = 0xA0;
    b.scales_h = uint16_t(0b10 << 6);
    // Every other block: scale 0 - 32 = -32.
    for (int j = 0; j < 16; ++j) b.qs[16 * 3 + j] = 0x8F;  // element j: 15, element j+16: 8
    const auto y = dequantize(23, row_of({b}));
    EXPECT_EQ(y[96], 10.f * 113.f);
    EXPECT_EQ(y[96 + 16], 10.f * 1.f);
    EXPECT_EQ(y[0], -32.f * -127.f);
}

}  // namespace
}  // namespace sy::test
