// The trellis ("KT") quantizers (core/types/quants/quantize_iq_kt.cpp): IQ1_KT, IQ2_KT,
// IQ3_KT, IQ4_KT.
//
//   KtOracleBytes     rows of the golden source quantized with the golden imatrix must equal
//                     the oracle's TYPE.gguf byte for byte: every 16th row (plus the peak
//                     row) of one tensor here; every row of every tensor in the "slow" ctest
//                     entry test_quantize_iq_kt_full (SWITCHYARD_QUANT_FULL=1).
//   KtQuantizer       round-trip error bounds with and without importance, all-zero rows,
//                     every byte written, through the kernel table as a caller would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "golden_support.hpp"
#include "oracle_bytes_check.hpp"
#include "quant_error_support.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

struct KtCase {
    const char* name;
    int32_t id;
    double max_relative_rmse;  // round-trip bound on Gaussian rows
};
// Bounds are ~1.2-1.3x the worst the quantizers reach on RoundTrip's rows (0.472, 0.372,
// 0.189, 0.107), so they catch a broken search but not noise.
const KtCase kKtTypes[] = {
    {"IQ1_KT", 158, 0.58}, {"IQ2_KT", 153, 0.46}, {"IQ3_KT", 154, 0.24}, {"IQ4_KT", 155, 0.14}};

std::string case_name(const ::testing::TestParamInfo<KtCase>& p) { return p.param.name; }
void PrintTo(const KtCase& t, std::ostream* os) { *os << t.name; }

const QuantKernels& kernels_of(int32_t id) {
    const QuantKernels* k = find_kernels(id);
    EXPECT_NE(k, nullptr);
    EXPECT_NE(k->quantize_row, nullptr);
    return *k;
}

bool full_suite_enabled() {
    const char* v = std::getenv("SWITCHYARD_QUANT_FULL");
    return v && std::string(v) == "1";
}

void check_oracle_bytes(const KtCase& t, bool all) {
    expect_rows_equal_oracle(t.name, t.id, kernels_of(t.id).quantize_row,
                             {.all = all, .first_tensor_only = true, .every = 16});
}

class KtOracleBytes : public ::testing::TestWithParam<KtCase> {};

TEST_P(KtOracleBytes, SampledRowsEqualTheOracleFile) { check_oracle_bytes(GetParam(), false); }

TEST_P(KtOracleBytes, EveryRowEqualsTheOracleFile) {
    if (!full_suite_enabled())
        GTEST_SKIP() << "runs as ctest test_quantize_iq_kt_full (SWITCHYARD_QUANT_FULL=1)";
    check_oracle_bytes(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(Trellis, KtOracleBytes, ::testing::ValuesIn(kKtTypes), case_name);

// ---- behaviour on synthetic rows ----

class KtQuantizer : public ::testing::TestWithParam<KtCase> {};

std::vector<uint8_t> quantize(int32_t id, const std::vector<float>& x, const float* importance) {
    std::vector<uint8_t> row(row_bytes(id, int64_t(x.size()), "test row"), 0xAB);
    kernels_of(id).quantize_row(x.data(), row.data(), int64_t(x.size()), importance);
    return row;
}

std::vector<float> dequantize(int32_t id, const std::vector<uint8_t>& row, size_t n) {
    std::vector<float> y(n, -12345.f);
    kernels_of(id).dequantize_row(row.data(), y.data(), int64_t(n));
    return y;
}

double relative_rms_error(const std::vector<float>& x, const std::vector<float>& y) {
    double e = 0, p = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        e += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
        p += double(x[i]) * x[i];
    }
    return std::sqrt(e / p);
}

TEST_P(KtQuantizer, RoundTripErrorIsBoundedWithAndWithoutImportance) {
    const KtCase& t = GetParam();
    std::mt19937 rng(20261123);
    std::uniform_real_distribution<float> u(0.1f, 4.f);
    for (int trial = 0; trial < 4; ++trial) {
        const float sigma = trial % 2 ? 0.02f : 3.f;
        std::normal_distribution<float> g(0.f, sigma);
        std::vector<float> x(512);
        for (float& v : x) v = g(rng);
        std::vector<float> importance(x.size());
        for (float& w : importance) w = u(rng);
        const float* imp = trial < 2 ? importance.data() : nullptr;
        const std::vector<float> y = dequantize(t.id, quantize(t.id, x, imp), x.size());
        for (float v : y) ASSERT_TRUE(std::isfinite(v));
        EXPECT_LT(relative_rms_error(x, y), t.max_relative_rmse) << "trial " << trial;
    }
}

TEST_P(KtQuantizer, AllZeroRowGivesZeroRowAndZeroHeader) {
    const KtCase& t = GetParam();
    const std::vector<float> x(256, 0.f);
    const std::vector<uint8_t> row = quantize(t.id, x, nullptr);
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(row[i], 0) << i;  // every byte written
    for (float v : dequantize(t.id, row, x.size())) EXPECT_EQ(v, 0.f);
}

TEST_P(KtQuantizer, ZeroSuperBlockNextToDataStaysFinite) {
    const KtCase& t = GetParam();
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0.f, 1.f);
    std::vector<float> x(512, 0.f);
    for (size_t i = 256; i < 512; ++i) x[i] = g(rng);
    const std::vector<float> y = dequantize(t.id, quantize(t.id, x, nullptr), x.size());
    for (float v : y) ASSERT_TRUE(std::isfinite(v));
    EXPECT_LT(relative_rms_error(x, y), t.max_relative_rmse);
}

INSTANTIATE_TEST_SUITE_P(Trellis, KtQuantizer, ::testing::ValuesIn(kKtTypes), case_name);

}  // namespace
}  // namespace sy::test
