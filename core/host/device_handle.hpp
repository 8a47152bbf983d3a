// DeviceHandle: one open device (internal to core/host). Holds the plugin alive, and closes
// the device when the last Device/Buffer referring to it is gone.
#pragma once

#include <memory>

#include "host/device.hpp"
#include "host/loaded_plugin.hpp"

namespace sy::host::detail {

struct DeviceHandle {
    DeviceHandle(std::shared_ptr<LoadedPlugin> plugin_, sy_device device_, const sy_device_vtbl* vtbl_)
        : plugin(std::move(plugin_)), device(device_), vtbl(vtbl_) {}
    DeviceHandle(const DeviceHandle&) = delete;
    DeviceHandle& operator=(const DeviceHandle&) = delete;
    ~DeviceHandle() { plugin->backend()->device_close(device); }

    std::shared_ptr<LoadedPlugin> plugin;  // released after device_close (member order)
    sy_device device;
    const sy_device_vtbl* vtbl;
    DeviceInfo info;
};

}  // namespace sy::host::detail
