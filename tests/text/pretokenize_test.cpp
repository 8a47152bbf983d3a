// The pre-tokenizers and the regex engine behind them (portable: no ICU, runs under qemu).
//
// kOracleSplits: for each family, the words ik_llama.cpp's own splitter (unicode_regex_split in
// src/unicode.cpp, compiled on its own and run on these strings) cuts the text into. They pin
// down what differs from a textbook reading of the patterns: contractions are case-sensitive
// in llama3/qwen2/kimi-k2 ("'M" is not one), '~' is not a symbol for deepseek-v3, U+3000 is not
// in deepseek-llm's literal punctuation class, and each pattern refines the pieces of the one
// before it. The rest of the file tests the engine's constructs on cases small enough to work
// out by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "text/byte_encoding.hpp"
#include "text/pretokenize.hpp"
#include "text/pretokenize_regex.hpp"
#include "text/unicode.hpp"

namespace sy::text {
namespace {

struct OracleSplit {
    const char* family;
    std::string text;
    std::vector<std::string> words;  // raw UTF-8 (before the byte-level spelling)
};

const OracleSplit kOracleSplits[] = {
    {"gpt-2", "'Tis WE'LL don't I'M it's",
     {"'", "Tis", " WE", "'", "LL", " don", "'t", " I", "'", "M", " it", "'s"}},
    {"llama3", "'Tis WE'LL don't I'M it's",
     {"'Tis", " WE", "'LL", " don", "'t", " I", "'M", " it", "'s"}},
    {"qwen2", "'Tis WE'LL don't I'M it's",
     {"'Tis", " WE", "'LL", " don", "'t", " I", "'M", " it", "'s"}},
    {"deepseek-llm", "'Tis WE'LL don't I'M it's",
     {"'", "Tis", " WE", "'", "LL", " don", "'", "t", " I", "'", "M", " it", "'", "s"}},
    {"deepseek-coder", "'Tis WE'LL don't I'M it's",
     {"'", "Tis", " WE", "'", "LL", " don", "'", "t", " I", "'", "M", " it", "'", "s"}},
    {"deepseek-v3", "'Tis WE'LL don't I'M it's",
     {"'Tis", " WE", "'LL", " don", "'t", " I", "'M", " it", "'s"}},
    {"falcon", "'Tis WE'LL don't I'M it's",
     {"'", "Tis", " WE", "'", "LL", " don", "'", "t", " I", "'", "M", " it", "'", "s"}},
    {"starcoder", "'Tis WE'LL don't I'M it's",
     {"'", "Tis", " WE", "'", "LL", " don", "'t", " I", "'", "M", " it", "'s"}},
    {"default", "'Tis WE'LL don't I'M it's",
     {"'", "Tis", " WE", "'", "LL", " don", "'", "t", " I", "'", "M", " it", "'", "s"}},
    {"kimi-k2", "'Tis WE'LL don't I'M it's",
     {"'Tis", " WE", "'LL", " don't", " I", "'M", " it's"}},
    {"gpt-2", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\t", "x", "  "}},
    {"llama3", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\tx", "  "}},
    {"qwen2", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\tx", "  "}},
    {"deepseek-llm", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n", "\n", "\tx", "  "}},
    {"deepseek-coder", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n", "\n", "\tx", "  "}},
    {"deepseek-v3", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\tx", "  "}},
    {"falcon", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\t", "x", "  "}},
    {"starcoder", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\t", "x", "  "}},
    {"default", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\t", "x", "  "}},
    {"kimi-k2", "Hello  world\n\n\tx  ",
     {"Hello", " ", " world", "\n\n", "\tx", "  "}},
    {"gpt-2", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'", "Mc", " 1234567", " \xD9\xA1\xD9\xA2"}},
    {"llama3", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E\xD0\x90", "'Mc", " ", "123", "456", "7", " ", "\xD9\xA1\xD9\xA2"}},
    {"qwen2", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E\xD0\x90", "'Mc", " ", "1", "2", "3", "4", "5", "6", "7", " ", "\xD9\xA1", "\xD9\xA2"}},
    {"deepseek-llm", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'", "Mc", " ", "1234567", " ", "\xD9\xA1\xD9\xA2"}},
    {"deepseek-coder", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'", "Mc", " ", "1", "2", "3", "4", "5", "6", "7", " ", "\xD9\xA1", "\xD9\xA2"}},
    {"deepseek-v3", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'Mc", " ", "123", "456", "7", " ", "\xD9\xA1\xD9\xA2"}},
    {"falcon", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'", "Mc", " ", "123", "456", "7", " \xD9\xA1\xD9\xA2"}},
    {"starcoder", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'", "Mc", " ", "1", "2", "3", "4", "5", "6", "7", " ", "\xD9\xA1", "\xD9\xA2"}},
    {"default", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E", "\xD0\x90", "'", "Mc", " ", "123", "456", "7", " ", "\xD9\xA1\xD9\xA2"}},
    {"kimi-k2", "\xEF\xBD\x9E\xD0\x90'Mc 1234567 \xD9\xA1\xD9\xA2",
     {"\xEF\xBD\x9E\xD0\x90", "'Mc", " ", "123", "456", "7", " ", "\xD9\xA1\xD9\xA2"}},
    {"gpt-2", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$", " +", "1", " <=>", " x", "^", "y", " `", "z", "`", " |", "w", "|"}},
    {"llama3", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$", " +", "1", " <=>", " x", "^y", " `", "z", "`", " |", "w", "|"}},
    {"qwen2", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$", " +", "1", " <=>", " x", "^y", " `", "z", "`", " |", "w", "|"}},
    {"deepseek-llm", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$", " +", "1", " <=>", " x", "^", "y", " `", "z", "`", " |", "w", "|"}},
    {"deepseek-coder", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$ +", "1", " <=>", " x", "^", "y", " `", "z", "` |", "w", "|"}},
    {"deepseek-v3", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~", "~b", " $$", " +", "1", " <=>", " x", "^y", " `", "z", "`", " |", "w", "|"}},
    {"falcon", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " ", "$$", " ", "+", "1", " ", "<=>", " x", "^", "y", " ", "`", "z", "`", " ", "|", "w", "|"}},
    {"starcoder", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$", " +", "1", " <=>", " x", "^", "y", " `", "z", "`", " |", "w", "|"}},
    {"default", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " ", "$$", " ", "+", "1", " ", "<=>", " x", "^", "y", " `", "z", "`", " ", "|", "w", "|"}},
    {"kimi-k2", "a~~b $$ +1 <=> x^y `z` |w|",
     {"a", "~~", "b", " $$", " +", "1", " <=>", " x", "^y", " `", "z", "`", " |", "w", "|"}},
    {"gpt-2", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "1314151", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"llama3", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "131", "415", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"qwen2", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "1", "3", "1", "4", "1", "5", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"deepseek-llm", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8", "apple", "\xE5\xB7\xA5\xE4\xBD\x9C", "1314151", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " ", "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"deepseek-coder", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8", "apple", "\xE5\xB7\xA5\xE4\xBD\x9C", "1", "3", "1", "4", "1", "5", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " ", "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"deepseek-v3", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8", "apple", "\xE5\xB7\xA5\xE4\xBD\x9C", "131", "415", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " ", "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"falcon", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "131", "415", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"starcoder", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "1", "3", "1", "4", "1", "5", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"default", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "131", "415", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"kimi-k2", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
     {"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8", "apple", "\xE5\xB7\xA5\xE4\xBD\x9C", "131", "415", "1", "\xE5\xA4\xA9", "\xEF\xBD\x9E", " \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"}},
    {"gpt-2", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80", "x"}},
    {"llama3", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80x"}},
    {"qwen2", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80x"}},
    {"deepseek-llm", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf", "\xC3\xA9", " e", "\xCC\x81", " \xCE\x91", "\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80x"}},
    {"deepseek-coder", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91", "\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80x"}},
    {"deepseek-v3", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80x"}},
    {"falcon", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80", "x"}},
    {"starcoder", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80", "x"}},
    {"default", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80", "x"}},
    {"kimi-k2", "caf\xC3\xA9 e\xCC\x81 \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6 \xE3\x80\x80\xE3\x80\x80x",
     {"caf\xC3\xA9", " e", "\xCC\x81", " \xCE\x91\xE1\xBD\xBD\xE2\x84\xA6", " \xE3\x80\x80", "\xE3\x80\x80x"}},
    {"gpt-2", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"llama3", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"qwen2", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"deepseek-llm", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r", "\n", "\r", "\n", "  ", "\n"}},
    {"deepseek-coder", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r", "\n", "\r", "\n", "  ", "\n"}},
    {"deepseek-v3", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"falcon", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"starcoder", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"default", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
    {"kimi-k2", "\xC2\xA0\xE2\x80\x83 end\r\n\r\n  \n",
     {"\xC2\xA0\xE2\x80\x83", " end", "\r\n\r\n  \n"}},
};

// Words as raw text: undo the byte-level spelling split() applies.
std::vector<std::string> raw_words(const PreTokenizer& p, std::string_view text) {
    std::vector<std::string> spelled;
    p.split(text, spelled);
    std::vector<std::string> out;
    for (const std::string& w : spelled) {
        std::string raw;
        for (const uint32_t cp : unicode::decode_utf8(w)) raw += static_cast<char>(*codepoint_to_byte(cp));
        out.push_back(raw);
    }
    return out;
}

TEST(PreTokenizer, MatchesLlamaCppsSplitter) {
    for (const OracleSplit& o : kOracleSplits) {
        const PreTokenizerInfo* info = find_pre_tokenizer(o.family);
        ASSERT_NE(info, nullptr) << o.family;
        EXPECT_EQ(raw_words(PreTokenizer(*info), o.text), o.words) << o.family << ": \"" << o.text << "\"";
    }
}

TEST(PreTokenizer, WordsAreByteLevelSpelled) {
    const PreTokenizer gpt2(*find_pre_tokenizer("gpt-2"));
    std::vector<std::string> words;
    gpt2.split(" Hi\n\xC3\xA9", words);
    // ' ' -> U+0120, '\n' -> U+010A, the two bytes of U+00E9 -> U+00C3 U+00A9.
    EXPECT_EQ(words, (std::vector<std::string>{"\xC4\xA0Hi", "\xC4\x8A", "\xC3\x83\xC2\xA9"}));
}

TEST(PreTokenizer, NamesAndAliases) {
    EXPECT_EQ(find_pre_tokenizer("")->family, "default");  // tokenizer.ggml.pre absent
    EXPECT_EQ(find_pre_tokenizer("llama-bpe")->family, "llama3");
    EXPECT_TRUE(find_pre_tokenizer("llama-bpe")->ignore_merges);
    EXPECT_TRUE(find_pre_tokenizer("llama-bpe")->add_bos);
    EXPECT_FALSE(find_pre_tokenizer("dbrx")->ignore_merges);  // llama3's pattern, not its flags
    EXPECT_EQ(find_pre_tokenizer("refact")->family, "starcoder");
    EXPECT_EQ(find_pre_tokenizer("mpt")->family, "gpt-2");
    EXPECT_EQ(find_pre_tokenizer("deepseek-r1-qwen")->family, "qwen2");
    EXPECT_TRUE(find_pre_tokenizer("chatglm-bpe")->no_bos_token);
    EXPECT_EQ(find_pre_tokenizer("gpt-4o"), nullptr);  // not supported: refused, not approximated
    EXPECT_EQ(find_pre_tokenizer("tekken"), nullptr);
    EXPECT_EQ(find_pre_tokenizer("no-such-thing"), nullptr);
}

// ---- the engine ----

std::vector<uint32_t> cps(std::string_view utf8) { return unicode::decode_utf8(utf8); }

// Pieces (matches and the text between them) as UTF-8 strings.
std::vector<std::string> split(std::string_view pattern, std::string_view text) {
    const SplitPattern p = SplitPattern::compile(pattern);
    const std::vector<uint32_t> t = cps(text);
    std::vector<size_t> lengths;
    p.split(t, lengths);
    std::vector<std::string> out;
    size_t at = 0;
    for (const size_t n : lengths) {
        std::string s;
        for (size_t i = at; i < at + n; ++i) unicode::append_utf8(s, t[i]);
        out.push_back(s);
        at += n;
    }
    return out;
}

using Pieces = std::vector<std::string>;

TEST(SplitPattern, AlternativesAreTriedInOrderNotLongestFirst) {
    EXPECT_EQ(split("a|ab", "ab"), (Pieces{"a", "b"}));
    EXPECT_EQ(split("ab|a", "ab"), (Pieces{"ab"}));
}

TEST(SplitPattern, UnmatchedTextBecomesItsOwnPiece) {
    EXPECT_EQ(split("b+", "aabbbcc"), (Pieces{"aa", "bbb", "cc"}));
    EXPECT_EQ(split("x", "abc"), (Pieces{"abc"}));
}

TEST(SplitPattern, GreedyQuantifiersBacktrack) {
    EXPECT_EQ(split("\\s+(?!\\S)", "a   b"), (Pieces{"a", "  ", " b"}));  // the last space is left
    EXPECT_EQ(split("\\s*[\\r\\n]+", "  \n \n  x"), (Pieces{"  \n \n", "  x"}));
    EXPECT_EQ(split("\\p{N}{1,3}", "1234567"), (Pieces{"123", "456", "7"}));
    EXPECT_EQ(split("a{2}", "aaaaa"), (Pieces{"aa", "aa", "a"}));
    EXPECT_EQ(split("ab?c", "acabc"), (Pieces{"ac", "abc"}));
}

TEST(SplitPattern, OptionalGroupAndLookahead) {
    EXPECT_EQ(split("\\p{L}+(?:'s|'t)?", "it's dog't"), (Pieces{"it's", " ", "dog't"}));
    EXPECT_EQ(split("a(?=b)", "aab"), (Pieces{"a", "a", "b"}));
    EXPECT_EQ(split("a(?!b)", "aab"), (Pieces{"a", "ab"}));
}

TEST(SplitPattern, DollarIsTheEndOfThePiece) {
    EXPECT_EQ(split("\\s+$", "a  b  "), (Pieces{"a  b", "  "}));
    EXPECT_EQ(split("\\s+$", "a \n"), (Pieces{"a", " \n"}));  // not "before a final newline"
}

TEST(SplitPattern, ClassesFollowLlamaCpp) {
    // '~' is no symbol; '$' and '+' are.
    EXPECT_EQ(split("\\p{S}+", "$+~"), (Pieces{"$+", "~"}));
    // Literal ranges never match non-ASCII white space (U+3000 lies inside 3000-3002)...
    EXPECT_EQ(split("[\\x{3000}-\\x{3002}]+", "\xE3\x80\x80\xE3\x80\x81"), (Pieces{"\xE3\x80\x80", "\xE3\x80\x81"}));
    // ... but \s and negated classes do.
    EXPECT_EQ(split("[^a]+", "\xE3\x80\x80" "a"), (Pieces{"\xE3\x80\x80", "a"}));
    EXPECT_EQ(split("\\s", "\xE3\x80\x80"), (Pieces{"\xE3\x80\x80"}));
    // \p{Han} is kimi-k2's ranges: U+4E00 is in, U+3005 (Script=Han) is not.
    EXPECT_EQ(split("\\p{Han}+", "\xE4\xB8\x80\xE3\x80\x85"), (Pieces{"\xE4\xB8\x80", "\xE3\x80\x85"}));
    EXPECT_EQ(split("[\\p{L}--\\p{Han}]+", "ab\xE4\xB8\x80" "c"), (Pieces{"ab", "\xE4\xB8\x80", "c"}));
    // Escapes inside classes.
    EXPECT_EQ(split("[\\-\\[\\]\\\\]+", "a-[]\\b"), (Pieces{"a", "-[]\\", "b"}));
}

TEST(SplitPattern, RefusesWhatItDoesNotImplement) {
    for (const char* bad : {"a+?", "a++", "(a)+", ".", "\\d", "\\p{Lu}", "[a", "(a", "a)", "[b-a]", "", "a*",
                            "(?<=a)b", "\\x{110000}"}) {
        EXPECT_THROW((void)SplitPattern::compile(bad), Error) << bad;
    }
}

TEST(Utf8, DecodesAsLlamaCpp) {
    EXPECT_EQ(cps("a\xC3\xA9"), (std::vector<uint32_t>{'a', 0xE9}));
    EXPECT_EQ(cps("\xC0\x80"), (std::vector<uint32_t>{0}));            // overlong: accepted
    EXPECT_EQ(cps("\xED\xA0\x80"), (std::vector<uint32_t>{0xD800}));   // surrogate: accepted
    EXPECT_EQ(cps("\xE4\xB8"), (std::vector<uint32_t>{0xFFFD, 0xFFFD}));  // truncated: one per byte
    EXPECT_EQ(cps("\x80" "a"), (std::vector<uint32_t>{0xFFFD, 'a'}));
    EXPECT_EQ(cps("\xF8\x88\x80\x80\x80"), (std::vector<uint32_t>(5, 0xFFFD)));
    EXPECT_EQ(cps("\xF0\x9F\x98\x80"), (std::vector<uint32_t>{0x1F600}));
    EXPECT_EQ(cps("\xF5\x80\x80\x80"), (std::vector<uint32_t>{0xFFFD}));  // above U+10FFFF
    EXPECT_EQ(unicode::encode_utf8(0x1F600), "\xF0\x9F\x98\x80");
    EXPECT_EQ(unicode::encode_utf8(0xD800), "\xED\xA0\x80");
}

TEST(Unicode, ClassesOfKnownCodePoints) {
    EXPECT_EQ(unicode::category('A'), unicode::Category::Lu);
    EXPECT_EQ(unicode::category('~'), unicode::Category::Sm);
    EXPECT_EQ(unicode::category(0x0301), unicode::Category::Mn);
    EXPECT_EQ(unicode::category(0x0661), unicode::Category::Nd);
    EXPECT_EQ(unicode::category(0x2EBF0), unicode::Category::Lo);  // added in Unicode 15.1
    EXPECT_EQ(unicode::category(0x0378), unicode::Category::Cn);
    EXPECT_EQ(unicode::classes(0x3000), unicode::kSeparator | unicode::kWhiteSpace);
    EXPECT_EQ(unicode::classes(0x0085), unicode::kOther | unicode::kWhiteSpace);
    EXPECT_EQ(unicode::classes(0x001C), unicode::kOther);  // not White_Space
    EXPECT_TRUE(unicode::is_kimi_han(0x4E00));
    EXPECT_FALSE(unicode::is_kimi_han(0x3005));
    EXPECT_TRUE(unicode::is_kimi_han(0x2EBEF));
    EXPECT_FALSE(unicode::is_kimi_han(0x2EBF0));
}

TEST(ByteEncoding, Gpt2Alphabet) {
    EXPECT_EQ(byte_to_codepoint('A'), uint32_t{'A'});
    EXPECT_EQ(byte_to_codepoint(0x00), 0x100u);
    EXPECT_EQ(byte_to_codepoint(' '), 0x120u);
    EXPECT_EQ(byte_to_codepoint('\n'), 0x10Au);
    EXPECT_EQ(byte_to_codepoint(0x7F), 0x121u);
    EXPECT_EQ(byte_to_codepoint(0xA0), 0x142u);
    EXPECT_EQ(byte_to_codepoint(0xAD), 0x143u);
    EXPECT_EQ(byte_to_codepoint(0xFF), 0xFFu);
    for (int b = 0; b < 256; ++b) EXPECT_EQ(codepoint_to_byte(byte_to_codepoint(static_cast<uint8_t>(b))), b);
    EXPECT_FALSE(codepoint_to_byte(0x144).has_value());
    EXPECT_FALSE(codepoint_to_byte(0xAD).has_value());
}

}  // namespace
}  // namespace sy::text
