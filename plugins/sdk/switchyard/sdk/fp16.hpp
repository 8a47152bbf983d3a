// IEEE half (F16) and bfloat16 (BF16) <-> float conversions, portable scalar code.
//
// Plugin authors use these for F16/BF16 tensors; they are exact in the float direction and
// round to nearest, ties to even, in the narrowing direction (NaN stays NaN, overflow goes
// to infinity), which is what hardware conversions (F16C, Zfh) do. Header-only, no state,
// thread-safe.
//
// TODO(lead): move to core/types once the type registry grows conversion helpers; the SDK
// would then re-export them.
#pragma once

#include <cstdint>
#include <cstring>

namespace sy::sdk {

inline uint32_t float_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

inline float bits_float(uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline float fp16_to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24 is exact in float.
        const float magnitude = float(mantissa) * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return bits_float(sign | 0x7f800000u | (mantissa << 13));  // inf / NaN
    return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

inline uint16_t float_to_fp16(float f) {
    const uint32_t u = float_bits(f);
    const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
    const uint32_t magnitude = u & 0x7fffffffu;
    if (magnitude >= 0x7f800000u) {  // inf or NaN; keep NaN quiet and non-zero
        return magnitude == 0x7f800000u ? uint16_t(sign | 0x7c00u)
                                        : uint16_t(sign | 0x7e00u | ((magnitude >> 13) & 0x1ffu));
    }
    if (magnitude >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // >= 65520 rounds to inf
    const uint32_t exponent = magnitude >> 23;
    if (exponent < 113) {
        // Result is subnormal (or rounds up to the smallest normal, 0x0400, which the
        // arithmetic below produces naturally). Units of 2^-24.
        const uint32_t shift = 126 - exponent;
        if (shift > 24) return sign;
        const uint32_t full = (magnitude & 0x7fffffu) | 0x800000u;
        uint32_t q = full >> shift;
        const uint32_t rest = full & ((1u << shift) - 1);
        const uint32_t half = 1u << (shift - 1);
        if (rest > half || (rest == half && (q & 1u))) ++q;
        return uint16_t(sign | q);
    }
    uint32_t h = ((exponent - 112) << 10) | ((magnitude & 0x7fffffu) >> 13);
    const uint32_t rest = magnitude & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // carry may reach the exponent
    return uint16_t(sign | h);
}

inline float bf16_to_float(uint16_t b) { return bits_float(uint32_t(b) << 16); }

inline uint16_t float_to_bf16(float f) {
    const uint32_t u = float_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);  // quiet NaN
    const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
    return uint16_t((u + rounding) >> 16);
}

}  // namespace sy::sdk
