// Vocab::from_gguf: the tokenizer.ggml.* keys and the rules ik_llama.cpp's vocabulary loader
// applies on top of them (llama_vocab::impl::load).
//
//   key (tokenizer.ggml.)       type             default / rule
//   model                       string           required: "llama" (SPM) or "gpt2" (BPE)
//   pre                         string           BPE: pretokenize.hpp; absent = "default"
//   tokens                      array[string]    required; an empty text reads "[EMPTY_<id>]"
//   scores                      array[f32]       0; at least one per token
//   token_type                  array[int]       normal; at least one per token
//   merges                      array[string]    required for BPE (not for kimi-k2)
//   add_space_prefix            bool             SPM true, BPE false (only SPM uses it)
//   add_bos_token/add_eos_token bool             SPM true/false; BPE per pre-tokenizer/false
//   bos/eos/unknown/... _id     integer          SPM 1/2/0, BPE 11/11/none; an id outside the
//                                                vocabulary is ignored (llama.cpp warns)
//
// Then, as llama.cpp: EOT/EOM/FIM tokens found by their text when no key names them, which also
// makes them control tokens; the end-of-generation set; a few per-model fixes keyed on token
// texts or general.name. llama.cpp walks its text->id hash map for the searches by text, and
// where a vocabulary holds two candidates the first one met wins; the same std::unordered_map,
// built in the same order, is walked here so the same one wins.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <unordered_map>

#include "common/error.hpp"
#include "gguf/gguf_file.hpp"
#include "text/tokenizer_impl.hpp"

namespace sy::text {

namespace {

using gguf::KeyValue;
using gguf::Value;
using gguf::ValueType;

constexpr int32_t kBpeDefaultBosEos = 11;  // llama.cpp's BPE default for both

// Typed, optional access to the file's keys; every failure names the file and the key.
class Keys {
public:
    explicit Keys(const gguf::GgufFile& file) : file_(file) {}

    [[noreturn]] void fail(const std::string& message) const { throw Error(file_.path() + ": " + message); }

    const KeyValue* find(std::string_view key) const { return file_.find(key); }

    std::optional<std::string> string(std::string_view key) const {
        const KeyValue* kv = find(key);
        if (!kv) return std::nullopt;
        if (kv->value.type() != ValueType::String) wrong_type(*kv, "string");
        return std::string(kv->value.as_string());
    }

    std::optional<bool> boolean(std::string_view key) const {
        const KeyValue* kv = find(key);
        if (!kv) return std::nullopt;
        if (kv->value.type() != ValueType::Bool) wrong_type(*kv, "bool");
        return kv->value.as_bool();
    }

    std::optional<int64_t> integer(std::string_view key) const {
        const KeyValue* kv = find(key);
        if (!kv) return std::nullopt;
        if (!kv->value.is_integer()) wrong_type(*kv, "an integer");
        if (kv->value.type() == ValueType::U64) {
            const uint64_t v = kv->value.as_u64();
            return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
        }
        return kv->value.as_i64();
    }

    // An array whose elements satisfy `elem_ok`; nullptr when absent.
    template <class Pred>
    const Value* array(std::string_view key, const char* expected, Pred elem_ok) const {
        const KeyValue* kv = find(key);
        if (!kv) return nullptr;
        if (!kv->value.is_array() || !elem_ok(kv->value.elem_type())) wrong_type(*kv, expected);
        return &kv->value;
    }

private:
    [[noreturn]] void wrong_type(const KeyValue& kv, const char* expected) const {
        fail(kv.what() + " is " + kv.value.type_text() + ", expected " + expected);
    }

    const gguf::GgufFile& file_;
};

bool is_string(ValueType t) { return t == ValueType::String; }
bool is_f32(ValueType t) { return t == ValueType::F32; }
bool is_int(ValueType t) {
    return t == ValueType::I8 || t == ValueType::U8 || t == ValueType::I16 || t == ValueType::U16 ||
           t == ValueType::I32 || t == ValueType::U32 || t == ValueType::I64 || t == ValueType::U64;
}

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type) -> attributes.
uint16_t attr_of_type(int64_t type) {
    switch (type) {
        case 1: return kAttrNormal;
        case 2: return kAttrUnknown;
        case 3: return kAttrControl;
        case 4: return kAttrUserDefined;
        case 5: return kAttrUnused;
        case 6: return kAttrByte;
        default: return kAttrUndefined;
    }
}

template <size_t N>
bool one_of(std::string_view text, const std::array<std::string_view, N>& list) {
    return std::find(list.begin(), list.end(), text) != list.end();
}

// Texts llama.cpp recognizes when no key names the token.
constexpr std::array<std::string_view, 11> kEotTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<EOT>", "_<EOT>", "[EOT]", "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>",
    "<end_of_utterance>"};
constexpr std::array<std::string_view, 1> kEomTexts = {"<|eom_id|>"};
constexpr std::array<std::string_view, 8> kFimPreTexts = {
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>",
    "<PRE>", "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"};
constexpr std::array<std::string_view, 8> kFimSufTexts = {
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "hole\xEF\xBD\x9C>",
    "<SUF>", "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"};
constexpr std::array<std::string_view, 8> kFimMidTexts = {
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>",
    "<MID>", "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"};
constexpr std::array<std::string_view, 5> kFimPadTexts = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"};
constexpr std::array<std::string_view, 5> kFimRepTexts = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
                                                         "<reponame>"};
constexpr std::array<std::string_view, 1> kFimSepTexts = {"<|file_sep|>"};
// End-of-generation texts.
constexpr std::array<std::string_view, 21> kEogTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>"};
// gpt-oss channel markers, always rendered as text.
constexpr std::array<std::string_view, 4> kAlwaysUserDefined = {"<|channel|>", "<|message|>", "<|start|>",
                                                                 "<|constrain|>"};

void read_tokens(const Keys& keys, Vocab::Impl& v) {
    const Value* list = keys.array("tokenizer.ggml.tokens", "array of string", is_string);
    if (!list) keys.fail("key 'tokenizer.ggml.tokens' is missing (no tokenizer vocabulary in this file)");
    const uint64_t n = list->size();
    if (n == 0 || n > static_cast<uint64_t>(INT32_MAX)) {
        keys.fail("key 'tokenizer.ggml.tokens' holds " + std::to_string(n) + " tokens");
    }
    const Value* scores = keys.array("tokenizer.ggml.scores", "array of f32", is_f32);
    if (scores && scores->size() < n) {
        keys.fail("key 'tokenizer.ggml.scores' has " + std::to_string(scores->size()) + " entries for " +
                  std::to_string(n) + " tokens");
    }
    const Value* types = keys.array("tokenizer.ggml.token_type", "array of integers", is_int);
    if (types && types->size() < n) {
        keys.fail("key 'tokenizer.ggml.token_type' has " + std::to_string(types->size()) + " entries for " +
                  std::to_string(n) + " tokens");
    }
    const std::span<const float> score_values = scores ? scores->span<float>() : std::span<const float>();

    v.tokens.resize(n);
    v.id_by_text.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
        TokenData& t = v.tokens[i];
        t.text = std::string(list->string_at(i));
        if (t.text.empty()) t.text = "[EMPTY_" + std::to_string(i) + "]";
        t.score = scores ? score_values[i] : 0.0f;
        t.attr = types ? attr_of_type(types->i64_at(i)) : static_cast<uint16_t>(kAttrNormal);
        const auto [it, inserted] = v.id_by_text.emplace(t.text, static_cast<int32_t>(i));
        if (!inserted) {
            keys.fail("key 'tokenizer.ggml.tokens': token " + std::to_string(i) + " repeats the text of token " +
                      std::to_string(it->second));
        }
    }
}

void read_merges(const Keys& keys, Vocab::Impl& v, bool required) {
    const Value* merges = keys.array("tokenizer.ggml.merges", "array of string", is_string);
    if (!merges) {
        if (required) keys.fail("key 'tokenizer.ggml.merges' is missing (a gpt2 tokenizer needs its merges)");
        return;
    }
    v.merge_rank.reserve(merges->size());
    for (uint64_t i = 0; i < merges->size(); ++i) {
        // A line is "left right"; a repeated line keeps its first rank.
        v.merge_rank.emplace(std::string(merges->string_at(i)), static_cast<int32_t>(i));
    }
}

void read_special_ids(const Keys& keys, Vocab::Impl& v) {
    const std::pair<const char*, int32_t*> kIds[] = {
        {"tokenizer.ggml.bos_token_id", &v.bos},
        {"tokenizer.ggml.eos_token_id", &v.eos},
        {"tokenizer.ggml.eot_token_id", &v.eot},
        {"tokenizer.ggml.eom_token_id", &v.eom},
        {"tokenizer.ggml.unknown_token_id", &v.unk},
        {"tokenizer.ggml.seperator_token_id", &v.sep},  // sic: llama.cpp's spelling
        {"tokenizer.ggml.padding_token_id", &v.pad},
        {"tokenizer.ggml.mask_token_id", &v.mask},
        {"tokenizer.ggml.fim_pre_token_id", &v.fim_pre},
        {"tokenizer.ggml.fim_suf_token_id", &v.fim_suf},
        {"tokenizer.ggml.fim_mid_token_id", &v.fim_mid},
        {"tokenizer.ggml.fim_pad_token_id", &v.fim_pad},
        {"tokenizer.ggml.fim_rep_token_id", &v.fim_rep},
        {"tokenizer.ggml.fim_sep_token_id", &v.fim_sep},
        {"tokenizer.ggml.prefix_token_id", &v.fim_pre},  // older names of the FIM keys
        {"tokenizer.ggml.suffix_token_id", &v.fim_suf},
        {"tokenizer.ggml.middle_token_id", &v.fim_mid},
    };
    const auto n = static_cast<int64_t>(v.tokens.size());
    for (const auto& [key, id] : kIds) {
        const std::optional<int64_t> value = keys.integer(key);
        if (value && *value >= 0 && *value < n) *id = static_cast<int32_t>(*value);
    }
}

// Token searches by text, EOG set and the per-model fixes (see the header comment).
void apply_text_rules(const Keys& keys, Vocab::Impl& v) {
    std::unordered_map<std::string, int32_t> walk_order;  // llama.cpp's map type and insertion order
    for (size_t i = 0; i < v.tokens.size(); ++i) walk_order[v.tokens[i].text] = static_cast<int32_t>(i);

    const auto make_control = [&](int32_t id) { v.tokens[static_cast<size_t>(id)].attr |= kAttrControl; };
    for (const auto& [text, id] : walk_order) {
        const auto detect = [&](int32_t& slot, const auto& texts) {
            if (slot == kNoToken && one_of(text, texts)) {
                slot = id;
                make_control(id);
            }
        };
        detect(v.eot, kEotTexts);
        detect(v.eom, kEomTexts);
        detect(v.fim_pre, kFimPreTexts);
        detect(v.fim_suf, kFimSufTexts);
        detect(v.fim_mid, kFimMidTexts);
        detect(v.fim_pad, kFimPadTexts);
        detect(v.fim_rep, kFimRepTexts);
        detect(v.fim_sep, kFimSepTexts);
    }

    std::vector<int32_t> eog;
    for (const int32_t id : {v.fim_pad, v.fim_rep, v.fim_sep}) {
        if (id != kNoToken) eog.push_back(id);
    }
    for (const auto& [text, id] : walk_order) {
        if (one_of(text, kEogTexts)) {
            eog.push_back(id);
            make_control(id);
        }
    }
    for (const auto& [text, id] : walk_order) {
        if (one_of(text, kAlwaysUserDefined)) v.tokens[static_cast<size_t>(id)].attr = kAttrUserDefined;
    }
    for (const int32_t id : {v.eos, v.eot, v.eom}) {
        if (id != kNoToken) eog.push_back(id);
    }
    std::sort(eog.begin(), eog.end());
    eog.erase(std::unique(eog.begin(), eog.end()), eog.end());

    const auto eog_text = [&](std::string_view text) -> int32_t {
        for (const int32_t id : eog) {
            if (v.tokens[static_cast<size_t>(id)].text == text) return id;
        }
        return kNoToken;
    };
    const auto drop_eog = [&](int32_t id, uint16_t new_attr) {
        eog.erase(std::find(eog.begin(), eog.end(), id));
        v.tokens[static_cast<size_t>(id)].attr = new_attr;
    };
    // o200k_harmony / solar-open: "<|end|>" ends a message, not the generation.
    const bool has_return = eog_text("<|return|>") != kNoToken;
    const bool has_call = eog_text("<|call|>") != kNoToken || eog_text("<|calls|>") != kNoToken;
    const bool has_flush = eog_text("<|flush|>") != kNoToken;
    const int32_t end_id = eog_text("<|end|>");
    if (end_id != kNoToken && has_call && (has_return || has_flush)) drop_eog(end_id, kAttrUserDefined);
    // gemma4 / paddleocr: "</s>" is not an end of generation there.
    const int32_t s_id = eog_text("</s>");
    if (s_id != kNoToken && eog_text("<|tool_response>") != kNoToken) drop_eog(s_id, kAttrNormal);
    v.eog = std::move(eog);

    // Tokens cut out of text before tokenizing, longest first (llama.cpp sorts with std::sort
    // by length only; the same call on the same input gives the same order of equal lengths).
    for (size_t i = 0; i < v.tokens.size(); ++i) {
        if (v.tokens[i].attr & (kAttrControl | kAttrUserDefined | kAttrUnknown)) {
            v.special_order.push_back(static_cast<int32_t>(i));
        }
    }
    std::sort(v.special_order.begin(), v.special_order.end(), [&](int32_t a, int32_t b) {
        return v.tokens[static_cast<size_t>(a)].text.size() > v.tokens[static_cast<size_t>(b)].text.size();
    });

    // Strip attributes some models' special tokens carry, keyed on names.
    std::string name = keys.string("general.name").value_or("");
    std::transform(name.begin(), name.end(), name.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
    const std::string arch = keys.string("general.architecture").value_or("");
    const auto contains = [](std::string_view s, std::initializer_list<std::string_view> parts) {
        return std::any_of(parts.begin(), parts.end(), [&](std::string_view p) { return s.find(p) != s.npos; });
    };
    const auto set_attr = [&](std::string_view text, uint16_t bit, bool on) {
        const int32_t id = v.find(text);
        if (id == kNoToken) return;
        uint16_t& attr = v.tokens[static_cast<size_t>(id)].attr;
        attr = on ? static_cast<uint16_t>(attr | bit) : static_cast<uint16_t>(attr & ~bit);
    };
    if (contains(v.pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"}) ||
        contains(arch, {"nomic-bert-moe", "jina-bert-v3"})) {
        set_attr("<mask>", kAttrLStrip, true);
    } else if (contains(name, {"phi-3", "phi3"})) {
        for (const int32_t id : v.special_order) v.tokens[static_cast<size_t>(id)].attr |= kAttrRStrip;
        set_attr("</s>", kAttrRStrip, true);
        for (const std::string_view t : {"<unk>", "<s>", "<|endoftext|>"}) set_attr(t, kAttrRStrip, false);
    } else if (contains(name, {"modern-bert"})) {
        set_attr("[MASK]", kAttrLStrip, true);
    }
}

}  // namespace

Vocab Vocab::from_gguf(const gguf::GgufFile& file) {
    const Keys keys(file);
    auto v = std::make_unique<Impl>();
    v->path = file.path();

    const std::optional<std::string> model = keys.string("tokenizer.ggml.model");
    if (!model) keys.fail("key 'tokenizer.ggml.model' is missing (no tokenizer in this file)");
    v->model = *model;
    v->pre = keys.string("tokenizer.ggml.pre").value_or("");

    const PreTokenizerInfo* pre_info = nullptr;
    if (v->model == "llama") {
        v->kind = VocabKind::Spm;
        v->bos = 1;
        v->eos = 2;
        v->unk = 0;
        v->add_space_prefix = true;
        v->add_bos = true;
    } else if (v->model == "gpt2") {
        v->kind = VocabKind::Bpe;
        pre_info = find_pre_tokenizer(v->pre);
        if (!pre_info) keys.fail("key 'tokenizer.ggml.pre': pre-tokenizer '" + v->pre + "' is not supported");
        v->bos = pre_info->no_bos_token ? kNoToken : kBpeDefaultBosEos;
        v->eos = kBpeDefaultBosEos;
        v->add_bos = pre_info->add_bos;
        v->ignore_merges = pre_info->ignore_merges;
    } else if (v->model == "none" || v->model == "no_vocab") {
        keys.fail("key 'tokenizer.ggml.model' is '" + v->model + "': this model has no vocabulary");
    } else {
        keys.fail("key 'tokenizer.ggml.model': tokenizer '" + v->model + "' is not supported (llama, gpt2)");
    }
    if (const auto b = keys.boolean("tokenizer.ggml.add_space_prefix")) v->add_space_prefix = *b;

    read_tokens(keys, *v);
    if (v->kind == VocabKind::Bpe) {
        read_merges(keys, *v, /*required=*/pre_info->family != "kimi-k2");
        v->pre_tokenizer.emplace(*pre_info);
    }

    read_special_ids(keys, *v);
    if (const auto b = keys.boolean("tokenizer.ggml.add_bos_token")) v->add_bos = *b;
    if (const auto b = keys.boolean("tokenizer.ggml.add_eos_token")) v->add_eos = *b;

    apply_text_rules(keys, *v);

    if (v->kind == VocabKind::Spm) {
        std::array<bool, 128> in_longer_token{};
        for (const TokenData& t : v->tokens) {
            if (t.text.size() < 2) continue;
            for (const char c : t.text) {
                if (static_cast<uint8_t>(c) < 0x80) in_longer_token[static_cast<uint8_t>(c)] = true;
            }
        }
        for (size_t b = 0; b < 128; ++b) v->spm_never_merged[b] = !in_longer_token[b];
    }

    v->pieces.resize(v->tokens.size());
    for (size_t i = 0; i < v->tokens.size(); ++i) v->pieces[i] = v->make_piece(static_cast<int32_t>(i));
    return Vocab(std::move(v));
}

}  // namespace sy::text
