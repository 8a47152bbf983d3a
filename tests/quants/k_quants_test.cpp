// Hand-built K-quant blocks (k_quants.cpp), expected values worked out from the layout.
#include <gtest/gtest.h>

#include "hand_built.hpp"
#include "types/quants/blocks.hpp"

namespace sy::test {
namespace {

using namespace sy::quants;

// Every qs byte 0b11'10'01'00: the 2-bit field k of each byte is k, so element
// e = 128c + 32k + j decodes to k = (e/32) % 4.
constexpr uint8_t kTwoBitFieldIsItsIndex = 0b11100100;

TEST(Q2_K, SubBlockScaleMinusMinimum) {
    auto b = zero_block<BlockQ2_K>();
    b.d = kHalfOne;
    b.dmin = kHalfHalf;
    for (int s = 0; s < 16; ++s) b.scales[s] = uint8_t(s | 3 << 4);  // scale s, min 3
    for (auto& q : b.qs) q = kTwoBitFieldIsItsIndex;
    const auto y = dequantize(10, row_of({b}));
    for (int e = 0; e < 256; ++e)
        ASSERT_EQ(y[size_t(e)], float(e / 16) * float((e / 32) % 4) - 0.5f * 3.f) << e;
}

TEST(Q3_K, SixBitScalesAndHighBitMask) {
    auto b = zero_block<BlockQ3_K>();
    b.d = kHalfOne;
    // All 6-bit scales 0 (i.e. -32) except: scale 0 gets top bits 0b11 (byte 8 bits 0-1)
    // -> 48 - 32 = 16; scale 13 gets low nibble 5 (byte 5, high nibble) and top bits 0b01
    // (byte 9, bits 6-7) -> 21 - 32 = -11.
    b.scales[8] = 0b11;
    b.scales[5] = 0x50;
    b.scales[9] = 0b01 << 6;
    for (auto& q : b.qs) q = kTwoBitFieldIsItsIndex;
    for (auto& m : b.hmask) m = 0xFF;  // high bit set everywhere: no -4
    b.hmask[3] = uint8_t(0xFF & ~(1 << 6));  // except element 6*32 + 3 = 195
    const auto y = dequantize(11, row_of({b}));
    EXPECT_EQ(y[0], 16.f * 0.f);
    EXPECT_EQ(y[15], 16.f * 0.f);
    EXPECT_EQ(y[16], -32.f * 0.f);
    EXPECT_EQ(y[13 * 16 + 2], -11.f * float(((13 * 16 + 2) / 32) % 4));
    EXPECT_EQ(y[195], -32.f * float((195 / 32) % 4 - 4));
    EXPECT_EQ(y[194], -32.f * float((194 / 32) % 4));
}

TEST(Q4_K, ScalesAndMinsOfBothPackings) {
    auto b = zero_block<BlockQ4_K>();
    b.d = kHalfOne;
    b.dmin = kHalfTwo;
    b.scales[0] = 3;  // block 0: scale 3
    b.scales[4] = 5;  // block 0: min 5
    // Block 5: low 4 bits in byte 9 (scale lo nibble, min hi nibble), top 2 bits in the
    // spare bits of bytes 1 (scale) and 5 (min): scale 1 | 1<<4 = 17, min 2 | 2<<4 = 34.
    b.scales[9] = 0x21;
    b.scales[1] = 0b01 << 6;
    b.scales[5] = 0b10 << 6;
    for (int l = 0; l < 32; ++l) {
        b.qs[l] = 0x09;       // block 0: low nibbles 9 (block 1: high nibbles 0)
        b.qs[64 + l] = 0x70;  // block 5: high nibbles of qs[64..95] = 7
    }
    const auto y = dequantize(12, row_of({b}));
    EXPECT_EQ(y[0], 3.f * 9.f - 2.f * 5.f);
    EXPECT_EQ(y[31], 3.f * 9.f - 2.f * 5.f);
    EXPECT_EQ(y[160], 17.f * 7.f - 2.f * 34.f);
    EXPECT_EQ(y[191], 17.f * 7.f - 2.f * 34.f);
    EXPECT_EQ(y[32], 0.f);  // block 1: scale bytes 1 and 5 hold only block 5's top bits
}

TEST(Q5_K, FifthBitPerBlock) {
    auto b = zero_block<BlockQ5_K>();
    b.d = kHalfOne;
    b.dmin = kHalfOne;
    b.scales[2] = 1;  // block 2: scale 1, min 0
    b.scales[6] = 0;
    for (int l = 0; l < 32; ++l) b.qs[32 + l] = 0x04;  // block 2: low nibbles of qs[32..63]
    b.qh[3] = 1 << 2;  // bit 2 (block 2) of qh[3]: element 64 + 3
    const auto y = dequantize(13, row_of({b}));
    EXPECT_EQ(y[64 + 3], 4.f + 16.f);
    EXPECT_EQ(y[64 + 4], 4.f);
}

TEST(Q6_K, SixBitsAndInt8Scales) {
    auto b = zero_block<BlockQ6_K>();
    b.d = kHalfHalf;
    for (int s = 0; s < 16; ++s) b.scales[s] = int8_t(s - 8);
    // Element 200 = 128 + 32*2 + 8: high nibble of ql[64 + 8], bits 4-5 of qh[32 + 8].
    b.ql[72] = 0xA0;
    b.qh[40] = 0b10 << 4;
    const auto y = dequantize(14, row_of({b}));
    EXPECT_EQ(y[200], 0.5f * float(12 - 8) * float((10 | 2 << 4) - 32));
    EXPECT_EQ(y[0], 0.5f * -8.f * -32.f);  // all-zero bits decode to -32
}

}  // namespace
}  // namespace sy::test
