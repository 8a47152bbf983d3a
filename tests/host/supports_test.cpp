// The capability answers of CPU and TEST0: supports() by types, supports_op() by the concrete
// shapes, strides and alignment, and the matrix the host derives from supports().
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "host/capabilities.hpp"
#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host_test_support.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::host {
namespace {

constexpr int32_t kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ8_0 = 8, kQ8_K = 15, kI32 = 26, kBF16 = 30, kIQ4_KS = 144;

class Supports : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        host_ = std::make_unique<PluginHost>(test::real_backend_options(log_));
        device_ = test::require_device(*host_, GetParam());
    }
    test::LogCapture log_;
    std::unique_ptr<PluginHost> host_;
    Device device_;
};

TEST_P(Supports, ByTypes) {
    EXPECT_TRUE(device_.supports(SY_OP_MUL_MAT, kF32, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_MUL_MAT, kF16, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_MUL_MAT, kBF16, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_MUL_MAT, kQ4_0, kF32));   // quantized weights: core's vec_dot
    EXPECT_TRUE(device_.supports(SY_OP_MUL_MAT, kIQ4_KS, kF32));
    EXPECT_FALSE(device_.supports(SY_OP_MUL_MAT, kQ8_K, kF32));  // activation-only: no vec_dot
    EXPECT_FALSE(device_.supports(SY_OP_MUL_MAT, kF32, kQ8_K));  // activations are F32
    EXPECT_TRUE(device_.supports(SY_OP_MUL_MAT_ID, kQ4_0, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_GET_ROWS, kQ4_0, kI32));
    EXPECT_FALSE(device_.supports(SY_OP_GET_ROWS, kQ4_0, kF32));  // indices are I32
    EXPECT_TRUE(device_.supports(SY_OP_ADD, kF32, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_DIV, kF32, kF32));
    EXPECT_FALSE(device_.supports(SY_OP_ADD, kF16, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_RMS_NORM, SY_TYPE_NONE, kF32));
    EXPECT_FALSE(device_.supports(SY_OP_RMS_NORM, kF32, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_SOFTMAX, SY_TYPE_NONE, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_CPY, kQ8_0, kF32));   // weight = the stored (dst) type
    EXPECT_FALSE(device_.supports(SY_OP_CPY, kQ4_0, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_ATTENTION, kQ8_0, kF32));  // weight = the K cache type
    EXPECT_FALSE(device_.supports(SY_OP_ATTENTION, kBF16, kF32));
    EXPECT_FALSE(device_.supports(9999, kF32, kF32));
}

TEST_P(Supports, ByConcreteOp) {
    const sy_tensor w = tensor_desc(kF16, {64, 8});
    const sy_tensor x = tensor_desc(kF32, {64, 3});
    const sy_tensor dst = tensor_desc(kF32, {8, 3});
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w, x})));

    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, tensor_desc(kF32, {8, 4}), {w, x})));  // wrong dst
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w, tensor_desc(kF32, {63, 3})})));  // K differs
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, tensor_desc(kF16, {8, 3}), {w, x})));  // dst F16
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w})));  // one source

    sy_tensor strided = x;
    strided.nb[0] = 8;  // elements not contiguous within a row
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w, strided})));
    sy_tensor misaligned = x;
    misaligned.offset = 2;  // F32 at a 2-byte offset
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w, misaligned})));
    sy_tensor overlapping = x;
    overlapping.nb[1] = 4;  // rows overlap
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w, overlapping})));
    sy_tensor bad_dims = x;
    bad_dims.n_dims = 1;  // ne[1] = 3 beyond n_dims
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {w, bad_dims})));

    const sy_tensor rows = tensor_desc(kF32, {64, 3});
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_ADD, rows, {rows, tensor_desc(kF32, {64})})));
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_ADD, rows, {rows, tensor_desc(kF32, {48})})));  // 48 ∤ 64
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_RMS_NORM, rows, {rows}, {1e-6f})));
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_RMS_NORM, tensor_desc(kF32, {64, 2}), {rows})));

    // Block-type weights: whole blocks per row, nb[0] = the block's bytes, rows apart.
    const sy_tensor q4 = tensor_desc(kQ4_0, {64, 8});
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {q4, x})));
    sy_tensor q4_wrong_nb0 = q4;
    q4_wrong_nb0.nb[0] = 4;
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {q4_wrong_nb0, x})));
    sy_tensor q4_overlapping = q4;
    q4_overlapping.nb[1] = 18;  // a row is 36 bytes
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {q4_overlapping, x})));
    sy_tensor q4_partial = q4;
    q4_partial.ne[0] = 48;  // not whole blocks
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {q4_partial, tensor_desc(kF32, {48, 3})})));
    // IQ4_KS rows are 256-element super-blocks: K = 64 is not one.
    sy_tensor iq4 = tensor_desc(kIQ4_KS, {256, 8});
    EXPECT_TRUE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst, {iq4, tensor_desc(kF32, {256, 3})})));
    // A destination whose elements overlap is refused (each element must be written once).
    sy_tensor dst_overlapping = dst;
    dst_overlapping.nb[1] = 8;
    EXPECT_FALSE(device_.supports_op(make_op(SY_OP_MUL_MAT, dst_overlapping, {w, x})));
}

// The matrix the host derives from supports() equals the set written out here from core's
// kernel table and the reference's documented claims (backends/reference/supports.hpp).
TEST_P(Supports, TypeMatrixListsExactlyWhatTheKernelsDo) {
    std::set<std::tuple<int32_t, int32_t, int32_t>> want;
    for (const TypeInfo& type : all_types()) {
        const QuantKernels* kernels = find_kernels(type.id);
        if (kernels == nullptr) continue;
        if (kernels->vec_dot != nullptr) {  // F32/F16/BF16 and every quantized weight type
            want.insert({SY_OP_MUL_MAT, type.id, kF32});
            want.insert({SY_OP_MUL_MAT_ID, type.id, kF32});
        }
        if (kernels->dequantize_row != nullptr) want.insert({SY_OP_GET_ROWS, type.id, kI32});
    }
    for (int32_t op : {SY_OP_ADD, SY_OP_MUL, SY_OP_DIV}) want.insert({op, kF32, kF32});
    for (int32_t op : {SY_OP_RMS_NORM, SY_OP_SCALE, SY_OP_SILU, SY_OP_SIGMOID, SY_OP_SOFTMAX, SY_OP_SUM_ROWS,
                       SY_OP_TOP_K, SY_OP_ROPE}) {
        want.insert({op, SY_TYPE_NONE, kF32});
    }
    for (int32_t stored : {kF32, kF16, kBF16, kQ8_0}) want.insert({SY_OP_CPY, stored, kF32});
    want.insert({SY_OP_CPY, kF32, kF16});
    for (int32_t cache : {kF32, kF16, kQ8_0}) want.insert({SY_OP_ATTENTION, cache, kF32});

    std::set<std::tuple<int32_t, int32_t, int32_t>> got;
    for (const TypePair& p : supported_type_pairs(device_)) got.insert({p.op, p.weight_type, p.act_type});
    EXPECT_EQ(got, want);
    EXPECT_GT(want.size(), 100u);  // 30+ weight types for each of MUL_MAT, MUL_MAT_ID, GET_ROWS
}

// Every GET_ROWS source type claimed by supports() really runs (random-byte rows of each).
TEST_P(Supports, EveryClaimedGetRowsTypeRuns) {
    const int64_t k = 256;
    Buffer idx = device_.alloc(4);
    const int32_t one = 1;
    idx.upload(0, &one, 4);
    Buffer out = device_.alloc(uint64_t(k) * 4);
    int runs = 0;
    for (const TypeInfo& type : all_types()) {
        if (!device_.supports(SY_OP_GET_ROWS, type.id, kI32)) continue;
        SCOPED_TRACE(type.name);
        const uint64_t bytes = tensor_bytes(type.id, {k, 2});
        std::vector<uint8_t> rows(bytes, 0);
        Buffer table = test::upload_vector(device_, rows);
        const sy_op op = make_op(SY_OP_GET_ROWS, tensor_in(out, 0, kF32, {k, 1}),
                                 {tensor_in(table, 0, type.id, {k, 2}), tensor_in(idx, 0, kI32, {1})});
        EXPECT_TRUE(device_.supports_op(op));
        EXPECT_NO_THROW(device_.run(op));
        ++runs;
    }
    EXPECT_GT(runs, 30);
}

INSTANTIATE_TEST_SUITE_P(Devices, Supports, ::testing::Values("CPU", "TEST0"));

TEST(Capabilities, ActivationCandidatesAreFloatAndActivationTypes) {
    const auto ids = activation_type_candidates();
    EXPECT_NE(std::find(ids.begin(), ids.end(), kF32), ids.end());
    EXPECT_NE(std::find(ids.begin(), ids.end(), kQ8_K), ids.end());
    EXPECT_EQ(std::find(ids.begin(), ids.end(), kQ4_0), ids.end());
}

TEST(TensorView, StridesComeFromTheTypeRegistry) {
    const sy_tensor q = tensor_desc(kQ4_0, {64, 3, 2});
    EXPECT_EQ(q.nb[0], 18u);
    EXPECT_EQ(q.nb[1], 36u);
    EXPECT_EQ(q.nb[2], 108u);
    EXPECT_EQ(q.nb[3], 216u);
    EXPECT_EQ(tensor_bytes(kF32, {5, 7}), 140u);
    EXPECT_THROW(tensor_desc(kQ4_0, {65}), sy::Error);  // not a whole number of blocks
    EXPECT_THROW(tensor_desc(kF32, {}), sy::Error);
    EXPECT_THROW(tensor_desc(12345, {4}), sy::Error);
}

}  // namespace
}  // namespace sy::host
