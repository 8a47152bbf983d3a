// Helpers for the unit tests that decode hand-built blocks: assembling a row (optional row
// header + blocks) and decoding it through the kernel table, as a caller would.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "types/quant_kernels.hpp"

namespace sy::test {

// fp16 bit patterns used by the tests.
constexpr uint16_t kHalfOne = 0x3C00;      // 1.0
constexpr uint16_t kHalfTwo = 0x4000;      // 2.0
constexpr uint16_t kHalfHalf = 0x3800;     // 0.5
constexpr uint16_t kHalfQuarter = 0x3400;  // 0.25
constexpr uint16_t kHalfMinusOne = 0xBC00; // -1.0

inline void append_bytes(std::vector<uint8_t>& row, const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    row.insert(row.end(), p, p + size);
}

// A row of blocks with no header.
template <typename Block>
std::vector<uint8_t> row_of(std::initializer_list<Block> blocks) {
    std::vector<uint8_t> row;
    for (const Block& b : blocks) append_bytes(row, &b, sizeof b);
    return row;
}

// A row with a row header (a float, or an fp16 given as uint16_t bits) before the blocks.
template <typename Header, typename Block>
std::vector<uint8_t> row_with_header(Header d, std::initializer_list<Block> blocks) {
    std::vector<uint8_t> row;
    append_bytes(row, &d, sizeof d);
    for (const Block& b : blocks) append_bytes(row, &b, sizeof b);
    return row;
}

// Decodes a whole row through find_kernels(type_id); fails the test when the type has no
// kernels or the byte count does not match the kernel table's row size.
inline std::vector<float> dequantize(int32_t type_id, const std::vector<uint8_t>& row) {
    const QuantKernels* k = find_kernels(type_id);
    EXPECT_NE(k, nullptr) << "type " << type_id;
    if (!k) return {};
    const int64_t blocks = int64_t(row.size() - k->row_header_bytes) / k->block_bytes;
    EXPECT_EQ(row.size(), k->row_header_bytes + uint64_t(blocks) * k->block_bytes);
    std::vector<float> out(size_t(blocks * k->block_elems), -12345.f);
    k->dequantize_row(row.data(), out.data(), blocks * k->block_elems);
    return out;
}

// A zero-filled block, for tests that set a few fields.
template <typename Block>
Block zero_block() {
    Block b;
    std::memset(&b, 0, sizeof b);
    return b;
}

}  // namespace sy::test
