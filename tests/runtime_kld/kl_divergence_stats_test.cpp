// Log-probability compression, KLD / Δp accumulation and the summary statistics of
// `switchyard perplexity --kl-divergence`. Expected values are derived by hand in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "common/error.hpp"
#include "runtime/kl_divergence_stats.hpp"

namespace kld = sy::runtime::kld;

namespace {

// Exact log-softmax in double, the reference for the compression bounds.
std::vector<double> log_softmax(const std::vector<float>& logits) {
    double top = logits[0];
    for (float v : logits) top = std::max(top, double(v));
    double sum = 0.0;
    for (float v : logits) sum += std::exp(double(v) - top);
    std::vector<double> out;
    for (float v : logits) out.push_back(double(v) - top - std::log(sum));
    return out;
}

// A row holding scale/min_log_prob and the given counts, built without the compressor.
std::vector<uint16_t> make_row(float scale, float min_log_prob, const std::vector<uint16_t>& counts) {
    std::vector<uint16_t> row(size_t(kld::row_words(int64_t(counts.size()))), 0);
    std::memcpy(row.data(), &scale, sizeof(float));
    std::memcpy(row.data() + 2, &min_log_prob, sizeof(float));
    std::copy(counts.begin(), counts.end(), row.begin() + 4);
    return row;
}

std::vector<float> random_logits(size_t n, float spread, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, spread);
    std::vector<float> logits(n);
    for (float& v : logits) v = dist(rng);
    return logits;
}

}  // namespace

TEST(KldRowLayout, WordsAndScoredPositions) {
    EXPECT_EQ(kld::row_words(4), 8);        // 4 header words + 4 counts
    EXPECT_EQ(kld::row_words(5), 10);       // odd vocabulary: one padding word
    EXPECT_EQ(kld::row_words(32000), 32004);
    EXPECT_EQ(kld::scored_per_chunk(512), 255);  // positions 256..510
    EXPECT_EQ(kld::scored_per_chunk(7), 3);      // positions 3..5
}

TEST(KldCompression, RoundTripWithinHalfAStep) {
    for (uint32_t seed : {1u, 2u, 3u}) {
        const std::vector<float> logits = random_logits(1001, 5.0f, seed);  // odd: exercises the padding
        std::vector<uint16_t> row(size_t(kld::row_words(1001)), 0xFFFF);
        const int32_t token = 17;
        const double nll = kld::compress_log_probs(logits, token, row);
        const std::vector<double> exact = log_softmax(logits);
        EXPECT_NEAR(nll, -exact[size_t(token)], 1e-5);

        const kld::RowScale s = kld::row_scale(row);
        ASSERT_GT(s.scale, 0.0f);
        EXPECT_EQ(row.back(), 0) << "padding word";
        const double top_log_prob = *std::max_element(exact.begin(), exact.end());
        int in_window = 0;
        for (size_t i = 0; i < exact.size(); ++i) {
            const double stored = kld::stored_log_prob(row, int64_t(i));
            if (exact[i] >= top_log_prob - 24.0) {
                // Rounding to a count costs at most half a step; float arithmetic a little more.
                EXPECT_NEAR(stored, exact[i], 0.5 * double(s.scale) + 2e-5) << "seed " << seed << " i " << i;
                ++in_window;
            } else {
                EXPECT_GE(stored, exact[i]) << "below the window it reads back as the window floor";
            }
        }
        EXPECT_GT(in_window, 800);
        // The top logit takes the last count, the window floor count 0.
        EXPECT_EQ(*std::max_element(row.begin() + 4, row.end()), 65535);
    }
}

TEST(KldCompression, WideRangeClampsToTheWindow) {
    // logits 0, -10, -30: the window is 24 nats, so -30 is stored as count 0 at -24 - log Z.
    const std::vector<float> logits = {0.0f, -10.0f, -30.0f};
    std::vector<uint16_t> row(size_t(kld::row_words(3)));
    kld::compress_log_probs(logits, 0, row);
    const kld::RowScale s = kld::row_scale(row);
    const double log_z = std::log(1.0 + std::exp(-10.0) + std::exp(-30.0));
    EXPECT_NEAR(s.scale, 24.0 / 65535.0, 1e-9);
    EXPECT_NEAR(s.min_log_prob, -24.0 - log_z, 1e-5);
    EXPECT_EQ(row[4], 65535);
    EXPECT_EQ(row[6], 0);
    // -10 sits 14 nats above the floor: 14 / (24/65535) = 38228.75 -> 38229
    EXPECT_EQ(row[5], 38229);
}

TEST(KldCompression, FlatLogitsStoreZeroScale) {
    const std::vector<float> logits(6, 2.5f);
    std::vector<uint16_t> row(size_t(kld::row_words(6)), 7);
    const double nll = kld::compress_log_probs(logits, 3, row);
    EXPECT_NEAR(nll, std::log(6.0), 1e-6);
    const kld::RowScale s = kld::row_scale(row);
    EXPECT_EQ(s.scale, 0.0f);
    EXPECT_NEAR(s.min_log_prob, -std::log(6.0), 1e-6);
    for (size_t i = 4; i < row.size(); ++i) EXPECT_EQ(row[i], 0);
}

TEST(KldCompression, RejectsMismatchedRow) {
    const std::vector<float> logits(4, 0.0f);
    std::vector<uint16_t> short_row(5);
    EXPECT_THROW(kld::compress_log_probs(logits, 0, short_row), sy::Error);
    std::vector<uint16_t> row(size_t(kld::row_words(4)));
    EXPECT_THROW(kld::compress_log_probs(logits, 4, row), sy::Error);
}

namespace {

// Logits on the storage grid (multiples of 2^-12 spanning exactly 65535 steps) are stored
// without rounding, so a model compared with its own base differs only by float rounding.
std::vector<float> grid_logits(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> count(0, 65535);
    std::vector<float> logits(n);
    for (float& v : logits) v = float(count(rng)) / 4096.0f;
    logits[seed % n] = 0.0f;
    logits[(seed + 1) % n] = 65535.0f / 4096.0f;
    return logits;
}

}  // namespace

TEST(KldCompare, IdenticalDistributionsGiveZeroKldAndSameTop) {
    kld::KldSums sums;
    for (uint32_t seed = 0; seed < 150; ++seed) {
        const std::vector<float> logits = grid_logits(257, seed);
        std::vector<uint16_t> row(size_t(kld::row_words(257)));
        const int32_t token = int32_t((seed * 7) % 257);
        kld::compress_log_probs(logits, token, row);
        ASSERT_EQ(kld::row_scale(row).scale, 1.0f / 4096.0f);
        const kld::TokenComparison c = kld::compare_with_base(logits, row, token, sums);
        EXPECT_NEAR(c.kld, 0.0, 1e-6);
        EXPECT_NEAR(c.p_diff, 0.0f, 1e-6f);
    }
    EXPECT_EQ(sums.count, 150u);
    EXPECT_EQ(sums.same_top, 150u);
    const kld::ChunkFigures f = kld::chunk_figures(sums);
    EXPECT_DOUBLE_EQ(f.same_top.value, 1.0);
    EXPECT_NEAR(f.kld.value, 0.0, 1e-7);
    EXPECT_NEAR(f.ln_ppl_ratio.value, 0.0, 1e-6);
    EXPECT_NEAR(f.ppl.value, std::exp(sums.nll_base / 150.0), 1e-5 * f.ppl.value);
}

TEST(KldCompare, OffGridLogitsDifferOnlyByTheStorageStep) {
    // Off the grid each stored log-prob is off by at most half a step (24/65535/2 ~ 1.8e-4
    // nats for a 24-nat window), which bounds |KLD| by about that much.
    kld::KldSums sums;
    for (uint32_t seed = 0; seed < 100; ++seed) {
        const std::vector<float> logits = random_logits(257, 3.0f, seed);
        std::vector<uint16_t> row(size_t(kld::row_words(257)));
        kld::compress_log_probs(logits, 3, row);
        const kld::TokenComparison c = kld::compare_with_base(logits, row, 3, sums);
        EXPECT_NEAR(c.kld, 0.0, 2e-4);
        EXPECT_NEAR(c.p_diff, 0.0f, 2e-4f);
    }
    EXPECT_EQ(sums.same_top, 100u);
}

TEST(KldCompare, HandComputedThreeTokenVocabulary) {
    // Base p = (1/2, 1/4, 1/4): log p = (-ln 2, -2 ln 2, -2 ln 2); with min_log_prob = -2 ln 2
    // and scale = ln 2 / 65535 the counts are (65535, 0, 0).
    const double ln2 = std::log(2.0);
    const std::vector<uint16_t> base = make_row(float(ln2 / 65535.0), float(-2.0 * ln2), {65535, 0, 0});

    {
        // Q uniform: KLD = 1/2 ln(3/2) + 2 * 1/4 ln(3/4) = 1/2 ln(9/8).
        kld::KldSums sums;
        const kld::TokenComparison c = kld::compare_with_base(std::vector<float>{0.0f, 0.0f, 0.0f}, base, 1, sums);
        EXPECT_NEAR(c.kld, 0.5 * std::log(9.0 / 8.0), 1e-6);
        EXPECT_NEAR(c.p_diff, 1.0 / 3.0 - 0.25, 1e-6);         // next token 1: q = 1/3, p = 1/4
        EXPECT_NEAR(sums.nll, std::log(3.0), 1e-6);
        EXPECT_NEAR(sums.nll_base, 2.0 * ln2, 1e-6);
        EXPECT_EQ(sums.same_top, 1u);  // all ties: both pick index 0
    }
    {
        // Q logits (0, 1, 0): log q = (-L, 1 - L, -L) with L = ln(2 + e).
        // KLD = sum p log p - sum p log q = (-1.5 ln 2) - (0.25 - L).
        kld::KldSums sums;
        const kld::TokenComparison c = kld::compare_with_base(std::vector<float>{0.0f, 1.0f, 0.0f}, base, 0, sums);
        const double L = std::log(2.0 + std::exp(1.0));
        EXPECT_NEAR(c.kld, -1.5 * ln2 - 0.25 + L, 1e-6);
        EXPECT_NEAR(c.p_diff, 1.0 / (2.0 + std::exp(1.0)) - 0.5, 1e-6);
        EXPECT_EQ(sums.same_top, 0u);  // Q's top is token 1, the base's token 0
        EXPECT_NEAR(sums.max_abs_p_diff, 0.5 - 1.0 / (2.0 + std::exp(1.0)), 1e-6);
    }
    {
        // A base entry below e^-16 is left out. Base log p = (-ln 2, -ln 2, -16.5) against
        // Q = (1/2, 1/2, ~0) (logits 0, 0, -30000): the first two terms are 0, and the third,
        // e^-16.5 * (-16.5 + 30000) ~ 2e-3, must not be counted.
        const std::vector<uint16_t> tiny = make_row(float((16.5 - ln2) / 65535.0), -16.5f, {65535, 65535, 0});
        kld::KldSums sums;
        const kld::TokenComparison c =
            kld::compare_with_base(std::vector<float>{0.0f, 0.0f, -30000.0f}, tiny, 0, sums);
        EXPECT_NEAR(c.kld, 0.0, 1e-5);
        // Ties on both sides resolve to the first index: tokens 0 and 0.
        EXPECT_EQ(sums.same_top, 1u);
    }
    {
        // Ties in the base only: base top is token 0 (first of 0 and 1), Q's top is token 1.
        const std::vector<uint16_t> tied = make_row(float((16.5 - ln2) / 65535.0), -16.5f, {65535, 65535, 0});
        kld::KldSums sums;
        kld::compare_with_base(std::vector<float>{0.0f, 1.0f, 0.0f}, tied, 0, sums);
        EXPECT_EQ(sums.same_top, 0u);
    }
}

TEST(KldCompare, MergeInOrderEqualsSequentialSums) {
    kld::KldSums sequential, merged;
    for (uint32_t seed = 0; seed < 20; ++seed) {
        const std::vector<float> base_logits = random_logits(64, 2.0f, seed);
        const std::vector<float> q_logits = random_logits(64, 2.0f, seed + 100);
        std::vector<uint16_t> row(size_t(kld::row_words(64)));
        kld::compress_log_probs(base_logits, 5, row);
        kld::compare_with_base(q_logits, row, 5, sequential);
        kld::KldSums one;
        kld::compare_with_base(q_logits, row, 5, one);
        kld::merge_sums(merged, one);
    }
    EXPECT_EQ(merged.nll, sequential.nll);
    EXPECT_EQ(merged.kld, sequential.kld);
    EXPECT_EQ(merged.kld2, sequential.kld2);
    EXPECT_EQ(merged.p_diff4, sequential.p_diff4);
    EXPECT_EQ(merged.max_abs_p_diff, sequential.max_abs_p_diff);
    EXPECT_EQ(merged.same_top, sequential.same_top);
    EXPECT_EQ(merged.count, 20u);
    EXPECT_GT(merged.kld, 0.0);
}

TEST(KldStatistics, PercentilesOnAKnownList) {
    const std::vector<float> five = {1, 2, 3, 4, 5};
    EXPECT_FLOAT_EQ(kld::percentile(five, 0.0f), 1.0f);
    EXPECT_FLOAT_EQ(kld::percentile(five, 1.0f), 5.0f);
    EXPECT_FLOAT_EQ(kld::percentile(five, 0.5f), 3.0f);
    EXPECT_FLOAT_EQ(kld::percentile(five, 0.1f), 1.4f);     // position 0.4
    EXPECT_FLOAT_EQ(kld::percentile(five, 0.999f), 4.996f);  // position 3.996
    EXPECT_FLOAT_EQ(kld::median(five), 3.0f);
    const std::vector<float> four = {0, 10, 20, 30};
    EXPECT_FLOAT_EQ(kld::percentile(four, 0.25f), 7.5f);  // position 0.75
    EXPECT_FLOAT_EQ(kld::median(four), 15.0f);
    EXPECT_THROW(kld::percentile(std::vector<float>{}, 0.5f), sy::Error);
}

TEST(KldStatistics, MeanAndErrorAndCovariance) {
    // 0..10: mean 5, E[x^2] = 385/11 = 35, variance 10, error sqrt(10 / 10) = 1.
    double sum = 0, sum2 = 0;
    for (int i = 0; i <= 10; ++i) {
        sum += i;
        sum2 += i * i;
    }
    const kld::Estimate e = kld::mean_and_error(sum, sum2, 11);
    EXPECT_DOUBLE_EQ(e.value, 5.0);
    EXPECT_NEAR(e.error, 1.0, 1e-12);
    EXPECT_EQ(kld::mean_and_error(sum, sum2, 10).error, 0.0);  // 10 or fewer values: no error
    // Pairs (i, 2i): covariance of the means = 2 * variance / (n - 1) = 2 * 10 / 10.
    EXPECT_NEAR(kld::covariance_of_means(sum, 2 * sum, 2 * sum2, 11), 2.0, 1e-12);
    EXPECT_EQ(kld::covariance_of_means(1.0, 1.0, 1.0, 9), 0.0);
}

TEST(KldStatistics, SummaryOfIdenticalRuns) {
    kld::KldSums sums;
    std::vector<float> kld_values, p_diff_values;
    for (uint32_t seed = 0; seed < 120; ++seed) {
        const std::vector<float> logits = random_logits(100, 2.0f, seed);
        std::vector<uint16_t> row(size_t(kld::row_words(100)));
        kld::compress_log_probs(logits, int32_t(seed % 100), row);
        const kld::TokenComparison c = kld::compare_with_base(logits, row, int32_t(seed % 100), sums);
        kld_values.push_back(float(c.kld));
        p_diff_values.push_back(c.p_diff);
    }
    std::sort(kld_values.begin(), kld_values.end());
    std::sort(p_diff_values.begin(), p_diff_values.end());
    const kld::KldSummary s = kld::summarize(sums, kld_values, p_diff_values);
    EXPECT_NEAR(s.ppl.value, s.ppl_base.value, 1e-4 * s.ppl.value);
    EXPECT_NEAR(s.ppl_ratio.value, 1.0, 1e-5);
    EXPECT_GT(s.ln_ppl_correlation, 0.9999);
    EXPECT_DOUBLE_EQ(s.same_top.value, 1.0);
    EXPECT_EQ(s.kld_max, kld_values.back());
    EXPECT_EQ(s.kld_min, kld_values.front());
    EXPECT_LE(s.kld_median, s.kld_max);
    EXPECT_GE(s.kld_median, s.kld_min);
    EXPECT_NEAR(s.kld.value, 0.0, 1e-6);
}
