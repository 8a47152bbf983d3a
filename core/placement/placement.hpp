// Which device holds each weight tensor, from the flags users already write for ik_llama.cpp:
// -ot / --override-tensor, -ngl / --n-gpu-layers, --cpu-moe, --n-cpu-moe. Also the placement
// report printed before loading. docs/placement.md has the user-facing description.
//
// Decision order for one tensor (the first that applies wins):
//   1. the first -ot rule, over all -ot flags in order, whose regex is found in the name;
//   2. --cpu-moe / --n-cpu-moe N: a routed-expert tensor (ffn_{up,down,gate,gate_up}_exps
//      .weight / .scale; biases stay) of any layer / of layers 0..N-1 goes to the CPU;
//   3. -ngl N: tensors of repeating layers blk.i with i >= n_layer - N go to the non-CPU
//      devices, split by layer in proportion to their free memory (one device: all to it);
//      output.weight / output_norm.* follow when N > n_layer; token_embd always stays on CPU;
//   4. everything else: the CPU.
// Then the plan is checked against each device's free memory (sy::Error if it cannot fit).
//
// -ngl unset means "all layers" (ik_llama.cpp's default of -1 becomes 999 when a GPU exists);
// with no non-CPU device every -ngl value places everything on the CPU without error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::placement {

// One device weights can be placed on, as the host registry reports it.
struct DeviceSlot {
    std::string name;          // "CPU", "TEST0", "CUDA0": what -ot rules name (exact, case-sensitive)
    bool is_cpu = false;       // host memory; the first such slot receives CPU placements
    uint64_t memory_free = 0;  // bytes the weights may use; UINT64_MAX for "do not check"
};

// One weight tensor of the model, in file order.
struct WeightInfo {
    std::string name;  // GGUF tensor name, e.g. "blk.3.ffn_down_exps.weight"
    uint64_t bytes = 0;
    int layer = -1;    // N of a "blk.N." name, -1 otherwise (layer_of_tensor computes it)
};

struct PlacementOptions {
    std::vector<std::string> overrides;  // raw -ot values in flag order, each "regex=DEV[,regex=DEV...]"
    std::optional<int> n_gpu_layers;     // -ngl N; unset or negative: all layers (ik's -1)
    bool cpu_moe = false;                // --cpu-moe: routed experts of every layer on the CPU
    int n_cpu_moe = 0;                   // --n-cpu-moe N: ... of layers 0..N-1 (N < 0 is an error)
};

// Parallel to the WeightInfo list.
struct Placement {
    std::vector<std::string> device_of;  // device name per tensor
    std::vector<std::string> reason;     // why: "-ot 'exps=CPU'", "--cpu-moe", "--n-cpu-moe 30",
                                         // "-ngl 999", "-ngl default", "default"
};

// The N of a name that starts "blk.N.", or -1.
int layer_of_tensor(std::string_view name);

// True for the routed-expert tensors --cpu-moe / --n-cpu-moe move: a dot-separated name part
// equal to ffn_up_exps, ffn_down_exps, ffn_gate_exps or ffn_gate_up_exps, and not a ".bias"
// (as ik_llama.cpp since PR 841: small biases on the CPU cost prompt-processing speed).
bool is_routed_expert_tensor(std::string_view name);

// Decides the device of every weight. `devices` must contain a CPU slot. Throws sy::Error for
// a bad -ot value (naming the rule; an unknown device lists the available ones), a negative
// --n-cpu-moe, a missing CPU slot, or a plan that exceeds some device's memory_free (naming
// the device, needed and free bytes, and its largest tensors).
Placement place_weights(const std::vector<WeightInfo>& weights, int n_layer, const std::vector<DeviceSlot>& devices,
                        const PlacementOptions& options);

// Human-readable summary: per device (in `devices` order) a header with total bytes and tensor
// count, then one line per group of tensors whose names differ only in the blk.N index and that
// share a reason (indices collapsed into ranges, "blk.[1-60].ffn_down_exps.weight"), then a total
// line. Ends with a newline.
std::string format_placement_report(const std::vector<WeightInfo>& weights, const Placement& placement,
                                    const std::vector<DeviceSlot>& devices);

// "512 B", "28.00 KiB", "3.52 GiB": binary units, two decimals.
std::string format_bytes(uint64_t bytes);

}  // namespace sy::placement
