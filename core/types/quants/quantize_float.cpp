// F32, F16 and BF16 rows: raw element arrays (FORMATS.md §3.1). ik's llama-quantize writes
// F16 with ggml_fp32_to_fp16_row (F16C, round to nearest even) and BF16 with
// ggml_fp32_to_bf16_row_ref; neither looks at the importance weights.
#include <cstring>

#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"

namespace sy::quants {

void quantize_row_f32(const float* src, uint8_t* row, int64_t n, const float* /*importance*/) {
    std::memcpy(row, src, size_t(n) * sizeof(float));
}

void quantize_row_f16(const float* src, uint8_t* row, int64_t n, const float* /*importance*/) {
    for (int64_t i = 0; i < n; ++i) store_le(row + 2 * i, fp32_to_fp16(src[i]));
}

void quantize_row_bf16(const float* src, uint8_t* row, int64_t n, const float* /*importance*/) {
    for (int64_t i = 0; i < n; ++i) store_le(row + 2 * i, fp32_to_bf16(src[i]));
}

}  // namespace sy::quants
