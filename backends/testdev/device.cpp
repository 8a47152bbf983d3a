// TEST0's properties and op execution (the reference kernels on its private memory).
#include "device.hpp"

#include "reference/kernels/run_op.hpp"

namespace sy::testdev {

TestDevice::TestDevice(const sdk::HostEnv& env, int32_t /*index: the only device is 0*/)
    : buffers_(env) {}

void TestDevice::get_props(sy_device_props& out) {
    out = sy_device_props{};
    out.struct_size = sizeof(sy_device_props);
    out.name = "TEST0";
    out.description = "test device with separate memory (runs the reference kernels)";
    out.kind = SY_DEVICE_KIND_ACCEL;
    out.memory_total = kMemoryBytes;
    out.memory_free = kMemoryBytes - buffers_.bytes_in_use();
    out.features = 0;  // deliberately not HOST_MEMORY
    out.feature_text = "separate memory, reference kernels";
}

void TestDevice::run(const sy_op& op) { refops::run_op(buffers_, pool_, op); }

}  // namespace sy::testdev
