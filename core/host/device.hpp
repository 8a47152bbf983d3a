// RAII C++ handles over a plugin's C device and buffer tables.
//
// Ownership and lifetime: a Device is a shared handle on one open device; copies refer to the
// same device. The device is closed when the last Device copy and the last Buffer allocated
// on it are gone, and its plugin is shut down and unloaded only after all of the plugin's
// devices are closed, even when the PluginHost that opened them was destroyed first.
// A Buffer is move-only and frees its device memory when destroyed.
//
// Errors: every failed call throws DeviceError, carrying the status code and the device's
// last_error message. Calls never hand a plugin a range past a buffer's end without the plugin
// checking it (the plugin answers SY_STATUS_OUT_OF_RANGE).
//
// Thread safety: the ABI lets one thread at a time drive a device. These handles add no
// locking: serialize calls on one device (Device and Buffers of it); different devices may be
// used from different threads. Copying/destroying handles is thread-safe (shared_ptr).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "switchyard/plugin_abi.h"

namespace sy::host {

class Buffer;
class Device;

namespace detail {
struct DeviceHandle;  // device_handle.hpp
Device make_device(std::shared_ptr<DeviceHandle> handle);
}  // namespace detail

class DeviceError : public sy::Error {
public:
    DeviceError(sy_status status, const std::string& message) : sy::Error(message), status_(status) {}
    sy_status status() const { return status_; }

private:
    sy_status status_;
};

// A snapshot of sy_device_props plus which backend offers the device.
struct DeviceInfo {
    std::string name;          // "CPU", "TEST0", "CUDA0": what placement rules name
    std::string description;   // e.g. the CPU model
    uint32_t kind = SY_DEVICE_KIND_CPU;
    uint64_t memory_total = 0;  // bytes
    uint64_t memory_free = 0;   // bytes, when the snapshot was taken
    uint64_t features = 0;      // SY_DEVICE_FEATURE_* bits
    std::string feature_text;   // ISA or driver features in words
    std::string backend;        // backend name, e.g. "reference"
    std::string variant;        // backend variant, "" if none

    bool has_host_memory() const { return (features & SY_DEVICE_FEATURE_HOST_MEMORY) != 0; }
};

class Device {
public:
    Device() = default;  // an empty handle; only assignment and bool are valid on it
    explicit operator bool() const { return handle_ != nullptr; }
    bool operator==(const Device& other) const { return handle_ == other.handle_; }

    const DeviceInfo& info() const;  // taken when the device was opened
    const std::string& name() const { return info().name; }
    DeviceInfo query_info() const;   // asks the plugin again (memory_free changes)

    Buffer alloc(uint64_t size) const;  // contents undefined
    bool supports(int32_t kind, int32_t weight_type, int32_t act_type) const;
    bool supports_op(const sy_op& op) const;
    void run(const sy_op& op) const;  // op.struct_size must be set (make_op does)
    void synchronize() const;
    // Lets a host-computing device use n_threads >= 1 threads; false if it cannot (optional
    // ABI member absent).
    bool set_threads(int32_t n_threads) const;

    // For conformance tests that drive the C table directly; valid while this Device lives.
    sy_device raw() const;
    const sy_device_vtbl& vtbl() const;

private:
    friend Device detail::make_device(std::shared_ptr<detail::DeviceHandle> handle);
    friend class Buffer;
    explicit Device(std::shared_ptr<detail::DeviceHandle> handle) : handle_(std::move(handle)) {}
    detail::DeviceHandle& handle() const;

    std::shared_ptr<detail::DeviceHandle> handle_;
};

class Buffer {
public:
    Buffer() = default;
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();

    explicit operator bool() const { return buffer_ != nullptr; }
    uint64_t size() const { return size_; }
    sy_buffer raw() const { return buffer_; }
    Device device() const { return Device(device_); }

    void upload(uint64_t offset, const void* data, uint64_t size);
    void download(uint64_t offset, void* data, uint64_t size) const;
    // Within this buffer's device only; see transfer.hpp for copies between devices.
    void copy_from(uint64_t dst_offset, const Buffer& src, uint64_t src_offset, uint64_t size);
    // The buffer's host address on a HOST_MEMORY device, else nullptr.
    void* host_ptr() const;

    template <class T>
    void upload(uint64_t offset, std::span<const T> values) {
        upload(offset, values.data(), values.size_bytes());
    }
    template <class T>
    std::vector<T> download_as(uint64_t offset, size_t count) const {
        std::vector<T> values(count);
        download(offset, values.data(), count * sizeof(T));
        return values;
    }

private:
    friend class Device;
    Buffer(std::shared_ptr<detail::DeviceHandle> device, sy_buffer buffer, uint64_t size)
        : device_(std::move(device)), buffer_(buffer), size_(size) {}
    void release() noexcept;

    std::shared_ptr<detail::DeviceHandle> device_;
    sy_buffer buffer_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace sy::host
