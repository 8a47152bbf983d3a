// Deciding what `switchyard quantize` does to each tensor, before any byte is written.
//
// The plan is complete and validated up front (types, fallbacks, importance slices, sizes),
// so --dry-run prints exactly what a real run writes, and a bad request fails before an
// output file exists.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_model.hpp"
#include "imatrix/imatrix.hpp"
#include "quantize/custom_rules.hpp"
#include "quantize/file_types.hpp"

namespace sy::quantize {

struct QuantizeOptions {
    FileType file_type;
    std::vector<CustomRule> custom_rules;        // --custom-q
    bool pure = false;                           // --pure: no mix adjustments
    bool allow_requantize = false;               // quantized sources may be quantized again
    bool leave_output_tensor = false;            // output.weight is copied as it is
    bool symmetric_q4_0 = false;                 // --symmetric-q40: every Q4_0 tensor is Q4_X
    bool ignore_imatrix_rules = false;           // allow very-low-bit types without importance
    std::optional<TensorType> output_tensor_type;     // --output-tensor-type
    std::optional<TensorType> token_embedding_type;   // --token-embedding-type
    // --imatrix, already narrowed by --include-weights / --exclude-weights (the entries a
    // tensor may use; Imatrix::find_for_tensor picks one, with the anchor's aliases).
    const Imatrix* importance = nullptr;
};

enum class TensorAction : uint8_t {
    Copy,      // bytes copied unchanged (not a weight matrix, or already the target type)
    Convert,   // decoded to float rows and encoded in the target type
};

struct TensorPlan {
    const gguf::TensorInfo* source = nullptr;
    TensorAction action = TensorAction::Copy;
    TensorType target;                      // == source type for Copy
    uint64_t target_bytes = 0;
    std::string reason;                     // why this type: "mix Q4_K_M", "custom rule 'exps'", ...
    std::string fallback_from;              // non-empty when the rows did not fit the chosen type
    std::span<const float> importance;      // empty: quantized without importance weights
    std::string importance_entry;           // the imatrix entry used (it may be an alias)
};

struct QuantizePlan {
    std::vector<TensorPlan> tensors;        // in source order
    uint64_t source_bytes = 0;
    uint64_t target_bytes = 0;
    int n_fallbacks = 0;
    std::vector<std::string> warnings;      // shown to the user; never fatal
};

// Throws sy::Error naming the tensor for: a quantized source without allow_requantize, a
// target type whose rows do not fit (after fallback), a very-low-bit type without importance
// weights, an importance entry whose size is neither ne0 * n_expert nor usable, or
// importance weights that match no tensor at all.
QuantizePlan plan_quantization(const gguf::GgufModel& model, const QuantizeOptions& options);

// True for the tensors llama-quantize would quantize: 2-D/3-D float or quantized "*weight"
// tensors except norms, the MoE router (ffn_gate_inp) and position/type embeddings.
bool is_quantizable_weight(const gguf::TensorInfo& t);

}  // namespace sy::quantize
