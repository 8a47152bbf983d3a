#include "host/capabilities.hpp"

#include "types/type_registry.hpp"

namespace sy::host {

std::vector<int32_t> activation_type_candidates() {
    std::vector<int32_t> ids;
    for (const TypeInfo& type : all_types()) {
        const bool row_indices = type.name == "I32";  // GET_ROWS' second operand
        if (type.role == TypeRole::Float || type.role == TypeRole::Activation || row_indices) ids.push_back(type.id);
    }
    return ids;
}

std::vector<TypePair> supported_type_pairs(const Device& device) {
    std::vector<int32_t> weight_types{SY_TYPE_NONE};
    for (const TypeInfo& type : all_types()) weight_types.push_back(type.id);
    const std::vector<int32_t> act_types = activation_type_candidates();

    std::vector<TypePair> pairs;
    for (int32_t op = SY_OP_NONE + 1; op < SY_OP_COUNT; ++op) {
        for (int32_t act : act_types) {
            for (int32_t weight : weight_types) {
                if (device.supports(op, weight, act)) pairs.push_back({op, weight, act});
            }
        }
    }
    return pairs;
}

}  // namespace sy::host
