// `switchyard tokenize`: text -> token ids with a model's vocabulary, printed as ik_llama.cpp's
// llama-tokenize prints them. A plain function so tests run it in-process (also under qemu).
#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace sy::cli {

struct TokenizeOptions {
    std::string model_path;            // -m: GGUF model or vocabulary-only file
    std::string prompt;                // -p
    std::string prompt_file;           // -f
    bool prompt_set = false;           // -p was given (an empty prompt is a valid prompt)
    bool from_stdin = false;           // --stdin
    bool ids_only = false;             // --ids: "1 2 3" (one line, separated by spaces)
    bool ids_as_list = false;  // --ids-as-list: "[1, 2, 3]" like llama-tokenize --ids
    bool no_bos = false;               // --no-bos: no BOS/EOS even if the model adds them
    bool no_parse_special = false;     // --no-parse-special: "<|eos|>" in the text stays text
    bool show_count = false;           // --show-count: "Total number of tokens: N"
};

// Output, like llama-tokenize: one "%6d -> '<piece>'" line per token, or with --ids a single
// line "[id, id, ...]"; then the count line when asked. Returns 0; on any failure (missing or
// unreadable file, not a GGUF, no or unsupported tokenizer) writes one line
// "switchyard: error: <reason>" to `err` and returns 1.
int run_tokenize(const TokenizeOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace sy::cli
