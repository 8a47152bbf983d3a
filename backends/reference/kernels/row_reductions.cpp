// Ops that reduce each row: RMS_NORM (llama-style norm), SOFTMAX (plain, numerically stable:
// the row's maximum is subtracted before exp), SUM_ROWS. Sums in double. dst may be the same
// view as src for RMS_NORM and SOFTMAX (each row is read fully before it is written).
#include <cmath>

#include "kernels.hpp"

namespace sy::refops {

void rms_norm(ThreadPool& pool, const View& src, const View& dst, float eps) {
    const int64_t n = src.ne[0];
    for_each_row(pool, dst, n, [&](int64_t i1, int64_t i2, int64_t i3, int /*thread*/) {
        const float* x = src.f32_row(i1, i2, i3);
        float* out = dst.f32_row(i1, i2, i3);
        double sum_squares = 0.0;
        for (int64_t i = 0; i < n; ++i) sum_squares += double(x[i]) * x[i];
        const double inv_rms = 1.0 / std::sqrt(sum_squares / double(n) + double(eps));
        for (int64_t i = 0; i < n; ++i) out[i] = float(x[i] * inv_rms);
    });
}

void softmax(ThreadPool& pool, const View& src, const View& dst) {
    const int64_t n = src.ne[0];
    for_each_row(pool, dst, 8 * n, [&](int64_t i1, int64_t i2, int64_t i3, int thread) {
        const float* x = src.f32_row(i1, i2, i3);
        float* out = dst.f32_row(i1, i2, i3);
        double* e = pool.scratch_as<double>(thread, size_t(n));
        float max = x[0];
        for (int64_t i = 1; i < n; ++i) max = x[i] > max ? x[i] : max;
        double sum = 0.0;
        for (int64_t i = 0; i < n; ++i) {
            e[i] = std::exp(double(x[i]) - double(max));
            sum += e[i];
        }
        const double inv_sum = 1.0 / sum;
        for (int64_t i = 0; i < n; ++i) out[i] = float(e[i] * inv_sum);
    });
}

void sum_rows(ThreadPool& pool, const View& src, const View& dst) {
    const int64_t n = src.ne[0];
    for_each_row(pool, dst, n, [&](int64_t i1, int64_t i2, int64_t i3, int /*thread*/) {
        const float* x = src.f32_row(i1, i2, i3);
        double sum = 0.0;
        for (int64_t i = 0; i < n; ++i) sum += x[i];
        dst.f32_row(i1, i2, i3)[0] = float(sum);
    });
}

}  // namespace sy::refops
