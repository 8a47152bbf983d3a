// Row loading and view construction shared by every reference kernel.
#include <cstring>

#include "kernels.hpp"
#include "switchyard/sdk/fp16.hpp"
#include "switchyard/sdk/tensor_layout.hpp"

namespace sy::refops {

View view_of(const sy_tensor& t, uint8_t* data) {
    View v{data, t.type, {}, {}};
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        v.ne[i] = t.ne[i];
        v.nb[i] = t.nb[i];
    }
    return v;
}

void load_row(const View& v, const uint8_t* row, float* out) {
    const int64_t n = v.ne[0];
    switch (v.type) {
        case sdk::kTypeF32: std::memcpy(out, row, size_t(n) * sizeof(float)); break;
        case sdk::kTypeF16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t h;
                std::memcpy(&h, row + 2 * i, 2);
                out[i] = sdk::fp16_to_float(h);
            }
            break;
        case sdk::kTypeBF16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t b;
                std::memcpy(&b, row + 2 * i, 2);
                out[i] = sdk::bf16_to_float(b);
            }
            break;
        default: break;  // excluded by supports_op
    }
}

}  // namespace sy::refops
