// Element-wise ops on F32 views. ADD/MUL/DIV index src1 modulo its own shape in every
// dimension, ne0 included (so b[1, S, T] scales whole rows of a[K, S, T], b[K] is added to
// every row). SCALE, SILU, SIGMOID map single elements. dst may be the same view as a source.
// Rows are split over the pool when the tensor is big.
#include <cmath>

#include "kernels.hpp"

namespace sy::refops {
namespace {

template <class Combine>
void binary(ThreadPool& pool, const View& a, const View& b, const View& dst, Combine combine) {
    const int64_t n = dst.ne[0], b_n = b.ne[0];
    for_each_row(pool, dst, n, [&](int64_t i1, int64_t i2, int64_t i3, int /*thread*/) {
        const float* x = a.f32_row(i1, i2, i3);
        const float* y = b.f32_row(i1 % b.ne[1], i2 % b.ne[2], i3 % b.ne[3]);
        float* out = dst.f32_row(i1, i2, i3);
        if (b_n == n) {
            for (int64_t i = 0; i < n; ++i) out[i] = combine(x[i], y[i]);
        } else if (b_n == 1) {
            const float y0 = y[0];
            for (int64_t i = 0; i < n; ++i) out[i] = combine(x[i], y0);
        } else {
            for (int64_t i = 0; i < n; ++i) out[i] = combine(x[i], y[i % b_n]);
        }
    });
}

template <class Map>
void unary(ThreadPool& pool, const View& src, const View& dst, Map map) {
    const int64_t n = dst.ne[0];
    for_each_row(pool, dst, n, [&](int64_t i1, int64_t i2, int64_t i3, int /*thread*/) {
        const float* x = src.f32_row(i1, i2, i3);
        float* out = dst.f32_row(i1, i2, i3);
        for (int64_t i = 0; i < n; ++i) out[i] = map(x[i]);
    });
}

}  // namespace

void add(ThreadPool& pool, const View& a, const View& b, const View& dst) {
    binary(pool, a, b, dst, [](float x, float y) { return x + y; });
}

void mul(ThreadPool& pool, const View& a, const View& b, const View& dst) {
    binary(pool, a, b, dst, [](float x, float y) { return x * y; });
}

void div(ThreadPool& pool, const View& a, const View& b, const View& dst) {
    binary(pool, a, b, dst, [](float x, float y) { return x / y; });
}

void scale(ThreadPool& pool, const View& src, const View& dst, float factor) {
    unary(pool, src, dst, [factor](float x) { return x * factor; });
}

void silu(ThreadPool& pool, const View& src, const View& dst) {
    unary(pool, src, dst, [](float x) { return float(double(x) / (1.0 + std::exp(-double(x)))); });
}

void sigmoid(ThreadPool& pool, const View& src, const View& dst) {
    unary(pool, src, dst, [](float x) { return float(1.0 / (1.0 + std::exp(-double(x)))); });
}

}  // namespace sy::refops
