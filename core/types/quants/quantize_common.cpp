#include "types/quants/quantize_common.hpp"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <limits>

#include "types/quants/tables.hpp"

namespace sy::quants {

uint16_t fp32_to_fp16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const auto sign = uint16_t((bits >> 16) & 0x8000u);
    const uint32_t magnitude = bits & 0x7fffffffu;

    if (magnitude > 0x7f800000u)  // NaN: quiet it, keep the payload's top 9 bits
        return uint16_t(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
    // 65520 = (2 - 2^-11) * 2^15 is the first value that rounds past the largest half.
    if (magnitude >= 0x477ff000u) return uint16_t(sign | 0x7c00u);

    if (magnitude >= 0x38800000u) {  // a normal half (>= 2^-14): rebias, round 13 bits off
        const uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
        return uint16_t(sign | ((rounded - (112u << 23)) >> 13));
    }
    // Subnormal half: the value in units of 2^-24, rounded to nearest even.
    const int exponent = int(magnitude >> 23);
    const int shift = 126 - exponent;  // 14 for the largest subnormal input
    if (shift > 24) return sign;       // below 2^-25: rounds to zero
    const uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    uint32_t q = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (q & 1u))) ++q;
    return uint16_t(sign | q);  // q == 0x400 carries into the smallest normal, as it should
}

float sum_of_squares(const float* x, int64_t n) {
    float sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += x[j] * x[j];
    return sum;
}

const float* importance_with_degenerate_blocks_fixed(const float* x, const float* importance,
                                                     int64_t n, int block,
                                                     std::vector<float>& scratch) {
    if (!importance) return nullptr;
    constexpr float kTinyWeight = 1e-9f;
    const float threshold = float(block) * (kTinyWeight * kTinyWeight);
    scratch.assign(importance, importance + n);
    for (int64_t start = 0; start < n; start += block) {
        const float* w = importance + start;
        const float* xb = x + start;
        float sum_w2 = 0, sum_x2 = 0, sum_wx = 0;
        for (int j = 0; j < block; ++j) {
            sum_w2 = mul_add(w[j], w[j], sum_w2);
            sum_x2 = mul_add(xb[j], xb[j], sum_x2);
            sum_wx = mul_add(w[j], std::abs(xb[j]), sum_wx);
        }
        if (sum_w2 > threshold && sum_x2 > threshold && sum_wx > threshold) continue;
        for (int j = 0; j < block; ++j) scratch[size_t(start + j)] = kTinyWeight;
    }
    return scratch.data();
}

NearestValueIndex::NearestValueIndex(const int8_t* values, int count, Offset offset)
    : count_(count), offset_(offset) {
    // One cell per integer t from values[0] to values[count-1]. A cell is ambiguous when a
    // midpoint (v[k] + v[k+1]) / 2 lies within half a step of t: the oracle's tables are
    // conservative over the whole window (t-1, t+1), which covers every x that truncates
    // to t from either side of zero.
    const int last = values[count - 1];
    for (int t = values[0]; t <= last; ++t) {
        int ambiguous_pair = -1;
        int nearest = 0;
        for (int k = 0; k + 1 < count; ++k) {
            const int twice_midpoint = values[k] + values[k + 1];
            if (std::abs(twice_midpoint - 2 * t) <= 1) {
                assert(ambiguous_pair < 0 && "two midpoints in one cell");
                ambiguous_pair = k;
            }
            if (twice_midpoint <= 2 * t) nearest = k + 1;
        }
        cells_.push_back(ambiguous_pair >= 0 ? -(ambiguous_pair + 1) : nearest);
    }
}

int NearestValueIndex::operator()(const int8_t* values, float x) const {
    // For the shifted half values[0] is the unshifted one plus the shift; the cell is taken
    // relative to the table actually used, as the oracle does.
    const int cell = offset_ == Offset::TruncateX ? truncate_to_int(x) - values[0]
                                                  : truncate_to_int(x - float(values[0]));
    if (cell < 0) return 0;
    if (cell >= int(cells_.size())) return count_ - 1;
    const int entry = cells_[size_t(cell)];
    if (entry >= 0) return entry;
    const int k = -entry - 1;
    return x - float(values[k]) < float(values[k + 1]) - x ? k : k + 1;
}

// ---- fits ----

namespace {

// Weighted sums of one candidate grid assignment: sum w*x*L and sum w*L*L.
struct SymmetricCandidate {
    float sum_xl = 0;
    float sum_ll = 0;
};

// `fused`: the oracle fuses the sums of its first candidate (a scalar loop) but not those of
// the 38 others (vectorized loops: products first, then the additions in order).
SymmetricCandidate evaluate_symmetric(int n, int nmax, const float* x, const float* w,
                                      float inverse_scale, bool fused, int8_t* levels_out) {
    SymmetricCandidate c;
    for (int i = 0; i < n; ++i) {
        const int l =
            std::max(-nmax, std::min(nmax - 1, nearest_int_of_product(inverse_scale, x[i])));
        if (levels_out) levels_out[i] = int8_t(l + nmax);
        if (fused) {
            c.sum_xl = mul_add(w[i] * x[i], float(l), c.sum_xl);
            c.sum_ll = mul_add(w[i] * float(l), float(l), c.sum_ll);
        } else {
            c.sum_xl += w[i] * x[i] * float(l);
            c.sum_ll += w[i] * float(l) * float(l);
        }
    }
    return c;
}

}  // namespace

float fit_symmetric_grid(int n, int nmax, const float* x, const float* weights, int8_t* levels) {
    float max = 0, amax = 0;  // max: the signed value of largest magnitude (first one)
    for (int i = 0; i < n; ++i) {
        if (std::abs(x[i]) > amax) {
            amax = std::abs(x[i]);
            max = x[i];
        }
    }
    if (amax < 1e-15f) {
        std::fill(levels, levels + n, int8_t(0));
        return 0.f;
    }

    SymmetricCandidate c =
        evaluate_symmetric(n, nmax, x, weights, float(-nmax) / max, /*fused=*/true, levels);
    float scale = c.sum_ll != 0 ? c.sum_xl / c.sum_ll : 0.f;
    float best = scale * c.sum_xl;  // the weighted error reduction sum_xl^2 / sum_ll
    SymmetricCandidate best_c = c;
    auto try_inverse_scale = [&](float inverse_scale) {
        const SymmetricCandidate t =
            evaluate_symmetric(n, nmax, x, weights, inverse_scale, /*fused=*/false, nullptr);
        if (t.sum_ll > 0 && t.sum_xl * t.sum_xl > best * t.sum_ll) {
            evaluate_symmetric(n, nmax, x, weights, inverse_scale, /*fused=*/false, levels);
            scale = t.sum_xl / t.sum_ll;
            best = scale * t.sum_xl;
            best_c = t;
        }
    };
    for (int is = -9; is <= 9; ++is) {
        try_inverse_scale(-mul_add(0.1f, float(is), float(nmax)) / max);
        try_inverse_scale(mul_add(0.1f, float(is), float(nmax - 1)) / max);
    }

    // Greedy refinement: move the level with the largest weighted residual gradient one
    // step, as long as the least-squares fit improves.
    float sum_xl = best_c.sum_xl, sum_ll = best_c.sum_ll;
    for (int iter = 0; iter < n * (2 * nmax - 1); ++iter) {
        float abs_gmax = 0, gmax = 0;
        int best_j = -1;
        for (int j = 0; j < n; ++j) {
            const int l = levels[j] - nmax;
            const float g = scale * weights[j] * mul_add(-scale, float(l), x[j]);
            if ((g > 0 && l < nmax - 1) || (g < 0 && l > -nmax)) {
                if (std::abs(g) > abs_gmax) {
                    abs_gmax = std::abs(g);
                    gmax = g;
                    best_j = j;
                }
            }
        }
        if (best_j < 0) break;
        const float w = weights[best_j];
        int l = levels[best_j] - nmax;
        float new_sum_xl, new_sum_ll;
        // w x is rounded before it is added (the oracle's build fuses only the second sum).
        if (gmax > 0) {
            new_sum_xl = sum_xl + w * x[best_j];
            new_sum_ll = mul_add(w, float(2 * l + 1), sum_ll);
            l += 1;
        } else {
            new_sum_xl = sum_xl - w * x[best_j];
            new_sum_ll = mul_add(-w, float(2 * l - 1), sum_ll);
            l -= 1;
        }
        if (!(new_sum_ll > 0 && new_sum_xl * new_sum_xl > best * new_sum_ll)) break;
        sum_xl = new_sum_xl;
        sum_ll = new_sum_ll;
        scale = sum_xl / sum_ll;
        best = scale * sum_xl;
        levels[best_j] = int8_t(l + nmax);
    }
    return scale;
}

namespace {

// The weighted least-squares (d, m) of x ~ d*L + m with m <= 0, and its score
// 2 d Sxl + 2 m Sx - 2 d m Sl - d^2 Sll - m^2 Sw (the error reduction; larger is better).
struct AffineFit {
    double scale = 0, min = 0;
    bool valid = false;
};

AffineFit solve_affine(double sum_w, double sum_x, double sum_l, double sum_ll, double sum_xl) {
    AffineFit f;
    const double det = std::fma(sum_w, sum_ll, -(sum_l * sum_l));
    if (!(det > 0)) return f;
    f.valid = true;
    // Which product of each a*b - c*d the oracle's build fuses is a compiler choice; these
    // are the ones that reproduce its bytes.
    f.scale = std::fma(-sum_x, sum_l, sum_w * sum_xl) / det;
    f.min = std::fma(sum_ll, sum_x, -(sum_l * sum_xl)) / det;
    if (f.min > 0) {  // the grid must start at or below zero
        f.min = 0;
        f.scale = sum_xl / sum_ll;
    }
    return f;
}

double affine_score(double d, double m, double sum_w, double sum_x, double sum_l, double sum_ll,
                    double sum_xl) {
    double s = std::fma(2 * d, sum_xl, (2 * m) * sum_x);
    s = std::fma(-(2 * d * m), sum_l, s);
    s = std::fma(-(d * d), sum_ll, s);
    return std::fma(-(m * m), sum_w, s);
}

}  // namespace

float fit_affine_grid(int n, int nmax, const float* x, const float* weights, uint8_t* levels,
                      float* neg_min, AffineSearch search, uint8_t* scratch_levels) {
    float min = x[0], max = x[0];
    double sum_w = weights[0];
    double sum_x = sum_w * double(x[0]);
    double sum_x2 = sum_w * double(x[0]) * double(x[0]);
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        const double w = weights[i];
        sum_w += w;
        sum_x = std::fma(w, double(x[i]), sum_x);
        sum_x2 = std::fma(w * double(x[i]), double(x[i]), sum_x2);
    }
    if (min > 0) min = 0;
    if (max - min < 1e-10f) {
        std::fill(levels, levels + n, uint8_t(0));
        *neg_min = -min;
        return 0.f;
    }

    float inverse_scale = float(nmax) / (max - min);
    float scale = 1 / inverse_scale;
    double best_error = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearest_int_of_product(inverse_scale, x[i] - min);
        levels[i] = uint8_t(std::max(0, std::min(nmax, l)));
        const double diff = std::fma(double(scale), double(levels[i]), double(min)) - double(x[i]);
        best_error = std::fma(double(weights[i]), diff * diff, best_error);
    }

    for (int is = 0; is <= search.steps; ++is) {
        inverse_scale =
            (mul_add(search.rdelta, float(is), search.rmin) + float(nmax)) / (max - min);
        double sum_l = 0, sum_ll = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l =
                std::max(0, std::min(nmax, nearest_int_of_product(inverse_scale, x[i] - min)));
            scratch_levels[i] = uint8_t(l);
            const double wl = double(weights[i]) * l;
            sum_l = std::fma(double(weights[i]), double(l), sum_l);
            sum_ll = std::fma(wl, double(l), sum_ll);
            sum_xl = std::fma(wl, double(x[i]), sum_xl);
        }
        const AffineFit f = solve_affine(sum_w, sum_x, sum_l, sum_ll, sum_xl);
        if (!f.valid) continue;
        // sum w (x - d L - m)^2, expanded
        double error = std::fma(-(2 * f.scale), sum_xl, sum_x2);
        error = std::fma(-(2 * f.min), sum_x, error);
        error = std::fma(2 * f.scale * f.min, sum_l, error);
        error = std::fma(f.scale * f.scale, sum_ll, error);
        error = std::fma(f.min * f.min, sum_w, error);
        if (error < best_error) {
            std::copy(scratch_levels, scratch_levels + n, levels);
            best_error = error;
            scale = float(f.scale);
            min = float(f.min);
        }
    }

    // Greedy refinement: move the level of the element with the largest residual one step
    // while the fit's score improves (and never straight back).
    double sum_l = 0, sum_ll = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
        const double w = weights[i];
        sum_l = std::fma(w, double(levels[i]), sum_l);
        sum_ll = std::fma(w * levels[i], double(levels[i]), sum_ll);
        sum_xl = std::fma(w * levels[i], double(x[i]), sum_xl);
    }
    double best = affine_score(scale, min, sum_w, sum_x, sum_l, sum_ll, sum_xl);
    int last_j = -1, last_dir = 0;
    for (int iter = 0; iter < nmax * n; ++iter) {
        float gmax = 0;
        int best_j = -1, dir = 0;
        for (int j = 0; j < n; ++j) {
            const float g = mul_add(-scale, float(levels[j]), x[j]) - min;
            if (g > 0 && levels[j] < nmax && g > gmax) {
                gmax = g;
                best_j = j;
                dir = 1;
            } else if (g < 0 && levels[j] > 0 && -g > gmax) {
                gmax = -g;
                best_j = j;
                dir = -1;
            }
        }
        if (best_j < 0 || (best_j == last_j && dir == -last_dir)) break;
        const double w = weights[best_j];
        sum_l = std::fma(w, double(dir), sum_l);
        sum_ll = std::fma(w, double(2 * levels[best_j] * dir + 1), sum_ll);
        sum_xl = std::fma(w * double(x[best_j]), double(dir), sum_xl);
        const AffineFit f = solve_affine(sum_w, sum_x, sum_l, sum_ll, sum_xl);
        if (!f.valid || f.scale < 0) break;
        const double score = affine_score(f.scale, f.min, sum_w, sum_x, sum_l, sum_ll, sum_xl);
        if (score <= best) break;
        best = score;
        scale = float(f.scale);
        min = float(f.min);
        levels[best_j] = uint8_t(levels[best_j] + dir);
        last_j = best_j;
        last_dir = dir;
    }
    *neg_min = -min;
    return scale;
}

float fit_affine_grid_candidates(int n, int nmax, const float* x, const float* weights,
                                 uint8_t* levels, float* neg_min, AffineSearch search,
                                 bool absolute_error, uint8_t* scratch_levels) {
    float min = x[0], max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += weights[i];
        sum_x = mul_add(weights[i], x[i], sum_x);
    }
    if (min > 0) min = 0;
    if (max - min < 1e-10f) {
        std::fill(levels, levels + n, uint8_t(0));
        *neg_min = -min;
        return 0.f;
    }
    auto error_of = [&](float d, float m, const uint8_t* l) {
        float error = 0;
        for (int i = 0; i < n; ++i) {
            const float diff = mul_add(d, float(l[i]), m) - x[i];
            error = mul_add(weights[i], absolute_error ? std::abs(diff) : diff * diff, error);
        }
        return error;
    };

    float inverse_scale = float(nmax) / (max - min);
    float scale = 1 / inverse_scale;
    for (int i = 0; i < n; ++i)
        levels[i] = uint8_t(std::clamp(nearest_int_of_product(inverse_scale, x[i] - min), 0, nmax));
    float best_error = error_of(scale, min, levels);

    for (int is = 0; is <= search.steps; ++is) {
        inverse_scale =
            (mul_add(search.rdelta, float(is), search.rmin) + float(nmax)) / (max - min);
        float sum_l = 0, sum_ll = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int_of_product(inverse_scale, x[i] - min), 0, nmax);
            scratch_levels[i] = uint8_t(l);
            const float wl = weights[i] * float(l);  // rounded once, shared by the three sums
            sum_l += wl;
            sum_ll = mul_add(wl, float(l), sum_ll);
            sum_xl = mul_add(wl, x[i], sum_xl);
        }
        const float det = mul_add(sum_w, sum_ll, -(sum_l * sum_l));
        if (!(det > 0)) continue;
        float this_scale = mul_add(-sum_x, sum_l, sum_w * sum_xl) / det;
        float this_min = mul_add(sum_ll, sum_x, -(sum_l * sum_xl)) / det;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_ll;
        }
        const float error = error_of(this_scale, this_min, scratch_levels);
        if (error < best_error) {
            std::copy(scratch_levels, scratch_levels + n, levels);
            best_error = error;
            scale = this_scale;
            min = this_min;
        }
    }
    *neg_min = -min;
    return scale;
}

// ---- IQ4_NL block fit ----

namespace {

constexpr int kIq4Block = 32;

// sum w q x and sum w q^2 of one assignment of table values (scalar loop in the oracle:
// fused).
struct Iq4Sums {
    float sum_qx = 0;
    float sum_qq = 0;
};

Iq4Sums evaluate_iq4nl(const float* x, const float* w, float inverse_scale, uint8_t* levels_out) {
    const NearestValueIndex& nearest = iq4nl_nearest();
    const int8_t* values = kIq4kValues.data();
    Iq4Sums c;
    for (int j = 0; j < kIq4Block; ++j) {
        const int l = nearest(values, inverse_scale * x[j]);
        if (levels_out) levels_out[j] = uint8_t(l);
        const float q = values[l];
        c.sum_qx = mul_add(w[j] * q, x[j], c.sum_qx);
        c.sum_qq = mul_add(w[j] * q, q, c.sum_qq);
    }
    return c;
}

}  // namespace

float fit_iq4nl_block(const float* x, const float* weights, uint8_t* levels) {
    constexpr int kTries = 7;
    const int8_t* values = kIq4kValues.data();
    float max = 0, amax = 0;  // the signed value of largest magnitude (the first one)
    for (int j = 0; j < kIq4Block; ++j) {
        if (amax < std::abs(x[j])) {
            amax = std::abs(x[j]);
            max = x[j];
        }
    }
    if (amax < 1e-15f) return 0.f;

    const float* w = weights;
    float unweighted[kIq4Block];
    Iq4Sums c = evaluate_iq4nl(x, w, 1 / (-max / float(values[0])), levels);
    if (!(c.sum_qq > 0)) {
        // All weights zero (an imatrix slice of zeros): the oracle would divide 0/0 and
        // store a NaN scale. Fall back to the unweighted fit instead.
        for (int j = 0; j < kIq4Block; ++j) unweighted[j] = x[j] * x[j];
        w = unweighted;
        c = evaluate_iq4nl(x, w, 1 / (-max / float(values[0])), levels);
    }
    float d = c.sum_qx / c.sum_qq;
    float best = d * c.sum_qx;
    Iq4Sums best_c = c;
    auto try_inverse_scale = [&](float inverse_scale) {
        const Iq4Sums t = evaluate_iq4nl(x, w, inverse_scale, nullptr);
        if (t.sum_qq > 0 && t.sum_qx * t.sum_qx > best * t.sum_qq) {
            d = t.sum_qx / t.sum_qq;
            best = d * t.sum_qx;
            best_c = t;
            evaluate_iq4nl(x, w, inverse_scale, levels);
        }
    };
    for (int itry = -kTries; itry <= kTries; ++itry) {
        try_inverse_scale(float(itry + values[0]) / max);
        try_inverse_scale(float(itry + values[15]) / max);
    }

    // Greedy refinement: move the element that reaches the next value with the smallest
    // change of the fitted line first, while the fit improves.
    float sum_qx = best_c.sum_qx, sum_qq = best_c.sum_qq;
    for (int iter = 0; iter < 32 * kIq4Block; ++iter) {
        float min_step = std::numeric_limits<float>::infinity();
        int best_j = -1, dir = 0;
        for (int j = 0; j < kIq4Block; ++j) {
            const float g = d * w[j] * mul_add(-d, float(values[levels[j]]), x[j]);
            if (g > 0 && levels[j] < 15) {
                const float step = float(values[levels[j] + 1] - values[levels[j]]) / g;
                if (step < min_step) {
                    min_step = step;
                    best_j = j;
                    dir = 1;
                }
            } else if (g < 0 && levels[j] > 0) {
                const float step = float(values[levels[j] - 1] - values[levels[j]]) / g;
                if (step < min_step) {
                    min_step = step;
                    best_j = j;
                    dir = -1;
                }
            }
        }
        if (best_j < 0) break;
        const int from = values[levels[best_j]], to = values[levels[best_j] + dir];
        const float new_sum_qx = mul_add(w[best_j] * x[best_j], float(to - from), sum_qx);
        const float new_sum_qq = mul_add(w[best_j], float(to * to - from * from), sum_qq);
        if (!(new_sum_qq > 0 && new_sum_qx * new_sum_qx > best * new_sum_qq)) break;
        sum_qx = new_sum_qx;
        sum_qq = new_sum_qq;
        d = sum_qx / sum_qq;
        best = d * sum_qx;
        levels[best_j] = uint8_t(levels[best_j] + dir);
    }
    return d;
}

const NearestValueIndex& iq3nl_nearest() {
    static const NearestValueIndex lookup(kIq3nlValues.data(), 8,
                                          NearestValueIndex::Offset::TruncateX);
    return lookup;
}
const NearestValueIndex& iq4nl_nearest() {
    static const NearestValueIndex lookup(kIq4kValues.data(), 16,
                                          NearestValueIndex::Offset::TruncateX);
    return lookup;
}
const NearestValueIndex& iq5nl_nearest() {
    static const NearestValueIndex lookup(kIq5nlValues.data(), 32,
                                          NearestValueIndex::Offset::TruncateX);
    return lookup;
}
const NearestValueIndex& iq6nl_nearest() {
    static const NearestValueIndex lookup(kIq6nlValues.data(), 64,
                                          NearestValueIndex::Offset::TruncateDifference);
    return lookup;
}

}  // namespace sy::quants
