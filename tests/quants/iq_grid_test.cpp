// Hand-built blocks of the grid types (iq_grid.cpp). The grid contents themselves are
// proven by the golden hashes; these tests pin down how indices, signs and scales are found.
#include <gtest/gtest.h>

#include <cstring>

#include "hand_built.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/tables.hpp"

namespace sy::test {
namespace {

using namespace sy::quants;

float grid_value(uint64_t entry, int j) { return float(grid_byte(entry, j)); }

TEST(Iq2Xxs, IndicesSignsAndScaleOfABlock) {
    auto b = zero_block<BlockIq2Xxs>();
    b.d = kHalfOne;
    // Block 1 (qs[8..15]): grid indices 0, 1, 2, 3; then a u32 with the
    // 4-bit scale 3 on top and group 0's sign bits = 0b0000001 (odd: bit 7 is implied).
    uint8_t bytes[8] = {0, 1, 2, 3, 0, 0, 0, 0};
    const uint32_t signs_and_scale = 3u << 28 | 0b0000001u;
    std::memcpy(bytes + 4, &signs_and_scale, 4);
    std::memcpy(b.qs + 8, bytes, 8);
    const auto y = dequantize(16, row_of({b}));
    const float db = (0.5f + 3.f) * 0.25f;
    EXPECT_EQ(y[32 + 0], -db * grid_value(kIq2xxsGrid[0], 0));
    EXPECT_EQ(y[32 + 1], db * grid_value(kIq2xxsGrid[0], 1));
    EXPECT_EQ(y[32 + 7], -db * grid_value(kIq2xxsGrid[0], 7));  // the implied 8th sign
    EXPECT_EQ(y[32 + 8], db * grid_value(kIq2xxsGrid[1], 0));
    EXPECT_EQ(y[32 + 31], db * grid_value(kIq2xxsGrid[3], 7));
    EXPECT_EQ(y[0], 0.25f * 0.5f * grid_value(kIq2xxsGrid[0], 0));  // block 0: scale 0
}

TEST(Iq2Xs, NineBitIndexSevenSignBitsTwoScales) {
    auto b = zero_block<BlockIq2Xs>();
    b.d = kHalfTwo;
    b.qs[2] = uint16_t(300 | 0b0000011 << 9);  // block 0, group 2: index 300, 2 signs (even)
    b.scales[0] = 0x51;                        // groups 0-1: 1, groups 2-3: 5
    const auto y = dequantize(17, row_of({b}));
    const float db_high = 2.f * (0.5f + 5.f) * 0.25f;
    EXPECT_EQ(y[16], -db_high * grid_value(kIq2xsGrid[300], 0));
    EXPECT_EQ(y[17], -db_high * grid_value(kIq2xsGrid[300], 1));
    EXPECT_EQ(y[23], db_high * grid_value(kIq2xsGrid[300], 7));
    EXPECT_EQ(y[0], 2.f * 1.5f * 0.25f * grid_value(kIq2xsGrid[0], 0));
}

TEST(Iq2S, TenBitIndexAndSignBytes) {
    auto b = zero_block<BlockIq2S>();
    b.d = kHalfOne;
    b.qs[4 * 2 + 3] = 7;           // block 2, group 3: index low bits 7
    b.qh[2] = 0b10 << 6;           // bits 6-7 of qh[2] -> index bits 8-9 = 2: index 519
    b.qs[32 + 4 * 2 + 3] = 0x81;   // its sign byte: elements 0 and 7 negative
    b.scales[2] = 0x20;            // groups 2-3 of block 2: scale 2
    const auto y = dequantize(22, row_of({b}));
    const float db = (0.5f + 2.f) * 0.25f;
    const int first = 64 + 24;
    EXPECT_EQ(y[first + 0], -db * grid_value(kIq2sGrid[519], 0));
    EXPECT_EQ(y[first + 1], db * grid_value(kIq2sGrid[519], 1));
    EXPECT_EQ(y[first + 7], -db * grid_value(kIq2sGrid[519], 7));
}

TEST(Iq3Xxs, TwoGridEntriesPerGroup) {
    auto b = zero_block<BlockIq3Xxs>();
    b.d = kHalfOne;
    b.qs[0] = 10;  // group 0, elements 0-3
    b.qs[1] = 20;  // group 0, elements 4-7
    const uint32_t signs_and_scale = 1u << 28 | 0b1000000u;  // scale 1; element 6 negative
    std::memcpy(b.qs + 64, &signs_and_scale, 4);             // ... and, implied, element 7
    const auto y = dequantize(18, row_of({b}));
    const float db = (0.5f + 1.f) * 0.5f;
    const auto byte_of = [](uint32_t entry, int j) { return float(grid_byte(entry, j)); };
    EXPECT_EQ(y[0], db * byte_of(kIq3xxsGrid[10], 0));
    EXPECT_EQ(y[3], db * byte_of(kIq3xxsGrid[10], 3));
    EXPECT_EQ(y[4], db * byte_of(kIq3xxsGrid[20], 0));
    EXPECT_EQ(y[6], -db * byte_of(kIq3xxsGrid[20], 2));
    EXPECT_EQ(y[7], -db * byte_of(kIq3xxsGrid[20], 3));
}

TEST(Iq3S, NineBitIndicesOddScales) {
    auto b = zero_block<BlockIq3S>();
    b.d = kHalfHalf;
    b.qs[8 * 1 + 3] = 5;    // block 1, index 3 (group 1, elements 4-7)
    b.qh[1] = 1 << 3;       // its bit 8: index 261
    b.signs[4 * 1 + 1] = 0x10;  // group 1 of block 1: element 4 negative
    b.scales[0] = 0x30;     // block 1: 1 + 2*3 = 7
    const auto y = dequantize(21, row_of({b}));
    const float db = 0.5f * 7.f;
    EXPECT_EQ(y[32 + 8 + 4], -db * float(grid_byte(kIq3sGrid[261], 0)));
    EXPECT_EQ(y[32 + 8 + 5], db * float(grid_byte(kIq3sGrid[261], 1)));
}

TEST(Iq1S, GridPlusDelta) {
    auto b = zero_block<BlockIq1S>();
    b.d = kHalfOne;
    b.qs[4 * 3 + 1] = 0x34;                         // block 3, group 1: index low bits
    b.qh[3] = uint16_t(0b101 << 3 | 2 << 12 | 0x8000);  // index bits 8-10 = 5, scale 2, delta -
    const auto y = dequantize(19, row_of({b}));
    const uint64_t grid = kIq1sGrid[0x534];
    const float dl = float(2 * 2 + 1);
    for (int j = 0; j < 8; ++j)
        EXPECT_EQ(y[size_t(96 + 8 + j)], dl * (float(int8_t(grid_byte(grid, j))) - 0.125f)) << j;
    EXPECT_EQ(y[96], dl * (float(int8_t(grid_byte(kIq1sGrid[0], 0))) - 0.125f));
}

TEST(Iq1M, ScaleFromTopNibblesAndPerGroupDelta) {
    auto b = zero_block<BlockIq1M>();
    // d = 1.0 = 0x3C00: its nibbles 0, 0, C, 3 go to the top nibbles of the 4 scale words.
    uint16_t sc[4] = {0x0000, 0x0000, 0xC000, 0x3000};
    sc[0] |= 0b010 << 3;  // block 0, groups 2-3: 3-bit scale 2 -> 5
    std::memcpy(b.scales, sc, sizeof sc);
    b.qs[2] = 0x11;       // block 0, group 2
    b.qh[1] = 0x0B;       // its nibble: index bits 8-10 = 3, delta sign (bit 3) set
    const auto y = dequantize(29, row_of({b}));
    const uint64_t grid = kIq1sGrid[0x311];
    for (int j = 0; j < 8; ++j)
        EXPECT_EQ(y[size_t(16 + j)], 5.f * (float(int8_t(grid_byte(grid, j))) - 0.125f)) << j;
    EXPECT_EQ(y[0], 1.f * (float(int8_t(grid_byte(kIq1sGrid[0], 0))) + 0.125f));
}

}  // namespace
}  // namespace sy::test
