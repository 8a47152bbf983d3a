#include "runtime_test_support.hpp"

#include <cmath>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "common/error.hpp"
#include "host/plugin_host.hpp"
#include "model/model_params.hpp"
#include "model/model_weights.hpp"

#if SWITCHYARD_TEST_REFERENCE_STATIC
extern "C" const sy_plugin_entry* sy_plugin_get_entry_reference(void);
#endif

namespace sy::test {
namespace {

host::PluginHost& plugin_host() {
    // One host for the whole test program: loading plugins per test would only cost time.
    static host::PluginHost host = [] {
        host::HostOptions options;
        options.search_dirs = {{SWITCHYARD_PLUGIN_BUILD_DIR, "build tree"}};
#if SWITCHYARD_TEST_REFERENCE_STATIC
        options.static_backends.push_back({"reference", &sy_plugin_get_entry_reference});
#endif
        return host::PluginHost(std::move(options));
    }();
    return host;
}

}  // namespace

host::Device open_device(std::string_view name) {
    std::optional<host::Device> device = plugin_host().find_device(name);
    if (!device) throw Error(fmt::format("device {} was not loaded from {}", name, SWITCHYARD_PLUGIN_BUILD_DIR));
    return *device;
}

std::unique_ptr<runtime::ModelRuntime> make_runtime(const gguf::GgufModel& file, std::vector<host::Device> devices,
                                                    const runtime::RuntimeOptions& options, PlacementFn place) {
    // The runtime wants one device per entry of its weight table; build the same table to
    // learn the names (derived attn_k_b / attn_v_b included).
    const model::ModelParams params = model::read_model_params(file);
    const model::ModelWeights weights(file, params);
    std::vector<int> device_of;
    for (const model::Weight& w : weights.all()) device_of.push_back(place ? place(w.name) : 0);
    return std::make_unique<runtime::ModelRuntime>(file, std::move(devices), device_of, options);
}

std::unique_ptr<runtime::ModelRuntime> cpu_runtime(const gguf::GgufModel& file, int64_t n_ctx, int32_t cache_type,
                                                   int64_t n_ubatch) {
    runtime::RuntimeOptions options;
    options.n_ctx = n_ctx;
    options.n_ubatch = n_ubatch;
    options.type_k = options.type_v = cache_type;
    return make_runtime(file, {open_device("CPU")}, options);
}

LogitDiff compare_logits(std::span<const float> got, std::span<const double> want, int64_t n_vocab) {
    if (got.size() != want.size()) {
        throw Error(fmt::format("compare_logits: {} runtime values vs {} naive ones", got.size(), want.size()));
    }
    LogitDiff d;
    for (size_t i = 0; i < got.size(); ++i) {
        d.max_abs = std::max(d.max_abs, std::fabs(double(got[i]) - want[i]));
        d.scale = std::max(d.scale, std::fabs(want[i]));
    }
    const size_t V = size_t(n_vocab);
    for (size_t row = 0; row < got.size() / V; ++row) {
        size_t a = 0, b = 0;
        for (size_t i = 1; i < V; ++i) {
            if (got[row * V + i] > got[row * V + a]) a = i;
            if (want[row * V + i] > want[row * V + b]) b = i;
        }
        d.argmax_mismatches += a != b ? 1 : 0;
    }
    return d;
}

std::vector<int32_t> test_tokens(size_t count, int64_t n_vocab, uint32_t seed) {
    std::mt19937 engine(seed);  // mt19937's sequence is fixed by the standard
    std::vector<int32_t> tokens(count);
    for (int32_t& t : tokens) t = int32_t(1 + engine() % uint32_t(n_vocab - 1));
    return tokens;
}

int64_t first_difference(std::span<const float> a, std::span<const float> b) {
    if (a.size() != b.size()) return 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return int64_t(i);
    }
    return -1;
}

}  // namespace sy::test
