// Quantizers of Q2_K..Q6_K and IQ4_XS (quantize_k_quants.cpp).
//
//   KQuantizer        round trips on random rows (fixed seeds) and edge rows, with and
//                     without importance.
//   KQuantRefOracle   without importance the oracle runs its "_ref" quantizers; their bytes
//                     for rows of the golden source and for synthetic rows (ties, sparse and
//                     constant rows, ternary rows on both sides of Q2_K's ternary check) are
//                     in golden_quants/kquants-ref-oracle.gguf, made with the oracle's own
//                     code (README there). Every row must match.
//   Q2kTernaryRows    the ternary ("TriNet") rule of Q2_K's "_ref" path.
// With importance, bit-exactness with the oracle is the golden suite's job
// (quant_error_test.cpp, byte_identical_types()).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "golden_support.hpp"
#include "quant_error_row_checks.hpp"
#include "quant_error_support.hpp"

namespace sy::test {
namespace {

// Bounds: the measured relative RMSE on these rows, rounded up by ~25 %.
const RowQuantizerSpec kSpecs[] = {
    {"Q2_K", 10, nullptr, 0.41, true},  {"Q3_K", 11, nullptr, 0.21, true},
    {"Q4_K", 12, nullptr, 0.097, true}, {"Q5_K", 13, nullptr, 0.047, true},
    {"Q6_K", 14, nullptr, 0.024, true}, {"IQ4_XS", 23, nullptr, 0.10, true},
};

std::string spec_name(const ::testing::TestParamInfo<RowQuantizerSpec>& p) { return p.param.name; }

class KQuantizer : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(KQuantizer, GaussianRoundTrip) { check_gaussian_round_trip(GetParam()); }
TEST_P(KQuantizer, AllZeroRow) { check_zero_row(GetParam()); }
TEST_P(KQuantizer, OneHugeOutlier) {
    if (GetParam().type_id == 10)
        GTEST_SKIP() << "Q2_K: a lone outlier makes the row ternary without importance "
                        "(Q2kTernaryRows.OneHugeOutlierMakesTheRowTernary)";
    check_outlier_row(GetParam(), 0.05);
}
TEST_P(KQuantizer, DegenerateInputs) { check_degenerate_inputs(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Types, KQuantizer, ::testing::ValuesIn(kSpecs), spec_name);

// ---- the "_ref" (no importance) bytes against the oracle's ----

// The fixture holds every 64th row of each source matrix (rows 0, 64, ...) as tensor
// "TYPE:<matrix>", and the synthetic rows of tensor "input" as "TYPE:input".
constexpr int64_t kSourceRowStep = 64;

const GgufFixture& ref_fixture() {
    static const GgufFixture f = read_gguf_fixture(golden_path("kquants-ref-oracle.gguf"));
    return f;
}

// Quantizes `rows` rows of length ne0 (row r at values + r * ne0 * row_step) without
// importance and compares them with the oracle's rows in `oracle`; returns identical rows.
int64_t compare_rows(const RowQuantizerSpec& t, const FixtureTensor& oracle, const float* values,
                     int64_t ne0, int64_t row_step, const std::string& what) {
    const GgufFixture& f = ref_fixture();
    EXPECT_EQ(oracle.type, t.type_id) << what;
    EXPECT_EQ(oracle.row_length(), ne0) << what;
    const uint64_t stride = row_bytes(t.type_id, ne0, what);
    const QuantizeRowFn quantize = find_kernels(t.type_id)->quantize_row;
    std::vector<uint8_t> ours(stride);
    int64_t identical = 0;
    for (int64_t r = 0; r < oracle.row_count(); ++r) {
        quantize(values + r * row_step * ne0, ours.data(), ne0, nullptr);
        const uint8_t* theirs = f.data(oracle) + uint64_t(r) * stride;
        const bool same = std::equal(ours.begin(), ours.end(), theirs);
        EXPECT_TRUE(same) << what << " row " << r;
        identical += same;
    }
    return identical;
}

class KQuantRefOracle : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(KQuantRefOracle, GoldenSourceRowsEqualTheOracleRefBytes) {
    const RowQuantizerSpec& t = GetParam();
    int64_t checked = 0, identical = 0;
    for (const SourceMatrix& m : quant_error_fixtures().matrices) {
        const FixtureTensor& o = tensor_named(ref_fixture(), t.name + ":" + m.name);
        ASSERT_EQ(o.row_count(), (m.rows + kSourceRowStep - 1) / kSourceRowStep) << m.name;
        identical += compare_rows(t, o, m.values.data(), m.ne0, kSourceRowStep, o.name);
        checked += o.row_count();
    }
    EXPECT_GT(checked, 0);
    std::cout << "[ bytes    ] " << t.name << " without importance: " << identical << " of "
              << checked << " golden source rows equal the oracle's\n";
}

TEST_P(KQuantRefOracle, SyntheticRowsEqualTheOracleRefBytes) {
    const RowQuantizerSpec& t = GetParam();
    const GgufFixture& f = ref_fixture();
    const FixtureTensor& input = tensor_named(f, "input");
    ASSERT_EQ(input.type, 0);  // F32
    const int64_t ne0 = input.row_length();
    std::vector<float> values(size_t(ne0 * input.row_count()));
    std::memcpy(values.data(), f.data(input), values.size() * sizeof(float));
    const FixtureTensor& o = tensor_named(f, t.name + ":input");
    ASSERT_EQ(o.row_count(), input.row_count());
    EXPECT_EQ(compare_rows(t, o, values.data(), ne0, 1, o.name), o.row_count());
}

INSTANTIATE_TEST_SUITE_P(Types, KQuantRefOracle, ::testing::ValuesIn(kSpecs), spec_name);

// ---- Q2_K's ternary rows ----

// A row whose values are all in {-a, 0, +a} is stored exactly without importance (the
// oracle's "_ref" stores d = dmin = a, every scale and min 1); with importance it goes
// through the weighted search like any row.
TEST(Q2kTernaryRows, AreStoredExactlyWithoutImportance) {
    const float a = 0.037109375f;  // 1.1875 * 2^-5: exact in fp16, not a power of two
    std::vector<float> x(512);
    for (size_t i = 0; i < x.size(); ++i) x[i] = a * float(int(i * 7 % 3) - 1);
    const RowResult r = quantize_round_trip(10, x, nullptr);
    EXPECT_EQ(r.values, x);
}

// The rule looks at the whole row: one outlier of 1e4 among values of 0.01 passes it (the
// rest is far below a tenth of the energy), so without importance the row becomes
// {-1e4, 0, +1e4}, the oracle's behaviour. With importance the outlier's neighbours keep
// their own sub-block scales.
TEST(Q2kTernaryRows, OneHugeOutlierMakesTheRowTernary) {
    std::vector<float> x = gaussian_row(512, 11, 0.01f);
    x[300] = -1e4f;
    const RowResult plain = quantize_round_trip(10, x, nullptr);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(plain.values[i], i == 300 ? -1e4f : 0.f) << i;

    const std::vector<float> w = importance_row(512, 12);
    const RowResult weighted = quantize_round_trip(10, x, w.data());
    ASSERT_TRUE(all_finite(weighted.values));
    EXPECT_LE(std::abs(weighted.values[300] - x[300]), 0.05 * 1e4);
    EXPECT_LE(
        relative_rmse(std::vector<float>(x.begin() + 256, x.end()),
                      std::vector<float>(weighted.values.begin() + 256, weighted.values.end())),
        0.41);
}

// Noise beyond a tenth of the row's energy turns the rule off: the row is then quantized by
// the sub-block search and no longer decodes to exactly three values.
TEST(Q2kTernaryRows, NoisyRowsAreNotForcedOntoThreeValues) {
    std::vector<float> x = gaussian_row(512, 61, 0.5f);
    for (size_t i = 0; i < x.size(); ++i) x[i] += float(int(i * 7 % 3) - 1);
    const RowResult r = quantize_round_trip(10, x, nullptr);
    std::vector<float> distinct(r.values);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    EXPECT_GT(distinct.size(), 3u);
    EXPECT_LE(relative_rmse(x, r.values), 0.41);
}

}  // namespace
}  // namespace sy::test
