#include "host/plugin_host.hpp"

#include <algorithm>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "host/device_handle.hpp"
#include "host/plugin_file_name.hpp"
#include "host/plugin_probe.hpp"

namespace sy::host {
namespace {

constexpr int32_t kMaxDevicesPerBackend = 1024;  // guards against a garbage device_count()

std::string file_name_of(const Candidate& c) {
    return c.is_static() ? "static backend " + c.static_id : std::filesystem::path(c.origin).filename().string();
}

// Whether `challenger` should replace `incumbent` for the same backend name: a static backend
// beats any file; otherwise a higher score wins and the first found keeps a tie.
bool replaces(const Candidate& challenger, const Candidate& incumbent) {
    if (challenger.is_static() != incumbent.is_static()) return challenger.is_static();
    return challenger.score > incumbent.score;
}

std::string superseded_reason(const Candidate& winner, const Candidate& loser) {
    if (winner.is_static() && !loser.is_static()) {
        return fmt::format("superseded by static backend {} (linked into the executable)", winner.static_id);
    }
    if (winner.score == loser.score) {
        return fmt::format("superseded by {} (score {} = {}, found earlier)", file_name_of(winner), winner.score,
                           loser.score);
    }
    return fmt::format("superseded by {} (score {} > {})", file_name_of(winner), winner.score, loser.score);
}

// Plugin files of one folder, sorted by name so the order does not depend on the filesystem.
std::vector<std::filesystem::path> plugin_files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (parse_plugin_file_name(it->path().filename().string())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string canonical_or_self(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
    return (ec ? path : canonical).string();
}

}  // namespace

struct PluginHost::State {
    HostOptions options;
    std::vector<Candidate> candidates;
    // Per backend name: the index of the candidate in use and its plugin.
    std::map<std::string, std::pair<size_t, std::shared_ptr<detail::LoadedPlugin>>> chosen;
    std::vector<Device> devices;

    void log(int32_t level, const std::string& message) const {
        if (!options.log) return;
        try {
            options.log(level, "host", message);
        } catch (...) {
        }
    }

    void consider(Candidate c, std::shared_ptr<detail::LoadedPlugin> plugin) {
        if (plugin != nullptr) {
            auto it = chosen.find(c.name);
            if (it == chosen.end()) {
                chosen.emplace(c.name, std::make_pair(candidates.size(), std::move(plugin)));
            } else {
                Candidate& incumbent = candidates[it->second.first];
                if (replaces(c, incumbent)) {
                    incumbent.status = CandidateStatus::Skipped;
                    incumbent.reason = superseded_reason(c, incumbent);
                    log(SY_LOG_INFO, fmt::format("{}: {}", incumbent.origin, incumbent.reason));
                    it->second = {candidates.size(), std::move(plugin)};  // old plugin unloads here
                } else {
                    c.status = CandidateStatus::Skipped;
                    c.reason = superseded_reason(incumbent, c);
                    plugin.reset();
                }
            }
        }
        if (!c.loaded()) {
            log(c.status == CandidateStatus::Failed ? SY_LOG_WARN : SY_LOG_INFO,
                fmt::format("{}: {}", c.origin, c.reason));
        }
        candidates.push_back(std::move(c));
    }

    void consider_static(const StaticBackend& backend) {
        Candidate c;
        c.origin = "static";
        c.static_id = backend.id;
        c.name = backend.id;
        auto plugin = detail::probe_static(backend, c, options.log);
        consider(std::move(c), std::move(plugin));
    }

    void consider_file(const std::filesystem::path& path, std::map<std::string, std::string>& seen) {
        Candidate c;
        c.origin = path.string();
        const auto parsed = parse_plugin_file_name(path.filename().string());
        c.name = parsed->name;
        c.variant = parsed->variant;
        const std::string key = canonical_or_self(path);
        if (auto it = seen.find(key); it != seen.end()) {
            c.status = CandidateStatus::Skipped;
            c.reason = "same file as " + it->second;
            consider(std::move(c), nullptr);
            return;
        }
        seen.emplace(key, c.origin);
        auto plugin = detail::probe_file(path, c, options.log);
        consider(std::move(c), std::move(plugin));
    }

    void open_devices(Candidate& c, const std::shared_ptr<detail::LoadedPlugin>& plugin) {
        const sy_backend& backend = *plugin->backend();
        const int32_t count = std::clamp(backend.device_count(), 0, kMaxDevicesPerBackend);
        for (int32_t index = 0; index < count; ++index) {
            sy_device device = nullptr;
            const sy_device_vtbl* vtbl = nullptr;
            const sy_status status = backend.device_open(index, &device, &vtbl);
            if (status != SY_STATUS_OK || device == nullptr) {
                log(SY_LOG_WARN, fmt::format("{}: device {} did not open (status {})", c.name, index, status));
                continue;
            }
            if (vtbl == nullptr || vtbl->struct_size < sizeof(sy_device_vtbl) || vtbl->get_props == nullptr ||
                vtbl->last_error == nullptr || vtbl->buffer_alloc == nullptr || vtbl->buffer_free == nullptr ||
                vtbl->buffer_upload == nullptr || vtbl->buffer_download == nullptr ||
                vtbl->buffer_copy == nullptr || vtbl->supports == nullptr || vtbl->supports_op == nullptr ||
                vtbl->run == nullptr || vtbl->synchronize == nullptr) {
                log(SY_LOG_WARN, fmt::format("{}: device {} has an incomplete vtbl; closed", c.name, index));
                backend.device_close(device);
                continue;
            }
            auto handle = std::make_shared<detail::DeviceHandle>(plugin, device, vtbl);
            sy_device_props props{};
            if (vtbl->get_props(device, &props) != SY_STATUS_OK || props.name == nullptr || *props.name == '\0') {
                log(SY_LOG_WARN, fmt::format("{}: device {} gave no properties: {}", c.name, index,
                                             vtbl->last_error(device)));
                continue;  // the handle closes it
            }
            DeviceInfo& info = handle->info;
            info.name = props.name;
            info.description = props.description ? props.description : "";
            info.kind = props.kind;
            info.memory_total = props.memory_total;
            info.memory_free = props.memory_free;
            info.features = props.features;
            info.feature_text = props.feature_text ? props.feature_text : "";
            info.backend = c.name;
            info.variant = c.variant;
            if (auto other = std::find_if(devices.begin(), devices.end(),
                                          [&](const Device& d) { return d.name() == info.name; });
                other != devices.end()) {
                log(SY_LOG_WARN, fmt::format("device {} is offered by both {} and {}; rules naming it get {}'s",
                                             info.name, other->info().backend, c.name, other->info().backend));
            }
            devices.push_back(detail::make_device(std::move(handle)));
        }
    }
};

PluginHost::PluginHost(HostOptions options) : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.options = std::move(options);
    for (const StaticBackend& backend : s.options.static_backends) s.consider_static(backend);

    std::map<std::string, std::string> seen_files;  // canonical path -> first path seen
    std::vector<std::string> seen_dirs;
    for (const SearchDir& dir : s.options.search_dirs) {
        const std::string key = canonical_or_self(dir.path);
        if (std::find(seen_dirs.begin(), seen_dirs.end(), key) != seen_dirs.end()) continue;
        seen_dirs.push_back(key);
        for (const auto& path : plugin_files_in(dir.path)) s.consider_file(path, seen_files);
    }

    std::vector<std::pair<size_t, std::shared_ptr<detail::LoadedPlugin>>> in_order;
    for (auto& [name, entry] : s.chosen) in_order.push_back(entry);
    std::sort(in_order.begin(), in_order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [index, plugin] : in_order) s.open_devices(s.candidates[index], plugin);
}

PluginHost::~PluginHost() = default;

const std::vector<SearchDir>& PluginHost::search_dirs() const { return state_->options.search_dirs; }

const std::vector<Candidate>& PluginHost::candidates() const { return state_->candidates; }

std::vector<Candidate> PluginHost::loaded_backends() const {
    std::vector<Candidate> loaded;
    for (const Candidate& c : state_->candidates) {
        if (c.loaded()) loaded.push_back(c);
    }
    return loaded;
}

const std::vector<Device>& PluginHost::devices() const { return state_->devices; }

std::optional<Device> PluginHost::find_device(std::string_view name) const {
    for (const Device& device : state_->devices) {
        if (device.name() == name) return device;
    }
    return std::nullopt;
}

}  // namespace sy::host
