// Quantizer of IQ2_KS: 2-bit values (kIq2nlValues, normal or shifted per 32-block), signed
// 5-bit block scales, fp16 row scale.
//
// Oracle: ik_llama.cpp iqk_quantize.cpp quantize_row_iq2_ks_fast_impl (:1536) with
// compute_1block_iq2ks / compute_1block_iq2ks_rmse (:1425, :1497), and make_qx_quants
// (:111). llama-quantize runs this AVX2 "fast" path by default (quantize_iq2_ks, :1854:
// its user_data is always set and slow_iq2_ks is false unless --slow-iq2ks is given), and
// the golden files were made on AVX2 x86. The slower exhaustive search it replaces is not
// reproduced here.
//
// The AVX2 code keeps per-lane partial sums: element e = 8k + i of a block goes to lane i,
// and the 8 lanes are added at the end as ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7))
// (hsum_float_8). Lanes below does exactly that in scalar code, so sums round as ik's do.
#include <algorithm>
#include <vector>

#include "types/quants/blocks.hpp"
#include "types/quants/quantize_iq_ks.hpp"
#include "types/quants/quantize_iq_ks_support.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

using namespace iqks;

constexpr int kLanes = 8;

// Partial sums of one 256-bit register: lane i gets the elements e with e % 8 == i.
struct Lanes {
    float lane[kLanes] = {};
    void fused_add(int e, float a, float b) { lane[e % kLanes] = fused(a, b, lane[e % kLanes]); }
    float sum() const {
        float half[4];
        for (int i = 0; i < 4; ++i) half[i] = lane[i] + lane[i + 4];
        return (half[0] + half[2]) + (half[1] + half[3]);
    }
};

// Per element, the index j (0..3) minimising (x - sign*d*values[j])², the first on ties.
// sign = -1 quantizes -x, i.e. tries the negated scale.
void nearest_by_distance(const float* x, float d, const int8_t* values, float sign, int* idx) {
    float best[kBlock];
    for (int j = 0; j < 4; ++j) {
        const float val = d * float(values[j]);
        for (int e = 0; e < kBlock; ++e) {
            const float diff = sign > 0 ? x[e] - val : x[e] + val;
            const float sq = diff * diff;
            if (j == 0 || sq < best[e]) {
                best[e] = sq;
                idx[e] = j;
            }
        }
    }
}

struct Candidate {
    float d = 0;
    float score = 0;  // sumqx² / sumq2, the weighted energy the scale explains
};

// compute_1block_iq2ks: quantize the block at +d and at -d, take the least-squares scale
// of each, keep the better (the "+" one when not strictly worse). False when neither has
// sumq2 > 0.
bool try_scale(float d, const float* x, const float* w, const int8_t* values, Candidate& out) {
    int idx_plus[kBlock], idx_minus[kBlock];
    nearest_by_distance(x, d, values, +1.f, idx_plus);
    nearest_by_distance(x, d, values, -1.f, idx_minus);
    Lanes sumqx_plus, sumq2_plus, sumqx_minus, sumq2_minus;
    for (int e = 0; e < kBlock; ++e) {
        const float q1 = float(values[idx_plus[e]]), q2 = float(values[idx_minus[e]]);
        const float wq1 = w[e] * q1, wq2 = w[e] * q2;
        sumqx_plus.fused_add(e, wq1, x[e]);
        sumq2_plus.fused_add(e, wq1, q1);
        sumqx_minus.fused_add(e, wq2, x[e]);
        sumq2_minus.fused_add(e, wq2, q2);
    }
    const float sumqx_1 = sumqx_plus.sum(), sumq2_1 = sumq2_plus.sum();
    const float sumqx_2 = sumqx_minus.sum(), sumq2_2 = sumq2_minus.sum();
    bool found = false;
    if (sumq2_1 > 0) {
        out.d = sumqx_1 / sumq2_1;
        out.score = sumqx_1 * out.d;
        found = true;
    }
    if (sumq2_2 > 0 && (!found || sumqx_2 * sumqx_2 > out.score * sumq2_2)) {
        out.d = sumqx_2 / sumq2_2;
        out.score = sumqx_2 * out.d;
        found = true;
    }
    return found;
}

// compute_1block_iq2ks_rmse: weighted squared error of the block at scale d, and its indices.
float error_at_scale(float d, const float* x, const float* w, const int8_t* values, int* idx) {
    nearest_by_distance(x, d, values, +1.f, idx);
    Lanes error;
    for (int e = 0; e < kBlock; ++e) {
        const float diff = fused(-d, float(values[idx[e]]), x[e]);
        error.fused_add(e, w[e] * diff, diff);
    }
    return error.sum();
}

// make_qx_quants(n, nmax = 16) on the block scales: the row scale and the 5-bit codes
// L = l + 16 (l in [-16, 15]) that best fit the block scales, weighted by each block's
// total weight. Tries iscale = -(16 + 0.1*is)/max for is = -9..9.
float fit_block_scales(const std::vector<float>& scales, const std::vector<float>& block_weight,
                       std::vector<int>& codes) {
    constexpr int kNmax = 16;
    const size_t n = scales.size();
    const SignedMax m = signed_max(scales.data(), int(n));
    if (!m.abs) {
        std::fill(codes.begin(), codes.end(), 0);
        return 0.f;
    }
    auto code_of = [&](float iscale, size_t i) {
        return std::clamp(nearest_int_of_product(iscale, scales[i]), -kNmax, kNmax - 1);
    };
    auto fit = [&](float iscale, float& sumlx, float& suml2) {
        sumlx = suml2 = 0;
        for (size_t i = 0; i < n; ++i) {
            const float l = float(code_of(iscale, i));
            sumlx = fused(block_weight[i] * scales[i], l, sumlx);
            suml2 = fused(block_weight[i] * l, l, suml2);
        }
    };
    auto store_codes = [&](float iscale) {
        for (size_t i = 0; i < n; ++i) codes[i] = kNmax + code_of(iscale, i);
    };
    float iscale = float(-kNmax) / m.value;
    float sumlx, suml2;
    fit(iscale, sumlx, suml2);
    store_codes(iscale);
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -fused(0.1f, float(is), float(kNmax)) / m.value;
        fit(iscale, sumlx, suml2);
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            store_codes(iscale);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

}  // namespace

void quantize_row_iq2_ks(const float* src, uint8_t* row, int64_t n, const float* importance) {
    std::vector<float> weights(importance ? size_t(n) : 0);
    importance = sanitized_importance(src, importance, n, weights.data());
    const int64_t nblock = n / kSuperBlock;
    const size_t nscales = size_t(n / kBlock);
    std::vector<float> scales(nscales), block_weight(nscales);
    std::vector<int> codes(nscales);
    std::vector<BlockIq2Ks> blocks(size_t(nblock), BlockIq2Ks{});
    const int8_t* normal = kIq2nlValues.data();
    const int8_t* shifted = kIq2nlValues.data() + 4;
    float w[kBlock];
    // sigma2 = 1.5 * mean(x²); without an imatrix the weight is 0.25*sigma2 + x², one fma
    // (ik's loop is vectorized; x*x + floor is a vector fma there).
    auto block_weights = [&](const float* xb, int64_t at, float sigma2) {
        const float floor = 0.25f * sigma2;
        for (int j = 0; j < kBlock; ++j)
            w[j] = importance ? importance_weight(importance[at + j], sigma2, xb[j])
                              : fused(xb[j], xb[j], floor);
    };
    auto sigma2_of = [](const float* xbl) {
        return 1.5f * sum_of_squares(xbl, kSuperBlock) / float(kSuperBlock);
    };

    store_u16(row, fp32_to_fp16(0.f));
    // Pass 1: each block's best scale over d = max/22, then max/(v0 + itry/2) for itry in
    // [-13, 13] with the normal table, then the same with the shifted table.
    for (int64_t ibl = 0; ibl < nblock; ++ibl) {
        const float* xbl = src + ibl * kSuperBlock;
        const float sigma2 = sigma2_of(xbl);
        for (int ib = 0; ib < 8; ++ib) {
            const float* xb = xbl + ib * kBlock;
            const int64_t at = ibl * kSuperBlock + ib * kBlock;
            const size_t s = size_t(at / kBlock);
            block_weights(xb, at, sigma2);
            float sumw = 0;
            for (int j = 0; j < kBlock; ++j) sumw += w[j];
            block_weight[s] = sumw;
            const SignedMax m = signed_max(xb, kBlock);
            if (m.abs < 1e-14f) {
                scales[s] = 0;
                continue;
            }
            float d = m.value / float(kIq2nlValues[7]);  // the largest value, 22
            float best = 0;
            Candidate c;
            if (try_scale(d, xb, w, normal, c)) {
                best = c.score;
                d = c.d;
            }
            bool is_shifted = false;
            for (const int8_t* values : {normal, shifted}) {
                for (int itry = -13; itry <= 13; ++itry) {
                    const float guess = m.value / (float(values[0]) + 0.5f * float(itry));
                    if (try_scale(guess, xb, w, values, c) && c.score > best) {
                        best = c.score;
                        d = c.d;
                        is_shifted = values == shifted;
                    }
                }
            }
            scales[s] = d;
            if (is_shifted) set_bits(blocks[ibl].extra, 1 << ib);
        }
    }

    const float d = fit_block_scales(scales, block_weight, codes);
    if (d) {
        // Pass 2: encode each block at its 5-bit code, first trying one step toward the
        // block's own scale. ik tries a step up only from codes below 15 (block scales
        // below -1 steps), not from every code below 31; kept, as it decides the bytes.
        Lanes sumqx, sumq2;
        for (int64_t ibl = 0; ibl < nblock; ++ibl) {
            BlockIq2Ks& b = blocks[ibl];
            const float* xbl = src + ibl * kSuperBlock;
            const float sigma2 = sigma2_of(xbl);
            for (int ib = 0; ib < 8; ++ib) {
                const int8_t* values = (b.extra >> ib) & 1 ? shifted : normal;
                const float* xb = xbl + ib * kBlock;
                const int64_t at = ibl * kSuperBlock + ib * kBlock;
                const size_t s = size_t(at / kBlock);
                block_weights(xb, at, sigma2);
                int& code = codes[s];
                const float dl = d * float(code - 16);
                int idx[kBlock], other[kBlock];
                const float error = error_at_scale(dl, xb, w, values, idx);
                int step = 0;
                if (code > 0 && dl > scales[s]) step = -1;
                else if (code < 15 && dl < scales[s]) step = +1;
                if (step != 0 &&
                    error_at_scale(d * float(code + step - 16), xb, w, values, other) < error) {
                    code += step;
                    std::copy(other, other + kBlock, idx);
                }
                const float multiplier = float(code - 16);
                for (int e = 0; e < kBlock; ++e) {
                    const float q = multiplier * float(values[idx[e]]);
                    const float wq = w[e] * q;
                    sumqx.fused_add(e, wq, xb[e]);
                    sumq2.fused_add(e, wq, q);
                    set_bits(b.qs[32 * (ib / 4) + e], idx[e] << 2 * (ib % 4));
                }
                set_bits(b.scales[ib / 2], (code & 0xF) << 4 * (ib % 2));
                set_bits(b.extra, (code >> 4) << (8 + ib));
            }
        }
        const float total_qx = sumqx.sum(), total_q2 = sumq2.sum();
        store_u16(row, fp32_to_fp16(total_q2 > 0 ? total_qx / total_q2 : d));
    }
    std::memcpy(row + 2, blocks.data(), blocks.size() * sizeof(BlockIq2Ks));
}

}  // namespace sy::quants
