// The CPU device: properties from the platform layer, ops from the reference kernels.
#include "device.hpp"

#include "kernels/run_op.hpp"
#include "supports.hpp"
#include "switchyard/platform.hpp"

namespace sy::reference {

CpuDevice::CpuDevice(const sdk::HostEnv& env, int32_t /*index: the only device is 0*/)
    : buffers_(env) {
    const platform::CpuInfo& cpu = platform::cpu_info();
    const bool model_known = !cpu.model.empty() && cpu.model != "unknown";
    description_ = model_known ? cpu.model + " (" + cpu.arch + ")" : cpu.arch + " CPU";
    feature_text_ = platform::cpu_feature_text(cpu.features);
}

void CpuDevice::get_props(sy_device_props& out) {
    out = sy_device_props{};
    out.struct_size = sizeof(sy_device_props);
    out.name = "CPU";
    out.description = description_.c_str();
    out.kind = SY_DEVICE_KIND_CPU;
    out.memory_total = platform::memory_total();
    out.memory_free = platform::memory_available();
    out.features = SY_DEVICE_FEATURE_HOST_MEMORY;
    out.feature_text = feature_text_.c_str();
}

bool CpuDevice::supports(int32_t kind, int32_t weight_type, int32_t act_type) const {
    return refops::supports(kind, weight_type, act_type);
}

bool CpuDevice::supports_op(const sy_op& op) const { return refops::supports_op(op); }

void CpuDevice::run(const sy_op& op) { refops::run_op(buffers_, pool_, op); }

}  // namespace sy::reference
