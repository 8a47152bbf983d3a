// The rounding helpers every quantizer relies on: float -> fp16/bf16, nearest_int, the
// nearest-value lookups of the non-linear tables, the degenerate-block weight rule.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "types/quant_kernels.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

bool is_nan_half(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0; }

TEST(Fp32ToFp16, EveryHalfRoundTrips) {
    for (uint32_t h = 0; h < 0x10000u; ++h) {
        const float f = fp16_to_fp32(uint16_t(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(is_nan_half(fp32_to_fp16(f))) << std::hex << h;
            continue;
        }
        EXPECT_EQ(fp32_to_fp16(f), h) << std::hex << h;
    }
}

// Between two neighbouring finite halves, values below the midpoint go down, above it up,
// and the midpoint itself to the even one (round to nearest even), subnormals included.
TEST(Fp32ToFp16, MidpointsRoundToEven) {
    for (uint32_t h = 0; h < 0x7bffu; ++h) {
        const double lo = fp16_to_fp32(uint16_t(h)), hi = fp16_to_fp32(uint16_t(h + 1));
        const auto mid = float((lo + hi) / 2);  // exact: halves have 11 significant bits
        const uint16_t even = (h & 1u) ? uint16_t(h + 1) : uint16_t(h);
        EXPECT_EQ(fp32_to_fp16(mid), even) << std::hex << h;
        EXPECT_EQ(fp32_to_fp16(std::nextafter(mid, 0.f)), h) << std::hex << h;
        EXPECT_EQ(fp32_to_fp16(std::nextafter(mid, 1e9f)), h + 1) << std::hex << h;
        EXPECT_EQ(fp32_to_fp16(-mid), even | 0x8000u) << std::hex << h;
    }
}

TEST(Fp32ToFp16, OverflowUnderflowAndNaN) {
    EXPECT_EQ(fp32_to_fp16(65504.f), 0x7bffu);    // largest half
    EXPECT_EQ(fp32_to_fp16(65519.99f), 0x7bffu);  // still rounds down
    EXPECT_EQ(fp32_to_fp16(65520.f), 0x7c00u);    // ties to even: infinity
    EXPECT_EQ(fp32_to_fp16(1e30f), 0x7c00u);
    EXPECT_EQ(fp32_to_fp16(-std::numeric_limits<float>::infinity()), 0xfc00u);
    EXPECT_EQ(fp32_to_fp16(std::ldexp(1.f, -25)), 0u);  // half of the smallest: to even
    EXPECT_EQ(fp32_to_fp16(std::ldexp(1.5f, -25)), 1u);
    EXPECT_EQ(fp32_to_fp16(1e-30f), 0u);
    EXPECT_EQ(fp32_to_fp16(-0.f), 0x8000u);
    EXPECT_TRUE(is_nan_half(fp32_to_fp16(std::numeric_limits<float>::quiet_NaN())));
    EXPECT_TRUE(is_nan_half(fp32_to_fp16(std::bit_cast<float>(0x7f800001u))));  // signalling
}

TEST(Fp32ToBf16, RoundsToNearestEvenAndQuietsNaN) {
    EXPECT_EQ(fp32_to_bf16(1.f), 0x3f80u);
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3f808000u)), 0x3f80u);  // tie -> even
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3f818000u)), 0x3f82u);  // tie -> even
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3f808001u)), 0x3f81u);
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x7f800001u)), 0x7fc0u);  // sNaN -> qNaN
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0xffc00001u)), 0xffc0u);
    EXPECT_EQ(fp32_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80u);
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x7f7fffffu)), 0x7f80u);  // max float -> inf
}

TEST(FloatRows, F16AndBf16RowsUseTheKernelTableAndRoundTrip) {
    std::mt19937 rng(7);
    std::normal_distribution<float> gauss(0.f, 3.f);
    std::vector<float> x(64), y(64);
    for (float& v : x) v = gauss(rng);
    for (int32_t id : {1, 30}) {
        const QuantKernels* k = find_kernels(id);
        ASSERT_NE(k, nullptr);
        ASSERT_NE(k->quantize_row, nullptr);
        std::vector<uint8_t> row(2 * x.size());
        k->quantize_row(x.data(), row.data(), int64_t(x.size()), nullptr);
        k->dequantize_row(row.data(), y.data(), int64_t(x.size()));
        const float tolerance = id == 1 ? 0x1p-11f : 0x1p-8f;  // half an ulp, relative
        for (size_t i = 0; i < x.size(); ++i)
            EXPECT_LE(std::abs(y[i] - x[i]), tolerance * std::abs(x[i])) << id << " " << i;
    }
}

TEST(NearestInt, RoundsHalfToEven) {
    EXPECT_EQ(nearest_int(0.5f), 0);
    EXPECT_EQ(nearest_int(1.5f), 2);
    EXPECT_EQ(nearest_int(2.5f), 2);
    EXPECT_EQ(nearest_int(-0.5f), 0);
    EXPECT_EQ(nearest_int(-1.5f), -2);
    EXPECT_EQ(nearest_int(-7.49f), -7);
    EXPECT_EQ(nearest_int(31.51f), 32);
    // The product is rounded once: 0.1f * 25 is 2.5000000372..., which rounds to 2.5f.
    EXPECT_EQ(nearest_int(0.1f * 25.f), 2);
    EXPECT_EQ(nearest_int_of_product(0.1f, 25.f), 3);
    EXPECT_EQ(truncate_to_int(std::numeric_limits<float>::quiet_NaN()), 0);
    EXPECT_EQ(truncate_to_int(1e20f), 1 << 30);
}

// The table lookups give a nearest value (ties may go either way only at exact midpoints),
// for both halves of every table and far outside the table's range.
TEST(NearestValueIndex, FindsANearestValueOfEveryTable) {
    struct Table {
        const int8_t* values;
        int count;
        const NearestValueIndex& lookup;
    };
    const Table tables[] = {{kIq3nlValues.data(), 8, iq3nl_nearest()},
                            {kIq4kValues.data(), 16, iq4nl_nearest()},
                            {kIq5nlValues.data(), 32, iq5nl_nearest()},
                            {kIq6nlValues.data(), 64, iq6nl_nearest()}};
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> uniform(-140.f, 140.f);
    for (const Table& t : tables) {
        for (int half = 0; half < 2; ++half) {
            const int8_t* values = t.values + half * t.count;
            for (int i = 0; i < 20000; ++i) {
                float x = uniform(rng);
                if (i % 4 == 0) x = std::round(2 * x) / 2;  // integers and half-integers
                const int got = t.lookup(values, x);
                ASSERT_GE(got, 0);
                ASSERT_LT(got, t.count);
                float best = std::numeric_limits<float>::infinity();
                for (int k = 0; k < t.count; ++k) best = std::min(best, std::abs(x - values[k]));
                EXPECT_LE(std::abs(x - values[got]), best * (1 + 1e-6f) + 1e-6f)
                    << "count " << t.count << " half " << half << " x " << x;
            }
            EXPECT_EQ(t.lookup(values, -1e9f), 0);
            EXPECT_EQ(t.lookup(values, 1e9f), t.count - 1);
            EXPECT_EQ(t.lookup(values, std::numeric_limits<float>::quiet_NaN()) >= 0, true);
        }
    }
}

TEST(NearestValueIndex, TiesGoToTheUpperValue) {
    // -127 and -104 (IQ4_NL): midpoint -115.5; 1 and 13: midpoint 7.
    EXPECT_EQ(iq4nl_nearest()(kIq4kValues.data(), -115.5f), 1);
    EXPECT_EQ(iq4nl_nearest()(kIq4kValues.data(), 7.f), 9);
    EXPECT_EQ(iq4nl_nearest()(kIq4kValues.data(), 6.99f), 8);
}

TEST(Iq6kTable, ShiftedHalfIsThePlainHalfPlusOne) {
    for (int i = 0; i < 64; ++i)
        EXPECT_EQ(kIq6nlValues[size_t(i + 64)], kIq6nlValues[size_t(i)] + 1);
}

TEST(DegenerateBlocks, GetTinyUniformWeightsOnly) {
    std::vector<float> x(48, 1.f), w(48, 2.f), scratch;
    for (int j = 16; j < 32; ++j) w[size_t(j)] = 0;  // block 1: no importance
    for (int j = 32; j < 48; ++j) x[size_t(j)] = 0;  // block 2: all-zero values
    const float* out = importance_with_degenerate_blocks_fixed(x.data(), w.data(), 48, 16, scratch);
    ASSERT_NE(out, nullptr);
    for (int j = 0; j < 16; ++j) EXPECT_EQ(out[j], 2.f);
    for (int j = 16; j < 48; ++j) EXPECT_EQ(out[j], 1e-9f);
    EXPECT_EQ(importance_with_degenerate_blocks_fixed(x.data(), nullptr, 48, 16, scratch), nullptr);
}

}  // namespace
}  // namespace sy::quants
