// Bit packings shared by several 256-element super-block types (FORMATS.md §3.4). Each
// helper takes the element index e (0..255) within the super-block.
#pragma once

#include <cstdint>

namespace sy::quants {

// Bit k of x.
constexpr int bit(uint32_t x, int k) { return int((x >> k) & 1u); }

// Nibble k (0 = low, 1 = high) of a byte.
constexpr int nibble(uint8_t b, int k) { return (b >> (4 * k)) & 0xF; }

// Low-2-bit packing of Q2_K, Q3_K, IQ2_K, IQ3_K, IQ2_KS, IQ3_KS: element
// e = 128c + 32k + j (c < 2, k < 4, j < 32) is bits 2k..2k+1 of qs[32c + j].
constexpr int low_2_bits(const uint8_t* qs, int e) {
    return (qs[32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3;
}

// One extra bit per element, indexed by the 32-block: bit e/32 of qh[e % 32]. The 3rd bit of
// Q3_K (hmask), IQ3_K and IQ3_KS, the 5th bit of IQ5_K and IQ5_KS, the sign of IQ3_KT.
constexpr int bit_per_block_of_32(const uint8_t* qh, int e) { return (qh[e % 32] >> (e / 32)) & 1; }

// Nibble packing of IQ4_K, IQ4_KS (and IQ4_XS, IQ4_KSS after unpacking): 32-block b uses
// qs[16b .. 16b+15]; the low nibble holds element j, the high nibble element j+16.
constexpr int nibble_by_32_block(const uint8_t* qs, int e) {
    const int b = e / 32, j = e % 32;
    return nibble(qs[16 * b + j % 16], j / 16);
}

// Nibble packing of IQ5_K, IQ6_K and IQ5_KS: in 64-chunk i, qs[32i + m] holds element
// 64i + m in its low nibble and element 64i + 32 + m in its high nibble.
constexpr int nibble_by_64_chunk(const uint8_t* qs, int e) {
    const int i = e / 64, r = e % 64;
    return nibble(qs[32 * i + r % 32], r / 32);
}

}  // namespace sy::quants
