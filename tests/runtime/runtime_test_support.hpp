// What the runtime tests share: the plugin host with the reference "CPU" device and the
// testdev "TEST0" device, building a ModelRuntime with a placement rule, and comparing the
// runtime's float logits with the naive pass's doubles.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_model.hpp"
#include "host/device.hpp"
#include "runtime/model_runtime.hpp"

namespace sy::test {

// A device of the process-wide plugin host (loaded on first use); throws when absent.
host::Device open_device(std::string_view name);

// Device index (into the list passed to make_runtime) of a weight, by name.
using PlacementFn = std::function<int(const std::string& weight_name)>;

// A runtime over `devices` with every weight placed by `place` (all on devices[0] when empty).
std::unique_ptr<runtime::ModelRuntime> make_runtime(const gguf::GgufModel& file, std::vector<host::Device> devices,
                                                    const runtime::RuntimeOptions& options, PlacementFn place = {});

// A CPU-only runtime with an F32 (or the given) KV cache.
std::unique_ptr<runtime::ModelRuntime> cpu_runtime(const gguf::GgufModel& file, int64_t n_ctx,
                                                   int32_t cache_type = 0, int64_t n_ubatch = 512);

struct LogitDiff {
    double max_abs = 0.0;   // max |runtime - naive|
    double scale = 0.0;     // max |naive|: the logit scale tolerances are relative to
    int64_t argmax_mismatches = 0;
    double relative() const { return scale > 0.0 ? max_abs / scale : max_abs; }
};

LogitDiff compare_logits(std::span<const float> got, std::span<const double> want, int64_t n_vocab);

// Tokens 0 < id < n_vocab from a fixed-seed generator (the same on every machine).
std::vector<int32_t> test_tokens(size_t count, int64_t n_vocab, uint32_t seed);

// Bitwise equality of two float vectors; returns the first differing index or -1.
int64_t first_difference(std::span<const float> a, std::span<const float> b);

}  // namespace sy::test
