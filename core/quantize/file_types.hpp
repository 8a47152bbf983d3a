// The TYPE argument of `switchyard quantize`: llama-quantize's file types ("mixes").
//
// A file type names a default tensor type and, unless --pure, a set of per-tensor
// adjustments (mix_rules.hpp). Its number is what general.file_type records (llama.h's
// llama_ftype values in ik_llama.cpp, so files we write read as the same mix there).
// Only file types whose every tensor type has a reference quantizer in core/types are
// listed; the row-interleaved (_R4/_R8) ones are not (repacking is a backend's job, -rtr).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sy::quantize {

struct FileType {
    std::string_view name;     // "Q4_K_M", "IQ2_KL", ...
    uint32_t ftype;            // general.file_type (llama_ftype)
    int32_t default_type;      // GGML type id of the tensors the mix does not adjust
    std::string_view summary;  // one line for --help
};

// All file types, in the order `quantize --help` lists them.
std::span<const FileType> all_file_types();

// Case-insensitive name ("q4_k_m") or the ftype number ("15"); aliases Q3_K -> Q3_K_M,
// Q4_K -> Q4_K_M, Q5_K -> Q5_K_M as llama-quantize has them.
std::optional<FileType> parse_file_type(std::string_view text);
const FileType* find_file_type(uint32_t ftype);

// A tensor type given by name on the command line (--custom-q, --output-tensor-type, ...):
// any type with a reference quantizer ("q8_0", "IQ4_KS", "f16", ...); "Q4_X" is accepted and
// means Q4_0 quantized symmetrically (FORMATS.md §5). nullopt when unknown or not quantizable.
struct TensorType {
    int32_t id = 0;
    bool symmetric_q4_0 = false;  // Q4_X: type id is Q4_0's
    bool operator==(const TensorType&) const = default;
};
std::optional<TensorType> parse_tensor_type(std::string_view text);
std::string_view tensor_type_name(TensorType t);  // "Q4_X" for symmetric Q4_0

// Comma-separated list of the names parse_tensor_type accepts (for error messages).
std::string quantizable_type_names();

}  // namespace sy::quantize
