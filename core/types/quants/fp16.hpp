// Half-precision (IEEE binary16, ggml_half) and bfloat16 to float conversion.
//
// Both conversions are exact (every fp16/bf16 value is a float), so any correct
// implementation gives the oracle's bits. Done with integer operations so the result does
// not depend on the FPU's rounding mode or denormal flags.
#pragma once

#include <bit>
#include <cstdint>

namespace sy::quants {

// binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
// A NaN comes back quiet (the float quiet bit set), as the F16C instruction vcvtph2ps and
// ggml's scalar fallback both do; the payload is kept.
constexpr float fp16_to_fp32(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;

    if (exponent == 0x1F) {  // infinity or NaN
        const uint32_t quiet = mantissa != 0 ? 0x00400000u : 0u;
        return std::bit_cast<float>(sign | 0x7F800000u | quiet | (mantissa << 13));
    }
    if (exponent != 0)  // normal: rebias 15 -> 127
        return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    if (mantissa == 0) return std::bit_cast<float>(sign);  // signed zero

    // Subnormal half (mantissa * 2^-24): normalise into a float, which has the range.
    int shift = 0;
    while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        ++shift;
    }
    const uint32_t float_exponent = uint32_t(127 - 14 - shift);
    return std::bit_cast<float>(sign | (float_exponent << 23) | ((mantissa & 0x3FFu) << 13));
}

// bfloat16 is the top half of a float.
constexpr float bf16_to_fp32(uint16_t b) { return std::bit_cast<float>(uint32_t(b) << 16); }

}  // namespace sy::quants
