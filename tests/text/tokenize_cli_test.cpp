// `switchyard tokenize` in-process (run_tokenize; also under qemu). The expected output is
// ik_llama.cpp's llama-tokenize output for the same model and text, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gguf/gguf_writer.hpp"
#include "text_test_support.hpp"
#include "tokenize_cli.hpp"

namespace sy::cli {
namespace {

using text::testing::data_path;

struct Result {
    int rc = 0;
    std::string out, err;
};

Result run(TokenizeOptions o, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    Result r;
    r.rc = run_tokenize(o, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

TokenizeOptions stories(const std::string& prompt) {
    TokenizeOptions o;
    o.model_path = data_path("stories260K.gguf");
    o.prompt = prompt;
    o.prompt_set = true;
    return o;
}

TEST(TokenizeCli, PrintsPiecesLikeLlamaTokenize) {
    // llama-tokenize -m stories260K.gguf -p "Hello world"
    const Result r = run(stories("Hello world"));
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out,
              "     1 -> '<s>'\n"
              "   346 -> ' He'\n"
              "   306 -> 'll'\n"
              "   414 -> 'o'\n"
              "   263 -> ' w'\n"
              "   304 -> 'or'\n"
              "   341 -> 'ld'\n");
    EXPECT_EQ(r.err, "");
}

TEST(TokenizeCli, IdsAndCount) {
    // llama-tokenize ... --ids --show-count
    TokenizeOptions o = stories("Hello world");
    o.ids_only = true;
    o.show_count = true;
    EXPECT_EQ(run(o).out, "1 346 306 414 263 304 341\nTotal number of tokens: 7\n");
    o.ids_as_list = true;  // llama-tokenize's own --ids format
    EXPECT_EQ(run(o).out, "[1, 346, 306, 414, 263, 304, 341]\nTotal number of tokens: 7\n");
    o.ids_as_list = false;
    o.no_bos = true;
    EXPECT_EQ(run(o).out, "346 306 414 263 304 341\nTotal number of tokens: 6\n");
}

TEST(TokenizeCli, SpecialTokenParsing) {
    // llama-tokenize -p "<s>Once upon a time</s>" --ids [--no-parse-special]
    TokenizeOptions o = stories("<s>Once upon a time</s>");
    o.ids_only = true;
    EXPECT_EQ(run(o).out, "1 1 403 407 261 378 2\n");
    o.no_parse_special = true;
    EXPECT_EQ(run(o).out, "1 410 504 419 505 441 416 331 407 261 378 504 492 419 505\n");
}

TEST(TokenizeCli, PromptFromFileAndStdin) {
    const std::filesystem::path file = std::filesystem::temp_directory_path() / "sy_tokenize_cli_prompt.txt";
    std::ofstream(file, std::ios::binary) << "Hello world";
    TokenizeOptions o;
    o.model_path = data_path("stories260K.gguf");
    o.ids_only = true;
    o.prompt_file = file.string();
    EXPECT_EQ(run(o).out, "1 346 306 414 263 304 341\n");
    std::filesystem::remove(file);
    o.prompt_file.clear();
    o.from_stdin = true;
    EXPECT_EQ(run(o, "Hello world").out, "1 346 306 414 263 304 341\n");
}

// Every failure: exit 1, nothing on stdout, exactly one "switchyard: error: ..." line.
void expect_one_line_error(const Result& r, const std::string& fragment) {
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("switchyard: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

TEST(TokenizeCli, ErrorsAreOneLine) {
    TokenizeOptions missing = stories("x");
    missing.model_path = data_path("no-such-model.gguf");
    expect_one_line_error(run(missing), "no-such-model.gguf");

    TokenizeOptions not_gguf = stories("x");
    not_gguf.model_path = data_path("README.md");
    expect_one_line_error(run(not_gguf), "not a GGUF file");

    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    gguf::GgufWriter no_tokenizer;
    no_tokenizer.set("general.architecture", gguf::Value::string("llama"));
    no_tokenizer.write((dir / "sy_tokenize_cli_none.gguf").string());
    TokenizeOptions none = stories("x");
    none.model_path = (dir / "sy_tokenize_cli_none.gguf").string();
    expect_one_line_error(run(none), "key 'tokenizer.ggml.model' is missing");

    gguf::GgufWriter unknown_pre;
    unknown_pre.set("tokenizer.ggml.model", gguf::Value::string("gpt2"));
    unknown_pre.set("tokenizer.ggml.pre", gguf::Value::string("tekken"));
    unknown_pre.set("tokenizer.ggml.tokens", gguf::Value::string_array({"a"}));
    unknown_pre.write((dir / "sy_tokenize_cli_pre.gguf").string());
    TokenizeOptions pre = stories("x");
    pre.model_path = (dir / "sy_tokenize_cli_pre.gguf").string();
    expect_one_line_error(run(pre), "pre-tokenizer 'tekken' is not supported");
    std::filesystem::remove(dir / "sy_tokenize_cli_none.gguf");
    std::filesystem::remove(dir / "sy_tokenize_cli_pre.gguf");

    TokenizeOptions no_prompt;
    no_prompt.model_path = data_path("stories260K.gguf");
    expect_one_line_error(run(no_prompt), "exactly one of");

    TokenizeOptions bad_file = no_prompt;
    bad_file.prompt_file = data_path("no-such-prompt.txt");
    expect_one_line_error(run(bad_file), "no-such-prompt.txt");
}

}  // namespace
}  // namespace sy::cli
