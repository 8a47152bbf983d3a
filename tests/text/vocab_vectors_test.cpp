// llama.cpp's tokenizer test vectors (test-tokenizer-0 format): for each vocabulary-only GGUF,
// <name>.inp holds the inputs separated by "\n__ggml_vocab_test__\n" and <name>.out one line of
// expected ids per input, produced by the reference tokenizers. Tokenized as test-tokenizer-0
// does: add_special = false, parse_special = false.
#include <gtest/gtest.h>

#include "gguf/gguf_file.hpp"
#include "text/tokenizer.hpp"
#include "text_test_support.hpp"

namespace sy::text {
namespace {

using testing::data_path;
using testing::parse_ids;
using testing::read_file;

struct Case {
    std::string input;
    std::vector<int32_t> expected;
};

std::vector<Case> read_cases(const std::string& vocab_name) {
    const std::string inputs = read_file(data_path("vocab/" + vocab_name + ".inp"));
    const std::string outputs = read_file(data_path("vocab/" + vocab_name + ".out"));
    std::vector<std::string> in;
    const std::string sep = "\n__ggml_vocab_test__\n";
    for (size_t pos = 0; pos < inputs.size();) {
        const size_t next = inputs.find(sep, pos);
        if (next == std::string::npos) {
            in.push_back(inputs.substr(pos));
            break;
        }
        in.push_back(inputs.substr(pos, next - pos));
        pos = next + sep.size();
    }
    std::vector<std::string> out;
    std::istringstream lines(outputs);
    for (std::string line; std::getline(lines, line);) out.push_back(line);
    EXPECT_EQ(in.size(), out.size()) << vocab_name;
    std::vector<Case> cases;
    for (size_t i = 0; i < std::min(in.size(), out.size()); ++i) cases.push_back({in[i], parse_ids(out[i])});
    return cases;
}

class VocabVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(VocabVectors, MatchReferenceTokenizer) {
    const std::string name = GetParam();
    const gguf::GgufFile file = gguf::GgufFile::open(data_path(name));
    const Vocab vocab = Vocab::from_gguf(file);
    const std::vector<Case> cases = read_cases(name);
    ASSERT_GE(cases.size(), 30u);
    int failures = 0;
    for (const Case& c : cases) {
        const std::vector<int32_t> got = vocab.tokenize(c.input, /*add_special=*/false, /*parse_special=*/false);
        EXPECT_EQ(got, c.expected) << name << ": input \"" << c.input << "\"";
        failures += got != c.expected;
    }
    EXPECT_EQ(failures, 0) << name << ": " << failures << " of " << cases.size() << " inputs differ";
}

INSTANTIATE_TEST_SUITE_P(AllVocabs, VocabVectors,
                         ::testing::Values("ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf",
                                           "ggml-vocab-deepseek-llm.gguf", "ggml-vocab-falcon.gguf",
                                           "ggml-vocab-starcoder.gguf"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                             std::string n = param_info.param;
                             n = n.substr(11, n.size() - 11 - 5);  // strip "ggml-vocab-" and ".gguf"
                             for (char& ch : n) ch = (ch == '-') ? '_' : ch;
                             return n;
                         });

}  // namespace
}  // namespace sy::text
