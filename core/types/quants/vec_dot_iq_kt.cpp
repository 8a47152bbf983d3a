// Dot products of the trellis types IQ1_KT, IQ2_KT, IQ3_KT, IQ4_KT against Q8_0 (vec_dot.hpp).
// Layouts and index assembly as in iq_kt.cpp.
//
// The generator (trellis_values) yields integers in -126..126, so each 32-element block is an
// integer sum against the int8 activations, as ik_llama.cpp's CPU kernels compute it
// (iqk_gemm_ktquants.cpp mul_mat_iq*_kt_q8_2_x4_T). Per block b:
//   ((d_row * scale_b) * da_b) * sum_j value_j * q_j
// in that float order, with d_row multiplied by the kernels' row factor first (IQ2_KT 1.05,
// IQ3_KT 1.01); each super-block sums its eight block results in order.
#include <cstdlib>

#include "types/quants/bit_packing.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"
#include "types/quants/vec_dot.hpp"
#include "types/quants/vec_dot_support.hpp"

namespace sy::quants {
namespace {

constexpr uint32_t kTrellisOffset = 4096;
constexpr uint32_t kIq4KtFlaggedOffset = 4096 + 32768;

struct Decoded {
    int8_t values[256];
    int scales[8];
};

// Writes the `count` generator values of `index` at w.
inline void put_trellis_group(uint32_t index, uint32_t offset, int count, int8_t* w) {
    int values[8];
    trellis_values(index, offset, count, values);
    for (int k = 0; k < count; ++k) w[k] = int8_t(values[k]);
}

template <typename Block, typename Decode>
float dot_trellis(const uint8_t* weight_row, float row_factor, const uint8_t* act_row, int64_t n,
                  Decode&& decode) {
    const float d = read_f32_row_header(weight_row) * row_factor;
    return sum_block_dots<Block, BlockQ8_0>(
        weight_row + kF32RowHeaderBytes, act_row, n, [&](const Block& x, const BlockQ8_0* y) {
            Decoded decoded;
            decode(x, decoded);
            float sum = 0;
            for (int b = 0; b < 8; ++b) {
                const int32_t sumi = dot_i8(decoded.values + 32 * b, y[b].qs, 32);
                sum += ((d * float(decoded.scales[b])) * act_scale(y[b])) * float(sumi);
            }
            return sum;
        });
}

}  // namespace

// IQ1_KT: block scale kIq4kValues[lo(sh[b])]; group g has the 13-bit index
// ql[g] | nibble g/16 of qh[g%16] << 8 | bit 4 + g%4 of sh[g/4] << 12.
float vec_dot_iq1_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_trellis<BlockIq1Kt>(weight_row, 1.0f, act_row, n,
                                   [](const BlockIq1Kt& x, Decoded& out) {
        for (int b = 0; b < 8; ++b) out.scales[b] = kIq4kValues[size_t(nibble(x.sh[b], 0))];
        for (int g = 0; g < 32; ++g) {
            const uint32_t index = uint32_t(x.ql[g]) |
                                   uint32_t(nibble(x.qh[g % 16], g / 16)) << 8 |
                                   uint32_t(bit(x.sh[g / 4], 4 + g % 4)) << 12;
            put_trellis_group(index, kTrellisOffset, 8, out.values + 8 * g);
        }
    });
}

// IQ2_KT: block scale kIq4kValues[nibble b/4 of scales[b%4]]; group g's index is ql[g].
float vec_dot_iq2_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_trellis<BlockIq2Kt>(weight_row, kIq2KtKernelRowFactor, act_row, n,
                                   [](const BlockIq2Kt& x, Decoded& out) {
        for (int b = 0; b < 8; ++b)
            out.scales[b] = kIq4kValues[size_t(nibble(x.scales[b % 4], b / 4))];
        for (int g = 0; g < 32; ++g)
            put_trellis_group(x.ql[g], kTrellisOffset, 8, out.values + 8 * g);
    });
}

// IQ3_KT: unsigned block scale nibble b/4 of scales[b%4]; values |generator|, negated where
// bit e/32 of qh[e%32] is set.
float vec_dot_iq3_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_trellis<BlockIq3Kt>(weight_row, kIq3KtKernelRowFactor, act_row, n,
                                   [](const BlockIq3Kt& x, Decoded& out) {
        for (int b = 0; b < 8; ++b) out.scales[b] = nibble(x.scales[b % 4], b / 4);
        for (int g = 0; g < 32; ++g) {
            int values[8];
            trellis_values(x.ql[g], kTrellisOffset, 8, values);
            for (int k = 0; k < 8; ++k) {
                const int e = 8 * g + k;
                const int magnitude = std::abs(values[k]);
                out.values[e] = int8_t(bit_per_block_of_32(x.qh, e) ? -magnitude : magnitude);
            }
        }
    });
}

// IQ4_KT: groups of 4. blk[b]: bit 0 offset flag, bits 1-7 scale (minus 64), and index bits
// 12-14 of group i < 8 at bits 8+3i. Group g = 8b + i: index = ql[g] | nibble g/32 of
// qh[g%32] << 8 | those 3 bits << 12.
float vec_dot_iq4_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_trellis<BlockIq4Kt>(weight_row, 1.0f, act_row, n,
                                   [](const BlockIq4Kt& x, Decoded& out) {
        for (int b = 0; b < 8; ++b) {
            const uint32_t blk = x.blk[b];
            out.scales[b] = int((blk & 0xFF) >> 1) - 64;
            const uint32_t offset = (blk & 1) ? kIq4KtFlaggedOffset : kTrellisOffset;
            for (int i = 0; i < 8; ++i) {
                const int g = 8 * b + i;
                const uint32_t index = uint32_t(x.ql[g]) |
                                       uint32_t(nibble(x.qh[g % 32], g / 32)) << 8 |
                                       ((blk >> (8 + 3 * i)) & 7) << 12;
                put_trellis_group(index, offset, 4, out.values + 4 * g);
            }
        }
    });
}

}  // namespace sy::quants
