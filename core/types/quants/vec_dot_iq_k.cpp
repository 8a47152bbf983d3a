// Dot products of IQ2_K, IQ3_K, IQ4_K, IQ5_K, IQ6_K against Q8_K (vec_dot.hpp): 16
// sub-blocks of 16 with integer scales and table values, so per super-block
// (d * da) * sum_s scale_s * sum_j value_j * q_j. Layouts as in iq_k.cpp.
//
// Oracle: ik_llama.cpp iqk_gemm_iqk_quants.cpp (the IQ*_K dequantizers of the Q8_K kernels);
// IQ6_K uses the integer table iq6nl_values there, as our table dequantizer does.
#include "types/quants/bit_packing.hpp"
#include "types/quants/tables.hpp"
#include "types/quants/vec_dot.hpp"
#include "types/quants/vec_dot_support.hpp"

namespace sy::quants {
namespace {

// Integer values and sub-block scales of one super-block.
struct Decoded {
    int8_t values[256];
    int scales[16];
};

// Fills decoded.values[16s .. 16s+15] from `table` (already offset to the plain or shifted
// half for sub-block s) at the indices index_of(e).
template <typename IndexOf>
inline void put_sub_block(const int8_t* table, int s, Decoded& decoded, IndexOf&& index_of) {
    for (int e = 16 * s; e < 16 * s + 16; ++e) decoded.values[e] = table[index_of(e)];
}

// IQ4_K/IQ5_K 6-bit scale of sub-block s, minus 32.
inline int six_bit_scale(const uint8_t (&scales_l)[8], const uint8_t (&scales_h)[4], int s) {
    return (nibble(scales_l[s / 2], s % 2) | ((scales_h[s / 4] >> (2 * (s % 4))) & 3) << 4) - 32;
}

template <typename Block, typename Decode>
float dot_iq_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n, Decode&& decode) {
    return sum_block_dots<Block, BlockQ8_K>(
        weight_row, act_row, n, [&](const Block& x, const BlockQ8_K* y) {
            Decoded decoded;
            decode(x, decoded);
            const int32_t isum = scaled_group_dots(decoded.values, y->qs, decoded.scales, 16, 16);
            return (fp16_to_fp32(x.d) * y->d) * float(isum);
        });
}

}  // namespace

float vec_dot_iq2_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_iq_k<BlockIq2K>(weight_row, act_row, n, [](const BlockIq2K& x, Decoded& out) {
        for (int s = 0; s < 16; ++s) {
            out.scales[s] = nibble(x.scales[s / 2], s % 2) - 8;
            const int8_t* table = kIq2nlValues.data() + 4 * bit(x.extra, s);
            put_sub_block(table, s, out, [&](int e) { return low_2_bits(x.qs, e); });
        }
    });
}

float vec_dot_iq3_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_iq_k<BlockIq3K>(weight_row, act_row, n, [](const BlockIq3K& x, Decoded& out) {
        for (int s = 0; s < 16; ++s) {
            const int magnitude = 2 * nibble(x.scales_l[s / 2], s % 2) + 1;
            out.scales[s] = bit(x.scales_h, s) ? -magnitude : magnitude;
            const int8_t* table = kIq3nlValues.data() + 8 * bit(x.extra, s);
            put_sub_block(table, s, out, [&](int e) {
                return low_2_bits(x.qs, e) | bit_per_block_of_32(x.qh, e) << 2;
            });
        }
    });
}

float vec_dot_iq4_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_iq_k<BlockIq4K>(weight_row, act_row, n, [](const BlockIq4K& x, Decoded& out) {
        for (int s = 0; s < 16; ++s) {
            out.scales[s] = six_bit_scale(x.scales_l, x.scales_h, s);
            const int8_t* table = kIq4kValues.data() + 16 * bit(x.extra, s);
            put_sub_block(table, s, out, [&](int e) { return nibble_by_32_block(x.qs, e); });
        }
    });
}

float vec_dot_iq5_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_iq_k<BlockIq5K>(weight_row, act_row, n, [](const BlockIq5K& x, Decoded& out) {
        for (int s = 0; s < 16; ++s) {
            out.scales[s] = six_bit_scale(x.scales_l, x.scales_h, s);
            const int8_t* table = kIq5nlValues.data() + 32 * bit(x.extra, s);
            put_sub_block(table, s, out, [&](int e) {
                return nibble_by_64_chunk(x.qs, e) | bit_per_block_of_32(x.qh, e) << 4;
            });
        }
    });
}

// IQ6_K: int8 sub-block scales; 6-bit index = 4 bits as IQ5_K plus 2 high bits: element
// 64i + 32h + m takes bits 4(i%2) + 2h .. +1 of qh[32(i/2) + m].
float vec_dot_iq6_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_iq_k<BlockIq6K>(weight_row, act_row, n, [](const BlockIq6K& x, Decoded& out) {
        for (int s = 0; s < 16; ++s) {
            out.scales[s] = x.scales[s];
            const int8_t* table = kIq6nlValues.data() + 64 * bit(x.extra, s);
            put_sub_block(table, s, out, [&](int e) {
                const int i = e / 64, r = e % 64;
                const int high = (x.qh[32 * (i / 2) + r % 32] >> (4 * (i % 2) + 2 * (r / 32))) & 3;
                return nibble_by_64_chunk(x.qs, e) | high << 4;
            });
        }
    });
}

}  // namespace sy::quants
