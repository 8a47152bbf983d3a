#include "types/type_registry.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "common/error.hpp"

namespace sy {
namespace {

constexpr int64_t kQK = 256;  // super-block of the K, IQ and KT families

using R = TypeRole;

// Sizes are those of ik_llama.cpp's block structs (ggml-common.h) and its type_traits table
// (ggml.c: blck_size, type_size, row_meta_size), snapshot 8337e4cd.
constexpr TypeInfo kTypes[] = {
    // id, name,        block, bytes, header, role
    {0, "F32", 1, 4, 0, R::Float},
    {1, "F16", 1, 2, 0, R::Float},
    {2, "Q4_0", 32, 18, 0, R::Quantized},
    {3, "Q4_1", 32, 20, 0, R::Quantized},
    {6, "Q5_0", 32, 22, 0, R::Quantized},
    {7, "Q5_1", 32, 24, 0, R::Quantized},
    {8, "Q8_0", 32, 34, 0, R::Quantized},
    {9, "Q8_1", 32, 36, 0, R::Activation},
    {10, "Q2_K", kQK, 84, 0, R::Quantized},
    {11, "Q3_K", kQK, 110, 0, R::Quantized},
    {12, "Q4_K", kQK, 144, 0, R::Quantized},
    {13, "Q5_K", kQK, 176, 0, R::Quantized},
    {14, "Q6_K", kQK, 210, 0, R::Quantized},
    {15, "Q8_K", kQK, 296, 0, R::Activation},  // ik's block_q8_K carries an extra float sum
    {16, "IQ2_XXS", kQK, 66, 0, R::Quantized},
    {17, "IQ2_XS", kQK, 74, 0, R::Quantized},
    {18, "IQ3_XXS", kQK, 98, 0, R::Quantized},
    {19, "IQ1_S", kQK, 50, 0, R::Quantized},
    {20, "IQ4_NL", 32, 18, 0, R::Quantized},
    {21, "IQ3_S", kQK, 110, 0, R::Quantized},
    {22, "IQ2_S", kQK, 82, 0, R::Quantized},
    {23, "IQ4_XS", kQK, 136, 0, R::Quantized},
    {24, "I8", 1, 1, 0, R::Integer},
    {25, "I16", 1, 2, 0, R::Integer},
    {26, "I32", 1, 4, 0, R::Integer},
    {27, "I64", 1, 8, 0, R::Integer},
    {28, "F64", 1, 8, 0, R::Float},
    {29, "IQ1_M", kQK, 56, 0, R::Quantized},
    {30, "BF16", 1, 2, 0, R::Float},
    {31, "Q4_0_4_4", 32, 18, 0, R::Interleaved},
    {32, "Q4_0_4_8", 32, 18, 0, R::Interleaved},
    {33, "Q4_0_8_8", 32, 18, 0, R::Interleaved},
    {36, "I2_S", 1, 1, 0, R::Quantized},
    {39, "MXFP4", 32, 17, 0, R::Quantized},
    {41, "Q1_0_G128", 128, 18, 0, R::Quantized},
    {97, "Q8_0_X4", 32, 34, 0, R::Activation},
    {98, "Q8_1_X4", 32, 36, 0, R::Activation},
    {99, "Q8_2_X4", 32, 36, 0, R::Activation},
    {133, "Q6_0", 32, 26, 0, R::Quantized},
    {134, "IQ1_BN", 64, 13, 2, R::Quantized},
    {135, "IQ2_BN", 64, 16, 4, R::Quantized},
    {136, "Q8_K64", 64, 68, 0, R::Activation},
    {137, "IQ2_K", kQK, 76, 0, R::Quantized},
    {138, "IQ3_K", kQK, 110, 0, R::Quantized},
    {139, "IQ4_K", kQK, 144, 0, R::Quantized},
    {140, "IQ5_K", kQK, 176, 0, R::Quantized},
    {141, "IQ6_K", kQK, 212, 0, R::Quantized},
    {144, "IQ4_KS", kQK, 136, 4, R::Quantized},
    {145, "IQ2_KS", kQK, 70, 2, R::Quantized},
    {146, "IQ4_KSS", kQK, 128, 4, R::Quantized},
    {147, "Q8_K16", 64, 64, 20, R::Activation},
    {148, "Q8_K32", kQK, 296, 0, R::Activation},
    {149, "Q8_KR8", kQK, 296, 0, R::Activation},
    {150, "Q8_K128", 128, 140, 0, R::Activation},
    {151, "Q8_KV", 32, 32, 8, R::Activation},  // also a KV-cache type
    {152, "IQ5_KS", kQK, 168, 4, R::Quantized},
    {153, "IQ2_KT", kQK, 68, 4, R::Quantized},
    {154, "IQ3_KT", kQK, 100, 4, R::Quantized},
    {155, "IQ4_KT", kQK, 128, 4, R::Quantized},
    {156, "IQ3_KS", kQK, 102, 2, R::Quantized},
    {157, "IQ2_KL", kQK, 86, 2, R::Quantized},
    {158, "IQ1_KT", kQK, 56, 4, R::Quantized},
    {202, "Q4_0_R8", 32, 18, 0, R::Interleaved},
    {206, "Q5_0_R4", 32, 22, 0, R::Interleaved},
    {208, "Q8_0_R8", 32, 34, 0, R::Interleaved},
    {210, "Q2_K_R4", kQK, 84, 0, R::Interleaved},
    {211, "Q3_K_R4", kQK, 110, 0, R::Interleaved},
    {212, "Q4_K_R4", kQK, 144, 0, R::Interleaved},
    {213, "Q5_K_R4", kQK, 176, 0, R::Interleaved},
    {214, "Q6_K_R4", kQK, 210, 0, R::Interleaved},
    {216, "IQ2_XXS_R4", kQK, 66, 0, R::Interleaved},
    {217, "IQ2_XS_R4", kQK, 74, 0, R::Interleaved},
    {218, "IQ3_XXS_R4", kQK, 98, 0, R::Interleaved},
    {219, "IQ1_S_R4", 32, 6, 2, R::Interleaved},
    {220, "IQ4_NL_R4", 32, 18, 0, R::Interleaved},
    {221, "IQ3_S_R4", kQK, 110, 0, R::Interleaved},
    {222, "IQ2_S_R4", kQK, 82, 0, R::Interleaved},
    {223, "IQ4_XS_R8", kQK, 136, 0, R::Interleaved},
    {229, "IQ1_M_R4", 32, 7, 2, R::Interleaved},
    {230, "BF16_R16", 1, 2, 0, R::Interleaved},
    {233, "Q6_0_R4", 32, 26, 0, R::Interleaved},
    {335, "IQ2_BN_R4", 64, 16, 4, R::Interleaved},
    {337, "IQ2_K_R4", kQK, 76, 0, R::Interleaved},
    {338, "IQ3_K_R4", kQK, 110, 0, R::Interleaved},
    {339, "IQ4_K_R4", kQK, 144, 0, R::Interleaved},
    {340, "IQ5_K_R4", kQK, 176, 0, R::Interleaved},
    {344, "IQ4_KS_R4", kQK, 136, 4, R::Interleaved},
    {352, "IQ5_KS_R4", kQK, 168, 4, R::Interleaved},
    {353, "MXFP4_R8", 32, 17, 0, R::Interleaved},
    {397, "Q8_K_R16", kQK, 258, 0, R::Interleaved},
    {398, "Q8_KV_R8", 32, 32, 4, R::Interleaved},
    {399, "Q8_K_R8", kQK, 258, 0, R::Interleaved},
};

constexpr bool sorted_by_id() {
    for (size_t i = 1; i < std::size(kTypes); ++i)
        if (kTypes[i - 1].id >= kTypes[i].id) return false;
    return true;
}
static_assert(sorted_by_id(), "kTypes must stay sorted by id (find_type uses binary search)");

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) ==
                      std::toupper(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::span<const TypeInfo> all_types() { return kTypes; }

const TypeInfo* find_type(int32_t id) {
    auto it = std::lower_bound(std::begin(kTypes), std::end(kTypes), id,
                               [](const TypeInfo& t, int32_t v) { return t.id < v; });
    return (it != std::end(kTypes) && it->id == id) ? &*it : nullptr;
}

const TypeInfo* find_type_by_name(std::string_view name) {
    for (const TypeInfo& t : kTypes)
        if (iequals(t.name, name)) return &t;
    return nullptr;
}

std::string type_name(int32_t id) {
    const TypeInfo* t = find_type(id);
    return t ? std::string(t->name) : "type#" + std::to_string(id);
}

uint64_t row_bytes(int32_t type_id, int64_t ne0, std::string_view what) {
    const TypeInfo* t = find_type(type_id);
    if (!t)
        throw Error(std::string(what) + ": unknown tensor type id " + std::to_string(type_id));
    if (ne0 <= 0)
        throw Error(std::string(what) + ": row length " + std::to_string(ne0) +
                    " is not positive");
    if (ne0 % t->block_elems != 0)
        throw Error(std::string(what) + ": row length " + std::to_string(ne0) +
                    " is not a multiple of the " + std::string(t->name) + " block of " +
                    std::to_string(t->block_elems) + " elements");
    const uint64_t blocks = static_cast<uint64_t>(ne0 / t->block_elems);
    if (blocks > (std::numeric_limits<uint64_t>::max() - t->row_header_bytes) / t->block_bytes)
        throw Error(std::string(what) + ": row of " + std::to_string(ne0) + " " +
                    std::string(t->name) + " elements overflows 64-bit byte counts");
    return t->row_header_bytes + blocks * t->block_bytes;
}

double bits_per_weight(const TypeInfo& t, int64_t ne0) {
    const double bytes = static_cast<double>(row_bytes(t.id, ne0, t.name));
    return bytes * 8.0 / static_cast<double>(ne0);
}

}  // namespace sy
