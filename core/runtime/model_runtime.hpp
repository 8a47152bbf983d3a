// A loaded model ready to evaluate tokens: weights on their devices, the KV cache, and the
// scheduler that runs each batch's graph.
//
// The caller decides placement (core/placement turns -ot / -ngl / --n-cpu-moe into one
// device index per weight) and passes the devices; the runtime uploads each weight to its
// device, puts each layer's KV cache on the device of that layer's attention weights, and
// evaluates tokens in micro-batches of n_ubatch.
//
// Not thread-safe: one decode at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "gguf/gguf_model.hpp"
#include "host/device.hpp"
#include "model/model_params.hpp"
#include "model/model_weights.hpp"
#include "runtime/forward_builder.hpp"
#include "runtime/scheduler.hpp"

namespace sy::runtime {

struct RuntimeOptions {
    int64_t n_ctx = 4096;     // KV cache rows; capped at nothing: the caller chooses
    int64_t n_ubatch = 512;   // tokens per forward graph
    int32_t type_k = 1;       // KV cache types (GGML ids): F16 default; F32, Q8_0 allowed
    int32_t type_v = 1;
    int32_t n_threads = 1;    // set on every device that computes on the host (a device-wide
                              // setting: the last runtime created on a device decides)
};

class ModelRuntime {
public:
    // weight_device[i] indexes `devices` for weights.all()[i].
    ModelRuntime(const gguf::GgufModel& file, std::vector<host::Device> devices, std::span<const int> weight_device,
                 const RuntimeOptions& options);
    ModelRuntime(const ModelRuntime&) = delete;
    ModelRuntime& operator=(const ModelRuntime&) = delete;
    ~ModelRuntime();

    const model::ModelParams& params() const { return params_; }
    const model::ModelWeights& weights() const { return *weights_; }
    const RuntimeOptions& options() const { return options_; }
    int64_t n_ctx() const { return options_.n_ctx; }

    // Evaluates tokens at positions n_past, n_past+1, ... (the cache must hold positions
    // 0..n_past-1 from earlier calls). Returns the logits of every token ([n][n_vocab],
    // row-major) when all_logits, else of the last token only ([n_vocab]).
    std::vector<float> decode(std::span<const int32_t> tokens, int64_t n_past, bool all_logits);

    // Bytes on each device: weights, KV cache, activation arena.
    struct DeviceUse {
        std::string device;
        uint64_t weight_bytes = 0, cache_bytes = 0, arena_bytes = 0;
    };
    std::vector<DeviceUse> memory_use() const;
    const Scheduler& scheduler() const { return scheduler_; }

private:
    void upload_weights(std::span<const int> weight_device);
    void create_caches();
    int attention_device(int layer) const;

    model::ModelParams params_;
    std::unique_ptr<model::ModelWeights> weights_;
    std::vector<host::Device> devices_;
    RuntimeOptions options_;
    std::vector<host::Buffer> weight_buffers_;  // one per device (empty where none)
    std::vector<host::Buffer> cache_buffers_;   // one per device
    std::vector<DeviceTensor> weight_place_;    // per weight
    std::vector<LayerCache> caches_;            // per layer
    std::vector<uint64_t> weight_bytes_, cache_bytes_;
    Scheduler scheduler_;
};

}  // namespace sy::runtime
