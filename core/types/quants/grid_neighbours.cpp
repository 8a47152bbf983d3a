// Builds the key -> grid entry map and the neighbour lists of grid_neighbours.hpp.
//
// Facts from the oracle (ik_llama.cpp ggml-quants.c iq2xs_init_impl, snapshot 8337e4cd):
// neighbours are ranked by squared distance between the odd values 2*level + 1, ties by
// entry index, and a list holds every entry of the first `rings` distinct distances.
// Ranking by sum (level difference)^2 is the same order (it is that distance / 4).
// Keys with a field of 3 never occur (the quantizers clamp levels to 0..2), so they get no
// list; the oracle builds one for them that nobody reads.
#include "types/quants/grid_neighbours.hpp"

#include <algorithm>

#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kMaxDistance = 8 * 4;  // 8 elements, level difference at most 2

bool key_has_only_levels_0_to_2(uint32_t key) {
    for (int i = 0; i < 8; ++i)
        if (((key >> (2 * i)) & 3) == 3) return false;
    return true;
}

}  // namespace

GridNeighbours::GridNeighbours(std::span<const uint64_t> grid,
                               const std::array<uint8_t, 3>& level_bytes, int rings)
    : levels_(grid.size()), entry_of_key_(kKeys, -1), list_of_key_(kKeys, -1) {
    for (size_t e = 0; e < grid.size(); ++e) {
        for (int i = 0; i < 8; ++i) {
            const uint8_t byte = grid_byte(grid[e], i);
            const auto* level = std::find(level_bytes.begin(), level_bytes.end(), byte);
            levels_[e][size_t(i)] = int8_t(level - level_bytes.begin());  // 3: not a grid byte
        }
        entry_of_key_[key_of(levels_[e].data())] = int32_t(e);
    }

    std::vector<uint8_t> distance(grid.size());
    for (uint32_t key = 0; key < uint32_t(kKeys); ++key) {
        if (entry_of_key_[key] >= 0 || !key_has_only_levels_0_to_2(key)) continue;
        int count_at[kMaxDistance + 1] = {};
        for (size_t e = 0; e < grid.size(); ++e) {
            int d2 = 0;
            for (int i = 0; i < 8; ++i) {
                const int diff = int((key >> (2 * i)) & 3) - levels_[e][size_t(i)];
                d2 += diff * diff;
            }
            distance[e] = uint8_t(d2);
            ++count_at[d2];
        }
        list_of_key_[key] = int32_t(neighbours_.size());
        neighbours_.push_back(0);  // the count, filled in below
        int rings_taken = 0;
        for (int d2 = 0; d2 <= kMaxDistance && rings_taken < rings; ++d2) {
            if (count_at[d2] == 0) continue;
            ++rings_taken;
            for (size_t e = 0; e < grid.size(); ++e)
                if (distance[e] == d2) neighbours_.push_back(uint16_t(e));
        }
        neighbours_[size_t(list_of_key_[key])] =
            uint16_t(neighbours_.size() - size_t(list_of_key_[key]) - 1);
    }
}

const GridNeighbours& iq2xxs_neighbours() {
    static const GridNeighbours table(kIq2xxsGrid, {0x08, 0x19, 0x2b}, 2);
    return table;
}

const GridNeighbours& iq2xs_neighbours() {
    static const GridNeighbours table(kIq2xsGrid, {0x08, 0x19, 0x2b}, 2);
    return table;
}

const GridNeighbours& iq2s_neighbours() {
    static const GridNeighbours table(kIq2sGrid, {0x08, 0x19, 0x2b}, 1);
    return table;
}

const GridNeighbours& iq1s_neighbours() {
    static const GridNeighbours table(kIq1sGrid, {0xff, 0x00, 0x01}, 3);
    return table;
}

}  // namespace sy::quants
