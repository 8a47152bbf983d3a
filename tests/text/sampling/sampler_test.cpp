// The Sampler (core/text/sampling/sampler.hpp): greedy and penalties, the whole default chain,
// determinism for a seed, and the drawn distribution against its probabilities.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "common/error.hpp"
#include "text/sampling/sampler.hpp"

namespace sy::sampling {
namespace {

SamplingParams plain(float temperature, uint32_t seed = 1234) {
    SamplingParams p;
    p.temperature = temperature;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.seed = seed;
    return p;
}

// Pearson's chi-square statistic of observed counts against expected probabilities.
template <size_t N>
double chi_square(const std::array<int, N>& counts, const std::array<double, N>& probs, int draws) {
    double chi = 0.0;
    for (size_t i = 0; i < N; ++i) {
        const double expected = probs[i] * draws;
        chi += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    return chi;
}

TEST(Sampler, DefaultsAreLlamaCpps) {
    const SamplingParams p;
    EXPECT_EQ(p.temperature, 0.8f);
    EXPECT_EQ(p.top_k, 40);
    EXPECT_EQ(p.top_p, 0.95f);
    EXPECT_EQ(p.min_p, 0.05f);
    EXPECT_EQ(p.repeat_last_n, 64);
    EXPECT_EQ(p.repeat_penalty, 1.0f);
    EXPECT_EQ(p.seed, kRandomSeed);
}

TEST(Sampler, GreedyPicksArgmaxLowestIdOnTies) {
    Sampler s(plain(0.0f), 4);
    EXPECT_EQ(s.sample(std::vector<float>{1.0f, 3.0f, 3.0f, 2.0f}), 1);
    Sampler negative(plain(-1.0f), 3);
    EXPECT_EQ(negative.sample(std::vector<float>{0.0f, 0.0f, -1.0f}), 0);
}

TEST(Sampler, RepetitionPenaltyChangesGreedyChoice) {
    SamplingParams p = plain(0.0f);
    p.repeat_penalty = 2.0f;
    Sampler s(p, 3);
    const std::vector<float> logits{2.0f, 1.5f, -1.0f};
    EXPECT_EQ(s.sample(logits), 0);
    s.accept(0);                     // token 0: 2.0 / 2 = 1.0 < 1.5
    EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, PenaltyWindowForgetsOldTokens) {
    SamplingParams p = plain(0.0f);
    p.presence_penalty = 1.0f;
    p.repeat_last_n = 2;
    Sampler s(p, 3);
    const std::vector<float> logits{2.0f, 1.5f, 0.0f};
    s.accept(0);
    EXPECT_EQ(s.sample(logits), 1);  // 2.0 - 1 = 1.0 < 1.5
    s.accept(2);
    s.accept(2);                     // window now [2, 2]: token 0 fell out
    EXPECT_EQ(s.sample(logits), 0);

    SamplingParams off = p;
    off.repeat_last_n = 0;
    Sampler no_window(off, 3);
    no_window.accept(0);
    EXPECT_EQ(no_window.sample(logits), 0);
}

TEST(Sampler, DefaultChainDrawsOnlyFromSurvivors) {
    // Probabilities 0.4, 0.3, 0.15, 0.1, 0.05. top_k 4 drops id 4; renormalized 0.421, 0.316,
    // 0.158, 0.105 with cumulative 0.421, 0.737, 0.895: top_p 0.8 keeps ids 0-2; min_p 0.4
    // needs p >= 0.4 * 0.4 = 0.16, so 0.15 (id 2) goes. Left: ids 0 and 1 with odds 4:3.
    SamplingParams p;
    p.top_k = 4;
    p.top_p = 0.8f;
    p.min_p = 0.4f;
    p.temperature = 1.0f;
    p.seed = 42;
    Sampler s(p, 5);
    const std::vector<float> logits{std::log(0.4f), std::log(0.3f), std::log(0.15f), std::log(0.1f),
                                    std::log(0.05f)};
    std::array<int, 2> counts{};
    const int draws = 20000;
    for (int i = 0; i < draws; ++i) {
        const int32_t t = s.sample(logits);
        ASSERT_TRUE(t == 0 || t == 1) << "drew " << t;
        ++counts[static_cast<size_t>(t)];
    }
    // One degree of freedom: 10.8 is the 0.001 tail.
    EXPECT_LT(chi_square(counts, std::array<double, 2>{4.0 / 7.0, 3.0 / 7.0}, draws), 10.8);
}

TEST(Sampler, SameSeedSameSequenceOtherSeedDiffers) {
    std::vector<float> logits(50);
    for (size_t i = 0; i < logits.size(); ++i) {
        logits[i] = std::sin(static_cast<float>(i)) * 2.0f;
    }
    auto run = [&](uint32_t seed) {
        SamplingParams p = plain(1.0f, seed);
        Sampler s(p, 50);
        std::vector<int32_t> seq;
        for (int i = 0; i < 300; ++i) {
            seq.push_back(s.sample(logits));
        }
        return seq;
    };
    EXPECT_EQ(run(7), run(7));
    EXPECT_NE(run(7), run(8));

    Sampler s(plain(1.0f, 7), 50);
    const int32_t first = s.sample(logits);
    s.sample(logits);
    s.reset();
    EXPECT_EQ(s.sample(logits), first);
    EXPECT_EQ(s.seed(), 7u);
}

TEST(Sampler, DrawsMatchSoftmaxProbabilities) {
    // Probabilities 0.5, 0.3, 0.2; at temperature 0.5 they become 0.25 : 0.09 : 0.04 of 0.38.
    const std::vector<float> logits{std::log(0.5f), std::log(0.3f), std::log(0.2f)};
    const int draws = 60000;
    for (const float temperature : {1.0f, 0.5f}) {
        Sampler s(plain(temperature, 99), 3);
        std::array<int, 3> counts{};
        for (int i = 0; i < draws; ++i) {
            ++counts[static_cast<size_t>(s.sample(logits))];
        }
        const std::array<double, 3> probs = temperature == 1.0f
                                                ? std::array<double, 3>{0.5, 0.3, 0.2}
                                                : std::array<double, 3>{0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38};
        // Two degrees of freedom: 13.8 is the 0.001 tail.
        EXPECT_LT(chi_square(counts, probs, draws), 13.8) << "temperature " << temperature;
    }
}

TEST(Sampler, RejectsBadInput) {
    EXPECT_THROW(Sampler(plain(1.0f), 0), Error);
    Sampler s(plain(1.0f), 3);
    EXPECT_THROW(s.sample(std::vector<float>{1.0f, 2.0f}), Error);
    EXPECT_THROW(s.accept(3), Error);
    EXPECT_THROW(s.accept(-1), Error);
}

}  // namespace
}  // namespace sy::sampling
