// Where the plugin host's messages go: its own (which plugin was skipped and why, shutdown
// problems) and every plugin's (through sy_host_env.log).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace sy::host {

// level: SY_LOG_DEBUG..SY_LOG_ERROR. source: "host" or the plugin's backend name.
// The sink may be called from any thread a plugin logs from, so it must be thread-safe, and
// it must stay callable until the last device and buffer of every plugin is gone (plugins may
// log during shutdown, which can happen after the PluginHost itself is destroyed).
// Exceptions it throws are swallowed at the boundary.
using LogSink = std::function<void(int32_t level, std::string_view source, std::string_view message)>;

// "debug", "info", "warn", "error"; "level<n>" otherwise.
std::string_view log_level_name(int32_t level);

}  // namespace sy::host
