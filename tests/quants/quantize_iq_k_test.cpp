// Quantizers of IQ2_K .. IQ6_K (quantize_iq_k.cpp): round trips on random rows and edge
// rows. Bit-exactness with the oracle is the golden suite's job (quant_error_test.cpp).
#include <gtest/gtest.h>

#include "quant_error_row_checks.hpp"

namespace sy::test {
namespace {

// Bounds: the measured relative RMSE on these rows, rounded up by ~25 %.
const RowQuantizerSpec kSpecs[] = {
    {"IQ2_K", 137, nullptr, 0.41, true},  {"IQ3_K", 138, nullptr, 0.19, true},
    {"IQ4_K", 139, nullptr, 0.09, true},  {"IQ5_K", 140, nullptr, 0.045, true},
    {"IQ6_K", 141, nullptr, 0.022, true},
};

class IqKQuantizer : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(IqKQuantizer, GaussianRoundTrip) { check_gaussian_round_trip(GetParam()); }
TEST_P(IqKQuantizer, AllZeroRow) { check_zero_row(GetParam()); }
TEST_P(IqKQuantizer, OneHugeOutlier) { check_outlier_row(GetParam(), 0.05); }
TEST_P(IqKQuantizer, DegenerateInputs) { check_degenerate_inputs(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Types, IqKQuantizer, ::testing::ValuesIn(kSpecs),
                         [](const ::testing::TestParamInfo<RowQuantizerSpec>& p) {
                             return p.param.name;
                         });

}  // namespace
}  // namespace sy::test
