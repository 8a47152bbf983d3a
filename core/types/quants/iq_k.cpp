// IQ2_K, IQ3_K, IQ4_K, IQ5_K, IQ6_K: 256-element super-blocks with an fp16 scale d inside
// the block, 16 sub-blocks of 16 elements (s = e/16) each with a small integer scale, and
// non-linear value tables whose shifted half is selected per sub-block by bit s of `extra`
// (FORMATS.md §3.4).
//
// Oracle: ik_llama.cpp iqk_quantize.cpp dequantize_row_iq2_k (:1356), _iq3_k (:2534),
// _iq4_k (:2822), _iq5_k (:3112), _iq6_k (:3448); for IQ6_K's integer table, the kernels
// (iqk_gemm_iqk_quants.cpp:1416, ggml-cuda/convert.cu:1255).
// Float order everywhere: dl = d * (integer sub-block scale), then y = dl * value.
#include <cmath>

#include "types/quants/bit_packing.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

// Writes the 16 elements of sub-block s: y[e] = dl * value(e).
template <typename ValueOf>
inline void put_sub_block(float dl, int s, float* y, ValueOf&& value_of) {
    for (int e = 16 * s; e < 16 * s + 16; ++e) y[e] = dl * float(value_of(e));
}

// IQ4_K/IQ5_K 6-bit sub-block scale: nibble s%2 of scales_l[s/2], plus bits 2(s%4)..+1 of
// scales_h[s/4] on top, minus 32.
inline int six_bit_scale(const uint8_t (&scales_l)[8], const uint8_t (&scales_h)[4], int s) {
    const int low = nibble(scales_l[s / 2], s % 2);
    const int high = (scales_h[s / 4] >> (2 * (s % 4))) & 3;
    return (low | high << 4) - 32;
}

// IQ6_K's 6-bit index: 4 bits as IQ5_K, and 2 high bits from qh: element 64i + m takes
// bits 4(i%2)..+1 of qh[32(i/2) + m % 32], element 64i + 32 + m the two bits above them.
inline int iq6k_index(const BlockIq6K& b, int e) {
    const int i = e / 64, r = e % 64;
    const int shift = 4 * (i % 2) + 2 * (r / 32);
    const int high = (b.qh[32 * (i / 2) + r % 32] >> shift) & 3;
    return nibble_by_64_chunk(b.qs, e) | high << 4;
}

}  // namespace

// IQ2_K: scale nibble s%2 of scales[s/2] minus 8; 2-bit values (low-2-bit packing) into
// kIq2nlValues, shifted half +4.
void dequantize_row_iq2_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq2K>(row, out, n, [](const BlockIq2K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(nibble(b.scales[s / 2], s % 2) - 8);
            const int8_t* values = kIq2nlValues.data() + 4 * bit(b.extra, s);
            put_sub_block(dl, s, y, [&](int e) { return values[low_2_bits(b.qs, e)]; });
        }
    });
}

// IQ3_K: odd scale 2*(nibble s%2 of scales_l[s/2]) + 1, negated when bit s of scales_h is
// set; 3-bit values (low-2-bit packing + bit e/32 of qh[e%32]) into kIq3nlValues (+8).
void dequantize_row_iq3_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq3K>(row, out, n, [](const BlockIq3K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const int magnitude = 2 * nibble(b.scales_l[s / 2], s % 2) + 1;
            const float dl = d * float(bit(b.scales_h, s) ? -magnitude : magnitude);
            const int8_t* values = kIq3nlValues.data() + 8 * bit(b.extra, s);
            put_sub_block(dl, s, y, [&](int e) {
                return values[low_2_bits(b.qs, e) | bit_per_block_of_32(b.qh, e) << 2];
            });
        }
    });
}

// IQ4_K: 6-bit scales; 4-bit values (nibble packing by 32-block) into kIq4kValues (+16).
void dequantize_row_iq4_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq4K>(row, out, n, [](const BlockIq4K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(six_bit_scale(b.scales_l, b.scales_h, s));
            const int8_t* values = kIq4kValues.data() + 16 * bit(b.extra, s);
            put_sub_block(dl, s, y, [&](int e) { return values[nibble_by_32_block(b.qs, e)]; });
        }
    });
}

// IQ5_K: 6-bit scales; 5-bit values (nibble packing by 64-chunk + bit e/32 of qh[e%32])
// into kIq5nlValues (+32).
void dequantize_row_iq5_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq5K>(row, out, n, [](const BlockIq5K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(six_bit_scale(b.scales_l, b.scales_h, s));
            const int8_t* values = kIq5nlValues.data() + 32 * bit(b.extra, s);
            put_sub_block(dl, s, y, [&](int e) {
                return values[nibble_by_64_chunk(b.qs, e) | bit_per_block_of_32(b.qh, e) << 4];
            });
        }
    });
}

// IQ6_K: int8 sub-block scales; 6-bit index into kIq6nlValues, whose second half is the first
// plus 1 (the kernels add the `extra` bit as an integer: the same values).
void dequantize_row_iq6_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq6K>(row, out, n, [](const BlockIq6K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(b.scales[s]);
            const int8_t* values = kIq6nlValues.data() + 64 * bit(b.extra, s);
            put_sub_block(dl, s, y, [&](int e) { return values[iq6k_index(b, e)]; });
        }
    });
}

// The cubic of IQ6_K: -127 + q*(6.2568 + q*(-0.11218 + q*0.0011972)), in float, Horner
// form. The oracle's build contracts each Horner step into a fused multiply-add, so the
// same three fmas are written here (see README.md "Float evaluation order").
float iq6k_cubic(float q) {
    constexpr float kA = -127.f, kB = 6.2568f, kC = 0.11218f, kD = 0.0011972f;
    return std::fma(q, std::fma(q, std::fma(q, kD, -kC), kB), kA);
}

// The oracle's standalone IQ6_K dequantizer: y = dl * (cubic(q) + shift), shift 1.0 for
// sub-blocks flagged in `extra`.
void dequantize_row_iq6_k_cubic(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq6K>(row, out, n, [](const BlockIq6K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(b.scales[s]);
            const float shift = bit(b.extra, s) ? 1.f : 0.f;
            for (int e = 16 * s; e < 16 * s + 16; ++e)
                y[e] = dl * (iq6k_cubic(float(iq6k_index(b, e))) + shift);
        }
    });
}

}  // namespace sy::quants
