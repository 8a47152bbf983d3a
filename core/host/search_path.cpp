#include "host/search_path.hpp"

#include <cstdlib>

#include "switchyard/platform.hpp"

namespace sy::host {
namespace {

void add_unique(std::vector<SearchDir>& dirs, const std::filesystem::path& path, const char* origin) {
    if (path.empty()) return;
    std::filesystem::path normal = path.lexically_normal();
    if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();  // "a/b/"
    for (const SearchDir& dir : dirs) {
        if (dir.path == normal) return;
    }
    dirs.push_back({normal, origin});
}

}  // namespace

std::vector<SearchDir> plugin_search_dirs(std::string_view backend_path_value,
                                          const std::filesystem::path& executable,
                                          const std::filesystem::path& build_dir) {
    std::vector<SearchDir> dirs;
    while (!backend_path_value.empty()) {
        const size_t colon = backend_path_value.find(':');
        add_unique(dirs, std::filesystem::path(backend_path_value.substr(0, colon)),
                   kBackendPathVariable);
        if (colon == std::string_view::npos) break;
        backend_path_value.remove_prefix(colon + 1);
    }
    if (!executable.empty()) {
        add_unique(dirs, executable.parent_path() / ".." / "lib" / "switchyard",
                   "beside the executable");
    }
    add_unique(dirs, build_dir, "build tree");
    return dirs;
}

std::vector<SearchDir> default_plugin_search_dirs(const std::filesystem::path& build_dir) {
    const char* value = std::getenv(kBackendPathVariable);
    return plugin_search_dirs(value ? value : "", platform::executable_path(), build_dir);
}

}  // namespace sy::host
