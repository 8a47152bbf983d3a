// F32, F16 and BF16 weight rows against F32 activation rows (vec_dot.hpp).
//
// The products of two floats are exact in double (24 + 24 significant bits), so the only
// roundings are the double additions and the final conversion to float: the reference is
// as close to the exact dot as a plain loop gets. (ik's CPU path rounds the activations to
// F16 or BF16 first; that difference is within any sensible NMSE bar.)
#include <cstring>

#include "types/quants/fp16.hpp"
#include "types/quants/vec_dot.hpp"

namespace sy::quants {
namespace {

inline float read_f32(const uint8_t* p, int64_t i) {
    float v;
    std::memcpy(&v, p + 4 * i, sizeof v);
    return v;
}

inline uint16_t read_u16(const uint8_t* p, int64_t i) {
    uint16_t v;
    std::memcpy(&v, p + 2 * i, sizeof v);
    return v;
}

template <typename WeightAt>
float dot_with_f32(const uint8_t* act_row, int64_t n, WeightAt&& weight_at) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += double(weight_at(i)) * double(read_f32(act_row, i));
    return float(sum);
}

}  // namespace

float vec_dot_f32_f32(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_with_f32(act_row, n, [&](int64_t i) { return read_f32(weight_row, i); });
}

float vec_dot_f16_f32(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_with_f32(act_row, n,
                        [&](int64_t i) { return fp16_to_fp32(read_u16(weight_row, i)); });
}

float vec_dot_bf16_f32(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_with_f32(act_row, n,
                        [&](int64_t i) { return bf16_to_fp32(read_u16(weight_row, i)); });
}

}  // namespace sy::quants
