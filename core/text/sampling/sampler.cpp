#include "text/sampling/sampler.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace sy::sampling {

Sampler::Sampler(SamplingParams params, int32_t n_vocab)
    : params_(params),
      n_vocab_(n_vocab),
      seed_(params.seed == kRandomSeed ? std::random_device{}() : params.seed),
      rng_(seed_) {
    if (n_vocab <= 0) {
        throw Error("sampler: the vocabulary size must be positive, got " + std::to_string(n_vocab));
    }
}

int32_t Sampler::sample(std::span<const float> logits) {
    if (logits.size() != static_cast<size_t>(n_vocab_)) {
        throw Error("sampler: got " + std::to_string(logits.size()) + " logits for a vocabulary of " +
                    std::to_string(n_vocab_) + " tokens");
    }
    Candidates cands = Candidates::from_logits(logits);

    if (params_.repeat_last_n != 0 && !recent_.empty()) {
        const std::vector<int32_t> window(recent_.begin(), recent_.end());
        apply_penalties(cands, window, params_.repeat_penalty, params_.frequency_penalty,
                        params_.presence_penalty);
    }
    if (params_.temperature <= 0.0f) {
        return pick_greedy(cands);
    }
    const size_t min_keep = static_cast<size_t>(std::max(1, params_.min_keep));
    keep_top_k(cands, params_.top_k, min_keep);
    keep_top_p(cands, params_.top_p, min_keep);
    keep_min_p(cands, params_.min_p, min_keep);
    apply_temperature(cands, params_.temperature);
    return pick_random(cands, rng_);
}

void Sampler::accept(int32_t token) {
    if (token < 0 || token >= n_vocab_) {
        throw Error("sampler: token id " + std::to_string(token) + " is outside the vocabulary [0, " +
                    std::to_string(n_vocab_) + ")");
    }
    if (params_.repeat_last_n == 0) {
        return;
    }
    recent_.push_back(token);
    if (params_.repeat_last_n > 0 && recent_.size() > static_cast<size_t>(params_.repeat_last_n)) {
        recent_.pop_front();
    }
}

void Sampler::reset() {
    recent_.clear();
    rng_.seed(seed_);
}

}  // namespace sy::sampling
