// Token sampling with llama.cpp's common-sampler defaults (ik_llama.cpp common/sampling.h):
// penalties over the recent tokens, then top_k -> top_p -> min_p -> temperature -> a draw from
// the remaining distribution with a seeded std::mt19937; temperature <= 0 picks the argmax
// after the penalties (ties: the lowest id). The stages are in candidates.hpp.
//
// Not thread-safe: one Sampler per sequence. Deterministic for a given seed, parameters and
// sequence of sample()/accept() calls.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <span>

#include "text/sampling/candidates.hpp"

namespace sy::sampling {

// Seed value that asks for a nondeterministic seed (std::random_device), as LLAMA_DEFAULT_SEED.
inline constexpr uint32_t kRandomSeed = 0xFFFFFFFFu;

// Defaults are llama.cpp's (--temp 0.8 --top-k 40 --top-p 0.95 --min-p 0.05 --repeat-last-n 64,
// penalties off).
struct SamplingParams {
    float temperature = 0.80f;       // <= 0: greedy (argmax)
    int32_t top_k = 40;              // <= 0: the whole vocabulary
    float top_p = 0.95f;             // >= 1: off
    float min_p = 0.05f;             // <= 0: off
    int32_t min_keep = 0;            // top_k/top_p/min_p keep at least max(1, min_keep) tokens
    int32_t repeat_last_n = 64;      // penalty window in accepted tokens; 0: off; -1: all of them
    float repeat_penalty = 1.00f;    // 1: off
    float frequency_penalty = 0.00f; // 0: off; subtracted once per occurrence in the window
    float presence_penalty = 0.00f;  // 0: off; subtracted once if the token is in the window
    uint32_t seed = kRandomSeed;
};

class Sampler {
public:
    // Throws sy::Error when n_vocab <= 0.
    Sampler(SamplingParams params, int32_t n_vocab);

    // Picks the next token from one row of logits (n_vocab floats). Does not record it: call
    // accept() with the token actually appended to the sequence. Throws sy::Error on a size
    // mismatch.
    int32_t sample(std::span<const float> logits);

    // Records a token of the sequence (prompt or generated) for the penalty window. Throws
    // sy::Error for an id outside [0, n_vocab).
    void accept(int32_t token);

    // Forgets the accepted tokens and restarts the generator from the seed.
    void reset();

    const SamplingParams& params() const { return params_; }
    // The seed in use (drawn from std::random_device when params.seed == kRandomSeed).
    uint32_t seed() const { return seed_; }

private:
    SamplingParams params_;
    int32_t n_vocab_;
    uint32_t seed_;
    std::mt19937 rng_;
    std::deque<int32_t> recent_;  // oldest first, at most repeat_last_n (unbounded for -1)
};

}  // namespace sy::sampling
