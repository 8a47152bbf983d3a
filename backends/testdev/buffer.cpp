// TEST0's memory: a fixed budget, and no host pointers; data moves only by upload, download
// and copy, like on a real accelerator.
#include <cinttypes>

#include "device.hpp"

namespace sy::testdev {

sy_buffer TestDevice::buffer_alloc(uint64_t size) {
    const uint64_t in_use = buffers_.bytes_in_use();
    if (size > kMemoryBytes - in_use) {
        sdk::fail(SY_STATUS_OUT_OF_MEMORY,
                  "TEST0: cannot allocate %" PRIu64 " bytes: %" PRIu64 " of %" PRIu64
                  " bytes already in use",
                  size, in_use, kMemoryBytes);
    }
    return buffers_.alloc(size);
}

void TestDevice::buffer_free(sy_buffer buffer) { buffers_.free(buffer); }

void TestDevice::buffer_upload(sy_buffer dst, uint64_t dst_offset, const void* src, uint64_t size) {
    buffers_.upload(dst, dst_offset, src, size);
}

void TestDevice::buffer_download(sy_buffer src, uint64_t src_offset, void* dst, uint64_t size) {
    buffers_.download(src, src_offset, dst, size);
}

void TestDevice::buffer_copy(sy_buffer dst, uint64_t dst_offset, sy_buffer src, uint64_t src_offset,
                             uint64_t size) {
    buffers_.copy(dst, dst_offset, src, src_offset, size);
}

// Separate memory: the host never gets an address.
void* TestDevice::buffer_host_ptr(sy_buffer /*buffer*/) { return nullptr; }

}  // namespace sy::testdev
