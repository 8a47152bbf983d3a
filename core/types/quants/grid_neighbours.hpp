// The lookup the grid-type quantizers (IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M) share: which
// codebook ("grid") entry a group of 8 three-level values is, and, when it is none, which
// entries are nearest to it.
//
// Every entry of these grids is a group of 8 elements, each on one of three levels 0, 1, 2
// (IQ2: magnitudes 8, 25, 43; IQ1: values -1, 0, +1). A group of levels packs into a 16-bit
// key, 2 bits per element, element 0 in the lowest bits. The quantizers round a group to
// levels, look the key up here, and on a miss try the key's neighbour list and keep the
// entry with the smallest weighted error.
//
// Neighbour lists are the oracle's (ik_llama.cpp iq2xs_init_impl, snapshot 8337e4cd): the
// grid entries at the `rings` smallest distinct squared distances from the key (distance
// measured on the odd values 2*level + 1), ordered by distance and then by entry index.
// The order decides ties in the quantizers' searches, so it is part of byte identity.
// Rings: IQ2_S 1, IQ2_XXS and IQ2_XS 2, IQ1_S and IQ1_M 3.
//
// Thread safety: each table is built on first use (a function-local static) and read-only
// afterwards. All four take ~0.15 s together (IQ1's 2048 entries the most).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace sy::quants {

class GridNeighbours {
public:
    // grid: the codebook (tables.hpp layout: one byte per element); level_bytes[l] is the
    // byte value of level l.
    GridNeighbours(std::span<const uint64_t> grid, const std::array<uint8_t, 3>& level_bytes,
                   int rings);

    int size() const { return int(levels_.size()); }

    // Levels (0..2) of entry `index`, element 0 first.
    const std::array<int8_t, 8>& levels(int index) const { return levels_[size_t(index)]; }

    // The entry whose levels pack to `key`, or -1 when the key is off the grid.
    int index_of(uint16_t key) const { return entry_of_key_[key]; }

    // For a key off the grid (index_of(key) < 0) whose levels are all 0..2: its nearest
    // entries, nearest first (never empty).
    std::span<const uint16_t> neighbours_of(uint16_t key) const {
        const int32_t at = list_of_key_[key];
        return {neighbours_.data() + at + 1, neighbours_[size_t(at)]};
    }

    // Packs 8 levels (0..2) into a key.
    static uint16_t key_of(const int8_t* levels) {
        uint32_t key = 0;
        for (int i = 0; i < 8; ++i) key |= uint32_t(levels[i]) << (2 * i);
        return uint16_t(key);
    }

private:
    static constexpr int kKeys = 1 << 16;
    std::vector<std::array<int8_t, 8>> levels_;
    std::vector<int32_t> entry_of_key_;  // kKeys: entry index, or -1
    std::vector<int32_t> list_of_key_;   // kKeys: offset of the key's list in neighbours_
    std::vector<uint16_t> neighbours_;   // per off-grid key: count, then the entry indices
};

// The shared tables, built at first use.
const GridNeighbours& iq2xxs_neighbours();  // 256 entries, 2 rings
const GridNeighbours& iq2xs_neighbours();   // 512 entries, 2 rings
const GridNeighbours& iq2s_neighbours();    // 1024 entries, 1 ring
const GridNeighbours& iq1s_neighbours();    // 2048 entries, 3 rings (IQ1_S and IQ1_M)

}  // namespace sy::quants
