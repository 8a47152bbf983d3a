// switchyard tokenize -m MODEL (-p TEXT | -f FILE | --stdin) [--ids | --ids-as-list] [--no-bos]
//                     [--no-parse-special] [--show-count]
//
// Mirrors ik_llama.cpp's llama-tokenize: BOS/EOS are added when the model asks for them unless
// --no-bos; control tokens written in the text are parsed unless --no-parse-special; each piece
// is printed with special tokens shown (llama-tokenize's common_token_to_piece), and like its
// printf("%s") a piece stops at a NUL byte. --ids prints the ids on one line separated by
// spaces (easy to read back); --ids-as-list prints llama-tokenize's own --ids form, [1, 2, 3].
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "common/error.hpp"
#include "gguf/gguf_model.hpp"
#include "text/tokenizer.hpp"
#include "tokenize_cli.hpp"

namespace sy::cli {

namespace {

std::string read_prompt_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error("cannot open prompt file '" + path + "': " + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad()) throw Error("cannot read prompt file '" + path + "'");
    return text;
}

std::string one_line(std::string text) {
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return text;
}

}  // namespace

int run_tokenize(const TokenizeOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
    try {
        const int sources = int(options.prompt_set) + int(!options.prompt_file.empty()) + int(options.from_stdin);
        if (sources != 1) throw Error("give exactly one of -p TEXT, -f FILE or --stdin");

        // The model first, so a bad model fails before stdin is read (as llama-tokenize).
        const gguf::GgufModel model = gguf::GgufModel::open(options.model_path);
        const text::Vocab vocab = text::Vocab::from_gguf(model);

        std::string prompt;
        if (options.prompt_set) {
            prompt = options.prompt;
        } else if (!options.prompt_file.empty()) {
            prompt = read_prompt_file(options.prompt_file);
        } else {
            std::ostringstream buffer;
            buffer << in.rdbuf();
            prompt = buffer.str();
        }

        const bool add_special = vocab.add_bos() && !options.no_bos;
        const std::vector<int32_t> tokens = vocab.tokenize(prompt, add_special, !options.no_parse_special);

        std::string text;
        if (options.ids_as_list) {  // llama-tokenize --ids: a Python list
            text += "[";
            for (size_t i = 0; i < tokens.size(); ++i) text += fmt::format("{}{}", i ? ", " : "", tokens[i]);
            text += "]\n";
        } else if (options.ids_only) {  // one line, ids separated by spaces
            for (size_t i = 0; i < tokens.size(); ++i) text += fmt::format("{}{}", i ? " " : "", tokens[i]);
            text += "\n";
        } else {
            for (const int32_t id : tokens) {
                const std::string& piece = vocab.token_to_piece(id, /*special=*/true);
                text += fmt::format("{:6} -> '{}'\n", id, std::string_view(piece.c_str()));
            }
        }
        if (options.show_count) text += fmt::format("Total number of tokens: {}\n", tokens.size());
        out << text;
        out.flush();
        return 0;
    } catch (const std::exception& e) {
        err << "switchyard: error: " << one_line(e.what()) << "\n";
        return 1;
    }
}

void register_tokenize(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<TokenizeOptions>();
    CLI::App* cmd = app.add_subcommand("tokenize", "tokenize text with a model's vocabulary (as llama-tokenize)");
    cmd->add_option("-m,--model", options->model_path, "GGUF model or vocabulary file")->required();
    CLI::Option* prompt = cmd->add_option("-p,--prompt", options->prompt, "the text to tokenize");
    CLI::Option* file = cmd->add_option("-f,--file", options->prompt_file, "read the text from a file");
    CLI::Option* from_stdin = cmd->add_flag("--stdin", options->from_stdin, "read the text from standard input");
    prompt->excludes(file)->excludes(from_stdin);
    file->excludes(from_stdin);
    cmd->add_flag("--ids", options->ids_only, "print only the ids, on one line separated by spaces");
    cmd->add_flag("--ids-as-list", options->ids_as_list,
                  "print only the ids as llama-tokenize --ids does: [1, 2, 3]");
    cmd->add_flag("--no-bos", options->no_bos, "never add BOS (or EOS), even if the model does");
    cmd->add_flag("--no-parse-special", options->no_parse_special, "keep control-token texts as plain text");
    cmd->add_flag("--show-count", options->show_count, "print the number of tokens");
    cmd->add_flag_callback("--log-disable", [] {}, "accepted for llama-tokenize compatibility (logs nothing here)");
    cmd->callback([options, prompt, &exit_code] {
        options->prompt_set = prompt->count() > 0;
        exit_code = run_tokenize(*options, std::cin, std::cout, std::cerr);
    });
}

}  // namespace sy::cli
