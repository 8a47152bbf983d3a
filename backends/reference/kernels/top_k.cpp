// TOP_K: dst[k, R, ..] int32 = the indices of the k largest values of each row of src[n, R, ..],
// largest first; equal values: the lower index first. NaN ranks below every number (so the
// order is total and a NaN is picked only when fewer than k numbers remain).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels.hpp"

namespace sy::refops {

void top_k(ThreadPool& pool, const View& src, const View& dst) {
    const int64_t n = src.ne[0], k = dst.ne[0];
    for_each_row(pool, src, n * 4, [&](int64_t i1, int64_t i2, int64_t i3, int thread) {
        const float* x = src.f32_row(i1, i2, i3);
        int32_t* order = pool.scratch_as<int32_t>(thread, size_t(n));
        std::iota(order, order + n, 0);
        auto ranks_before = [x](int32_t a, int32_t b) {
            const bool a_nan = std::isnan(x[a]), b_nan = std::isnan(x[b]);
            if (a_nan != b_nan) return b_nan;
            if (!a_nan && x[a] != x[b]) return x[a] > x[b];
            return a < b;
        };
        std::partial_sort(order, order + k, order + n, ranks_before);
        int32_t* out = reinterpret_cast<int32_t*>(dst.row(i1, i2, i3));
        std::copy(order, order + k, out);
    });
}

}  // namespace sy::refops
