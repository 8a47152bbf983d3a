// compute_perplexity against the same protocol run on the naive forward pass: chunks of
// n_ctx, first token of each replaced by BOS, positions n_ctx/2 .. n_ctx-2 scored.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "common/error.hpp"
#include "naive_forward.hpp"
#include "runtime/perplexity.hpp"
#include "runtime_models.hpp"
#include "runtime_test_support.hpp"

namespace sy::test {
namespace {

constexpr int64_t kChunk = 16;
constexpr int32_t kBos = 1;

void check_perplexity(const gguf::GgufWriter& writer, const char* what) {
    ScratchDir dir;
    const gguf::GgufModel file = gguf::GgufModel::open(dir.write(writer, "model.gguf"));
    const NaiveModel naive(file);
    // 2 whole chunks and a partial one the protocol ignores.
    const std::vector<int32_t> tokens = test_tokens(size_t(2 * kChunk + 5), naive.n_vocab(), 17);
    const NaivePerplexity want = naive_perplexity(naive, tokens, kChunk, kBos);

    auto rt = cpu_runtime(file, kChunk);
    runtime::PerplexityOptions options;
    options.n_ctx = kChunk;
    options.bos_token = kBos;
    int64_t progress_calls = 0;
    const runtime::PerplexityResult got =
        runtime::compute_perplexity(*rt, tokens, options, [&](int64_t, double) { ++progress_calls; });
    std::printf("[measured] %s perplexity: runtime %.8f, naive %.8f, relative diff %.3g\n", what, got.ppl(),
                want.ppl(), std::fabs(got.ppl() - want.ppl()) / want.ppl());
    EXPECT_EQ(got.n_chunks, 2);
    EXPECT_EQ(progress_calls, 2);
    EXPECT_EQ(got.count, want.count);
    EXPECT_EQ(got.count, 2 * (kChunk - 1 - kChunk / 2));
    EXPECT_NEAR(got.ppl(), want.ppl(), 1e-4 * want.ppl());
    EXPECT_NEAR(got.nll, want.nll, 1e-4 * want.nll);
    EXPECT_GT(got.ppl_error(), 0.0);

    // n_chunks limits the run to the first chunk.
    options.n_chunks = 1;
    EXPECT_EQ(runtime::compute_perplexity(*rt, tokens, options).count, kChunk - 1 - kChunk / 2);
}

TEST(Perplexity, LlamaMatchesNaiveProtocol) { check_perplexity(make_llama_model({}), "llama"); }

TEST(Perplexity, Deepseek2MatchesNaiveProtocol) { check_perplexity(make_deepseek2_model({}), "deepseek2"); }

TEST(Perplexity, TextShorterThanTwoChunksFails) {
    ScratchDir dir;
    const gguf::GgufModel file = gguf::GgufModel::open(dir.write(make_llama_model({}), "model.gguf"));
    auto rt = cpu_runtime(file, kChunk);
    runtime::PerplexityOptions options;
    options.n_ctx = kChunk;
    options.bos_token = kBos;
    const std::vector<int32_t> tokens = test_tokens(size_t(2 * kChunk - 1), 96, 1);
    try {
        runtime::compute_perplexity(*rt, tokens, options);
        ADD_FAILURE() << "no error for " << tokens.size() << " tokens at n_ctx " << kChunk;
    } catch (const sy::Error& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(2 * kChunk)), std::string::npos) << e.what();
    }
    // Exactly two chunks is enough.
    const std::vector<int32_t> enough = test_tokens(size_t(2 * kChunk), 96, 1);
    EXPECT_EQ(runtime::compute_perplexity(*rt, enough, options).n_chunks, 2);
}

}  // namespace
}  // namespace sy::test
