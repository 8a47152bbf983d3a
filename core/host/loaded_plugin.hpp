// LoadedPlugin: one plugin in use (internal to core/host): its library, the env it was given
// and the backend table it returned. Shared by the PluginHost and every device opened from it,
// so it lives until the last of them is gone; its destructor then calls shutdown() (under the
// registry lock, see plugin_registry.hpp), checks for
// leaks through the env, and only after that unloads the library (Boost.DLL: symbols are valid
// only while the shared_library lives). Not copyable; not thread-safe to construct.
#pragma once

#include <memory>
#include <string>

#include <boost/dll/shared_library.hpp>

#include "host/candidate.hpp"
#include "host/plugin_env.hpp"
#include "switchyard/plugin_abi.h"

namespace sy::host::detail {

class LoadedPlugin {
public:
    // `library` is empty for a statically linked backend. `label` names it in messages.
    LoadedPlugin(boost::dll::shared_library library, std::string label, LogSink sink);
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin();

    const std::string& label() const { return label_; }
    const boost::dll::shared_library& library() const { return library_; }

    // Calls entry.query with a fresh env; nullptr when the plugin refuses. After success,
    // the destructor calls backend()->shutdown().
    const sy_backend* query(const sy_plugin_entry& entry, uint32_t abi_version, const std::string& source);
    const sy_backend* backend() const { return backend_; }

    void log(int32_t level, const std::string& message) const;

    // What probing found (status Loaded), for a second host that finds the plugin in use.
    Candidate loaded_as;

private:
    boost::dll::shared_library library_;  // unloaded last, explicitly, in the destructor
    std::string label_;
    LogSink sink_;
    std::unique_ptr<PluginEnv> env_;      // alive until shutdown() has returned
    const sy_backend* backend_ = nullptr;
};

}  // namespace sy::host::detail
