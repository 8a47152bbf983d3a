// Hand-built IQ*_K blocks (iq_k.cpp), expected values worked out from FORMATS.md §3.4.
#include <gtest/gtest.h>

#include "hand_built.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/tables.hpp"

namespace sy::test {
namespace {

using namespace sy::quants;

TEST(Iq2K, ScalesShiftedTableAndTwoBitPacking) {
    auto b = zero_block<BlockIq2K>();
    b.d = kHalfOne;
    b.scales[0] = 0x9A;   // sub-block 0: 10 - 8 = 2; sub-block 1: 9 - 8 = 1
    b.extra = 1 << 1;     // sub-block 1 uses the shifted table
    b.qs[32 + 5] = 0b11 << 6;  // element 128 + 96 + 5 = 229: value index 3
    const auto y = dequantize(137, row_of({b}));
    EXPECT_EQ(y[0], 2.f * -31.f);
    EXPECT_EQ(y[16], 1.f * -26.f);
    EXPECT_EQ(y[229], -8.f * 17.f);  // sub-block 14: scales[7] lo nibble 0 -> -8
}

TEST(Iq3K, SignedOddScalesAndThirdBit) {
    auto b = zero_block<BlockIq3K>();
    b.d = kHalfHalf;
    b.scales_l[2] = 0x03;     // sub-block 4: 2*3 + 1 = 7
    b.scales_h = 1 << 4;      // ... negated
    b.extra = 1 << 4;         // ... shifted table
    b.qs[2] = 0b01 << 4;      // element 64 + 2 (k = 2): low bits 1
    b.qh[2] = 1 << 2;         // third bit of element 64 + 2 (32-block 2)
    const auto y = dequantize(138, row_of({b}));
    EXPECT_EQ(y[64 + 2], 0.5f * -7.f * float(kIq3nlValues[8 + 0b101]));
    EXPECT_EQ(y[64 + 3], 0.5f * -7.f * float(kIq3nlValues[8 + 0]));
    EXPECT_EQ(y[0], 0.5f * 1.f * float(kIq3nlValues[0]));
}

TEST(Iq4K, SixBitScalesAndNibbles) {
    auto b = zero_block<BlockIq4K>();
    b.d = kHalfOne;
    // Sub-block 5: low nibble = high nibble of scales_l[2], top bits = bits 2-3 of
    // scales_h[1]: 0x7 | 0b11 << 4 = 55 -> 23.
    b.scales_l[2] = 0x70;
    b.scales_h[1] = 0b11 << 2;
    b.extra = 1 << 5;
    for (int j = 0; j < 16; ++j) b.qs[16 * 2 + j] = 0xE0;  // block 2: elements 80..95 -> 14
    const auto y = dequantize(139, row_of({b}));
    EXPECT_EQ(y[80], 23.f * float(kIq4kValues[16 + 14]));
    EXPECT_EQ(y[64], -32.f * float(kIq4kValues[0]));
}

TEST(Iq5K, FifthBitAndSixBitScales) {
    auto b = zero_block<BlockIq5K>();
    b.d = kHalfOne;
    b.scales_l[3] = 0x05;       // sub-block 6: 5 | 0 << 4 -> -27
    b.qs[32 * 1 + 1] = 0x0C;    // element 64 + 1 (low nibble, 64-chunk 1): 12
    b.qh[1] = 1 << 2;           // 5th bit (32-block 2)
    b.qs[32 * 1 + 2] = 0x90;    // element 64 + 32 + 2 (high nibble): 9
    b.qh[2] = 1 << 3;           // 5th bit (32-block 3)
    b.extra = 1 << 6;           // sub-block 6 (elements 96..111) shifted
    const auto y = dequantize(140, row_of({b}));
    EXPECT_EQ(y[65], -32.f * float(kIq5nlValues[12 + 16]));
    EXPECT_EQ(y[98], -27.f * float(kIq5nlValues[32 + 9 + 16]));
}

TEST(Iq6K, IntegerTableAndHighBits) {
    auto b = zero_block<BlockIq6K>();
    b.d = kHalfOne;
    b.scales[14] = -3;
    b.extra = 1 << 14;
    // Element 192 + 32 + 4 = 228 (64-chunk 3, upper half, sub-block 14): high nibble of
    // qs[96 + 4], high bits = bits 6-7 of qh[32 + 4].
    b.qs[100] = 0x50;
    b.qh[36] = 0b10 << 6;
    const auto y = dequantize(141, row_of({b}));
    const int q = 5 | 0b10 << 4;
    EXPECT_EQ(y[228], -3.f * float(kIq6nlValues[size_t(q)] + 1));
    // The oracle's standalone variant evaluates the cubic instead.
    std::vector<float> cubic(256);
    const auto row = row_of({b});
    dequantize_row_iq6_k_cubic(row.data(), cubic.data(), 256);
    EXPECT_EQ(cubic[228], -3.f * (iq6k_cubic(float(q)) + 1.f));
}

}  // namespace
}  // namespace sy::test
