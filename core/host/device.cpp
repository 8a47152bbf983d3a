#include "host/device.hpp"

#include <cstddef>

#include <fmt/format.h>

#include "host/device_handle.hpp"
#include "host/op_names.hpp"

namespace sy::host {
namespace {

[[noreturn]] void throw_device_error(const detail::DeviceHandle& h, sy_status status, const std::string& what) {
    const char* message = h.vtbl->last_error(h.device);
    throw DeviceError(status, fmt::format("{}: {} failed: {} ({})", h.info.name, what,
                                          message && *message ? message : "no message",
                                          status_name(status)));
}

void check(const detail::DeviceHandle& h, sy_status status, const char* what) {
    if (status != SY_STATUS_OK) throw_device_error(h, status, what);
}

}  // namespace

Device detail::make_device(std::shared_ptr<DeviceHandle> handle) { return Device(std::move(handle)); }

detail::DeviceHandle& Device::handle() const {
    if (handle_ == nullptr) throw sy::Error("use of an empty sy::host::Device");
    return *handle_;
}

const DeviceInfo& Device::info() const { return handle().info; }

DeviceInfo Device::query_info() const {
    detail::DeviceHandle& h = handle();
    sy_device_props props{};
    check(h, h.vtbl->get_props(h.device, &props), "get_props");
    DeviceInfo info = h.info;  // names and descriptions are fixed at open
    info.memory_total = props.memory_total;
    info.memory_free = props.memory_free;
    return info;
}

Buffer Device::alloc(uint64_t size) const {
    detail::DeviceHandle& h = handle();
    sy_buffer buffer = nullptr;
    const sy_status status = h.vtbl->buffer_alloc(h.device, size, &buffer);
    if (status != SY_STATUS_OK) throw_device_error(h, status, fmt::format("buffer_alloc({} bytes)", size));
    if (buffer == nullptr) throw DeviceError(SY_STATUS_DEVICE_ERROR, h.info.name + ": buffer_alloc returned NULL");
    return Buffer(handle_, buffer, size);
}

bool Device::supports(int32_t kind, int32_t weight_type, int32_t act_type) const {
    detail::DeviceHandle& h = handle();
    return h.vtbl->supports(h.device, kind, weight_type, act_type);
}

bool Device::supports_op(const sy_op& op) const {
    detail::DeviceHandle& h = handle();
    return h.vtbl->supports_op(h.device, &op);
}

void Device::run(const sy_op& op) const {
    detail::DeviceHandle& h = handle();
    const sy_status status = h.vtbl->run(h.device, &op);
    if (status != SY_STATUS_OK) throw_device_error(h, status, "run " + op_kind_name(op.kind));
}

void Device::synchronize() const {
    detail::DeviceHandle& h = handle();
    check(h, h.vtbl->synchronize(h.device), "synchronize");
}

bool Device::set_threads(int32_t n_threads) const {
    detail::DeviceHandle& h = handle();
    // Older plugins' tables end before the member; a NULL member means "not threaded".
    const size_t needed = offsetof(sy_device_vtbl, set_threads) + sizeof(h.vtbl->set_threads);
    if (h.vtbl->struct_size < needed || h.vtbl->set_threads == nullptr) return false;
    check(h, h.vtbl->set_threads(h.device, n_threads), "set_threads");
    return true;
}

sy_device Device::raw() const { return handle().device; }

const sy_device_vtbl& Device::vtbl() const { return *handle().vtbl; }

// ---- Buffer ----------------------------------------------------------------------------

Buffer::Buffer(Buffer&& other) noexcept
    : device_(std::move(other.device_)), buffer_(other.buffer_), size_(other.size_) {
    other.buffer_ = nullptr;
    other.size_ = 0;
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
    if (this != &other) {
        release();
        device_ = std::move(other.device_);
        buffer_ = other.buffer_;
        size_ = other.size_;
        other.buffer_ = nullptr;
        other.size_ = 0;
    }
    return *this;
}

Buffer::~Buffer() { release(); }

void Buffer::release() noexcept {
    if (buffer_ != nullptr) device_->vtbl->buffer_free(device_->device, buffer_);
    buffer_ = nullptr;
    device_.reset();  // may close the device and unload its plugin
}

void Buffer::upload(uint64_t offset, const void* data, uint64_t size) {
    if (device_ == nullptr) throw sy::Error("upload to an empty sy::host::Buffer");
    check(*device_, device_->vtbl->buffer_upload(device_->device, buffer_, offset, data, size), "upload");
}

void Buffer::download(uint64_t offset, void* data, uint64_t size) const {
    if (device_ == nullptr) throw sy::Error("download from an empty sy::host::Buffer");
    check(*device_, device_->vtbl->buffer_download(device_->device, buffer_, offset, data, size),
          "download");
}

void Buffer::copy_from(uint64_t dst_offset, const Buffer& src, uint64_t src_offset, uint64_t size) {
    if (device_ == nullptr || src.device_ == nullptr) throw sy::Error("copy with an empty sy::host::Buffer");
    if (src.device_ != device_) {
        throw DeviceError(SY_STATUS_INVALID_ARGUMENT,
                          fmt::format("{}: copy_from a buffer of {} (use sy::host::copy_buffer)",
                                      device_->info.name, src.device_->info.name));
    }
    check(*device_,
          device_->vtbl->buffer_copy(device_->device, buffer_, dst_offset, src.buffer_, src_offset, size),
          "copy");
}

void* Buffer::host_ptr() const {
    if (device_ == nullptr || device_->vtbl->buffer_host_ptr == nullptr) return nullptr;
    return device_->vtbl->buffer_host_ptr(device_->device, buffer_);
}

}  // namespace sy::host
