// Row-header types with one scale per 32-element block (FORMATS.md §3.5, §3.6):
//   fp16 row scale: IQ2_KS, IQ3_KS, IQ2_KL (5- or 6-bit signed block scales);
//   f32 row scale:  IQ4_KS, IQ4_KSS, IQ5_KS (a scale byte s per block: odd multiplier
//                   (s & 254) - 127, and bit 0 selecting the shifted value table).
// The row header is read once; the blocks follow it without padding.
//
// Oracle: ik_llama.cpp iqk_quantize.cpp dequantize_row_iq2_ks (:1877), _iq3_ks (:2774),
// _iq2_kl (:2243), _iq4_ks (:4555), _iq5_ks (:4798), _iq4_kss (:5161).
// Float order everywhere: dl = d * (integer block scale), then y = dl * value.
#include "types/quants/bit_packing.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

// Writes the 32 elements of block b: y[e] = dl * value(e).
template <typename ValueOf>
inline void put_block_of_32(float dl, int b, float* y, ValueOf&& value_of) {
    for (int e = 32 * b; e < 32 * b + 32; ++e) y[e] = dl * float(value_of(e));
}

// The scale byte of the f32-header types: multiplier and shifted-table flag.
inline int ks_multiplier(uint8_t s) { return int(s & 254) - 127; }
inline int ks_shifted(uint8_t s) { return s & 1; }

}  // namespace

// IQ2_KS: block b's 5-bit scale is nibble b%2 of scales[b/2] plus bit 8+b of extra on top,
// minus 16; bit b of extra selects the shifted kIq2nlValues. Low-2-bit packing.
void dequantize_row_iq2_ks(const uint8_t* row, float* out, int64_t n) {
    const float d = read_fp16_row_header(row);
    const uint8_t* blocks = row + kFp16RowHeaderBytes;
    for_each_block<BlockIq2Ks>(blocks, out, n, [d](const BlockIq2Ks& b, float* y) {
        for (int ib = 0; ib < 8; ++ib) {
            const int low = nibble(b.scales[ib / 2], ib % 2);
            const float dl = d * float((low | bit(b.extra, 8 + ib) << 4) - 16);
            const int8_t* values = kIq2nlValues.data() + 4 * bit(b.extra, ib);
            put_block_of_32(dl, ib, y, [&](int e) { return values[low_2_bits(b.qs, e)]; });
        }
    });
}

// IQ3_KS: block b's 5-bit scale is nibble b/4 of scales[b%4] plus bit b of extra on top,
// minus 16; bit 8+b of extra selects the shifted kIq3nlValues. 3-bit values as IQ3_K.
void dequantize_row_iq3_ks(const uint8_t* row, float* out, int64_t n) {
    const float d = read_fp16_row_header(row);
    const uint8_t* blocks = row + kFp16RowHeaderBytes;
    for_each_block<BlockIq3Ks>(blocks, out, n, [d](const BlockIq3Ks& b, float* y) {
        for (int ib = 0; ib < 8; ++ib) {
            const int low = nibble(b.scales[ib % 4], ib / 4);
            const float dl = d * float((low | bit(b.extra, ib) << 4) - 16);
            const int8_t* values = kIq3nlValues.data() + 8 * bit(b.extra, 8 + ib);
            put_block_of_32(dl, ib, y, [&](int e) {
                return values[low_2_bits(b.qs, e) | bit_per_block_of_32(b.qh, e) << 2];
            });
        }
    });
}

// IQ2_KL: block b's 6-bit scale is nibble b/4 of scales_l[b%4] plus bits 2b..2b+1 of
// scales_h on top, minus 32. Elements come in pairs from kIq2klPairs: in 64-chunk i, byte
// p = qs[16i + j] (j < 16) gives the 5-bit pair index lo(p) | bit 2i of qh[j] << 4 for
// elements 64i + 2j, +1 (block 2i) and hi(p) | bit 2i+1 of qh[j] << 4 for elements
// 64i + 32 + 2j, +1 (block 2i+1).
void dequantize_row_iq2_kl(const uint8_t* row, float* out, int64_t n) {
    const float d = read_fp16_row_header(row);
    const uint8_t* blocks = row + kFp16RowHeaderBytes;
    for_each_block<BlockIq2Kl>(blocks, out, n, [d](const BlockIq2Kl& b, float* y) {
        float dl[8];
        for (int ib = 0; ib < 8; ++ib) {
            const int low = nibble(b.scales_l[ib % 4], ib / 4);
            const int high = (b.scales_h >> (2 * ib)) & 3;
            dl[ib] = d * float((low | high << 4) - 32);
        }
        for (int i = 0; i < 4; ++i) {
            for (int j = 0; j < 16; ++j) {
                const uint8_t p = b.qs[16 * i + j];
                for (int h = 0; h < 2; ++h) {  // h = 0: block 2i, h = 1: block 2i+1
                    const int index = nibble(p, h) | bit(b.qh[j], 2 * i + h) << 4;
                    const uint16_t pair = kIq2klPairs[size_t(index)];
                    float* yp = y + 64 * i + 32 * h + 2 * j;
                    yp[0] = dl[2 * i + h] * float(int8_t(pair & 0xFF));
                    yp[1] = dl[2 * i + h] * float(int8_t(pair >> 8));
                }
            }
        }
    });
}

// IQ4_KS: 4-bit values (nibble packing by 32-block) into kIq4kValues.
void dequantize_row_iq4_ks(const uint8_t* row, float* out, int64_t n) {
    const float d = read_f32_row_header(row);
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq4Ks>(blocks, out, n, [d](const BlockIq4Ks& b, float* y) {
        for (int ib = 0; ib < 8; ++ib) {
            const float dl = d * float(ks_multiplier(b.scales[ib]));
            const int8_t* values = kIq4kValues.data() + 16 * ks_shifted(b.scales[ib]);
            put_block_of_32(dl, ib, y,
                            [&](int e) { return values[nibble_by_32_block(b.qs, e)]; });
        }
    });
}

// IQ4_KSS: each block of 32 is 8 u16 words w[k]. Bit 0 of w[k] is bit k of the block's
// scale byte. The rest decodes as v = w & 0xFFFE; v ^= v >> 1, and the 8 decoded words, read
// as 16 little-endian bytes, are the block's nibbles (low nibble element j, high j+16).
void dequantize_row_iq4_kss(const uint8_t* row, float* out, int64_t n) {
    const float d = read_f32_row_header(row);
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq4Kss>(blocks, out, n, [d](const BlockIq4Kss& b, float* y) {
        for (int ib = 0; ib < 8; ++ib) {
            uint8_t scale_byte = 0;
            uint8_t nibbles[16];
            for (int k = 0; k < 8; ++k) {
                const uint16_t w = b.qs[8 * ib + k];
                scale_byte = uint8_t(scale_byte | (w & 1) << k);
                uint16_t v = uint16_t(w & 0xFFFE);
                v = uint16_t(v ^ (v >> 1));
                nibbles[2 * k] = uint8_t(v & 0xFF);
                nibbles[2 * k + 1] = uint8_t(v >> 8);
            }
            const float dl = d * float(ks_multiplier(scale_byte));
            const int8_t* values = kIq4kValues.data() + 16 * ks_shifted(scale_byte);
            for (int j = 0; j < 16; ++j) {
                y[32 * ib + j] = dl * float(values[nibble(nibbles[j], 0)]);
                y[32 * ib + j + 16] = dl * float(values[nibble(nibbles[j], 1)]);
            }
        }
    });
}

// IQ5_KS: 5-bit values (nibble packing by 64-chunk + bit e/32 of qh[e%32]) into
// kIq5nlValues.
void dequantize_row_iq5_ks(const uint8_t* row, float* out, int64_t n) {
    const float d = read_f32_row_header(row);
    const uint8_t* blocks = row + kF32RowHeaderBytes;
    for_each_block<BlockIq5Ks>(blocks, out, n, [d](const BlockIq5Ks& b, float* y) {
        for (int ib = 0; ib < 8; ++ib) {
            const float dl = d * float(ks_multiplier(b.scales[ib]));
            const int8_t* values = kIq5nlValues.data() + 32 * ks_shifted(b.scales[ib]);
            put_block_of_32(dl, ib, y, [&](int e) {
                return values[nibble_by_64_chunk(b.qs, e) | bit_per_block_of_32(b.qh, e) << 4];
            });
        }
    });
}

}  // namespace sy::quants
