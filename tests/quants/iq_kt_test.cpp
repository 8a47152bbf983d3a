// The trellis generator and hand-built rows of the KT types (iq_kt.cpp).
#include <gtest/gtest.h>

#include <cstdlib>

#include "hand_built.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/tables.hpp"

namespace sy::test {
namespace {

using namespace sy::quants;

std::vector<int> generated(uint32_t index, uint32_t offset, int count) {
    std::vector<int> v(static_cast<size_t>(count));
    trellis_values(index, offset, count, v.data());
    return v;
}

// The test vectors of FORMATS.md §3.7.
TEST(Trellis, FormatsTestVectors) {
    EXPECT_EQ(generated(0, 4096, 8), (std::vector<int>{-47, -36, -39, -86, -38, -38, -47, -35}));
    EXPECT_EQ(generated(65535, 4096, 8), (std::vector<int>{26, -32, -16, -9, -25, -62, 17, 10}));
}

TEST(Trellis, GroupsOfFourAreThePrefixOfGroupsOfEight) {
    const auto eight = generated(1234, 4096, 8);
    EXPECT_EQ(generated(1234, 4096, 4), std::vector<int>(eight.begin(), eight.begin() + 4));
    // The flagged IQ4_KT offset is the same as a larger index.
    EXPECT_EQ(generated(5, 4096 + 32768, 4), generated(5 + 32768, 4096, 4));
}

TEST(Trellis, ValuesStayInRange) {
    for (uint32_t index = 0; index < 65536; index += 7)
        for (int v : generated(index, 4096, 8)) ASSERT_LE(std::abs(v), 126) << index;
}

TEST(Iq1Kt, ThirteenBitIndexFromThreeFields) {
    auto b = zero_block<BlockIq1Kt>();
    // Group 21 (block 5, group 1 of it): index 0x1ABC = ql 0xBC | qh nibble 0xA << 8 |
    // bit 4+1 of sh[5] << 12. qh[21 % 16 = 5], high nibble because 21 >= 16.
    b.ql[21] = 0xBC;
    b.qh[5] = 0xA0;
    b.sh[5] = uint8_t(1 << 5 | 3);  // ... and block 5's scale index 3
    const auto y = dequantize(158, row_with_header(0.5f, {b}));
    const auto v = generated(0x1ABC, 4096, 8);
    for (int k = 0; k < 8; ++k)
        EXPECT_EQ(y[size_t(8 * 21 + k)], 0.5f * float(kIq4kValues[3]) * float(v[size_t(k)])) << k;
    EXPECT_EQ(y[0], 0.5f * float(kIq4kValues[0]) * float(generated(0, 4096, 1)[0]));
}

TEST(Iq2Kt, SixteenBitIndexAndKernelRowFactor) {
    auto b = zero_block<BlockIq2Kt>();
    b.ql[13] = 40000;   // group 13: block 3
    b.scales[3] = 0x0E; // block 3 = low nibble of scales[3]
    const auto row = row_with_header(2.f, {b});
    const auto v = generated(40000, 4096, 8);

    std::vector<float> standalone(256);
    dequantize_row_iq2_kt_with_row_factor(row.data(), standalone.data(), 256, 1.0f);
    const auto kernel = dequantize(153, row);
    const float d_kernel = 2.f * 1.05f;
    for (int k = 0; k < 8; ++k) {
        EXPECT_EQ(standalone[size_t(104 + k)], 2.f * float(kIq4kValues[14]) * float(v[size_t(k)]));
        EXPECT_EQ(kernel[size_t(104 + k)], d_kernel * float(kIq4kValues[14]) * float(v[size_t(k)]));
    }
}

TEST(Iq3Kt, MagnitudesWithSignBits) {
    auto b = zero_block<BlockIq3Kt>();
    b.ql[9] = 777;      // group 9: block 2, elements 72..79
    b.scales[2] = 0x05; // block 2: unsigned scale 5
    b.qh[72 % 32] = 1 << 2;  // element 72 negative (bit 72/32 = 2 of qh[8])
    const auto row = row_with_header(1.f, {b});
    const auto v = generated(777, 4096, 8);
    std::vector<float> standalone(256);
    dequantize_row_iq3_kt_with_row_factor(row.data(), standalone.data(), 256, 1.0f);
    EXPECT_EQ(standalone[72], -5.f * float(std::abs(v[0])));
    EXPECT_EQ(standalone[73], 5.f * float(std::abs(v[1])));
    const auto kernel = dequantize(154, row);
    EXPECT_EQ(kernel[73], 1.01f * 5.f * float(std::abs(v[1])));
}

TEST(Iq4Kt, FifteenBitIndexScaleAndOffsetFlag) {
    auto b = zero_block<BlockIq4Kt>();
    // Block 4, group 2 of it (g = 34): index 0x5678 = ql 0x78 | qh[34 % 32] high nibble 6
    // << 8 | bits 8+3*2.. of blk[4] = 5 << 12. blk[4] also: scale (bits 1-7) 70 -> 6, flag.
    b.ql[34] = 0x78;
    b.qh[2] = 0x60;
    b.blk[4] = 5u << (8 + 3 * 2) | 70u << 1 | 1u;
    const auto y = dequantize(155, row_with_header(0.25f, {b}));
    const auto v = generated(0x5678, 4096 + 32768, 4);
    for (int k = 0; k < 4; ++k)
        EXPECT_EQ(y[size_t(4 * 34 + k)], 0.25f * 6.f * float(v[size_t(k)])) << k;
    EXPECT_EQ(y[0], 0.25f * -64.f * float(generated(0, 4096, 1)[0]));
}

}  // namespace
}  // namespace sy::test
