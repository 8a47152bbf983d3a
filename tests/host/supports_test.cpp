// The capability answers of CPU and TEST0: supports() by types, supports_op() by the concrete
// shapes, strides and alignment, and the matrix the host derives from supports().
#include <gtest/gtest.h>

#include <algorithm>

#include "host/capabilities.hpp"
#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host_test_support.hpp"
#include "types/type_registry.hpp"

namespace sy::host {
namespace {

constexpr int32_t kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ8_K = 15, kBF16 = 30;

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
    EXPECT_FALSE(device_.supports(SY_OP_MUL_MAT, kQ4_0, kF32));  // quantized weights come later
    EXPECT_FALSE(device_.supports(SY_OP_MUL_MAT, kF32, kQ8_K));
    EXPECT_TRUE(device_.supports(SY_OP_ADD, kF32, kF32));
    EXPECT_TRUE(device_.supports(SY_OP_RMS_NORM, SY_TYPE_NONE, kF32));
    EXPECT_FALSE(device_.supports(SY_OP_RMS_NORM, kF32, kF32));
    EXPECT_FALSE(device_.supports(SY_OP_SOFTMAX, SY_TYPE_NONE, kF32));
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
}

TEST_P(Supports, TypeMatrixListsExactlyWhatTheKernelsDo) {
    const auto pairs = supported_type_pairs(device_);
    auto has = [&](int32_t op, int32_t w, int32_t a) {
        return std::any_of(pairs.begin(), pairs.end(),
                           [&](const TypePair& p) { return p.op == op && p.weight_type == w && p.act_type == a; });
    };
    EXPECT_TRUE(has(SY_OP_MUL_MAT, kBF16, kF32));
    EXPECT_TRUE(has(SY_OP_SILU, SY_TYPE_NONE, kF32));
    EXPECT_FALSE(has(SY_OP_MUL_MAT, kQ4_0, kF32));
    EXPECT_EQ(pairs.size(), 3u + 2u + 3u);  // MUL_MAT x3 weights; ADD, MUL; RMS_NORM, SCALE, SILU
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
