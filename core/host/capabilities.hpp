// What a device can run, as (op, weight type, activation type) triples, asked through the
// plugin's cheap supports() predicate. Used by `switchyard backends` and by placement.
#pragma once

#include <cstdint>
#include <vector>

#include "host/device.hpp"

namespace sy::host {

struct TypePair {
    int32_t op;           // SY_OP_*
    int32_t weight_type;  // GGML type id, or SY_TYPE_NONE for ops without weights
    int32_t act_type;     // GGML type id of the activations
};

// Type ids activations come in: every Float-role and Activation-role type of the registry
// (F32, F16, BF16, Q8_K, Q8_0_X4, ...) and I32 (GET_ROWS' row indices), in id order.
std::vector<int32_t> activation_type_candidates();

// Asks supports() for every op kind of the ABI x (SY_TYPE_NONE and every registered type) x
// activation_type_candidates(). Ordered by op, then activation type, then weight type.
// For the supports() convention (which operand is the "weight") see plugin_abi.h.
std::vector<TypePair> supported_type_pairs(const Device& device);

}  // namespace sy::host
