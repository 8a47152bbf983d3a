// Quantizers of Q2_K..Q6_K and IQ4_XS (quantize_k_quants.cpp): round trips on random rows
// (fixed seeds) and edge rows. Bit-exactness with the oracle is the golden suite's job
// (quant_error_test.cpp, byte_identical_types()).
#include <gtest/gtest.h>

#include "quant_error_row_checks.hpp"

namespace sy::test {
namespace {

// Bounds: the measured relative RMSE on these rows, rounded up by ~25 %.
const RowQuantizerSpec kSpecs[] = {
    {"Q2_K", 10, nullptr, 0.41, true},   {"Q3_K", 11, nullptr, 0.21, true},
    {"Q4_K", 12, nullptr, 0.097, true},  {"Q5_K", 13, nullptr, 0.047, true},
    {"Q6_K", 14, nullptr, 0.024, true},  {"IQ4_XS", 23, nullptr, 0.10, true},
};

class KQuantizer : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(KQuantizer, GaussianRoundTrip) { check_gaussian_round_trip(GetParam()); }
TEST_P(KQuantizer, AllZeroRow) { check_zero_row(GetParam()); }
TEST_P(KQuantizer, OneHugeOutlier) { check_outlier_row(GetParam(), 0.05); }
TEST_P(KQuantizer, DegenerateInputs) { check_degenerate_inputs(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Types, KQuantizer, ::testing::ValuesIn(kSpecs),
                         [](const ::testing::TestParamInfo<RowQuantizerSpec>& p) {
                             return p.param.name;
                         });

}  // namespace
}  // namespace sy::test
