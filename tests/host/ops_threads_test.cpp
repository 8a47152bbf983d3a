// Every op gives the same bits with 1 and 3 threads, and on TEST0 as on CPU (the same
// kernels and pool behind separate memory). Sizes are chosen so each op splits into several
// chunks with 3 threads.
#include <numeric>

#include "ops_test_helpers.hpp"

namespace sy::host {
namespace {

using namespace opstest;

// Runs one op of each kind on `device` with fixed inputs; returns every output's bytes, in order.
std::vector<uint8_t> run_every_op(const Device& device) {
    std::vector<uint8_t> all;
    auto keep = [&](const Buffer& out) {
        const auto bytes = download_bytes(out, size_t(out.size()));
        all.insert(all.end(), bytes.begin(), bytes.end());
    };
    const int64_t cols = 256, rows = 128;
    const auto x = test::random_floats(size_t(cols * rows), 101);
    Buffer x_buffer = test::upload_vector(device, x);
    const sy_tensor x_view = tensor_in(x_buffer, 0, kF32, {cols, rows});

    // MUL_MAT: Q4_K (Q8_1 activations) and F16 weights; few rows, so columns are split too.
    for (int32_t type : {int32_t(12), kF16}) {
        const int64_t n = 40;
        Buffer w = type == kF16 ? test::upload_vector(device, encode_rows(kF16, test::random_floats(size_t(cols * n), 103), cols))
                                : test::upload_vector(device, random_block_rows(type, cols, n, 102));
        Buffer out = device.alloc(uint64_t(n * 20) * 4);
        device.run(make_op(SY_OP_MUL_MAT, tensor_in(out, 0, kF32, {n, 20}),
                           {tensor_in(w, 0, type, {cols, n}), tensor_in(x_buffer, 0, kF32, {cols, 20})}));
        keep(out);
    }
    {  // MUL_MAT_ID, Q8_0 experts
        const int64_t n = 40, experts = 4, slots = 2, tokens = 6;
        Buffer w = test::upload_vector(device, encode_rows(kQ8_0, test::random_floats(size_t(cols * n * experts), 104), cols));
        std::vector<int32_t> ids(size_t(slots * tokens));
        for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t((i * 7 + 1) % 4);
        Buffer id_buffer = test::upload_vector(device, ids);
        Buffer out = device.alloc(uint64_t(n * slots * tokens) * 4);
        device.run(make_op(SY_OP_MUL_MAT_ID, tensor_in(out, 0, kF32, {n, slots, tokens}),
                           {tensor_in(w, 0, kQ8_0, {cols, n, experts}), tensor_in(x_buffer, 0, kF32, {cols, slots, tokens}),
                            tensor_in(id_buffer, 0, kI32, {slots, tokens})}));
        keep(out);
    }
    Buffer out = device.alloc(x.size() * 4);
    const sy_tensor out_view = tensor_in(out, 0, kF32, {cols, rows});
    Buffer bias = test::upload_vector(device, test::random_floats(size_t(cols), 105));
    for (int32_t kind : {SY_OP_ADD, SY_OP_MUL, SY_OP_DIV}) {
        device.run(make_op(kind, out_view, {x_view, tensor_in(bias, 0, kF32, {cols})}));
        keep(out);
    }
    for (int32_t kind : {SY_OP_RMS_NORM, SY_OP_SCALE, SY_OP_SILU, SY_OP_SIGMOID, SY_OP_SOFTMAX}) {
        device.run(make_op(kind, out_view, {x_view}, {0.5f}));
        keep(out);
    }
    {
        Buffer sums = device.alloc(uint64_t(rows) * 4);
        device.run(make_op(SY_OP_SUM_ROWS, tensor_in(sums, 0, kF32, {1, rows}), {x_view}));
        keep(sums);
        Buffer top = device.alloc(uint64_t(8 * rows) * 4);
        device.run(make_op(SY_OP_TOP_K, tensor_in(top, 0, kI32, {8, rows}), {x_view}));
        keep(top);
    }
    {  // GET_ROWS from Q4_0, CPY to Q8_0
        Buffer table = test::upload_vector(device, random_block_rows(2, cols, 10, 106));
        std::vector<int32_t> idx(100);
        for (size_t i = 0; i < idx.size(); ++i) idx[i] = int32_t((i * 3) % 10);
        Buffer idx_buffer = test::upload_vector(device, idx);
        Buffer got = device.alloc(uint64_t(cols * 100) * 4);
        device.run(make_op(SY_OP_GET_ROWS, tensor_in(got, 0, kF32, {cols, 100}),
                           {tensor_in(table, 0, 2, {cols, 10}), tensor_in(idx_buffer, 0, kI32, {100})}));
        keep(got);
        Buffer q8 = device.alloc(tensor_bytes(kQ8_0, {cols, rows}));
        device.run(make_op(SY_OP_CPY, tensor_in(q8, 0, kQ8_0, {cols, rows}), {x_view}));
        keep(q8);
    }
    {  // ROPE (NEOX) on [64, 8, 64] with a made-up table, ATTENTION with an F16 cache
        const int64_t d = 64, heads = 8, tokens = 64;
        Buffer table = test::upload_vector(device, test::random_floats(size_t(d * tokens), 107));
        device.run(make_op_i(SY_OP_ROPE, tensor_in(out, 0, kF32, {d, heads, tokens}),
                             {tensor_in(x_buffer, 0, kF32, {d, heads, tokens}), tensor_in(table, 0, kF32, {d, tokens})}, {},
                             {int32_t(d), 2}));
        keep(out);
        const int64_t dk = 32, h = 4, kv_heads = 2, t = 16;
        Buffer cache = test::upload_vector(device, encode_rows(kF16, test::random_floats(size_t(dk * kv_heads * t * 2), 108), dk));
        Buffer att = device.alloc(uint64_t(dk * h * t) * 4);
        const sy_tensor k_view = tensor_in(cache, 0, kF16, {dk, kv_heads, t});
        const sy_tensor v_view = tensor_in(cache, k_view.nb[3], kF16, {dk, kv_heads, t});
        device.run(make_op_i(SY_OP_ATTENTION, tensor_in(att, 0, kF32, {dk, h, t}),
                             {tensor_in(x_buffer, 0, kF32, {dk, h, t}), k_view, v_view}, {0.2f, 0.0f}, {0}));
        keep(att);
    }
    return all;
}

class Threads : public DeviceTest {};

TEST_P(Threads, ResultsAreBitIdenticalForAnyThreadCount) {
    ASSERT_TRUE(device_.set_threads(1));
    const std::vector<uint8_t> one = run_every_op(device_);
    ASSERT_TRUE(device_.set_threads(3));
    const std::vector<uint8_t> three = run_every_op(device_);
    ASSERT_TRUE(device_.set_threads(2));  // change again while warm: workers are replaced
    const std::vector<uint8_t> two = run_every_op(device_);
    EXPECT_EQ(one.size(), three.size());
    EXPECT_TRUE(one == three) << "1 and 3 threads differ";
    EXPECT_TRUE(one == two) << "1 and 2 threads differ";
}

TEST_P(Threads, ZeroThreadsIsRefused) {
    try {
        device_.set_threads(0);
        FAIL() << "set_threads(0) was accepted";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.status(), SY_STATUS_INVALID_ARGUMENT);
    }
}

INSTANTIATE_TEST_SUITE_P(Devices, Threads, ::testing::Values("CPU", "TEST0"));

// The test device runs the reference kernels: the same ops give the same bits as on CPU.
TEST(ThreadsAcrossDevices, Test0MatchesCpuBitForBit) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    Device cpu = test::require_device(host, "CPU");
    Device test0 = test::require_device(host, "TEST0");
    ASSERT_TRUE(cpu.set_threads(3));
    const std::vector<uint8_t> on_cpu = run_every_op(cpu);
    const std::vector<uint8_t> on_test0 = run_every_op(test0);
    EXPECT_TRUE(on_cpu == on_test0);
}

}  // namespace
}  // namespace sy::host
