// switchyard: one executable, one subcommand per job (llama.cpp's flag names where they exist).
#include <cstdio>
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "flag_aliases.hpp"

int main(int argc, char** argv) {
    CLI::App app{"switchyard: inference engine for quantized MoE models (GGUF)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "switchyard 0.1.0");

    int exit_code = 0;
    sy::cli::register_backends(app, exit_code);
    sy::cli::register_inspect(app, exit_code);
    sy::cli::register_quantize(app, exit_code);
    sy::cli::register_tokenize(app, exit_code);
    sy::cli::register_run(app, exit_code);
    sy::cli::register_perplexity(app, exit_code);

    try {
        std::vector<std::string> args = sy::cli::rewrite_single_dash_flags(argc, argv);
        args.erase(args.begin());                 // the program name
        std::reverse(args.begin(), args.end());   // CLI11 consumes the vector from its back
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        // Subcommands report their own errors; this is the last line of defence.
        std::fprintf(stderr, "switchyard: error: %s\n", e.what());
        return 1;
    }
    return exit_code;
}
