// The op set end to end through the loader, on the CPU device (host memory) and on TEST0
// (separate memory), each compared with a plain C++ computation.
#include <gtest/gtest.h>

#include <cmath>

#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host_test_support.hpp"
#include "switchyard/sdk/fp16.hpp"

namespace sy::host {
namespace {

constexpr int32_t kF32 = 0, kF16 = 1, kBF16 = 30;

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, double tolerance) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], tolerance * (1.0 + std::fabs(want[i]))) << "element " << i;
    }
}

// dst[b][m][n] = sum_k w[n][k] * x[b][m][k], the weights shared by every batch b.
std::vector<float> plain_mul_mat(const std::vector<float>& w, const std::vector<float>& x, int64_t k, int64_t n,
                                 int64_t m, int64_t batches) {
    std::vector<float> dst(size_t(n * m * batches));
    for (int64_t b = 0; b < batches; ++b)
        for (int64_t im = 0; im < m; ++im)
            for (int64_t in = 0; in < n; ++in) {
                double sum = 0;
                for (int64_t ik = 0; ik < k; ++ik) sum += double(w[size_t(in * k + ik)]) * x[size_t((b * m + im) * k + ik)];
                dst[size_t((b * m + im) * n + in)] = float(sum);
            }
    return dst;
}

class Ops : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        host_ = std::make_unique<PluginHost>(test::real_backend_options(log_));
        device_ = test::require_device(*host_, GetParam());
    }

    // Runs MUL_MAT with weights stored as `type` (converted from `w`) and returns dst.
    std::vector<float> run_mul_mat(int32_t type, const std::vector<float>& w, const std::vector<float>& x, int64_t k,
                                   int64_t n, int64_t m, int64_t batches) {
        Buffer weights;
        if (type == kF32) {
            weights = test::upload_vector(device_, w);
        } else {
            std::vector<uint16_t> packed(w.size());
            for (size_t i = 0; i < w.size(); ++i) {
                packed[i] = type == kF16 ? sdk::float_to_fp16(w[i]) : sdk::float_to_bf16(w[i]);
            }
            weights = test::upload_vector(device_, packed);
        }
        Buffer acts = test::upload_vector(device_, x);
        Buffer out = device_.alloc(uint64_t(n * m * batches) * 4);
        const sy_op op = make_op(SY_OP_MUL_MAT, tensor_in(out, 0, kF32, {n, m, batches}),
                                 {tensor_in(weights, 0, type, {k, n}), tensor_in(acts, 0, kF32, {k, m, batches})});
        EXPECT_TRUE(device_.supports_op(op));
        device_.run(op);
        device_.synchronize();
        return test::download_floats(out, size_t(n * m * batches));
    }

    test::LogCapture log_;
    std::unique_ptr<PluginHost> host_;
    Device device_;
};

TEST_P(Ops, MulMatF32) {
    const int64_t k = 67, n = 9, m = 5, batches = 2;  // odd sizes on purpose
    const auto w = test::random_floats(size_t(k * n), 1);
    const auto x = test::random_floats(size_t(k * m * batches), 2);
    expect_near_all(run_mul_mat(kF32, w, x, k, n, m, batches), plain_mul_mat(w, x, k, n, m, batches), 1e-5);
}

TEST_P(Ops, MulMatF16AndBF16Weights) {
    const int64_t k = 40, n = 7, m = 3;
    auto w = test::random_floats(size_t(k * n), 3);
    const auto x = test::random_floats(size_t(k * m), 4);
    for (int32_t type : {kF16, kBF16}) {
        SCOPED_TRACE(type);
        // The plain computation sees exactly the values the device stores.
        std::vector<float> rounded(w.size());
        for (size_t i = 0; i < w.size(); ++i) {
            rounded[i] = type == kF16 ? sdk::fp16_to_float(sdk::float_to_fp16(w[i]))
                                      : sdk::bf16_to_float(sdk::float_to_bf16(w[i]));
        }
        expect_near_all(run_mul_mat(type, w, x, k, n, m, 1), plain_mul_mat(rounded, x, k, n, m, 1), 1e-5);
    }
}

// Activations with padded rows: strides other than contiguous are honoured.
TEST_P(Ops, MulMatWithPaddedActivationRows) {
    const int64_t k = 16, n = 4, m = 3, padded = 20;
    const auto w = test::random_floats(size_t(k * n), 5);
    const auto x = test::random_floats(size_t(k * m), 6);
    std::vector<float> x_padded(size_t(padded * m), 1e30f);
    for (int64_t row = 0; row < m; ++row) std::copy_n(&x[size_t(row * k)], k, &x_padded[size_t(row * padded)]);
    Buffer weights = test::upload_vector(device_, w);
    Buffer acts = test::upload_vector(device_, x_padded);
    Buffer out = device_.alloc(uint64_t(n * m) * 4);
    sy_tensor acts_view = tensor_in(acts, 0, kF32, {k, m});
    acts_view.nb[1] = uint64_t(padded) * 4;
    acts_view.nb[2] = acts_view.nb[3] = acts_view.nb[1] * uint64_t(m);
    device_.run(make_op(SY_OP_MUL_MAT, tensor_in(out, 0, kF32, {n, m}), {tensor_in(weights, 0, kF32, {k, n}), acts_view}));
    expect_near_all(test::download_floats(out, size_t(n * m)), plain_mul_mat(w, x, k, n, m, 1), 1e-5);
}

TEST_P(Ops, AddAndMulBroadcastTheSecondOperand) {
    const int64_t cols = 8, rows = 3, planes = 2;
    const auto a = test::random_floats(size_t(cols * rows * planes), 7);
    const auto b = test::random_floats(size_t(cols), 8);
    Buffer in_a = test::upload_vector(device_, a);
    Buffer in_b = test::upload_vector(device_, b);
    Buffer out = device_.alloc(a.size() * 4);
    for (int32_t kind : {SY_OP_ADD, SY_OP_MUL}) {
        SCOPED_TRACE(kind);
        device_.run(make_op(kind, tensor_in(out, 0, kF32, {cols, rows, planes}),
                            {tensor_in(in_a, 0, kF32, {cols, rows, planes}), tensor_in(in_b, 0, kF32, {cols})}));
        std::vector<float> want(a.size());
        for (size_t i = 0; i < a.size(); ++i) {
            const float y = b[i % size_t(cols)];
            want[i] = kind == SY_OP_ADD ? a[i] + y : a[i] * y;
        }
        expect_near_all(test::download_floats(out, a.size()), want, 0);
    }
}

TEST_P(Ops, RmsNorm) {
    const int64_t cols = 33, rows = 4;
    const float eps = 1e-5f;
    const auto x = test::random_floats(size_t(cols * rows), 9);
    Buffer in = test::upload_vector(device_, x);
    Buffer out = device_.alloc(x.size() * 4);
    device_.run(make_op(SY_OP_RMS_NORM, tensor_in(out, 0, kF32, {cols, rows}), {tensor_in(in, 0, kF32, {cols, rows})},
                        {eps}));
    std::vector<float> want(x.size());
    for (int64_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (int64_t c = 0; c < cols; ++c) sum += double(x[size_t(r * cols + c)]) * x[size_t(r * cols + c)];
        const double inv = 1.0 / std::sqrt(sum / double(cols) + eps);
        for (int64_t c = 0; c < cols; ++c) want[size_t(r * cols + c)] = float(x[size_t(r * cols + c)] * inv);
    }
    expect_near_all(test::download_floats(out, x.size()), want, 1e-6);
}

TEST_P(Ops, ScaleAndSiluInPlace) {
    const auto x = test::random_floats(50, 10);
    Buffer buffer = test::upload_vector(device_, x);
    const sy_tensor view = tensor_in(buffer, 0, kF32, {50});
    device_.run(make_op(SY_OP_SCALE, view, {view}, {3.0f}));
    device_.run(make_op(SY_OP_SILU, view, {view}));
    std::vector<float> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const double v = 3.0 * x[i];
        want[i] = float(v / (1.0 + std::exp(-v)));
    }
    expect_near_all(test::download_floats(buffer, x.size()), want, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Devices, Ops, ::testing::Values("CPU", "TEST0"));

}  // namespace
}  // namespace sy::host
