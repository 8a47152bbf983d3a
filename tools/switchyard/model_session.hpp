// What `run` and `perplexity` share: the model-loading flags users know from llama.cpp
// (-m, -c, -b, -ub, -t, -ngl, -ot, --cpu-moe, --n-cpu-moe, -ctk, -ctv, --placement-report,
// --dry-run, --no-mmap), and opening a model with them: plugins and devices, placement,
// upload, KV cache.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gguf/gguf_model.hpp"
#include "host/plugin_host.hpp"
#include "runtime/model_runtime.hpp"

namespace sy::cli {

struct ModelFlags {
    std::string model;                   // -m
    int64_t n_ctx = 0;                   // -c; 0: the model's training context, at most 4096
    int64_t n_batch = 2048;              // -b: logical batch (perplexity: tokens per decode)
    int64_t n_ubatch = 512;              // -ub: tokens per forward graph
    int n_threads = 0;                   // -t; 0: hardware threads
    std::vector<std::string> overrides;  // -ot, repeatable
    std::optional<int> n_gpu_layers;     // -ngl
    bool cpu_moe = false;                // --cpu-moe
    int n_cpu_moe = 0;                   // --n-cpu-moe
    std::string cache_type_k = "f16";    // -ctk
    std::string cache_type_v = "f16";    // -ctv
    bool placement_report = false;       // --placement-report
    bool dry_run = false;                // --dry-run: stop after placement
    bool no_mmap = false;                // --no-mmap
    // Accepted so ik_llama.cpp recipes run unchanged; they choose nothing here (see
    // add_model_flags): -fa, -mla N, -amb N, -fmoe.
    std::string flash_attn;
    int mla = 3;
    int attn_max_batch = 0;
    bool fused_moe = false;
};

void add_model_flags(CLI::App& cmd, ModelFlags& flags);

struct ModelSession {
    std::unique_ptr<host::PluginHost> host;
    std::unique_ptr<gguf::GgufModel> file;
    std::unique_ptr<runtime::ModelRuntime> runtime;  // null after --dry-run
    double load_seconds = 0.0;
};

// Opens the model and places it. Prints the placement report on `out` when asked; returns a
// session without runtime after --dry-run. Throws sy::Error with a message for the user.
ModelSession open_model_session(const ModelFlags& flags, std::ostream& out);

// "f16", "q8_0", ... -> GGML type id; sy::Error naming the flag otherwise.
int32_t parse_cache_type(const std::string& text, const char* flag);

}  // namespace sy::cli
