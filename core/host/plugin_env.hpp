// PluginEnv: the sy_host_env one plugin receives at query time (internal to core/host).
// Allocations are aligned host memory, counted so the host can report a plugin that leaks
// through it; log lines go to the host's LogSink tagged with the plugin's name.
// Lifetime: owned by the plugin's LoadedPlugin, alive until after shutdown() returned.
// Thread-safe: plugins may call alloc/free/log from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "host/log.hpp"
#include "switchyard/plugin_abi.h"

namespace sy::host::detail {

class PluginEnv {
public:
    PluginEnv(std::string source, uint32_t abi_version, LogSink sink);
    PluginEnv(const PluginEnv&) = delete;
    PluginEnv& operator=(const PluginEnv&) = delete;
    ~PluginEnv();  // frees what the plugin left allocated

    const sy_host_env* c_env() const { return &env_; }
    const std::string& source() const { return source_; }
    size_t live_allocations() const;
    uint64_t live_bytes() const;

    // Host-side logging under this plugin's name; never throws.
    void log(int32_t level, const std::string& message) const noexcept;

private:
    static void* c_alloc(void* user, size_t size, size_t align) noexcept;
    static void c_free(void* user, void* ptr) noexcept;
    static void c_log(void* user, int32_t level, const char* message) noexcept;

    sy_host_env env_{};
    std::string source_;
    LogSink sink_;
    mutable std::mutex mutex_;
    std::unordered_map<void*, size_t> live_;  // pointer -> bytes
};

}  // namespace sy::host::detail
