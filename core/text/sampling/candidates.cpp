#include "text/sampling/candidates.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/error.hpp"

namespace sy::sampling {

Candidates Candidates::from_logits(std::span<const float> logits) {
    Candidates c;
    c.items.reserve(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) {
        c.items.push_back({static_cast<int32_t>(i), logits[i]});
    }
    return c;
}

void sort_by_logit(Candidates& c) {
    if (c.sorted) {
        return;
    }
    // NaN sorts as -inf so the order stays strict and weak (std::sort needs that).
    auto key = [](float logit) { return std::isnan(logit) ? -INFINITY : logit; };
    std::sort(c.items.begin(), c.items.end(), [&](const Candidate& a, const Candidate& b) {
        return key(a.logit) != key(b.logit) ? key(a.logit) > key(b.logit) : a.id < b.id;
    });
    c.sorted = true;
}

void apply_penalties(Candidates& c, std::span<const int32_t> recent, float repeat, float frequency,
                     float presence) {
    if (recent.empty() || (repeat == 1.0f && frequency == 0.0f && presence == 0.0f)) {
        return;
    }
    std::unordered_map<int32_t, int> seen;
    for (int32_t token : recent) {
        ++seen[token];
    }
    for (Candidate& cand : c.items) {
        const auto it = seen.find(cand.id);
        if (it == seen.end()) {
            continue;
        }
        // Dividing a negative logit would make the token more likely, so those are multiplied.
        if (cand.logit <= 0.0f) {
            cand.logit *= repeat;
        } else {
            cand.logit /= repeat;
        }
        cand.logit -= static_cast<float>(it->second) * frequency + presence;
    }
    c.sorted = false;
}

void keep_top_k(Candidates& c, int32_t k, size_t min_keep) {
    size_t keep = k <= 0 ? c.items.size() : static_cast<size_t>(k);
    keep = std::min(std::max(keep, min_keep), c.items.size());
    sort_by_logit(c);
    c.items.resize(keep);
}

void keep_top_p(Candidates& c, float p, size_t min_keep) {
    if (p >= 1.0f || c.items.empty()) {
        return;
    }
    sort_by_logit(c);
    // Softmax as the oracle computes it: exponentials relative to the top logit, summed in
    // float in sorted order, then each divided by the sum.
    const float top = c.items.front().logit;
    std::vector<float> prob(c.items.size());
    float sum = 0.0f;
    for (size_t i = 0; i < c.items.size(); ++i) {
        prob[i] = std::exp(c.items[i].logit - top);
        sum += prob[i];
    }
    float cumulative = 0.0f;
    for (size_t i = 0; i < c.items.size(); ++i) {
        cumulative += prob[i] / sum;
        if (cumulative >= p && i + 1 >= min_keep) {
            c.items.resize(i + 1);
            return;
        }
    }
}

void keep_min_p(Candidates& c, float p, size_t min_keep) {
    if (p <= 0.0f || c.items.empty()) {
        return;
    }
    sort_by_logit(c);
    const float min_logit = c.items.front().logit + std::log(p);
    size_t keep = 1;  // the top token always qualifies
    while (keep < c.items.size() && (c.items[keep].logit >= min_logit || keep < min_keep)) {
        ++keep;
    }
    c.items.resize(keep);
}

void apply_temperature(Candidates& c, float temperature) {
    for (Candidate& cand : c.items) {
        cand.logit /= temperature;
    }
}

int32_t pick_greedy(const Candidates& c) {
    if (c.items.empty()) {
        throw Error("sampler: no candidate tokens left to pick from");
    }
    // max_element returns the first of equal maxima: the lowest id in an unsorted (id-order) list.
    const auto best = std::max_element(c.items.begin(), c.items.end(),
                                       [](const Candidate& a, const Candidate& b) { return a.logit < b.logit; });
    return best->id;
}

int32_t pick_random(const Candidates& c, std::mt19937& rng) {
    if (c.items.empty()) {
        throw Error("sampler: no candidate tokens left to pick from");
    }
    if (c.items.size() == 1) {
        return c.items.front().id;
    }
    float top = c.items.front().logit;
    for (const Candidate& cand : c.items) {
        top = std::max(top, cand.logit);
    }
    std::vector<float> cumulative(c.items.size());
    float sum = 0.0f;
    for (size_t i = 0; i < c.items.size(); ++i) {
        sum += std::exp(c.items[i].logit - top);
        cumulative[i] = sum;
    }
    // Raising the last bound keeps u == sum (rng() == rng.max()) inside the table.
    cumulative.back() += sum;
    const float u = sum * static_cast<float>(rng()) / static_cast<float>(std::mt19937::max());
    const auto hit = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    // Only non-finite logits (NaN/inf sums) can miss the table; take the last entry then.
    const auto index = static_cast<size_t>(hit - cumulative.begin());
    return c.items[std::min(index, c.items.size() - 1)].id;
}

}  // namespace sy::sampling
