// `switchyard run -m MODEL [-p PROMPT | -f FILE] [-n N] [sampling flags] [model flags]`
// `switchyard run -m MODEL -cnv [--chat-template-file F] [-sys TEXT]`: chat on stdin/stdout
//
// llama-cli's flags and behaviour: the prompt (tokenized with BOS and special tokens parsed)
// is echoed and evaluated in batches, then tokens are sampled one at a time and streamed
// until -n tokens, an end-of-generation token or a full context. Timings go to stderr:
// load time, prompt processing and generation in tokens per second.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "chat_loop.hpp"
#include "commands.hpp"
#include "common/error.hpp"
#include "generation.hpp"
#include "model_session.hpp"
#include "text/sampling/sampler.hpp"
#include "text/tokenizer.hpp"

namespace sy::cli {
namespace {

struct RunFlags {
    ModelFlags model;
    std::string prompt;
    std::string prompt_file;
    int64_t n_predict = -1;
    sampling::SamplingParams sampling;
    bool no_display_prompt = false;
    bool conversation = false;
    std::string chat_template_file;
    std::string system_prompt;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: cannot open the file", path));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int run_generate(const RunFlags& flags) {
    if (!flags.prompt.empty() && !flags.prompt_file.empty()) throw Error("give either -p or -f, not both");
    ModelSession session = open_model_session(flags.model, std::cout);
    if (!session.runtime) return 0;  // --dry-run
    std::fprintf(stderr, "load time: %.2f s\n", session.load_seconds);
    const text::Vocab vocab = text::Vocab::from_gguf(*session.file);
    sampling::Sampler sampler(flags.sampling, int32_t(session.runtime->params().n_vocab));
    std::fprintf(stderr, "sampling: seed %u, temp %.2f, top_k %d, top_p %.2f, min_p %.2f, repeat_penalty %.2f\n",
                 sampler.seed(), double(flags.sampling.temperature), flags.sampling.top_k,
                 double(flags.sampling.top_p), double(flags.sampling.min_p), double(flags.sampling.repeat_penalty));
    if (flags.conversation) {
        ChatOptions chat;
        chat.template_file = flags.chat_template_file;
        chat.system_prompt = flags.system_prompt;
        chat.n_predict = flags.n_predict;
        chat.n_batch = flags.model.n_batch;
        return run_chat_loop(*session.file, *session.runtime, vocab, sampler, chat, std::cin, std::cout);
    }

    const std::string prompt = flags.prompt_file.empty() ? flags.prompt : read_file(flags.prompt_file);
    Generator generator(*session.runtime, vocab, sampler, flags.model.n_batch);
    const std::vector<int32_t> tokens = vocab.tokenize(prompt, /*add_special=*/true, /*parse_special=*/true);
    if (!flags.no_display_prompt) {
        for (int32_t t : tokens) std::cout << vocab.token_to_piece(t, /*special=*/false);
        std::cout << std::flush;
    }
    generator.feed(tokens);
    generator.generate(flags.n_predict, [](const std::string& piece) {
        std::cout << piece << std::flush;
        return true;
    });
    std::cout << std::endl;
    print_timings(generator.timings());
    return 0;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<RunFlags>();
    auto* cmd = app.add_subcommand("run", "generate text from a prompt, or chat (-cnv)");
    add_model_flags(*cmd, flags->model);
    sampling::SamplingParams& s = flags->sampling;
    cmd->add_option("-p,--prompt", flags->prompt, "prompt text");
    cmd->add_option("-f,--file", flags->prompt_file, "read the prompt from a file");
    cmd->add_option("-n,--n-predict", flags->n_predict, "tokens to generate (-1: until end of generation or a full context)");
    cmd->add_option("--temp", s.temperature, "temperature (0: greedy)");
    cmd->add_option("--top-k", s.top_k, "top-k sampling (0: off)");
    cmd->add_option("--top-p", s.top_p, "top-p sampling (1: off)");
    cmd->add_option("--min-p", s.min_p, "min-p sampling (0: off)");
    cmd->add_option("--repeat-penalty", s.repeat_penalty, "penalty for repeated tokens (1: off)");
    cmd->add_option("--repeat-last-n", s.repeat_last_n, "tokens the penalties look back (0: off, -1: all)");
    cmd->add_option("--presence-penalty", s.presence_penalty, "presence penalty (0: off)");
    cmd->add_option("--frequency-penalty", s.frequency_penalty, "frequency penalty (0: off)");
    cmd->add_option("-s,--seed", s.seed, "random seed (default: random)");
    cmd->add_flag("--no-display-prompt", flags->no_display_prompt, "do not echo the prompt");
    cmd->add_flag("--conversation", flags->conversation, "chat mode: apply the chat template, read turns from stdin");
    cmd->add_option("--chat-template-file", flags->chat_template_file, "Jinja chat template (overrides the model's)");
    cmd->add_option("--system-prompt", flags->system_prompt, "system message for chat mode");
    cmd->callback([&exit_code, flags] {
        try {
            exit_code = run_generate(*flags);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "switchyard run: error: %s\n", e.what());
            exit_code = 1;
        }
    });
}

}  // namespace sy::cli
