// Nearest-grid-point lists of the two IQ3 codebooks (IQ3_XXS: 256 points, IQ3_S: 512), the
// search structure of their quantizers (quantize_iq3_grid.cpp).
//
// A group of 4 quantized magnitudes is 4 levels l in 0..7 (the grid value is 2l+1 up to a
// per-type mapping of the bytes); packed as a 12-bit code
//
//     code = l0 | l1 << 3 | l2 << 6 | l3 << 9        (0 <= code < 4096)
//
// Only 256 (512) of the 4096 codes are grid points. For every other code the quantizer
// tries a short list of grid points near it. The lists are a fact of ik_llama.cpp's
// iq3xs_init_impl (ggml-quants.c, snapshot 8337e4cd) that changes output bytes:
//   - distance is the squared Euclidean distance between level vectors;
//   - the list holds every grid point whose distance is among the `shells` smallest
//     distinct distances from the code (2 shells for the 256-point grid, 3 for 512);
//   - it is ordered by (distance, grid index), so the first strictly better point wins.
//
// Built once, at first use, from the grid tables (tables.hpp); the accessors below are
// thread-safe (function-local statics) and the objects are immutable afterwards.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace sy::quants {

class Iq3GridNeighbours {
public:
    static constexpr int kCodes = 4096;  // 4 levels of 3 bits
    static constexpr int kLevels = 8;

    // grid_levels[i]: the 4 levels (0..7) of grid point i, first element first.
    Iq3GridNeighbours(std::vector<std::array<int8_t, 4>> grid_levels, int shells);

    int grid_size() const { return int(levels_.size()); }

    // The grid point with exactly these levels, or -1 when `code` is not on the grid.
    int grid_index(uint32_t code) const { return grid_index_of_code_[code & (kCodes - 1)]; }

    // Grid points near an off-grid code, nearest first (see above); empty for on-grid codes.
    std::span<const uint16_t> neighbours(uint32_t code) const {
        const uint32_t c = code & (kCodes - 1);
        return {neighbour_list_.data() + list_begin_[c], list_begin_[c + 1] - list_begin_[c]};
    }

    const std::array<int8_t, 4>& levels(int grid_index) const {
        return levels_[size_t(grid_index)];
    }

    static constexpr uint32_t code_of(const int8_t* levels4) {
        return uint32_t(levels4[0]) | uint32_t(levels4[1]) << 3 | uint32_t(levels4[2]) << 6 |
               uint32_t(levels4[3]) << 9;
    }

private:
    std::vector<std::array<int8_t, 4>> levels_;
    std::array<int16_t, kCodes> grid_index_of_code_{};
    std::array<uint32_t, kCodes + 1> list_begin_{};  // CSR offsets into neighbour_list_
    std::vector<uint16_t> neighbour_list_;
};

// IQ3_XXS: kIq3xxsGrid, whose bytes 4, 12, ..., 52, 62 are levels 0..7; 2 shells.
const Iq3GridNeighbours& iq3xxs_grid_neighbours();
// IQ3_S: kIq3sGrid, whose bytes 1, 3, ..., 15 are levels 0..7; 3 shells.
const Iq3GridNeighbours& iq3s_grid_neighbours();

}  // namespace sy::quants
