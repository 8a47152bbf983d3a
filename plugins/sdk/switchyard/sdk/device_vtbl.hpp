// device_vtbl<Device>(): builds the C sy_device_vtbl from a C++ device class, so a plugin
// author writes ordinary C++ (members may throw sy::sdk::Failure or std::bad_alloc) and never
// writes a catch block or a cast at the boundary.
//
// The class `Device` provides (all called on one thread at a time, as the ABI promises):
//   ErrorSlot& error_slot();
//   void  get_props(sy_device_props& out);          // strings live until device_close
//   sy_buffer buffer_alloc(uint64_t size);
//   void  buffer_free(sy_buffer buffer);             // must not throw; unknown handles ignored
//   void  buffer_upload(sy_buffer dst, uint64_t dst_offset, const void* src, uint64_t size);
//   void  buffer_download(sy_buffer src, uint64_t src_offset, void* dst, uint64_t size);
//   void  buffer_copy(sy_buffer dst, uint64_t dst_offset, sy_buffer src, uint64_t src_offset,
//                     uint64_t size);
//   void* buffer_host_ptr(sy_buffer buffer);         // nullptr unless HOST_MEMORY
//   bool  supports(int32_t kind, int32_t weight_type, int32_t act_type) const;
//   bool  supports_op(const sy_op& op) const;
//   void  run(const sy_op& op);
//   void  synchronize();
// and optionally (the table's member is NULL without it):
//   void  set_threads(int32_t n_threads);            // n_threads >= 1, checked before the call
// The sy_device handle is the Device* itself (reinterpret_cast both ways).
#pragma once

#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/guard.hpp"

namespace sy::sdk {

template <class Device>
Device* device_from_handle(sy_device handle) {
    return reinterpret_cast<Device*>(handle);
}

template <class Device>
sy_device device_handle(Device* device) {
    return reinterpret_cast<sy_device>(device);
}

template <class Device>
struct DeviceVtbl {
    static Device& self(sy_device dev) { return *device_from_handle<Device>(dev); }

    static sy_status get_props(sy_device dev, sy_device_props* out) {
        return guard(self(dev).error_slot(), [&] {
            if (out == nullptr) fail(SY_STATUS_INVALID_ARGUMENT, "get_props: out_props is NULL");
            self(dev).get_props(*out);
            return SY_STATUS_OK;
        });
    }
    static const char* last_error(sy_device dev) { return self(dev).error_slot().message(); }
    static sy_status buffer_alloc(sy_device dev, uint64_t size, sy_buffer* out) {
        return guard(self(dev).error_slot(), [&] {
            if (out == nullptr) fail(SY_STATUS_INVALID_ARGUMENT, "buffer_alloc: out_buffer is NULL");
            *out = nullptr;
            *out = self(dev).buffer_alloc(size);
            return SY_STATUS_OK;
        });
    }
    static void buffer_free(sy_device dev, sy_buffer buffer) {
        guard(self(dev).error_slot(), [&] {
            self(dev).buffer_free(buffer);
            return SY_STATUS_OK;
        });
    }
    static sy_status buffer_upload(sy_device dev, sy_buffer dst, uint64_t dst_offset, const void* src,
                                   uint64_t size) {
        return guard(self(dev).error_slot(), [&] {
            if (src == nullptr && size != 0) fail(SY_STATUS_INVALID_ARGUMENT, "upload: src is NULL");
            self(dev).buffer_upload(dst, dst_offset, src, size);
            return SY_STATUS_OK;
        });
    }
    static sy_status buffer_download(sy_device dev, sy_buffer src, uint64_t src_offset, void* dst,
                                     uint64_t size) {
        return guard(self(dev).error_slot(), [&] {
            if (dst == nullptr && size != 0) fail(SY_STATUS_INVALID_ARGUMENT, "download: dst is NULL");
            self(dev).buffer_download(src, src_offset, dst, size);
            return SY_STATUS_OK;
        });
    }
    static sy_status buffer_copy(sy_device dev, sy_buffer dst, uint64_t dst_offset, sy_buffer src,
                                 uint64_t src_offset, uint64_t size) {
        return guard(self(dev).error_slot(), [&] {
            self(dev).buffer_copy(dst, dst_offset, src, src_offset, size);
            return SY_STATUS_OK;
        });
    }
    static void* buffer_host_ptr(sy_device dev, sy_buffer buffer) {
        return guard_value<void*>(nullptr, [&] { return self(dev).buffer_host_ptr(buffer); });
    }
    static bool supports(sy_device dev, int32_t kind, int32_t weight_type, int32_t act_type) {
        return guard_value(false, [&] { return self(dev).supports(kind, weight_type, act_type); });
    }
    static bool supports_op(sy_device dev, const sy_op* op) {
        return guard_value(false, [&] {
            return op != nullptr && op->struct_size >= sizeof(sy_op) && self(dev).supports_op(*op);
        });
    }
    static sy_status run(sy_device dev, const sy_op* op) {
        return guard(self(dev).error_slot(), [&] {
            if (op == nullptr || op->struct_size < sizeof(sy_op)) {
                fail(SY_STATUS_INVALID_ARGUMENT, "run: op is NULL or older than ABI v1");
            }
            self(dev).run(*op);
            return SY_STATUS_OK;
        });
    }
    static sy_status synchronize(sy_device dev) {
        return guard(self(dev).error_slot(), [&] {
            self(dev).synchronize();
            return SY_STATUS_OK;
        });
    }

    static sy_status set_threads(sy_device dev, int32_t n_threads) {
        return guard(self(dev).error_slot(), [&] {
            if (n_threads < 1) fail(SY_STATUS_INVALID_ARGUMENT, "set_threads: %d threads (need >= 1)", int(n_threads));
            if constexpr (kHasSetThreads) self(dev).set_threads(n_threads);
            return SY_STATUS_OK;
        });
    }
    static constexpr bool kHasSetThreads = requires(Device& d, int32_t n) { d.set_threads(n); };

    static constexpr sy_device_vtbl table = {
        sizeof(sy_device_vtbl), &get_props,       &last_error,     &buffer_alloc,
        &buffer_free,           &buffer_upload,   &buffer_download, &buffer_copy,
        &buffer_host_ptr,       &supports,        &supports_op,    &run,
        &synchronize,           kHasSetThreads ? &set_threads : nullptr,
    };
};

// The vtbl of `Device`; a static table, valid for the life of the plugin.
template <class Device>
const sy_device_vtbl* device_vtbl() {
    return &DeviceVtbl<Device>::table;
}

}  // namespace sy::sdk
