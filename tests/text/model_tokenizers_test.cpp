// Whole-tokenizer results for the two small models the project runs: stories260K (SentencePiece,
// tests/data) and tiny-ds2 (byte-level BPE, pre-tokenizer "gpt-2"; its tokenizer keys are copied
// into tests/data/vocab/tiny-ds2-vocab.gguf by make_vocab_fixture.cpp). Every expected id list
// below was printed by ik_llama.cpp's llama-tokenize (--ids; --no-bos / --no-parse-special where
// the row says so) for the same bytes; for tiny-ds2 on the full model, whose tokenizer keys the
// fixture holds unchanged (checked below when ../shared is present). Special ids, end-of-generation
// sets and pieces are from llama-tokenize's output and its loader log.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.hpp"
#include "gguf/gguf_file.hpp"
#include "text/tokenizer.hpp"
#include "text_test_support.hpp"

namespace sy::text {
namespace {

using testing::data_path;
using testing::shared_path;

struct Row {
    const char* name;
    std::string_view text;
    bool add_special;    // false: llama-tokenize --no-bos
    bool parse_special;  // false: llama-tokenize --no-parse-special
    std::vector<int32_t> expected;
};

const Row kTinyDs2Rows[] = {
    {"hello", "Hello world", true, true, {2046, 72, 414, 111, 881}},
    {"hello_no_bos", "Hello world", false, true, {72, 414, 111, 881}},
    {"spaces", " Hello  world   ", true, true, {2046, 490, 414, 111, 32, 881, 32, 32, 32}},
    {"spaces_no_bos", " Hello  world   ", false, true, {490, 414, 111, 32, 881, 32, 32, 32}},
    {"tabs_newlines", "\tTabs\tand\n\nnewlines\r\n end", true, true, {2046, 9, 84, 897, 115, 9, 390, 10, 10, 110, 1059, 108, 262, 278, 13, 10, 1086}},
    {"tabs_newlines_no_bos", "\tTabs\tand\n\nnewlines\r\n end", false, true, {9, 84, 897, 115, 9, 390, 10, 10, 110, 1059, 108, 262, 278, 13, 10, 1086}},
    {"digits", "Digits: 0 12 345 6789 1234567890", true, true, {2046, 68, 552, 1301, 58, 32, 48, 32, 49, 50, 32, 51, 52, 53, 32, 54, 55, 56, 57, 32, 49, 50, 51, 52, 53, 54, 55, 56, 57, 48}},
    {"digits_no_bos", "Digits: 0 12 345 6789 1234567890", false, true, {68, 552, 1301, 58, 32, 48, 32, 49, 50, 32, 51, 52, 53, 32, 54, 55, 56, 57, 32, 49, 50, 51, 52, 53, 54, 55, 56, 57, 48}},
    {"accents", "Accents: na\xC3\xAFve caf\xC3\xA9 r\xC3\xA9sum\xC3\xA9 \xC3\x86r\xC3\xB8sk\xC3\xB8" "bing", true, true, {2046, 65, 766, 1577, 58, 281, 97, 195, 175, 294, 1826, 102, 195, 169, 550, 195, 169, 115, 526, 195, 169, 32, 195, 134, 114, 195, 184, 115, 107, 195, 184, 98, 295}},
    {"accents_no_bos", "Accents: na\xC3\xAFve caf\xC3\xA9 r\xC3\xA9sum\xC3\xA9 \xC3\x86r\xC3\xB8sk\xC3\xB8" "bing", false, true, {65, 766, 1577, 58, 281, 97, 195, 175, 294, 1826, 102, 195, 169, 550, 195, 169, 115, 526, 195, 169, 32, 195, 134, 114, 195, 184, 115, 107, 195, 184, 98, 295}},
    {"cjk", "CJK: \xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF \xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94", true, true, {2046, 67, 74, 75, 58, 32, 230, 136, 145, 230, 131, 179, 229, 156, 168, 97, 525, 310, 229, 183, 165, 228, 189, 156, 32, 227, 129, 147, 227, 130, 147, 227, 129, 171, 227, 129, 161, 227, 129, 175, 32, 236, 149, 136, 235, 133, 149, 237, 149, 152, 236, 132, 184, 236, 154, 148}},
    {"cjk_no_bos", "CJK: \xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF \xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94", false, true, {67, 74, 75, 58, 32, 230, 136, 145, 230, 131, 179, 229, 156, 168, 97, 525, 310, 229, 183, 165, 228, 189, 156, 32, 227, 129, 147, 227, 130, 147, 227, 129, 171, 227, 129, 161, 227, 129, 175, 32, 236, 149, 136, 235, 133, 149, 237, 149, 152, 236, 132, 184, 236, 154, 148}},
    {"emoji", "Emoji: \xF0\x9F\x9A\x80 \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F \xE2\x9C\x85", true, true, {2046, 69, 109, 111, 106, 105, 58, 32, 240, 159, 154, 128, 32, 240, 159, 152, 182, 226, 128, 141, 240, 159, 140, 171, 239, 184, 143, 32, 226, 156, 133}},
    {"emoji_no_bos", "Emoji: \xF0\x9F\x9A\x80 \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F \xE2\x9C\x85", false, true, {69, 109, 111, 106, 105, 58, 32, 240, 159, 154, 128, 32, 240, 159, 152, 182, 226, 128, 141, 240, 159, 140, 171, 239, 184, 143, 32, 226, 156, 133}},
    {"contractions", "'Tis WE'LL don't I'M it's", true, true, {2046, 39, 1017, 592, 69, 39, 76, 76, 276, 275, 670, 291, 39, 77, 338, 319}},
    {"contractions_no_bos", "'Tis WE'LL don't I'M it's", false, true, {39, 1017, 592, 69, 39, 76, 76, 276, 275, 670, 291, 39, 77, 338, 319}},
    {"shakespeare", "ROMEO:\nBut, soft! what light through yonder window breaks?", true, true, {2046, 812, 58, 10, 449, 44, 365, 1067, 33, 435, 1266, 1777, 282, 1726, 1610, 299, 1604, 115, 63}},
    {"shakespeare_no_bos", "ROMEO:\nBut, soft! what light through yonder window breaks?", false, true, {812, 58, 10, 449, 44, 365, 1067, 33, 435, 1266, 1777, 282, 1726, 1610, 299, 1604, 115, 63}},
    {"empty", "", true, true, {2046}},
    {"empty_no_bos", "", false, true, {}},
    {"only_spaces", "   ", true, true, {2046, 32, 32, 32}},
    {"only_spaces_no_bos", "   ", false, true, {32, 32, 32}},
    {"special", "<|bos|>KING HENRY:<|eos|>", true, true, {2046, 2046, 445, 1106, 58, 2047}},
    {"special_no_parse_special", "<|bos|>KING HENRY:<|eos|>", true, false, {2046, 60, 124, 98, 1025, 124, 62, 445, 1106, 58, 60, 124, 101, 1025, 124, 62}},
    {"special_no_bos", "<|bos|>KING HENRY:<|eos|>", false, true, {2046, 445, 1106, 58, 2047}},
    {"invalid_utf8", "\xFF\xFE ab\xC3", true, true, {2046, 239, 191, 189, 239, 191, 189, 677, 239, 191, 189}},
};

const Row kStoriesRows[] = {
    {"hello", "Hello world", true, true, {1, 346, 306, 414, 263, 304, 341}},
    {"hello_no_bos", "Hello world", false, true, {346, 306, 414, 263, 304, 341}},
    {"spaces", " Hello  world   ", true, true, {1, 410, 346, 306, 414, 410, 263, 304, 341, 410, 410, 410}},
    {"spaces_no_bos", " Hello  world   ", false, true, {410, 346, 306, 414, 410, 263, 304, 341, 410, 410, 410}},
    {"tabs_newlines", "\tTabs\tand\n\nnewlines\r\n end", true, true, {1, 410, 12, 434, 412, 430, 419, 12, 412, 264, 13, 13, 416, 411, 424, 421, 271, 406, 16, 13, 344, 264}},
    {"tabs_newlines_no_bos", "\tTabs\tand\n\nnewlines\r\n end", false, true, {410, 12, 434, 412, 430, 419, 12, 412, 264, 13, 13, 416, 411, 424, 421, 271, 406, 16, 13, 344, 264}},
    {"digits", "Digits: 0 12 345 6789 1234567890", true, true, {1, 410, 455, 333, 275, 419, 467, 410, 477, 410, 475, 479, 410, 472, 484, 480, 410, 490, 491, 487, 483, 410, 475, 479, 472, 484, 480, 490, 491, 487, 483, 477}},
    {"digits_no_bos", "Digits: 0 12 345 6789 1234567890", false, true, {410, 455, 333, 275, 419, 467, 410, 477, 410, 475, 479, 410, 472, 484, 480, 410, 490, 491, 487, 483, 410, 475, 479, 472, 484, 480, 490, 491, 487, 483, 477}},
    {"accents", "Accents: na\xC3\xAFve caf\xC3\xA9 r\xC3\xA9sum\xC3\xA9 \xC3\x86r\xC3\xB8sk\xC3\xB8" "bing", true, true, {1, 410, 447, 429, 429, 377, 419, 467, 297, 412, 198, 178, 360, 280, 412, 431, 485, 352, 485, 419, 425, 423, 485, 410, 198, 137, 420, 198, 187, 419, 433, 198, 187, 430, 299}},
    {"accents_no_bos", "Accents: na\xC3\xAFve caf\xC3\xA9 r\xC3\xA9sum\xC3\xA9 \xC3\x86r\xC3\xB8sk\xC3\xB8" "bing", false, true, {410, 447, 429, 429, 377, 419, 467, 297, 412, 198, 178, 360, 280, 412, 431, 485, 352, 485, 419, 425, 423, 485, 410, 198, 137, 420, 198, 187, 419, 433, 198, 187, 430, 299}},
    {"cjk", "CJK: \xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF \xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94", true, true, {1, 410, 457, 454, 462, 467, 410, 233, 139, 148, 233, 134, 182, 232, 159, 171, 412, 339, 305, 232, 186, 168, 231, 192, 159, 410, 230, 132, 150, 230, 133, 150, 230, 132, 174, 230, 132, 164, 230, 132, 178, 410, 239, 152, 139, 238, 136, 152, 240, 152, 155, 239, 135, 187, 239, 157, 151}},
    {"cjk_no_bos", "CJK: \xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF \xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94", false, true, {410, 457, 454, 462, 467, 410, 233, 139, 148, 233, 134, 182, 232, 159, 171, 412, 339, 305, 232, 186, 168, 231, 192, 159, 410, 230, 132, 150, 230, 133, 150, 230, 132, 174, 230, 132, 164, 230, 132, 178, 410, 239, 152, 139, 238, 136, 152, 240, 152, 155, 239, 135, 187, 239, 157, 151}},
    {"emoji", "Emoji: \xF0\x9F\x9A\x80 \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F \xE2\x9C\x85", true, true, {1, 410, 459, 423, 414, 449, 417, 467, 410, 243, 162, 157, 131, 410, 243, 162, 155, 185, 229, 131, 144, 243, 162, 143, 174, 242, 187, 146, 410, 229, 159, 136}},
    {"emoji_no_bos", "Emoji: \xF0\x9F\x9A\x80 \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F \xE2\x9C\x85", false, true, {410, 459, 423, 414, 449, 417, 467, 410, 243, 162, 157, 131, 410, 243, 162, 155, 185, 229, 131, 144, 243, 162, 143, 174, 242, 187, 146, 410, 229, 159, 136}},
    {"contractions", "'Tis WE'LL don't I'M it's", true, true, {1, 410, 439, 434, 293, 410, 448, 459, 439, 438, 438, 279, 289, 439, 413, 359, 439, 446, 312, 439, 419}},
    {"contractions_no_bos", "'Tis WE'LL don't I'M it's", false, true, {410, 439, 434, 293, 410, 448, 459, 439, 438, 438, 279, 289, 439, 413, 359, 439, 446, 312, 439, 419}},
    {"shakespeare", "ROMEO:\nBut, soft! what light through yonder window breaks?", true, true, {1, 410, 461, 441, 446, 459, 441, 467, 13, 445, 323, 432, 384, 431, 413, 443, 263, 415, 294, 278, 333, 415, 413, 308, 420, 277, 428, 415, 348, 414, 264, 285, 263, 417, 264, 327, 268, 276, 412, 433, 419, 450}},
    {"shakespeare_no_bos", "ROMEO:\nBut, soft! what light through yonder window breaks?", false, true, {410, 461, 441, 446, 459, 441, 467, 13, 445, 323, 432, 384, 431, 413, 443, 263, 415, 294, 278, 333, 415, 413, 308, 420, 277, 428, 415, 348, 414, 264, 285, 263, 417, 264, 327, 268, 276, 412, 433, 419, 450}},
    {"empty", "", true, true, {1}},
    {"empty_no_bos", "", false, true, {}},
    {"only_spaces", "   ", true, true, {1, 410, 410, 410, 410}},
    {"only_spaces_no_bos", "   ", false, true, {410, 410, 410, 410}},
    {"special", "<s>Once upon a time</s>", true, true, {1, 1, 403, 407, 261, 378, 2}},
    {"special_no_parse_special", "<s>Once upon a time</s>", true, false, {1, 410, 504, 419, 505, 441, 416, 331, 407, 261, 378, 504, 492, 419, 505}},
    {"special_no_bos", "<s>Once upon a time</s>", false, true, {1, 403, 407, 261, 378, 2}},
    {"invalid_utf8", "\xFF\xFE ab\xC3", true, true, {1, 410, 258, 257, 229, 153, 132, 412, 430, 198}},
};

Vocab load(const std::string& path) { return Vocab::from_gguf(gguf::GgufFile::open(path)); }

void check_rows(const Vocab& vocab, const Row* rows, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        const Row& r = rows[i];
        EXPECT_EQ(vocab.tokenize(r.text, r.add_special, r.parse_special), r.expected) << r.name;
    }
}

TEST(TinyDs2Tokenizer, MatchesLlamaTokenize) {
    const Vocab vocab = load(data_path("vocab/tiny-ds2-vocab.gguf"));
    check_rows(vocab, kTinyDs2Rows, std::size(kTinyDs2Rows));
}

TEST(TinyDs2Tokenizer, SpecialTokensAndPieces) {
    const Vocab vocab = load(data_path("vocab/tiny-ds2-vocab.gguf"));
    EXPECT_EQ(vocab.kind(), VocabKind::Bpe);
    EXPECT_EQ(vocab.n_tokens(), 2048);
    EXPECT_EQ(vocab.bos(), 2046);
    EXPECT_EQ(vocab.eos(), 2047);
    EXPECT_TRUE(vocab.add_bos());
    EXPECT_FALSE(vocab.add_eos());
    EXPECT_EQ(vocab.eog_ids(), std::vector<int32_t>({2047}));
    EXPECT_TRUE(vocab.is_eog(2047));
    EXPECT_FALSE(vocab.is_eog(2046));
    // llama-tokenize -p "<|bos|>KING HENRY:<|eos|> caf\xC3\xA9" prints these pieces.
    EXPECT_EQ(vocab.token_to_piece(2046, true), "<|bos|>");
    EXPECT_EQ(vocab.token_to_piece(445, true), "KING");
    EXPECT_EQ(vocab.token_to_piece(1106, true), " HENRY");
    EXPECT_EQ(vocab.token_to_piece(2047, true), "<|eos|>");
    EXPECT_EQ(vocab.token_to_piece(1826, true), " ca");
    EXPECT_EQ(vocab.token_to_piece(195, true), "\xC3");  // half of a UTF-8 character
    EXPECT_EQ(vocab.token_to_piece(169, true), "\xA9");
    // Control tokens print as nothing unless special pieces are asked for.
    EXPECT_EQ(vocab.token_to_piece(2046, false), "");
    EXPECT_EQ(vocab.token_to_piece(445, false), "KING");
    EXPECT_THROW((void)vocab.token_to_piece(2048, true), Error);
    EXPECT_THROW((void)vocab.token_to_piece(-1, true), Error);
}

TEST(TinyDs2Tokenizer, FixtureHoldsTheModelsTokenizerKeys) {
    const std::string model_path = shared_path("models/tiny-ds2/tiny-ds2-f16.gguf");
    if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " is absent (needs ../shared)";
    const gguf::GgufFile model = gguf::GgufFile::open(model_path);
    const gguf::GgufFile fixture = gguf::GgufFile::open(data_path("vocab/tiny-ds2-vocab.gguf"));
    size_t tokenizer_keys = 0;
    for (const gguf::KeyValue& kv : model.kvs()) {
        if (!kv.key.starts_with("tokenizer.")) continue;
        ++tokenizer_keys;
        const gguf::KeyValue* copy = fixture.find(kv.key);
        ASSERT_NE(copy, nullptr) << kv.key;
        EXPECT_TRUE(copy->value == kv.value) << kv.key;
    }
    EXPECT_EQ(tokenizer_keys, 9u);
}

TEST(TinyDs2Tokenizer, HeldOutTextCountsAsTheModelCardSays) {
    // Model card: llama-perplexity strips heldout.txt's final newline, adds BOS and gets 43,638
    // tokens; train.txt is 346,929 tokens without BOS.
    const std::string heldout_path = shared_path("models/tiny-ds2/heldout.txt");
    if (!std::filesystem::exists(heldout_path)) GTEST_SKIP() << heldout_path << " is absent (needs ../shared)";
    const Vocab vocab = load(data_path("vocab/tiny-ds2-vocab.gguf"));
    std::string heldout = testing::read_file(heldout_path);
    ASSERT_FALSE(heldout.empty());
    if (heldout.back() == '\n') heldout.pop_back();
    EXPECT_EQ(vocab.tokenize(heldout, true, true).size(), 43638u);
    const std::string train = testing::read_file(shared_path("models/tiny-ds2/train.txt"));
    EXPECT_EQ(vocab.tokenize(train, false, true).size(), 346929u);
}

TEST(Stories260KTokenizer, MatchesLlamaTokenize) {
    const Vocab vocab = load(data_path("stories260K.gguf"));
    check_rows(vocab, kStoriesRows, std::size(kStoriesRows));
}

TEST(Stories260KTokenizer, SpecialTokensAndPieces) {
    const Vocab vocab = load(data_path("stories260K.gguf"));
    EXPECT_EQ(vocab.kind(), VocabKind::Spm);
    EXPECT_EQ(vocab.n_tokens(), 512);
    EXPECT_EQ(vocab.bos(), 1);
    EXPECT_EQ(vocab.eos(), 2);
    EXPECT_EQ(vocab.unk(), 0);
    EXPECT_EQ(vocab.pad(), kNoToken);  // the file's padding id 4294967295 is out of range
    EXPECT_TRUE(vocab.add_bos());
    EXPECT_TRUE(vocab.add_space_prefix());
    EXPECT_EQ(vocab.eog_ids(), std::vector<int32_t>({2}));
    // llama-tokenize -p "<s>Once upon a time</s>"
    EXPECT_EQ(vocab.token_to_piece(1, true), "<s>");
    EXPECT_EQ(vocab.token_to_piece(403, true), " Once");
    EXPECT_EQ(vocab.token_to_piece(407, true), " upon");
    EXPECT_EQ(vocab.token_to_piece(2, true), "</s>");
    EXPECT_EQ(vocab.token_to_piece(13, true), "\n");  // byte token <0x0A>
}

// Special ids and end-of-generation sets of the vocabulary files, from ik_llama.cpp's loader log
// (print_info) for each file.
TEST(VocabFiles, SpecialIdsMatchLlamaCppsLoader) {
    const Vocab starcoder = load(data_path("ggml-vocab-starcoder.gguf"));
    EXPECT_EQ(starcoder.bos(), 0);
    EXPECT_EQ(starcoder.eos(), 0);
    EXPECT_EQ(starcoder.eot(), 0);
    EXPECT_EQ(starcoder.unk(), 0);
    EXPECT_EQ(starcoder.eog_ids(), std::vector<int32_t>({0, 4}));  // <|endoftext|>, <fim_pad>
    EXPECT_FALSE(starcoder.add_bos());

    const Vocab deepseek = load(data_path("ggml-vocab-deepseek-llm.gguf"));
    EXPECT_EQ(deepseek.bos(), 100000);
    EXPECT_EQ(deepseek.eos(), 100001);
    EXPECT_EQ(deepseek.eot(), 100001);
    EXPECT_EQ(deepseek.pad(), 100001);
    EXPECT_EQ(deepseek.eog_ids(), std::vector<int32_t>({100001}));
    EXPECT_TRUE(deepseek.add_bos());

    const Vocab spm = load(data_path("ggml-vocab-llama-spm.gguf"));
    EXPECT_EQ(spm.bos(), 1);
    EXPECT_EQ(spm.eos(), 2);
    EXPECT_EQ(spm.unk(), 0);
    EXPECT_EQ(spm.eog_ids(), std::vector<int32_t>({2}));
}

}  // namespace
}  // namespace sy::text
