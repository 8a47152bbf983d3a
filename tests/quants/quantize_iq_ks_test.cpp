// The quantizers of the row-scaled ik types (core/types/quants/quantize_iq_ks.hpp): IQ4_KS,
// IQ5_KS, IQ4_KSS, IQ3_KS, IQ2_KS, IQ2_KL.
//
//   OracleBytes             rows of the golden source quantized with the golden imatrix
//                           must equal the oracle's TYPE.gguf byte for byte: a sample of
//                           rows here, every row of every tensor in the "slow" ctest entry
//                           test_quantize_iq_ks_full (SWITCHYARD_QUANT_FULL=1).
//   RowScaledQuantizer      round-trip error bounds, all-zero rows, a huge outlier, zero
//                           importance, through the kernel table as a caller would.
//   Iq4KssParity            every stored group of four nibbles has even parity and decodes,
//                           by the format's rule, to what the dequantizer outputs.
//   NearestValueLookup / Fp32ToFp16   the helpers the byte-identity depends on.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "golden_support.hpp"
#include "quant_error_support.hpp"
#include "types/quant_kernels.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/quantize_iq_ks_support.hpp"
#include "types/quants/tables.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

struct TypeCase {
    const char* name;
    int32_t id;
    double max_relative_rmse;  // round-trip bound on Gaussian rows (see RoundTrip)
};
// Bounds are ~1.3x the worst the quantizers reach on RoundTrip's rows (0.037, 0.080,
// 0.118, 0.165, 0.255, 0.350), so they catch a broken search but not noise.
const TypeCase kTypes[] = {
    {"IQ5_KS", 152, 0.05}, {"IQ4_KS", 144, 0.105}, {"IQ4_KSS", 146, 0.155},
    {"IQ3_KS", 156, 0.215}, {"IQ2_KL", 157, 0.33}, {"IQ2_KS", 145, 0.46},
};

std::string case_name(const ::testing::TestParamInfo<TypeCase>& p) { return p.param.name; }
void PrintTo(const TypeCase& t, std::ostream* os) { *os << t.name; }

const QuantKernels& kernels_of(int32_t id) {
    const QuantKernels* k = find_kernels(id);
    EXPECT_NE(k, nullptr);
    EXPECT_NE(k->quantize_row, nullptr);
    return *k;
}

std::vector<uint8_t> quantize(int32_t id, const std::vector<float>& x, const float* importance) {
    const QuantKernels& k = kernels_of(id);
    std::vector<uint8_t> row(row_bytes(id, int64_t(x.size()), "test row"), 0xAB);
    k.quantize_row(x.data(), row.data(), int64_t(x.size()), importance);
    return row;
}

std::vector<float> dequantize(int32_t id, const std::vector<uint8_t>& row, size_t n) {
    std::vector<float> y(n, -12345.f);
    kernels_of(id).dequantize_row(row.data(), y.data(), int64_t(n));
    return y;
}

double rms(const std::vector<float>& a) {
    double s = 0;
    for (float v : a) s += double(v) * v;
    return std::sqrt(s / double(a.size()));
}
double rms_error(const std::vector<float>& x, const std::vector<float>& y) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
    return std::sqrt(s / double(x.size()));
}

// ---- byte identity with the oracle ----

bool full_suite_enabled() {
    const char* v = std::getenv("SWITCHYARD_QUANT_FULL");
    return v && std::string(v) == "1";
}

// The sample of the light run: every 16th row, plus the rows that exercise edge cases
// (all-zero rows, the row holding the tensor's largest magnitude).
std::vector<int64_t> rows_to_check(const SourceMatrix& m, bool all) {
    std::vector<int64_t> rows;
    int64_t peak_row = 0;
    float peak = -1;
    for (int64_t r = 0; r < m.rows; ++r) {
        const float* x = m.values.data() + r * m.ne0;
        bool zero = true;
        for (int64_t j = 0; j < m.ne0; ++j) {
            zero = zero && x[j] == 0;
            if (std::abs(x[j]) > peak) {
                peak = std::abs(x[j]);
                peak_row = r;
            }
        }
        if (all || r % 16 == 0 || zero) rows.push_back(r);
    }
    if (std::find(rows.begin(), rows.end(), peak_row) == rows.end()) rows.push_back(peak_row);
    return rows;
}

void check_oracle_bytes(const TypeCase& t, bool all_rows) {
    const QuantErrorFixtures& f = quant_error_fixtures();
    const GgufFixture oracle = read_gguf_fixture(golden_path(std::string(t.name) + ".gguf"));
    const QuantizeRowFn quantize_row = kernels_of(t.id).quantize_row;
    int64_t checked = 0, identical = 0;
    for (const SourceMatrix& m : f.matrices) {
        const FixtureTensor& o = tensor_named(oracle, m.name);
        ASSERT_EQ(o.type, t.id) << m.name;
        ASSERT_EQ(o.row_length(), m.ne0) << m.name;
        const uint64_t stride = row_bytes(t.id, m.ne0, m.name);
        const ImatrixEntry* entry = f.imatrix.find(m.name);
        std::vector<uint8_t> ours(stride);
        int64_t tensor_checked = 0, tensor_identical = 0;
        for (const int64_t r : rows_to_check(m, all_rows)) {
            quantize_row(m.values.data() + r * m.ne0, ours.data(), m.ne0,
                         importance_for_row(entry, m, r));
            const uint8_t* theirs = oracle.data(o) + uint64_t(r) * stride;
            const bool same = std::equal(ours.begin(), ours.end(), theirs);
            EXPECT_TRUE(same) << t.name << " " << m.name << " row " << r;
            ++tensor_checked;
            tensor_identical += same;
        }
        if (all_rows)
            std::cout << "[ bytes    ] " << t.name << " " << m.name << ": " << tensor_identical
                      << "/" << tensor_checked << " rows identical\n";
        checked += tensor_checked;
        identical += tensor_identical;
    }
    std::cout << "[ bytes    ] " << t.name << ": " << identical << " of " << checked
              << " rows byte-identical to the oracle's file\n";
}

class OracleBytes : public ::testing::TestWithParam<TypeCase> {};

TEST_P(OracleBytes, SampledRowsEqualTheOracleFile) { check_oracle_bytes(GetParam(), false); }

TEST_P(OracleBytes, EveryRowEqualsTheOracleFile) {
    if (!full_suite_enabled())
        GTEST_SKIP() << "runs as ctest test_quantize_iq_ks_full (SWITCHYARD_QUANT_FULL=1)";
    check_oracle_bytes(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(RowScaled, OracleBytes, ::testing::ValuesIn(kTypes), case_name);

// ---- behaviour on synthetic rows ----

class RowScaledQuantizer : public ::testing::TestWithParam<TypeCase> {};

std::vector<float> gaussian_row(std::mt19937& rng, size_t n, float sigma) {
    std::normal_distribution<float> g(0.f, sigma);
    std::vector<float> x(n);
    for (float& v : x) v = g(rng);
    return x;
}

TEST_P(RowScaledQuantizer, RoundTripErrorIsBoundedWithAndWithoutImportance) {
    const TypeCase& t = GetParam();
    std::mt19937 rng(20260815);
    std::uniform_real_distribution<float> u(0.1f, 4.f);
    for (int trial = 0; trial < 4; ++trial) {
        const float sigma = trial % 2 ? 0.02f : 3.f;  // the header scale tracks the row
        const std::vector<float> x = gaussian_row(rng, 512, sigma);
        std::vector<float> importance(x.size());
        for (float& w : importance) w = u(rng);
        const float* const with_and_without[] = {nullptr, importance.data()};
        for (const float* imp : with_and_without) {
            const std::vector<float> y = dequantize(t.id, quantize(t.id, x, imp), x.size());
            const double relative = rms_error(x, y) / rms(x);
            EXPECT_LT(relative, t.max_relative_rmse)
                << t.name << " trial " << trial << (imp ? " with" : " without") << " importance";
        }
    }
}

TEST_P(RowScaledQuantizer, AllZeroRowDecodesToZeros) {
    const TypeCase& t = GetParam();
    const std::vector<float> x(512, 0.f);
    const std::vector<float> importance(x.size(), 1.f);
    const float* const with_and_without[] = {nullptr, importance.data()};
    for (const float* imp : with_and_without) {
        const std::vector<uint8_t> row = quantize(t.id, x, imp);
        const std::vector<float> y = dequantize(t.id, row, x.size());
        for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], 0.f) << t.name << " element " << i;
        // The header is a zero scale (IQ3_KS stores -0, as ik: d = -max_scale/16), not a NaN
        // from an empty least-squares fit.
        float d;
        if (kernels_of(t.id).row_header_bytes == 4) {
            std::memcpy(&d, row.data(), sizeof d);
        } else {
            uint16_t half;
            std::memcpy(&half, row.data(), sizeof half);
            d = quants::fp16_to_fp32(half);
        }
        EXPECT_EQ(d, 0.f) << t.name;
    }
}

// A single huge value among small noise (1e5 x its sigma). The outlier must survive. Its
// own 32-block gets a scale for it, so its neighbours there land on the nearest of a few
// coarse steps (~9 % of the outlier for IQ3_KS, whose smallest values are 1 and -10 steps;
// ~16 % for the IQ2_KL partner element, which must form a grid pair with it). The other
// blocks cannot keep their precision either (the 7-bit multipliers of
// IQ4_KS span only 127:1, and a block keeps the shifted-table choice made for its own
// scale), but must stay within 0.1 % of the outlier, as ik's quantizers do.
TEST_P(RowScaledQuantizer, OneHugeOutlierIsKeptAndTheRestStaysSmall) {
    const TypeCase& t = GetParam();
    constexpr size_t kAt = 77;
    constexpr float kOutlier = 1000.f;
    std::mt19937 rng(7);
    std::vector<float> x = gaussian_row(rng, 256, 0.01f);
    x[kAt] = kOutlier;
    const std::vector<float> y = dequantize(t.id, quantize(t.id, x, nullptr), x.size());
    for (float v : y) ASSERT_TRUE(std::isfinite(v)) << t.name;
    EXPECT_NEAR(y[kAt], kOutlier, 0.15f * kOutlier) << t.name;
    for (size_t i = 0; i < y.size(); ++i) {
        const bool same_block = i / 32 == kAt / 32;
        if (i == kAt) continue;
        ASSERT_LT(std::abs(y[i] - x[i]), (same_block ? 0.2f : 1e-3f) * kOutlier)
            << t.name << " element " << i;
    }
}

TEST_P(RowScaledQuantizer, ZeroImportanceStillQuantizes) {
    // A block whose importance is all zero is quantized with a tiny uniform weight instead,
    // as ik does; the result must be as good as without importance.
    const TypeCase& t = GetParam();
    std::mt19937 rng(11);
    const std::vector<float> x = gaussian_row(rng, 256, 1.f);
    const std::vector<float> zeros(x.size(), 0.f);
    const std::vector<float> y = dequantize(t.id, quantize(t.id, x, zeros.data()), x.size());
    EXPECT_LT(rms_error(x, y) / rms(x), t.max_relative_rmse) << t.name;
}

// ik asserts or reads out of bounds on NaN and infinite input; ours must simply not crash
// (run under the sanitizers) and keep the IQ4_KSS packing valid. The values are garbage.
TEST_P(RowScaledQuantizer, NonFiniteInputIsSurvived) {
    const TypeCase& t = GetParam();
    std::mt19937 rng(13);
    std::vector<float> x = gaussian_row(rng, 512, 1.f);
    x[3] = std::nanf("");
    x[300] = INFINITY;
    x[301] = -INFINITY;
    std::vector<float> importance(x.size(), 1.f);
    importance[40] = std::nanf("");
    const float* const with_and_without[] = {nullptr, importance.data()};
    for (const float* imp : with_and_without) {
        const std::vector<float> y = dequantize(t.id, quantize(t.id, x, imp), x.size());
        EXPECT_EQ(y.size(), x.size()) << t.name;
    }
}

TEST_P(RowScaledQuantizer, SameRowSameBytes) {
    const TypeCase& t = GetParam();
    std::mt19937 rng(3);
    const std::vector<float> x = gaussian_row(rng, 768, 0.5f);
    EXPECT_EQ(quantize(t.id, x, nullptr), quantize(t.id, x, nullptr)) << t.name;
}

INSTANTIATE_TEST_SUITE_P(RowScaled, RowScaledQuantizer, ::testing::ValuesIn(kTypes), case_name);

// ---- IQ4_KSS parity packing ----

TEST(Iq4KssParity, EveryGroupHasEvenParityAndDecodesAsTheDequantizerDoes) {
    std::mt19937 rng(5);
    const int32_t id = 146;
    for (int trial = 0; trial < 6; ++trial) {
        const std::vector<float> x = gaussian_row(rng, 512, trial % 3 == 0 ? 1e-3f : 1.f);
        std::vector<float> importance(x.size());
        std::uniform_real_distribution<float> u(0.f, 2.f);
        for (float& w : importance) w = u(rng);
        const std::vector<uint8_t> row = quantize(id, x, trial % 2 ? importance.data() : nullptr);
        const std::vector<float> y = dequantize(id, row, x.size());
        float d;
        std::memcpy(&d, row.data(), sizeof d);
        for (size_t ibl = 0; ibl < x.size() / 256; ++ibl) {
            quants::BlockIq4Kss b;
            std::memcpy(&b, row.data() + 4 + ibl * sizeof b, sizeof b);
            for (int ib = 0; ib < 8; ++ib) {
                int scale_byte = 0;
                uint16_t groups[8];
                for (int k = 0; k < 8; ++k) {
                    const uint16_t w = b.qs[8 * ib + k];
                    scale_byte |= (w & 1) << k;
                    // The format's rule: drop bit 0, undo the Gray code.
                    const uint16_t v = uint16_t(w & 0xFFFE);
                    groups[k] = uint16_t(v ^ (v >> 1));
                    ASSERT_EQ(std::popcount(groups[k]) % 2, 0)
                        << "trial " << trial << " block " << ib << " group " << k;
                }
                const float dl = d * float((scale_byte & 254) - 127);
                const int8_t* values = quants::kIq4kValues.data() + 16 * (scale_byte & 1);
                for (int k = 0; k < 8; ++k) {
                    // Group k holds elements 2k, 2k+16, 2k+1, 2k+17 (nibbles 0..3).
                    const int at[4] = {2 * k, 2 * k + 16, 2 * k + 1, 2 * k + 17};
                    for (int j = 0; j < 4; ++j) {
                        const size_t e = 256 * ibl + 32 * size_t(ib) + size_t(at[j]);
                        ASSERT_EQ(y[e], dl * float(values[(groups[k] >> 4 * j) & 0xF])) << e;
                    }
                }
            }
        }
    }
}

// ---- helpers ----

// The bucket lookup is the plain nearest value (ties to the upper one), except where a
// float distance comparison would round to a tie inside a bucket that answers directly.
TEST(NearestValueLookup, IsTheNearestValueAwayFromRoundingTies) {
    using quants::iqks::NearestValueLookup;
    auto check = [](const auto& lookup, int n) {
        const int8_t* v = lookup.values();
        for (float x = -140.f; x <= 140.f; x += 0.0625f) {
            int nearest = 0;
            for (int k = 1; k < n; ++k)
                if (std::abs(x - float(v[k])) <= std::abs(x - float(v[nearest]))) nearest = k;
            ASSERT_EQ(lookup.index(x), nearest) << "x = " << x;
        }
    };
    check(NearestValueLookup<8>(quants::kIq3nlValues.data()), 8);
    check(NearestValueLookup<8>(quants::kIq3nlValues.data() + 8), 8);
    check(NearestValueLookup<16>(quants::kIq4kValues.data()), 16);
    check(NearestValueLookup<16>(quants::kIq4kValues.data() + 16), 16);
    check(NearestValueLookup<32>(quants::kIq5nlValues.data()), 32);
    check(NearestValueLookup<32>(quants::kIq5nlValues.data() + 32), 32);
}

TEST(NearestValueLookup, KeepsTheOraclesAnswerWhereDistancesRoundToATie) {
    // Between -1 and 5 (IQ5_KS) the midpoint is 2. Just below it the float distances
    // 3 - 2^-23 and 3 + 2^-23 both round to 3; the oracle's bucket [1, 2) answers -1.
    const quants::iqks::NearestValueLookup<32> lookup(quants::kIq5nlValues.data());
    const float just_below_two = std::nextafter(2.f, 0.f);
    EXPECT_EQ(quants::kIq5nlValues[16], -1);
    EXPECT_EQ(lookup.index(just_below_two), 16);
    EXPECT_EQ(lookup.index(2.f), 17);  // an exact tie goes up
    // Out of range and non-finite inputs (x86 truncation gives INT_MIN: the lowest index).
    EXPECT_EQ(lookup.index(1e9f), 31);
    EXPECT_EQ(lookup.index(-1e9f), 0);
    EXPECT_EQ(lookup.index(3e9f), 0);
    EXPECT_EQ(lookup.index(std::nanf("")), 0);
}

TEST(Fp32ToFp16, RoundsToNearestEvenLikeF16c) {
    using quants::fp16_to_fp32;
    using quants::iqks::fp32_to_fp16;
    // Every finite half round-trips, and the midpoint to the next half rounds to even.
    for (uint32_t h = 0; h < 0x7C00; ++h) {
        const float f = fp16_to_fp32(uint16_t(h));
        ASSERT_EQ(fp32_to_fp16(f), h) << h;
        ASSERT_EQ(fp32_to_fp16(-f), h | 0x8000) << h;
        if (h + 1 < 0x7C00) {
            const float mid = (f + fp16_to_fp32(uint16_t(h + 1))) / 2;  // exact in float
            ASSERT_EQ(fp32_to_fp16(mid), (h & 1) ? h + 1 : h) << h;
            ASSERT_EQ(fp32_to_fp16(std::nextafter(mid, 1e9f)), h + 1) << h;
            ASSERT_EQ(fp32_to_fp16(std::nextafter(mid, 0.f)), h) << h;
        }
    }
    EXPECT_EQ(fp32_to_fp16(65519.f), 0x7BFF);
    EXPECT_EQ(fp32_to_fp16(65520.f), 0x7C00);  // rounds up to infinity
    EXPECT_EQ(fp32_to_fp16(INFINITY), 0x7C00);
    EXPECT_EQ(fp32_to_fp16(-INFINITY), 0xFC00);
    EXPECT_EQ(fp32_to_fp16(1e-10f), 0);
    EXPECT_EQ(fp32_to_fp16(std::nanf("")) & 0x7E00, 0x7E00);
}

TEST(NearestInt, RoundsHalfToEvenAndFusesTheProduct) {
    using quants::iqks::nearest_int;
    using quants::iqks::nearest_int_of_product;
    EXPECT_EQ(nearest_int(2.5f), 2);
    EXPECT_EQ(nearest_int(3.5f), 4);
    EXPECT_EQ(nearest_int(-2.5f), -2);
    EXPECT_EQ(nearest_int(-0.4f), 0);
    // (1 + 2^-12) * (1.5 - 2^-12) = 1.5 + 2^-13 - 2^-24, which rounds to 1.5 + 2^-13 as a
    // float (so nearest_int would see > 1.5 once scaled); fused, the exact product is kept.
    const float a = 1.f + 0x1p-12f, b = 1.5f - 0x1p-12f;
    EXPECT_EQ(nearest_int_of_product(a, b), 2);
    EXPECT_EQ(nearest_int_of_product(2.f, 1.25f), 2);  // 2.5 -> 2
}

}  // namespace
}  // namespace sy::test
