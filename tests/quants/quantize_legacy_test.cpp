// Quantizers of the 32-element block types (quantize_legacy.cpp): round trips on random
// rows, edge rows, and the properties each format promises (Q4_X's symmetric levels,
// Q8_0 ignoring importance).
#include <gtest/gtest.h>

#include <cstring>

#include "quant_error_row_checks.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"

namespace sy::test {
namespace {

// Bounds: the measured relative RMSE on these rows, rounded up by ~25 %.
const RowQuantizerSpec kSpecs[] = {
    {"F16", 1, nullptr, 3e-4, false},
    {"BF16", 30, nullptr, 2.5e-3, false},
    {"Q8_0", 8, nullptr, 7e-3, false},
    {"Q4_0", 2, nullptr, 0.115, true},
    {"Q4_X", 2, quants::quantize_row_q4_0_symmetric, 0.125, false},
    {"Q4_1", 3, nullptr, 0.10, true},
    {"Q5_0", 6, nullptr, 0.055, true},
    {"Q5_1", 7, nullptr, 0.048, true},
    {"IQ4_NL", 20, nullptr, 0.10, true},
};

class LegacyQuantizer : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(LegacyQuantizer, GaussianRoundTrip) { check_gaussian_round_trip(GetParam()); }
TEST_P(LegacyQuantizer, AllZeroRow) { check_zero_row(GetParam()); }
TEST_P(LegacyQuantizer, OneHugeOutlier) { check_outlier_row(GetParam(), 0.01); }
TEST_P(LegacyQuantizer, DegenerateInputs) { check_degenerate_inputs(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Types, LegacyQuantizer, ::testing::ValuesIn(kSpecs),
                         [](const ::testing::TestParamInfo<RowQuantizerSpec>& p) {
                             return p.param.name;
                         });

// Q4_X: d = amax/7 > 0, nibbles 1..15 only, the extreme element on level 1 or 15.
TEST(Q4X, UsesTheFifteenSymmetricLevels) {
    const std::vector<float> x = gaussian_row(kRowLength, 31);
    const RowResult r = quantize_round_trip(2, x, nullptr, quants::quantize_row_q4_0_symmetric);
    for (int64_t b = 0; b < kRowLength / 32; ++b) {
        const auto block = quants::load_block<quants::BlockQ4_0>(r.bytes.data() + 18 * b);
        float amax = 0;
        int extreme = 0;
        for (int j = 0; j < 32; ++j)
            if (std::abs(x[size_t(32 * b + j)]) > amax) {
                amax = std::abs(x[size_t(32 * b + j)]);
                extreme = j;
            }
        EXPECT_EQ(block.d, quants::fp32_to_fp16(amax / 7)) << b;
        for (int j = 0; j < 32; ++j) {
            const int q = j < 16 ? block.qs[j] & 0xF : block.qs[j - 16] >> 4;
            EXPECT_GE(q, 1) << b << " " << j;
            if (j == extreme) {
                EXPECT_TRUE(q == 1 || q == 15) << b;
            }
        }
    }
}

// Plain Q4_0 without importance is ggml's reference rounding: d = extreme / -8.
TEST(Q4_0, WithoutImportanceTheExtremeTakesLevelZero) {
    std::vector<float> x(32, 0.25f);
    x[5] = 2.f;
    const RowResult r = quantize_round_trip(2, x, nullptr);
    const auto block = quants::load_block<quants::BlockQ4_0>(r.bytes.data());
    EXPECT_EQ(quants::fp16_to_fp32(block.d), -0.25f);
    EXPECT_EQ(block.qs[5] & 0xF, 0);
    EXPECT_EQ(r.values[5], 2.f);
    EXPECT_EQ(r.values[0], 0.25f);
}

}  // namespace
}  // namespace sy::test
