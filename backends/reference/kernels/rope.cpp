// ROPE: dst[D, H, T] = src[D, H, T] with the first n_rot elements of each row rotated by the
// host's per-token table[n_rot, T] of (cos theta_i, sin theta_i) pairs (attention factor
// already folded in). NORM (mode 0) rotates pairs (2i, 2i+1), NEOX (mode 2) pairs
// (i, i + n_rot/2); elements past n_rot are copied. Each pair is computed in double from the
// float inputs: the products are exact there, so a compiler's fused multiply-add cannot change
// the result on any target. Both inputs are read before either output is written, so dst may
// be the same view as src.
#include "kernels.hpp"

namespace sy::refops {

void rope(ThreadPool& pool, const View& src, const View& table, const View& dst, int64_t n_rot, int32_t mode) {
    const int64_t n = src.ne[0], half = n_rot / 2;
    const bool neox = mode == 2;
    for_each_row(pool, dst, n, [&](int64_t h, int64_t t, int64_t i3, int /*thread*/) {
        const float* x = src.f32_row(h, t, i3);
        const float* cos_sin = table.f32_row(t, 0, 0);
        float* out = dst.f32_row(h, t, i3);
        for (int64_t i = 0; i < half; ++i) {
            const int64_t first = neox ? i : 2 * i;
            const int64_t second = neox ? i + half : 2 * i + 1;
            const double c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
            const double x0 = x[first], x1 = x[second];
            out[first] = float(x0 * c - x1 * s);
            out[second] = float(x0 * s + x1 * c);
        }
        if (out != x) {
            for (int64_t i = n_rot; i < n; ++i) out[i] = x[i];
        }
    });
}

}  // namespace sy::refops
