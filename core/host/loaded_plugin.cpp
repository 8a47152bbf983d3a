#include "host/loaded_plugin.hpp"

#include <fmt/format.h>

#include "host/op_names.hpp"
#include "host/plugin_registry.hpp"

namespace sy::host::detail {

LoadedPlugin::LoadedPlugin(boost::dll::shared_library library, std::string label, LogSink sink)
    : library_(std::move(library)), label_(std::move(label)), sink_(std::move(sink)) {}

const sy_backend* LoadedPlugin::query(const sy_plugin_entry& entry, uint32_t abi_version,
                                      const std::string& source) {
    env_ = std::make_unique<PluginEnv>(source, abi_version, sink_);
    backend_ = entry.query(SY_PLUGIN_ABI_VERSION, env_->c_env());
    return backend_;
}

void LoadedPlugin::log(int32_t level, const std::string& message) const {
    if (!sink_) return;
    try {
        sink_(level, "host", message);
    } catch (...) {
    }
}

LoadedPlugin::~LoadedPlugin() {
    // No other host may query this plugin while it shuts down and unloads.
    std::lock_guard lock(plugin_registry_mutex());
    try {
        if (backend_ != nullptr && backend_->shutdown != nullptr) {
            const sy_status status = backend_->shutdown();
            if (status != SY_STATUS_OK) {
                log(SY_LOG_WARN, fmt::format("{}: shutdown returned {}", label_, status_name(status)));
            }
        }
        if (env_ != nullptr && env_->live_allocations() != 0) {
            log(SY_LOG_WARN, fmt::format("{}: {} allocation(s), {} bytes, still held after shutdown",
                                         label_, env_->live_allocations(), env_->live_bytes()));
        }
        if (library_.is_loaded()) {
            library_.unload();
            log(SY_LOG_DEBUG, fmt::format("unloaded {}", label_));
        }
        env_.reset();  // after unload: nothing of the plugin can call into it any more
    } catch (...) {
        // Destructors must not throw; formatting is the only thing that could.
    }
}

}  // namespace sy::host::detail
