// Subcommands of the switchyard executable. Each register_* adds its subcommand to the CLI11
// app; when the subcommand runs it stores its process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void register_backends(CLI::App& app, int& exit_code);
void register_inspect(CLI::App& app, int& exit_code);
void register_quantize(CLI::App& app, int& exit_code);
void register_tokenize(CLI::App& app, int& exit_code);    // cmd_tokenize.cpp
void register_run(CLI::App& app, int& exit_code);         // cmd_run.cpp
void register_perplexity(CLI::App& app, int& exit_code);  // cmd_perplexity.cpp

}  // namespace sy::cli
