#include "quantize/file_types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <string>

#include "quantize/type_ids.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::quantize {
namespace {

using namespace type_ids;

// llama_ftype numbers from ik_llama.cpp include/llama.h; sizes in the summaries are ik's
// nominal bits per weight of the default type.
constexpr FileType kFileTypes[] = {
    {"F32", 0, kF32, "32-bit floats"},
    {"F16", 1, kF16, "16-bit IEEE floats"},
    {"BF16", 32, kBF16, "bfloat16"},
    {"Q8_0", 7, kQ8_0, "8.5 bpw, round to nearest"},
    {"Q4_0", 2, kQ4_0, "4.5 bpw legacy (with --symmetric-q40: Q4_X for INT4-trained models)"},
    {"Q4_1", 3, kQ4_1, "5.0 bpw legacy"},
    {"Q5_0", 8, kQ5_0, "5.5 bpw legacy"},
    {"Q5_1", 9, kQ5_1, "6.0 bpw legacy"},
    {"Q6_0", 135, kQ6_0, "6.5 bpw legacy"},
    {"Q2_K", 10, kQ2_K, "k-quant mix around 2.6 bpw"},
    {"Q2_K_S", 21, kQ2_K, "k-quant mix around 2.5 bpw (needs an imatrix)"},
    {"Q3_K_S", 11, kQ3_K, "k-quant mix around 3.4 bpw"},
    {"Q3_K_M", 12, kQ3_K, "k-quant mix around 3.7 bpw"},
    {"Q3_K_L", 13, kQ3_K, "k-quant mix around 4.0 bpw"},
    {"Q4_K_S", 14, kQ4_K, "k-quant mix around 4.6 bpw"},
    {"Q4_K_M", 15, kQ4_K, "k-quant mix around 4.8 bpw"},
    {"Q5_K_S", 16, kQ5_K, "k-quant mix around 5.5 bpw"},
    {"Q5_K_M", 17, kQ5_K, "k-quant mix around 5.7 bpw"},
    {"Q6_K", 18, kQ6_K, "6.56 bpw k-quant"},
    {"IQ1_S", 24, kIQ1_S, "1.56 bpw (needs an imatrix)"},
    {"IQ1_M", 31, kIQ1_M, "1.75 bpw (needs an imatrix)"},
    {"IQ2_XXS", 19, kIQ2_XXS, "2.06 bpw (needs an imatrix)"},
    {"IQ2_XS", 20, kIQ2_XS, "2.31 bpw (needs an imatrix)"},
    {"IQ2_S", 28, kIQ2_XS, "2.5 bpw mix of IQ2_XS (needs an imatrix)"},
    {"IQ2_M", 29, kIQ2_S, "2.7 bpw mix of IQ2_S"},
    {"IQ3_XXS", 23, kIQ3_XXS, "3.06 bpw"},
    {"IQ3_XS", 22, kIQ3_S, "3.3 bpw mix of IQ3_S/IQ3_XXS"},
    {"IQ3_S", 26, kIQ3_S, "3.44 bpw"},
    {"IQ3_M", 27, kIQ3_S, "3.66 bpw mix of IQ3_S"},
    {"IQ4_NL", 25, kIQ4_NL, "4.5 bpw non-linear"},
    {"IQ4_XS", 30, kIQ4_XS, "4.25 bpw non-linear"},
    {"IQ2_K", 138, kIQ2_K, "2.375 bpw non-linear"},
    {"IQ3_K", 139, kIQ3_K, "3.44 bpw non-linear"},
    {"IQ3_KL", 146, kIQ3_K, "4.0 bpw mix of IQ3_K/IQ4_KS"},
    {"IQ4_K", 140, kIQ4_K, "4.5 bpw non-linear"},
    {"IQ5_K", 141, kIQ5_K, "5.5 bpw non-linear"},
    {"IQ6_K", 142, kIQ6_K, "6.6 bpw non-linear"},
    {"IQ2_KS", 147, kIQ2_KS, "2.1875 bpw non-linear"},
    {"IQ2_KL", 155, kIQ2_KL, "2.69 bpw non-linear"},
    {"IQ3_KS", 154, kIQ3_KS, "3.19 bpw non-linear"},
    {"IQ4_KS", 145, kIQ4_KS, "4.25 bpw non-linear"},
    {"IQ4_KSS", 148, kIQ4_KSS, "4.0 bpw non-linear"},
    {"IQ5_KS", 150, kIQ5_KS, "5.25 bpw non-linear"},
    {"IQ1_KT", 156, kIQ1_KT, "1.75 bpw trellis (needs an imatrix)"},
    {"IQ2_KT", 151, kIQ2_KT, "2.125 bpw trellis (needs an imatrix)"},
    {"IQ3_KT", 152, kIQ3_KT, "3.125 bpw trellis"},
    {"IQ4_KT", 153, kIQ4_KT, "4.0 bpw trellis"},
};

struct Alias {
    std::string_view name;
    std::string_view target;
};
constexpr Alias kAliases[] = {{"Q3_K", "Q3_K_M"}, {"Q4_K", "Q4_K_M"}, {"Q5_K", "Q5_K_M"}};

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Types a model file can hold and core can encode (not the activation-only types, which
// have quantizers too, nor the row-interleaved ones).
bool has_quantizer(int32_t id) {
    const TypeInfo* info = find_type(id);
    if (!info || (info->role != TypeRole::Float && info->role != TypeRole::Quantized)) return false;
    const QuantKernels* k = find_kernels(id);
    return k && k->quantize_row;
}

}  // namespace

std::span<const FileType> all_file_types() { return kFileTypes; }

const FileType* find_file_type(uint32_t ftype) {
    for (const FileType& f : kFileTypes)
        if (f.ftype == ftype) return &f;
    return nullptr;
}

std::optional<FileType> parse_file_type(std::string_view text) {
    std::string name = upper(text);
    for (const Alias& a : kAliases)
        if (name == a.name) name = std::string(a.target);
    for (const FileType& f : kFileTypes)
        if (f.name == name) return f;
    uint32_t number = 0;
    const char* end = text.data() + text.size();
    if (auto [p, ec] = std::from_chars(text.data(), end, number); ec == std::errc() && p == end)
        if (const FileType* f = find_file_type(number)) return *f;
    return std::nullopt;
}

std::optional<TensorType> parse_tensor_type(std::string_view text) {
    if (upper(text) == "Q4_X") return TensorType{kQ4_0, true};
    const TypeInfo* info = find_type_by_name(text);
    if (!info || !has_quantizer(info->id)) return std::nullopt;
    return TensorType{info->id, false};
}

std::string_view tensor_type_name(TensorType t) {
    if (t.symmetric_q4_0) return "Q4_X";
    const TypeInfo* info = find_type(t.id);
    return info ? info->name : std::string_view("?");
}

std::string quantizable_type_names() {
    std::string out;
    for (const TypeInfo& t : all_types()) {
        if (!has_quantizer(t.id)) continue;
        if (!out.empty()) out += ", ";
        out += t.name;
    }
    return out + ", Q4_X";
}

}  // namespace sy::quantize
