#include "kl_divergence.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <span>
#include <thread>

#include <fmt/format.h>

#include "common/error.hpp"
#include "runtime/kl_divergence_stats.hpp"

namespace sy::cli {
namespace {

namespace kld = runtime::kld;
using Clock = std::chrono::steady_clock;

// Runs work(i) for i in [0, n) on up to n_threads threads, each taking a contiguous block.
// The callers write per-index results only, so the outcome does not depend on n_threads.
void parallel_for(int64_t n, int n_threads, const std::function<void(int64_t)>& work) {
    const int64_t n_workers = std::clamp<int64_t>(n_threads, 1, std::max<int64_t>(n, 1));
    if (n_workers == 1) {
        for (int64_t i = 0; i < n; ++i) work(i);
        return;
    }
    std::vector<std::thread> workers;
    workers.reserve(size_t(n_workers - 1));
    const int64_t per = (n + n_workers - 1) / n_workers;
    auto run_block = [&](int64_t w) {
        for (int64_t i = w * per; i < std::min(n, (w + 1) * per); ++i) work(i);
    };
    for (int64_t w = 1; w < n_workers; ++w) workers.emplace_back(run_block, w);
    run_block(0);
    for (auto& t : workers) t.join();
}

// The chunk as evaluated: its tokens with the first replaced by BOS when the vocabulary adds one.
std::vector<int32_t> chunk_input(const std::vector<int32_t>& tokens, int64_t chunk, int64_t n_ctx,
                                 const runtime::PerplexityOptions& options) {
    const auto begin = tokens.begin() + std::ptrdiff_t(chunk * n_ctx);
    std::vector<int32_t> input(begin, begin + std::ptrdiff_t(n_ctx));
    if (options.add_bos) input[0] = options.bos_token;
    return input;
}

// "<who>: 1.23 seconds per pass - ETA [H hours ]M.MM minutes" on stderr, after the first chunk.
void print_eta(const char* who, double seconds_per_pass, int64_t n_chunks) {
    std::fprintf(stderr, "%s: %.2f seconds per pass - ETA ", who, seconds_per_pass);
    int64_t total_seconds = int64_t(seconds_per_pass * double(n_chunks));
    if (total_seconds >= 3600) {
        std::fprintf(stderr, "%lld hours ", static_cast<long long>(total_seconds / 3600));
        total_seconds %= 3600;
    }
    std::fprintf(stderr, "%.2f minutes\n", double(total_seconds) / 60.0);
}

int n_worker_threads(const runtime::ModelRuntime& rt) { return std::max(1, rt.options().n_threads); }

// Perplexity run that also stores every scored position's log-probabilities in `path`.
int write_base(runtime::ModelRuntime& rt, const std::vector<int32_t>& tokens,
               const runtime::PerplexityOptions& options, const std::string& path) {
    const int64_t n_ctx = options.n_ctx;
    const int64_t n_vocab = rt.params().n_vocab;
    if (n_ctx < 4 || n_ctx > rt.n_ctx()) {
        throw Error(fmt::format("perplexity: chunks of {} tokens do not fit: at least 4 and at most the runtime's "
                                "context {}",
                                n_ctx, rt.n_ctx()));
    }
    if (int64_t(tokens.size()) < 2 * n_ctx) {
        throw Error(fmt::format("perplexity: you need at least {} tokens for a context of {}; the text has {}",
                                2 * n_ctx, n_ctx, tokens.size()));
    }
    if (n_vocab < 1 || n_vocab > INT32_MAX) throw Error(fmt::format("perplexity: unusable n_vocab {}", n_vocab));
    const int64_t max_chunks = int64_t(tokens.size()) / n_ctx;
    const int64_t n_chunks = options.n_chunks < 0 ? max_chunks : std::min(options.n_chunks, max_chunks);
    if (n_chunks < 1) throw Error("perplexity: --chunks must allow at least one chunk");

    std::fprintf(stderr, "perplexity: saving all logits to %s\n", path.c_str());
    kld::BaseFileWriter writer(path, {int32_t(n_ctx), int32_t(n_vocab), int32_t(n_chunks)}, tokens);

    const int64_t first = n_ctx / 2;
    const int64_t n_scored = kld::scored_per_chunk(n_ctx);
    const size_t words = size_t(kld::row_words(n_vocab));
    std::vector<uint16_t> rows(size_t(n_scored) * words);
    std::vector<double> row_nll(static_cast<size_t>(n_scored));
    double nll = 0.0, nll2 = 0.0;
    int64_t count = 0;
    for (int64_t c = 0; c < n_chunks; ++c) {
        const auto t0 = Clock::now();
        const std::vector<float> logits = rt.decode(chunk_input(tokens, c, n_ctx, options), 0, /*all_logits=*/true);
        if (c == 0) print_eta("perplexity", std::chrono::duration<double>(Clock::now() - t0).count(), n_chunks);
        parallel_for(n_scored, n_worker_threads(rt), [&](int64_t r) {
            const int64_t j = first + r;
            const std::span<const float> row_logits(logits.data() + size_t(j) * size_t(n_vocab), size_t(n_vocab));
            const std::span<uint16_t> row(rows.data() + size_t(r) * words, words);
            row_nll[size_t(r)] = kld::compress_log_probs(row_logits, tokens[size_t(c * n_ctx + j + 1)], row);
        });
        for (double v : row_nll) {  // in position order, as a sequential pass would add them
            nll += v;
            nll2 += v * v;
        }
        count += n_scored;
        writer.append_chunk(rows);
        std::printf("[%lld]%.4f,", static_cast<long long>(c + 1), std::exp(nll / double(count)));
        std::fflush(stdout);
    }
    writer.finish();
    std::printf("\n");

    const double mean = nll / double(count);
    const double var = nll2 / double(count) - mean * mean;
    if (var > 0.0) {
        const double ppl = std::exp(mean);
        std::printf("Final estimate: PPL over %lld chunks for n_ctx=%lld = %.4f +/- %.5f\n",
                    static_cast<long long>(n_chunks), static_cast<long long>(n_ctx), ppl,
                    std::sqrt(var / double(count - 1)) * ppl);
    } else {
        std::printf("Unexpected negative standard deviation of log(prob)\n");
    }
    return 0;
}

void print_chunk_row(int64_t chunk, const kld::ChunkFigures& f) {
    std::printf("%4lld", static_cast<long long>(chunk));
    std::printf("    %9.4f ± %9.4f", f.ppl.value, f.ppl.error);
    std::printf("    %10.5f ± %10.5f", f.ln_ppl_ratio.value, f.ln_ppl_ratio.error);
    std::printf("    %10.5f ± %10.5f", f.kld.value, f.kld.error);
    std::printf("    %6.3f ± %6.3f %%", 100.0 * f.rms_p_diff.value, 100.0 * f.rms_p_diff.error);
    std::printf("    %6.3f ± %6.3f %%", 100.0 * f.same_top.value, 100.0 * f.same_top.error);
    std::printf("\n");
}

void print_summary(const kld::KldSummary& s) {
    std::printf("====== Perplexity statistics ======\n");
    std::printf("Mean PPL(Q)                   : %10.6f ± %10.6f\n", s.ppl.value, s.ppl.error);
    std::printf("Mean PPL(base)                : %10.6f ± %10.6f\n", s.ppl_base.value, s.ppl_base.error);
    std::printf("Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%\n", 100.0 * s.ln_ppl_correlation);
    std::printf("Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f\n", s.ln_ppl_ratio.value, s.ln_ppl_ratio.error);
    std::printf("Mean PPL(Q)/PPL(base)         : %10.6f ± %10.6f\n", s.ppl_ratio.value, s.ppl_ratio.error);
    std::printf("Mean PPL(Q)-PPL(base)         : %10.6f ± %10.6f\n", s.ppl_difference.value, s.ppl_difference.error);
    std::printf("\n");

    std::printf("====== KL divergence statistics ======\n");
    std::printf("Mean    KLD: %10.6f ± %10.6f\n", s.kld.value, s.kld.error);
    const std::pair<const char*, float> kld_rows[] = {
        {"Maximum", s.kld_max}, {"99.9%  ", s.kld_999}, {"99.0%  ", s.kld_990}, {"95.0%  ", s.kld_950},
        {"90.0%  ", s.kld_900}, {"Median ", s.kld_median}, {"10.0%  ", s.kld_100}, {" 5.0%  ", s.kld_050},
        {" 1.0%  ", s.kld_010}, {" 0.1%  ", s.kld_001}, {"Minimum", s.kld_min}};
    for (const auto& [label, value] : kld_rows) std::printf("%s KLD: %10.6f\n", label, double(value));
    std::printf("\n");

    std::printf("====== Token probability statistics ======\n");
    std::printf("Mean    Δp: %6.3f ± %5.3f %%\n", 100.0 * s.p_diff.value, 100.0 * s.p_diff.error);
    const std::pair<const char*, float> p_rows[] = {
        {"Maximum", s.p_diff_max}, {"99.9%  ", s.p_diff_999}, {"99.0%  ", s.p_diff_990},
        {"95.0%  ", s.p_diff_950}, {"90.0%  ", s.p_diff_900}, {"75.0%  ", s.p_diff_750},
        {"Median ", s.p_diff_median}, {"25.0%  ", s.p_diff_250}, {"10.0%  ", s.p_diff_100},
        {" 5.0%  ", s.p_diff_050}, {" 1.0%  ", s.p_diff_010}, {" 0.1%  ", s.p_diff_001},
        {"Minimum", s.p_diff_min}};
    for (const auto& [label, value] : p_rows) std::printf("%s Δp: %6.3f%%\n", label, 100.0 * double(value));
    std::printf("RMS Δp    : %6.3f ± %5.3f %%\n", 100.0 * s.rms_p_diff.value, 100.0 * s.rms_p_diff.error);
    std::printf("Same top p: %6.3f ± %5.3f %%\n", 100.0 * s.same_top.value, 100.0 * s.same_top.error);
}

// Evaluates the base file's chunks with this model and prints the comparison.
int compare_with_base(runtime::ModelRuntime& rt, const std::vector<int32_t>& tokens,
                      const runtime::PerplexityOptions& options, const std::string& path) {
    const int64_t n_vocab = rt.params().n_vocab;
    kld::BaseFileReader reader(path, n_vocab, tokens);
    const kld::BaseFileHeader& header = reader.header();
    // The chunks must be those of the base run, so its n_ctx wins over -c.
    const int64_t n_ctx = header.n_ctx;
    if (n_ctx > rt.n_ctx()) {
        throw Error(fmt::format("{}: computed with n_ctx={} but the runtime's context is {}; rerun with -c {}", path,
                                n_ctx, rt.n_ctx(), n_ctx));
    }
    if (n_ctx != options.n_ctx) {
        std::fprintf(stderr, "kl_divergence: using the base file's n_ctx=%lld instead of %lld\n",
                     static_cast<long long>(n_ctx), static_cast<long long>(options.n_ctx));
    }
    const int64_t n_chunks =
        options.n_chunks < 0 ? int64_t(header.n_chunk) : std::min<int64_t>(options.n_chunks, header.n_chunk);
    if (n_chunks < 1) throw Error("kl_divergence: --chunks must allow at least one chunk");

    const int64_t first = n_ctx / 2;
    const int64_t n_scored = kld::scored_per_chunk(n_ctx);
    const size_t words = size_t(kld::row_words(n_vocab));
    std::vector<uint16_t> base_rows;
    std::vector<kld::KldSums> row_sums(static_cast<size_t>(n_scored));
    std::vector<float> kld_values, p_diff_values;
    kld_values.reserve(size_t(n_chunks * n_scored));
    p_diff_values.reserve(size_t(n_chunks * n_scored));
    kld::KldSums sums;
    for (int64_t c = 0; c < n_chunks; ++c) {
        reader.read_next_chunk(base_rows);
        const auto t0 = Clock::now();
        const std::vector<float> logits = rt.decode(chunk_input(tokens, c, n_ctx, options), 0, /*all_logits=*/true);
        if (c == 0) {
            print_eta("kl_divergence", std::chrono::duration<double>(Clock::now() - t0).count(), n_chunks);
            std::printf("\nchunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence         "
                        "     Δp RMS            Same top p\n");
        }
        std::vector<kld::TokenComparison> compared(static_cast<size_t>(n_scored));
        parallel_for(n_scored, n_worker_threads(rt), [&](int64_t r) {
            const int64_t j = first + r;
            const std::span<const float> row_logits(logits.data() + size_t(j) * size_t(n_vocab), size_t(n_vocab));
            const std::span<const uint16_t> base_row(base_rows.data() + size_t(r) * words, words);
            row_sums[size_t(r)] = kld::KldSums{};
            compared[size_t(r)] = kld::compare_with_base(row_logits, base_row, tokens[size_t(c * n_ctx + j + 1)],
                                                         row_sums[size_t(r)]);
        });
        for (int64_t r = 0; r < n_scored; ++r) {  // position order: the same sums as a sequential pass
            kld::merge_sums(sums, row_sums[size_t(r)]);
            kld_values.push_back(float(compared[size_t(r)].kld));
            p_diff_values.push_back(compared[size_t(r)].p_diff);
        }
        print_chunk_row(c + 1, kld::chunk_figures(sums));
        std::fflush(stdout);
    }
    std::printf("\n");

    if (sums.count < 100) return 0;  // too few values for the statistics block, as in the reference
    std::sort(kld_values.begin(), kld_values.end());
    std::sort(p_diff_values.begin(), p_diff_values.end());
    print_summary(kld::summarize(sums, kld_values, p_diff_values));
    return 0;
}

}  // namespace

int run_kl_divergence(runtime::ModelRuntime& rt, const std::vector<int32_t>& tokens,
                      const runtime::PerplexityOptions& options, const std::string& path, bool compare) {
    return compare ? compare_with_base(rt, tokens, options, path) : write_base(rt, tokens, options, path);
}

}  // namespace sy::cli
