// Probing one candidate (internal to core/host): load, import the entry, score, ABI check,
// query, table validation. Each step that fails sets the candidate's status and reason and
// stops; nothing throws for a plugin's fault.
#pragma once

#include <filesystem>
#include <memory>

#include "host/candidate.hpp"
#include "host/loaded_plugin.hpp"
#include "host/plugin_host.hpp"

namespace sy::host::detail {

// `c` arrives with origin/name/variant from the file name; returns the plugin when `c` ends
// up Loaded (the caller may still supersede it), else nullptr.
std::shared_ptr<LoadedPlugin> probe_file(const std::filesystem::path& path, Candidate& c, const LogSink& sink);

// Same for a backend linked into the executable; fills name/variant from its table.
std::shared_ptr<LoadedPlugin> probe_static(const StaticBackend& backend, Candidate& c, const LogSink& sink);

}  // namespace sy::host::detail
