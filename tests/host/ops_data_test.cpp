// GET_ROWS, CPY and TOP_K, and the element-wise/row ops added for the model runtime (DIV,
// SIGMOID, SOFTMAX, SUM_ROWS, broadcasting in every dimension), on CPU and TEST0, each against
// a plain loop written here (decoding with core's dequantize_row where a type is involved).
#include <algorithm>
#include <array>
#include <cmath>

#include "ops_test_helpers.hpp"

namespace sy::host {
namespace {

using namespace opstest;

class DataOps : public DeviceTest {};

// dst[K, R, B] = rows idx[R, B] of src[K, N, B] for a float, a block and a row-header type.
TEST_P(DataOps, GetRowsBatchedAnyType) {
    const int64_t k = 256, n = 5, r = 3, b = 2;
    const std::vector<int32_t> indices = {4, 0, 4, 1, 2, 3};  // [R, B], a repeat in batch 0
    for (int32_t type : {kF32, kF16, int32_t(2) /* Q4_0 */, int32_t(144) /* IQ4_KS, row header */}) {
        SCOPED_TRACE(type_name(type));
        const std::vector<uint8_t> bytes = encode_rows(type, test::random_floats(size_t(k * n * b), 71), k);
        const std::vector<float> decoded = decode_rows(type, bytes, k);
        Buffer src = test::upload_vector(device_, bytes);
        Buffer idx = test::upload_vector(device_, indices);
        Buffer out = device_.alloc(uint64_t(k * r * b) * 4);
        const sy_op op = make_op(SY_OP_GET_ROWS, tensor_in(out, 0, kF32, {k, r, b}),
                                 {tensor_in(src, 0, type, {k, n, b}), tensor_in(idx, 0, kI32, {r, b})});
        ASSERT_TRUE(device_.supports_op(op));
        device_.run(op);
        const auto got = test::download_floats(out, size_t(k * r * b));
        for (int64_t bi = 0; bi < b; ++bi)
            for (int64_t ri = 0; ri < r; ++ri) {
                const int64_t row = indices[size_t(bi * r + ri)];
                ASSERT_TRUE(std::equal(&got[size_t((bi * r + ri) * k)], &got[size_t((bi * r + ri + 1) * k)],
                                       &decoded[size_t((bi * n + row) * k)]))
                    << "row " << ri << " batch " << bi;
            }
    }
}

TEST_P(DataOps, GetRowsRefusesAnIndexOutOfRange) {
    const int64_t k = 8, n = 4;
    Buffer src = test::upload_vector(device_, test::random_floats(size_t(k * n), 72));
    Buffer out = test::upload_vector(device_, std::vector<float>(size_t(k * 2), 7.0f));
    for (int32_t bad : {4, -1}) {
        SCOPED_TRACE(bad);
        Buffer idx = test::upload_vector(device_, std::vector<int32_t>{1, bad});
        const sy_op op = make_op(SY_OP_GET_ROWS, tensor_in(out, 0, kF32, {k, 2}),
                                 {tensor_in(src, 0, kF32, {k, n}), tensor_in(idx, 0, kI32, {2})});
        EXPECT_EQ(run_status(device_, op), SY_STATUS_INVALID_ARGUMENT);
        // Checked before anything is written.
        const auto after = test::download_floats(out, size_t(k * 2));
        EXPECT_TRUE(std::all_of(after.begin(), after.end(), [](float v) { return v == 7.0f; }));
    }
}

// A transposed F32 source (nb0 = row stride) copied into F32, F16 and BF16 destinations; the
// 16-bit ones hold core's rounding of each value.
TEST_P(DataOps, CpyTransposedSourceToFloatTypes) {
    const int64_t rows = 6, cols = 5;  // source stored [rows][cols]; copy its transpose
    const auto x = test::random_floats(size_t(rows * cols), 81);
    Buffer src = test::upload_vector(device_, x);
    sy_tensor transposed = tensor_in(src, 0, kF32, {rows, cols});  // element (i, j) = x[i*cols + j]
    transposed.nb[0] = uint64_t(cols) * 4;
    transposed.nb[1] = 4;
    std::vector<float> want(x.size());
    for (int64_t j = 0; j < cols; ++j)
        for (int64_t i = 0; i < rows; ++i) want[size_t(j * rows + i)] = x[size_t(i * cols + j)];
    for (int32_t type : {kF32, kF16, kBF16}) {
        SCOPED_TRACE(type_name(type));
        Buffer out = device_.alloc(tensor_bytes(type, {rows, cols}));
        const sy_op op = make_op(SY_OP_CPY, tensor_in(out, 0, type, {rows, cols}), {transposed});
        ASSERT_TRUE(device_.supports_op(op));
        device_.run(op);
        const auto bytes = download_bytes(out, size_t(tensor_bytes(type, {rows, cols})));
        EXPECT_EQ(bytes, encode_rows(type, want, rows));
    }
    // The other way round: contiguous rows into a transposed F16 destination (nb0 = row stride).
    Buffer plain = test::upload_vector(device_, want);  // [rows, cols] contiguous, = transpose of x
    Buffer t16 = device_.alloc(x.size() * 2);
    sy_tensor t16_view = tensor_in(t16, 0, kF16, {rows, cols});
    t16_view.nb[0] = uint64_t(cols) * 2;
    t16_view.nb[1] = 2;
    const sy_op back = make_op(SY_OP_CPY, t16_view, {tensor_in(plain, 0, kF32, {rows, cols})});
    ASSERT_TRUE(device_.supports_op(back));
    device_.run(back);
    EXPECT_EQ(download_bytes(t16, x.size() * 2), encode_rows(kF16, x, cols));  // x again, as F16
    // F16 -> F32 widens exactly.
    Buffer half = test::upload_vector(device_, encode_rows(kF16, x, cols));
    Buffer out = device_.alloc(x.size() * 4);
    device_.run(make_op(SY_OP_CPY, tensor_in(out, 0, kF32, {cols, rows}), {tensor_in(half, 0, kF16, {cols, rows})}));
    EXPECT_EQ(test::download_floats(out, x.size()), through_type(kF16, x, cols));
}

// F32 rows written into a slice of a Q8_0 cache (rows 2..4 of 8, each row 2 blocks of 32):
// the bytes are core's quantize_row of each row, and the rest of the cache is untouched.
TEST_P(DataOps, CpyToQ8_0EqualsCoreQuantizer) {
    const int64_t k = 64, cache_rows = 8, first = 2, count = 3;
    const uint64_t row = row_bytes(kQ8_0, k, "cache");
    const auto x = test::random_floats(size_t(k * count), 82);
    Buffer src = test::upload_vector(device_, x);
    const std::vector<uint8_t> fill(size_t(row * cache_rows), 0xA5);
    Buffer cache = test::upload_vector(device_, fill);
    const sy_op op = make_op(SY_OP_CPY, tensor_in(cache, first * row, kQ8_0, {k, count}), {tensor_in(src, 0, kF32, {k, count})});
    ASSERT_TRUE(device_.supports_op(op));
    device_.run(op);
    const auto got = download_bytes(cache, fill.size());
    std::vector<uint8_t> want = fill;
    const std::vector<uint8_t> encoded = encode_rows(kQ8_0, x, k);
    std::copy(encoded.begin(), encoded.end(), want.begin() + int64_t(first * row));
    EXPECT_EQ(got, want);
    // A Q8_0 destination must be whole blocks per row.
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_CPY, tensor_desc(kQ8_0, {32, 2}), {tensor_desc(kF32, {32, 2})})));
    sy_tensor partial = tensor_desc(kQ8_0, {64});
    partial.ne[0] = 48;
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_CPY, partial, {tensor_desc(kF32, {48})})));
}

// Largest first; equal values by lower index; k = n gives the full order.
TEST_P(DataOps, TopKOrdersTiesByIndex) {
    const std::vector<float> x = {0.5f, 2.0f, -1.0f, 2.0f, 0.5f, 3.0f, 2.0f, 0.0f,  // row 0
                                  1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f}; // row 1: all equal
    Buffer in = test::upload_vector(device_, x);
    for (int64_t k : {int64_t(4), int64_t(8)}) {
        SCOPED_TRACE(k);
        Buffer out = device_.alloc(uint64_t(k * 2) * 4);
        const sy_op op = make_op(SY_OP_TOP_K, tensor_in(out, 0, kI32, {k, 2}), {tensor_in(in, 0, kF32, {8, 2})});
        ASSERT_TRUE(device_.supports_op(op));
        device_.run(op);
        const auto got = download_ints(out, size_t(k * 2));
        const std::vector<int32_t> row0 = {5, 1, 3, 6, 0, 4, 7, 2};
        for (int64_t i = 0; i < k; ++i) {
            EXPECT_EQ(got[size_t(i)], row0[size_t(i)]) << i;
            EXPECT_EQ(got[size_t(k + i)], int32_t(i)) << i;
        }
    }
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_TOP_K, tensor_desc(kI32, {9, 2}), {tensor_desc(kF32, {8, 2})})));
}

// src1 indexed modulo its own shape in every dimension: [1, S, T] scales rows of [K, S, T],
// [K/2] repeats twice along each row, [K, 1, T] broadcasts over S.
TEST_P(DataOps, BinaryOpsBroadcastInEveryDimension) {
    const int64_t k = 6, s = 3, t = 2;
    const auto a = test::random_floats(size_t(k * s * t), 91);
    Buffer in_a = test::upload_vector(device_, a);
    Buffer out = device_.alloc(a.size() * 4);
    const std::vector<std::array<int64_t, 3>> shapes = {{1, s, t}, {k / 2, 1, 1}, {k, 1, t}, {k, s, t}};
    for (const auto& shape : shapes) {
        auto b = test::random_floats(size_t(shape[0] * shape[1] * shape[2]), 92);
        for (float& v : b) v += 2.0f;  // keep DIV away from zero
        Buffer in_b = test::upload_vector(device_, b);
        for (int32_t kind : {SY_OP_ADD, SY_OP_MUL, SY_OP_DIV}) {
            SCOPED_TRACE(::testing::Message() << "kind " << kind << " b " << shape[0] << "x" << shape[1] << "x" << shape[2]);
            device_.run(make_op(kind, tensor_in(out, 0, kF32, {k, s, t}),
                                {tensor_in(in_a, 0, kF32, {k, s, t}), tensor_in(in_b, 0, kF32, {shape[0], shape[1], shape[2]})}));
            const auto got = test::download_floats(out, a.size());
            for (int64_t i2 = 0; i2 < t; ++i2)
                for (int64_t i1 = 0; i1 < s; ++i1)
                    for (int64_t i0 = 0; i0 < k; ++i0) {
                        const float x = a[size_t((i2 * s + i1) * k + i0)];
                        const float y = b[size_t(((i2 % shape[2]) * shape[1] + i1 % shape[1]) * shape[0] + i0 % shape[0])];
                        const float want = kind == SY_OP_ADD ? x + y : kind == SY_OP_MUL ? x * y : x / y;
                        ASSERT_EQ(got[size_t((i2 * s + i1) * k + i0)], want);
                    }
        }
    }
}

TEST_P(DataOps, SoftmaxSigmoidSumRows) {
    const int64_t k = 37, rows = 4;
    auto x = test::random_floats(size_t(k * rows), 93);
    for (float& v : x) v *= 30.0f;  // large logits: a naive exp would overflow in float
    x[5] = 1000.0f;
    Buffer in = test::upload_vector(device_, x);
    Buffer out = device_.alloc(x.size() * 4);
    device_.run(make_op(SY_OP_SOFTMAX, tensor_in(out, 0, kF32, {k, rows}), {tensor_in(in, 0, kF32, {k, rows})}));
    auto got = test::download_floats(out, x.size());
    for (int64_t r = 0; r < rows; ++r) {
        double max = -INFINITY, sum = 0;
        for (int64_t i = 0; i < k; ++i) max = std::max(max, double(x[size_t(r * k + i)]));
        for (int64_t i = 0; i < k; ++i) sum += std::exp(x[size_t(r * k + i)] - max);
        for (int64_t i = 0; i < k; ++i) {
            ASSERT_NEAR(got[size_t(r * k + i)], std::exp(x[size_t(r * k + i)] - max) / sum, 1e-7);
        }
    }
    device_.run(make_op(SY_OP_SIGMOID, tensor_in(out, 0, kF32, {k, rows}), {tensor_in(in, 0, kF32, {k, rows})}));
    got = test::download_floats(out, x.size());
    for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(got[i], 1.0 / (1.0 + std::exp(-double(x[i]))), 1e-7);

    Buffer sums = device_.alloc(uint64_t(rows) * 4);
    device_.run(make_op(SY_OP_SUM_ROWS, tensor_in(sums, 0, kF32, {1, rows}), {tensor_in(in, 0, kF32, {k, rows})}));
    got = test::download_floats(sums, size_t(rows));
    for (int64_t r = 0; r < rows; ++r) {
        double want = 0;
        for (int64_t i = 0; i < k; ++i) want += x[size_t(r * k + i)];
        ASSERT_NEAR(got[size_t(r)], want, 1e-6 * (1 + std::fabs(want)));
    }
}

// Aliasing: a destination that partly overlaps its source, or itself, is refused.
TEST_P(DataOps, PartialOverlapIsRefused) {
    Buffer buffer = device_.alloc(64 * 4);
    const sy_tensor a = tensor_in(buffer, 0, kF32, {32});
    const sy_tensor shifted = tensor_in(buffer, 16, kF32, {32});
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_SILU, a, {a})));           // in place
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_SILU, shifted, {a})));    // overlapping
    sy_tensor self_overlapping = tensor_in(buffer, 0, kF32, {8, 4});
    self_overlapping.nb[1] = 16;  // rows 4 floats apart, 8 long
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_CPY, self_overlapping, {tensor_desc(kF32, {8, 4})})));
}

INSTANTIATE_TEST_SUITE_P(Devices, DataOps, ::testing::Values("CPU", "TEST0"));

}  // namespace
}  // namespace sy::host
