// Helpers shared by the dequantizers and the reference quantizers: walking the blocks of a
// row and reading row headers.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>

#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"

namespace sy::quants {

// Bytes of the per-row scale that precedes the first block (FORMATS.md §0).
constexpr int64_t kFp16RowHeaderBytes = 2;  // IQ2_KS, IQ3_KS, IQ2_KL
constexpr int64_t kF32RowHeaderBytes = 4;   // IQ4_KS, IQ4_KSS, IQ5_KS, IQ*_KT

inline float read_fp16_row_header(const uint8_t* row) {
    uint16_t bits;
    std::memcpy(&bits, row, sizeof bits);
    return fp16_to_fp32(bits);
}

inline float read_f32_row_header(const uint8_t* row) {
    float d;
    std::memcpy(&d, row, sizeof d);
    return d;
}

// Calls decode(block, out) for each of the n / Block::kElems blocks stored back to back at
// `blocks`, with `out` advancing by Block::kElems floats per block.
template <typename Block, typename Decode>
inline void for_each_block(const uint8_t* blocks, float* out, int64_t n, Decode&& decode) {
    assert(n % Block::kElems == 0);
    const int64_t count = n / Block::kElems;
    for (int64_t i = 0; i < count; ++i)
        decode(load_block<Block>(blocks + i * int64_t(sizeof(Block))), out + i * Block::kElems);
}

// The quantizers' counterpart: for each of the n / Block::kElems blocks of the row `src`,
// calls fill(x, importance, block) with the block's Block::kElems floats, its importance
// (nullptr when `importance` is) and a zero-initialised Block, then stores the block at
// `row` (back to back, no alignment needed).
template <typename Block, typename Fill>
inline void fill_each_block(const float* src, uint8_t* row, int64_t n, const float* importance,
                            Fill&& fill) {
    const int64_t count = n / Block::kElems;  // callers pass whole blocks (quantize.hpp)
    for (int64_t i = 0; i < count; ++i) {
        Block b{};
        const int64_t at = i * Block::kElems;
        fill(src + at, importance ? importance + at : nullptr, b);
        std::memcpy(row + i * int64_t(sizeof(Block)), &b, sizeof(Block));
    }
}

}  // namespace sy::quants
