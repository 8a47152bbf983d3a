#include "host/plugin_registry.hpp"

#include <map>

namespace sy::host::detail {
namespace {

std::map<std::string, std::weak_ptr<LoadedPlugin>>& live_plugins() {
    static std::map<std::string, std::weak_ptr<LoadedPlugin>> plugins;
    return plugins;
}

}  // namespace

std::recursive_mutex& plugin_registry_mutex() {
    static std::recursive_mutex mutex;
    return mutex;
}

std::shared_ptr<LoadedPlugin> find_live_plugin(const std::string& key) {
    auto& plugins = live_plugins();
    auto it = plugins.find(key);
    if (it == plugins.end()) return nullptr;
    std::shared_ptr<LoadedPlugin> plugin = it->second.lock();
    if (plugin == nullptr) plugins.erase(it);
    return plugin;
}

void register_live_plugin(const std::string& key, const std::shared_ptr<LoadedPlugin>& plugin) {
    live_plugins()[key] = plugin;
}

}  // namespace sy::host::detail
