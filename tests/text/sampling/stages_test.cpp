// Each sampling stage (core/text/sampling/candidates.hpp) on hand-made logits. Every expected
// value below was worked out by hand from the stage's definition; the comments show the sums.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "common/error.hpp"
#include "text/sampling/candidates.hpp"

namespace sy::sampling {
namespace {

std::vector<int32_t> ids(const Candidates& c) {
    std::vector<int32_t> out;
    for (const Candidate& cand : c.items) {
        out.push_back(cand.id);
    }
    return out;
}

float logit_of(const Candidates& c, int32_t id) {
    for (const Candidate& cand : c.items) {
        if (cand.id == id) {
            return cand.logit;
        }
    }
    ADD_FAILURE() << "token " << id << " not in the list";
    return 0.0f;
}

TEST(SamplingStages, PenaltiesMultiplyNegativeDivideAndSubtractCounts) {
    // Window [0, 1, 1, 3]: counts id0=1, id1=2, id3=1; repeat 2, frequency 0.25, presence 0.5.
    Candidates c = Candidates::from_logits(std::vector<float>{2.0f, -1.0f, 0.5f, 0.0f});
    const std::vector<int32_t> window{0, 1, 1, 3};
    apply_penalties(c, window, 2.0f, 0.25f, 0.5f);
    EXPECT_EQ(logit_of(c, 0), 0.25f);   // 2/2 = 1, 1 - (1*0.25 + 0.5) = 0.25
    EXPECT_EQ(logit_of(c, 1), -3.0f);   // -1*2 = -2, -2 - (2*0.25 + 0.5) = -3
    EXPECT_EQ(logit_of(c, 2), 0.5f);    // not in the window
    EXPECT_EQ(logit_of(c, 3), -0.75f);  // 0 <= 0: 0*2 = 0, 0 - 0.75
    EXPECT_FALSE(c.sorted);
}

TEST(SamplingStages, PenaltiesOffWhenNeutralOrWindowEmpty) {
    const std::vector<float> logits{2.0f, -1.0f};
    Candidates neutral = Candidates::from_logits(logits);
    apply_penalties(neutral, std::vector<int32_t>{0, 1}, 1.0f, 0.0f, 0.0f);
    EXPECT_EQ(logit_of(neutral, 0), 2.0f);
    EXPECT_EQ(logit_of(neutral, 1), -1.0f);
    Candidates empty_window = Candidates::from_logits(logits);
    apply_penalties(empty_window, {}, 2.0f, 1.0f, 1.0f);
    EXPECT_EQ(logit_of(empty_window, 0), 2.0f);
}

TEST(SamplingStages, TopKKeepsHighestTiesLowerIdFirst) {
    const std::vector<float> logits{0.1f, 0.5f, 0.3f, 0.9f, 0.5f};
    Candidates c = Candidates::from_logits(logits);
    keep_top_k(c, 3, 1);
    EXPECT_EQ(ids(c), (std::vector<int32_t>{3, 1, 4}));
    EXPECT_TRUE(c.sorted);

    Candidates all = Candidates::from_logits(logits);
    keep_top_k(all, 0, 1);  // k <= 0: everything, sorted
    EXPECT_EQ(ids(all), (std::vector<int32_t>{3, 1, 4, 2, 0}));

    Candidates min_keep = Candidates::from_logits(logits);
    keep_top_k(min_keep, 2, 4);  // min_keep wins over k
    EXPECT_EQ(ids(min_keep), (std::vector<int32_t>{3, 1, 4, 2}));

    Candidates big_k = Candidates::from_logits(logits);
    keep_top_k(big_k, 100, 1);
    EXPECT_EQ(big_k.items.size(), 5u);
}

TEST(SamplingStages, NanLogitsSortLast) {
    // A NaN logit (a broken model row) must not break the sort: it ranks below everything.
    Candidates c = Candidates::from_logits(std::vector<float>{std::nanf(""), 1.0f, 0.5f});
    keep_top_k(c, 2, 1);
    EXPECT_EQ(ids(c), (std::vector<int32_t>{1, 2}));
}

TEST(SamplingStages, TopPIncludesTheTokenThatReachesP) {
    // Four equal logits: probabilities exactly 0.25 each, cumulative 0.25, 0.5, 0.75, 1.
    const std::vector<float> logits{1.0f, 1.0f, 1.0f, 1.0f};
    auto kept = [&](float p, size_t min_keep) {
        Candidates c = Candidates::from_logits(logits);
        keep_top_p(c, p, min_keep);
        return c.items.size();
    };
    EXPECT_EQ(kept(0.5f, 1), 2u);   // 0.5 >= 0.5 at the second token
    EXPECT_EQ(kept(0.6f, 1), 3u);
    EXPECT_EQ(kept(0.1f, 1), 1u);
    EXPECT_EQ(kept(0.1f, 3), 3u);   // min_keep
    EXPECT_EQ(kept(1.0f, 1), 4u);   // off
}

TEST(SamplingStages, TopPOnUnequalProbabilities) {
    // Probabilities 0.5, 0.3, 0.2 (ids 2, 0, 1 after sorting): cumulative 0.5, 0.8, 1.0.
    const std::vector<float> logits{std::log(0.3f), std::log(0.2f), std::log(0.5f)};
    Candidates c = Candidates::from_logits(logits);
    keep_top_p(c, 0.7f, 1);
    EXPECT_EQ(ids(c), (std::vector<int32_t>{2, 0}));
    Candidates c2 = Candidates::from_logits(logits);
    keep_top_p(c2, 0.45f, 1);
    EXPECT_EQ(ids(c2), (std::vector<int32_t>{2}));
}

TEST(SamplingStages, MinPKeepsTokensAboveFractionOfTop) {
    // Top logit 0; a token survives when logit >= log(p).
    const std::vector<float> logits{-1.0f, 0.0f, std::log(0.5f), -3.0f};
    auto kept = [&](float p, size_t min_keep) {
        Candidates c = Candidates::from_logits(logits);
        keep_min_p(c, p, min_keep);
        return ids(c);
    };
    EXPECT_EQ(kept(0.3f, 1), (std::vector<int32_t>{1, 2, 0}));  // log 0.3 = -1.20: -3 is out
    EXPECT_EQ(kept(0.5f, 1), (std::vector<int32_t>{1, 2}));     // log(0.5) >= log(0.5): kept
    EXPECT_EQ(kept(0.9f, 1), (std::vector<int32_t>{1}));
    EXPECT_EQ(kept(0.9f, 3), (std::vector<int32_t>{1, 2, 0}));  // min_keep
    EXPECT_EQ(kept(0.0f, 1).size(), 4u);                        // off, order untouched
    EXPECT_EQ(kept(0.0f, 1), (std::vector<int32_t>{0, 1, 2, 3}));
}

TEST(SamplingStages, TemperatureDividesLogits) {
    Candidates c = Candidates::from_logits(std::vector<float>{1.0f, -2.0f});
    apply_temperature(c, 0.5f);
    EXPECT_EQ(logit_of(c, 0), 2.0f);
    EXPECT_EQ(logit_of(c, 1), -4.0f);
}

TEST(SamplingStages, GreedyTiesPickLowestId) {
    EXPECT_EQ(pick_greedy(Candidates::from_logits(std::vector<float>{1.0f, 3.0f, 3.0f, 2.0f})), 1);
    EXPECT_EQ(pick_greedy(Candidates::from_logits(std::vector<float>{-5.0f, -5.0f})), 0);
    EXPECT_THROW(pick_greedy(Candidates{}), Error);
}

TEST(SamplingStages, RandomPickFollowsCumulativeTable) {
    // Two candidates in list order ids 7, 3 with equal logits: cumulative {1, 2}, the last
    // raised by the sum to 4; u = 2 * r / (2^32 - 1). std::mt19937's first output for its
    // default seed 5489 is 3499211612, so u = 1.63 > 1: the second entry, id 3.
    Candidates c;
    c.items = {{7, 0.0f}, {3, 0.0f}};
    std::mt19937 probe;
    ASSERT_EQ(probe(), 3499211612u);
    std::mt19937 rng;
    EXPECT_EQ(pick_random(c, rng), 3);

    // A single candidate is returned without drawing: the generator is not advanced.
    Candidates one;
    one.items = {{5, 1.0f}};
    std::mt19937 untouched;
    EXPECT_EQ(pick_random(one, untouched), 5);
    EXPECT_EQ(untouched(), 3499211612u);
}

}  // namespace
}  // namespace sy::sampling
