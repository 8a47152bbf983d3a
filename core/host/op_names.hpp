// Names of the ABI's enumerations for reports and error messages. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "switchyard/plugin_abi.h"

namespace sy::host {

// "MUL_MAT", "RMS_NORM", ...; "op#<n>" for kinds this host does not know.
std::string op_kind_name(int32_t kind);

// "CPU", "GPU", "ACCEL"; "kind#<n>" otherwise.
std::string device_kind_name(uint32_t kind);

// Names of the set SY_DEVICE_FEATURE_* bits ("HOST_MEMORY", "F16", ...; "bit<n>" if unknown).
std::vector<std::string> device_feature_names(uint64_t features);

// "OK", "INVALID_ARGUMENT", "OUT_OF_RANGE", ...; "status#<n>" otherwise.
std::string status_name(sy_status status);

}  // namespace sy::host
