// Lookup tables of the non-linear quant types (FORMATS.md §2) and the codebooks ("grids")
// of the IQ2/IQ3/IQ1 grid types. All are data facts of ik_llama.cpp's ggml-common.h
// (snapshot 8337e4cd), copied verbatim.
//
// In every two-part value table the second half is the "shifted" table that a per-block
// flag bit selects (the `extra` bits of IQ*_K, bit 0 of a scale byte of IQ*_KS).
#pragma once

#include <array>
#include <cstdint>

namespace sy::quants {

// IQ2_K / IQ2_KS: {-31,-13,1,17}, then the same +5.
extern const std::array<int8_t, 8> kIq2nlValues;
// IQ3_K / IQ3_KS: 8 values, then the same +4.
extern const std::array<int8_t, 16> kIq3nlValues;
// IQ4_K / IQ4_KS / IQ4_KSS, and the block scales of IQ1_KT / IQ2_KT: 16 values, then +4.
// The first 16 are also kvalues_iq4nl, the table of IQ4_NL and IQ4_XS.
extern const std::array<int8_t, 32> kIq4kValues;
// IQ5_K / IQ5_KS: 32 values from -126 to 121, then the same +2.
extern const std::array<int8_t, 64> kIq5nlValues;
// IQ6_K: 64 values, then the same +1. The first 64 are
// round(-127 + q*(6.2568 + q*(-0.11218 + q*0.0011972))), see iq6k_cubic() in iq_k.cpp.
extern const std::array<int8_t, 128> kIq6nlValues;
// IQ2_KL: 32 pairs of int8, both taken from the first 8 kIq3nlValues; low byte = first element.
extern const std::array<uint16_t, 32> kIq2klPairs;

// Grids: one entry per group of 8 (or 4 for the IQ3 grids) unsigned magnitudes
// (IQ1: signed -1/0/+1), one per byte, first element in the lowest byte.
extern const std::array<uint64_t, 256> kIq2xxsGrid;
extern const std::array<uint64_t, 512> kIq2xsGrid;
extern const std::array<uint64_t, 1024> kIq2sGrid;
extern const std::array<uint32_t, 256> kIq3xxsGrid;
extern const std::array<uint32_t, 512> kIq3sGrid;
extern const std::array<uint64_t, 2048> kIq1sGrid;

// Byte k of a packed grid entry (k = 0 is the first element). Shifts, not a pointer cast,
// so the result does not depend on the host's byte order.
constexpr uint8_t grid_byte(uint64_t entry, int k) { return uint8_t(entry >> (8 * k)); }

}  // namespace sy::quants
