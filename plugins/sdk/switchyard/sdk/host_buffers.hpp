// HostBufferSet: buffers a plugin keeps in host memory it allocates through the host env.
// Serves both kinds of device: a HOST_MEMORY device (CPU) hands out the address with
// host_ptr(); a device with separate memory (a test or emulated accelerator) never does and
// moves data only through upload/download/copy.
//
// Every handle the host passes back is checked against the set before it is dereferenced,
// and every offset/size against the buffer's end (SY_STATUS_OUT_OF_RANGE, never a crash).
// Ownership: the set owns its buffers and frees any left over when destroyed. Not
// thread-safe: one device, one host thread at a time (the ABI's rule).
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstring>

#include "switchyard/sdk/errors.hpp"
#include "switchyard/sdk/host_env.hpp"
#include "switchyard/sdk/intrusive_list.hpp"
#include "switchyard/sdk/tensor_layout.hpp"

namespace sy::sdk {

struct HostBuffer : ListNode<HostBuffer> {
    uint8_t* data = nullptr;
    uint64_t size = 0;  // bytes the caller asked for
};

class HostBufferSet {
public:
    static constexpr size_t kAlignment = 64;  // cache line; enough for any SIMD kernel

    explicit HostBufferSet(const HostEnv& env) : env_(env) {}
    HostBufferSet(const HostBufferSet&) = delete;
    HostBufferSet& operator=(const HostBufferSet&) = delete;
    ~HostBufferSet() { free_all(); }

    // Throws Failure(OUT_OF_MEMORY) when the host allocator refuses.
    sy_buffer alloc(uint64_t size) {
        if (size > uint64_t(SIZE_MAX) - kAlignment) {
            fail(SY_STATUS_OUT_OF_MEMORY, "cannot allocate %" PRIu64 " bytes", size);
        }
        HostBuffer* buffer = env_.create<HostBuffer>();
        buffer->data = static_cast<uint8_t*>(env_.alloc(size == 0 ? 1 : size_t(size), kAlignment));
        if (buffer->data == nullptr) {
            env_.destroy(buffer);
            fail(SY_STATUS_OUT_OF_MEMORY, "host allocator refused %" PRIu64 " bytes", size);
        }
        buffer->size = size;
        buffers_.push_front(buffer);
        bytes_in_use_ += size;
        return reinterpret_cast<sy_buffer>(buffer);
    }

    // Unknown handles (and NULL) are ignored: free must not fail.
    void free(sy_buffer handle) {
        HostBuffer* buffer = buffers_.find(handle);
        if (buffer == nullptr) return;
        buffers_.remove(buffer);
        bytes_in_use_ -= buffer->size;
        env_.free(buffer->data);
        env_.destroy(buffer);
    }

    void free_all() {
        while (!buffers_.empty()) free(reinterpret_cast<sy_buffer>(buffers_.front()));
    }

    // Throws Failure(INVALID_ARGUMENT) unless `handle` came from this set.
    HostBuffer& get(sy_buffer handle, const char* what) const {
        HostBuffer* buffer = buffers_.find(handle);
        if (buffer == nullptr) {
            fail(SY_STATUS_INVALID_ARGUMENT, "%s: buffer %p does not belong to this device", what,
                 static_cast<void*>(handle));
        }
        return *buffer;
    }

    // Address of [offset, offset + size) in the buffer; throws OUT_OF_RANGE past its end.
    uint8_t* range(sy_buffer handle, uint64_t offset, uint64_t size, const char* what) const {
        HostBuffer& buffer = get(handle, what);
        if (!range_fits(offset, size, buffer.size)) {
            fail(SY_STATUS_OUT_OF_RANGE,
                 "%s: offset %" PRIu64 " + size %" PRIu64 " is past the end of a %" PRIu64
                 "-byte buffer",
                 what, offset, size, buffer.size);
        }
        return buffer.data + offset;
    }

    // Address of a plain-typed tensor view (plain_layout_ok), bounds-checked.
    uint8_t* tensor_data(const sy_tensor& t, const char* what) const {
        uint64_t span = 0;
        if (!plain_span_bytes(t, &span)) fail(SY_STATUS_OUT_OF_RANGE, "%s: tensor size overflows", what);
        return range(t.buffer, t.offset, span, what);
    }

    void upload(sy_buffer dst, uint64_t dst_offset, const void* src, uint64_t size) {
        uint8_t* to = range(dst, dst_offset, size, "upload");
        if (size != 0) std::memcpy(to, src, size_t(size));
    }
    void download(sy_buffer src, uint64_t src_offset, void* dst, uint64_t size) const {
        const uint8_t* from = range(src, src_offset, size, "download");
        if (size != 0) std::memcpy(dst, from, size_t(size));
    }
    // Overlapping ranges of one buffer are allowed (memmove semantics).
    void copy(sy_buffer dst, uint64_t dst_offset, sy_buffer src, uint64_t src_offset, uint64_t size) {
        uint8_t* to = range(dst, dst_offset, size, "copy (destination)");
        const uint8_t* from = range(src, src_offset, size, "copy (source)");
        if (size != 0) std::memmove(to, from, size_t(size));
    }

    uint64_t bytes_in_use() const { return bytes_in_use_; }
    size_t count() const { return buffers_.size(); }

private:
    const HostEnv& env_;
    IntrusiveList<HostBuffer> buffers_;
    uint64_t bytes_in_use_ = 0;
};

}  // namespace sy::sdk
