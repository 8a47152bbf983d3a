// Trellis ("KT") types IQ1_KT, IQ2_KT, IQ3_KT, IQ4_KT (FORMATS.md §3.7): an f32 row scale,
// then 256-element super-blocks of 8 blocks of 32. Each group of 8 (IQ4_KT: 4) elements
// is stored as one index into a pseudo-random codebook that trellis_values() generates.
//
// Oracle: ik_llama.cpp iqk_quantize.cpp QuantizerIQKT::set_values with is_int = true
// (:8625), dequantize_row_iq1_kt (:9470), _iq2_kt (:9751), _iq3_kt (:10021), _iq4_kt (:10286);
// for the IQ2_KT/IQ3_KT row factors, iqk_gemm_ktquants.cpp (:424, :705, :763, :849).
// Float order: block scale sl = d * (integer block scale), then y = sl * value.
#include <cstdlib>

#include "types/quants/bit_packing.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {

// Each value is one step of a 32-bit multiplicative generator; the value is the sum of the
// four bytes of the state masked to 6 bits each, centred on 0. Groups carry no state
// between them, so every index decodes on its own.
void trellis_values(uint32_t index, uint32_t offset, int count, int* values) {
    constexpr uint32_t kMultiplier = 0xCBAC1FED;
    uint32_t x = index + offset;
    for (int k = 0; k < count; ++k) {
        x *= kMultiplier;  // first value after the first step
        const uint32_t s = x & 0x3F3F3F3Fu;
        const int byte_sum =
            int(s & 0xFF) + int((s >> 8) & 0xFF) + int((s >> 16) & 0xFF) + int(s >> 24);
        values[k] = byte_sum - 126;
    }
}

namespace {

constexpr uint32_t kTrellisOffset = 4096;
constexpr uint32_t kIq4KtFlaggedOffset = 4096 + 32768;

// Writes the 8 elements of group g (g < 32): y[8g + k] = sl * value_k.
inline void put_group_of_8(float sl, uint32_t index, int g, float* y) {
    int values[8];
    trellis_values(index, kTrellisOffset, 8, values);
    for (int k = 0; k < 8; ++k) y[8 * g + k] = sl * float(values[k]);
}

}  // namespace

// IQ1_KT: block b's scale is kIq4kValues[lo(sh[b])]. Group g (block g/4) has a 13-bit index:
// ql[g] | nibble g/16 of qh[g%16] << 8 | bit 4 + g%4 of sh[g/4] << 12.
void dequantize_row_iq1_kt(const uint8_t* row, float* out, int64_t n) {
    const float d = read_f32_row_header(row);
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq1Kt>(blocks, out, n, [d](const BlockIq1Kt& b, float* y) {
        for (int g = 0; g < 32; ++g) {
            const int ib = g / 4;
            const float sl = d * float(kIq4kValues[size_t(nibble(b.sh[ib], 0))]);
            const uint32_t index = uint32_t(b.ql[g]) |
                                   uint32_t(nibble(b.qh[g % 16], g / 16)) << 8 |
                                   uint32_t(bit(b.sh[ib], 4 + g % 4)) << 12;
            put_group_of_8(sl, index, g, y);
        }
    });
}

// IQ2_KT: block b's scale is kIq4kValues[nibble b/4 of scales[b%4]]; group g's index is ql[g].
void dequantize_row_iq2_kt_with_row_factor(const uint8_t* row, float* out, int64_t n,
                                           float row_factor) {
    const float d = read_f32_row_header(row) * row_factor;
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq2Kt>(blocks, out, n, [d](const BlockIq2Kt& b, float* y) {
        for (int g = 0; g < 32; ++g) {
            const int ib = g / 4;
            const float sl = d * float(kIq4kValues[size_t(nibble(b.scales[ib % 4], ib / 4))]);
            put_group_of_8(sl, b.ql[g], g, y);
        }
    });
}

void dequantize_row_iq2_kt(const uint8_t* row, float* out, int64_t n) {
    dequantize_row_iq2_kt_with_row_factor(row, out, n, kIq2KtKernelRowFactor);
}

// IQ3_KT: block b's scale is nibble b/4 of scales[b%4] (unsigned); values are |generator|,
// and element e is negated when bit e/32 of qh[e%32] is set.
void dequantize_row_iq3_kt_with_row_factor(const uint8_t* row, float* out, int64_t n,
                                           float row_factor) {
    const float d = read_f32_row_header(row) * row_factor;
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq3Kt>(blocks, out, n, [d](const BlockIq3Kt& b, float* y) {
        for (int g = 0; g < 32; ++g) {
            const int ib = g / 4;
            const float sl = d * float(nibble(b.scales[ib % 4], ib / 4));
            int values[8];
            trellis_values(b.ql[g], kTrellisOffset, 8, values);
            for (int k = 0; k < 8; ++k) {
                const int e = 8 * g + k;
                const float magnitude = sl * float(std::abs(values[k]));
                y[e] = bit_per_block_of_32(b.qh, e) ? -magnitude : magnitude;
            }
        }
    });
}

void dequantize_row_iq3_kt(const uint8_t* row, float* out, int64_t n) {
    dequantize_row_iq3_kt_with_row_factor(row, out, n, kIq3KtKernelRowFactor);
}

// IQ4_KT: groups of 4. blk[b] holds block b's offset flag (bit 0), 7-bit scale
// (bits 1-7, minus 64) and, for group i < 8 of the block, index bits 12-14 at bits
// 8+3i..10+3i. Group g = 8b + i: index = ql[g] | nibble g/32 of qh[g%32] << 8 | those 3 bits.
void dequantize_row_iq4_kt(const uint8_t* row, float* out, int64_t n) {
    const float d = read_f32_row_header(row);
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq4Kt>(blocks, out, n, [d](const BlockIq4Kt& b, float* y) {
        for (int ib = 0; ib < 8; ++ib) {
            const uint32_t blk = b.blk[ib];
            const uint32_t offset = (blk & 1) ? kIq4KtFlaggedOffset : kTrellisOffset;
            const float sl = d * float(int((blk & 0xFF) >> 1) - 64);
            for (int i = 0; i < 8; ++i) {
                const int g = 8 * ib + i;
                const uint32_t index = uint32_t(b.ql[g]) |
                                       uint32_t(nibble(b.qh[g % 32], g / 32)) << 8 |
                                       ((blk >> (8 + 3 * i)) & 7) << 12;
                int values[4];
                trellis_values(index, offset, 4, values);
                for (int k = 0; k < 4; ++k) y[4 * g + k] = sl * float(values[k]);
            }
        }
    });
}

}  // namespace sy::quants
