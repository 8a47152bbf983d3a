// `switchyard backends [--json] [--verbose]`: what the plugin host found, loaded or not and
// why, and what each device offers. The report itself is backends_report.cpp.
#include <cstdio>
#include <iostream>
#include <memory>

#include "backends_report.hpp"
#include "commands.hpp"
#include "host/log.hpp"
#include "static_backends.hpp"

namespace sy::cli {
namespace {

host::HostOptions backends_host_options(bool verbose) {
    host::HostOptions options;
    options.search_dirs = host::default_plugin_search_dirs();
    for (const StaticBackend* s = kStaticBackends; s->get_entry != nullptr; ++s) {
        options.static_backends.push_back({s->id, s->get_entry});
    }
    // The report already says why each candidate was skipped; the log adds plugin chatter.
    if (verbose) {
        options.log = [](int32_t level, std::string_view source, std::string_view message) {
            std::fprintf(stderr, "[%.*s] %.*s: %.*s\n", int(host::log_level_name(level).size()),
                         host::log_level_name(level).data(), int(source.size()), source.data(),
                         int(message.size()), message.data());
        };
    }
    return options;
}

}  // namespace

void register_backends(CLI::App& app, int& exit_code) {
    struct Flags {
        bool json = false;
        bool verbose = false;
    };
    auto flags = std::make_shared<Flags>();
    auto* cmd = app.add_subcommand("backends", "list backend plugins found, loaded or not and why, and their devices");
    cmd->add_flag("--json", flags->json, "print the report as JSON");
    cmd->add_flag("-v,--verbose", flags->verbose, "also print the host's and the plugins' log on stderr");
    cmd->callback([&exit_code, flags] {
        const host::PluginHost host(backends_host_options(flags->verbose));
        if (flags->json) {
            std::cout << backends_report_json(host).dump(2) << "\n";
        } else {
            std::cout << backends_report_text(host);
        }
        exit_code = 0;
    });
}

}  // namespace sy::cli
