// A Kimi-K2-shaped weight list (deepseek2, 61 layers, layer 0 dense, 384 routed experts + 1
// shared) for placement tests: the real tensor names in GGUF order, with byte sizes of a
// plausible mix (Q8_0 attention / dense / shared expert / embeddings, IQ3_KS gate+up experts,
// IQ4_KS down experts, F32 norms and router). Shapes from ../shared/FORMATS.md §8.
#pragma once

#include <vector>

#include "placement/placement.hpp"

namespace sy::placement::test {

inline constexpr int kKimiK2Layers = 61;

std::vector<WeightInfo> kimi_k2_weights();

}  // namespace sy::placement::test
