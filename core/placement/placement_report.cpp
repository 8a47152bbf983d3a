// format_placement_report and format_bytes. A Kimi-K2 has ~1,100 weight tensors; the report
// folds the 61 copies of each per-layer tensor into one line so a device section fits a screen:
//
//   CPU: 345.96 GiB in 181 tensors (755.00 GiB free)
//     token_embd.weight                  1 × 1.16 GiB      1.16 GiB  default
//     blk.[1-60].ffn_gate_exps.weight   60 × 2.09 GiB    125.51 GiB  -ot 'exps=CPU'
#include <algorithm>
#include <iterator>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "placement/placement.hpp"

namespace sy::placement {
namespace {

// Tensors on one device whose names differ only in the blk.N index and that were placed for
// the same reason.
struct Group {
    std::string prefix_or_name;  // "blk." for per-layer tensors, else the whole name
    std::string suffix;          // ".ffn_down_exps.weight" after the index; "" for the others
    std::string reason;
    std::vector<int> layers;     // blk indices in file order (empty for non-layer tensors)
    uint64_t count = 0;
    uint64_t total = 0;
    uint64_t smallest = std::numeric_limits<uint64_t>::max();
    uint64_t largest = 0;
};

// "5", "[0-60]", "[1-3,7,9-10]".
std::string index_ranges(std::vector<int> layers) {
    std::sort(layers.begin(), layers.end());
    layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
    if (layers.size() == 1) return std::to_string(layers[0]);
    std::string out = "[";
    for (size_t i = 0; i < layers.size();) {
        size_t j = i;
        while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
        if (i > 0) out += ",";
        out += std::to_string(layers[i]);
        if (j > i) out += "-" + std::to_string(layers[j]);
        i = j + 1;
    }
    return out + "]";
}

std::string display_name(const Group& g) {
    return g.layers.empty() ? g.prefix_or_name : g.prefix_or_name + index_ranges(g.layers) + g.suffix;
}

std::string per_tensor_size(const Group& g) {
    return g.smallest == g.largest ? format_bytes(g.largest) : format_bytes(g.smallest) + ".." + format_bytes(g.largest);
}

std::string pad_right(const std::string& s, size_t width) { return s + std::string(width - std::min(width, s.size()), ' '); }
std::string pad_left(const std::string& s, size_t width) { return std::string(width - std::min(width, s.size()), ' ') + s; }

std::string count_text(uint64_t n, const char* noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

struct DeviceSection {
    std::string name;
    const DeviceSlot* slot = nullptr;  // nullptr for a name missing from the device list
    std::vector<Group> groups;
    uint64_t count = 0;
    uint64_t total = 0;
};

uint64_t saturating_add(uint64_t a, uint64_t b) {
    return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

}  // namespace

std::string format_bytes(uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = double(bytes) / 1024.0;
    size_t unit = 0;
    // Move up while the two-decimal rendering would reach 1024.00 in this unit.
    while (value >= 1024.0 - 0.005 && unit + 1 < std::size(units)) {
        value /= 1024.0;
        ++unit;
    }
    char text[48];
    std::snprintf(text, sizeof text, "%.2f %s", value, units[unit]);
    return text;
}

std::string format_placement_report(const std::vector<WeightInfo>& weights, const Placement& placement,
                                    const std::vector<DeviceSlot>& devices) {
    if (placement.device_of.size() != weights.size() || placement.reason.size() != weights.size())
        throw Error("placement report: the placement covers " + std::to_string(placement.device_of.size()) +
                    " tensors, the weight list has " + std::to_string(weights.size()));

    std::vector<DeviceSection> sections;
    for (const DeviceSlot& d : devices) sections.push_back({d.name, &d, {}, 0, 0});
    const auto section_of = [&](const std::string& name) -> DeviceSection& {
        for (DeviceSection& s : sections)
            if (s.name == name) return s;
        return sections.emplace_back(DeviceSection{name, nullptr, {}, 0, 0});
    };

    uint64_t grand_total = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        const WeightInfo& w = weights[i];
        DeviceSection& section = section_of(placement.device_of[i]);
        const int layer = layer_of_tensor(w.name);
        std::string prefix = w.name, suffix;
        if (layer >= 0) {
            prefix = "blk.";
            suffix = w.name.substr(w.name.find('.', 4));
        }
        auto group = std::find_if(section.groups.begin(), section.groups.end(), [&](const Group& g) {
            return g.prefix_or_name == prefix && g.suffix == suffix && g.reason == placement.reason[i];
        });
        if (group == section.groups.end()) {
            section.groups.push_back(Group{prefix, suffix, placement.reason[i], {}, 0, 0,
                                           std::numeric_limits<uint64_t>::max(), 0});
            group = section.groups.end() - 1;
        }
        if (layer >= 0) group->layers.push_back(layer);
        group->count += 1;
        group->total = saturating_add(group->total, w.bytes);
        group->smallest = std::min(group->smallest, w.bytes);
        group->largest = std::max(group->largest, w.bytes);
        section.count += 1;
        section.total = saturating_add(section.total, w.bytes);
        grand_total = saturating_add(grand_total, w.bytes);
    }

    // One set of column widths for the whole report, so sections line up under each other.
    size_t name_w = 0, count_w = 0, size_w = 0, total_w = 0;
    for (const DeviceSection& s : sections)
        for (const Group& g : s.groups) {
            name_w = std::max(name_w, display_name(g).size());
            count_w = std::max(count_w, std::to_string(g.count).size());
            size_w = std::max(size_w, per_tensor_size(g).size());
            total_w = std::max(total_w, format_bytes(g.total).size());
        }

    std::string out = "Weight placement:\n";
    for (const DeviceSection& s : sections) {
        out += s.name + ": " + format_bytes(s.total) + " in " + count_text(s.count, "tensor");
        if (s.slot && s.slot->memory_free != std::numeric_limits<uint64_t>::max())
            out += " (" + format_bytes(s.slot->memory_free) + " free)";
        out += "\n";
        for (const Group& g : s.groups)
            out += "  " + pad_right(display_name(g), name_w) + "  " + pad_left(std::to_string(g.count), count_w) +
                   " × " + pad_left(per_tensor_size(g), size_w) + "  " + pad_left(format_bytes(g.total), total_w) + "  " +
                   g.reason + "\n";
    }
    out += "Total: " + format_bytes(grand_total) + " in " + count_text(weights.size(), "tensor") + "\n";
    return out;
}

}  // namespace sy::placement
