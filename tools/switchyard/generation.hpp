// Prompt evaluation and token-by-token generation over a ModelRuntime, with the timings
// llama-cli reports. Shared by `run` (plain and chat).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "runtime/model_runtime.hpp"
#include "text/sampling/sampler.hpp"
#include "text/tokenizer.hpp"

namespace sy::cli {

struct GenerationTimings {
    int64_t prompt_tokens = 0;
    double prompt_seconds = 0.0;
    int64_t generated_tokens = 0;
    double generate_seconds = 0.0;
};

class Generator {
public:
    Generator(runtime::ModelRuntime& runtime, const text::Vocab& vocab, sampling::Sampler& sampler, int64_t n_batch);

    // Evaluates tokens after those already in the cache (in batches of n_batch) and records
    // them with the sampler; keeps the last logits for the next sample.
    void feed(std::span<const int32_t> tokens);

    // Samples up to n_predict tokens (-1: until end of generation or a full context), feeding
    // each back. `emit(piece)` receives the text of every token that is not end-of-generation;
    // returning false stops. Returns the generated ids (without the end-of-generation token).
    std::vector<int32_t> generate(int64_t n_predict, const std::function<bool(const std::string&)>& emit);

    // Forgets the evaluated tokens (the cache is overwritten from position 0 by the next feed).
    void restart() {
        n_past_ = 0;
        last_logits_.clear();
    }

    int64_t n_past() const { return n_past_; }
    const GenerationTimings& timings() const { return timings_; }

private:
    runtime::ModelRuntime& runtime_;
    const text::Vocab& vocab_;
    sampling::Sampler& sampler_;
    int64_t n_batch_;
    int64_t n_past_ = 0;
    std::vector<float> last_logits_;
    GenerationTimings timings_;
};

// "prompt eval: N tokens, X s, Y tokens/s" and the same for generation, on stderr.
void print_timings(const GenerationTimings& t);

}  // namespace sy::cli
