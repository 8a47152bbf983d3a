// Entry point and backend table of testdev (one device, TEST0; see README.md).
#include <cstdlib>
#include <cstring>

#include "device.hpp"
#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/plugin_devices.hpp"

namespace sy::testdev {
namespace {

constexpr uint32_t kAbiMin = 1;
constexpr uint32_t kAbiMax = SY_PLUGIN_ABI_VERSION;

sdk::PluginDevices<TestDevice> g_plugin("testdev");

bool env_flag_set(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && value[0] != '\0' && std::strcmp(value, "0") != 0;
}

// Opt-in: a stand-in accelerator must never receive a user's model by default (-ngl places
// layers on every non-CPU device). Tests set SWITCHYARD_TESTDEV=1 (CTest does for every
// test); SWITCHYARD_TESTDEV_DISABLE=1 switches it off again.
uint32_t score() {
    return env_flag_set("SWITCHYARD_TESTDEV") && !env_flag_set("SWITCHYARD_TESTDEV_DISABLE") ? 1 : 0;
}

void abi_range(uint32_t* out_min, uint32_t* out_max) {
    if (out_min != nullptr) *out_min = kAbiMin;
    if (out_max != nullptr) *out_max = kAbiMax;
}

int32_t device_count() { return 1; }

sy_status device_open(int32_t index, sy_device* out_device, const sy_device_vtbl** out_vtbl) {
    return g_plugin.open(index, device_count(), out_device, out_vtbl);
}

void device_close(sy_device device) { g_plugin.close(device); }

sy_status shutdown() { return g_plugin.shutdown(); }

const sy_backend kBackend = {
    SY_PLUGIN_ABI_VERSION,
    sizeof(sy_backend),
    "testdev",
    "",
    "test device over the reference kernels, compiler " __VERSION__,
    &device_count,
    &device_open,
    &device_close,
    &shutdown,
    {},
};

const sy_backend* query(uint32_t host_max_abi, const sy_host_env* env) {
    if (sdk::negotiate_abi(host_max_abi, kAbiMin, kAbiMax) == 0) return nullptr;
    return g_plugin.bind(env) ? &kBackend : nullptr;
}

const sy_plugin_entry kEntry = {sizeof(sy_plugin_entry), &score, &abi_range, &query};

}  // namespace
}  // namespace sy::testdev

extern "C" {
SY_PLUGIN_DEFINE_ENTRY(sy::testdev::kEntry)
}
