// Lookup, format sniffing and the per-row slice; the two readers are imatrix_dat.cpp and
// imatrix_gguf.cpp.
#include "imatrix/imatrix.hpp"

#include <cstring>
#include <optional>

#include "common/error.hpp"
#include "gguf/file_image.hpp"
#include "gguf/format.hpp"

namespace sy {
namespace {

// `name` with its first `pattern` and everything after it replaced by `replacement`
// ("blk.3.ffn_gate_exps.weight", "ffn_gate_exps.weight", "ffn_up_exps.weight" ->
// "blk.3.ffn_up_exps.weight"); nullopt when `pattern` does not occur.
std::optional<std::string> renamed(std::string_view name, std::string_view pattern, std::string_view replacement) {
    const size_t at = name.find(pattern);
    if (at == std::string_view::npos) return std::nullopt;
    std::string out(name.substr(0, at));
    out += replacement;
    return out;
}

}  // namespace

const ImatrixEntry* Imatrix::find(std::string_view name) const {
    for (const ImatrixEntry& e : entries)
        if (e.name == name) return &e;
    return nullptr;
}

const ImatrixEntry* Imatrix::find_for_tensor(std::string_view tensor_name) const {
    if (const ImatrixEntry* e = find(tensor_name)) return e;
    // The oracle picks the rule by which pattern the name contains (first match wins), then
    // tries that rule's names in order; it never falls through to a later rule.
    auto first_found = [&](std::string_view pattern, std::initializer_list<std::string_view> names)
        -> const ImatrixEntry* {
        for (std::string_view to : names)
            if (const ImatrixEntry* e = find(*renamed(tensor_name, pattern, to))) return e;
        return nullptr;
    };
    for (std::string_view expert : {"ffn_up_exps.weight", "ffn_gate_exps.weight"})
        if (tensor_name.find(expert) != std::string_view::npos)
            return first_found(expert, {"ffn_gate_up_exps.weight", "ffn_up_exps.weight"});
    if (tensor_name.find("ffn_gate_up_exps.weight") != std::string_view::npos)
        return first_found("ffn_gate_up_exps.weight", {"ffn_up_exps.weight"});
    if (tensor_name.find("ffn_gate.weight") != std::string_view::npos)
        return first_found("ffn_gate.weight", {"ffn_up.weight"});
    if (tensor_name.find(".attn_v_b.weight") != std::string_view::npos)
        return first_found(".attn_v_b.weight", {".attn_kv_b.weight"});
    if (tensor_name.find(".attn_kv_b.weight") != std::string_view::npos)
        return first_found(".attn_kv_b.weight", {".attn_v_b.weight"});
    return nullptr;
}

Imatrix read_imatrix(const std::string& path) {
    const auto image = gguf::FileImage::map(path);
    const auto bytes = image->bytes();
    const bool is_gguf = bytes.size() >= sizeof gguf::kMagic &&
                         std::memcmp(bytes.data(), gguf::kMagic, sizeof gguf::kMagic) == 0;
    return is_gguf ? parse_imatrix_gguf(bytes, path) : parse_imatrix_dat(bytes, path);
}

const float* importance_slice(const ImatrixEntry& entry, int64_t ne0, int64_t ne2, int64_t expert,
                              const std::string& what) {
    if (ne0 <= 0 || ne2 <= 0)
        throw Error(what + ": tensor shape ne0 = " + std::to_string(ne0) + ", ne2 = " + std::to_string(ne2) +
                    " has no rows for imatrix entry '" + entry.name + "'");
    if (expert < 0 || expert >= ne2)
        throw Error(what + ": expert " + std::to_string(expert) + " is outside [0, " + std::to_string(ne2) +
                    ") for imatrix entry '" + entry.name + "'");
    // size == ne0 * ne2, written so that no product can overflow.
    const auto size = static_cast<uint64_t>(entry.values.size());
    const auto columns = static_cast<uint64_t>(ne0);
    if (size % columns != 0 || size / columns != static_cast<uint64_t>(ne2))
        throw Error(what + ": imatrix entry '" + entry.name + "' has " + std::to_string(size) +
                    " values; the tensor needs ne0 * ne2 = " + std::to_string(ne0) + " * " + std::to_string(ne2) +
                    " (one slice of ne0 per expert)");
    return entry.values.data() + expert * ne0;
}

}  // namespace sy
