#include "text/pretokenize.hpp"

#include <algorithm>
#include <array>

#include "text/byte_encoding.hpp"
#include "text/unicode.hpp"

namespace sy::text {

namespace {

// The patterns are ik_llama.cpp's (src/llama-vocab.cpp), as its splitter runs them. Where
// llama.cpp hands a pattern to a hand-written matcher instead of a regex engine, the pattern
// here is the one that matcher implements; the notes say where that differs from the original.

// GPT-2's pattern. The contractions are case-sensitive.
constexpr std::string_view kGpt2 =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

// Llama 3 and Qwen2. The model's pattern starts with "(?i:'s|'t|'re|'ve|'m|'ll|'d)"; llama.cpp
// hands these to a hand-written matcher that lower-cases the letter after the apostrophe with a
// binary search over an unordered map, which (with libstdc++) finds no ASCII letter at all. So
// in effect the contractions are case-sensitive ("'S" is not one), and they are written so here.
constexpr std::string_view kLlama3 =
    "(?:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
    "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Qwen2: Llama 3 with single digits.
constexpr std::string_view kQwen2 =
    "(?:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
    "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Kimi-K2. The model's pattern distinguishes upper/lower-case letter runs and includes marks;
// llama.cpp's matcher for it does not: a word is an optional lead character and a run of any
// non-Han letters, with an optional (case-sensitive, as above) contraction; Han ideographs (its
// fixed ranges) form runs of their own.
constexpr std::string_view kKimiK2Pattern =
    "\\p{Han}+|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}--\\p{Han}]+(?:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

constexpr std::array<std::string_view, 1> kGpt2Patterns = {kGpt2};
constexpr std::array<std::string_view, 1> kLlama3Patterns = {kLlama3};
constexpr std::array<std::string_view, 1> kQwen2Patterns = {kQwen2};
constexpr std::array<std::string_view, 1> kKimiK2Patterns = {kKimiK2Pattern};

constexpr std::array<std::string_view, 4> kDefaultPatterns = {
    "[\\p{P}\\$\\+<=>\\^~\\|]+",
    kGpt2,
    "\\p{N}+",
    "[0-9][0-9][0-9]",
};

// Code points outside ASCII are written as \x{...}: literal characters in the source could be
// silently normalized (U+1F7D and U+03CE are canonically equivalent, for one), and these
// ranges must stay byte-exact copies of llama.cpp's.
constexpr std::array<std::string_view, 6> kDeepseekLlmPatterns = {
    "[\r\n]",
    "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}"
    "\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}"
    "\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}"
    "\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}"
    "\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
    "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}"
    "\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}"
    "\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}"
    "\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}"
    "\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
    "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}"
    "\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}"
    "\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}"
    "\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
    "\\x{1E900}-\\x{1E943}]+",
    "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
    "\\s+$",
    "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
    "\\p{N}+",
};

constexpr std::array<std::string_view, 5> kDeepseekCoderPatterns = {
    "[\r\n]",
    "\\s?\\p{L}+",
    "\\s?\\p{P}+",
    "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
    "\\p{N}",
};

constexpr std::array<std::string_view, 3> kDeepseekV3Patterns = {
    "\\p{N}{1,3}",
    "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
    "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
};

constexpr std::array<std::string_view, 3> kFalconPatterns = {
    "[\\p{P}\\$\\+<=>\\^~\\|`]+",
    kGpt2,
    "[0-9][0-9][0-9]",
};

constexpr std::array<std::string_view, 2> kStarcoderPatterns = {
    "\\p{N}",
    kGpt2,
};

// One entry per family; aliases below point at these.
const PreTokenizerInfo kDefault{"default", kDefaultPatterns};
const PreTokenizerInfo kLlama3Family{"llama3", kLlama3Patterns, /*ignore_merges=*/true, /*add_bos=*/true};
const PreTokenizerInfo kLlama3Regex{"dbrx", kLlama3Patterns};  // dbrx, smaug-bpe: the pattern only
const PreTokenizerInfo kChatGlm4{"chatglm4", kLlama3Patterns, false, false, /*no_bos_token=*/true};
const PreTokenizerInfo kDeepseekLlm{"deepseek-llm", kDeepseekLlmPatterns};
const PreTokenizerInfo kDeepseekCoder{"deepseek-coder", kDeepseekCoderPatterns};
const PreTokenizerInfo kDeepseekV3{"deepseek-v3", kDeepseekV3Patterns};
const PreTokenizerInfo kFalcon{"falcon", kFalconPatterns};
const PreTokenizerInfo kStarcoder{"starcoder", kStarcoderPatterns};
const PreTokenizerInfo kGpt2Family{"gpt-2", kGpt2Patterns};
const PreTokenizerInfo kQwen2Family{"qwen2", kQwen2Patterns};
const PreTokenizerInfo kKimiK2{"kimi-k2", kKimiK2Patterns};

struct Alias {
    std::string_view name;
    const PreTokenizerInfo* info;
};

// tokenizer.ggml.pre values, grouped as llama.cpp's loader groups them.
const Alias kAliases[] = {
    {"", &kDefault}, {"default", &kDefault},
    {"llama3", &kLlama3Family}, {"llama-v3", &kLlama3Family}, {"llama-bpe", &kLlama3Family},
    {"laguna", &kLlama3Family}, {"falcon3", &kLlama3Family}, {"falcon-h1", &kLlama3Family},
    {"pixtral", &kLlama3Family}, {"midm-2.0", &kLlama3Family}, {"lfm2", &kLlama3Family},
    {"jina-v5-nano", &kLlama3Family},
    {"dbrx", &kLlama3Regex}, {"smaug-bpe", &kLlama3Regex},
    {"glm4", &kChatGlm4}, {"chatglm-bpe", &kChatGlm4},
    {"deepseek-llm", &kDeepseekLlm},
    {"deepseek-coder", &kDeepseekCoder},
    {"deepseek-v3", &kDeepseekV3}, {"hunyuan-dense", &kDeepseekV3}, {"joyai-llm", &kDeepseekV3},
    {"falcon", &kFalcon},
    {"starcoder", &kStarcoder}, {"refact", &kStarcoder}, {"command-r", &kStarcoder},
    {"cohere2_moe", &kStarcoder}, {"smollm", &kStarcoder}, {"codeshell", &kStarcoder},
    {"exaone", &kStarcoder}, {"minerva-7b", &kStarcoder}, {"mellum2", &kStarcoder},
    {"gpt-2", &kGpt2Family}, {"phi-2", &kGpt2Family}, {"jina-es", &kGpt2Family},
    {"jina-de", &kGpt2Family}, {"gigachat", &kGpt2Family}, {"jina-v2-es", &kGpt2Family},
    {"jina-v2-de", &kGpt2Family}, {"a.x-4.0", &kGpt2Family}, {"mellum", &kGpt2Family},
    {"modern-bert", &kGpt2Family}, {"jina-v1-en", &kGpt2Family}, {"jina-v2-code", &kGpt2Family},
    {"roberta-bpe", &kGpt2Family}, {"mpt", &kGpt2Family}, {"olmo", &kGpt2Family},
    {"jais", &kGpt2Family}, {"trillion", &kGpt2Family}, {"granite-docling", &kGpt2Family},
    {"exaone4", &kGpt2Family},
    {"qwen2", &kQwen2Family}, {"deepseek-r1-qwen", &kQwen2Family}, {"kormo", &kQwen2Family},
    {"openpangu", &kQwen2Family}, {"f2llmv2", &kQwen2Family}, {"megrez", &kQwen2Family},
    {"stablelm2", &kQwen2Family}, {"hunyuan", &kQwen2Family}, {"solar-open", &kQwen2Family},
    {"grok-2", &kQwen2Family},
    {"kimi-k2", &kKimiK2},
};

}  // namespace

const PreTokenizerInfo* find_pre_tokenizer(std::string_view name) {
    for (const Alias& a : kAliases) {
        if (a.name == name) return a.info;
    }
    return nullptr;
}

PreTokenizer::PreTokenizer(const PreTokenizerInfo& info) : info_(&info) {
    for (const std::string_view p : info.patterns) patterns_.push_back(SplitPattern::compile(p));
}

std::vector<size_t> PreTokenizer::word_lengths(std::span<const uint32_t> cps) const {
    // Piece lengths in code points; each pattern refines every piece of the previous pass.
    std::vector<size_t> pieces;
    if (cps.empty()) return pieces;
    pieces.push_back(cps.size());
    std::vector<size_t> refined;
    for (const SplitPattern& pattern : patterns_) {
        refined.clear();
        size_t offset = 0;
        for (const size_t len : pieces) {
            pattern.split(cps.subspan(offset, len), refined);
            offset += len;
        }
        pieces.swap(refined);
    }
    return pieces;
}

void PreTokenizer::split(std::string_view text, std::vector<std::string>& out_words) const {
    const std::vector<uint32_t> cps = unicode::decode_utf8(text);
    std::string utf8;
    size_t offset = 0;
    for (const size_t len : word_lengths(cps)) {
        // Re-encoding normalizes what decoding repaired (invalid bytes are U+FFFD from here on).
        utf8.clear();
        for (size_t i = offset; i < offset + len; ++i) unicode::append_utf8(utf8, cps[i]);
        offset += len;
        append_byte_encoded(out_words.emplace_back(), utf8);
    }
}

}  // namespace sy::text
