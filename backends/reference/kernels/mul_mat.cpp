// MUL_MAT: dst[n, m] = sum_k weights[k, n] * acts[k, m], per batch (ne2, ne3); weights are
// broadcast over the activation batch like ggml's mul_mat. Weights F32/F16/BF16, acts F32.
#include <vector>

#include "kernels.hpp"

namespace sy::refops {

void mul_mat(const View& weights, const View& acts, const View& dst) {
    const int64_t k_len = weights.ne[0];
    const int64_t n_rows = weights.ne[1];
    const int64_t m_cols = acts.ne[1];
    const int64_t ratio2 = acts.ne[2] / weights.ne[2];
    const int64_t ratio3 = acts.ne[3] / weights.ne[3];
    std::vector<float> weight_row(size_t(k_len), 0.0f);
    for (int64_t i3 = 0; i3 < dst.ne[3]; ++i3) {
        for (int64_t i2 = 0; i2 < dst.ne[2]; ++i2) {
            for (int64_t n = 0; n < n_rows; ++n) {
                load_row(weights, weights.row(n, i2 / ratio2, i3 / ratio3), weight_row.data());
                for (int64_t m = 0; m < m_cols; ++m) {
                    const float* x = reinterpret_cast<const float*>(acts.row(m, i2, i3));
                    double sum = 0.0;
                    for (int64_t k = 0; k < k_len; ++k) sum += double(weight_row[size_t(k)]) * x[k];
                    reinterpret_cast<float*>(dst.row(m, i2, i3))[n] = float(sum);
                }
            }
        }
    }
}

}  // namespace sy::refops
