// Helpers shared by the quantizers of the row-scaled ik types (quantize_iq_ks.cpp,
// quantize_iq2_ks.cpp, quantize_iq_kss.cpp, quantize_iq_kl.cpp).
//
// Byte-identical output with the oracle needs its float operations in its order, AND its
// fused multiply-adds. ik_llama.cpp is built with GCC at -O3 -march=native, and GCC's
// default -ffp-contract=fast turns `s += a*b` into one fma whenever the product has no
// other use -- except in the loops its vectorizer takes: a float sum there becomes an
// in-order ("fold-left") reduction of separately rounded vector products, so nothing is
// fused. In these quantizers that is every plain sum over a super-block or block (Σx²,
// the importance checks); the searches and least-squares sums are not vectorized and are
// fused. switchyard_types builds with -ffp-contract=off, so the fused places are written
// out with std::fma (and nowhere else). The inline helpers below contain no unfused
// a*b + c, so they are safe in any translation unit (tests include this header too). A
// probe of the oracle's quantizers showed up to half of the rows change when either rule
// is ignored, so this is not cosmetic.
#pragma once

#include <array>
#include <bit>
#include <cassert>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "types/quants/blocks.hpp"  // kSuperBlock

namespace sy::quants::iqks {

constexpr int kBlock = 32;  // every type here has one scale per 32 elements

// a*b + c with one rounding (the oracle's contracted `c += a*b`).
inline float fused(float a, float b, float c) { return std::fma(a, b, c); }

// Round to nearest, ties to even, through the float "magic number" 1.5*2^23: valid for
// |x| < 2^22, the oracle's nearest_int.
inline int round_via_magic(float biased) {
    return int(std::bit_cast<uint32_t>(biased) & 0x007FFFFFu) - 0x00400000;
}
constexpr float kRoundingMagic = 12582912.f;  // 1.5 * 2^23
inline int nearest_int(float x) { return round_via_magic(x + kRoundingMagic); }
// nearest_int(a*b) as the oracle's build computes it: the product feeds only the magic
// addition, so it is fused and rounded once.
inline int nearest_int_of_product(float a, float b) {
    return round_via_magic(fused(a, b, kRoundingMagic));
}

// float -> IEEE half, round to nearest even (x86 F16C `vcvtps2ph` with imm 0, which the
// oracle's GGML_FP32_TO_FP16 is). Overflow gives infinity; NaN stays a quiet NaN.
inline uint16_t fp32_to_fp16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
    const uint32_t abs_bits = bits & 0x7FFFFFFFu;
    if (abs_bits > 0x7F800000u)  // NaN: keep the top payload bits, force quiet
        return uint16_t(sign | 0x7E00u | ((abs_bits >> 13) & 0x3FFu));
    if (abs_bits >= 0x477FF000u) return uint16_t(sign | 0x7C00u);  // rounds to >= 65536
    if (abs_bits < 0x38800000u) {  // below 2^-14: a subnormal half (or zero)
        // Value = abs * 2^24 half-ulps; the float addition rounds to nearest even for us.
        const float scaled = std::bit_cast<float>(abs_bits) + 0.5f;  // 0.5 = 2^-1: ulp 2^-24
        return uint16_t(sign | (std::bit_cast<uint32_t>(scaled) - std::bit_cast<uint32_t>(0.5f)));
    }
    // Normal: drop 13 mantissa bits with round to nearest even (a carry may bump the
    // exponent, which is still correct).
    const uint32_t rebiased = abs_bits - 0x38000000u;  // exponent 127 -> 15
    const uint32_t rounded = rebiased + 0x0FFFu + ((rebiased >> 13) & 1u);
    return uint16_t(sign | (rounded >> 13));
}

// C++'s float -> int conversion is undefined out of range; x86's cvttss2si (what the
// oracle ran) returns INT_MIN there and for NaN, which the nearest-value lookups below
// then treat as "below the table". Same result, no undefined behaviour.
inline int64_t truncate_like_x86(float x) {
    if (x > -2147483648.f && x < 2147483648.f) return int64_t(int32_t(x));
    return INT_MIN;
}

// Σ x² in order, NOT fused: the oracle's sigma2 / sumx2 loops are vectorized (see above).
// Defined out of line (quantize_iq_ks.cpp) so that it is always compiled with
// -ffp-contract=off, even if a caller's translation unit contracts.
float sum_of_squares(const float* x, int64_t n);

// The per-element error weight with an imatrix: importance * sqrt(sigma2 + x²).
inline float importance_weight(float importance, float sigma2, float x) {
    return importance * std::sqrt(fused(x, x, sigma2));
}

// The oracle's QHelper::row_weights: the imatrix slice of a row, except that a 32-block
// whose Σw², Σx² or Σw|x| is not above 32·1e-18 gets weights 1e-9 instead (a block with
// no usable importance must still be quantized, by a near-uniform weight). `out` holds n
// floats; returns `out`, or nullptr when there is no imatrix. Out of line, as above.
const float* sanitized_importance(const float* x, const float* importance, int64_t n,
                                  float* out);

// Index of the largest |x| (the first one on ties) and its signed value: the oracle's
// `if (ax > amax) { amax = ax; max = x; }` scan.
struct SignedMax {
    float abs = 0;
    float value = 0;
};
inline SignedMax signed_max(const float* x, int n) {
    SignedMax m;
    for (int j = 0; j < n; ++j) {
        const float ax = std::abs(x[j]);
        if (ax > m.abs) m = {ax, x[j]};
    }
    return m;
}

// Weighted least-squares sums of one candidate quantization: the best scale is
// sumqx / sumq2 and it explains best = sumqx² / sumq2 of the weighted energy.
struct LeastSquares {
    float sumqx = 0;
    float sumq2 = 0;
    // The oracle's `sumqx += w*q*x; sumq2 += w*q*q;` with w*q shared and both fused.
    void add(float w, float q, float x) {
        const float wq = w * q;
        sumqx = fused(wq, x, sumqx);
        sumq2 = fused(wq, q, sumq2);
    }
    // "sumqx²/sumq2 > best", compared without dividing (as the oracle does).
    bool beats(float best) const { return sumq2 > 0 && sumqx * sumqx > best * sumq2; }
};

// Nearest entry of a sorted non-linear value table (IQ3_KS, IQ4_KS, IQ5_KS, IQ2_KL), the way
// the oracle's best_index_iq{3,4,5}nl find it: the integer part of x (truncated toward
// zero) picks a bucket; a bucket that no midpoint between neighbours comes within 1 of
// answers directly, the others compare the two distances in float (ties go up). This is
// NOT always the plain nearest value: in a bucket answered directly, a float distance
// comparison that would round to a tie never happens (e.g. IQ5_KS at x = 2 - 2^-23).
// The bucket table is built here from the values by that rule; it equals the oracle's
// hand-written iq3nl/iq4nl/iq5nl_index tables entry for entry.
template <int N>
class NearestValueLookup {
public:
    explicit NearestValueLookup(const int8_t* values) : values_(values) {
        range_ = values[N - 1] - values[0];
        assert(range_ < int(buckets_.size()));
        for (int ix = 0; ix <= range_; ++ix) {
            const int t = values[0] + ix;  // the bucket's integer
            int code = -1;
            for (int k = 0; k + 1 < N && code < 0; ++k) {
                const int twice_mid = values[k] + values[k + 1];
                if (std::abs(twice_mid - 2 * t) < 2) code = N + k;  // a midpoint within 1
            }
            if (code < 0) {
                code = 0;
                for (int k = 1; k < N; ++k)
                    if (std::abs(values[k] - t) < std::abs(values[code] - t)) code = k;
            }
            buckets_[size_t(ix)] = int8_t(code);
        }
    }

    const int8_t* values() const { return values_; }
    int value(int index) const { return values_[index]; }

    int index(float x) const {
        const int64_t ix = truncate_like_x86(x) - values_[0];
        if (ix < 0) return 0;
        if (ix > range_) return N - 1;
        // ix <= range_ < 256 here; the mask only says so to the compiler's bounds checks.
        const int code = buckets_[size_t(ix) & (buckets_.size() - 1)];
        if (code < N) return code;
        const int k = code - N;
        return x - float(values_[k]) < float(values_[k + 1]) - x ? k : k + 1;
    }

private:
    const int8_t* values_;
    int range_ = 0;
    std::array<int8_t, 256> buckets_{};
};

// Sets bits in a packed byte or word (the blocks are built by OR-ing fields in, as ik does).
inline void set_bits(uint8_t& dst, int bits) { dst = uint8_t(dst | bits); }
inline void set_bits(uint16_t& dst, int bits) { dst = uint16_t(dst | bits); }

// Little-endian stores of the row header.
inline void store_f32(uint8_t* dst, float v) { std::memcpy(dst, &v, sizeof v); }
inline void store_u16(uint8_t* dst, uint16_t v) { std::memcpy(dst, &v, sizeof v); }

}  // namespace sy::quants::iqks
