// RMS_NORM: each row divided by sqrt(mean(row^2) + eps), the norm of llama-style models.
#include <cmath>

#include "kernels.hpp"

namespace sy::refops {

void rms_norm(const View& src, const View& dst, float eps) {
    const int64_t n = src.ne[0];
    for (int64_t i3 = 0; i3 < dst.ne[3]; ++i3) {
        for (int64_t i2 = 0; i2 < dst.ne[2]; ++i2) {
            for (int64_t i1 = 0; i1 < dst.ne[1]; ++i1) {
                const float* x = reinterpret_cast<const float*>(src.row(i1, i2, i3));
                float* out = reinterpret_cast<float*>(dst.row(i1, i2, i3));
                double sum_squares = 0.0;
                for (int64_t i = 0; i < n; ++i) sum_squares += double(x[i]) * x[i];
                const double inv_rms = 1.0 / std::sqrt(sum_squares / double(n) + double(eps));
                for (int64_t i = 0; i < n; ++i) out[i] = float(x[i] * inv_rms);
            }
        }
    }
}

}  // namespace sy::refops
