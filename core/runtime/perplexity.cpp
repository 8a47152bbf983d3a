#include "runtime/perplexity.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "common/error.hpp"

namespace sy::runtime {

double PerplexityResult::ppl() const { return count > 0 ? std::exp(nll / double(count)) : 0.0; }

double PerplexityResult::ppl_error() const {
    if (count < 2) return 0.0;
    const double mean = nll / double(count);
    const double var = nll2 / double(count) - mean * mean;
    return var > 0.0 ? std::sqrt(var / double(count - 1)) * ppl() : 0.0;
}

double token_nll(std::span<const float> logits, int32_t token) {
    float max_logit = logits[0];
    for (float v : logits) max_logit = std::max(max_logit, v);
    double sum_exp = 0.0;
    for (float v : logits) sum_exp += double(std::exp(v - max_logit));
    return double(max_logit) + std::log(sum_exp) - double(logits[size_t(token)]);
}

PerplexityResult compute_perplexity(ModelRuntime& runtime, std::span<const int32_t> tokens,
                                    const PerplexityOptions& options,
                                    const std::function<void(int64_t, double)>& progress) {
    const int64_t n_ctx = options.n_ctx;
    if (n_ctx < 4) throw Error(fmt::format("perplexity: context size {} is too small (at least 4)", n_ctx));
    if (n_ctx > runtime.n_ctx()) {
        throw Error(fmt::format("perplexity: chunks of {} tokens exceed the runtime's context {}", n_ctx,
                                runtime.n_ctx()));
    }
    if (int64_t(tokens.size()) < 2 * n_ctx) {
        throw Error(fmt::format("perplexity: you need at least {} tokens for a context of {}; the text has {}",
                                2 * n_ctx, n_ctx, tokens.size()));
    }
    if (options.add_bos && options.bos_token < 0) {
        throw Error("perplexity: BOS is to be added but the vocabulary has no BOS token");
    }
    const int64_t max_chunks = int64_t(tokens.size()) / n_ctx;
    const int64_t n_chunks = options.n_chunks < 0 ? max_chunks : std::min(options.n_chunks, max_chunks);
    const int64_t first = n_ctx / 2;
    const size_t n_vocab = size_t(runtime.params().n_vocab);

    PerplexityResult result;
    result.n_chunks = n_chunks;
    std::vector<int32_t> chunk(static_cast<size_t>(n_ctx));
    for (int64_t c = 0; c < n_chunks; ++c) {
        std::copy_n(tokens.begin() + c * n_ctx, n_ctx, chunk.begin());
        if (options.add_bos) chunk[0] = options.bos_token;
        const std::vector<float> logits = runtime.decode(chunk, 0, /*all_logits=*/true);
        for (int64_t j = first; j < n_ctx - 1; ++j) {
            const std::span<const float> row(logits.data() + size_t(j) * n_vocab, n_vocab);
            const double v = token_nll(row, tokens[size_t(c * n_ctx + j + 1)]);
            result.nll += v;
            result.nll2 += v * v;
            ++result.count;
        }
        if (progress) progress(c + 1, result.ppl());
    }
    return result;
}

}  // namespace sy::runtime
