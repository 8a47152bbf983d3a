// Registry of every tensor element type ik_llama.cpp knows, by its GGML type id.
//
// The registry is the single place that says how many bytes a row of a type takes:
//   row bytes = row_header_bytes + (ne0 / block_elems) * block_bytes
// The row header is the per-row scale of the _KS/_KL/_KSS/_KT types (FORMATS.md §0);
// for the row-interleaved (_R4/_R8/_R16) types block_bytes is per row, as in ik_llama.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sy {

enum class TypeRole : uint8_t {
    Float,        // F32, F16, BF16, F64: raw element arrays
    Integer,      // I8, I16, I32, I64
    Quantized,    // block formats that appear in model files
    Activation,   // internal 8-bit activation formats (Q8_K, Q8_2_X4, ...): never in model files
    Interleaved,  // row-interleaved repacks (_R4, _R8, _R16); payload of a base type
};

struct TypeInfo {
    int32_t id;                  // GGML type id (ik_llama.cpp ggml.h)
    std::string_view name;       // canonical upper-case name, e.g. "IQ4_KS"
    int64_t block_elems;         // elements per block
    uint32_t block_bytes;        // bytes per block
    uint32_t row_header_bytes;   // bytes before the first block of every row (0 for most)
    TypeRole role;
};

// All registered types, ordered by id.
std::span<const TypeInfo> all_types();

// nullptr when the id is not a known type.
const TypeInfo* find_type(int32_t id);

// Case-insensitive lookup by name ("iq4_ks", "IQ4_KS", "q4_K"); nullptr when unknown.
const TypeInfo* find_type_by_name(std::string_view name);

// Name for an id, or "type#<id>" when unknown. Never throws.
std::string type_name(int32_t id);

// Bytes of one row of ne0 elements. Throws sy::Error naming `what` (a tensor name)
// when the type is unknown, ne0 is not positive, not a multiple of the block, or
// the size would overflow.
uint64_t row_bytes(int32_t type_id, int64_t ne0, std::string_view what);

// Bits per weight of a row of ne0 elements, header included.
double bits_per_weight(const TypeInfo& type, int64_t ne0);

}  // namespace sy
