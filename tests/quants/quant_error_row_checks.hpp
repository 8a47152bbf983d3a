// Row-level helpers for the quantizer unit tests: quantize one row through the kernel
// table, dequantize it back, and measure what came out.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::test {

struct RowResult {
    std::vector<uint8_t> bytes;
    std::vector<float> values;  // dequantized with the kernel table's entry
};

inline RowResult quantize_round_trip(int32_t type_id, const std::vector<float>& x,
                                     const float* importance, QuantizeRowFn quantize = nullptr) {
    const QuantKernels* k = find_kernels(type_id);
    EXPECT_NE(k, nullptr);
    if (!quantize) quantize = k->quantize_row;
    RowResult r;
    const auto n = int64_t(x.size());
    r.bytes.assign(size_t(row_bytes(type_id, n, "row")),
                   0xAB);  // garbage: all bytes must be written
    quantize(x.data(), r.bytes.data(), n, importance);
    r.values.resize(x.size());
    k->dequantize_row(r.bytes.data(), r.values.data(), n);
    return r;
}

// sqrt(sum w (x - y)^2 / sum w) / sqrt(mean x^2): the error relative to the row's scale.
inline double relative_rmse(const std::vector<float>& x, const std::vector<float>& y,
                            const float* weights = nullptr) {
    double err = 0, wsum = 0, power = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double w = weights ? weights[i] : 1.0;
        err += w * (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
        wsum += w;
        power += double(x[i]) * x[i];
    }
    return std::sqrt(err / wsum) / std::sqrt(power / double(x.size()));
}

inline bool all_finite(const std::vector<float>& v) {
    for (float f : v)
        if (!std::isfinite(f)) return false;
    return true;
}

inline std::vector<float> gaussian_row(int64_t n, uint32_t seed, float sigma = 1.f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.f, sigma);
    std::vector<float> x(static_cast<size_t>(n));
    for (float& v : x) v = gauss(rng);
    return x;
}

// Positive importance weights spanning three orders of magnitude, like a real imatrix.
inline std::vector<float> importance_row(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> exponent(-2.f, 1.f);
    std::vector<float> w(static_cast<size_t>(n));
    for (float& v : w) v = std::pow(10.f, exponent(rng));
    return w;
}

}  // namespace sy::test

namespace sy::test {

// What one quantizer promises on random data, for the shared row checks below.
struct RowQuantizerSpec {
    std::string name;
    int32_t type_id = 0;
    QuantizeRowFn quantize = nullptr;  // nullptr: the kernel table's entry
    double max_relative_rmse = 0;      // on Gaussian rows, with and without importance
    bool uses_importance = true;       // false: output must not depend on it
};

inline void PrintTo(const RowQuantizerSpec& s, std::ostream* os) { *os << s.name; }

constexpr int64_t kRowLength = 1024;

// Gaussian rows of a few scales: error within the type's bound, with and without
// importance; with importance the weighted error is not worse than without.
inline void check_gaussian_round_trip(const RowQuantizerSpec& s) {
    for (uint32_t seed = 1; seed <= 3; ++seed) {
        const float sigma = seed == 1 ? 1.f : seed == 2 ? 0.02f : 40.f;
        const std::vector<float> x = gaussian_row(kRowLength, seed, sigma);
        const std::vector<float> w = importance_row(kRowLength, seed + 100);
        const RowResult plain = quantize_round_trip(s.type_id, x, nullptr, s.quantize);
        const RowResult weighted = quantize_round_trip(s.type_id, x, w.data(), s.quantize);
        SCOPED_TRACE(s.name + " seed " + std::to_string(seed));
        ASSERT_TRUE(all_finite(plain.values));
        ASSERT_TRUE(all_finite(weighted.values));
        EXPECT_LE(relative_rmse(x, plain.values), s.max_relative_rmse);
        EXPECT_LE(relative_rmse(x, weighted.values), s.max_relative_rmse);
        if (s.uses_importance) {
            EXPECT_LE(relative_rmse(x, weighted.values, w.data()),
                      relative_rmse(x, plain.values, w.data()) * 1.001);
        } else {
            EXPECT_EQ(plain.bytes, weighted.bytes);
        }
    }
}

// An all-zero row (the golden source has one per matrix) decodes to exact zeros.
inline void check_zero_row(const RowQuantizerSpec& s) {
    const std::vector<float> x(size_t(kRowLength), 0.f);
    const std::vector<float> w = importance_row(kRowLength, 5);
    for (const float* importance : {static_cast<const float*>(nullptr), w.data()}) {
        const RowResult r = quantize_round_trip(s.type_id, x, importance, s.quantize);
        for (float v : r.values) ASSERT_EQ(v, 0.f) << s.name;
    }
}

// One huge outlier among small values: nothing becomes NaN or infinite, the outlier keeps
// its sign and most of its size, and its neighbours stay bounded by it.
inline void check_outlier_row(const RowQuantizerSpec& s, double outlier_tolerance) {
    std::vector<float> x = gaussian_row(kRowLength, 11, 0.01f);
    const size_t at = 300;
    x[at] = -1e4f;
    const std::vector<float> w = importance_row(kRowLength, 12);
    for (const float* importance : {static_cast<const float*>(nullptr), w.data()}) {
        const RowResult r = quantize_round_trip(s.type_id, x, importance, s.quantize);
        SCOPED_TRACE(s.name + (importance ? " with importance" : " without importance"));
        ASSERT_TRUE(all_finite(r.values));
        EXPECT_LE(std::abs(r.values[at] - x[at]), outlier_tolerance * 1e4);
        for (float v : r.values) EXPECT_LE(std::abs(v), 1.2e4f);
        // Blocks without the outlier are unaffected by it.
        EXPECT_LE(relative_rmse(std::vector<float>(x.begin() + 512, x.end()),
                                std::vector<float>(r.values.begin() + 512, r.values.end())),
                  s.max_relative_rmse);
    }
}

// Importance weights that are zero (an expert the calibration never routed to) or
// denormal, and values that are denormal: finite output, no NaN from 0/0.
inline void check_degenerate_inputs(const RowQuantizerSpec& s) {
    const std::vector<float> x = gaussian_row(kRowLength, 21);
    const std::vector<float> zeros(size_t(kRowLength), 0.f), tiny(size_t(kRowLength), 1e-40f);
    for (const std::vector<float>* importance : {&zeros, &tiny}) {
        const RowResult r = quantize_round_trip(s.type_id, x, importance->data(), s.quantize);
        EXPECT_TRUE(all_finite(r.values)) << s.name;
    }
    const std::vector<float> small = gaussian_row(kRowLength, 22, 1e-39f);
    const std::vector<float> w = importance_row(kRowLength, 23);
    EXPECT_TRUE(all_finite(quantize_round_trip(s.type_id, small, nullptr, s.quantize).values))
        << s.name;
    EXPECT_TRUE(all_finite(quantize_round_trip(s.type_id, small, w.data(), s.quantize).values))
        << s.name;
}

}  // namespace sy::test
