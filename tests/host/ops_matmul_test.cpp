// MUL_MAT for every weight type the reference claims, and MUL_MAT_ID, through the loader.
// Expectations are plain double-precision loops over the decoded weights (core's
// dequantize_row), never the kernels under test.
#include <algorithm>
#include <cmath>

#include "ops_test_helpers.hpp"

namespace sy::host {
namespace {

using namespace opstest;

// Every type the reference multiplies: floats and each type with a core vec_dot.
std::vector<int32_t> matmul_weight_types() {
    std::vector<int32_t> types;
    for (const QuantKernels& k : all_kernels()) {
        if (k.vec_dot != nullptr) types.push_back(k.type_id);
    }
    return types;
}

bool is_float(int32_t type) { return type == kF32 || type == kF16 || type == kBF16; }

// Weight rows of `type`: float types from random floats, block types from random bytes.
std::vector<uint8_t> weight_rows(int32_t type, int64_t k, int64_t n, uint32_t seed) {
    if (is_float(type)) return encode_rows(type, test::random_floats(size_t(k * n), seed), k);
    return random_block_rows(type, k, n, seed);
}

struct DotExpectation {
    double with_quantized_acts;  // decoded weights . (activation column through vec_dot_type)
    double with_exact_acts;      // decoded weights . the F32 column
    double abs_products;         // sum |w * a|, the scale of rounding errors
    double abs_weights;          // sum |w|
};

// w: one decoded weight row; x: one F32 column; xq: x as the kernel's activation type decodes.
DotExpectation expect_dot(const float* w, const float* x, const float* xq, int64_t k) {
    DotExpectation e{0, 0, 0, 0};
    for (int64_t i = 0; i < k; ++i) {
        e.with_quantized_acts += double(w[i]) * double(xq[i]);
        e.with_exact_acts += double(w[i]) * double(x[i]);
        e.abs_products += std::fabs(double(w[i]) * double(x[i]));
        e.abs_weights += std::fabs(double(w[i]));
    }
    return e;
}

// The activation columns as the weight type's vec_dot_type holds them (floats: unchanged).
std::vector<float> through_activation_type(int32_t weight_type, const std::vector<float>& x, int64_t k) {
    const int32_t act_type = find_kernels(weight_type)->vec_dot_type;
    return act_type == kF32 ? x : through_type(act_type, x, k);
}

class MulMatTypes : public ::testing::TestWithParam<int32_t> {
protected:
    void SetUp() override {
        host_ = std::make_unique<PluginHost>(test::real_backend_options(log_));
        device_ = test::require_device(*host_, "CPU");
    }
    test::LogCapture log_;
    std::unique_ptr<PluginHost> host_;
    Device device_;
};

// dst[N, M, B2] = W[K, N] x X[K, M, B2], W broadcast over B2, X with padded rows. Tolerances:
//  - against the decoded weights times the activations as the vec_dot_type stores them (what
//    the kernel multiplies): float rounding only, 1e-5 of sum |w a|; for the Q8_1 family
//    (Q4_1, Q5_1, Q4_K, Q5_K) plus the fp16 rounding of Q8_1's block sum s, which carries the
//    weights' minimum term: 2e-3 of sum |w a| covers it with margin on these rows.
//  - against the exact F32 activations: add each activation's rounding to 8 bits, at most
//    amax/254 per element with amax the column's largest magnitude (any 8-bit block type
//    quantizes with d <= amax/127 and rounds to nearest), times sum |w|.
TEST_P(MulMatTypes, MatchesDecodedWeightsTimesActivations) {
    const int32_t type = GetParam();
    SCOPED_TRACE(type_name(type));
    ASSERT_TRUE(device_.supports(SY_OP_MUL_MAT, type, kF32));
    const int64_t k = 256, n = 19, m = 3, batches = 2, padded = k + 8;  // n > one task of rows
    const std::vector<uint8_t> w_bytes = weight_rows(type, k, n, 11);
    const std::vector<float> w = decode_rows(type, w_bytes, k);
    const std::vector<float> x = test::random_floats(size_t(k * m * batches), 12);
    const std::vector<float> xq = through_activation_type(type, x, k);
    std::vector<float> x_padded(size_t(padded * m * batches), 1e30f);
    for (int64_t c = 0; c < m * batches; ++c) std::copy_n(&x[size_t(c * k)], k, &x_padded[size_t(c * padded)]);

    Buffer weights = test::upload_vector(device_, w_bytes);
    Buffer acts = test::upload_vector(device_, x_padded);
    Buffer out = device_.alloc(uint64_t(n * m * batches) * 4);
    sy_tensor acts_view = tensor_in(acts, 0, kF32, {k, m, batches});
    acts_view.nb[1] = uint64_t(padded) * 4;
    acts_view.nb[2] = acts_view.nb[1] * uint64_t(m);
    acts_view.nb[3] = acts_view.nb[2] * uint64_t(batches);
    const sy_op op = make_op(SY_OP_MUL_MAT, tensor_in(out, 0, kF32, {n, m, batches}),
                             {tensor_in(weights, 0, type, {k, n}), acts_view});
    ASSERT_TRUE(device_.supports_op(op));
    device_.run(op);
    const std::vector<float> got = test::download_floats(out, size_t(n * m * batches));

    const int32_t act_type = find_kernels(type)->vec_dot_type;
    const double tight = act_type == 9 ? 2e-3 : 1e-5;  // 9 = Q8_1
    for (int64_t c = 0; c < m * batches; ++c) {
        const float* column = &x[size_t(c * k)];
        double amax = 0;
        for (int64_t i = 0; i < k; ++i) amax = std::max(amax, std::fabs(double(column[i])));
        for (int64_t r = 0; r < n; ++r) {
            const DotExpectation e = expect_dot(&w[size_t(r * k)], column, &xq[size_t(c * k)], k);
            const double value = got[size_t(c * n + r)];
            const double tight_bound = tight * e.abs_products + 1e-30;
            ASSERT_NEAR(value, e.with_quantized_acts, tight_bound) << "row " << r << " column " << c;
            const double act_rounding = act_type == kF32 ? 0.0 : e.abs_weights * amax / 254.0 * 1.001;
            ASSERT_NEAR(value, e.with_exact_acts, tight_bound + act_rounding) << "row " << r << " column " << c;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(EveryWeightType, MulMatTypes, ::testing::ValuesIn(matmul_weight_types()),
                         [](const ::testing::TestParamInfo<int32_t>& param_info) { return type_name(param_info.param); });

class MulMat : public DeviceTest {};

// Weights [K, N, 2, 3] broadcast over activations [K, M, 4, 6]: batch (i2, i3) uses weight
// matrix (i2 / 2, i3 / 2).
TEST_P(MulMat, WeightsBroadcastOverBothBatchDims) {
    const int64_t k = 64, n = 5, m = 2, w2 = 2, w3 = 3, b2 = 4, b3 = 6;
    const auto w = test::random_floats(size_t(k * n * w2 * w3), 21);
    const auto x = test::random_floats(size_t(k * m * b2 * b3), 22);
    Buffer weights = test::upload_vector(device_, w);
    Buffer acts = test::upload_vector(device_, x);
    Buffer out = device_.alloc(uint64_t(n * m * b2 * b3) * 4);
    device_.run(make_op(SY_OP_MUL_MAT, tensor_in(out, 0, kF32, {n, m, b2, b3}),
                        {tensor_in(weights, 0, kF32, {k, n, w2, w3}), tensor_in(acts, 0, kF32, {k, m, b2, b3})}));
    const auto got = test::download_floats(out, size_t(n * m * b2 * b3));
    for (int64_t i3 = 0; i3 < b3; ++i3)
        for (int64_t i2 = 0; i2 < b2; ++i2)
            for (int64_t c = 0; c < m; ++c)
                for (int64_t r = 0; r < n; ++r) {
                    const float* wr = &w[size_t((((i3 / 2) * w2 + i2 / 2) * n + r) * k)];
                    const float* xc = &x[size_t(((i3 * b2 + i2) * m + c) * k)];
                    double want = 0;
                    for (int64_t i = 0; i < k; ++i) want += double(wr[i]) * xc[i];
                    ASSERT_NEAR(got[size_t(((i3 * b2 + i2) * m + c) * n + r)], want, 1e-5);
                }
}

// A Q4_0 weight view must fit its buffer counting whole block rows: one byte short is refused
// with OUT_OF_RANGE, the exact size runs.
TEST_P(MulMat, BlockWeightsAreBoundsChecked) {
    const int64_t k = 64, n = 3;
    const uint64_t bytes = tensor_bytes(2, {k, n});  // Q4_0
    ASSERT_EQ(bytes, uint64_t(n) * 36);
    const auto x = test::random_floats(size_t(k), 23);
    Buffer acts = test::upload_vector(device_, x);
    Buffer out = device_.alloc(uint64_t(n) * 4);
    const std::vector<uint8_t> w = random_block_rows(2, k, n, 24);
    Buffer exact = test::upload_vector(device_, w);
    Buffer short_buffer = device_.alloc(bytes - 1);
    const sy_tensor dst = tensor_in(out, 0, kF32, {n});
    const sy_tensor x_view = tensor_in(acts, 0, kF32, {k});
    EXPECT_EQ(run_status(device_, make_op(SY_OP_MUL_MAT, dst, {tensor_in(short_buffer, 0, 2, {k, n}), x_view})),
              SY_STATUS_OUT_OF_RANGE);
    EXPECT_EQ(run_status(device_, make_op(SY_OP_MUL_MAT, dst, {tensor_in(exact, 0, 2, {k, n}), x_view})),
              SY_STATUS_OK);
}

// MUL_MAT_ID against the per-token loop it stands for: one MUL_MAT of expert e's weights
// (a view) per (slot, token). Each output is the same dot product, so the bits must agree;
// and against decoded weights in double (1e-5 of sum |w a|, Q8_0 activations).
TEST_P(MulMat, MulMatIdEqualsPerTokenMulMat) {
    const int64_t k = 64, n = 21, n_experts = 4, slots = 3, tokens = 5;
    const int32_t type = kQ8_0;
    const std::vector<uint8_t> w_bytes = encode_rows(type, test::random_floats(size_t(k * n * n_experts), 31), k);
    const std::vector<float> w = decode_rows(type, w_bytes, k);
    const uint64_t row = row_bytes(type, k, "w");
    Buffer weights = test::upload_vector(device_, w_bytes);
    // Expert ids with repeats and an unused expert (2).
    const std::vector<int32_t> ids = {0, 3, 1, 3, 0, 1, 1, 3, 0, 0, 1, 3, 3, 3, 3};
    Buffer id_buffer = test::upload_vector(device_, ids);
    for (int64_t act_slots : {slots, int64_t(1)}) {
        SCOPED_TRACE(act_slots);
        const auto x = test::random_floats(size_t(k * act_slots * tokens), 32);
        const auto xq = through_type(kQ8_0, x, k);
        Buffer acts = test::upload_vector(device_, x);
        Buffer out = device_.alloc(uint64_t(n * slots * tokens) * 4);
        const sy_op op = make_op(SY_OP_MUL_MAT_ID, tensor_in(out, 0, kF32, {n, slots, tokens}),
                                 {tensor_in(weights, 0, type, {k, n, n_experts}),
                                  tensor_in(acts, 0, kF32, {k, act_slots, tokens}),
                                  tensor_in(id_buffer, 0, kI32, {slots, tokens})});
        ASSERT_TRUE(device_.supports_op(op));
        device_.run(op);
        const auto got = test::download_floats(out, size_t(n * slots * tokens));

        Buffer single = device_.alloc(uint64_t(n) * 4);
        for (int64_t t = 0; t < tokens; ++t) {
            for (int64_t s = 0; s < slots; ++s) {
                const int32_t e = ids[size_t(t * slots + s)];
                const int64_t column = (s % act_slots) + act_slots * t;
                device_.run(make_op(SY_OP_MUL_MAT, tensor_in(single, 0, kF32, {n}),
                                    {tensor_in(weights, uint64_t(e) * n * row, type, {k, n}),
                                     tensor_in(acts, uint64_t(column * k) * 4, kF32, {k})}));
                const auto one = test::download_floats(single, size_t(n));
                const std::vector<float> slice(got.begin() + (t * slots + s) * n, got.begin() + (t * slots + s + 1) * n);
                ASSERT_TRUE(same_bits(slice, one)) << "slot " << s << " token " << t;
                for (int64_t r = 0; r < n; ++r) {
                    const DotExpectation want = expect_dot(&w[size_t((e * n + r) * k)], &x[size_t(column * k)],
                                                           &xq[size_t(column * k)], k);
                    ASSERT_NEAR(slice[size_t(r)], want.with_quantized_acts, 1e-5 * want.abs_products);
                }
            }
        }
    }
}

TEST_P(MulMat, MulMatIdRefusesABadExpertId) {
    const int64_t k = 32, n = 4, n_experts = 3;
    Buffer weights = test::upload_vector(device_, test::random_floats(size_t(k * n * n_experts), 41));
    Buffer acts = test::upload_vector(device_, test::random_floats(size_t(k * 2), 42));
    Buffer out = device_.alloc(uint64_t(n * 2) * 4);
    for (int32_t bad : {3, -1}) {
        SCOPED_TRACE(bad);
        Buffer ids = test::upload_vector(device_, std::vector<int32_t>{1, bad});
        const sy_op op = make_op(SY_OP_MUL_MAT_ID, tensor_in(out, 0, kF32, {n, 1, 2}),
                                 {tensor_in(weights, 0, kF32, {k, n, n_experts}), tensor_in(acts, 0, kF32, {k, 1, 2}),
                                  tensor_in(ids, 0, kI32, {1, 2})});
        ASSERT_TRUE(device_.supports_op(op));  // ids are data: only run can tell
        try {
            device_.run(op);
            FAIL() << "expert id " << bad << " was accepted";
        } catch (const DeviceError& error) {
            EXPECT_EQ(error.status(), SY_STATUS_INVALID_ARGUMENT);
            EXPECT_NE(std::string(error.what()).find("expert id"), std::string::npos) << error.what();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Devices, MulMat, ::testing::Values("CPU", "TEST0"));

}  // namespace
}  // namespace sy::host
