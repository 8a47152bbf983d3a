// The error harness itself (golden imatrix, oracle table, the error formula) and the
// QuantizerQuality suite: for every type with a quantize_row, our error on each tensor of
// the golden source must stay within kMaxErrorRatioToOracle of the oracle's.
//
// Suites and their ctest entries (tests/quants/CMakeLists.txt):
//   QuantizerQuality      all 9 tensors per type          -> test_quant_error_full ("slow")
//   QuantizerQualityQuick one tensor per type             -> test_quant_error
//   everything else       parser and harness checks       -> test_quant_error
// Both quality suites also count the rows that are byte-identical to the oracle's file and
// require all of them to be for the types in byte_identical_types().
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "golden_support.hpp"
#include "quant_error_support.hpp"

namespace sy::test {
namespace {

// ---- the golden imatrix as the harness uses it (the reader itself: tests/imatrix) ----

TEST(ImatrixDat, ParsesTheGoldenFixture) {
    const Imatrix& m = quant_error_fixtures().imatrix;
    EXPECT_EQ(m.entries.size(), 9u);
    EXPECT_EQ(m.chunk_count, 1);
    EXPECT_EQ(m.datasets, std::vector<std::string>{"random"});
    // Every matrix of the source has its entry, one weight per input column.
    for (const SourceMatrix& s : quant_error_fixtures().matrices) {
        const ImatrixEntry* e = m.find(s.name);
        ASSERT_NE(e, nullptr) << s.name;
        EXPECT_EQ(int64_t(e->values.size()), s.ne0) << s.name;
        EXPECT_EQ(importance_for_row(e, s, s.rows - 1), e->values.data()) << s.name;
    }
}

TEST(ImatrixDat, ExpertTensorsTakeTheirOwnSlice) {
    const ImatrixEntry e{"exps", 3, {1, 2, 3, 4, 5, 6}, {1, 1, 1}};
    SourceMatrix m{"exps", 2, 6, 2, std::vector<float>(12)};  // 3 experts x 2 rows x 2 columns
    EXPECT_EQ(importance_for_row(&e, m, 0), e.values.data());
    EXPECT_EQ(importance_for_row(&e, m, 3), e.values.data() + 2);
    EXPECT_EQ(importance_for_row(&e, m, 5), e.values.data() + 4);
    EXPECT_EQ(importance_for_row(nullptr, m, 5), nullptr);
    const ImatrixEntry wrong{"exps", 1, {1, 2, 3}, {1}};
    EXPECT_THROW(importance_for_row(&wrong, m, 0), sy::Error);
}

// ---- the error formula: the oracle's own files must give the oracle's own numbers ----

TEST(OracleErrorTable, HasEveryTypeAndTensorOnce) {
    const auto& f = quant_error_fixtures();
    std::set<std::pair<std::string, std::string>> seen;
    for (const OracleError& e : f.oracle) {
        EXPECT_TRUE(seen.insert({e.type, e.tensor}).second) << e.type << " " << e.tensor;
        EXPECT_GT(e.rmse, 0) << e.type << " " << e.tensor;
        EXPECT_GT(e.weighted_rmse, 0) << e.type << " " << e.tensor;
    }
    EXPECT_EQ(seen.size(), 37u * f.matrices.size());
}

// Dequantizing the oracle's quantized files with its standalone dequantizer and measuring
// with our formula reproduces oracle-error.tsv (printed with 6 significant digits): so the
// harness measures what the table measured, imatrix weighting included.
TEST(OracleErrorTable, OurFormulaReproducesItFromTheOracleFiles) {
    const auto& f = quant_error_fixtures();
    std::set<std::string> types;
    for (const OracleError& e : f.oracle) types.insert(e.type);
    for (const std::string& type : {std::string("Q4_0"), std::string("Q4_X"), std::string("IQ4_K"),
                                    std::string("IQ6_K"), std::string("IQ2_KT")}) {
        ASSERT_TRUE(types.count(type)) << type;
        const GgufFixture file = read_gguf_fixture(golden_path(type + ".gguf"));
        for (const SourceMatrix& m : f.matrices) {
            SCOPED_TRACE(type + " " + m.name);
            const FixtureTensor& t = tensor_named(file, m.name);
            const std::vector<float> deq = dequantize_tensor(file, t, oracle_dequantizer(t.type));
            const QuantError got = measure_error(m, deq, f.imatrix.find(m.name));
            const OracleError* want = find_oracle_error(f.oracle, type, m.name);
            ASSERT_NE(want, nullptr);
            EXPECT_NEAR(got.rmse / want->rmse, 1.0, 2e-5);
            EXPECT_NEAR(got.weighted_rmse / want->weighted_rmse, 1.0, 2e-5);
        }
    }
}

// ---- QuantizerQuality ----

std::vector<std::string> variant_names() {
    std::vector<std::string> names;
    for (const QuantVariant& v : quant_variants()) names.push_back(v.name);
    return names;
}

// Types whose every row comes out byte-identical to the oracle's file (same source, same
// imatrix): the quality suites assert it for these and only report the count for others.
const std::set<std::string>& byte_identical_types() {
    static const std::set<std::string> types = {
        "F16",  "BF16",   "Q8_0",  "Q4_0",  "Q4_X",  "Q4_1",  "Q5_0",
        "Q5_1", "IQ4_NL", "IQ2_K", "IQ3_K", "IQ4_K", "IQ5_K", "IQ6_K",
        "IQ4_KS", "IQ5_KS", "IQ4_KSS", "IQ3_KS", "IQ2_KS", "IQ2_KL",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS",
        "IQ1_KT", "IQ2_KT", "IQ3_KT", "IQ4_KT", "IQ3_XXS", "IQ3_S",
        "IQ2_XXS", "IQ2_XS", "IQ2_S" /* = IQ2_XS, see quant_variants() */, "IQ1_S", "IQ1_M",
    };
    return types;
}

bool full_suite_enabled() {
    const char* v = std::getenv("SWITCHYARD_QUANT_FULL");
    return v && std::string(v) == "1";
}

void check_quality(const std::string& variant_name, const std::vector<std::string>& only,
                   bool count_identical) {
    const std::vector<QuantVariant> variants = quant_variants();
    const QuantVariant* v = find_variant(variants, variant_name);
    ASSERT_NE(v, nullptr);
    const auto& f = quant_error_fixtures();
    if (!find_oracle_error(f.oracle, v->name, f.matrices.front().name))
        GTEST_SKIP() << "oracle-error.tsv has no " << v->name << " lines";
    int64_t identical = 0, rows = 0;
    for (const SourceMatrix& m : f.matrices) {
        if (!only.empty() && std::find(only.begin(), only.end(), m.name) == only.end()) continue;
        SCOPED_TRACE(v->name + " " + m.name);
        const QuantErrorRow row = evaluate(*v, m, count_identical);
        EXPECT_LE(row.rmse_ratio(), kMaxErrorRatioToOracle)
            << "ours " << row.ours.rmse << " oracle " << row.oracle.rmse;
        EXPECT_LE(row.weighted_rmse_ratio(), kMaxErrorRatioToOracle)
            << "ours " << row.ours.weighted_rmse << " oracle " << row.oracle.weighted_rmse;
        EXPECT_TRUE(std::isfinite(row.ours.rmse) && std::isfinite(row.ours.weighted_rmse));
        identical += row.identical_rows;
        rows += row.rows;
    }
    if (!count_identical) return;
    std::cout << "[ bytes    ] " << v->name << ": " << identical << " of " << rows
              << " rows byte-identical to the oracle's file\n";
    ::testing::Test::RecordProperty("identical_rows",
                                    std::to_string(identical) + "/" + std::to_string(rows));
    if (byte_identical_types().count(v->name)) {
        EXPECT_EQ(identical, rows);
    }
}

std::string param_name(const ::testing::TestParamInfo<std::string>& p) { return p.param; }

class QuantizerQuality : public ::testing::TestWithParam<std::string> {};
TEST_P(QuantizerQuality, EveryTensorWithinTheRatioBar) {
    if (!full_suite_enabled())
        GTEST_SKIP()
            << "the full suite runs as ctest test_quant_error_full (SWITCHYARD_QUANT_FULL=1)";
    check_quality(GetParam(), {}, /*count_identical=*/true);
}
INSTANTIATE_TEST_SUITE_P(AllTypes, QuantizerQuality, ::testing::ValuesIn(variant_names()),
                         param_name);

// The light variant that runs everywhere (also under qemu): one mid-sized tensor.
class QuantizerQualityQuick : public ::testing::TestWithParam<std::string> {};
TEST_P(QuantizerQualityQuick, OneTensorWithinTheRatioBar) {
    check_quality(GetParam(), {"blk.0.attn_v.weight"}, /*count_identical=*/true);
}
INSTANTIATE_TEST_SUITE_P(AllTypes, QuantizerQualityQuick, ::testing::ValuesIn(variant_names()),
                         param_name);

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantizerQuality);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantizerQualityQuick);

}  // namespace
}  // namespace sy::test
