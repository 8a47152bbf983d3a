// Moving bytes between buffers, on one device or across devices. Activations cross devices
// through here (weights are uploaded once). Same thread-safety rule as device.hpp: the two
// devices involved must not be driven by another thread meanwhile.
#pragma once

#include <cstdint>

#include "host/device.hpp"

namespace sy::host {

// Copies `size` bytes from src[src_offset] to dst[dst_offset]. On one device: buffer_copy.
// Across devices: straight from/to a host pointer when either side has HOST_MEMORY, otherwise
// through a bounded host staging area (download, then upload). Ranges are checked against
// both buffers first (DeviceError with SY_STATUS_OUT_OF_RANGE), so nothing is half-copied
// because of a bad range.
void copy_buffer(const Buffer& src, uint64_t src_offset, Buffer& dst, uint64_t dst_offset, uint64_t size);

}  // namespace sy::host
