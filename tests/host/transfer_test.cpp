// Activations crossing devices: CPU (host memory) -> TEST0 (separate memory) -> CPU, and
// between two devices neither of which the host can address (staged through host memory).
#include <gtest/gtest.h>

#include <cmath>

#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host/transfer.hpp"
#include "host_test_support.hpp"
#include "switchyard/sdk/fp16.hpp"

namespace sy::host {
namespace {

constexpr int32_t kF32 = 0, kF16 = 1;

// y = W x on the CPU, then rms_norm on TEST0, then + x on the CPU: a residual block's shape.
TEST(Transfer, CpuToSeparateMemoryAndBack) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    Device cpu = test::require_device(host, "CPU");
    Device test0 = test::require_device(host, "TEST0");
    ASSERT_TRUE(cpu.info().has_host_memory());
    ASSERT_FALSE(test0.info().has_host_memory());

    const int64_t k = 24, n = 24;
    const auto w = test::random_floats(size_t(k * n), 11);
    const auto x = test::random_floats(size_t(k), 12);
    std::vector<uint16_t> w16(w.size());
    for (size_t i = 0; i < w.size(); ++i) w16[i] = sdk::float_to_fp16(w[i]);

    Buffer weights = test::upload_vector(cpu, w16);
    Buffer acts = test::upload_vector(cpu, x);
    Buffer y_cpu = cpu.alloc(uint64_t(n) * 4);
    cpu.run(make_op(SY_OP_MUL_MAT, tensor_in(y_cpu, 0, kF32, {n}),
                    {tensor_in(weights, 0, kF16, {k, n}), tensor_in(acts, 0, kF32, {k})}));

    Buffer y_dev = test0.alloc(uint64_t(n) * 4);
    copy_buffer(y_cpu, 0, y_dev, 0, uint64_t(n) * 4);  // CPU -> TEST0: upload from host_ptr
    Buffer normed_dev = test0.alloc(uint64_t(n) * 4);
    test0.run(make_op(SY_OP_RMS_NORM, tensor_in(normed_dev, 0, kF32, {n}), {tensor_in(y_dev, 0, kF32, {n})}, {1e-6f}));
    Buffer normed_cpu = cpu.alloc(uint64_t(n) * 4);
    copy_buffer(normed_dev, 0, normed_cpu, 0, uint64_t(n) * 4);  // TEST0 -> CPU: download to host_ptr
    cpu.run(make_op(SY_OP_ADD, tensor_in(normed_cpu, 0, kF32, {n}),
                    {tensor_in(normed_cpu, 0, kF32, {n}), tensor_in(acts, 0, kF32, {k})}));

    std::vector<double> y(static_cast<size_t>(n));
    double sum_squares = 0;
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < k; ++j) y[size_t(i)] += double(sdk::fp16_to_float(w16[size_t(i * k + j)])) * x[size_t(j)];
        y[size_t(i)] = float(y[size_t(i)]);
        sum_squares += y[size_t(i)] * y[size_t(i)];
    }
    const double inv = 1.0 / std::sqrt(sum_squares / double(n) + 1e-6);
    const auto got = test::download_floats(normed_cpu, size_t(n));
    for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(got[size_t(i)], float(y[size_t(i)] * inv) + x[size_t(i)], 1e-5) << i;
    }
}

TEST(Transfer, WithinOneDeviceUsesItsCopy) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    Device test0 = test::require_device(host, "TEST0");
    const std::vector<float> values = {1, 2, 3, 4, 5, 6};
    Buffer a = test::upload_vector(test0, values);
    Buffer b = test0.alloc(8 * 4);
    copy_buffer(a, 4, b, 8, 5 * 4);
    EXPECT_EQ(test::download_floats(b, 5, 8), (std::vector<float>{2, 3, 4, 5, 6}));
}

// Two TEST0 devices (from two hosts sharing the plugin): neither side has a host pointer, so
// the copy is staged through host memory.
TEST(Transfer, BetweenTwoSeparateMemoriesIsStaged) {
    test::LogCapture log;
    PluginHost first(test::real_backend_options(log));
    PluginHost second(test::real_backend_options(log));
    Device a = test::require_device(first, "TEST0");
    Device b = test::require_device(second, "TEST0");
    ASSERT_FALSE(a == b);
    const auto values = test::random_floats(1000, 13);
    Buffer src = test::upload_vector(a, values);
    Buffer dst = b.alloc(values.size() * 4);
    copy_buffer(src, 0, dst, 0, values.size() * 4);
    EXPECT_EQ(test::download_floats(dst, values.size()), values);
}

TEST(Transfer, RangesAreCheckedBeforeAnythingMoves) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    Buffer src = test::require_device(host, "CPU").alloc(16);
    Buffer dst = test::require_device(host, "TEST0").alloc(16);
    try {
        copy_buffer(src, 8, dst, 0, 16);
        FAIL() << "expected OUT_OF_RANGE";
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.status(), SY_STATUS_OUT_OF_RANGE);
        EXPECT_NE(std::string(e.what()).find("past the end"), std::string::npos) << e.what();
    }
    EXPECT_THROW(copy_buffer(src, 0, dst, UINT64_MAX, 1), DeviceError);
}

}  // namespace
}  // namespace sy::host
