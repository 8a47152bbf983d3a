// GET_ROWS: dst[K, R, B2, B3] F32 = rows indices[r, b2, b3] of src[K, N, B2, B3], src of any
// type core can dequantize. Every index is checked before anything is written.
#include <cinttypes>
#include <cstring>

#include "kernels.hpp"
#include "switchyard/sdk/errors.hpp"
#include "switchyard/sdk/tensor_layout.hpp"
#include "types/quant_kernels.hpp"

namespace sy::refops {

void get_rows(ThreadPool& pool, const View& src, const View& indices, const View& dst) {
    const int64_t k = src.ne[0], n_rows = src.ne[1];
    for (int64_t b3 = 0; b3 < indices.ne[2]; ++b3) {
        for (int64_t b2 = 0; b2 < indices.ne[1]; ++b2) {
            const int32_t* index = indices.i32_row(b2, b3, 0);
            for (int64_t r = 0; r < indices.ne[0]; ++r) {
                if (index[r] < 0 || index[r] >= n_rows) {
                    sdk::fail(SY_STATUS_INVALID_ARGUMENT,
                              "GET_ROWS: row index %" PRId32 " at [%" PRId64 ", %" PRId64 ", %" PRId64
                              "] is outside 0..%" PRId64,
                              index[r], r, b2, b3, n_rows - 1);
                }
            }
        }
    }
    const DequantizeRowFn dequantize = find_kernels(src.type)->dequantize_row;
    const bool is_f32 = src.type == sdk::kTypeF32;
    for_each_row(pool, dst, k, [&](int64_t r, int64_t b2, int64_t b3, int /*thread*/) {
        const uint8_t* row = src.row(indices.i32_row(b2, b3, 0)[r], b2, b3);
        float* out = dst.f32_row(r, b2, b3);
        if (is_f32) {
            std::memcpy(out, row, size_t(k) * sizeof(float));
        } else {
            dequantize(row, out, k);
        }
    });
}

}  // namespace sy::refops
