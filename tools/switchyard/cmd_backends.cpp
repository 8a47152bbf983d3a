#include "commands.hpp"
namespace sy::cli {
void register_backends(CLI::App& app, int& exit_code) {
    app.add_subcommand("backends", "list backend plugins and devices (TODO)")->callback([&] { exit_code = 1; });
}
}  // namespace sy::cli
