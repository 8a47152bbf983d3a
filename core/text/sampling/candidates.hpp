// The sampling stages, each a free function on a candidate list, in the order and with the
// semantics of llama.cpp's common sampler (ik_llama.cpp common/sampling.cpp, src/llama-sampling.cpp):
//
//   penalties -> top_k -> top_p -> min_p -> temperature -> pick_random   (temperature > 0)
//   penalties -> pick_greedy                                             (temperature <= 0)
//
// A stage that "sorts" leaves the list ordered by logit, highest first; ties keep the lower token
// id first (the oracle's std::sort leaves tie order unspecified; we fix it so runs are
// reproducible). The order matters: pick_random walks the list in its current order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace sy::sampling {

struct Candidate {
    int32_t id;   // token id
    float logit;  // unnormalized log-probability, modified in place by the stages
};

struct Candidates {
    std::vector<Candidate> items;
    bool sorted = false;  // items ordered by logit, highest first

    // One candidate per token of `logits`, in id order (unsorted).
    static Candidates from_logits(std::span<const float> logits);
};

// Sorts by logit, highest first, ties by lower id; no-op when already sorted.
void sort_by_logit(Candidates& c);

// Repetition, frequency and presence penalties over `recent` (the penalty window, oldest
// first). A token seen n > 0 times: logit *= repeat if logit <= 0 else logit /= repeat, then
// logit -= n * frequency + presence. Disabled when recent is empty or repeat == 1 and
// frequency == presence == 0. Leaves the list unsorted.
void apply_penalties(Candidates& c, std::span<const int32_t> recent, float repeat, float frequency,
                     float presence);

// Keeps the k highest (k <= 0: all), never fewer than min_keep; sorts.
void keep_top_k(Candidates& c, int32_t k, size_t min_keep);

// Keeps the smallest prefix (in sorted order) whose softmax probabilities sum to >= p and that
// holds at least min_keep tokens; p >= 1 disables it. Sorts.
void keep_top_p(Candidates& c, float p, size_t min_keep);

// Keeps tokens whose probability is >= p times the top probability, i.e. logit >=
// max_logit + log(p), never fewer than min_keep; p <= 0 disables it. Sorts.
void keep_min_p(Candidates& c, float p, size_t min_keep);

// Divides every logit by temperature (> 0).
void apply_temperature(Candidates& c, float temperature);

// The id with the highest logit; the lowest id among equal logits when the list is unsorted
// (id order), the first in list order otherwise.
int32_t pick_greedy(const Candidates& c);

// Draws from softmax(logits) over the list in its current order: cumulative sums of
// exp(logit - max) in float, u = sum * rng() / rng.max(), the first entry whose cumulative
// sum exceeds u. A list of one token returns it without drawing (the oracle does not advance
// its generator then either).
int32_t pick_random(const Candidates& c, std::mt19937& rng);

}  // namespace sy::sampling
