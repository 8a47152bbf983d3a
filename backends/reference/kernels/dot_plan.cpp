#include "dot_plan.hpp"

#include "switchyard/sdk/tensor_layout.hpp"
#include "types/type_registry.hpp"

namespace sy::refops {
namespace {

bool is_float_type(int32_t type) {
    return type == sdk::kTypeF32 || type == sdk::kTypeF16 || type == sdk::kTypeBF16;
}

// Both rows are F32 (the weight row widened if it was F16/BF16), 4-byte aligned. Products are
// exact in double; four partial sums (k mod 4) keep the adds independent, combined in a fixed
// order, so the result is the same on every call.
float dot_f32_double(const uint8_t* weight_row, const uint8_t* act_row, int64_t k) {
    const float* w = reinterpret_cast<const float*>(weight_row);
    const float* x = reinterpret_cast<const float*>(act_row);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= k; i += 4) {
        s0 += double(w[i]) * double(x[i]);
        s1 += double(w[i + 1]) * double(x[i + 1]);
        s2 += double(w[i + 2]) * double(x[i + 2]);
        s3 += double(w[i + 3]) * double(x[i + 3]);
    }
    for (; i < k; ++i) s0 += double(w[i]) * double(x[i]);
    return float((s0 + s1) + (s2 + s3));
}

// The kernels of the activation type a quantized weight type dots with; nullptr if unusable.
const QuantKernels* activation_kernels(const QuantKernels& weight) {
    if (weight.vec_dot == nullptr || weight.vec_dot_type < 0) return nullptr;
    const QuantKernels* act = find_kernels(weight.vec_dot_type);
    return act != nullptr && act->quantize_row != nullptr ? act : nullptr;
}

}  // namespace

bool dot_plan_supported(int32_t weight_type) { return dot_plan_k_multiple(weight_type) > 0; }

int64_t dot_plan_k_multiple(int32_t weight_type) {
    if (is_float_type(weight_type)) return 1;
    const QuantKernels* weight = find_kernels(weight_type);
    const TypeInfo* info = find_type(weight_type);
    if (weight == nullptr || info == nullptr) return 0;
    const QuantKernels* act = activation_kernels(*weight);
    if (act == nullptr) return 0;
    const int64_t a = info->block_elems, b = act->block_elems;
    // Both are powers of two in practice; the larger is then a multiple of the smaller.
    const int64_t larger = a > b ? a : b;
    return (larger % a == 0 && larger % b == 0) ? larger : a * b;
}

DotPlan make_dot_plan(int32_t weight_type, int64_t k) {
    DotPlan plan;
    plan.k = k;
    if (is_float_type(weight_type)) {
        plan.dot = &dot_f32_double;
        if (weight_type != sdk::kTypeF32) plan.widen = find_kernels(weight_type)->dequantize_row;
        return plan;
    }
    const QuantKernels* weight = find_kernels(weight_type);
    const QuantKernels* act = activation_kernels(*weight);
    plan.dot = weight->vec_dot;
    plan.quantize = act->quantize_row;
    plan.column_bytes = row_bytes(act->type_id, k, "activation column");
    return plan;
}

}  // namespace sy::refops
