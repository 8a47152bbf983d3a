// The reference dot products (core/types/quants/vec_dot.hpp) and activation quantizers
// (activation.hpp), for every type of the kernel table.
//
// The yardstick is the exact dot of the two DEQUANTIZED rows, computed in double: the
// dequantizers are proven bit-exact with the oracle (golden_dequant_test.cpp), so a vec_dot
// that matches them to float rounding computes what the formats mean. Weight rows come from
// the table's quantize_row where there is one, and from random bytes (every bit pattern of
// these formats decodes; only the float scale fields are set to sane values) for every
// quantized type, so that also bit patterns a quantizer never writes are covered.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "types/quant_kernels.hpp"
#include "types/quants/activation.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/type_registry.hpp"

namespace sy::quants {
namespace {

using Bytes = std::vector<uint8_t>;

const QuantKernels& kernels(int32_t id) {
    const QuantKernels* k = find_kernels(id);
    if (!k) throw std::runtime_error("no kernels for type " + std::to_string(id));
    return *k;
}

Bytes quantize(int32_t id, const std::vector<float>& x) {
    Bytes row(row_bytes(id, int64_t(x.size()), "test row"));
    kernels(id).quantize_row(x.data(), row.data(), int64_t(x.size()), nullptr);
    return row;
}

std::vector<float> dequantize(int32_t id, const Bytes& row, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    kernels(id).dequantize_row(row.data(), out.data(), n);
    return out;
}

// Gaussian values with an outlier every 53 elements, as real activations have.
std::vector<float> random_floats(int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> x(static_cast<size_t>(n));
    for (size_t i = 0; i < x.size(); ++i) x[i] = normal(rng) * (i % 53 == 7 ? 8.f : 1.f);
    return x;
}

// ---- weight rows from random bytes ----

uint16_t random_half_scale(std::mt19937& rng) {  // +-[1/128, 1/32]
    std::uniform_real_distribution<float> magnitude(1.f / 128, 1.f / 32);
    return fp32_to_fp16(rng() % 2 ? magnitude(rng) : -magnitude(rng));
}

// Byte offsets, inside each block, of the fp16 scale fields of a type (d, dmin, m).
std::vector<size_t> half_scale_fields(int32_t id) {
    switch (id) {
        case 2: return {offsetof(BlockQ4_0, d)};
        case 3: return {offsetof(BlockQ4_1, d), offsetof(BlockQ4_1, m)};
        case 6: return {offsetof(BlockQ5_0, d)};
        case 7: return {offsetof(BlockQ5_1, d), offsetof(BlockQ5_1, m)};
        case 8: return {offsetof(BlockQ8_0, d)};
        case 133: return {offsetof(BlockQ6_0, d)};
        case 10: return {offsetof(BlockQ2_K, d), offsetof(BlockQ2_K, dmin)};
        case 11: return {offsetof(BlockQ3_K, d)};
        case 12: return {offsetof(BlockQ4_K, d), offsetof(BlockQ4_K, dmin)};
        case 13: return {offsetof(BlockQ5_K, d), offsetof(BlockQ5_K, dmin)};
        case 14: return {offsetof(BlockQ6_K, d)};
        case 16: case 17: case 18: case 19: case 20: case 21: case 22: case 23:  // d first
        case 137: case 138: case 139: case 140: case 141: return {0};
        default: return {};
    }
}

// A row of `n` elements of type `id` from random bytes, with sane float scales.
Bytes random_weight_row(int32_t id, int64_t n, std::mt19937& rng) {
    const QuantKernels& k = kernels(id);
    Bytes row(row_bytes(id, n, "random row"));
    for (uint8_t& b : row) b = uint8_t(rng());
    const uint16_t header_half = random_half_scale(rng);
    if (k.row_header_bytes == 2) std::memcpy(row.data(), &header_half, 2);
    if (k.row_header_bytes == 4) {
        const float header = fp16_to_fp32(header_half);
        std::memcpy(row.data(), &header, 4);
    }
    for (int64_t b = 0; b < n / k.block_elems; ++b) {
        uint8_t* block = row.data() + k.row_header_bytes + b * k.block_bytes;
        for (size_t offset : half_scale_fields(id)) {
            const uint16_t h = random_half_scale(rng);
            std::memcpy(block + offset, &h, 2);
        }
        if (id == 29) {  // IQ1_M: nibble k of d is the top nibble of scale word k
            const uint16_t d = random_half_scale(rng);
            for (int word = 0; word < 4; ++word) {
                uint16_t w;
                std::memcpy(&w, block + offsetof(BlockIq1M, scales) + 2 * word, 2);
                w = uint16_t((w & 0x0FFF) | ((d >> (4 * word)) & 0xF) << 12);
                std::memcpy(block + offsetof(BlockIq1M, scales) + 2 * word, &w, 2);
            }
        }
    }
    return row;
}

// ---- the types under test ----

bool is_weight_type(const QuantKernels& k) {
    return find_type(k.type_id)->role != TypeRole::Activation;
}

std::vector<int32_t> weight_type_ids() {
    std::vector<int32_t> ids;
    for (const QuantKernels& k : all_kernels())
        if (is_weight_type(k)) ids.push_back(k.type_id);
    return ids;
}

// Row lengths: one block, and odd block counts.
std::vector<int64_t> row_lengths(const QuantKernels& k) {
    if (k.block_elems == 1) return {1, 37, 1001};
    if (k.block_elems == 32) return {32, 96, 224, 1056};
    return {k.block_elems, 3 * k.block_elems, 7 * k.block_elems};
}

struct WeightRow {
    std::string source;
    Bytes bytes;
};

// The weight rows of one length: quantized random floats (where the type has a quantizer)
// and random bytes (quantized types), two of each.
std::vector<WeightRow> weight_rows(int32_t id, int64_t n, std::mt19937& rng) {
    std::vector<WeightRow> rows;
    for (int r = 0; r < 2; ++r) {
        if (kernels(id).quantize_row)
            rows.push_back({"quantized", quantize(id, random_floats(n, rng))});
        if (kernels(id).block_elems > 1)
            rows.push_back({"random bytes", random_weight_row(id, n, rng)});
    }
    return rows;
}

// ---- bounds ----

// Float rounding of vec_dot against the exact dot of the dequantized rows, relative to
// sum |w_j a_j|: at most K float additions of block results (K <= 56 here: 1792 / 32 or 1056 /
// 32 blocks), <= 4 roundings inside each block result and 3 in the dequantized values, so
// (56 + 8) * 2^-24 = 3.8e-6 (vec_dot.hpp, "Accumulation"). 1e-5 leaves a margin of 2.6 and is
// still far below what a wrong scale, offset or index (errors of order 1) produces.
constexpr double kRelativeRounding = 1e-5;

// Q8_1's s is rounded to fp16: a weight block with offset m adds m * s where the dequantized
// rows say m * d * sum(q). Bound |m| per 32-block: the fp16 m of Q4_1/Q5_1, 63 * |dmin| for
// Q4_K/Q5_K (6-bit minimums).
double q8_1_sum_rounding(int32_t weight_id, const Bytes& weight, const Bytes& act, int64_t n) {
    double total = 0;
    for (int64_t b = 0; b < n / 32; ++b) {
        const auto y = load_block<BlockQ8_1>(act.data() + b * int64_t(sizeof(BlockQ8_1)));
        int sum_q = 0;
        for (int8_t q : y.qs) sum_q += q;
        const double exact_s = double(fp16_to_fp32(y.d)) * sum_q;
        const double s_error = std::abs(double(fp16_to_fp32(y.s)) - exact_s);
        double max_offset = 0;
        if (weight_id == 3 || weight_id == 7) {
            const size_t block_bytes = weight_id == 3 ? sizeof(BlockQ4_1) : sizeof(BlockQ5_1);
            uint16_t m;
            std::memcpy(&m, weight.data() + size_t(b) * block_bytes + offsetof(BlockQ4_1, m), 2);
            max_offset = std::abs(fp16_to_fp32(m));
        } else {  // Q4_K, Q5_K: dmin at the same offset in both
            const size_t block_bytes = weight_id == 12 ? sizeof(BlockQ4_K) : sizeof(BlockQ5_K);
            uint16_t dmin;
            const size_t offset = size_t(b / 8) * block_bytes + offsetof(BlockQ4_K, dmin);
            std::memcpy(&dmin, weight.data() + offset, 2);
            max_offset = 63.0 * std::abs(fp16_to_fp32(dmin));
        }
        total += max_offset * s_error * (1 + 1e-6);
    }
    return total;
}

struct DotCase {
    double got;
    double exact;      // sum w_j a_j over the dequantized rows, in double
    double magnitude;  // sum |w_j a_j|
    double allowance;  // kRelativeRounding * magnitude, plus Q8_1's s rounding
};

DotCase dot_case(int32_t id, const Bytes& weight, const Bytes& act, int64_t n) {
    const QuantKernels& k = kernels(id);
    const std::vector<float> w = dequantize(id, weight, n);
    const std::vector<float> a = dequantize(k.vec_dot_type, act, n);
    DotCase c{k.vec_dot(weight.data(), act.data(), n), 0, 0, 0};
    for (size_t j = 0; j < w.size(); ++j) {
        c.exact += double(w[j]) * double(a[j]);
        c.magnitude += std::abs(double(w[j]) * double(a[j]));
    }
    c.allowance = kRelativeRounding * c.magnitude;
    if (k.vec_dot_type == 9) c.allowance += q8_1_sum_rounding(id, weight, act, n);
    return c;
}

// ---- tests ----

TEST(VecDotTable, EveryWeightTypeHasADotProductWithAQuantizableActivation) {
    std::set<int32_t> activation_only;
    for (const QuantKernels& k : all_kernels()) {
        SCOPED_TRACE(type_name(k.type_id));
        if (!is_weight_type(k)) {
            activation_only.insert(k.type_id);
            EXPECT_EQ(k.vec_dot, nullptr);
            EXPECT_NE(k.quantize_row, nullptr);
            continue;
        }
        ASSERT_NE(k.vec_dot, nullptr);
        const QuantKernels* act = find_kernels(k.vec_dot_type);
        ASSERT_NE(act, nullptr) << "activation type " << k.vec_dot_type;
        EXPECT_NE(act->quantize_row, nullptr);
        EXPECT_NE(act->dequantize_row, nullptr);
        EXPECT_EQ(act->row_header_bytes, 0u);
        // A row of whole weight blocks is a row of whole activation blocks.
        EXPECT_EQ(k.block_elems % act->block_elems, 0);
        EXPECT_TRUE(k.vec_dot_type == 0 || k.vec_dot_type == 8 || k.vec_dot_type == 9 ||
                    k.vec_dot_type == 15);
    }
    EXPECT_EQ(activation_only, (std::set<int32_t>{9, 15}));  // Q8_1, Q8_K
}

class VecDot : public ::testing::TestWithParam<int32_t> {};

TEST_P(VecDot, EqualsTheDotOfTheDequantizedRows) {
    const int32_t id = GetParam();
    const QuantKernels& k = kernels(id);
    std::mt19937 rng(uint32_t(1000 + id));
    for (int64_t n : row_lengths(k)) {
        for (const WeightRow& row : weight_rows(id, n, rng)) {
            SCOPED_TRACE(row.source + ", n = " + std::to_string(n));
            const Bytes act = quantize(k.vec_dot_type, random_floats(n, rng));
            const DotCase c = dot_case(id, row.bytes, act, n);
            ASSERT_GT(c.magnitude, 0);
            EXPECT_LE(std::abs(c.got - c.exact), c.allowance)
                << "got " << c.got << ", dequantized rows give " << c.exact;
        }
    }
}

// Against the dot with the float activations before quantization: off by the activation
// rounding only. Per element |a - a'| <= e, with e = 0.5 * d for the rounding to q plus, for
// Q8_0/Q8_1 whose d = amax/127 is stored as fp16, 127 * 2^-11 * d: e <= 0.5621 * amax / 127
// (0.57 used), over the activation block's amax; Q8_K's float d gives 0.5 (0.51 used). So
// |vec_dot - dot| <= sum |w_j| * e_j, plus the rounding above. The activations are the weights
// plus noise, so the dot is large against that bound (checked: a result off by a quarter of
// the dot or more fails).
TEST_P(VecDot, IsCloseToTheDotWithUnquantizedActivations) {
    const int32_t id = GetParam();
    const QuantKernels& k = kernels(id);
    const QuantKernels& act_type = kernels(k.vec_dot_type);
    std::mt19937 rng(uint32_t(2000 + id));
    std::normal_distribution<float> noise(0.f, 1.f);
    for (int64_t n : row_lengths(k)) {
        for (const WeightRow& row : weight_rows(id, n, rng)) {
            SCOPED_TRACE(row.source + ", n = " + std::to_string(n));
            const std::vector<float> w = dequantize(id, row.bytes, n);
            double w_rms = 0;
            for (float v : w) w_rms += double(v) * v / double(n);
            w_rms = std::sqrt(w_rms);
            std::vector<float> a(static_cast<size_t>(n));
            for (size_t j = 0; j < a.size(); ++j) a[j] = w[j] + 0.3f * float(w_rms) * noise(rng);
            const Bytes act = quantize(k.vec_dot_type, a);

            const double per_amax = k.vec_dot_type == 0 ? 0 : k.vec_dot_type == 15 ? 0.51 : 0.57;
            double float_dot = 0, bound = 0;
            for (int64_t b0 = 0; b0 < n; b0 += act_type.block_elems) {
                double amax = 0;
                for (int64_t j = b0; j < b0 + act_type.block_elems; ++j)
                    amax = std::max(amax, std::abs(double(a[size_t(j)])));
                for (int64_t j = b0; j < b0 + act_type.block_elems; ++j) {
                    const double wj = w[size_t(j)], aj = a[size_t(j)];
                    float_dot += wj * aj;
                    bound += std::abs(wj) * per_amax * amax / 127 +
                             kRelativeRounding * std::abs(wj * aj);
                }
            }
            if (k.vec_dot_type == 9) bound += q8_1_sum_rounding(id, row.bytes, act, n);
            const double got = k.vec_dot(row.bytes.data(), act.data(), n);
            EXPECT_LE(std::abs(got - float_dot), bound)
                << "got " << got << ", float dot " << float_dot;
            if (n >= 32 && w_rms > 0) {
                EXPECT_LT(bound, 0.25 * std::abs(float_dot));
            }
        }
    }
}

// Zero weights or zero activations give exactly 0, whatever the other row holds.
TEST_P(VecDot, ZeroRowsGiveZero) {
    const int32_t id = GetParam();
    const QuantKernels& k = kernels(id);
    std::mt19937 rng(uint32_t(3000 + id));
    for (int64_t n : row_lengths(k)) {
        SCOPED_TRACE("n = " + std::to_string(n));
        const std::vector<float> zeros(size_t(n), 0.f);
        const Bytes zero_act = quantize(k.vec_dot_type, zeros);
        const Bytes act = quantize(k.vec_dot_type, random_floats(n, rng));
        for (const WeightRow& row : weight_rows(id, n, rng))
            EXPECT_EQ(k.vec_dot(row.bytes.data(), zero_act.data(), n), 0.f) << row.source;
        const Bytes zero_bytes(row_bytes(id, n, "zero row"), 0);
        EXPECT_EQ(k.vec_dot(zero_bytes.data(), act.data(), n), 0.f);
        if (k.quantize_row) {
            EXPECT_EQ(k.vec_dot(quantize(id, zeros).data(), act.data(), n), 0.f);
        }
    }
}

// Rows need no alignment: the same bytes one byte off give the same bits.
TEST_P(VecDot, RowsNeedNoAlignment) {
    const int32_t id = GetParam();
    const QuantKernels& k = kernels(id);
    std::mt19937 rng(uint32_t(4000 + id));
    const int64_t n = row_lengths(k).back();
    const Bytes act = quantize(k.vec_dot_type, random_floats(n, rng));
    for (const WeightRow& row : weight_rows(id, n, rng)) {
        Bytes shifted_weight(row.bytes.size() + 1), shifted_act(act.size() + 3);
        std::memcpy(shifted_weight.data() + 1, row.bytes.data(), row.bytes.size());
        std::memcpy(shifted_act.data() + 3, act.data(), act.size());
        EXPECT_EQ(k.vec_dot(shifted_weight.data() + 1, shifted_act.data() + 3, n),
                  k.vec_dot(row.bytes.data(), act.data(), n))
            << row.source;
    }
}

std::string param_name(const ::testing::TestParamInfo<int32_t>& p) { return type_name(p.param); }
INSTANTIATE_TEST_SUITE_P(AllTypes, VecDot, ::testing::ValuesIn(weight_type_ids()), param_name);

// ---- activation quantizers ----

// Q8_K: q in [-127, 127]; the element of largest magnitude is -127 (d carries its sign);
// every element within half a step; bsums and sum agree with the quants.
TEST(ActivationQ8K, QuantsScaleAndSums) {
    std::mt19937 rng(5);
    for (float sign : {1.f, -1.f}) {
        std::vector<float> x = random_floats(512, rng);
        x[300] = sign * 40.f;  // the extreme of block 1
        const Bytes row = quantize(15, x);
        const std::vector<float> y = dequantize(15, row, 512);
        for (int b = 0; b < 2; ++b) {
            const auto block = load_block<BlockQ8_K>(row.data() + b * int64_t(sizeof(BlockQ8_K)));
            float amax = 0;
            int total = 0;
            for (int j = 0; j < 256; ++j) {
                amax = std::max(amax, std::abs(x[size_t(256 * b + j)]));
                EXPECT_GE(block.qs[j], -127);
                total += block.qs[j];
            }
            EXPECT_NEAR(std::abs(block.d), amax / 127, 1e-6 * amax);
            for (int g = 0; g < 16; ++g) {
                int sum = 0;
                for (int j = 16 * g; j < 16 * g + 16; ++j) sum += block.qs[j];
                EXPECT_EQ(block.bsums[g], sum);
            }
            EXPECT_EQ(block.sum, block.d * float(total));
            for (int j = 0; j < 256; ++j)
                EXPECT_LE(std::abs(y[size_t(256 * b + j)] - x[size_t(256 * b + j)]),
                          0.5001f * std::abs(block.d));
        }
        EXPECT_EQ(row[sizeof(BlockQ8_K) + offsetof(BlockQ8_K, qs) + 300 - 256], uint8_t(-127));
        EXPECT_NEAR(y[300], x[300], 1e-5f);  // -127 * d, d = 1/(-127/max) in float
        const auto block1 = load_block<BlockQ8_K>(row.data() + sizeof(BlockQ8_K));
        EXPECT_EQ(std::signbit(block1.d), sign > 0);
    }
}

// Q8_1: d = fp16(amax/127), every element within half a step (plus the fp16 rounding of d),
// s = fp16(sum(q) * amax/127).
TEST(ActivationQ8_1, QuantsScaleAndSum) {
    std::mt19937 rng(6);
    const std::vector<float> x = random_floats(128, rng);
    const Bytes row = quantize(9, x);
    const std::vector<float> y = dequantize(9, row, 128);
    for (int b = 0; b < 4; ++b) {
        const auto block = load_block<BlockQ8_1>(row.data() + b * int64_t(sizeof(BlockQ8_1)));
        float amax = 0;
        int sum = 0;
        for (int j = 0; j < 32; ++j) {
            amax = std::max(amax, std::abs(x[size_t(32 * b + j)]));
            sum += block.qs[j];
        }
        EXPECT_EQ(block.d, fp32_to_fp16(amax / 127));
        EXPECT_EQ(block.s, fp32_to_fp16(float(sum) * (amax / 127)));
        for (int j = 0; j < 32; ++j)
            EXPECT_LE(std::abs(y[size_t(32 * b + j)] - x[size_t(32 * b + j)]), 0.57f * amax / 127);
    }
}

TEST(ActivationTypes, ZeroRowsAreZeroBlocks) {
    for (int32_t id : {8, 9, 15}) {
        const Bytes row = quantize(id, std::vector<float>(256, 0.f));
        for (uint8_t b : row) EXPECT_EQ(b, 0) << type_name(id);
    }
}

}  // namespace
}  // namespace sy::quants
