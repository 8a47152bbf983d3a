// Misuse reaches the plugin as a status and a message, never a crash: ranges past a buffer's
// end, buffers of another device, unsupported ops, and TEST0 running out of memory.
#include <gtest/gtest.h>

#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host_test_support.hpp"

namespace sy::host {
namespace {

constexpr int32_t kF32 = 0;

template <class Call>
DeviceError expect_device_error(sy_status status, Call&& call) {
    try {
        call();
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.status(), status) << e.what();
        return e;
    }
    ADD_FAILURE() << "no DeviceError";
    return DeviceError(SY_STATUS_OK, "");
}

class BufferErrors : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        host_ = std::make_unique<PluginHost>(test::real_backend_options(log_));
        device_ = test::require_device(*host_, GetParam());
    }
    test::LogCapture log_;
    std::unique_ptr<PluginHost> host_;
    Device device_;
};

TEST_P(BufferErrors, TransfersPastTheEndAreOutOfRange) {
    Buffer buffer = device_.alloc(128);
    std::vector<uint8_t> bytes(256);
    const DeviceError e = expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { buffer.upload(100, bytes.data(), 29); });
    EXPECT_NE(std::string(e.what()).find("offset 100 + size 29 is past the end of a 128-byte buffer"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam()), std::string::npos) << "names the device: " << e.what();
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { buffer.download(0, bytes.data(), 129); });
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { buffer.upload(UINT64_MAX, bytes.data(), 2); });
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { buffer.download(1, bytes.data(), UINT64_MAX); });
    Buffer other = device_.alloc(64);
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { buffer.copy_from(100, other, 0, 64); });
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { buffer.copy_from(0, other, 32, 64); });
    buffer.upload(64, bytes.data(), 64);  // exactly to the end is fine
    buffer.upload(128, bytes.data(), 0);
}

TEST_P(BufferErrors, OpsReadingPastTheEndAreOutOfRange) {
    Buffer small = device_.alloc(4 * 10);
    Buffer out = device_.alloc(4 * 16);
    // src claims 16 floats in a 10-float buffer.
    const sy_op op = make_op(SY_OP_SILU, tensor_in(out, 0, kF32, {16}), {tensor_in(small, 0, kF32, {16})});
    EXPECT_TRUE(device_.supports_op(op));  // the layout is fine; the buffer is too short
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { device_.run(op); });
    const sy_op shifted = make_op(SY_OP_SILU, tensor_in(out, 4 * 8, kF32, {16}), {tensor_in(out, 0, kF32, {16})});
    expect_device_error(SY_STATUS_OUT_OF_RANGE, [&] { device_.run(shifted); });
}

TEST_P(BufferErrors, BuffersOfAnotherDeviceAreRejected) {
    const char* other_name = std::string(GetParam()) == "CPU" ? "TEST0" : "CPU";
    Buffer foreign = test::require_device(*host_, other_name).alloc(64);
    Buffer mine = device_.alloc(64);
    const sy_op op = make_op(SY_OP_SILU, tensor_in(mine, 0, kF32, {16}), {tensor_in(foreign, 0, kF32, {16})});
    const DeviceError e = expect_device_error(SY_STATUS_INVALID_ARGUMENT, [&] { device_.run(op); });
    EXPECT_NE(std::string(e.what()).find("does not belong to this device"), std::string::npos) << e.what();
    // The host wrapper refuses cross-device copy_from outright.
    expect_device_error(SY_STATUS_INVALID_ARGUMENT, [&] { mine.copy_from(0, foreign, 0, 64); });
}

TEST_P(BufferErrors, UnsupportedOpsAreRefusedWithAMessage) {
    Buffer buffer = device_.alloc(64);
    // SOFTMAX of F16 activations: the op exists, the type combination does not.
    const sy_op softmax = make_op(SY_OP_SOFTMAX, tensor_in(buffer, 0, kF32, {16}), {tensor_in(buffer, 0, 1, {16})});
    const DeviceError e = expect_device_error(SY_STATUS_UNSUPPORTED, [&] { device_.run(softmax); });
    EXPECT_NE(std::string(e.what()).find("SOFTMAX"), std::string::npos) << e.what();
    sy_op old = softmax;
    old.struct_size = 8;  // a caller that does not fill the struct is refused, not trusted
    expect_device_error(SY_STATUS_INVALID_ARGUMENT, [&] { device_.run(old); });
}

TEST_P(BufferErrors, HostPointerOnlyWithHostMemory) {
    Buffer buffer = device_.alloc(32);
    EXPECT_EQ(buffer.host_ptr() != nullptr, device_.info().has_host_memory());
    Buffer empty = device_.alloc(0);  // zero bytes is a valid buffer
    EXPECT_EQ(empty.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Devices, BufferErrors, ::testing::Values("CPU", "TEST0"));

TEST(SeparateMemory, Test0EnforcesItsMemorySize) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    Device test0 = test::require_device(host, "TEST0");
    const uint64_t total = test0.info().memory_total;
    EXPECT_EQ(total, uint64_t(256) << 20);
    EXPECT_EQ(test0.info().kind, uint32_t(SY_DEVICE_KIND_ACCEL));

    const DeviceError e = expect_device_error(SY_STATUS_OUT_OF_MEMORY, [&] { test0.alloc(total + 1); });
    EXPECT_NE(std::string(e.what()).find("TEST0: cannot allocate"), std::string::npos) << e.what();

    Buffer big = test0.alloc(total - 1024);
    EXPECT_EQ(test0.query_info().memory_free, 1024u);
    expect_device_error(SY_STATUS_OUT_OF_MEMORY, [&] { test0.alloc(2048); });
    Buffer fits = test0.alloc(1024);
    EXPECT_EQ(test0.query_info().memory_free, 0u);
    big = Buffer();
    EXPECT_EQ(test0.query_info().memory_free, total - 1024);
}

}  // namespace
}  // namespace sy::host
