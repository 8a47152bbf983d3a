// Quantizers of the trellis ("KT") types (FORMATS.md §3.7, §4): IQ1_KT, IQ2_KT, IQ3_KT,
// IQ4_KT. Every row of every golden tensor is byte-identical to the oracle's files.
//
// Reproduces ik_llama.cpp's quantize_row_iq{1,2,3,4}_kt_impl (iqk_quantize.cpp:9250, 9521,
// 9808, 10102; snapshot 8337e4cd) and their QuantizerIQKT codebook search (:8606-9240).
// IQ1_KT, as the example (IQ2_KT: 2^16 groups, 8 neighbours, one scale_0 try, no 1.07;
// IQ3_KT: |generator| values split at the median, 7 scale tries, 4-bit unsigned block
// scales; IQ4_KT: groups of 4, 625 clusters of 5 bins per dimension, a second codebook at
// offset 4096 + 32768 selected per block, 7-bit block scales):
//
// - The codebook is the 2^13 groups of 8 generator values (offset 4096).
// - It is split into 256 clusters by the sign pattern of each group against the per-dimension
//   midpoint of the value range; a cluster's centre is the mean of its groups. Every group is
//   then listed under its 32 nearest cluster centres, and each list is padded to a multiple
//   of 8 with the nearest groups not yet in it.
// - A group of 8 inputs x with scale d is matched by taking its sign-pattern cluster (of x/d)
//   and the list entry minimising sum w (q - x/d)^2, with the oracle's AVX2 summation order
//   and tie-breaking (8 interleaved lanes; lowest lane wins ties).
// - Per block of 32: scale_0 = max(90, 124 amax/amax_row); both signs of amax/scale_0 and of
//   amax/(scale_0 - 8) are tried, keeping the best least-squares fit. The row scale is then
//   searched over +-9 steps of iq4k_values[0]/max_scale, the blocks re-matched once with
//   their quantized scales, and the row float set to 1.07 times the weighted LS optimum.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "types/quants/dequantize.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kSuperBlock = 256;
constexpr int kBlock = 32;
constexpr int kGroup = 8;
constexpr int kGroupsPerBlock = kBlock / kGroup;
constexpr int kBlocksPerSuper = kSuperBlock / kBlock;

// Sum of 8 lane terms in the order of the oracle's hsum_float_8x8 (one lane of its result).
inline float sum8_lanes(const float* t) {
    return ((t[0] + t[4]) + (t[2] + t[6])) + ((t[1] + t[5]) + (t[3] + t[7]));
}

// Sum of the 8 accumulator lanes the way hsum_float_8 reduces them.
inline float hsum8(const float* a) {
    const float c0 = a[0] + a[4], c1 = a[1] + a[5], c2 = a[2] + a[6], c3 = a[3] + a[7];
    return (c0 + c2) + (c1 + c3);
}

// The generator codebook of groups of 8, clustered for the nearest-neighbour search.
class TrellisCodebook8 {
public:
    // magnitudes: IQ3_KT's codebook of |generator| values, split at the per-dimension median.
    TrellisCodebook8(int num_bits, int num_neighbours, bool magnitudes = false)
        : num_values_(1 << num_bits), magnitudes_(magnitudes) {
        values_.resize(size_t(num_values_) * kGroup);
        int v[kGroup];
        for (int i = 0; i < num_values_; ++i) {
            trellis_values(uint32_t(i), 4096u, kGroup, v);
            for (int k = 0; k < kGroup; ++k)
                values_[size_t(i) * kGroup + k] = float(magnitudes ? std::abs(v[k]) : v[k]);
        }
        build_clusters();
        assign_neighbours(num_neighbours);
    }

    const float* group(int index) const { return values_.data() + size_t(index) * kGroup; }

    // Index of the codebook group nearest (weighted) to x/d; all zeros when d == 0.
    void best_match(float d, const float* x, const float* w, int* best) const {
        if (d == 0.f) {
            std::fill(best, best + kGroupsPerBlock, 0);
            return;
        }
        const float id = 1.f / d;
        for (int l = 0; l < kGroupsPerBlock; ++l) {
            const float* xl = x + kGroup * l;
            const float* wl = w + kGroup * l;
            float sx[kGroup];
            for (int k = 0; k < kGroup; ++k) sx[k] = id * xl[k];
            int cluster = 0;
            for (int k = 0; k < kGroup; ++k)
                if (sx[k] > mid_[k]) cluster |= 1 << k;
            const std::vector<int>& members = members_[size_t(cluster)];
            const float* cand = member_values_[size_t(cluster)].data();
            const int count = int(members.size());
            // Per lane (candidate position mod 8): strict minimum, first occurrence.
            float lane_best[8];
            int lane_index[8];
            for (int i = 0; i < 8; ++i) {
                lane_best[i] = std::numeric_limits<float>::infinity();
                lane_index[i] = -1;
            }
            for (int j = 0; j < count; ++j) {
                const float* q = cand + size_t(j) * kGroup;
                float t[kGroup];
                for (int k = 0; k < kGroup; ++k) {
                    const float diff = q[k] - sx[k];
                    t[k] = wl[k] * (diff * diff);
                }
                const float score = sum8_lanes(t);
                const int lane = j & 7;
                if (score < lane_best[lane]) {
                    lane_best[lane] = score;
                    lane_index[lane] = j;
                }
            }
            float overall = std::numeric_limits<float>::infinity();
            int chosen = 0;
            for (int i = 0; i < 8; ++i) {
                if (lane_best[i] < overall) {
                    overall = lane_best[i];
                    chosen = lane_index[i];
                }
            }
            best[l] = members[size_t(chosen)];
        }
    }

    // Weighted LS scale of the block onto the chosen groups: {sumqx/sumq2, sumqx^2/sumq2}.
    std::pair<float, float> best_scale(const float* x, const float* w, const int* idx) const {
        float acc_qx[8] = {}, acc_q2[8] = {};
        for (int l = 0; l < kGroupsPerBlock; ++l) {
            const float* q = group(idx[l]);
            for (int k = 0; k < 8; ++k) {
                const float qw = q[k] * w[8 * l + k];
                acc_qx[k] = mul_add(qw, x[8 * l + k], acc_qx[k]);
                acc_q2[k] = mul_add(qw, q[k], acc_q2[k]);
            }
        }
        const float sumqx = hsum8(acc_qx), sumq2 = hsum8(acc_q2);
        if (sumq2 > 0) return {sumqx / sumq2, sumqx * sumqx / sumq2};
        return {0.f, 0.f};
    }

private:
    void build_clusters() {
        for (int k = 0; k < kGroup; ++k) {
            float lo = std::numeric_limits<float>::infinity();
            float hi = -std::numeric_limits<float>::infinity();
            for (int i = 0; i < num_values_; ++i) {
                lo = std::min(lo, values_[size_t(i) * kGroup + k]);
                hi = std::max(hi, values_[size_t(i) * kGroup + k]);
            }
            mid_[k] = 0.5f * (lo + hi);
            if (magnitudes_) {  // the median (the codebook size is even)
                std::vector<int> column(static_cast<size_t>(num_values_));
                for (int i = 0; i < num_values_; ++i)
                    column[size_t(i)] = int(values_[size_t(i) * kGroup + k]);
                std::sort(column.begin(), column.end());
                const size_t half = size_t(num_values_ / 2);
                mid_[k] = 0.5f * float(column[half] + column[half - 1]);
            }
        }
        std::vector<float> sums(256 * kGroup, 0.f);
        std::vector<int> counts(256, 0);
        for (int i = 0; i < num_values_; ++i) {
            const float* v = group(i);
            int u = 0;
            for (int k = 0; k < kGroup; ++k)
                if (v[k] > mid_[k]) u |= 1 << k;
            ++counts[size_t(u)];
            for (int k = 0; k < kGroup; ++k) sums[size_t(u) * kGroup + k] += v[k];
        }
        centres_.assign(256 * kGroup, 0.f);
        for (int c = 0; c < 256; ++c) {
            if (counts[size_t(c)] == 0) continue;  // does not happen for the 13/16-bit codebooks
            for (int k = 0; k < kGroup; ++k)
                centres_[size_t(c) * kGroup + k] =
                    sums[size_t(c) * kGroup + k] / float(counts[size_t(c)]);
        }
    }

    float distance2(const float* v, int cluster) const {
        const float* c = centres_.data() + size_t(cluster) * kGroup;
        float d2 = 0;
        for (int k = 0; k < kGroup; ++k) {
            const float d = v[k] - c[k];
            d2 += d * d;
        }
        return d2;
    }

    void assign_neighbours(int num_neighbours) {
        const int ncluster = 256;
        members_.assign(size_t(ncluster), {});
        std::vector<int> nearest(size_t(num_values_) * size_t(num_neighbours));
        std::vector<float> best(static_cast<size_t>(num_neighbours));
        std::vector<int> ibest(static_cast<size_t>(num_neighbours));
        for (int ip = 0; ip < num_values_; ++ip) {
            const float* v = group(ip);
            std::fill(best.begin(), best.end(), std::numeric_limits<float>::infinity());
            std::fill(ibest.begin(), ibest.end(), -1);
            for (int ic = 0; ic < ncluster; ++ic) {
                const float d2 = distance2(v, ic);
                for (int j = 0; j < num_neighbours; ++j) {
                    if (d2 < best[size_t(j)]) {
                        for (int m = num_neighbours - 1; m > j; --m) {
                            best[size_t(m)] = best[size_t(m - 1)];
                            ibest[size_t(m)] = ibest[size_t(m - 1)];
                        }
                        best[size_t(j)] = d2;
                        ibest[size_t(j)] = ic;
                        break;
                    }
                }
            }
            for (int j = 0; j < num_neighbours; ++j) {
                members_[size_t(ibest[size_t(j)])].push_back(ip);
                nearest[size_t(ip) * size_t(num_neighbours) + size_t(j)] = ibest[size_t(j)];
            }
        }
        std::vector<std::pair<float, int>> extra;
        for (int ic = 0; ic < ncluster; ++ic) {
            std::vector<int>& list = members_[size_t(ic)];
            if (!list.empty() && list.size() % 8 == 0) continue;
            extra.clear();
            for (int ip = 0; ip < num_values_; ++ip) {
                const int* near = nearest.data() + size_t(ip) * size_t(num_neighbours);
                if (std::find(near, near + num_neighbours, ic) != near + num_neighbours) continue;
                extra.emplace_back(distance2(group(ip), ic), ip);
            }
            const size_t padded = 8 * ((list.size() + 7) / 8);
            const size_t add = std::min((padded == 0 ? 8 : padded) - list.size(), extra.size());
            // (distance, index) pairs are all distinct: the first `add` equal a full sort's.
            std::partial_sort(extra.begin(), extra.begin() + std::ptrdiff_t(add), extra.end());
            for (size_t i = 0; i < add; ++i) list.push_back(extra[i].second);
        }
        member_values_.resize(size_t(ncluster));
        for (int ic = 0; ic < ncluster; ++ic) {
            const std::vector<int>& list = members_[size_t(ic)];
            member_values_[size_t(ic)].resize(list.size() * kGroup);
            for (size_t i = 0; i < list.size(); ++i)
                std::memcpy(member_values_[size_t(ic)].data() + i * kGroup, group(list[i]),
                            kGroup * sizeof(float));
        }
    }

    int num_values_;
    bool magnitudes_;
    std::vector<float> values_;
    float mid_[kGroup] = {};
    std::vector<float> centres_;
    std::vector<std::vector<int>> members_;
    std::vector<std::vector<float>> member_values_;
};

const TrellisCodebook8& iq1kt_codebook() {
    static const TrellisCodebook8 codebook(13, 32);
    return codebook;
}

// Error weights of the KT quantizers (set_weights, sigma2 scale 2).
void kt_weights(const float* x, const float* importance, int64_t n, float* w) {
    constexpr float kEps2 = 1e-14f;
    constexpr float kTinyWeight = 1e-4f;
    for (int64_t ibl = 0; ibl < n / kSuperBlock; ++ibl) {
        const float* xbl = x + ibl * kSuperBlock;
        float* wbl = w + ibl * kSuperBlock;
        const float sumx2 = sum_of_squares(xbl, kSuperBlock);
        if (sumx2 < kEps2 * kSuperBlock) {
            std::fill(wbl, wbl + kSuperBlock, kTinyWeight);
            continue;
        }
        const float sigma2 = 2.0f * sumx2 / kSuperBlock;
        if (importance) {
            for (int ib = 0; ib < kBlocksPerSuper; ++ib) {
                const float* qw = importance + ibl * kSuperBlock + ib * kBlock;
                const float* xb = xbl + ib * kBlock;
                float* wb = wbl + ib * kBlock;
                float sumwx = 0, sumw2 = 0, bx2 = 0;
                for (int j = 0; j < kBlock; ++j) {
                    wb[j] = qw[j] * std::sqrt(mul_add(xb[j], xb[j], sigma2));
                    sumwx = mul_add(wb[j], std::abs(xb[j]), sumwx);
                    sumw2 = mul_add(wb[j], wb[j], sumw2);
                    bx2 = mul_add(xb[j], xb[j], bx2);
                }
                if (bx2 < kEps2 || sumw2 < kEps2 || sumwx < kEps2)
                    std::fill(wb, wb + kBlock, kTinyWeight);
            }
        } else {
            for (int j = 0; j < kSuperBlock; ++j) wbl[j] = mul_add(xbl[j], xbl[j], 0.25f * sigma2);
        }
    }
}

// What the KT row quantizer decides, before the type packs it.
struct KtRowResult {
    float d = 0;               // row float to store
    std::vector<int> levels;   // per block of 32: index into kIq4kValues
    std::vector<int> indices;  // per group of 8: codebook index
};

// The row search shared by IQ1_KT and IQ2_KT (their oracle functions differ only in the
// second scale_0 try, the codebook, the packing and IQ1_KT's final factor 1.07).
KtRowResult quantize_kt8_row(const TrellisCodebook8& cb, const float* src, int64_t n,
                             const float* importance, bool second_try, float final_factor) {
    const int64_t nb32 = n / kBlock;
    KtRowResult r;
    r.levels.assign(static_cast<size_t>(nb32), 0);
    r.indices.assign(static_cast<size_t>(n / kGroup), 0);
    std::vector<float> weights(static_cast<size_t>(n));
    std::vector<float> scales(static_cast<size_t>(nb32));
    std::vector<int>& all_idx = r.indices;
    kt_weights(src, importance, n, weights.data());

    float amax_row = 0;
    for (int64_t j = 0; j < n; ++j) amax_row = std::max(amax_row, std::abs(src[j]));

    float amax_scale = 0, max_scale = 0;
    int best_idx[2 * kGroupsPerBlock];
    for (int64_t b = 0; b < nb32; ++b) {
        const float* xb = src + b * kBlock;
        const float* wb = weights.data() + b * kBlock;
        int* idx_out = all_idx.data() + b * kGroupsPerBlock;
        float amax = 0;
        for (int j = 0; j < kBlock; ++j) amax = std::max(amax, std::abs(xb[j]));
        if (amax < 1e-16f) {
            scales[size_t(b)] = 0.f;
            std::fill(idx_out, idx_out + kGroupsPerBlock, 0);
            continue;
        }
        float scale_0 = std::max(90.f, 124.f * amax / amax_row);
        cb.best_match(amax / scale_0, xb, wb, best_idx);
        auto [dp, score_p] = cb.best_scale(xb, wb, best_idx);
        cb.best_match(-amax / scale_0, xb, wb, best_idx + kGroupsPerBlock);
        auto [dm, score_m] = cb.best_scale(xb, wb, best_idx + kGroupsPerBlock);
        const int* idx = best_idx;
        if (score_p > score_m) {
            scales[size_t(b)] = dp;
        } else {
            scales[size_t(b)] = dm;
            idx += kGroupsPerBlock;
            score_p = score_m;
        }
        std::copy(idx, idx + kGroupsPerBlock, idx_out);

        if (second_try) {
            scale_0 -= 8;
            cb.best_match(amax / scale_0, xb, wb, best_idx);
            auto [dp1, score_p1] = cb.best_scale(xb, wb, best_idx);
            cb.best_match(-amax / scale_0, xb, wb, best_idx + kGroupsPerBlock);
            auto [dm1, score_m1] = cb.best_scale(xb, wb, best_idx + kGroupsPerBlock);
            if (score_p1 > score_p || score_m1 > score_p) {
                idx = best_idx;
                if (score_p1 > score_m1) {
                    scales[size_t(b)] = dp1;
                } else {
                    scales[size_t(b)] = dm1;
                    idx += kGroupsPerBlock;
                }
                std::copy(idx, idx + kGroupsPerBlock, idx_out);
            }
        }
        const float abs_scale = std::abs(scales[size_t(b)]);
        if (abs_scale > amax_scale) {
            amax_scale = abs_scale;
            max_scale = scales[size_t(b)];
        }
    }

    if (max_scale == 0.f) {  // all blocks zero: d = 0 and everything else zero
        std::fill(all_idx.begin(), all_idx.end(), 0);
        return r;
    }

    const int8_t* table = kIq4kValues.data();
    const NearestValueIndex& nearest = iq4nl_nearest();
    float d = max_scale / float(table[0]);
    float best = 0;
    for (int itry = -9; itry <= 9; ++itry) {
        const float id = float(itry + table[0]) / max_scale;
        float sumqx = 0, sumq2 = 0;
        for (int64_t b = 0; b < nb32; ++b) {
            const float* xb = src + b * kBlock;
            const float* wb = weights.data() + b * kBlock;
            const float dl = float(table[nearest(table, id * scales[size_t(b)])]);
            for (int g = 0; g < kGroupsPerBlock; ++g) {
                const float* qg = cb.group(all_idx[size_t(b * kGroupsPerBlock + g)]);
                for (int k = 0; k < kGroup; ++k) {
                    const int jj = g * kGroup + k;
                    const float q = dl * qg[k];
                    sumqx = mul_add(wb[jj] * xb[jj], q, sumqx);
                    sumq2 = mul_add(wb[jj] * q, q, sumq2);
                }
            }
        }
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }

    const float id = d != 0.f ? 1.f / d : 0.f;
    for (int64_t b = 0; b < nb32; ++b) r.levels[size_t(b)] = nearest(table, id * scales[size_t(b)]);
    r.d = d;
    if (d == 0.f) return r;

    // One re-match pass with the quantized block scales, then the LS refit of the row float.
    float sumqx = 0, sumq2 = 0;
    for (int64_t b = 0; b < nb32; ++b) {
        const float* xb = src + b * kBlock;
        const float* wb = weights.data() + b * kBlock;
        const float ls = float(table[r.levels[size_t(b)]]);
        const float dl = d * ls;
        cb.best_match(dl, xb, wb, best_idx);
        int* prev = all_idx.data() + b * kGroupsPerBlock;
        float mse1 = 0, mse2 = 0;
        for (int g = 0; g < kGroupsPerBlock; ++g) {
            const float* q1 = cb.group(prev[g]);
            const float* q2 = cb.group(best_idx[g]);
            for (int k = 0; k < kGroup; ++k) {
                const int jj = g * kGroup + k;
                const float diff1 = xb[jj] - dl * q1[k];
                const float diff2 = xb[jj] - dl * q2[k];
                mse1 = mul_add(wb[jj] * diff1, diff1, mse1);
                mse2 = mul_add(wb[jj] * diff2, diff2, mse2);
            }
        }
        if (mse1 < mse2)
            std::copy(prev, prev + kGroupsPerBlock, best_idx);
        else
            std::copy(best_idx, best_idx + kGroupsPerBlock, prev);
        for (int g = 0; g < kGroupsPerBlock; ++g) {
            const float* xl = xb + kGroup * g;
            const float* wl = wb + kGroup * g;
            const float* qg = cb.group(best_idx[g]);
            for (int k = 0; k < kGroup; ++k) {
                const float q = qg[k] * ls;
                sumqx = mul_add(wl[k] * xl[k], q, sumqx);
                sumq2 = mul_add(wl[k] * q, q, sumq2);
            }
        }
    }
    if (sumq2 > 0) r.d = sumqx / sumq2 * final_factor;
    return r;
}

const TrellisCodebook8& iq2kt_codebook() {
    static const TrellisCodebook8 codebook(16, 8);
    return codebook;
}

const TrellisCodebook8& iq3kt_codebook() {
    static const TrellisCodebook8 codebook(16, 8, true);
    return codebook;
}

// IQ4_KT's codebook: 2^15 groups of 4 generator values from `offset`, in 625 clusters (5
// bins per dimension), every group listed under its 6 nearest cluster centres.
class TrellisCodebook4 {
public:
    static constexpr int kG = 4;
    static constexpr int kNg = kBlock / kG;
    static constexpr int kNumValues = 1 << 15;
    static constexpr int kClusters = 625;

    explicit TrellisCodebook4(uint32_t offset) {
        values_.resize(size_t(kNumValues) * kG);
        int v[kG];
        for (int i = 0; i < kNumValues; ++i) {
            trellis_values(uint32_t(i), offset, kG, v);
            for (int k = 0; k < kG; ++k) values_[size_t(i) * kG + k] = float(v[k]);
        }
        std::vector<float> sums(size_t(kClusters) * kG, 0.f);
        std::vector<int> counts(kClusters, 0);
        for (int i = 0; i < kNumValues; ++i) {
            const int u = cluster_of(group(i));
            ++counts[size_t(u)];
            for (int k = 0; k < kG; ++k) sums[size_t(u) * kG + k] += group(i)[k];
        }
        centres_.assign(size_t(kClusters) * kG, 0.f);
        for (int c = 0; c < kClusters; ++c)
            if (counts[size_t(c)] > 0)
                for (int k = 0; k < kG; ++k)
                    centres_[size_t(c) * kG + k] =
                        sums[size_t(c) * kG + k] / float(counts[size_t(c)]);
        assign_neighbours(6);
    }

    const float* group(int index) const { return values_.data() + size_t(index) * kG; }

    void best_match(float d, const float* x, const float* w, int* best) const {
        if (d == 0.f) {
            std::fill(best, best + kNg, 0);
            return;
        }
        const float id = 1.f / d;
        for (int l = 0; l < kNg; ++l) {
            const float* xl = x + kG * l;
            const float* wl = w + kG * l;
            float sx[kG];
            for (int k = 0; k < kG; ++k) sx[k] = id * xl[k];
            const int cluster = cluster_of(sx);
            const std::vector<int>& members = members_[size_t(cluster)];
            const float* cand = member_values_[size_t(cluster)].data();
            float lane_best[8];
            int lane_index[8];
            for (int i = 0; i < 8; ++i) {
                lane_best[i] = std::numeric_limits<float>::infinity();
                lane_index[i] = -1;
            }
            for (int j = 0; j < int(members.size()); ++j) {
                const float* q = cand + size_t(j) * kG;
                float t[kG];
                for (int k = 0; k < kG; ++k) {
                    const float diff = q[k] - sx[k];
                    t[k] = wl[k] * (diff * diff);
                }
                const float score = (t[0] + t[2]) + (t[1] + t[3]);
                const int m = j & 7;  // lanes hold candidates 0,2,4,6,1,3,5,7 of each 8
                const int lane = (m & 1) ? 4 + m / 2 : m / 2;
                if (score < lane_best[lane]) {
                    lane_best[lane] = score;
                    lane_index[lane] = j;
                }
            }
            float overall = std::numeric_limits<float>::infinity();
            int chosen = 0;
            for (int i = 0; i < 8; ++i) {
                if (lane_best[i] < overall) {
                    overall = lane_best[i];
                    chosen = lane_index[i];
                }
            }
            best[l] = members[size_t(chosen)];
        }
    }

    std::pair<float, float> best_scale(const float* x, const float* w, const int* idx) const {
        float acc_qx[8] = {}, acc_q2[8] = {};
        for (int p = 0; p < kBlock; ++p) {
            const float q = group(idx[p / kG])[p % kG];
            const float qw = q * w[p];
            acc_qx[p % 8] = mul_add(qw, x[p], acc_qx[p % 8]);
            acc_q2[p % 8] = mul_add(qw, q, acc_q2[p % 8]);
        }
        const float sumqx = hsum8(acc_qx), sumq2 = hsum8(acc_q2);
        if (sumq2 > 0) return {sumqx / sumq2, sumqx * sumqx / sumq2};
        return {0.f, 0.f};
    }

private:
    static int bin5(float x) {
        return x < -48.f ? 0 : x < -16.f ? 1 : x < 16.f ? 2 : x < 48.f ? 3 : 4;
    }
    static int cluster_of(const float* v) {
        int u = 0, s = 1;
        for (int k = 0; k < kG; ++k) {
            u += s * bin5(v[k]);
            s *= 5;
        }
        return u;
    }
    float distance2(const float* v, int c) const {
        float d2 = 0;
        for (int k = 0; k < kG; ++k) {
            const float d = v[k] - centres_[size_t(c) * kG + k];
            d2 += d * d;
        }
        return d2;
    }
    void assign_neighbours(int nn) {
        members_.assign(kClusters, {});
        std::vector<int> nearest(size_t(kNumValues) * size_t(nn));
        std::vector<float> best(static_cast<size_t>(nn));
        std::vector<int> ibest(static_cast<size_t>(nn));
        for (int ip = 0; ip < kNumValues; ++ip) {
            std::fill(best.begin(), best.end(), std::numeric_limits<float>::infinity());
            std::fill(ibest.begin(), ibest.end(), -1);
            for (int ic = 0; ic < kClusters; ++ic) {
                const float d2 = distance2(group(ip), ic);
                for (int j = 0; j < nn; ++j) {
                    if (d2 < best[size_t(j)]) {
                        for (int m = nn - 1; m > j; --m) {
                            best[size_t(m)] = best[size_t(m - 1)];
                            ibest[size_t(m)] = ibest[size_t(m - 1)];
                        }
                        best[size_t(j)] = d2;
                        ibest[size_t(j)] = ic;
                        break;
                    }
                }
            }
            for (int j = 0; j < nn; ++j) {
                members_[size_t(ibest[size_t(j)])].push_back(ip);
                nearest[size_t(ip) * size_t(nn) + size_t(j)] = ibest[size_t(j)];
            }
        }
        std::vector<std::pair<float, int>> extra;
        for (int ic = 0; ic < kClusters; ++ic) {
            std::vector<int>& list = members_[size_t(ic)];
            if (!list.empty() && list.size() % 8 == 0) continue;
            extra.clear();
            for (int ip = 0; ip < kNumValues; ++ip) {
                const int* near = nearest.data() + size_t(ip) * size_t(nn);
                if (std::find(near, near + nn, ic) != near + nn) continue;
                extra.emplace_back(distance2(group(ip), ic), ip);
            }
            const size_t padded = 8 * ((list.size() + 7) / 8);
            const size_t add = std::min((padded == 0 ? 8 : padded) - list.size(), extra.size());
            // (distance, index) pairs are all distinct: the first `add` equal a full sort's.
            std::partial_sort(extra.begin(), extra.begin() + std::ptrdiff_t(add), extra.end());
            for (size_t i = 0; i < add; ++i) list.push_back(extra[i].second);
        }
        member_values_.resize(kClusters);
        for (int ic = 0; ic < kClusters; ++ic) {
            const std::vector<int>& list = members_[size_t(ic)];
            member_values_[size_t(ic)].resize(list.size() * kG);
            for (size_t i = 0; i < list.size(); ++i)
                std::memcpy(member_values_[size_t(ic)].data() + i * kG, group(list[i]),
                            kG * sizeof(float));
        }
    }

    std::vector<float> values_;
    std::vector<float> centres_;
    std::vector<std::vector<int>> members_;
    std::vector<std::vector<float>> member_values_;
};

const TrellisCodebook4& iq4kt_codebook(bool flagged) {
    static const TrellisCodebook4 plain(4096u);
    static const TrellisCodebook4 shifted(4096u + 32768u);
    return flagged ? shifted : plain;
}

}  // namespace

// IQ1_KT block (56 bytes): sh[8] (lo: scale level, hi: bit 12 of the block's 4 indices),
// ql[32] (index bits 0-7), qh[16] (index bits 8-11: group g in nibble g/16 of qh[g%16]).
void quantize_row_iq1_kt(const float* src, uint8_t* row, int64_t n, const float* importance) {
    constexpr size_t kBlockBytes = 56;
    const KtRowResult r = quantize_kt8_row(iq1kt_codebook(), src, n, importance, true, 1.07f);
    store_le(row, r.d);
    uint8_t* blocks = row + 4;
    std::memset(blocks, 0, size_t(n / kSuperBlock) * kBlockBytes);
    if (r.d == 0.f) {
        // The oracle stops before packing only when every block is zero (levels stay 0);
        // otherwise d == 0 leaves the levels written and the indices unpacked.
        for (int64_t b = 0; b < n / kBlock; ++b)
            blocks[size_t(b / kBlocksPerSuper) * kBlockBytes + size_t(b % kBlocksPerSuper)] =
                uint8_t(r.levels[size_t(b)]);
        return;
    }
    for (int64_t b = 0; b < n / kBlock; ++b) {
        uint8_t* y = blocks + size_t(b / kBlocksPerSuper) * kBlockBytes;
        const int ib = int(b % kBlocksPerSuper);
        y[ib] = uint8_t(y[ib] | r.levels[size_t(b)]);
        for (int g = 0; g < kGroupsPerBlock; ++g) {
            const int index = r.indices[size_t(b * kGroupsPerBlock + g)];
            y[8 + ib * kGroupsPerBlock + g] = uint8_t(index & 0xFF);
            y[40 + (ib % 4) * kGroupsPerBlock + g] |= uint8_t(((index >> 8) & 0xF) << (4 * (ib / 4)));
            y[ib] = uint8_t(y[ib] | ((index >> 12) << (4 + g)));
        }
    }
}

// IQ2_KT block (68 bytes): scales[4] (block b's level in nibble b/4 of scales[b%4]), then
// ql: one little-endian u16 index per group of 8.
void quantize_row_iq2_kt(const float* src, uint8_t* row, int64_t n, const float* importance) {
    constexpr size_t kBlockBytes = 68;
    const KtRowResult r = quantize_kt8_row(iq2kt_codebook(), src, n, importance, false, 1.0f);
    store_le(row, r.d);
    uint8_t* blocks = row + 4;
    std::memset(blocks, 0, size_t(n / kSuperBlock) * kBlockBytes);
    for (int64_t b = 0; b < n / kBlock; ++b) {
        uint8_t* y = blocks + size_t(b / kBlocksPerSuper) * kBlockBytes;
        const int ib = int(b % kBlocksPerSuper);
        y[ib % 4] = uint8_t(y[ib % 4] | (r.levels[size_t(b)] << (4 * (ib / 4))));
        if (r.d == 0.f) continue;
        for (int g = 0; g < kGroupsPerBlock; ++g)
            store_le(y + 4 + 2 * (ib * kGroupsPerBlock + g),
                     uint16_t(r.indices[size_t(b * kGroupsPerBlock + g)]));
    }
}

// IQ3_KT block (100 bytes): scales[4] (block b's unsigned 4-bit scale in nibble b/4 of
// scales[b%4]), ql: one u16 index per group of 8 into the |generator| codebook, qh[32]:
// element e's sign in bit e/32 of qh[e%32]. The magnitudes |x| are matched; the oracle's
// quantize_row_iq3_kt_impl (iqk_quantize.cpp:9808).
void quantize_row_iq3_kt(const float* src, uint8_t* row, int64_t n, const float* importance) {
    constexpr size_t kBlockBytes = 100;
    constexpr float kStep = 8.0f;
    const TrellisCodebook8& cb = iq3kt_codebook();
    const int64_t nb32 = n / kBlock;
    uint8_t* blocks = row + 4;
    std::memset(blocks, 0, size_t(n / kSuperBlock) * kBlockBytes);
    store_le(row, 0.f);

    float amax_row = 0;
    for (int64_t j = 0; j < n; ++j) amax_row = std::max(amax_row, std::abs(src[j]));
    if (amax_row == 0.f) return;

    std::vector<float> weights(static_cast<size_t>(n));
    std::vector<float> scales(static_cast<size_t>(nb32), 0.f);
    std::vector<float> chosen(static_cast<size_t>(n), 0.f);  // codebook values of the matches
    kt_weights(src, importance, n, weights.data());

    float amax_scale = 0, max_scale = 0;
    float xaux[kBlock];
    int best_idx[2 * kGroupsPerBlock];
    for (int64_t b = 0; b < nb32; ++b) {
        const float* xb = src + b * kBlock;
        const float* wb = weights.data() + b * kBlock;
        float amax = 0;
        for (int j = 0; j < kBlock; ++j) {
            xaux[j] = std::abs(xb[j]);
            amax = std::max(amax, xaux[j]);
        }
        if (amax < 1e-16f) continue;
        const float scale_0 = std::max(84.f, 123.f * amax / amax_row);
        float best = 0;
        for (int itry = -3; itry <= 3; ++itry) {
            cb.best_match(amax / mul_add(kStep, float(itry), scale_0), xaux, wb, best_idx);
            const auto [d, score] = cb.best_scale(xaux, wb, best_idx);
            if (score > best) {
                best = score;
                scales[size_t(b)] = d;
                std::copy(best_idx, best_idx + kGroupsPerBlock, best_idx + kGroupsPerBlock);
            }
        }
        // (The oracle asserts that some try scored > 0; with amax > 0 one always does.)
        float* xt = chosen.data() + b * kBlock;
        for (int g = 0; g < kGroupsPerBlock; ++g)
            std::copy(cb.group(best_idx[kGroupsPerBlock + g]),
                      cb.group(best_idx[kGroupsPerBlock + g]) + kGroup, xt + kGroup * g);
        const float abs_scale = std::abs(scales[size_t(b)]);
        if (abs_scale > amax_scale) {
            amax_scale = abs_scale;
            max_scale = scales[size_t(b)];
        }
    }

    const auto level = [](float id, float scale) {
        return std::clamp(nearest_int_of_product(id, scale), 0, 15);
    };
    float d = max_scale / 15;
    float best = 0;
    for (int itry = -9; itry <= 9; ++itry) {
        const float id = mul_add(float(itry), 0.2f, 15.f) / max_scale;
        float sumqx = 0, sumq2 = 0;
        for (int64_t b = 0; b < nb32; ++b) {
            const float* xb = src + b * kBlock;
            const float* qb = chosen.data() + b * kBlock;
            const float* wb = weights.data() + b * kBlock;
            const float dl = float(level(id, scales[size_t(b)]));
            for (int j = 0; j < kBlock; ++j) {
                const float q = dl * qb[j];
                // Unfused, in order: with fused adds one golden row picks another row scale.
                sumqx += wb[j] * std::abs(xb[j]) * q;
                sumq2 += wb[j] * q * q;
            }
        }
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }

    const float id = d != 0.f ? 1.f / d : 0.f;
    std::vector<int> levels(static_cast<size_t>(nb32));
    for (int64_t b = 0; b < nb32; ++b) {
        levels[size_t(b)] = level(id, scales[size_t(b)]);
        uint8_t* y = blocks + size_t(b / kBlocksPerSuper) * kBlockBytes;
        const int ib = int(b % kBlocksPerSuper);
        y[ib % 4] = uint8_t(y[ib % 4] | (levels[size_t(b)] << (4 * (ib / 4))));
    }
    store_le(row, d);

    // One re-match of the magnitudes with the quantized block scales, then the LS refit.
    float sumqx = 0, sumq2 = 0;
    for (int64_t b = 0; b < nb32; ++b) {
        uint8_t* y = blocks + size_t(b / kBlocksPerSuper) * kBlockBytes;
        const int ib = int(b % kBlocksPerSuper);
        const float* xb = src + b * kBlock;
        const float* wb = weights.data() + b * kBlock;
        for (int j = 0; j < kBlock; ++j) {
            xaux[j] = std::abs(xb[j]);
            if (xb[j] < 0) y[68 + j] = uint8_t(y[68 + j] | (1 << ib));
        }
        const int ls = levels[size_t(b)];
        cb.best_match(d * float(ls), xaux, wb, best_idx);
        for (int g = 0; g < kGroupsPerBlock; ++g) {
            store_le(y + 4 + 2 * (ib * kGroupsPerBlock + g), uint16_t(best_idx[g]));
            const float* xl = xaux + kGroup * g;
            const float* wl = wb + kGroup * g;
            const float* qg = cb.group(best_idx[g]);
            for (int k = 0; k < kGroup; ++k) {
                const float q = qg[k] * float(ls);
                sumqx = mul_add(wl[k] * xl[k], q, sumqx);
                sumq2 = mul_add(wl[k] * q, q, sumq2);
            }
        }
    }
    if (sumq2 > 0) store_le(row, sumqx / sumq2);
}

// IQ4_KT block (128 bytes): blk u32[8] (bit 0: block uses the offset codebook; bits 1-7:
// scale level + 64; bits 8+3i: index bits 12-14 of group i), ql[64] (index bits 0-7),
// qh[32] (bits 8-11: group g in nibble g/32 of qh[g%32]). The oracle's
// quantize_row_iq4_kt_impl (iqk_quantize.cpp:10102).
void quantize_row_iq4_kt(const float* src, uint8_t* row, int64_t n, const float* importance) {
    constexpr size_t kBlockBytes = 128;
    constexpr int kNg4 = TrellisCodebook4::kNg;
    constexpr int kNtry = 2;
    const TrellisCodebook4& cb1 = iq4kt_codebook(false);
    const TrellisCodebook4& cb2 = iq4kt_codebook(true);
    const int64_t nb32 = n / kBlock;
    uint8_t* blocks = row + 4;
    std::memset(blocks, 0, size_t(n / kSuperBlock) * kBlockBytes);
    store_le(row, 0.f);

    std::vector<float> weights(static_cast<size_t>(n));
    kt_weights(src, importance, n, weights.data());
    float amax_row = 0;
    for (int64_t j = 0; j < n; ++j) amax_row = std::max(amax_row, std::abs(src[j]));
    if (amax_row == 0.f) return;

    std::vector<float> scales(static_cast<size_t>(nb32), 0.f);
    std::vector<uint8_t> flagged(static_cast<size_t>(nb32), 0);
    int best_idx[kNg4];
    float amax_scale = 0, max_scale = 0;
    for (int64_t b = 0; b < nb32; ++b) {
        const float* xb = src + b * kBlock;
        const float* wb = weights.data() + b * kBlock;
        float amax = 0;
        for (int j = 0; j < kBlock; ++j) amax = std::max(amax, std::abs(xb[j]));
        if (amax < 1e-16f) continue;
        float best = 0;
        const float scale_0 = std::max(90.f, 124.f * amax / amax_row);
        for (int itry = -kNtry; itry <= kNtry; ++itry) {
            const float s = mul_add(8.f, float(itry), scale_0);
            cb1.best_match(amax / s, xb, wb, best_idx);
            const auto [dp, score_p] = cb1.best_scale(xb, wb, best_idx);
            if (score_p > best) {
                best = score_p;
                scales[size_t(b)] = dp;
            }
            cb1.best_match(-amax / s, xb, wb, best_idx);
            const auto [dm, score_m] = cb1.best_scale(xb, wb, best_idx);
            if (score_m > best) {
                best = score_m;
                scales[size_t(b)] = dm;
            }
        }
        cb2.best_match(scales[size_t(b)], xb, wb, best_idx);
        {
            const auto [d2, score2] = cb2.best_scale(xb, wb, best_idx);
            if (score2 > best) {  // (the oracle does not raise `best` here)
                scales[size_t(b)] = d2;
                flagged[size_t(b)] = 1;
            }
        }
        for (int itry = -kNtry; itry <= kNtry; ++itry) {
            const float s = mul_add(8.f, float(itry), scale_0);
            cb2.best_match(amax / s, xb, wb, best_idx);
            const auto [dp, score_p] = cb2.best_scale(xb, wb, best_idx);
            if (score_p > best) {
                best = score_p;
                scales[size_t(b)] = dp;
                flagged[size_t(b)] = 1;
            }
            cb2.best_match(-amax / s, xb, wb, best_idx);
            const auto [dm, score_m] = cb2.best_scale(xb, wb, best_idx);
            if (score_m > best) {
                best = score_m;
                scales[size_t(b)] = dm;
                flagged[size_t(b)] = 1;
            }
        }
        const float abs_scale = std::abs(scales[size_t(b)]);
        if (abs_scale > amax_scale) {
            amax_scale = abs_scale;
            max_scale = scales[size_t(b)];
        }
    }

    float d = -max_scale / 64;
    store_le(row, d);
    // Blocks keep their offset flag even when the row scale is 0.
    for (int64_t b = 0; b < nb32; ++b)
        blocks[size_t(b / kBlocksPerSuper) * kBlockBytes + 4 * size_t(b % kBlocksPerSuper)] =
            flagged[size_t(b)];
    if (d == 0.f) return;

    const float id = 1 / d;
    float sumqx = 0, sumq2 = 0;
    for (int64_t b = 0; b < nb32; ++b) {
        uint8_t* y = blocks + size_t(b / kBlocksPerSuper) * kBlockBytes;
        const int ib = int(b % kBlocksPerSuper);
        const TrellisCodebook4& cb = flagged[size_t(b)] ? cb2 : cb1;
        const float* xb = src + b * kBlock;
        const float* wb = weights.data() + b * kBlock;
        const int ls = std::min(nearest_int_of_product(id, scales[size_t(b)]), 63);
        uint32_t word = uint32_t(uint8_t(((ls + 64) << 1) | flagged[size_t(b)]));
        cb.best_match(d * float(ls), xb, wb, best_idx);
        for (int j = 0; j < kNg4; ++j) {
            const int g = kNg4 * ib + j;
            word |= uint32_t(best_idx[j] >> 12) << (8 + 3 * j);
            y[32 + g] = uint8_t(best_idx[j] & 255);
            y[96 + g % 32] = uint8_t(y[96 + g % 32] | (((best_idx[j] >> 8) & 0xF) << (4 * (g / 32))));
            const float* xl = xb + 4 * j;
            const float* wl = wb + 4 * j;
            const float* qg = cb.group(best_idx[j]);
            for (int k = 0; k < 4; ++k) {
                const float q = qg[k] * float(ls);
                sumqx = mul_add(wl[k] * xl[k], q, sumqx);
                sumq2 = mul_add(wl[k] * q, q, sumq2);
            }
        }
        store_le(y + 4 * ib, word);
    }
    if (sumq2 > 0) store_le(row, sumqx / sumq2);
}

}  // namespace sy::quants
