// The SDK's RowFormat of a GGML type id, from core's type registry (block size, block bytes,
// per-row header): what the reference backend's layout checks and bounds checks use for block
// types. Pure, thread-safe.
#pragma once

#include <cstdint>

#include "switchyard/sdk/tensor_layout.hpp"
#include "types/type_registry.hpp"

namespace sy::refops {

// An unknown type gives RowFormat{} (known() == false).
inline sdk::RowFormat row_format(int32_t type) {
    const TypeInfo* info = find_type(type);
    if (info == nullptr) return {};
    return sdk::RowFormat{info->block_elems, info->block_bytes, info->row_header_bytes};
}

}  // namespace sy::refops
