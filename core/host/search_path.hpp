// Where the host looks for plugins, in priority order (earlier wins a tie in score):
//   1. every folder of SWITCHYARD_BACKEND_PATH (':'-separated),
//   2. ../lib/switchyard/ beside the running executable (the install layout, and the build
//      tree's too, since bin/ and lib/switchyard/ sit side by side there),
//   3. the build tree's plugin folder, when the caller names one (tests and tools pass the
//      CMake-provided SWITCHYARD_PLUGIN_BUILD_DIR; core itself knows no paths or names).
// Folders that do not exist are kept in the list (the report says so) and simply yield no
// candidates. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sy::host {

inline constexpr const char* kBackendPathVariable = "SWITCHYARD_BACKEND_PATH";

struct SearchDir {
    std::filesystem::path path;
    std::string origin;  // "SWITCHYARD_BACKEND_PATH", "beside the executable", "build tree"
};

// Pure: composes the list from the variable's value, the executable's path and the build
// folder (either may be empty). Empty entries are dropped, and repeats of a folder (compared
// lexically after normalization) keep only their first, highest-priority position.
std::vector<SearchDir> plugin_search_dirs(std::string_view backend_path_value,
                                          const std::filesystem::path& executable,
                                          const std::filesystem::path& build_dir);

// The same from the environment: reads SWITCHYARD_BACKEND_PATH and
// sy::platform::executable_path().
std::vector<SearchDir> default_plugin_search_dirs(const std::filesystem::path& build_dir = {});

}  // namespace sy::host
