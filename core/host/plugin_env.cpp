#include "host/plugin_env.hpp"

#include <cstdlib>

namespace sy::host::detail {

PluginEnv::PluginEnv(std::string source, uint32_t abi_version, LogSink sink)
    : source_(std::move(source)), sink_(std::move(sink)) {
    env_.abi_version = abi_version;
    env_.struct_size = sizeof(sy_host_env);
    env_.user = this;
    env_.alloc = &PluginEnv::c_alloc;
    env_.free = &PluginEnv::c_free;
    env_.log = &PluginEnv::c_log;
}

PluginEnv::~PluginEnv() {
    for (const auto& [ptr, size] : live_) std::free(ptr);
}

size_t PluginEnv::live_allocations() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

uint64_t PluginEnv::live_bytes() const {
    std::lock_guard lock(mutex_);
    uint64_t bytes = 0;
    for (const auto& entry : live_) bytes += entry.second;
    return bytes;
}

void PluginEnv::log(int32_t level, const std::string& message) const noexcept {
    if (!sink_) return;
    try {
        sink_(level, source_, message);
    } catch (...) {
        // A logger must not take the host (or a plugin calling through c_log) down.
    }
}

void* PluginEnv::c_alloc(void* user, size_t size, size_t align) noexcept {
    if (align == 0 || (align & (align - 1)) != 0) return nullptr;
    if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
    if (size == 0) size = 1;
    if (size > SIZE_MAX - align) return nullptr;
    const size_t rounded = (size + align - 1) / align * align;  // aligned_alloc's requirement
    void* ptr = std::aligned_alloc(align, rounded);
    if (ptr == nullptr) return nullptr;
    auto* self = static_cast<PluginEnv*>(user);
    try {
        std::lock_guard lock(self->mutex_);
        self->live_.emplace(ptr, size);
    } catch (...) {
        std::free(ptr);
        return nullptr;
    }
    return ptr;
}

void PluginEnv::c_free(void* user, void* ptr) noexcept {
    if (ptr == nullptr) return;
    auto* self = static_cast<PluginEnv*>(user);
    bool known = false;
    {
        std::lock_guard lock(self->mutex_);
        known = self->live_.erase(ptr) == 1;
    }
    if (known) {
        std::free(ptr);
    } else {
        self->log(SY_LOG_ERROR, "freed a pointer the host never allocated for it (ignored)");
    }
}

void PluginEnv::c_log(void* user, int32_t level, const char* message) noexcept {
    try {
        static_cast<const PluginEnv*>(user)->log(level, message ? message : "");
    } catch (...) {
    }
}

}  // namespace sy::host::detail
