// Hand-built rows of the row-header types IQ2_KS, IQ3_KS, IQ2_KL, IQ4_KS, IQ4_KSS, IQ5_KS
// (iq_ks.cpp). Rows of two super-blocks check that the header is read once per row.
#include <gtest/gtest.h>

#include <bit>

#include "hand_built.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/tables.hpp"

namespace sy::test {
namespace {

using namespace sy::quants;

TEST(Iq2Ks, FiveBitScalesFromNibbleAndExtra) {
    auto b = zero_block<BlockIq2Ks>();
    b.scales[1] = 0x30;                  // block 3: nibble 3
    b.extra = uint16_t(1 << (8 + 3) | 1 << 3);  // block 3: scale bit 4, shifted table
    b.qs[32 + 7] = 0b10 << 2;            // element 128 + 32 + 7 (block 5): value index 2
    auto second = zero_block<BlockIq2Ks>();
    second.scales[0] = 0x01;             // block 0 of the second super-block: 1 - 16 = -15
    const auto y = dequantize(145, row_with_header(kHalfTwo, {b, second}));
    ASSERT_EQ(y.size(), 512u);
    EXPECT_EQ(y[96], 2.f * float((3 | 16) - 16) * float(kIq2nlValues[4 + 0]));
    EXPECT_EQ(y[167], 2.f * -16.f * float(kIq2nlValues[2]));
    EXPECT_EQ(y[256], 2.f * -15.f * float(kIq2nlValues[0]));
}

TEST(Iq3Ks, ScaleNibblesByBlockModFourAndShiftedTableBits) {
    auto b = zero_block<BlockIq3Ks>();
    b.scales[2] = 0x90;                        // block 6: high nibble of scales[2] = 9
    b.extra = uint16_t(1 << 6 | 1 << (8 + 6)); // block 6: scale bit 4, shifted table
    b.qs[32 + 1] = 0b11 << 4;                  // element 192 + 1 (c = 1, k = 2): low bits 3
    b.qh[1] = 1 << 6;                          // third bit (32-block 6)
    const auto y = dequantize(156, row_with_header(kHalfHalf, {b}));
    EXPECT_EQ(y[193], 0.5f * float((9 | 16) - 16) * float(kIq3nlValues[8 + 7]));
    EXPECT_EQ(y[0], 0.5f * -16.f * float(kIq3nlValues[0]));
}

TEST(Iq2Kl, PairsFromTheGridWithFifthIndexBit) {
    auto b = zero_block<BlockIq2Kl>();
    // Block 3 (elements 96..127): low nibble of scales_l[3] = 4, top bits 0b10 at bits 6-7
    // of scales_h -> 4 | 32 = 36 -> 4.
    b.scales_l[3] = 0x04;
    b.scales_h = 0b10 << 6;
    b.qs[16 * 1 + 5] = 0x70;  // 64-chunk 1, j = 5: high nibble 7 -> elements 96 + 10, 11
    b.qh[5] = 1 << 3;         // bit 2*1 + 1: pair index 7 | 16 = 23
    const auto y = dequantize(157, row_with_header(kHalfOne, {b}));
    const uint16_t pair = kIq2klPairs[23];
    EXPECT_EQ(y[106], 4.f * float(int8_t(pair & 0xFF)));
    EXPECT_EQ(y[107], 4.f * float(int8_t(pair >> 8)));
    EXPECT_EQ(y[64 + 10], -32.f * float(int8_t(kIq2klPairs[0] & 0xFF)));
}

TEST(Iq4Ks, ScaleByteMultiplierAndShift) {
    auto b = zero_block<BlockIq4Ks>();
    b.scales[2] = 127 + 5 + 1;  // multiplier (133 & 254) - 127 = 5, bit 0: shifted table
    b.scales[3] = 0;            // multiplier -127
    for (int j = 0; j < 16; ++j) b.qs[32 + j] = 0x3C;  // block 2: elements 64+j -> 12, 80+j -> 3
    auto second = b;
    const auto y = dequantize(144, row_with_header(0.5f, {b, second}));
    EXPECT_EQ(y[64], 0.5f * 5.f * float(kIq4kValues[16 + 12]));
    EXPECT_EQ(y[80], 0.5f * 5.f * float(kIq4kValues[16 + 3]));
    EXPECT_EQ(y[96], 0.5f * -127.f * float(kIq4kValues[0]));
    EXPECT_EQ(y[256 + 64], y[64]);
}

// IQ4_KSS packs a block's 16 nibble bytes as 8 words, each with 15 bits for 16 bits of
// nibbles: word w decodes as v = w & ~1; v ^= v >> 1. That inverts a Gray code, so the
// encoder stores the inverse Gray code of the nibble word, which ends in 0 when the word has
// even parity, and puts a bit of the scale byte into bit 0.
uint16_t iq4kss_word(uint16_t nibbles, int scale_bit) {
    EXPECT_EQ(std::popcount(nibbles) % 2, 0) << "nibble words must have even parity";
    uint16_t x = nibbles;
    for (int shift = 1; shift < 16; shift <<= 1) x = uint16_t(x ^ (x >> shift));
    EXPECT_EQ(x & 1, 0);
    return uint16_t(x | scale_bit);
}

TEST(Iq4Kss, ParityPackedNibblesAndScaleBits) {
    auto b = zero_block<BlockIq4Kss>();
    const uint8_t scale_byte = 127 - 9 + 1;  // multiplier -9, shifted table
    // Block 1: nibble bytes 0x21, 0x03 (word 0x0321, 4 bits set), the rest 0.
    for (int k = 0; k < 8; ++k)
        b.qs[8 + k] = iq4kss_word(k == 0 ? uint16_t(0x0321) : uint16_t(0), (scale_byte >> k) & 1);
    for (int k = 0; k < 8; ++k) b.qs[k] = iq4kss_word(0, 0);  // block 0: byte 0 -> -127
    const auto y = dequantize(146, row_with_header(2.f, {b}));
    const float dl = 2.f * -9.f;
    EXPECT_EQ(y[32 + 0], dl * float(kIq4kValues[16 + 1]));   // byte 0 low nibble
    EXPECT_EQ(y[32 + 16], dl * float(kIq4kValues[16 + 2])); // byte 0 high nibble
    EXPECT_EQ(y[32 + 1], dl * float(kIq4kValues[16 + 3]));  // byte 1 low nibble
    EXPECT_EQ(y[32 + 2], dl * float(kIq4kValues[16 + 0]));
    EXPECT_EQ(y[0], 2.f * -127.f * float(kIq4kValues[0]));
}

TEST(Iq5Ks, FifthBitPerBlock) {
    auto b = zero_block<BlockIq5Ks>();
    b.scales[3] = 127 + 3;      // block 3: multiplier (130 & 254) - 127 = 3, normal table
    b.qs[32 + 4] = 0xB0;        // 64-chunk 1: element 64 + 32 + 4 (block 3) high nibble 11
    b.qh[4] = 1 << 3;           // 5th bit (block 3)
    const auto y = dequantize(152, row_with_header(1.f, {b}));
    EXPECT_EQ(y[100], 3.f * float(kIq5nlValues[11 + 16]));
    EXPECT_EQ(y[101], 3.f * float(kIq5nlValues[0]));
}

}  // namespace
}  // namespace sy::test
