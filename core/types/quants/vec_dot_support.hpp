// Helpers shared by the reference dot products (vec_dot_*.cpp): walking a weight row block by
// block beside its activation blocks, and exact int8 dot products. Internal to core/types.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "types/quants/activation.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"

namespace sy::quants {

// sum_j w[j] * a[j] over `count` elements, exact in int32 for count <= 2^17.
inline int32_t dot_i8(const int8_t* w, const int8_t* a, int count) {
    int32_t sum = 0;
    for (int j = 0; j < count; ++j) sum += int32_t(w[j]) * int32_t(a[j]);
    return sum;
}

// sum_j a[j] over `count` elements.
inline int32_t sum_i8(const int8_t* a, int count) {
    int32_t sum = 0;
    for (int j = 0; j < count; ++j) sum += a[j];
    return sum;
}

// sum_g scales[g] * dot_i8(w + g*size, a + g*size, size) over `groups` groups of `size`
// elements: one super-block's integer sum when every group has an integer scale.
inline int32_t scaled_group_dots(const int8_t* w, const int8_t* a, const int* scales,
                                 int groups, int size) {
    int32_t sum = 0;
    for (int g = 0; g < groups; ++g) sum += scales[g] * dot_i8(w + g * size, a + g * size, size);
    return sum;
}

// The row sum of the vec_dot functions (vec_dot.hpp, "Accumulation" step 3): for each of the
// n / WeightBlock::kElems weight blocks at `weight_blocks` (after any row header), calls
// block_dot(weight_block, act) with `act` pointing at the WeightBlock::kElems /
// ActBlock::kElems activation blocks covering the same columns, and adds its float result
// to one accumulator, in order.
template <typename WeightBlock, typename ActBlock, typename BlockDot>
float sum_block_dots(const uint8_t* weight_blocks, const uint8_t* act_blocks, int64_t n,
                     BlockDot&& block_dot) {
    static_assert(WeightBlock::kElems % ActBlock::kElems == 0);
    constexpr size_t kActPerWeight = size_t(WeightBlock::kElems / ActBlock::kElems);
    assert(n % WeightBlock::kElems == 0);
    float sum = 0;
    for (int64_t i = 0; i < n / WeightBlock::kElems; ++i) {
        const auto weight =
            load_block<WeightBlock>(weight_blocks + i * int64_t(sizeof(WeightBlock)));
        ActBlock act[kActPerWeight];
        const uint8_t* first_act = act_blocks + i * int64_t(kActPerWeight * sizeof(ActBlock));
        for (size_t k = 0; k < kActPerWeight; ++k)
            act[k] = load_block<ActBlock>(first_act + k * sizeof(ActBlock));
        sum += block_dot(weight, static_cast<const ActBlock*>(act));
    }
    return sum;
}

// Activation scale of a 32-element block.
inline float act_scale(const BlockQ8_0& a) { return fp16_to_fp32(a.d); }
inline float act_scale(const BlockQ8_1& a) { return fp16_to_fp32(a.d); }

}  // namespace sy::quants
