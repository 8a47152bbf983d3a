#include "types/quants/grid_neighbours_iq3.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

int squared_distance(const std::array<int8_t, 4>& a, const int8_t* b) {
    int d = 0;
    for (int i = 0; i < 4; ++i) d += (a[size_t(i)] - b[i]) * (a[size_t(i)] - b[i]);
    return d;
}

// Levels of each grid entry, by looking each byte up in `level_bytes` (the byte of level
// 0..7). Every byte of the two tables is one of the eight (a data fact, checked here in
// debug builds and by tests/quants/quantize_iq3_grid_test.cpp).
template <size_t N>
std::vector<std::array<int8_t, 4>> grid_levels(const std::array<uint32_t, N>& grid,
                                               const std::array<uint8_t, 8>& level_bytes) {
    std::vector<std::array<int8_t, 4>> out(N);
    for (size_t i = 0; i < N; ++i)
        for (int k = 0; k < 4; ++k) {
            const uint8_t byte = grid_byte(grid[i], k);
            const auto at = std::find(level_bytes.begin(), level_bytes.end(), byte);
            assert(at != level_bytes.end() && "IQ3 grid: byte is not a level");
            out[i][size_t(k)] = int8_t(at - level_bytes.begin());
        }
    return out;
}

}  // namespace

Iq3GridNeighbours::Iq3GridNeighbours(std::vector<std::array<int8_t, 4>> grid_levels, int shells)
    : levels_(std::move(grid_levels)) {
    grid_index_of_code_.fill(-1);
    for (size_t i = 0; i < levels_.size(); ++i)
        grid_index_of_code_[code_of(levels_[i].data())] = int16_t(i);

    // (distance, grid index) of every grid point, for one off-grid code at a time.
    std::vector<std::pair<int, int>> by_distance(levels_.size());
    for (uint32_t code = 0; code < kCodes; ++code) {
        list_begin_[code] = uint32_t(neighbour_list_.size());
        if (grid_index_of_code_[code] >= 0) continue;
        const int8_t point[4] = {int8_t(code & 7), int8_t(code >> 3 & 7), int8_t(code >> 6 & 7),
                                 int8_t(code >> 9 & 7)};
        for (size_t i = 0; i < levels_.size(); ++i)
            by_distance[i] = {squared_distance(levels_[i], point), int(i)};
        std::sort(by_distance.begin(), by_distance.end());
        // Keep the points of the first `shells` distinct distances.
        int shells_seen = 1;
        int shell_distance = by_distance.front().first;
        for (const auto& [distance, index] : by_distance) {
            if (distance > shell_distance) {
                if (shells_seen == shells) break;
                shell_distance = distance;
                ++shells_seen;
            }
            neighbour_list_.push_back(uint16_t(index));
        }
    }
    list_begin_[kCodes] = uint32_t(neighbour_list_.size());
}

const Iq3GridNeighbours& iq3xxs_grid_neighbours() {
    static const Iq3GridNeighbours map(grid_levels(kIq3xxsGrid, {4, 12, 20, 28, 36, 44, 52, 62}),
                                       2);
    return map;
}

const Iq3GridNeighbours& iq3s_grid_neighbours() {
    static const Iq3GridNeighbours map(grid_levels(kIq3sGrid, {1, 3, 5, 7, 9, 11, 13, 15}), 3);
    return map;
}

}  // namespace sy::quants
