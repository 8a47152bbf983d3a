// Tokenizer speed (host only; not registered under qemu): perplexity tokenizes whole files, so
// 1 MB of text must take well under a second, and no input may make the splitter, the special
// token cut or the merges quadratic. The bounds are loose on purpose (shared CI machines): a
// quadratic path on 1 MB would take minutes, not seconds.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.hpp"
#include "text/tokenizer.hpp"
#include "text_test_support.hpp"

namespace sy::text {
namespace {

using testing::data_path;
using testing::read_file;

constexpr size_t kMiB = 1u << 20;

double seconds_to_tokenize(const Vocab& vocab, const std::string& text, size_t* n_tokens = nullptr) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<int32_t> ids = vocab.tokenize(text, true, true);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (n_tokens) *n_tokens = ids.size();
    return took.count();
}

// ~1 MiB of varied text: words of the tokenizer test inputs (several scripts), shuffled, with
// random spacing, punctuation, numbers and line breaks.
std::string varied_text() {
    const std::string inputs = read_file(data_path("vocab/ggml-vocab-llama-spm.gguf.inp"));
    std::vector<std::string> words;
    std::istringstream in(inputs);
    for (std::string w; in >> w;) {
        if (w != "__ggml_vocab_test__") words.push_back(w);
    }
    std::mt19937 rng(7);
    const char* separators[] = {" ", " ", " ", ", ", ". ", "\n", "\n\n", "  ", "\t", "'s ", " 1234 "};
    std::string text;
    while (text.size() < kMiB) {
        text += words[rng() % words.size()];
        text += separators[rng() % std::size(separators)];
    }
    return text;
}

class TokenizerSpeed : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenizerSpeed, OneMebibyteOfText) {
    const Vocab vocab = Vocab::from_gguf(gguf::GgufFile::open(data_path(GetParam())));
    const std::string text = varied_text();
    size_t n = 0;
    const double s = seconds_to_tokenize(vocab, text, &n);
    EXPECT_GT(n, text.size() / 16);
    EXPECT_LT(s, 2.0) << GetParam() << ": " << text.size() << " bytes took " << s << " s";
    std::printf("%s: %zu bytes -> %zu tokens in %.3f s\n", GetParam(), text.size(), n, s);
}

TEST_P(TokenizerSpeed, PathologicalInputsStayLinear) {
    const Vocab vocab = Vocab::from_gguf(gguf::GgufFile::open(data_path(GetParam())));
    // One huge word, one huge white-space run (also before a digit: deepseek-llm's "\s+$"),
    // a run of one CJK character, digits, and a first byte every special token shares.
    const std::pair<std::string, std::string> cases[] = {
        {"a", ""}, {" ", ""}, {" ", "5"}, {"\xE4\xB8\x80", ""}, {"7", ""}, {"<", ""}, {"\n", ""}, {"'", ""},
    };
    for (const auto& [unit, tail] : cases) {
        // 256 KiB: linear takes well under a second; quadratic would take minutes.
        std::string text;
        while (text.size() < kMiB / 4) text += unit;
        text += tail;
        const double s = seconds_to_tokenize(vocab, text);
        EXPECT_LT(s, 3.0) << GetParam() << ": 256 KiB of '" << unit << "' took " << s << " s";
    }
}

INSTANTIATE_TEST_SUITE_P(Vocabs, TokenizerSpeed,
                         ::testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf",
                                           "ggml-vocab-deepseek-llm.gguf", "vocab/tiny-ds2-vocab.gguf"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                             std::string n = param_info.param;
                             for (char& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return n;
                         });

}  // namespace
}  // namespace sy::text
