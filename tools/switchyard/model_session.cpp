#include "model_session.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <ostream>
#include <set>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "common/error.hpp"
#include "host/search_path.hpp"
#include "placement/placement.hpp"
#include "static_backends.hpp"
#include "types/type_registry.hpp"

namespace sy::cli {
namespace {

host::HostOptions model_host_options() {
    host::HostOptions options;
    options.search_dirs = host::default_plugin_search_dirs();
    for (const StaticBackend* s = kStaticBackends; s->get_entry != nullptr; ++s) {
        options.static_backends.push_back({s->id, s->get_entry});
    }
    return options;
}

std::vector<placement::DeviceSlot> device_slots(const std::vector<host::Device>& devices) {
    std::vector<placement::DeviceSlot> slots;
    for (const host::Device& d : devices) {
        const host::DeviceInfo info = d.query_info();
        // Host memory is not reserved for weights alone (the page cache holds a mapped file);
        // only separate-memory devices get a hard limit.
        const bool is_cpu = info.kind == SY_DEVICE_KIND_CPU;
        slots.push_back({info.name, is_cpu, is_cpu ? std::numeric_limits<uint64_t>::max() : info.memory_free});
    }
    return slots;
}

// The file's tensors the forward pass does not read (attn_kv_b when attn_k_b / attn_v_b are
// stored, MTP layers, ...), so a report that lists fewer tensors than the file explains why.
std::string unused_tensors_note(const gguf::GgufModel& file, const model::ModelWeights& weights) {
    std::set<std::string_view> used;
    for (const model::Weight& w : weights.all()) used.insert(w.name);
    std::vector<std::string_view> unused;
    uint64_t bytes = 0;
    for (const gguf::TensorInfo& t : file.tensors()) {
        if (used.count(t.name) != 0) continue;
        unused.push_back(t.name);
        bytes += t.nbytes;
    }
    if (unused.empty()) return "";
    std::string note = fmt::format("Not loaded (not read by the forward pass): {} tensors, {}:", unused.size(),
                                   placement::format_bytes(bytes));
    for (size_t i = 0; i < unused.size() && i < 4; ++i) note += fmt::format(" {}", unused[i]);
    if (unused.size() > 4) note += " ...";
    return note + "\n";
}

}  // namespace

int32_t parse_cache_type(const std::string& text, const char* flag) {
    const TypeInfo* type = find_type_by_name(text);
    if (type == nullptr || (type->id != 0 && type->id != 1 && type->id != 8 && type->id != 30)) {
        throw Error(fmt::format("{} {}: unsupported KV cache type (f32, f16, bf16, q8_0)", flag, text));
    }
    return type->id;
}

void add_model_flags(CLI::App& cmd, ModelFlags& f) {
    cmd.add_option("-m,--model", f.model, "model file (GGUF; the first shard of a split model)")->required();
    cmd.add_option("-c,--ctx-size", f.n_ctx, "context size in tokens (0: the model's, at most 4096)");
    cmd.add_option("-b,--batch-size", f.n_batch, "logical batch size");
    cmd.add_option("--ubatch-size", f.n_ubatch, "tokens per forward pass (micro-batch)");
    cmd.add_option("-t,--threads", f.n_threads, "threads (0: all hardware threads)");
    // One value per occurrence: a vector option would otherwise swallow the arguments after it.
    cmd.add_option("--override-tensor", f.overrides,
                   "REGEX=DEVICE[,REGEX=DEVICE...]: place matching weights; repeatable, first match wins")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd.add_option("--n-gpu-layers,--gpu-layers", f.n_gpu_layers, "number of layers to place on the accelerator");
    cmd.add_flag("--cpu-moe", f.cpu_moe, "keep every routed expert tensor on the CPU");
    cmd.add_option("--n-cpu-moe", f.n_cpu_moe, "keep the routed experts of the first N layers on the CPU");
    cmd.add_option("--cache-type-k", f.cache_type_k, "KV cache type for K (f32, f16, bf16, q8_0)");
    cmd.add_option("--cache-type-v", f.cache_type_v, "KV cache type for V (f32, f16, bf16, q8_0)");
    cmd.add_flag("--placement-report", f.placement_report, "print which device holds which weights");
    cmd.add_flag("--dry-run", f.dry_run, "stop after placement (with --placement-report: just the report)");
    cmd.add_flag("--no-mmap", f.no_mmap, "read the model into memory instead of mapping it");
    // ik_llama.cpp's attention and MoE switches. Switchyard has one path for each: attention
    // is always the fused op (flash-attention style), MLA always keeps the latent cache and
    // absorbs W_kb/W_vb (ik's -mla 3 result), MoE always runs as MUL_MAT_ID over the selected
    // experts; so these flags are accepted and change nothing.
    cmd.add_option("--flash-attn", f.flash_attn, "accepted for compatibility (attention is always fused)")
        ->expected(0, 1);
    cmd.add_option("--mla-use", f.mla, "accepted for compatibility (0-3; the latent cache is always used)")
        ->check(CLI::Range(0, 3));
    cmd.add_option("--attention-max-batch", f.attn_max_batch, "accepted for compatibility");
    cmd.add_flag("--fused-moe", f.fused_moe, "accepted for compatibility (MoE is always fused)");
}

ModelSession open_model_session(const ModelFlags& flags, std::ostream& out) {
    const auto t0 = std::chrono::steady_clock::now();
    ModelSession session;
    gguf::OpenOptions open_options;
    open_options.use_mmap = !flags.no_mmap;
    session.file = std::make_unique<gguf::GgufModel>(gguf::GgufModel::open(flags.model, open_options));
    session.host = std::make_unique<host::PluginHost>(model_host_options());
    const std::vector<host::Device>& devices = session.host->devices();
    if (devices.empty()) {
        throw Error("no backend device was found; run `switchyard backends` to see why");
    }
    // The CPU device first: the scheduler's fallback and the home of the embedding lookup.
    std::vector<host::Device> ordered;
    for (const host::Device& d : devices) {
        if (d.info().kind == SY_DEVICE_KIND_CPU && ordered.empty()) ordered.push_back(d);
    }
    if (ordered.empty()) throw Error("no CPU device was found; the reference backend is missing");
    for (const host::Device& d : devices) {
        if (!(d == ordered.front())) ordered.push_back(d);
    }

    const model::ModelParams params = model::read_model_params(*session.file);
    const model::ModelWeights weights(*session.file, params);
    std::vector<placement::WeightInfo> infos;
    for (const model::Weight& w : weights.all()) infos.push_back({w.name, w.bytes.size(), w.layer});
    placement::PlacementOptions options;
    options.overrides = flags.overrides;
    options.n_gpu_layers = flags.n_gpu_layers;
    options.cpu_moe = flags.cpu_moe;
    options.n_cpu_moe = flags.n_cpu_moe;
    const std::vector<placement::DeviceSlot> slots = device_slots(ordered);
    const placement::Placement placed = placement::place_weights(infos, int(params.n_layer), slots, options);
    if (flags.placement_report) {
        out << placement::format_placement_report(infos, placed, slots);
        out << unused_tensors_note(*session.file, weights) << std::flush;
    }
    if (flags.dry_run) return session;

    std::vector<int> weight_device(infos.size());
    for (size_t i = 0; i < infos.size(); ++i) {
        const auto it = std::find_if(slots.begin(), slots.end(),
                                     [&](const placement::DeviceSlot& s) { return s.name == placed.device_of[i]; });
        weight_device[i] = int(it - slots.begin());
    }
    runtime::RuntimeOptions rt;
    const int64_t train_ctx = params.n_ctx_train > 0 ? params.n_ctx_train : 4096;
    rt.n_ctx = flags.n_ctx > 0 ? flags.n_ctx : std::min<int64_t>(train_ctx, 4096);
    rt.n_ubatch = std::max<int64_t>(1, std::min(flags.n_ubatch, flags.n_batch));
    rt.type_k = parse_cache_type(flags.cache_type_k, "-ctk");
    rt.type_v = parse_cache_type(flags.cache_type_v, "-ctv");
    rt.n_threads = flags.n_threads > 0 ? flags.n_threads : int(std::max(1u, std::thread::hardware_concurrency()));
    session.runtime = std::make_unique<runtime::ModelRuntime>(*session.file, ordered, weight_device, rt);
    session.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return session;
}

}  // namespace sy::cli
