#include "host/plugin_file_name.hpp"

#include <algorithm>

#include <boost/dll/shared_library.hpp>

namespace sy::host {
namespace {

constexpr std::string_view kPrefix = "libswitchyard-backend-";

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string_view shared_library_suffix() {
    // Boost.DLL knows the platform's suffix, so core names none itself.
    static const std::string suffix = boost::dll::shared_library::suffix().string();
    return suffix;
}

std::optional<PluginFileName> parse_plugin_file_name(std::string_view file_name,
                                                     std::string_view suffix) {
    if (file_name.size() <= kPrefix.size() + suffix.size() || !file_name.starts_with(kPrefix) ||
        !file_name.ends_with(suffix)) {
        return std::nullopt;
    }
    const std::string_view stem =
        file_name.substr(kPrefix.size(), file_name.size() - kPrefix.size() - suffix.size());
    const size_t dash = stem.find('-');
    const std::string_view name = stem.substr(0, dash);
    const std::string_view variant = dash == std::string_view::npos ? std::string_view{} : stem.substr(dash + 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) return std::nullopt;
    if (dash != std::string_view::npos &&
        (variant.empty() ||
         !std::all_of(variant.begin(), variant.end(), [](char c) { return is_name_char(c) || c == '-'; }))) {
        return std::nullopt;
    }
    return PluginFileName{std::string(name), std::string(variant)};
}

}  // namespace sy::host
