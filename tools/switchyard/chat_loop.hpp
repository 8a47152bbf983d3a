// `switchyard run -cnv`: a chat on a stream. Each user line becomes a message; the whole
// conversation is rendered with the chat template and only the text the previous rendering
// did not already cover is tokenized and evaluated (the KV cache keeps the rest), as
// llama-cli's conversation mode does. The reply streams until an end-of-generation token.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "gguf/gguf_model.hpp"
#include "runtime/model_runtime.hpp"
#include "text/sampling/sampler.hpp"
#include "text/tokenizer.hpp"

namespace sy::cli {

struct ChatOptions {
    std::string template_file;   // --chat-template-file; empty: tokenizer.chat_template
    std::string system_prompt;   // -sys
    int64_t n_predict = -1;      // per reply
    int64_t n_batch = 2048;
};

// Reads turns from `in` until end of input ("/exit" also ends); writes replies to `out`.
int run_chat_loop(const gguf::GgufModel& file, runtime::ModelRuntime& runtime, const text::Vocab& vocab,
                  sampling::Sampler& sampler, const ChatOptions& options, std::istream& in, std::ostream& out);

// The template source: the file when given, else the model's tokenizer.chat_template.
std::string load_chat_template(const gguf::GgufModel& file, const std::string& template_file);

}  // namespace sy::cli
