// Element-wise ops on F32 rows: ADD and MUL (second operand broadcast by repeating it along
// every dimension it is shorter in), SCALE and SILU. dst may be the same view as src0.
#include <cmath>

#include "kernels.hpp"

namespace sy::refops {
namespace {

template <class Combine>
void binary(const View& a, const View& b, const View& dst, Combine combine) {
    for (int64_t i3 = 0; i3 < dst.ne[3]; ++i3) {
        for (int64_t i2 = 0; i2 < dst.ne[2]; ++i2) {
            for (int64_t i1 = 0; i1 < dst.ne[1]; ++i1) {
                const float* x = reinterpret_cast<const float*>(a.row(i1, i2, i3));
                const float* y = reinterpret_cast<const float*>(
                    b.row(i1 % b.ne[1], i2 % b.ne[2], i3 % b.ne[3]));
                float* out = reinterpret_cast<float*>(dst.row(i1, i2, i3));
                for (int64_t i0 = 0; i0 < dst.ne[0]; ++i0) out[i0] = combine(x[i0], y[i0 % b.ne[0]]);
            }
        }
    }
}

template <class Map>
void unary(const View& src, const View& dst, Map map) {
    for (int64_t i3 = 0; i3 < dst.ne[3]; ++i3) {
        for (int64_t i2 = 0; i2 < dst.ne[2]; ++i2) {
            for (int64_t i1 = 0; i1 < dst.ne[1]; ++i1) {
                const float* x = reinterpret_cast<const float*>(src.row(i1, i2, i3));
                float* out = reinterpret_cast<float*>(dst.row(i1, i2, i3));
                for (int64_t i0 = 0; i0 < dst.ne[0]; ++i0) out[i0] = map(x[i0]);
            }
        }
    }
}

}  // namespace

void add(const View& a, const View& b, const View& dst) {
    binary(a, b, dst, [](float x, float y) { return x + y; });
}

void mul(const View& a, const View& b, const View& dst) {
    binary(a, b, dst, [](float x, float y) { return x * y; });
}

void scale(const View& src, const View& dst, float factor) {
    unary(src, dst, [factor](float x) { return x * factor; });
}

void silu(const View& src, const View& dst) {
    unary(src, dst, [](float x) { return float(double(x) / (1.0 + std::exp(-double(x)))); });
}

}  // namespace sy::refops
