// CPY: dst = src converted to dst's type, same shape, strided views on both sides (a transposed
// source, a slice of a concatenation, rows of a KV cache). src F32 or F16; dst F32, or
// F16/BF16/Q8_0 with the rounding of core's reference quantizer (quantize_row of dst's type;
// a Q8_0 row is whole blocks). Work per dst row: gather the source row as floats, encode, store.
#include <cstring>

#include "kernels.hpp"
#include "switchyard/sdk/fp16.hpp"
#include "switchyard/sdk/tensor_layout.hpp"
#include "types/quant_kernels.hpp"

namespace sy::refops {

void copy(ThreadPool& pool, const View& src, const View& dst) {
    const int64_t n = dst.ne[0];
    const bool src_f32 = src.type == sdk::kTypeF32;
    const bool src_contiguous = src_f32 && src.nb[0] == sizeof(float);
    const bool dst_f32 = dst.type == sdk::kTypeF32;
    const QuantizeRowFn encode = dst_f32 ? nullptr : find_kernels(dst.type)->quantize_row;
    const uint64_t dst_elem = sdk::plain_type_size(dst.type);  // 0 for Q8_0
    // Element-strided F16/BF16 rows are encoded into scratch first, then scattered.
    const bool dst_scattered = dst_elem != 0 && dst.nb[0] != dst_elem;

    for_each_row(pool, dst, n, [&](int64_t i1, int64_t i2, int64_t i3, int thread) {
        const uint8_t* in = src.row(i1, i2, i3);
        uint8_t* out = dst.row(i1, i2, i3);
        if (in == out && src.type == dst.type && src.nb[0] == dst.nb[0]) return;  // in place: nothing to do
        float* floats = pool.scratch_as<float>(thread, size_t(n) * 3);  // n floats + 2n bytes
        const float* row = floats;
        if (src_contiguous) {
            row = reinterpret_cast<const float*>(in);
        } else {
            for (int64_t i = 0; i < n; ++i) {
                const uint8_t* element = in + uint64_t(i) * src.nb[0];
                if (src_f32) {
                    std::memcpy(&floats[i], element, sizeof(float));
                } else {
                    uint16_t half;
                    std::memcpy(&half, element, sizeof half);
                    floats[i] = sdk::fp16_to_float(half);
                }
            }
        }
        if (dst_f32) {
            for (int64_t i = 0; i < n; ++i) std::memcpy(out + uint64_t(i) * dst.nb[0], &row[i], sizeof(float));
        } else if (!dst_scattered) {
            encode(row, out, n, nullptr);
        } else {
            uint8_t* encoded = reinterpret_cast<uint8_t*>(floats + n);
            encode(row, encoded, n, nullptr);
            for (int64_t i = 0; i < n; ++i) std::memcpy(out + uint64_t(i) * dst.nb[0], encoded + i * 2, 2);
        }
    });
}

}  // namespace sy::refops
