#include "backends_report.hpp"

#include <filesystem>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "host/capabilities.hpp"
#include "host/op_names.hpp"
#include "types/type_registry.hpp"

namespace sy::cli {
namespace {

std::string format_bytes(uint64_t bytes) {
    constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string type_label(int32_t type) { return type == SY_TYPE_NONE ? "-" : type_name(type); }

std::string full_name(const host::Candidate& c) { return c.variant.empty() ? c.name : c.name + "-" + c.variant; }

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const std::string& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

// Per op, per activation type: the weight types, in the order supported_type_pairs gives.
using OpTable = std::map<int32_t, std::map<int32_t, std::vector<int32_t>>>;

OpTable op_table(const host::Device& device) {
    OpTable table;
    for (const host::TypePair& pair : host::supported_type_pairs(device)) {
        table[pair.op][pair.act_type].push_back(pair.weight_type);
    }
    return table;
}

std::string op_line(int32_t act, const std::vector<int32_t>& weights) {
    if (weights.size() == 1 && weights[0] == SY_TYPE_NONE) return "act " + type_label(act);
    std::vector<std::string> names;
    for (int32_t w : weights) names.push_back(type_label(w));
    return fmt::format("weights {}, act {}", join(names, " "), type_label(act));
}

void append_device(std::string& out, const host::Device& device) {
    const host::DeviceInfo& info = device.info();
    const std::string backend = info.variant.empty() ? info.backend : info.backend + "-" + info.variant;
    out += fmt::format("  {}  (backend {}, kind {})\n", info.name, backend, host::device_kind_name(info.kind));
    out += fmt::format("    description  {}\n", info.description);
    out += fmt::format("    memory       {} total, {} free\n", format_bytes(info.memory_total),
                       format_bytes(info.memory_free));
    const auto features = host::device_feature_names(info.features);
    out += fmt::format("    features     {}\n", features.empty() ? "(none)" : join(features, " "));
    if (!info.feature_text.empty()) out += fmt::format("    details      {}\n", info.feature_text);
    const OpTable table = op_table(device);
    if (table.empty()) out += "    ops          (none)\n";
    bool first = true;
    for (const auto& [op, by_act] : table) {
        for (const auto& [act, weights] : by_act) {
            out += fmt::format("    {:<12} {:<9} {}\n", first ? "ops" : "", host::op_kind_name(op),
                               op_line(act, weights));
            first = false;
        }
    }
}

}  // namespace

std::string backends_report_text(const host::PluginHost& host) {
    std::string out = "search path (in order; a tie in score goes to the first found):\n";
    size_t index = 1;
    for (const host::SearchDir& dir : host.search_dirs()) {
        std::error_code ec;
        const bool exists = std::filesystem::is_directory(dir.path, ec);
        out += fmt::format("  {}. {}  [{}{}]\n", index++, dir.path.string(), dir.origin, exists ? "" : ", missing");
    }
    if (host.search_dirs().empty()) out += "  (none)\n";

    out += "candidates:\n";
    for (const host::Candidate& c : host.candidates()) {
        std::vector<std::string> facts;
        if (c.scored) facts.push_back(fmt::format("score {}", c.score));
        if (c.abi_max != 0) {
            facts.push_back(c.abi_min == c.abi_max ? fmt::format("ABI {}", c.abi_min)
                                                   : fmt::format("ABI {}..{}", c.abi_min, c.abi_max));
        }
        const std::string details = facts.empty() ? "" : "  (" + join(facts, ", ") + ")";
        out += fmt::format("  {:<8} {:<16} {}{}\n", host::candidate_status_name(c.status), full_name(c), c.origin,
                           details);
        if (!c.reason.empty()) out += fmt::format("           {}\n", c.reason);
    }
    if (host.candidates().empty()) out += "  (none: no plugin files found and no static backends)\n";

    out += "devices:\n";
    for (const host::Device& device : host.devices()) append_device(out, device);
    if (host.devices().empty()) out += "  (none)\n";
    return out;
}

nlohmann::json backends_report_json(const host::PluginHost& host) {
    nlohmann::json report;
    report["search_path"] = nlohmann::json::array();
    for (const host::SearchDir& dir : host.search_dirs()) {
        std::error_code ec;
        report["search_path"].push_back({{"path", dir.path.string()},
                                         {"origin", dir.origin},
                                         {"exists", std::filesystem::is_directory(dir.path, ec)}});
    }
    report["candidates"] = nlohmann::json::array();
    for (const host::Candidate& c : host.candidates()) {
        report["candidates"].push_back({{"origin", c.origin},
                                        {"static", c.is_static()},
                                        {"name", c.name},
                                        {"variant", c.variant},
                                        {"status", host::candidate_status_name(c.status)},
                                        {"reason", c.reason},
                                        {"score", c.scored ? nlohmann::json(c.score) : nlohmann::json()},
                                        {"abi_min", c.abi_min},
                                        {"abi_max", c.abi_max},
                                        {"abi", c.abi},
                                        {"build_info", c.build_info}});
    }
    report["devices"] = nlohmann::json::array();
    for (const host::Device& device : host.devices()) {
        const host::DeviceInfo& info = device.info();
        nlohmann::json ops = nlohmann::json::array();
        for (const host::TypePair& pair : host::supported_type_pairs(device)) {
            ops.push_back({{"op", host::op_kind_name(pair.op)},
                           {"weight", type_label(pair.weight_type)},
                           {"act", type_label(pair.act_type)}});
        }
        report["devices"].push_back({{"name", info.name},
                                     {"backend", info.backend},
                                     {"variant", info.variant},
                                     {"kind", host::device_kind_name(info.kind)},
                                     {"description", info.description},
                                     {"memory_total", info.memory_total},
                                     {"memory_free", info.memory_free},
                                     {"features", host::device_feature_names(info.features)},
                                     {"feature_text", info.feature_text},
                                     {"ops", std::move(ops)}});
    }
    return report;
}

}  // namespace sy::cli
