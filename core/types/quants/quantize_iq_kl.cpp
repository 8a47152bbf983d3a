// Quantizer of IQ2_KL: elements in pairs, each pair one of 32 points of a 2-D grid whose
// coordinates are the first 8 kIq3nlValues (kIq2klPairs); 6-bit signed block scales;
// fp16 row scale.
//
// Oracle: ik_llama.cpp iqk_quantize.cpp quantize_row_iq2_kl_impl (:1983).
//
// Finding a pair's grid point: each coordinate is rounded to its nearest 1-D value (as
// IQ3_KS does); if that (v1, v2) is one of the 32 grid points it is taken, otherwise the 8
// grid points nearest to (v1, v2) are scored by weighted squared error and the best one
// (the first on ties) wins. The candidate lists are derived here from the grid (8 nearest
// by squared Euclidean distance, ties to the lower index), which reproduces ik's
// hand-written k_neighbours lists exactly.
//
// Pass 1 searches each block's scale over 11 candidate inverse scales and both signs;
// pass 2 fixes the row scale from the largest block scale (d = -max_scale/32), tries the
// rounded integer block scale and its two neighbours, and re-encodes. The stored row scale
// is the least-squares optimum times 1.025, as ik's.
#include <algorithm>
#include <array>
#include <limits>
#include <vector>

#include "types/quants/blocks.hpp"
#include "types/quants/quantize_iq_ks.hpp"
#include "types/quants/quantize_iq_ks_support.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

using namespace iqks;

constexpr int kGridSize = 32;
constexpr int kNeighbours = 8;
constexpr float kSigmaFactor = 2.25f;  // sigma2 = 2.25 * mean(x²)

struct GridPoint {
    int first;
    int second;
};

// The grid, and for every (l1, l2) of 1-D indices (8 x 8) either its grid index or the
// candidate list to search.
class PairGrid {
public:
    PairGrid() : values_(kIq3nlValues.data()) {
        for (int i = 0; i < kGridSize; ++i) {
            const uint16_t pair = kIq2klPairs[size_t(i)];
            points_[size_t(i)] = {int8_t(pair & 0xFF), int8_t(pair >> 8)};
        }
        for (int l1 = 0; l1 < 8; ++l1) {
            for (int l2 = 0; l2 < 8; ++l2) {
                int& slot = grid_index_[size_t(8 * l1 + l2)];
                slot = -1;
                for (int i = 0; i < kGridSize; ++i) {
                    const GridPoint p = points_[size_t(i)];
                    if (p.first == values_[l1] && p.second == values_[l2]) slot = i;
                }
                if (slot < 0) fill_neighbours(l1, l2);
            }
        }
    }

    GridPoint point(int i) const { return points_[size_t(i)]; }

    // The grid point for the pair (x1, x2) at inverse scale id, weights w1, w2.
    int index(float id, float x1, float x2, float w1, float w2) const {
        const float sx1 = id * x1, sx2 = id * x2;
        const int l = 8 * lookup_.index(sx1) + lookup_.index(sx2);
        if (grid_index_[size_t(l)] >= 0) return grid_index_[size_t(l)];
        float best = std::numeric_limits<float>::max();
        int best_i = -1;
        for (const int i : neighbours_[size_t(l)]) {
            const float diff1 = float(points_[size_t(i)].first) - sx1;
            const float diff2 = float(points_[size_t(i)].second) - sx2;
            // w1*d1*d1 + w2*d2*d2, fused as in PairLeastSquares below.
            const float score = fused(w1 * diff1, diff1, w2 * diff2 * diff2);
            if (score < best) {
                best = score;
                best_i = i;
            }
        }
        // No candidate scores below FLT_MAX only for non-finite input (ik asserts there);
        // fall back to the nearest grid point.
        return best_i >= 0 ? best_i : neighbours_[size_t(l)][0];
    }

private:
    void fill_neighbours(int l1, int l2) {
        std::array<int, kGridSize> order{};
        for (int i = 0; i < kGridSize; ++i) order[size_t(i)] = i;
        auto distance = [&](int i) {
            const int d1 = points_[size_t(i)].first - values_[l1];
            const int d2 = points_[size_t(i)].second - values_[l2];
            return d1 * d1 + d2 * d2;
        };
        // Nearest first, the lower grid index on equal distance.
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return distance(a) != distance(b) ? distance(a) < distance(b) : a < b;
        });
        std::copy_n(order.begin(), kNeighbours, neighbours_[size_t(8 * l1 + l2)].begin());
    }

    const int8_t* values_;
    NearestValueLookup<8> lookup_{kIq3nlValues.data()};
    std::array<GridPoint, kGridSize> points_{};
    std::array<int, 64> grid_index_{};
    std::array<std::array<int, kNeighbours>, 64> neighbours_{};
};

const PairGrid& pair_grid() {
    static const PairGrid grid;
    return grid;
}

// Error weights of one 32-block: importance * sqrt(sigma2 + x²), or |x| without an imatrix.
void block_weights(const float* x, const float* importance, float sigma2, float* w) {
    for (int j = 0; j < kBlock; ++j)
        w[j] = importance ? importance_weight(importance[j], sigma2, x[j]) : std::abs(x[j]);
}

// The oracle sums a pair as one expression, sumqx += w1*q1*x1 + w2*q2*x2, which its
// compiler fuses as fma(w1*q1, x1, w2*q2*x2) (likewise for sumq2).
struct PairLeastSquares {
    float sumqx = 0;
    float sumq2 = 0;
    void add(float w1, float q1, float x1, float w2, float q2, float x2) {
        const float wq1 = w1 * q1, wq2 = w2 * q2;
        sumqx += fused(wq1, x1, wq2 * x2);
        sumq2 += fused(wq1, q1, wq2 * q2);
    }
    bool beats(float best) const { return sumq2 > 0 && sumqx * sumqx > best * sumq2; }
};

void both_signs(const float* xb, const float* w, float id, PairLeastSquares& plus,
                PairLeastSquares& minus) {
    const PairGrid& grid = pair_grid();
    plus = minus = PairLeastSquares{};
    for (int j = 0; j < kBlock; j += 2) {
        GridPoint p = grid.point(grid.index(id, xb[j], xb[j + 1], w[j], w[j + 1]));
        plus.add(w[j], float(p.first), xb[j], w[j + 1], float(p.second), xb[j + 1]);
        p = grid.point(grid.index(-id, xb[j], xb[j + 1], w[j], w[j + 1]));
        minus.add(w[j], float(p.first), xb[j], w[j + 1], float(p.second), xb[j + 1]);
    }
}

// Pass 1 for one block: first guess d = -max/values[0] (its "plus" least-squares scale taken
// unconditionally), then (itry + values[0]) / max for itry in [-5, 5], plus before minus.
float search_block_scale(const float* xb, const float* w, float max) {
    constexpr int kNtry = 5;
    const float v0 = float(kIq3nlValues[0]);
    PairLeastSquares plus, minus;
    float d = -max / v0;
    both_signs(xb, w, 1 / d, plus, minus);
    d = plus.sumqx / plus.sumq2;
    float best = d * plus.sumqx;
    auto take_if_better = [&](const PairLeastSquares& s) {
        if (!s.beats(best)) return;
        d = s.sumqx / s.sumq2;
        best = d * s.sumqx;
    };
    take_if_better(minus);
    for (int itry = -kNtry; itry <= kNtry; ++itry) {
        both_signs(xb, w, float(itry + kIq3nlValues[0]) / max, plus, minus);
        take_if_better(plus);
        take_if_better(minus);
    }
    return d;
}

// Weighted squared error of a block encoded at scale dl (pass 2's choice between ls-1,
// ls, ls+1).
float block_error(const float* xb, const float* w, float dl) {
    const PairGrid& grid = pair_grid();
    const float idl = dl ? 1 / dl : 0.f;
    float score = 0;
    for (int j = 0; j < kBlock; j += 2) {
        const GridPoint p = grid.point(grid.index(idl, xb[j], xb[j + 1], w[j], w[j + 1]));
        const float diff1 = fused(dl, float(p.first), -xb[j]);
        const float diff2 = fused(dl, float(p.second), -xb[j + 1]);
        score += fused(w[j] * diff1, diff1, w[j + 1] * diff2 * diff2);
    }
    return score;
}

}  // namespace

void quantize_row_iq2_kl(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const PairGrid& grid = pair_grid();
    std::vector<float> weights(importance ? size_t(n) : 0), scales(size_t(n / kBlock));
    importance = sanitized_importance(src, importance, n, weights.data());
    std::vector<BlockIq2Kl> blocks(size_t(n / kSuperBlock), BlockIq2Kl{});
    const int64_t nblock = n / kSuperBlock;
    float w[kBlock];
    auto sigma2_of = [](const float* xbl) {
        return sum_of_squares(xbl, kSuperBlock) * (kSigmaFactor / float(kSuperBlock));
    };

    float max_scale = 0, max_abs_scale = 0;
    for (int64_t ibl = 0; ibl < nblock; ++ibl) {
        const float* xbl = src + ibl * kSuperBlock;
        const float sigma2 = sigma2_of(xbl);
        for (int ib = 0; ib < 8; ++ib) {
            const float* xb = xbl + ib * kBlock;
            const int64_t at = ibl * kSuperBlock + ib * kBlock;
            block_weights(xb, importance ? importance + at : nullptr, sigma2, w);
            const SignedMax m = signed_max(xb, kBlock);
            float& scale = scales[size_t(at / kBlock)];
            scale = m.abs < 1e-16f ? 0.f : search_block_scale(xb, w, m.value);
            if (std::abs(scale) > max_abs_scale) {
                max_abs_scale = std::abs(scale);
                max_scale = scale;
            }
        }
    }

    float d = 0;
    if (max_abs_scale) {
        d = -max_scale / 32;
        const float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        for (int64_t ibl = 0; ibl < nblock; ++ibl) {
            BlockIq2Kl& b = blocks[ibl];
            const float* xbl = src + ibl * kSuperBlock;
            const float sigma2 = sigma2_of(xbl);
            for (int ib = 0; ib < 8; ++ib) {
                const float* xb = xbl + ib * kBlock;
                const int64_t at = ibl * kSuperBlock + ib * kBlock;
                block_weights(xb, importance ? importance + at : nullptr, sigma2, w);
                // The rounded scale and its neighbours; the first with the least error wins.
                const float scale = scales[size_t(at / kBlock)];
                const int rounded = std::clamp(nearest_int_of_product(id, scale), -32, 31);
                int ls = rounded;
                float best_score = std::numeric_limits<float>::max();
                const int last = std::min(31, rounded + 1);
                for (int candidate = std::max(-32, rounded - 1); candidate <= last; ++candidate) {
                    const float score = block_error(xb, w, d * float(candidate));
                    if (score < best_score) {
                        best_score = score;
                        ls = candidate;
                    }
                }
                const int stored = ls + 32;
                set_bits(b.scales_l[ib % 4], (stored & 0xF) << 4 * (ib / 4));
                set_bits(b.scales_h, (stored >> 4) << 2 * ib);
                if (ls == 0) continue;
                const float dl = d * float(ls);
                const float idl = 1 / dl;
                for (int j = 0; j < kBlock / 2; ++j) {
                    const float* xp = xb + 2 * j;
                    const int idx = grid.index(idl, xp[0], xp[1], w[2 * j], w[2 * j + 1]);
                    set_bits(b.qs[16 * (ib / 2) + j], (idx & 0xF) << 4 * (ib % 2));
                    set_bits(b.qh[j], (idx >> 4) << ib);
                    const GridPoint p = grid.point(idx);
                    const float q1 = float(ls * p.first), q2 = float(ls * p.second);
                    const float wq1 = w[2 * j] * q1, wq2 = w[2 * j + 1] * q2;
                    sumqx += fused(wq1, xb[2 * j], wq2 * xb[2 * j + 1]);
                    sumq2 += fused(wq1, q1, wq2 * q2);
                }
            }
        }
        if (sumq2 > 0) d = sumqx / sumq2;
        d *= 1.025f;
    }
    store_u16(row, fp32_to_fp16(d));
    std::memcpy(row + 2, blocks.data(), blocks.size() * sizeof(BlockIq2Kl));
}

}  // namespace sy::quants
