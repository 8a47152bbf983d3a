// The reference backend's one device, "CPU": host memory, scalar kernels.
// Created by device_open (register.cpp) in host-allocated memory, destroyed by device_close
// or shutdown (which joins its worker threads). The host drives it from one thread at a time
// (ABI rule); no locking inside. Ops run on the device's ThreadPool (set_threads, default 1).
#pragma once

#include <string>

#include "kernels/thread_pool.hpp"
#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/errors.hpp"
#include "switchyard/sdk/host_buffers.hpp"
#include "switchyard/sdk/host_env.hpp"
#include "switchyard/sdk/intrusive_list.hpp"

namespace sy::reference {

class CpuDevice : public sdk::ListNode<CpuDevice> {
public:
    CpuDevice(const sdk::HostEnv& env, int32_t index);

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

    bool supports(int32_t kind, int32_t weight_type, int32_t act_type) const;
    bool supports_op(const sy_op& op) const;
    void run(const sy_op& op);
    void synchronize() {}  // every run() completes before it returns
    void set_threads(int32_t n_threads) { pool_.set_threads(n_threads); }

private:
    sdk::ErrorSlot errors_;
    sdk::HostBufferSet buffers_;
    refops::ThreadPool pool_;   // joined in the destructor, before the buffers go
    std::string description_;   // CPU model, from sy::platform
    std::string feature_text_;  // ISA extensions, from sy::platform
};

}  // namespace sy::reference
