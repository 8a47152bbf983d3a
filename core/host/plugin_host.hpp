// PluginHost: finds backend plugins, loads the usable ones, opens their devices, and reports
// on every candidate it considered. Core names no backend: what gets loaded is decided only by
// the files found in the search path and by the static entries the caller passes in.
//
// For each candidate, in order (static backends first, then each search folder, files sorted
// by name): load the library (Boost.DLL), import SY_PLUGIN_ENTRY_SYMBOL, call score() (0 means
// "cannot run here"), check abi_range against SY_PLUGIN_ABI_VERSION, call query() with a host
// env. Per backend name one candidate is kept: a static backend over any file; otherwise the
// higher score, and on a tie the one found first. Every problem is reported in candidates()
// and logged; none is fatal, so a host with no usable plugin is simply a host with no devices.
//
// Lifetime: devices() hand out shared handles; a plugin stays loaded until the host and every
// Device and Buffer from it are gone, then shutdown() is called and the library unloaded.
// Creating a new PluginHost later loads the plugins afresh (load -> unload -> reload is safe).
// Thread safety: construction and destruction are single-threaded; the const accessors may
// be called from several threads at once. See device.hpp for driving devices.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/candidate.hpp"
#include "host/device.hpp"
#include "host/log.hpp"
#include "host/search_path.hpp"
#include "switchyard/plugin_abi.h"

namespace sy::host {

// A backend linked into the executable (SWITCHYARD_STATIC_BACKENDS): its entry function.
struct StaticBackend {
    std::string id;                   // entry id, e.g. "reference"
    sy_plugin_get_entry_fn get_entry; // the same table a plugin file would export
};

struct HostOptions {
    std::vector<SearchDir> search_dirs;          // in priority order; see search_path.hpp
    std::vector<StaticBackend> static_backends;  // considered before any file
    LogSink log;                                 // empty: messages are dropped
};

class PluginHost {
public:
    explicit PluginHost(HostOptions options);
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;
    ~PluginHost();

    const std::vector<SearchDir>& search_dirs() const;
    // Every candidate, in the order considered, with what became of it.
    const std::vector<Candidate>& candidates() const;
    // The candidates in use, one per backend name.
    std::vector<Candidate> loaded_backends() const;
    // Every device of every loaded backend, in candidate order, then device index.
    const std::vector<Device>& devices() const;
    // The first device with this name ("CPU", "TEST0"), or nullopt.
    std::optional<Device> find_device(std::string_view name) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace sy::host
