#include "chat_loop.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "generation.hpp"
#include "text/chat/chat_template.hpp"

namespace sy::cli {

std::string load_chat_template(const gguf::GgufModel& file, const std::string& template_file) {
    if (!template_file.empty()) {
        std::ifstream in(template_file, std::ios::binary);
        if (!in) throw Error(fmt::format("{}: cannot open the chat template", template_file));
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    const gguf::KeyValue* kv = file.find("tokenizer.chat_template");
    if (kv == nullptr) {
        throw Error(fmt::format("{} has no tokenizer.chat_template; pass --chat-template-file", file.path()));
    }
    return std::string(kv->as_string());
}

int run_chat_loop(const gguf::GgufModel& file, runtime::ModelRuntime& runtime, const text::Vocab& vocab,
                  sampling::Sampler& sampler, const ChatOptions& options, std::istream& in, std::ostream& out) {
    const chat::ChatTemplate tmpl(load_chat_template(file, options.template_file));
    chat::ChatExtras extras;
    if (vocab.bos() != text::kNoToken) extras.bos_token = vocab.token_text(vocab.bos());
    if (vocab.eos() != text::kNoToken) extras.eos_token = vocab.token_text(vocab.eos());

    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    if (!options.system_prompt.empty()) {
        messages.push_back({{"role", "system"}, {"content", options.system_prompt}});
    }
    Generator generator(runtime, vocab, sampler, options.n_batch);
    std::string rendered;  // what the cache already holds, as template text
    std::string line;
    while (true) {
        out << "\n> " << std::flush;
        if (!std::getline(in, line) || line == "/exit") break;
        if (line.empty()) continue;
        messages.push_back({{"role", "user"}, {"content", line}});
        const std::string prompt = tmpl.apply(messages, /*add_generation_prompt=*/true, extras);
        // Templates render earlier turns the same way, so the new text is normally a suffix of
        // what the cache holds; a template that rewrites history (some drop earlier reasoning)
        // makes the whole conversation be evaluated again.
        const bool is_suffix = prompt.compare(0, rendered.size(), rendered) == 0;
        if (!is_suffix) {
            generator.restart();
            rendered.clear();
        }
        const std::string delta = prompt.substr(rendered.size());
        std::vector<int32_t> tokens = vocab.tokenize(delta, /*add_special=*/false, /*parse_special=*/true);
        // BOS before the first turn, unless the template wrote it already.
        if (rendered.empty() && vocab.add_bos() && vocab.bos() != text::kNoToken &&
            (tokens.empty() || tokens.front() != vocab.bos())) {
            tokens.insert(tokens.begin(), vocab.bos());
        }
        generator.feed(tokens);
        std::string reply;
        generator.generate(options.n_predict, [&](const std::string& piece) {
            reply += piece;
            out << piece << std::flush;
            return true;
        });
        messages.push_back({{"role", "assistant"}, {"content", reply}});
        rendered = prompt + reply;  // the text the cache now holds
    }
    out << std::endl;
    print_timings(generator.timings());
    return 0;
}

}  // namespace sy::cli
