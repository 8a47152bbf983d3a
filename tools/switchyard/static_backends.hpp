// Backends linked into the executable (CMake option SWITCHYARD_STATIC_BACKENDS).
#pragma once

#include "switchyard/plugin_abi.h"

namespace sy::cli {

struct StaticBackend {
    const char* id;                   // "reference", "x86_avx2": the backend's entry id
    sy_plugin_get_entry_fn get_entry;  // nullptr terminates the table
};

extern const StaticBackend kStaticBackends[];

}  // namespace sy::cli
