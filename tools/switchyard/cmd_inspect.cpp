#include "commands.hpp"
namespace sy::cli {
void register_inspect(CLI::App& app, int& exit_code) {
    app.add_subcommand("inspect", "show a GGUF file (TODO)")->callback([&] { exit_code = 1; });
}
}  // namespace sy::cli
