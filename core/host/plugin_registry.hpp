// The process-wide table of plugins in use (internal to core/host).
//
// Why process-wide: the dynamic loader is. Two PluginHosts alive at once that find the same
// file get the same library and the same plugin globals, so querying it twice, or shutting it
// down under the other host, would break the plugin. Instead the second host shares the first
// one's LoadedPlugin (and so its env and log sink); the plugin shuts down when the last user
// is gone. The same goes for a statically linked backend, keyed by its entry id.
//
// Thread safety: all access, including a LoadedPlugin's shutdown, happens under
// plugin_registry_mutex(); it is recursive because a failed probe destroys a LoadedPlugin
// while the probe holds the lock.
#pragma once

#include <memory>
#include <mutex>
#include <string>

namespace sy::host::detail {

class LoadedPlugin;

std::recursive_mutex& plugin_registry_mutex();

// The plugin registered under `key` if it is still alive, else nullptr. Caller holds the mutex.
std::shared_ptr<LoadedPlugin> find_live_plugin(const std::string& key);

// Registers `plugin` under `key` (a canonical file path, or "static:<id>"). Caller holds the mutex.
void register_live_plugin(const std::string& key, const std::shared_ptr<LoadedPlugin>& plugin);

}  // namespace sy::host::detail
