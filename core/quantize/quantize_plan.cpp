#include "quantize/quantize_plan.hpp"

#include <string_view>
#include <unordered_set>

#include "common/error.hpp"
#include "quantize/mix_rules.hpp"
#include "quantize/type_ids.hpp"
#include "types/type_registry.hpp"

namespace sy::quantize {
namespace {

using namespace type_ids;

bool ends_with(std::string_view s, std::string_view tail) { return s.ends_with(tail); }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

int metadata_int(const gguf::GgufModel& model, const std::string& key) {
    const gguf::KeyValue* kv = model.find(key);
    if (!kv) return 0;
    if (kv->value.is_array()) return kv->value.size() ? int(kv->value.u64_at(0, key)) : 0;  // per-layer arrays
    return int(kv->as_u64());
}

ModelFacts model_facts(const gguf::GgufModel& model) {
    ModelFacts f;
    if (const gguf::KeyValue* a = model.find("general.architecture")) f.arch = std::string(a->as_string());
    const std::string p = f.arch + ".";
    f.n_layer = metadata_int(model, p + "block_count");
    f.n_expert = metadata_int(model, p + "expert_count");
    f.n_head = metadata_int(model, p + "attention.head_count");
    f.n_head_kv = metadata_int(model, p + "attention.head_count_kv");
    if (f.n_head_kv == 0) f.n_head_kv = f.n_head;
    if (const gguf::KeyValue* tokens = model.find("tokenizer.ggml.tokens"); tokens && tokens->value.is_array())
        f.n_vocab = int64_t(tokens->value.size());
    else
        f.n_vocab = metadata_int(model, p + "vocab_size");
    f.has_output = model.find_tensor("output.weight") != nullptr;
    for (const gguf::TensorInfo& t : model.tensors())
        if (contains(t.name, "attn_v.weight") || contains(t.name, "attn_qkv.weight")) ++f.n_attention_wv;
    return f;
}

bool is_float_type(int32_t t) { return t == kF32 || t == kF16 || t == kBF16; }

// The types llama-quantize refuses to make without importance weights ("the result will be
// garbage"), except for token_embd and output.
bool needs_importance(TensorType t, const FileType& file_type) {
    switch (t.id) {
        case kIQ2_XXS: case kIQ2_XS: case kIQ2_S: case kIQ1_S: case kIQ1_M: case kIQ1_KT: case kIQ2_KT: return true;
        case kQ2_K: return file_type.name == "Q2_K_S";
        default: return false;
    }
}

}  // namespace

bool is_quantizable_weight(const gguf::TensorInfo& t) {
    const TypeInfo* info = find_type(t.type);
    if (!info || info->role == TypeRole::Integer) return false;
    if (t.n_dims < 2 || !ends_with(t.name, "weight")) return false;
    for (std::string_view skip : {"_norm.weight", "ffn_gate_inp.weight", "ssm_conv1d", "ssm_x.weight",
                                  "ssm_dt.weight", "attn_rel_b.weight"})
        if (contains(t.name, skip)) return false;
    return t.name != "position_embd.weight" && t.name != "token_types.weight";
}

QuantizePlan plan_quantization(const gguf::GgufModel& model, const QuantizeOptions& options) {
    const ModelFacts facts = model_facts(model);
    const bool has_importance = options.importance && !options.importance->entries.empty();
    MixRules mix(facts, options.file_type, has_importance,
                 RoleOverrides{options.output_tensor_type, options.token_embedding_type});
    const bool default_is_quantized = !is_float_type(options.file_type.default_type);

    QuantizePlan plan;
    std::unordered_set<std::string> used_entries;
    bool any_uses_importance = false;
    for (const gguf::TensorInfo& t : model.tensors()) {
        TensorPlan p;
        p.source = &t;
        p.target = TensorType{t.type, false};
        plan.source_bytes += t.nbytes;
        const bool weight = is_quantizable_weight(t) && !(options.leave_output_tensor && t.name == "output.weight");
        if (!weight) {
            p.target_bytes = t.nbytes;
            p.reason = "kept";
            plan.target_bytes += t.nbytes;
            plan.tensors.push_back(std::move(p));
            continue;
        }

        // mix -> custom rule -> explicit role flags -> fallback (ik applies the same order,
        // except that it ignores --custom-q with --pure or a float file type; we do not).
        TensorType target{options.file_type.default_type, false};
        p.reason = std::string(options.pure ? "--pure " : "mix ") + std::string(options.file_type.name);
        if (!options.pure && default_is_quantized) {
            const int32_t mixed = mix.type_for(t.name, t.ne[0]);
            if (mixed != target.id) p.reason += " (adjusted for this tensor)";
            target.id = mixed;
        }
        if (const CustomRule* rule = match_custom_rule(options.custom_rules, t.name)) {
            target = rule->type;
            p.reason = "custom rule '" + rule->pattern + "'";
        }
        if (t.name == "token_embd.weight" && options.token_embedding_type) {
            target = *options.token_embedding_type;
            p.reason = "--token-embedding-type";
        }
        if (t.name == "output.weight" && options.output_tensor_type) {
            target = *options.output_tensor_type;
            p.reason = "--output-tensor-type";
        }
        // Rows that fit no block at all (stories260K's ffn_down has 172 columns): a float
        // source stays as it is, as the only lossless choice; a quantized one is an error.
        const TypeInfo* wanted = find_type(target.id);
        if (wanted && t.ne[0] % wanted->block_elems != 0 && t.ne[0] % 32 != 0 && is_float_type(t.type) &&
            !is_float_type(target.id)) {
            p.target_bytes = t.nbytes;
            p.reason += "; rows of " + std::to_string(t.ne[0]) + " fit no quantized type: kept " + type_name(t.type);
            plan.warnings.push_back("'" + t.name + "': rows of " + std::to_string(t.ne[0]) + " elements fit no " +
                                    "quantized type (blocks of 32 or 256): kept " + type_name(t.type));
            plan.target_bytes += t.nbytes;
            plan.tensors.push_back(std::move(p));
            continue;
        }
        const int32_t fitted = fallback_type(target.id, t.ne[0], t.name);
        if (fitted != target.id) {
            p.fallback_from = std::string(tensor_type_name(target));
            target = TensorType{fitted, false};
            ++plan.n_fallbacks;
        }
        if (target.id == kQ4_0 && options.symmetric_q4_0) target.symmetric_q4_0 = true;
        if (!parse_tensor_type(tensor_type_name(target)))
            throw Error("tensor '" + t.name + "': no quantizer for type " + std::string(tensor_type_name(target)));

        if (target.id == t.type && !target.symmetric_q4_0) {
            p.target = target;
            p.target_bytes = t.nbytes;
            p.reason += ", already " + std::string(tensor_type_name(target));
            plan.target_bytes += t.nbytes;
            plan.tensors.push_back(std::move(p));
            continue;
        }
        const TypeInfo* source_type = find_type(t.type);
        if (source_type->role != TypeRole::Float && !is_float_type(target.id) && !options.allow_requantize)
            throw Error("tensor '" + t.name + "' is already quantized (" + std::string(source_type->name) +
                        "); quantizing it again loses quality: pass --allow-requantize to do it anyway");

        p.action = TensorAction::Convert;
        p.target = target;
        p.target_bytes = row_bytes(target.id, t.ne[0], t.name) * uint64_t(t.n_rows());

        // Importance weights: only the quantizers that use them get them (Q4_X ignores them).
        const bool uses_importance = !is_float_type(target.id) && target.id != kQ8_0 && !target.symmetric_q4_0;
        any_uses_importance |= uses_importance;
        if (has_importance && uses_importance) {
            if (const ImatrixEntry* entry = options.importance->find_for_tensor(t.name)) {
                const uint64_t want = uint64_t(t.ne[0]) * uint64_t(t.ne[2]);
                if (entry->values.size() == want) {
                    p.importance = entry->values;
                    p.importance_entry = entry->name;
                    used_entries.insert(entry->name);
                } else if (t.name == "token_embd.weight") {
                    plan.warnings.push_back("imatrix entry '" + entry->name + "' has " +
                                            std::to_string(entry->values.size()) + " values, token_embd.weight needs " +
                                            std::to_string(want) + ": quantized without it");
                } else {
                    throw Error("imatrix entry '" + entry->name + "' has " + std::to_string(entry->values.size()) +
                                " values but tensor '" + t.name + "' needs " + std::to_string(want) + " (ne0 " +
                                std::to_string(t.ne[0]) + " x " + std::to_string(t.ne[2]) +
                                " experts): the imatrix was made for a different model");
                }
            } else if (t.name != "token_embd.weight") {
                plan.warnings.push_back("no imatrix entry for '" + t.name + "': quantized without importance weights");
            }
        }
        if (p.importance.empty() && needs_importance(target, options.file_type) && !options.ignore_imatrix_rules &&
            t.name != "token_embd.weight" && t.name != "output.weight")
            throw Error("tensor '" + t.name + "': " + std::string(tensor_type_name(target)) +
                        " needs importance weights (--imatrix) and " +
                        (has_importance ? "the imatrix has no entry for it" : "none were given") +
                        "; without them the result is garbage (--ignore-imatrix-rules to do it anyway)");
        plan.target_bytes += p.target_bytes;
        plan.tensors.push_back(std::move(p));
    }
    if (has_importance && any_uses_importance && used_entries.empty())
        throw Error("the imatrix has " + std::to_string(options.importance->entries.size()) +
                    " entries but none matches a tensor of this model: it was made for a different model");
    return plan;
}

}  // namespace sy::quantize
