// CPU buffers: host memory from the host's allocator, addressable by the host (HOST_MEMORY).
#include "device.hpp"

namespace sy::reference {

sy_buffer CpuDevice::buffer_alloc(uint64_t size) { return buffers_.alloc(size); }

void CpuDevice::buffer_free(sy_buffer buffer) { buffers_.free(buffer); }

void CpuDevice::buffer_upload(sy_buffer dst, uint64_t dst_offset, const void* src, uint64_t size) {
    buffers_.upload(dst, dst_offset, src, size);
}

void CpuDevice::buffer_download(sy_buffer src, uint64_t src_offset, void* dst, uint64_t size) {
    buffers_.download(src, src_offset, dst, size);
}

void CpuDevice::buffer_copy(sy_buffer dst, uint64_t dst_offset, sy_buffer src, uint64_t src_offset,
                            uint64_t size) {
    buffers_.copy(dst, dst_offset, src, src_offset, size);
}

void* CpuDevice::buffer_host_ptr(sy_buffer buffer) { return buffers_.get(buffer, "host_ptr").data; }

}  // namespace sy::reference
