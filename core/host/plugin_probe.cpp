#include "host/plugin_probe.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "host/plugin_registry.hpp"

namespace sy::host::detail {
namespace {

// Boost.DLL's exceptions read "boost::dll::...() failed (dlerror system message: <text>):
// <errno text>"; the loader's own text is the useful part.
std::string loader_message(const std::exception& e) {
    const std::string_view what = e.what();
    constexpr std::string_view kMarker = "(dlerror system message: ";
    const size_t start = what.find(kMarker);
    if (start == std::string_view::npos) return std::string(what);
    std::string_view text = what.substr(start + kMarker.size());
    const size_t end = text.rfind(')');
    return std::string(end == std::string_view::npos ? text : text.substr(0, end));
}

std::string abi_text(uint32_t min, uint32_t max) {
    return min == max ? fmt::format("ABI {}", min) : fmt::format("ABI {}..{}", min, max);
}

const char* invalid_backend_table(const sy_backend& b) {
    if (b.abi_version < 1 || b.abi_version > SY_PLUGIN_ABI_VERSION) return "abi_version outside the host's range";
    if (b.struct_size < sizeof(sy_backend)) return "struct_size smaller than ABI v1's sy_backend";
    if (b.name == nullptr || *b.name == '\0') return "no name";
    if (b.device_count == nullptr || b.device_open == nullptr || b.device_close == nullptr ||
        b.shutdown == nullptr) {
        return "a required function is NULL";
    }
    return nullptr;
}

void set(Candidate& c, CandidateStatus status, std::string reason) {
    c.status = status;
    c.reason = std::move(reason);
}

// The steps shared by files and static backends, from the entry table on.
std::shared_ptr<LoadedPlugin> probe_entry(std::shared_ptr<LoadedPlugin> plugin, const sy_plugin_entry* entry,
                                          Candidate& c, bool name_from_table) {
    if (entry == nullptr) {
        set(c, CandidateStatus::Failed, "entry function returned NULL");
        return nullptr;
    }
    if (entry->struct_size < sizeof(sy_plugin_entry) || entry->score == nullptr ||
        entry->abi_range == nullptr || entry->query == nullptr) {
        set(c, CandidateStatus::Failed, "entry table is incomplete (not an ABI v1 sy_plugin_entry)");
        return nullptr;
    }
    c.score = entry->score();
    c.scored = true;
    if (c.score == 0) {
        set(c, CandidateStatus::Skipped, "score 0: cannot run on this machine");
        return nullptr;
    }
    entry->abi_range(&c.abi_min, &c.abi_max);
    const uint32_t host = SY_PLUGIN_ABI_VERSION;
    const uint32_t abi = std::min(host, c.abi_max);
    if (c.abi_min > c.abi_max || abi < c.abi_min || abi < 1) {
        set(c, CandidateStatus::Failed,
            fmt::format("ABI mismatch: plugin speaks {}, host {}", abi_text(c.abi_min, c.abi_max), host));
        return nullptr;
    }
    const sy_backend* backend = plugin->query(*entry, abi, c.name);
    if (backend == nullptr) {
        set(c, CandidateStatus::Failed,
            fmt::format("query refused host ABI {} (plugin speaks {})", host, abi_text(c.abi_min, c.abi_max)));
        return nullptr;
    }
    if (const char* problem = invalid_backend_table(*backend)) {
        set(c, CandidateStatus::Failed, fmt::format("invalid backend table: {}", problem));
        return nullptr;  // the plugin's destructor still calls shutdown when it can
    }
    if (name_from_table) {
        c.name = backend->name;
        c.variant = backend->variant ? backend->variant : "";
    } else if (c.name != backend->name) {
        set(c, CandidateStatus::Failed,
            fmt::format("file name says backend '{}' but the plugin calls itself '{}'", c.name, backend->name));
        return nullptr;
    }
    c.abi = backend->abi_version;
    c.build_info = backend->build_info ? backend->build_info : "";
    set(c, CandidateStatus::Loaded, "");
    plugin->loaded_as = c;
    return plugin;
}

// A plugin another PluginHost already uses: share it instead of querying it again.
std::shared_ptr<LoadedPlugin> share_live(const std::string& key, Candidate& c) {
    std::shared_ptr<LoadedPlugin> plugin = find_live_plugin(key);
    if (plugin == nullptr) return nullptr;
    const Candidate& found = plugin->loaded_as;
    c.name = found.name;
    c.variant = found.variant;
    c.scored = found.scored;
    c.score = found.score;
    c.abi_min = found.abi_min;
    c.abi_max = found.abi_max;
    c.abi = found.abi;
    c.build_info = found.build_info;
    set(c, CandidateStatus::Loaded, "");
    return plugin;
}

std::shared_ptr<LoadedPlugin> load_file(const std::filesystem::path& path, Candidate& c, const LogSink& sink) {
    boost::dll::shared_library library;
    try {
        // rtld_now: unresolved symbols fail here, with the loader's message, not mid-run.
        library.load(path, boost::dll::load_mode::rtld_now);
    } catch (const std::exception& e) {
        set(c, CandidateStatus::Failed, "cannot load: " + loader_message(e));
        return nullptr;
    }
    sy_plugin_get_entry_fn get_entry = nullptr;
    try {
        get_entry = &library.get<const sy_plugin_entry*()>(SY_PLUGIN_ENTRY_SYMBOL);
    } catch (const std::exception& e) {
        set(c, CandidateStatus::Failed,
            fmt::format("no entry symbol {}: {}", SY_PLUGIN_ENTRY_SYMBOL, loader_message(e)));
        return nullptr;
    }
    auto plugin = std::make_shared<LoadedPlugin>(std::move(library), c.origin, sink);
    return probe_entry(std::move(plugin), get_entry(), c, false);
}

}  // namespace

std::shared_ptr<LoadedPlugin> probe_file(const std::filesystem::path& path, Candidate& c, const LogSink& sink) {
    std::lock_guard lock(plugin_registry_mutex());
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
    const std::string key = (ec ? path : canonical).string();
    if (auto shared = share_live(key, c)) return shared;
    std::shared_ptr<LoadedPlugin> plugin = load_file(path, c, sink);
    if (plugin != nullptr) register_live_plugin(key, plugin);
    return plugin;
}

std::shared_ptr<LoadedPlugin> probe_static(const StaticBackend& backend, Candidate& c, const LogSink& sink) {
    if (backend.get_entry == nullptr) {
        set(c, CandidateStatus::Failed, "static backend without an entry function");
        return nullptr;
    }
    std::lock_guard lock(plugin_registry_mutex());
    const std::string key = "static:" + backend.id;
    if (auto shared = share_live(key, c)) return shared;
    auto plugin = std::make_shared<LoadedPlugin>(boost::dll::shared_library(), "static backend " + backend.id, sink);
    plugin = probe_entry(std::move(plugin), backend.get_entry(), c, true);
    if (plugin != nullptr) register_live_plugin(key, plugin);
    return plugin;
}

}  // namespace sy::host::detail
