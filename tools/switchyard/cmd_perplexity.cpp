// `switchyard perplexity -m MODEL -f TEXT [-c N] [-b N] [--chunks K] [model flags]`
//
// llama-perplexity's method and output (ik_llama.cpp examples/perplexity): the text (its
// final newline dropped) is tokenized with BOS, cut into chunks of n_ctx tokens, each chunk
// evaluated from an empty cache with BOS in front, the second half scored. stdout gets the
// running "[i]ppl," entries and "Final estimate: PPL over N chunks for n_ctx=C = X +/- Y";
// progress and timing go to stderr, so figures can be compared line for line.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "common/error.hpp"
#include "kl_divergence.hpp"
#include "model_session.hpp"
#include "runtime/perplexity.hpp"
#include "text/tokenizer.hpp"

namespace sy::cli {
namespace {

struct PerplexityFlags {
    ModelFlags model;
    std::string text_file;
    int64_t n_chunks = -1;
    std::string kld_base;  // --kl-divergence-base FILE
    bool kld = false;      // --kl-divergence
};

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: cannot open the text file", path));
    std::ostringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    if (!s.empty() && s.back() == '\n') s.pop_back();  // as llama.cpp's -f
    return s;
}

int run_perplexity(const PerplexityFlags& flags) {
    if (flags.kld && flags.kld_base.empty()) {
        throw Error("--kl-divergence needs --kl-divergence-base FILE (the base run's log-probabilities)");
    }
    ModelFlags model_flags = flags.model;
    if (model_flags.n_ctx <= 0) model_flags.n_ctx = 0;  // chosen below from the model
    ModelSession session = open_model_session(model_flags, std::cout);
    if (!session.runtime) return 0;  // --dry-run
    runtime::ModelRuntime& rt = *session.runtime;
    const int64_t n_ctx = flags.model.n_ctx > 0 ? flags.model.n_ctx : rt.n_ctx();

    const text::Vocab vocab = text::Vocab::from_gguf(*session.file);
    std::fprintf(stderr, "perplexity: tokenizing the input ..\n");
    const auto t0 = std::chrono::steady_clock::now();
    const std::string text = read_text_file(flags.text_file);
    std::vector<int32_t> tokens = vocab.tokenize(text, /*add_special=*/true, /*parse_special=*/false);
    const auto t1 = std::chrono::steady_clock::now();
    std::fprintf(stderr, "perplexity: tokenization took %g ms\n",
                 std::chrono::duration<double, std::milli>(t1 - t0).count());

    runtime::PerplexityOptions options;
    options.n_ctx = n_ctx;
    options.n_chunks = flags.n_chunks;
    options.add_bos = vocab.add_bos() && vocab.bos() != text::kNoToken;
    options.bos_token = vocab.bos();
    // Comparing with a base run: its file fixes n_ctx and the chunks.
    if (flags.kld) return run_kl_divergence(rt, tokens, options, flags.kld_base, /*compare=*/true);
    if (int64_t(tokens.size()) < 2 * n_ctx) {
        throw Error(fmt::format("you need at least {} tokens to evaluate perplexity with a context of {}; {} "
                                "tokenizes to only {}",
                                2 * n_ctx, n_ctx, flags.text_file, tokens.size()));
    }
    const int64_t max_chunks = int64_t(tokens.size()) / n_ctx;
    const int64_t n_chunks = flags.n_chunks < 0 ? max_chunks : std::min(flags.n_chunks, max_chunks);
    std::fprintf(stderr, "perplexity: calculating perplexity over %lld chunks, n_ctx=%lld, batch_size=%lld, n_seq=1\n",
                 static_cast<long long>(n_chunks), static_cast<long long>(n_ctx),
                 static_cast<long long>(std::min(flags.model.n_batch, n_ctx)));

    if (!flags.kld_base.empty()) {
        return run_kl_divergence(rt, tokens, options, flags.kld_base, /*compare=*/false);
    }

    auto pass_start = std::chrono::steady_clock::now();
    const runtime::PerplexityResult result =
        runtime::compute_perplexity(rt, tokens, options, [&](int64_t chunk, double ppl) {
            if (chunk == 1) {
                const double seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - pass_start).count();
                std::fprintf(stderr, "perplexity: %.2f seconds per pass - ETA %.2f minutes\n", seconds,
                             seconds * double(n_chunks) / 60.0);
            }
            std::printf("[%lld]%.4f,", static_cast<long long>(chunk), ppl);
            std::fflush(stdout);
        });
    std::printf("\n");
    std::printf("Final estimate: PPL over %lld chunks for n_ctx=%lld = %.4f +/- %.5f\n",
                static_cast<long long>(result.n_chunks), static_cast<long long>(n_ctx), result.ppl(),
                result.ppl_error());
    return 0;
}

}  // namespace

void register_perplexity(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<PerplexityFlags>();
    auto* cmd = app.add_subcommand("perplexity", "perplexity of a model on a text, as llama-perplexity measures it");
    add_model_flags(*cmd, flags->model);
    cmd->add_option("-f,--file", flags->text_file, "the text file")->required();
    cmd->add_option("--chunks", flags->n_chunks, "evaluate at most this many chunks");
    cmd->add_option("--kl-divergence-base", flags->kld_base,
                    "without --kl-divergence: write the log-probabilities of this run to FILE; with it: read them");
    cmd->add_flag("--kl-divergence", flags->kld, "compare with the base run's log-probabilities (KLD, top-1 agreement)");
    cmd->callback([&exit_code, flags] {
        try {
            exit_code = run_perplexity(*flags);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "switchyard perplexity: error: %s\n", e.what());
            exit_code = 1;
        }
    });
}

}  // namespace sy::cli
