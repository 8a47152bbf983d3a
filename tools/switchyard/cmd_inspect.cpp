// switchyard inspect FILE.gguf [--json] [--no-mmap]
//
// Text report: files, metadata (long arrays summarized by type, count and first elements, long
// strings cut), the tensor table, totals per type and the bits per weight of the whole model.
// JSON: the same facts as one object; arrays are summarized there too ("head"), so a 160k-token
// vocabulary does not turn into megabytes of output.
#include <algorithm>
#include <exception>
#include <iostream>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "gguf/gguf_model.hpp"
#include "inspect_report.hpp"
#include "text_format.hpp"
#include "types/type_registry.hpp"

namespace sy::cli {

namespace {

using gguf::GgufModel;
using gguf::TensorInfo;
using gguf::Value;
using gguf::ValueType;

constexpr uint64_t kArrayHead = 6;       // array elements shown in a summary
constexpr size_t kTextStringMax = 64;    // bytes of a string shown in the text report

struct TypeTotals {
    uint64_t tensors = 0;
    uint64_t elements = 0;
    uint64_t bytes = 0;
};

double bits_per_weight(const TypeTotals& t) {
    return t.elements ? static_cast<double>(t.bytes) * 8.0 / static_cast<double>(t.elements) : 0.0;
}

// A string from the file, quoted for a terminal: UTF-8 kept, control bytes escaped, cut after
// `max` bytes (at a character boundary) with the full length noted.
std::string display_string(std::string_view s, size_t max = kTextStringMax) {
    size_t cut = std::min(s.size(), max);
    while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    std::string out = "\"";
    for (const char c : s.substr(0, cut)) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') out += fmt::format("\\{}", c);
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
    out += "\"";
    if (cut < s.size()) out += fmt::format("... ({} bytes)", s.size());
    return out;
}

std::string type_label(const Value& v) {
    return v.is_array() ? fmt::format("array[{}]", gguf::value_type_name(v.elem_type()))
                        : gguf::value_type_name(v.type());
}

std::string scalar_text(const Value& v) {
    switch (v.type()) {
        case ValueType::String: return display_string(v.as_string());
        case ValueType::Bool: return v.as_bool() ? "true" : "false";
        case ValueType::F32: return fmt::format("{}", v.get<float>());
        case ValueType::F64: return fmt::format("{}", v.get<double>());
        default: return v.type() == ValueType::I8 || v.type() == ValueType::I16 || v.type() == ValueType::I32 ||
                                v.type() == ValueType::I64
                            ? fmt::format("{}", v.as_i64())
                            : fmt::format("{}", v.as_u64());
    }
}

// "512 [\"<unk>\", \"<s>\", ...]": count and the first elements; nested arrays recursively.
std::string value_text(const Value& v) {
    if (!v.is_array()) return scalar_text(v);
    std::string out = fmt::format("{} [", v.size());
    const uint64_t shown = std::min(v.size(), kArrayHead);
    for (uint64_t i = 0; i < shown; ++i) {
        const Value e = v.element(i);
        if (i) out += ", ";
        out += e.is_array() ? type_label(e) + " " + value_text(e) : scalar_text(e);
    }
    if (shown < v.size()) out += ", ...";
    return out + "]";
}

nlohmann::json scalar_json(const Value& v) {
    switch (v.type()) {
        case ValueType::String: return std::string(v.as_string());
        case ValueType::Bool: return v.as_bool();
        case ValueType::F32: return v.get<float>();
        case ValueType::F64: return v.get<double>();
        case ValueType::I8: case ValueType::I16: case ValueType::I32: case ValueType::I64: return v.as_i64();
        default: return v.as_u64();
    }
}

nlohmann::json value_json(const Value& v) {
    nlohmann::json j;
    j["type"] = gguf::value_type_name(v.type());
    if (!v.is_array()) {
        j["value"] = scalar_json(v);
        return j;
    }
    j["elem_type"] = gguf::value_type_name(v.elem_type());
    j["count"] = v.size();
    nlohmann::json head = nlohmann::json::array();
    for (uint64_t i = 0; i < std::min(v.size(), kArrayHead); ++i) {
        const Value e = v.element(i);
        head.push_back(e.is_array() ? value_json(e) : scalar_json(e));
    }
    j["head"] = std::move(head);
    return j;
}

std::string shape_text(const TensorInfo& t) {
    std::string out;
    for (const int64_t n : t.shape()) out += (out.empty() ? "" : " x ") + std::to_string(n);
    return out;
}

// Per-type totals (ordered by type id) and the grand total.
std::map<int32_t, TypeTotals> totals_by_type(const GgufModel& m, TypeTotals& all) {
    std::map<int32_t, TypeTotals> by_type;
    for (const TensorInfo& t : m.tensors()) {
        for (TypeTotals* s : {&by_type[t.type], &all}) {
            ++s->tensors;
            s->elements += static_cast<uint64_t>(t.n_elements());
            s->bytes += t.nbytes;
        }
    }
    return by_type;
}

void print_text(const GgufModel& m, std::ostream& out) {
    const bool split = m.shards().size() > 1;
    for (size_t k = 0; k < m.shards().size(); ++k) {
        const gguf::GgufFile& f = m.shards()[k];
        out << fmt::format("{}{}: {} bytes ({}), GGUF v{}, alignment {}, data at byte {}, {} tensors, {} keys\n",
                           split ? fmt::format("shard {} ", k + 1) : "file ", f.path(), f.file_size(),
                           human_bytes(f.file_size()), f.version(), f.alignment(), f.data_offset(),
                           f.tensors().size(), f.kvs().size());
    }
    if (split) out << fmt::format("total: {} shards, {} bytes ({})\n", m.shards().size(), m.total_file_size(),
                                  human_bytes(m.total_file_size()));

    size_t key_width = 0;
    for (const auto& kv : m.kvs()) key_width = std::max(key_width, kv.key.size());
    out << fmt::format("\nmetadata ({} keys):\n", m.kvs().size());
    for (const auto& kv : m.kvs())
        out << fmt::format("  {:<{}}  {:<14} {}\n", kv.key, key_width, type_label(kv.value), value_text(kv.value));

    size_t name_width = 4;
    for (const TensorInfo& t : m.tensors()) name_width = std::max(name_width, t.name.size());
    out << fmt::format("\ntensors ({}):\n", m.tensors().size());
    out << fmt::format("  {:>6}  {:<{}}  {:<8} {:<22} {:>14} {:>14}{}\n", "#", "name", name_width, "type", "shape",
                       "bytes", "offset", split ? "  shard" : "");
    for (size_t i = 0; i < m.tensors().size(); ++i) {
        const TensorInfo& t = m.tensors()[i];
        out << fmt::format("  {:>6}  {:<{}}  {:<8} {:<22} {:>14} {:>14}{}\n", i, t.name, name_width,
                           type_name(t.type), shape_text(t), t.nbytes, t.offset,
                           split ? fmt::format("  {:>5}", t.shard + 1) : "");
    }

    TypeTotals all;
    const auto by_type = totals_by_type(m, all);
    out << "\ntotals by type:\n";
    out << fmt::format("  {:<8} {:>8} {:>16} {:>16} {:>8}\n", "type", "tensors", "elements", "bytes", "bpw");
    for (const auto& [type, s] : by_type)
        out << fmt::format("  {:<8} {:>8} {:>16} {:>16} {:>8.4f}\n", type_name(type), s.tensors, s.elements, s.bytes,
                           bits_per_weight(s));
    out << fmt::format("\nmodel: {} tensors, {} elements, {} bytes of tensor data ({}), {:.4f} bits per weight\n",
                       all.tensors, all.elements, all.bytes, human_bytes(all.bytes), bits_per_weight(all));
}

void print_json(const GgufModel& m, std::ostream& out) {
    nlohmann::json j;
    j["files"] = nlohmann::json::array();
    for (const gguf::GgufFile& f : m.shards())
        j["files"].push_back({{"path", f.path()},
                              {"size", f.file_size()},
                              {"version", f.version()},
                              {"alignment", f.alignment()},
                              {"data_offset", f.data_offset()},
                              {"n_tensors", f.tensors().size()},
                              {"n_kv", f.kvs().size()}});
    j["total_file_size"] = m.total_file_size();

    nlohmann::json metadata = nlohmann::json::array();
    for (const auto& kv : m.kvs()) {
        nlohmann::json entry = value_json(kv.value);
        entry["key"] = kv.key;
        metadata.push_back(std::move(entry));
    }
    j["metadata"] = std::move(metadata);

    nlohmann::json tensors = nlohmann::json::array();
    for (const TensorInfo& t : m.tensors())
        tensors.push_back({{"name", t.name},
                           {"type", type_name(t.type)},
                           {"type_id", t.type},
                           {"shape", std::vector<int64_t>(t.shape().begin(), t.shape().end())},
                           {"elements", t.n_elements()},
                           {"bytes", t.nbytes},
                           {"offset", t.offset},
                           {"file_offset", t.file_offset},
                           {"shard", t.shard}});
    j["tensors"] = std::move(tensors);

    TypeTotals all;
    const auto by_type = totals_by_type(m, all);
    nlohmann::json types = nlohmann::json::array();
    for (const auto& [type, s] : by_type)
        types.push_back({{"type", type_name(type)},
                         {"type_id", type},
                         {"tensors", s.tensors},
                         {"elements", s.elements},
                         {"bytes", s.bytes},
                         {"bits_per_weight", bits_per_weight(s)}});
    j["types"] = std::move(types);
    j["totals"] = {{"tensors", all.tensors},
                   {"elements", all.elements},
                   {"bytes", all.bytes},
                   {"bits_per_weight", bits_per_weight(all)}};
    // Strings in GGUF files are meant to be UTF-8 but are not checked; replace what is not.
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// The reason as exactly one line.
std::string one_line(std::string text) {
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return text;
}

}  // namespace

int run_inspect(const InspectOptions& options, std::ostream& out, std::ostream& err) {
    try {
        const GgufModel model = GgufModel::open(options.path, {.use_mmap = options.use_mmap});
        if (options.json) print_json(model, out);
        else print_text(model, out);
        out.flush();
        return 0;
    } catch (const std::exception& e) {
        err << "switchyard: error: " << one_line(e.what()) << "\n";
        return 1;
    }
}

void register_inspect(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<InspectOptions>();
    CLI::App* cmd = app.add_subcommand("inspect", "show a GGUF model: metadata, tensors, sizes, bits per weight");
    cmd->add_option("file", options->path, "GGUF file (the first shard of a split model)")->required();
    cmd->add_flag("--json", options->json, "print one JSON object instead of the text report");
    cmd->add_flag_callback("--no-mmap", [options] { options->use_mmap = false; },
                           "read the file into memory instead of mapping it");
    cmd->callback([options, &exit_code] { exit_code = run_inspect(*options, std::cout, std::cerr); });
}

}  // namespace sy::cli
