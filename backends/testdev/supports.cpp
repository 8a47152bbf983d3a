// TEST0 runs the reference kernels, so it claims exactly what they support.
#include "device.hpp"
#include "reference/supports.hpp"

namespace sy::testdev {

bool TestDevice::supports(int32_t kind, int32_t weight_type, int32_t act_type) const {
    return refops::supports(kind, weight_type, act_type);
}

bool TestDevice::supports_op(const sy_op& op) const { return refops::supports_op(op); }

}  // namespace sy::testdev
