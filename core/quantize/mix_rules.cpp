#include "quantize/mix_rules.hpp"

#include <charconv>
#include <initializer_list>

#include "common/error.hpp"
#include "quantize/type_ids.hpp"
#include "types/type_registry.hpp"

namespace sy::quantize {
namespace {

using namespace type_ids;

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
        if (n == name) return true;
    return false;
}

// The anchor's "use more bits" layers: the first and last eighth, and every third in between.
bool use_more_bits(int i_layer, int n_layer) {
    return i_layer < n_layer / 8 || i_layer >= 7 * n_layer / 8 || (i_layer - n_layer / 8) % 3 == 2;
}

// One step up in precision, used for attn_v of grouped-query models.
int32_t bump_for_gqa(int32_t t) {
    switch (t) {
        case kQ2_K: case kIQ3_XXS: return kIQ3_S;
        case kQ3_K: case kIQ3_S: return kQ4_K;
        case kIQ3_K: return kIQ4_K;
        case kIQ3_KS: case kIQ2_KL: return kIQ4_KS;
        case kQ4_K: case kIQ4_XS: case kIQ4_NL: return kQ5_K;
        case kIQ4_K: case kIQ4_KS: return kIQ5_K;
        case kQ5_K: return kQ6_K;
        case kIQ5_K: case kIQ5_KS: return kIQ6_K;
        default: return t;
    }
}

}  // namespace

MixRules::MixRules(ModelFacts facts, FileType file_type, bool has_imatrix, RoleOverrides overrides)
    : facts_(std::move(facts)), file_type_(file_type), has_imatrix_(has_imatrix), overrides_(overrides) {}

bool MixRules::model_is_8b() const { return facts_.arch == "llama" && facts_.n_layer == 32 && facts_.n_vocab >= 40000; }
bool MixRules::model_is_70b() const { return facts_.arch == "llama" && facts_.n_layer == 80; }

int MixRules::layer_of(std::string_view name, int counter) const {
    if (facts_.n_expert <= 1) return counter;
    int layer = -1;
    if (name.starts_with("blk.")) {
        const char* begin = name.data() + 4;
        const char* end = name.data() + name.size();
        auto [p, ec] = std::from_chars(begin, end, layer);
        if (ec != std::errc() || p == end || *p != '.') layer = -1;
    }
    if (layer < 0 || layer >= facts_.n_layer)
        throw Error("tensor '" + std::string(name) + "': cannot tell its layer (expected 'blk.N.' with N < " +
                    std::to_string(facts_.n_layer) + ")");
    return layer;
}

int32_t MixRules::output_type(int64_t ne0, int32_t current) const {
    if (overrides_.output) return overrides_.output->id;
    if (facts_.arch == "falcon" || ne0 % 256 != 0) return kQ8_0;
    if (one_of(file_type_.name, {"IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M", "IQ2_K",
                                 "IQ3_K", "IQ2_KS", "IQ3_KS", "IQ2_KL", "IQ2_KT", "IQ3_KT", "IQ1_KT"}))
        return facts_.has_output ? kQ5_K : kIQ4_K;
    if (one_of(file_type_.name, {"IQ3_S", "IQ3_M", "IQ3_KL", "IQ4_XS", "IQ4_KS", "IQ4_KSS"}) && !facts_.has_output)
        return kIQ5_K;
    if (current != kQ8_0 && current != kIQ6_K) return kQ6_K;
    return current;
}

int32_t MixRules::token_embd_type(int32_t current) const {
    if (overrides_.token_embedding) return overrides_.token_embedding->id;
    if (one_of(file_type_.name, {"IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"})) return kQ2_K;
    if (one_of(file_type_.name, {"IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_KT"})) return kIQ3_S;
    return current;
}

// IQ2_KT: the trellis mix keeps attention and shared experts well above 2 bits.
int32_t MixRules::iq2_kt_rules(std::string_view name, int32_t current) {
    const int n_expert = facts_.n_expert, n_gqa = facts_.n_gqa();
    if (contains(name, "attn_v.weight")) {
        ++i_attention_wv_;
        return (n_expert >= 4 || n_gqa >= 4) ? kIQ4_K : n_gqa >= 2 ? kIQ3_K : kQ2_K;
    }
    if (n_expert >= 8 && contains(name, "attn_k")) return kQ4_K;
    if (n_expert >= 8 && (contains(name, "blk.0.ffn_down") || contains(name, "blk.0.ffn_gate") ||
                          contains(name, "blk.0.ffn_up")))
        return kIQ3_K;
    if (n_expert >= 8 && contains(name, "attn_q")) return kQ4_K;
    if (contains(name, "attn_qkv.weight")) return kIQ3_K;
    if (contains(name, "_shexp.weight")) return kIQ4_K;
    if (contains(name, "ffn_down")) {
        const int layer = layer_of(name, i_ffn_down_);
        ++i_ffn_down_;
        return layer < facts_.n_layer / 8 ? kIQ3_K : current;
    }
    if (contains(name, "attn_output.weight")) return n_expert >= 4 ? kQ5_K : kIQ3_K;
    return current;
}

// IQ1_S/IQ1_M/IQ2_XXS/IQ2_XS/IQ2_S/IQ2_M/IQ2_KS: the very-low-bit mixes.
int32_t MixRules::very_low_bit_rules(std::string_view name, int32_t current) {
    const int n_expert = facts_.n_expert, n_gqa = facts_.n_gqa();
    const bool iq2_s_or_m = is("IQ2_S") || is("IQ2_M");
    if (contains(name, "attn_v.weight")) {
        ++i_attention_wv_;
        if (n_gqa >= 4 || n_expert >= 4) return kIQ4_K;
        if (n_gqa >= 2 || n_expert >= 2) return kIQ3_K;
        return iq2_s_or_m ? kIQ3_S : kQ2_K;
    }
    if (n_expert >= 8 && contains(name, "attn_k")) return kQ4_K;
    if (n_expert >= 8 && contains(name, "attn_q")) return kQ4_K;
    if (contains(name, "attn_qkv.weight")) return iq2_s_or_m ? kIQ3_XXS : kIQ2_K;
    if (contains(name, "ffn_down")) {
        // Counted, not parsed from the name, even in MoE models (as the anchor does).
        const bool first_eighth = i_ffn_down_ < facts_.n_layer / 8;
        ++i_ffn_down_;
        if (first_eighth) return iq2_s_or_m ? kIQ3_S : kQ2_K;
        return current;
    }
    if (contains(name, "attn_output.weight")) {
        if (n_expert >= 4) return kQ5_K;
        if (is("IQ1_S") || is("IQ1_M")) return kIQ2_K;
        if (iq2_s_or_m) return kIQ3_S;
    }
    return current;
}

int32_t MixRules::attn_v_type(int32_t current) {
    const int n_gqa = facts_.n_gqa();
    const int i = i_attention_wv_++;
    if (facts_.n_expert >= 4) return kQ8_0;  // 4-8 experts: cheap, and attention matters most
    if (model_is_70b()) {
        if (current == kQ3_K || current == kQ4_K) return kQ5_K;
        if (current == kIQ3_K) return kIQ5_K;
        return current;
    }
    if (is("Q2_K")) return n_gqa >= 4 ? kQ4_K : kQ3_K;
    if (is("IQ2_K")) return n_gqa >= 2 ? kIQ4_K : kIQ3_K;
    if (is("Q2_K_S") && n_gqa >= 4) return kQ4_K;
    if (is("IQ3_XXS")) return n_gqa >= 4 ? kQ4_K : n_gqa >= 2 ? kIQ3_K : !has_imatrix_ ? kIQ3_S : kIQ3_XXS;
    if (is("IQ3_KT")) return n_gqa >= 4 ? kIQ4_K : kIQ3_K;
    if (is("IQ4_KT")) return n_gqa >= 4 ? kIQ5_K : kIQ4_K;
    if ((is("IQ3_XS") || is("IQ3_S")) && n_gqa >= 2) return kIQ4_K;
    if (is("IQ3_K") && n_gqa >= 2) return kIQ4_K;
    if ((is("IQ3_KS") || is("IQ2_KL")) && n_gqa >= 2) return kIQ4_KS;
    if (is("IQ3_KL") || is("IQ3_M")) return n_gqa >= 2 ? kIQ5_K : kIQ4_K;
    if (is("Q3_K_M")) return i < 2 ? kQ5_K : kQ4_K;
    if (is("Q3_K_L")) return kQ5_K;
    if (one_of(file_type_.name, {"IQ4_NL", "IQ4_XS", "IQ4_KS", "IQ4_KSS", "IQ4_K"}) && n_gqa >= 2) return kIQ5_K;
    if ((is("Q4_K_M") || is("Q5_K_M")) && use_more_bits(i, facts_.n_attention_wv)) return kQ6_K;
    if (is("Q4_K_S") && i < 4) return kQ5_K;
    const bool llama3_size = facts_.n_vocab >= 127999 && (model_is_8b() || model_is_70b());
    if (is("Q5_K_S")) return llama3_size ? kQ6_K : current;
    if (is("IQ5_K") || is("IQ5_KS")) return llama3_size ? kIQ6_K : current;
    if (n_gqa >= 4) return bump_for_gqa(current);
    return current;
}

int32_t MixRules::attn_k_type(int32_t current) const {
    if (facts_.n_expert >= 4) return kQ8_0;
    if (is("IQ3_XS")) return kIQ3_XXS;
    if (is("IQ3_XXS")) return kIQ2_S;
    return current;
}

int32_t MixRules::attn_q_type(int32_t current) const {
    if (is("IQ3_XS")) return kIQ3_XXS;
    if (is("IQ3_XXS")) return kIQ2_S;
    const bool llama3_size = facts_.n_vocab >= 127999 && (model_is_8b() || model_is_70b());
    if (llama3_size && is("Q5_K_S")) return kQ4_K;
    if (llama3_size && is("IQ5_K")) return kIQ4_K;
    if (llama3_size && is("IQ5_KS")) return kIQ4_KS;
    return current;
}

int32_t MixRules::ffn_down_type(std::string_view name, int32_t current) {
    const int i_layer = layer_of(name, i_ffn_down_);
    const int n_layer = facts_.n_layer;
    ++i_ffn_down_;
    const bool falcon = facts_.arch == "falcon";
    if (is("Q2_K")) return kQ3_K;
    if (is("Q2_K_S")) return i_layer < n_layer / 8 ? kQ4_K : current;
    if (is("IQ3_XXS") && !has_imatrix_) return i_layer < n_layer / 8 ? kQ4_K : kQ3_K;
    if (is("IQ3_KT") && !has_imatrix_) return i_layer < n_layer / 8 ? kIQ4_K : kIQ3_K;
    if (is("Q3_K_M")) return i_layer < n_layer / 16 ? kQ5_K : (!falcon || use_more_bits(i_layer, n_layer)) ? kQ4_K : kQ3_K;
    if (is("IQ3_M") && (i_layer < n_layer / 8 || (facts_.n_expert >= 4 && use_more_bits(i_layer, n_layer))))
        return kIQ4_K;
    if (is("Q3_K_L")) return falcon ? kQ4_K : kQ5_K;
    if (is("IQ3_KL")) return use_more_bits(i_layer, n_layer) ? kIQ4_KS : kIQ3_K;
    if (is("Q4_K_M")) {
        if (falcon) return i_layer < n_layer / 16 ? kQ6_K : use_more_bits(i_layer, n_layer) ? kQ5_K : kQ4_K;
        return use_more_bits(i_layer, n_layer) ? kQ6_K : current;
    }
    if (i_layer < n_layer / 8 && !has_imatrix_ && one_of(file_type_.name, {"IQ4_NL", "IQ4_XS", "IQ4_KS", "IQ4_KSS"}))
        return kQ5_K;
    if (is("Q5_K_M") && use_more_bits(i_layer, n_layer)) return kQ6_K;
    if (is("Q4_K_S") && !falcon && i_layer < n_layer / 8) return kQ5_K;
    // Q4_0/Q5_0 can go wrong in the first ffn_down layers even with an imatrix.
    if ((is("Q4_0") || is("Q5_0")) && has_imatrix_ && i_layer < n_layer / 8) return is("Q4_0") ? kQ4_1 : kQ5_1;
    return current;
}

int32_t MixRules::attn_output_type(int32_t current) const {
    if (facts_.arch == "falcon") return is("Q3_K_L") ? kQ4_K : current;
    if (facts_.n_expert >= 4) {
        if (one_of(file_type_.name, {"Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M",
                                     "IQ3_S", "IQ3_M", "IQ4_XS", "IQ4_K", "IQ4_KSS", "IQ4_KS", "IQ5_KS", "IQ2_K",
                                     "IQ3_K", "IQ3_KL", "IQ3_KT", "IQ3_KS"}))
            return kQ5_K;
        if (is("IQ2_KL")) return kIQ4_KS;
        return current;
    }
    if (is("Q2_K")) return kQ3_K;
    if (is("IQ3_XXS")) return kIQ3_S;
    if (is("IQ3_KT") && facts_.n_gqa() >= 4) return kIQ3_K;
    if (is("Q3_K_M")) return kQ4_K;
    if (is("Q3_K_L")) return kQ5_K;
    if (is("IQ3_M")) return kIQ4_K;
    if (is("IQ2_K")) return kIQ3_K;
    if (is("IQ3_KL")) return kIQ4_KS;
    return current;
}

int32_t MixRules::attn_qkv_type(int32_t current) const {
    if (is("Q3_K_M") || is("Q3_K_L")) return kQ4_K;
    if (is("IQ3_M")) return kIQ4_K;
    if (is("Q4_K_M")) return kQ5_K;
    if (is("Q5_K_M")) return kQ6_K;
    return current;
}

int32_t MixRules::ffn_gate_up_type(std::string_view name, int32_t current, int& counter) {
    const int i_layer = layer_of(name, counter);
    const int n_layer = facts_.n_layer;
    ++counter;
    if (is("IQ3_XS") && i_layer >= n_layer / 8 && i_layer < 7 * n_layer / 8) return kIQ3_XXS;
    if (is("IQ3_KL") && use_more_bits(i_layer, n_layer)) return kIQ4_KS;
    return current;
}

int32_t MixRules::type_for(std::string_view name, int64_t ne0) {
    const int32_t t = file_type_.default_type;
    // Models without output.weight use token_embd as the output matrix: it gets its rules.
    if (name == "output.weight" || (!facts_.has_output && name == "token_embd.weight")) return output_type(ne0, t);
    if (name == "token_embd.weight") return token_embd_type(t);
    if (is("IQ2_KT")) return iq2_kt_rules(name, t);
    if (one_of(file_type_.name, {"IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M", "IQ2_KS"}))
        return very_low_bit_rules(name, t);
    if (contains(name, "attn_v.weight")) return attn_v_type(t);
    if (contains(name, "attn_k")) return attn_k_type(t);
    if (contains(name, "attn_q")) return attn_q_type(t);
    if (contains(name, "ffn_down")) return ffn_down_type(name, t);
    if (contains(name, "attn_output.weight")) return attn_output_type(t);
    if (contains(name, "attn_qkv.weight")) return attn_qkv_type(t);
    if (contains(name, "ffn_gate")) return ffn_gate_up_type(name, t, i_ffn_gate_);
    if (contains(name, "ffn_up")) return ffn_gate_up_type(name, t, i_ffn_up_);
    return t;
}

int32_t fallback_type(int32_t type, int64_t ne0, std::string_view tensor_name) {
    const TypeInfo* info = find_type(type);
    if (!info) throw Error("tensor '" + std::string(tensor_name) + "': unknown type id " + std::to_string(type));
    if (ne0 % info->block_elems == 0) return type;
    int32_t fallback = -1;
    switch (type) {
        case kIQ4_K: case kIQ5_KS: case kQ4_K: fallback = kQ5_0; break;
        case kIQ5_K: case kQ5_K: fallback = kQ6_0; break;
        case kIQ6_K: case kQ6_K: fallback = kQ8_0; break;
        default:
            // Every other 256-element type is at most ~4.25 bpw.
            if (info->block_elems == 256) fallback = kIQ4_NL;
            break;
    }
    if (fallback < 0 || ne0 % 32 != 0)
        throw Error("tensor '" + std::string(tensor_name) + "': rows of " + std::to_string(ne0) +
                    " elements fit neither " + std::string(info->name) +
                    " (blocks of " + std::to_string(info->block_elems) + ") nor a 32-element fallback type");
    return fallback;
}

}  // namespace sy::quantize
