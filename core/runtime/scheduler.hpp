// Runs a Graph across devices: each op goes to the device that holds its weights, and only
// activations move between devices.
//
// Device choice per op, in order:
//   1. ops that read a weight (MUL_MAT / MUL_MAT_ID / GET_ROWS: src0; ADD / MUL / DIV: a
//      weight src1) run where the weight is;
//   2. ops that write into a cache or into an activation that already has a home run there;
//      ATTENTION runs where its K cache is;
//   3. other ops follow their first activation source (so a chain of weightless ops stays on
//      the device that produced its input), else the first device.
// An op a device cannot run (supports_op false) falls back to the first device, when it reads
// no weight there; otherwise the run fails with a message naming op, device and types.
//
// Memory: every activation lives on its home device (where it is written); a read from
// another device gets a mirror there, copied once after its last write. Per device, the
// tensors' lifetimes (first to last use) are packed into one arena by first-fit, so memory is
// what is live at once, not the sum of the graph (a 61-layer model needs a few layers' worth).
// Arenas are kept between runs and grown when a graph needs more.
//
// Not thread-safe: one run at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "host/device.hpp"
#include "runtime/graph.hpp"

namespace sy::runtime {

struct SchedulerStats {
    uint64_t runs = 0;
    uint64_t ops = 0;
    uint64_t cross_device_copies = 0;
    uint64_t cross_device_bytes = 0;
};

class Scheduler {
public:
    // devices[0] is the fallback device (the CPU in practice).
    explicit Scheduler(std::vector<host::Device> devices);

    // Plans and runs every op of g. Outputs (Graph::mark_output) can be read until the next run.
    void run(const Graph& g);

    // The values of an F32 output tensor of the last run, rows in order.
    std::vector<float> read_output(const Graph& g, TensorId t) const;

    // Device index each op of the last run went to (tests, reports).
    const std::vector<int>& node_devices() const { return node_device_; }
    // Bytes of the arena of each device (high-water mark of the plans so far).
    std::vector<uint64_t> arena_bytes() const;
    const SchedulerStats& stats() const { return stats_; }
    const std::vector<host::Device>& devices() const { return devices_; }

private:
    struct Slot;  // an activation's bytes on one device
    struct Plan;

    void assign_devices(const Graph& g, Plan& plan);
    void plan_memory(const Graph& g, Plan& plan);
    void execute(const Graph& g, const Plan& plan);

    std::vector<host::Device> devices_;
    std::vector<host::Buffer> arenas_;  // one per device, grown on demand
    std::vector<int> node_device_;
    // Where each output lives after the last run: device and arena offset per tensor id.
    std::vector<std::pair<int, uint64_t>> output_location_;
    SchedulerStats stats_;
};

}  // namespace sy::runtime
