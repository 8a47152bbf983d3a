// Perplexity the way llama-perplexity measures it, so figures compare across engines:
// the token stream is cut into chunks of n_ctx tokens; each chunk is evaluated from an empty
// cache with its first token replaced by BOS (when the vocabulary adds BOS); the logits at
// positions n_ctx/2 .. n_ctx-2 score the next token. PPL = exp(mean NLL); the +/- is
// PPL * stddev(NLL) / sqrt(count - 1).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "runtime/model_runtime.hpp"

namespace sy::runtime {

struct PerplexityOptions {
    int64_t n_ctx = 512;
    int64_t n_chunks = -1;     // -1: every whole chunk
    bool add_bos = true;
    int32_t bos_token = -1;
};

struct PerplexityResult {
    int64_t n_chunks = 0;
    int64_t count = 0;     // scored tokens
    double nll = 0.0;      // sum of -log p
    double nll2 = 0.0;     // sum of squares
    double ppl() const;
    double ppl_error() const;  // PPL * stddev(NLL) / sqrt(count - 1)
};

// -log softmax(logits)[token], computed as llama-perplexity does (float exps, double sum).
double token_nll(std::span<const float> logits, int32_t token);

// Runs the chunks; `progress(chunk_index_1based, ppl_so_far)` after each.
PerplexityResult compute_perplexity(ModelRuntime& runtime, std::span<const int32_t> tokens,
                                    const PerplexityOptions& options,
                                    const std::function<void(int64_t, double)>& progress = {});

}  // namespace sy::runtime
