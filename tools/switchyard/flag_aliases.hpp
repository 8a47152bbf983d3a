// llama.cpp spells some long flags with one dash ("-ngl 99", "-ot exps=CPU", "-ctk q8_0");
// CLI11 reads a single dash as a one-letter flag. Before parsing, such arguments are
// rewritten to their double-dash names, so users' command lines work unchanged.
#pragma once

#include <string>
#include <vector>

namespace sy::cli {

// argv with the llama.cpp single-dash long flags replaced ("-ngl" -> "--n-gpu-layers",
// "-ot=x" -> "--override-tensor=x"); every other argument unchanged.
std::vector<std::string> rewrite_single_dash_flags(int argc, const char* const* argv);

}  // namespace sy::cli
