// The plugin file-name convention: libswitchyard-backend-<name>[-<variant>]<suffix>, where
// <suffix> is the platform's shared-library suffix (".so"). <name> is [A-Za-z0-9_]+ and is
// what variants are grouped by; <variant> is [A-Za-z0-9_-]+ ("avx2", "avx512").
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sy::host {

struct PluginFileName {
    std::string name;     // "x86"
    std::string variant;  // "avx2", or "" when the file has none
};

// The shared-library suffix of this platform, ".so" on Linux.
std::string_view shared_library_suffix();

// nullopt when `file_name` (no directory) does not follow the convention.
std::optional<PluginFileName> parse_plugin_file_name(std::string_view file_name,
                                                     std::string_view suffix = shared_library_suffix());

}  // namespace sy::host
