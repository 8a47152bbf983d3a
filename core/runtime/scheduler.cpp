#include "runtime/scheduler.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "common/error.hpp"
#include "host/op_names.hpp"
#include "host/transfer.hpp"
#include "types/type_registry.hpp"

namespace sy::runtime {
namespace {

constexpr uint64_t kAlign = 256;  // arena offsets: enough for any device's vector loads

uint64_t align_up(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

bool reads_weight_src0(int32_t kind) {
    return kind == SY_OP_MUL_MAT || kind == SY_OP_MUL_MAT_ID || kind == SY_OP_GET_ROWS;
}

bool reads_weight_src1(int32_t kind) { return kind == SY_OP_ADD || kind == SY_OP_MUL || kind == SY_OP_DIV; }

// First-fit allocator over one arena: offsets of blocks live at the same time never overlap.
class ArenaPacker {
public:
    uint64_t alloc(uint64_t size) {
        size = align_up(size);
        for (size_t i = 0; i < free_.size(); ++i) {
            auto& [off, len] = free_[i];
            if (len < size) continue;
            const uint64_t at = off;
            off += size;
            len -= size;
            if (len == 0) free_.erase(free_.begin() + std::ptrdiff_t(i));
            return at;
        }
        // Grow at the top; a free block touching the top is reused first.
        uint64_t at = top_;
        if (!free_.empty() && free_.back().first + free_.back().second == top_) {
            at = free_.back().first;
            free_.pop_back();
        }
        top_ = at + size;
        return at;
    }
    void release(uint64_t offset, uint64_t size) {
        size = align_up(size);
        auto it = std::lower_bound(free_.begin(), free_.end(), std::make_pair(offset, uint64_t(0)));
        it = free_.insert(it, {offset, size});
        // Merge with the next and the previous block.
        if (it + 1 != free_.end() && it->first + it->second == (it + 1)->first) {
            it->second += (it + 1)->second;
            free_.erase(it + 1);
        }
        if (it != free_.begin() && (it - 1)->first + (it - 1)->second == it->first) {
            (it - 1)->second += it->second;
            free_.erase(it);
        }
    }
    uint64_t high_water() const { return top_; }

private:
    std::vector<std::pair<uint64_t, uint64_t>> free_;  // (offset, size), sorted by offset
    uint64_t top_ = 0;
};

}  // namespace

struct Scheduler::Slot {
    TensorId storage = kNoTensor;
    int device = -1;
    uint64_t bytes = 0;
    int first = 0;  // node index of the first use on this device
    int last = 0;   // node index of the last use (n_nodes: kept to the end)
    uint64_t offset = 0;
    bool is_copy = false;  // filled before `first` by an upload (inputs) or a device copy
};

struct Scheduler::Plan {
    std::vector<int> node_device;
    std::vector<int> home;  // per tensor id: device of its storage's home slot, -1 if none
    std::vector<Slot> slots;
    std::map<std::pair<TensorId, int>, int> slot_of;  // (storage, device) -> slots index
    std::vector<std::vector<int>> fills_before;       // per node: slots to fill first
    std::vector<uint64_t> arena_size;
};

Scheduler::Scheduler(std::vector<host::Device> devices) : devices_(std::move(devices)) {
    if (devices_.empty()) throw Error("scheduler: no devices");
    arenas_.resize(devices_.size());
}

namespace {

sy_tensor describe(const GraphTensor& t, const host::Buffer* buffer, uint64_t offset) {
    sy_tensor out{};
    out.buffer = buffer != nullptr ? buffer->raw() : nullptr;
    out.offset = offset;
    out.type = t.type;
    out.n_dims = t.n_dims;
    for (size_t i = 0; i < SY_MAX_DIMS; ++i) {
        out.ne[i] = t.ne[i];
        out.nb[i] = t.nb[i];
    }
    return out;
}

sy_op describe_node(const Graph& g, const GraphNode& n) {
    sy_op op{};
    op.struct_size = sizeof(sy_op);
    op.kind = n.kind;
    op.n_src = n.n_src;
    op.dst = describe(g.tensor(n.dst), nullptr, 0);
    for (int s = 0; s < n.n_src; ++s) op.src[s] = describe(g.tensor(n.src[size_t(s)]), nullptr, 0);
    for (size_t i = 0; i < 4; ++i) {
        op.params_f[i] = n.params_f[i];
        op.params_i[i] = n.params_i[i];
    }
    return op;
}

std::string op_text(const Graph& g, const GraphNode& n) {
    std::string text = host::op_kind_name(n.kind) + "(";
    for (int s = 0; s < n.n_src; ++s) {
        const GraphTensor& t = g.tensor(n.src[size_t(s)]);
        text += fmt::format("{}{} {} [{}, {}, {}, {}]", s ? ", " : "", t.name, type_name(t.type), t.ne[0], t.ne[1],
                            t.ne[2], t.ne[3]);
    }
    return text + ")";
}

}  // namespace

void Scheduler::assign_devices(const Graph& g, Plan& plan) {
    const auto& nodes = g.nodes();
    plan.node_device.assign(nodes.size(), -1);
    plan.home.assign(g.tensors().size(), -1);
    auto storage = [&](TensorId t) -> const GraphTensor& { return g.tensor(g.storage_of(t)); };
    auto is_placed = [&](TensorId t) {
        const TensorRole r = storage(t).role;
        return r == TensorRole::Weight || r == TensorRole::Cache;
    };
    for (size_t i = 0; i < nodes.size(); ++i) {
        const GraphNode& n = nodes[i];
        int dev = -1;
        bool pinned = false;
        if (reads_weight_src0(n.kind) && storage(n.src[0]).role == TensorRole::Weight) {
            dev = storage(n.src[0]).placed.device;
            pinned = true;
        } else if (reads_weight_src1(n.kind) && storage(n.src[1]).role == TensorRole::Weight) {
            dev = storage(n.src[1]).placed.device;
            pinned = true;
        }
        if (dev < 0 && n.kind == SY_OP_ATTENTION && is_placed(n.src[1])) dev = storage(n.src[1]).placed.device;
        if (dev < 0) {
            const TensorId dst_storage = g.storage_of(n.dst);
            if (is_placed(n.dst)) {
                dev = storage(n.dst).placed.device;
            } else if (plan.home[size_t(dst_storage)] >= 0) {
                dev = plan.home[size_t(dst_storage)];
            }
        }
        for (int s = 0; dev < 0 && s < n.n_src; ++s) {
            const TensorId st = g.storage_of(n.src[size_t(s)]);
            if (g.tensor(st).role == TensorRole::Activation && plan.home[size_t(st)] >= 0) dev = plan.home[size_t(st)];
        }
        for (int s = 0; dev < 0 && s < n.n_src; ++s) {
            if (is_placed(n.src[size_t(s)])) dev = storage(n.src[size_t(s)]).placed.device;
        }
        if (dev < 0) dev = 0;
        const sy_op desc = describe_node(g, n);
        if (!devices_[size_t(dev)].supports_op(desc)) {
            if (pinned || dev == 0 || !devices_[0].supports_op(desc)) {
                throw Error(fmt::format("device {} cannot run {} (and it {})", devices_[size_t(dev)].name(),
                                        op_text(g, n),
                                        pinned ? "holds the weight" : "no other device can run it either"));
            }
            dev = 0;
        }
        plan.node_device[i] = dev;
        const TensorId dst_storage = g.storage_of(n.dst);
        if (g.tensor(dst_storage).role == TensorRole::Activation && plan.home[size_t(dst_storage)] < 0) {
            plan.home[size_t(dst_storage)] = dev;
        }
    }
}

void Scheduler::plan_memory(const Graph& g, Plan& plan) {
    const auto& nodes = g.nodes();
    const int n_nodes = int(nodes.size());
    plan.fills_before.assign(nodes.size(), {});
    auto get_slot = [&](TensorId st, int dev, int node) -> Slot& {
        auto [it, added] = plan.slot_of.try_emplace({st, dev}, int(plan.slots.size()));
        if (added) {
            Slot s;
            s.storage = st;
            s.device = dev;
            s.bytes = g.tensor(st).span_bytes();
            s.first = node;
            s.last = node;
            plan.slots.push_back(s);
        }
        return plan.slots[size_t(it->second)];
    };
    for (int i = 0; i < n_nodes; ++i) {
        const GraphNode& n = nodes[size_t(i)];
        const int dev = plan.node_device[size_t(i)];
        for (int s = 0; s < n.n_src + 1; ++s) {
            const bool is_dst = s == n.n_src;
            const TensorId t = is_dst ? n.dst : n.src[size_t(s)];
            const TensorId st = g.storage_of(t);
            const GraphTensor& gt = g.tensor(st);
            if (gt.role == TensorRole::Weight || gt.role == TensorRole::Cache) {
                if (gt.placed.device != dev) {
                    throw Error(fmt::format("{} runs on {} but reads '{}' held by {}", op_text(g, n),
                                            devices_[size_t(dev)].name(), gt.name,
                                            devices_[size_t(gt.placed.device)].name()));
                }
                continue;
            }
            if (gt.role == TensorRole::Input && plan.home[size_t(st)] < 0) plan.home[size_t(st)] = dev;
            const int home = plan.home[size_t(st)];
            const bool existed = plan.slot_of.count({st, dev}) != 0;
            Slot& slot = get_slot(st, dev, i);
            slot.last = i;
            if (is_dst) {
                if (gt.role == TensorRole::Activation && home != dev) {
                    throw Error(fmt::format("scheduler: {} on {} writes '{}', which lives on {}", op_text(g, n),
                                            devices_[size_t(dev)].name(), gt.name, devices_[size_t(home)].name()));
                }
                for (const auto& [key, index] : plan.slot_of) {
                    if (key.first == st && plan.slots[size_t(index)].is_copy) {
                        throw Error(fmt::format("scheduler: '{}' is written after being copied to another device",
                                                gt.name));
                    }
                }
                continue;
            }
            if (existed) continue;
            if (gt.role == TensorRole::Input || dev != home) {
                slot.is_copy = true;
                plan.fills_before[size_t(i)].push_back(plan.slot_of[{st, dev}]);
                if (gt.role == TensorRole::Activation) {
                    if (plan.slot_of.count({st, home}) == 0) {
                        throw Error(fmt::format("scheduler: '{}' is read before it is written", gt.name));
                    }
                    plan.slots[size_t(plan.slot_of[{st, home}])].last = i;  // the copy reads it here
                }
            }
        }
    }
    for (TensorId t : g.outputs()) {
        const TensorId st = g.storage_of(t);
        auto it = plan.slot_of.find({st, plan.home[size_t(st)]});
        if (it == plan.slot_of.end()) throw Error(fmt::format("scheduler: output '{}' is never written", g.tensor(st).name));
        plan.slots[size_t(it->second)].last = n_nodes;
    }

    // Pack each device's slots by lifetime.
    plan.arena_size.assign(devices_.size(), 0);
    std::vector<int> order(plan.slots.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        return plan.slots[size_t(a)].first != plan.slots[size_t(b)].first
                   ? plan.slots[size_t(a)].first < plan.slots[size_t(b)].first
                   : a < b;
    });
    for (size_t d = 0; d < devices_.size(); ++d) {
        ArenaPacker packer;
        std::vector<int> live;
        for (int index : order) {
            Slot& slot = plan.slots[size_t(index)];
            if (slot.device != int(d)) continue;
            // Free what died before this slot's first use (a node's sources and its
            // destination are live together, so they never share bytes).
            for (size_t k = 0; k < live.size();) {
                const Slot& old = plan.slots[size_t(live[k])];
                if (old.last < slot.first) {
                    packer.release(old.offset, old.bytes);
                    live[k] = live.back();
                    live.pop_back();
                } else {
                    ++k;
                }
            }
            slot.offset = packer.alloc(slot.bytes);
            live.push_back(index);
        }
        plan.arena_size[d] = packer.high_water();
    }
}

void Scheduler::execute(const Graph& g, const Plan& plan) {
    for (size_t d = 0; d < devices_.size(); ++d) {
        if (plan.arena_size[d] > arenas_[d].size()) {
            arenas_[d] = host::Buffer();  // free first: the device may not hold both
            arenas_[d] = devices_[d].alloc(plan.arena_size[d]);
        }
    }
    auto locate = [&](TensorId t, int dev) -> std::pair<const host::Buffer*, uint64_t> {
        const GraphTensor& view = g.tensor(t);
        const TensorId st = g.storage_of(t);
        const GraphTensor& gt = g.tensor(st);
        const uint64_t view_offset = view.role == TensorRole::View ? view.offset : 0;
        if (gt.role == TensorRole::Weight || gt.role == TensorRole::Cache) {
            return {gt.placed.buffer, gt.placed.offset + view_offset};
        }
        const Slot& slot = plan.slots[size_t(plan.slot_of.at({st, dev}))];
        return {&arenas_[size_t(dev)], slot.offset + view_offset};
    };
    const auto& nodes = g.nodes();
    for (size_t i = 0; i < nodes.size(); ++i) {
        const GraphNode& n = nodes[i];
        const int dev = plan.node_device[i];
        for (int index : plan.fills_before[i]) {
            const Slot& slot = plan.slots[size_t(index)];
            const GraphTensor& gt = g.tensor(slot.storage);
            if (gt.role == TensorRole::Input) {
                arenas_[size_t(dev)].upload(slot.offset, gt.host_data.data(), gt.host_data.size());
                continue;
            }
            const int home = plan.home[size_t(slot.storage)];
            const Slot& from = plan.slots[size_t(plan.slot_of.at({slot.storage, home}))];
            devices_[size_t(home)].synchronize();
            host::copy_buffer(arenas_[size_t(home)], from.offset, arenas_[size_t(dev)], slot.offset, slot.bytes);
            ++stats_.cross_device_copies;
            stats_.cross_device_bytes += slot.bytes;
        }
        sy_op op = describe_node(g, n);
        auto [dst_buffer, dst_offset] = locate(n.dst, dev);
        op.dst = describe(g.tensor(n.dst), dst_buffer, dst_offset);
        for (int s = 0; s < n.n_src; ++s) {
            auto [buffer, offset] = locate(n.src[size_t(s)], dev);
            op.src[s] = describe(g.tensor(n.src[size_t(s)]), buffer, offset);
        }
        try {
            devices_[size_t(dev)].run(op);
        } catch (const Error& e) {
            throw Error(fmt::format("{} on {}: {}", op_text(g, n), devices_[size_t(dev)].name(), e.what()));
        }
        ++stats_.ops;
    }
    for (const host::Device& d : devices_) d.synchronize();
}

void Scheduler::run(const Graph& g) {
    Plan plan;
    assign_devices(g, plan);
    plan_memory(g, plan);
    execute(g, plan);
    node_device_ = plan.node_device;
    output_location_.assign(g.tensors().size(), {-1, 0});
    for (TensorId t : g.outputs()) {
        const TensorId st = g.storage_of(t);
        const int home = plan.home[size_t(st)];
        output_location_[size_t(t)] = {home, plan.slots[size_t(plan.slot_of.at({st, home}))].offset};
    }
    ++stats_.runs;
}

std::vector<float> Scheduler::read_output(const Graph& g, TensorId t) const {
    if (size_t(t) >= output_location_.size() || output_location_[size_t(t)].first < 0) {
        throw Error("scheduler: tensor was not an output of the last run");
    }
    const GraphTensor& gt = g.tensor(t);
    if (gt.type != 0) throw Error("scheduler: read_output reads F32 tensors only");
    const auto [dev, base] = output_location_[size_t(t)];
    const uint64_t view_offset = gt.role == TensorRole::View ? gt.offset : 0;
    std::vector<float> out;
    out.reserve(size_t(gt.ne[0] * gt.ne[1] * gt.ne[2] * gt.ne[3]));
    std::vector<float> row(size_t(gt.ne[0]));
    for (int64_t i3 = 0; i3 < gt.ne[3]; ++i3) {
        for (int64_t i2 = 0; i2 < gt.ne[2]; ++i2) {
            for (int64_t i1 = 0; i1 < gt.ne[1]; ++i1) {
                const uint64_t off = base + view_offset + uint64_t(i1) * gt.nb[1] + uint64_t(i2) * gt.nb[2] +
                                     uint64_t(i3) * gt.nb[3];
                arenas_[size_t(dev)].download(off, row.data(), row.size() * sizeof(float));
                out.insert(out.end(), row.begin(), row.end());
            }
        }
    }
    return out;
}

std::vector<uint64_t> Scheduler::arena_bytes() const {
    std::vector<uint64_t> out;
    for (const host::Buffer& b : arenas_) out.push_back(b.size());
    return out;
}

}  // namespace sy::runtime
