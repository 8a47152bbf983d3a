// place_weights: the decision order of placement.hpp, then the memory check.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "placement/override_rules.hpp"
#include "placement/placement.hpp"

namespace sy::placement {
namespace {

constexpr std::string_view kRoutedExpertParts[] = {"ffn_up_exps", "ffn_down_exps", "ffn_gate_exps", "ffn_gate_up_exps"};

// The output head: output.weight, output_norm.weight (and any bias of them). Kept apart from
// token_embd, which never leaves the CPU (ik: "very little benefit to offloading the input").
bool is_output_tensor(std::string_view name) { return name.substr(0, 6) == "output"; }

// Where -ngl sends the repeating layers and the output head. Follows the layer split of
// llama.cpp's loader for split mode "layer" with the default --tensor-split: device d takes the
// offloaded slots whose position (slot - first) / n_slots falls below its cumulative share of
// the free memory, where the output head is one more slot after the last layer.
class LayerSplit {
public:
    LayerSplit(int n_layer, std::optional<int> n_gpu_layers, const std::vector<const DeviceSlot*>& gpus) {
        gpus_ = gpus;
        // Unset or negative: ik's -1, which becomes 999 ("all") when a GPU exists.
        const long long requested = n_gpu_layers && *n_gpu_layers >= 0 ? *n_gpu_layers : 999;
        const long long offloaded = gpus.empty() ? 0 : requested;
        first_ = int(std::max<long long>(n_layer - offloaded, 0));
        output_offloaded_ = offloaded > n_layer;
        n_slots_ = int(std::min<long long>(offloaded, (long long)n_layer + 1));
        // Cumulative shares; all-zero free memory splits evenly (the memory check then refuses it).
        double total = 0;
        for (const DeviceSlot* g : gpus) total += double(g->memory_free);
        double sum = 0;
        for (const DeviceSlot* g : gpus) {
            sum += total > 0 ? double(g->memory_free) : 1.0;
            cumulative_.push_back(sum);
        }
        for (double& c : cumulative_) c /= sum;
    }

    // The device of layer `layer` (blk index), or nullptr for the CPU.
    const DeviceSlot* layer_device(int layer) const {
        if (n_slots_ == 0 || layer < first_) return nullptr;
        return device_for_slot(layer - first_);
    }
    const DeviceSlot* output_device() const { return output_offloaded_ ? device_for_slot(n_slots_ - 1) : nullptr; }

private:
    const DeviceSlot* device_for_slot(int slot) const {
        const double position = double(slot) / double(n_slots_);
        const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), position);
        const size_t index = std::min(size_t(it - cumulative_.begin()), gpus_.size() - 1);
        return gpus_[index];
    }

    std::vector<const DeviceSlot*> gpus_;
    std::vector<double> cumulative_;
    int first_ = 0;
    int n_slots_ = 0;
    bool output_offloaded_ = false;
};

uint64_t saturating_add(uint64_t a, uint64_t b) {
    return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

// Refuses a plan in which some device holds more than its memory_free. One message covers
// every overfull device, each with its three largest tensors, so one edit of the flags can fix all.
void check_memory(const std::vector<WeightInfo>& weights, const Placement& placement,
                  const std::vector<DeviceSlot>& devices) {
    std::string problems;
    for (const DeviceSlot& device : devices) {
        uint64_t needed = 0;
        std::vector<size_t> here;
        for (size_t i = 0; i < weights.size(); ++i) {
            if (placement.device_of[i] != device.name) continue;
            needed = saturating_add(needed, weights[i].bytes);
            here.push_back(i);
        }
        if (needed <= device.memory_free) continue;
        // Largest first, file order among equals (no stable_sort: libstdc++'s is deprecated-noisy under clang).
        const size_t shown = std::min<size_t>(here.size(), 3);
        std::partial_sort(here.begin(), here.begin() + std::ptrdiff_t(shown), here.end(), [&](size_t a, size_t b) {
            return weights[a].bytes != weights[b].bytes ? weights[a].bytes > weights[b].bytes : a < b;
        });
        here.resize(shown);
        std::string largest;
        for (size_t i : here)
            largest += (largest.empty() ? "" : ", ") + weights[i].name + " (" + format_bytes(weights[i].bytes) + ", " +
                       placement.reason[i] + ")";
        problems += "\n  " + device.name + " needs " + format_bytes(needed) + " but has " +
                    format_bytes(device.memory_free) + " free; its largest tensors: " + largest;
    }
    if (!problems.empty())
        throw Error("the weights do not fit:" + problems +
                    "\nmove tensors with -ot REGEX=DEVICE (e.g. -ot exps=CPU), --cpu-moe, --n-cpu-moe N or a lower -ngl");
}

}  // namespace

int layer_of_tensor(std::string_view name) {
    if (name.substr(0, 4) != "blk.") return -1;
    long long layer = 0;
    size_t i = 4;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
        layer = layer * 10 + (name[i] - '0');
        if (layer > std::numeric_limits<int>::max()) return -1;
    }
    if (i == 4 || i >= name.size() || name[i] != '.') return -1;
    return int(layer);
}

bool is_routed_expert_tensor(std::string_view name) {
    // Biases stay with their layer: ik PR 841 measured a clear PP loss (gpt-oss) when --cpu-moe
    // kept the small expert biases on the CPU too.
    if (name.size() >= 5 && name.substr(name.size() - 5) == ".bias") return false;
    for (size_t start = 0; start <= name.size();) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        const std::string_view part = name.substr(start, dot - start);
        for (std::string_view expert : kRoutedExpertParts)
            if (part == expert) return true;
        start = dot + 1;
    }
    return false;
}

Placement place_weights(const std::vector<WeightInfo>& weights, int n_layer, const std::vector<DeviceSlot>& devices,
                        const PlacementOptions& options) {
    const auto cpu = std::find_if(devices.begin(), devices.end(), [](const DeviceSlot& d) { return d.is_cpu; });
    if (cpu == devices.end()) throw Error("placement: the device list has no CPU device");
    if (n_layer < 0) throw Error("placement: negative layer count " + std::to_string(n_layer));
    if (options.n_cpu_moe < 0)
        throw Error("--n-cpu-moe " + std::to_string(options.n_cpu_moe) + ": the number of layers must be >= 0");

    std::vector<OverrideRule> rules;
    for (const std::string& value : options.overrides) parse_override_rules(value, devices, rules);

    std::vector<const DeviceSlot*> gpus;
    for (const DeviceSlot& d : devices)
        if (!d.is_cpu) gpus.push_back(&d);
    const LayerSplit split(n_layer, options.n_gpu_layers, gpus);
    const std::string ngl_reason = options.n_gpu_layers && *options.n_gpu_layers >= 0
                                       ? "-ngl " + std::to_string(*options.n_gpu_layers)
                                       : "-ngl default";
    const std::string moe_reason = options.cpu_moe ? "--cpu-moe" : "--n-cpu-moe " + std::to_string(options.n_cpu_moe);

    Placement placement;
    placement.device_of.reserve(weights.size());
    placement.reason.reserve(weights.size());
    const auto place = [&](const DeviceSlot* device, std::string reason) {
        placement.device_of.push_back(device ? device->name : cpu->name);
        placement.reason.push_back(std::move(reason));
    };
    for (const WeightInfo& w : weights) {
        if (const OverrideRule* rule = match_override_rule(rules, w.name)) {
            placement.device_of.push_back(rule->device);
            placement.reason.push_back("-ot '" + rule->text + "'");
        } else if ((options.cpu_moe || (w.layer >= 0 && w.layer < options.n_cpu_moe)) && is_routed_expert_tensor(w.name)) {
            place(nullptr, moe_reason);
        } else if (w.layer >= 0) {
            const DeviceSlot* device = split.layer_device(w.layer);
            place(device, device ? ngl_reason : "default");
        } else if (is_output_tensor(w.name)) {
            const DeviceSlot* device = split.output_device();
            place(device, device ? ngl_reason : "default");
        } else {
            place(nullptr, "default");
        }
    }
    check_memory(weights, placement, devices);
    return placement;
}

}  // namespace sy::placement
