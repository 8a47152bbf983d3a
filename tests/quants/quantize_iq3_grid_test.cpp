// The 3-bit grid quantizers (core/types/quants/quantize_iq3_grid.cpp): IQ3_XXS, IQ3_S, and
// their neighbour lists (grid_neighbours_iq3.hpp).
//
//   Iq3OracleBytes   rows of the golden source quantized with the golden imatrix must equal
//                    the oracle's TYPE.gguf byte for byte: every 8th row (plus the peak row)
//                    of every tensor here; every row in the "slow" ctest entry
//                    test_quantize_iq3_grid_full (SWITCHYARD_QUANT_FULL=1).
//   Iq3Quantizer     round-trip error bounds with and without importance, all-zero rows,
//                    outliers, degenerate weights and non-finite input, through the kernel
//                    table as a caller would.
//   Iq3Neighbours    the lists against their definition, by brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "golden_support.hpp"
#include "quant_error_row_checks.hpp"
#include "oracle_bytes_check.hpp"
#include "quant_error_support.hpp"
#include "types/quant_kernels.hpp"
#include "types/quants/grid_neighbours_iq3.hpp"
#include "types/quants/tables.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

constexpr int32_t kIq3Xxs = 18;
constexpr int32_t kIq3S = 21;

// Bounds: ~1.25x the worst relative RMSE measured on the shared Gaussian rows.
const RowQuantizerSpec kSpecs[] = {
    {"IQ3_XXS", kIq3Xxs, nullptr, 0.30, true},
    {"IQ3_S", kIq3S, nullptr, 0.22, true},
};

std::string spec_name(const ::testing::TestParamInfo<RowQuantizerSpec>& p) { return p.param.name; }

bool full_suite_enabled() {
    const char* v = std::getenv("SWITCHYARD_QUANT_FULL");
    return v && std::string(v) == "1";
}

// ---- byte identity with the oracle's files ----

void check_oracle_bytes(const RowQuantizerSpec& t, bool all) {
    const QuantKernels* k = find_kernels(t.type_id);
    ASSERT_NE(k, nullptr);
    ASSERT_NE(k->quantize_row, nullptr);
    // Every tensor, every 8th row: the oracle quantized every matrix with an imatrix entry.
    expect_rows_equal_oracle(t.name, t.type_id, k->quantize_row,
                             {.all = all, .first_tensor_only = false, .every = 8, .require_importance = true});
}

class Iq3OracleBytes : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(Iq3OracleBytes, SampledRowsEqualTheOracleFile) { check_oracle_bytes(GetParam(), false); }

TEST_P(Iq3OracleBytes, EveryRowEqualsTheOracleFile) {
    if (!full_suite_enabled())
        GTEST_SKIP() << "runs as ctest test_quantize_iq3_grid_full (SWITCHYARD_QUANT_FULL=1)";
    check_oracle_bytes(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(Iq3Grid, Iq3OracleBytes, ::testing::ValuesIn(kSpecs), spec_name);

// ---- behaviour on synthetic rows ----

class Iq3Quantizer : public ::testing::TestWithParam<RowQuantizerSpec> {};

TEST_P(Iq3Quantizer, GaussianRoundTrip) { check_gaussian_round_trip(GetParam()); }
TEST_P(Iq3Quantizer, AllZeroRow) { check_zero_row(GetParam()); }
TEST_P(Iq3Quantizer, OneHugeOutlier) { check_outlier_row(GetParam(), 0.1); }
TEST_P(Iq3Quantizer, DegenerateInputs) { check_degenerate_inputs(GetParam()); }

// Every decoded value keeps the sign of its input, except (IQ3_XXS) at most one element per
// group of 8, whose sign is implied by the parity of the other seven: then it must be the
// group's least important one, which without importance (w = x^2) is the smallest |x|.
TEST_P(Iq3Quantizer, SignsFollowTheInput) {
    const RowQuantizerSpec& s = GetParam();
    const std::vector<float> x = gaussian_row(kRowLength, 31);
    const RowResult r = quantize_round_trip(s.type_id, x, nullptr);
    for (size_t g = 0; g < x.size(); g += 8) {
        const auto smallest =
            std::min_element(x.begin() + long(g), x.begin() + long(g) + 8,
                             [](float a, float b) { return std::abs(a) < std::abs(b); });
        int wrong = 0;
        for (size_t i = g; i < g + 8; ++i) {
            if ((x[i] < 0) == (r.values[i] < 0)) continue;
            ++wrong;
            EXPECT_EQ(long(i), smallest - x.begin()) << "group " << g / 8;
        }
        EXPECT_LE(wrong, s.type_id == kIq3Xxs ? 1 : 0) << "group " << g / 8;
    }
}

// An all-zero 32-element block between non-zero ones: the other blocks of the super-block
// decode as well as without it (the oracle's IQ3_S writes them one block early here;
// quantize_iq3_grid.cpp), and nothing becomes non-finite.
TEST_P(Iq3Quantizer, ZeroBlockInsideASuperBlock) {
    const RowQuantizerSpec& s = GetParam();
    std::vector<float> x = gaussian_row(256, 41);
    std::fill(x.begin() + 64, x.begin() + 96, 0.f);
    const RowResult r = quantize_round_trip(s.type_id, x, nullptr);
    ASSERT_TRUE(all_finite(r.values));
    std::vector<float> rest_x(x.begin() + 96, x.end()),
        rest_y(r.values.begin() + 96, r.values.end());
    EXPECT_LE(relative_rmse(rest_x, rest_y), s.max_relative_rmse);
}

// NaN and infinity are not quantizable (the oracle aborts), but must not crash, and the
// other super-blocks of the row are unaffected.
TEST_P(Iq3Quantizer, NonFiniteInputStaysInItsSuperBlock) {
    const RowQuantizerSpec& s = GetParam();
    for (const float bad :
         {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
        std::vector<float> x = gaussian_row(512, 51);
        x[3] = bad;
        x[200] = -bad;
        const RowResult r = quantize_round_trip(s.type_id, x, nullptr);
        const std::vector<float> second_x(x.begin() + 256, x.end());
        const std::vector<float> second_y(r.values.begin() + 256, r.values.end());
        ASSERT_TRUE(all_finite(second_y));
        EXPECT_LE(relative_rmse(second_x, second_y), s.max_relative_rmse);
    }
}

INSTANTIATE_TEST_SUITE_P(Iq3Grid, Iq3Quantizer, ::testing::ValuesIn(kSpecs), spec_name);

// ---- the neighbour lists ----

struct NeighbourCase {
    const char* name;
    const quants::Iq3GridNeighbours& (*map)();
    int grid_size;
    int shells;
};
const NeighbourCase kNeighbourCases[] = {
    {"IQ3_XXS", quants::iq3xxs_grid_neighbours, 256, 2},
    {"IQ3_S", quants::iq3s_grid_neighbours, 512, 3},
};

class Iq3Neighbours : public ::testing::TestWithParam<NeighbourCase> {};

uint32_t code_of(const std::array<int8_t, 4>& l) {
    return quants::Iq3GridNeighbours::code_of(l.data());
}

TEST_P(Iq3Neighbours, GridPointsAreDistinctCodesThatMapBack) {
    const quants::Iq3GridNeighbours& map = GetParam().map();
    ASSERT_EQ(map.grid_size(), GetParam().grid_size);
    std::set<uint32_t> codes;
    for (int i = 0; i < map.grid_size(); ++i) {
        for (int8_t l : map.levels(i)) ASSERT_TRUE(l >= 0 && l <= 7);
        const uint32_t c = code_of(map.levels(i));
        EXPECT_EQ(map.grid_index(c), i);
        EXPECT_TRUE(map.neighbours(c).empty());
        codes.insert(c);
    }
    EXPECT_EQ(codes.size(), size_t(map.grid_size()));
}

// The levels come from the dequantizer's grid table: level l decodes to the l-th byte value.
TEST_P(Iq3Neighbours, LevelsDecodeToTheGridTable) {
    const NeighbourCase& c = GetParam();
    const quants::Iq3GridNeighbours& map = c.map();
    const bool xxs = c.grid_size == 256;
    for (int i = 0; i < map.grid_size(); ++i) {
        const uint32_t entry = xxs ? quants::kIq3xxsGrid[size_t(i)] : quants::kIq3sGrid[size_t(i)];
        for (int k = 0; k < 4; ++k) {
            const int l = map.levels(i)[size_t(k)];
            const int expected = xxs ? (l == 7 ? 62 : 4 + 8 * l) : 2 * l + 1;
            EXPECT_EQ(quants::grid_byte(entry, k), expected) << "entry " << i << " byte " << k;
        }
    }
}

TEST_P(Iq3Neighbours, OffGridListsHoldTheNearestShellsInOrder) {
    const NeighbourCase& c = GetParam();
    const quants::Iq3GridNeighbours& map = c.map();
    for (uint32_t code = 0; code < 4096; ++code) {
        if (map.grid_index(code) >= 0) continue;
        const int l[4] = {int(code & 7), int(code >> 3 & 7), int(code >> 6 & 7),
                          int(code >> 9 & 7)};
        std::vector<int> distance(size_t(map.grid_size()));
        std::set<int> distinct;
        for (int i = 0; i < map.grid_size(); ++i) {
            int d = 0;
            for (int k = 0; k < 4; ++k)
                d += (map.levels(i)[size_t(k)] - l[k]) * (map.levels(i)[size_t(k)] - l[k]);
            distance[size_t(i)] = d;
            distinct.insert(d);
        }
        const int limit = *std::next(distinct.begin(), c.shells - 1);
        std::vector<int> expected;
        for (int i = 0; i < map.grid_size(); ++i)
            if (distance[size_t(i)] <= limit) expected.push_back(i);
        std::sort(expected.begin(), expected.end(), [&](int a, int b) {
            return distance[size_t(a)] != distance[size_t(b)]
                       ? distance[size_t(a)] < distance[size_t(b)]
                       : a < b;
        });
        const auto got = map.neighbours(code);
        ASSERT_EQ(std::vector<int>(got.begin(), got.end()), expected) << "code " << code;
    }
}

INSTANTIATE_TEST_SUITE_P(Iq3Grid, Iq3Neighbours, ::testing::ValuesIn(kNeighbourCases),
                         [](const ::testing::TestParamInfo<NeighbourCase>& p) {
                             return std::string(p.param.name);
                         });

}  // namespace
}  // namespace sy::test
