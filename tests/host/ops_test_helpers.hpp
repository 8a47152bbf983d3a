// Helpers shared by the op tests (ops_*_test.cpp): tensors of any type built with core's
// reference quantizers, plain double-precision expectations, comparisons, and ops with integer
// parameters. Header-only; every function is deterministic.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <vector>

#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host_test_support.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::host::opstest {

constexpr int32_t kF32 = 0, kF16 = 1, kQ8_0 = 8, kI32 = 26, kBF16 = 30;

// Rows of `type` (ne0 = n each) encoded from `values` with core's quantize_row (no importance).
inline std::vector<uint8_t> encode_rows(int32_t type, const std::vector<float>& values, int64_t n) {
    const uint64_t row = row_bytes(type, n, "test rows");
    const size_t rows = values.size() / size_t(n);
    std::vector<uint8_t> bytes(rows * row);
    for (size_t r = 0; r < rows; ++r) find_kernels(type)->quantize_row(&values[r * size_t(n)], &bytes[r * row], n, nullptr);
    return bytes;
}

// What the rows of `bytes` stand for, decoded with core's dequantize_row.
inline std::vector<float> decode_rows(int32_t type, const std::vector<uint8_t>& bytes, int64_t n) {
    const uint64_t row = row_bytes(type, n, "test rows");
    const size_t rows = bytes.size() / size_t(row);
    std::vector<float> values(rows * size_t(n));
    for (size_t r = 0; r < rows; ++r) find_kernels(type)->dequantize_row(&bytes[r * row], &values[r * size_t(n)], n);
    return values;
}

// `rows` rows of random bytes of a block type whose decoded values are all finite and at most
// 1e7 in magnitude (random scale fields would otherwise give inf/NaN now and then). Every bit
// pattern of the quants is exercised, which the type's own quantizer would not produce.
inline std::vector<uint8_t> random_block_rows(int32_t type, int64_t n, int64_t rows, uint32_t seed) {
    const uint64_t row = row_bytes(type, n, "test rows");
    std::vector<uint8_t> bytes(size_t(row) * size_t(rows));
    std::vector<float> decoded(static_cast<size_t>(n));
    std::mt19937 engine(seed);
    for (int64_t r = 0; r < rows; ++r) {
        uint8_t* out = &bytes[size_t(r) * row];
        for (int attempt = 0;; ++attempt) {
            for (uint64_t i = 0; i < row; ++i) out[i] = uint8_t(engine());
            find_kernels(type)->dequantize_row(out, decoded.data(), n);
            bool sane = true;
            for (float v : decoded) sane = sane && std::isfinite(v) && std::fabs(v) <= 1e7f;
            if (sane) break;
            if (attempt > 100000) throw std::runtime_error("no sane random row for type " + type_name(type));
        }
    }
    return bytes;
}

inline std::vector<int32_t> download_ints(const Buffer& buffer, size_t count, uint64_t offset = 0) {
    return buffer.download_as<int32_t>(offset, count);
}

inline std::vector<uint8_t> download_bytes(const Buffer& buffer, size_t count, uint64_t offset = 0) {
    return buffer.download_as<uint8_t>(offset, count);
}

// Values rounded the way an F16 / BF16 tensor stores them.
inline std::vector<float> through_type(int32_t type, const std::vector<float>& values, int64_t n) {
    return decode_rows(type, encode_rows(type, values, n), n);
}

// make_op plus integer parameters.
inline sy_op make_op_i(int32_t kind, const sy_tensor& dst, std::initializer_list<sy_tensor> src,
                       std::initializer_list<float> params_f, std::initializer_list<int32_t> params_i) {
    sy_op op = make_op(kind, dst, src, params_f);
    int i = 0;
    for (int32_t p : params_i) op.params_i[i++] = p;
    return op;
}

// Every element within tolerance * (1 + |want|).
inline void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, double tolerance) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], tolerance * (1.0 + std::fabs(want[i]))) << "element " << i;
    }
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// A device fixture parameterized by device name ("CPU", "TEST0").
class DeviceTest : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        host_ = std::make_unique<PluginHost>(test::real_backend_options(log_));
        device_ = test::require_device(*host_, GetParam());
    }
    test::LogCapture log_;
    std::unique_ptr<PluginHost> host_;
    Device device_;
};

// The status of a run that must fail.
inline sy_status run_status(const Device& device, const sy_op& op) {
    try {
        device.run(op);
    } catch (const DeviceError& error) {
        return error.status();
    }
    return SY_STATUS_OK;
}

}  // namespace sy::host::opstest
