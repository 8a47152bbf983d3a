// GGML type ids the quantize tool reasons about by name (ik_llama.cpp ggml.h; the type
// registry in core/types holds their sizes). Constants, so that the mix rules read like the
// anchor's documentation rather than like a table of numbers.
#pragma once

#include <cstdint>

namespace sy::quantize::type_ids {

inline constexpr int32_t kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ5_0 = 6, kQ5_1 = 7, kQ8_0 = 8;
inline constexpr int32_t kQ2_K = 10, kQ3_K = 11, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14;
inline constexpr int32_t kIQ2_XXS = 16, kIQ2_XS = 17, kIQ3_XXS = 18, kIQ1_S = 19, kIQ4_NL = 20;
inline constexpr int32_t kIQ3_S = 21, kIQ2_S = 22, kIQ4_XS = 23, kIQ1_M = 29, kBF16 = 30;
inline constexpr int32_t kQ6_0 = 133;
inline constexpr int32_t kIQ2_K = 137, kIQ3_K = 138, kIQ4_K = 139, kIQ5_K = 140, kIQ6_K = 141;
inline constexpr int32_t kIQ4_KS = 144, kIQ2_KS = 145, kIQ4_KSS = 146, kIQ5_KS = 152;
inline constexpr int32_t kIQ2_KT = 153, kIQ3_KT = 154, kIQ4_KT = 155, kIQ3_KS = 156;
inline constexpr int32_t kIQ2_KL = 157, kIQ1_KT = 158;

}  // namespace sy::quantize::type_ids
