// F32, F16 and BF16 rows: raw element arrays with no header (FORMATS.md §3.1).
#include <cstring>

#include "types/quants/dequantize.hpp"
#include "types/quants/fp16.hpp"

namespace sy::quants {

void dequantize_row_f32(const uint8_t* row, float* out, int64_t n) {
    std::memcpy(out, row, size_t(n) * sizeof(float));
}

void dequantize_row_f16(const uint8_t* row, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        uint16_t bits;
        std::memcpy(&bits, row + 2 * i, sizeof bits);
        out[i] = fp16_to_fp32(bits);
    }
}

void dequantize_row_bf16(const uint8_t* row, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        uint16_t bits;
        std::memcpy(&bits, row + 2 * i, sizeof bits);
        out[i] = bf16_to_fp32(bits);
    }
}

}  // namespace sy::quants
