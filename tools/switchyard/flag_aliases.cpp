#include "flag_aliases.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace sy::cli {
namespace {

// Single-dash spellings of llama.cpp / ik_llama.cpp and the names our commands declare.
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kAliases = {{
    {"-fa", "--flash-attn"},
    {"-mla", "--mla-use"},
    {"-amb", "--attention-max-batch"},
    {"-fmoe", "--fused-moe"},
    {"-ngl", "--n-gpu-layers"},
    {"-ot", "--override-tensor"},
    {"-ub", "--ubatch-size"},
    {"-ctk", "--cache-type-k"},
    {"-ctv", "--cache-type-v"},
    {"-cnv", "--conversation"},
    {"-sys", "--system-prompt"},
    {"-ngld", "--n-gpu-layers-draft"},
}};

}  // namespace

std::vector<std::string> rewrite_single_dash_flags(int argc, const char* const* argv) {
    std::vector<std::string> out;
    out.reserve(size_t(argc));
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        const std::string_view view(arg);
        for (const auto& [alias, name] : kAliases) {
            if (view == alias) {
                arg = std::string(name);
                break;
            }
            if (view.size() > alias.size() && view.substr(0, alias.size()) == alias && view[alias.size()] == '=') {
                arg = std::string(name) + std::string(view.substr(alias.size()));
                break;
            }
        }
        out.push_back(std::move(arg));
    }
    return out;
}

}  // namespace sy::cli
