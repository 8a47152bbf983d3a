#include "generation.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/error.hpp"

namespace sy::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Generator::Generator(runtime::ModelRuntime& runtime, const text::Vocab& vocab, sampling::Sampler& sampler,
                     int64_t n_batch)
    : runtime_(runtime), vocab_(vocab), sampler_(sampler), n_batch_(std::max<int64_t>(1, n_batch)) {}

void Generator::feed(std::span<const int32_t> tokens) {
    if (tokens.empty()) return;
    if (n_past_ + int64_t(tokens.size()) > runtime_.n_ctx()) {
        throw Error("the prompt (" + std::to_string(tokens.size()) + " tokens after " + std::to_string(n_past_) +
                    ") does not fit the context size " + std::to_string(runtime_.n_ctx()) + " (-c)");
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t start = 0; start < tokens.size(); start += size_t(n_batch_)) {
        const auto part = tokens.subspan(start, std::min(tokens.size() - start, size_t(n_batch_)));
        last_logits_ = runtime_.decode(part, n_past_, /*all_logits=*/false);
        n_past_ += int64_t(part.size());
    }
    for (int32_t t : tokens) sampler_.accept(t);
    timings_.prompt_tokens += int64_t(tokens.size());
    timings_.prompt_seconds += seconds_since(t0);
}

std::vector<int32_t> Generator::generate(int64_t n_predict, const std::function<bool(const std::string&)>& emit) {
    std::vector<int32_t> out;
    if (last_logits_.empty()) throw Error("nothing to continue from: the prompt is empty");
    const auto t0 = std::chrono::steady_clock::now();
    while (n_predict < 0 || int64_t(out.size()) < n_predict) {
        const int32_t token = sampler_.sample(last_logits_);
        sampler_.accept(token);
        if (vocab_.is_eog(token)) break;
        out.push_back(token);
        if (!emit(vocab_.token_to_piece(token, /*special=*/false))) break;
        if (n_past_ >= runtime_.n_ctx()) break;  // the context is full
        const int32_t one[1] = {token};
        last_logits_ = runtime_.decode(one, n_past_, false);
        ++n_past_;
    }
    timings_.generated_tokens += int64_t(out.size());
    timings_.generate_seconds += seconds_since(t0);
    return out;
}

void print_timings(const GenerationTimings& t) {
    auto rate = [](int64_t n, double s) { return s > 0 ? double(n) / s : 0.0; };
    std::fprintf(stderr, "prompt eval: %lld tokens in %.3f s, %.2f tokens/s\n", static_cast<long long>(t.prompt_tokens),
                 t.prompt_seconds, rate(t.prompt_tokens, t.prompt_seconds));
    std::fprintf(stderr, "generation:  %lld tokens in %.3f s, %.2f tokens/s\n",
                 static_cast<long long>(t.generated_tokens), t.generate_seconds,
                 rate(t.generated_tokens, t.generate_seconds));
}

}  // namespace sy::cli
