// PluginDevices<Device>: the per-plugin bookkeeping behind sy_backend's query, device_open,
// device_close and shutdown, so every plugin gets the lifetime contract right the same way:
//   query     binds the host env (the plugin's only way to allocate and log);
//   open      creates a Device in host memory and hands out its handle and vtbl;
//   close     destroys it (unknown handles are ignored);
//   shutdown  destroys every device still open, then forgets the env.
//
// `Device` derives from sy::sdk::ListNode<Device>, is constructible from
// (const sy::sdk::HostEnv&, int32_t index) and satisfies device_vtbl.hpp.
// A plugin holds one PluginDevices as its single global. The ABI calls these from one host
// thread at a time per plugin, so there is no locking.
#pragma once

#include <cinttypes>

#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/device_vtbl.hpp"
#include "switchyard/sdk/guard.hpp"
#include "switchyard/sdk/host_env.hpp"
#include "switchyard/sdk/intrusive_list.hpp"

namespace sy::sdk {

// The ABI version a plugin speaking [plugin_min, plugin_max] uses with a host that speaks up to
// host_max; 0 when there is none.
inline uint32_t negotiate_abi(uint32_t host_max, uint32_t plugin_min, uint32_t plugin_max) {
    const uint32_t best = host_max < plugin_max ? host_max : plugin_max;
    return best >= plugin_min ? best : 0;
}

template <class Device>
class PluginDevices {
public:
    explicit PluginDevices(const char* plugin_name) : plugin_name_(plugin_name) {}

    const HostEnv& env() const { return env_; }
    size_t open_count() const { return open_.size(); }

    // For query(): false when the env is unusable.
    bool bind(const sy_host_env* env) {
        if (!env_.bind(env)) return false;
        env_.log(SY_LOG_DEBUG, "%s: query, ABI %u", plugin_name_, env_.abi_version());
        return true;
    }

    sy_status open(int32_t index, int32_t count, sy_device* out_device,
                   const sy_device_vtbl** out_vtbl) {
        if (out_device == nullptr || out_vtbl == nullptr || index < 0 || index >= count) {
            return SY_STATUS_INVALID_ARGUMENT;
        }
        if (!env_.bound()) return SY_STATUS_DEVICE_ERROR;  // query() was not called
        ErrorSlot slot;
        const sy_status status = guard(slot, [&] {
            Device* device = env_.create<Device>(env_, index);
            open_.push_front(device);
            *out_device = device_handle(device);
            *out_vtbl = device_vtbl<Device>();
            return SY_STATUS_OK;
        });
        if (status != SY_STATUS_OK) {
            env_.log(SY_LOG_ERROR, "%s: cannot open device %" PRId32 ": %s", plugin_name_, index,
                     slot.message());
        }
        return status;
    }

    void close(sy_device handle) {
        Device* device = open_.find(handle);
        if (device == nullptr) return;
        open_.remove(device);
        env_.destroy(device);
    }

    sy_status shutdown() {
        if (!open_.empty()) {
            env_.log(SY_LOG_WARN, "%s: shutdown with %zu device(s) still open; closing them",
                     plugin_name_, open_.size());
        }
        while (!open_.empty()) close(device_handle(open_.front()));
        env_.log(SY_LOG_DEBUG, "%s: shutdown", plugin_name_);
        env_.reset();
        return SY_STATUS_OK;
    }

private:
    const char* plugin_name_;
    HostEnv env_;
    IntrusiveList<Device> open_;
};

}  // namespace sy::sdk
