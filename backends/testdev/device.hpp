// TEST0: a device whose memory the host cannot address (see README.md). Created by
// device_open in host-allocated memory; the host drives it from one thread at a time. Ops
// run on the reference kernels' ThreadPool (set_threads, default 1), joined at device_close.
#pragma once

#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/errors.hpp"
#include "switchyard/sdk/host_buffers.hpp"
#include "switchyard/sdk/host_env.hpp"
#include "switchyard/sdk/intrusive_list.hpp"
#include "reference/kernels/thread_pool.hpp"

namespace sy::testdev {

class TestDevice : public sdk::ListNode<TestDevice> {
public:
    static constexpr uint64_t kMemoryBytes = uint64_t(256) << 20;  // what buffer_alloc enforces

    TestDevice(const sdk::HostEnv& env, int32_t index);

    sdk::ErrorSlot& error_slot() { return errors_; }
    void get_props(sy_device_props& out);

    // buffer.cpp
    sy_buffer buffer_alloc(uint64_t size);
    void buffer_free(sy_buffer buffer);
    void buffer_upload(sy_buffer dst, uint64_t dst_offset, const void* src, uint64_t size);
    void buffer_download(sy_buffer src, uint64_t src_offset, void* dst, uint64_t size);
    void buffer_copy(sy_buffer dst, uint64_t dst_offset, sy_buffer src, uint64_t src_offset,
                     uint64_t size);
    void* buffer_host_ptr(sy_buffer buffer);

    // supports.cpp
    bool supports(int32_t kind, int32_t weight_type, int32_t act_type) const;
    bool supports_op(const sy_op& op) const;

    void run(const sy_op& op);
    void synchronize() {}  // runs complete before they return
    void set_threads(int32_t n_threads) { pool_.set_threads(n_threads); }  // same pool as CPU

private:
    sdk::ErrorSlot errors_;
    sdk::HostBufferSet buffers_;
    refops::ThreadPool pool_;  // the reference kernels' workers; joined in the destructor
};

}  // namespace sy::testdev
