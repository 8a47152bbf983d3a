// Name indices: item positions ordered by a key, for duplicate checks and binary-search lookup
// of keys and tensors (100k+ tensor names in big MoE files, so no per-lookup scans).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::gguf::detail {

// Positions of `items` ordered by key(item), ties in original order. Keys are gathered first so
// the sort touches one contiguous array.
template <class T, class Key> std::vector<uint32_t> sorted_indices(const std::vector<T>& items, Key key) {
    using K = decltype(key(items.front()));
    std::vector<std::pair<K, uint32_t>> keyed;
    keyed.reserve(items.size());
    for (uint32_t i = 0; i < items.size(); ++i) keyed.emplace_back(key(items[i]), i);
    std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) {
        const auto order = x.first <=> y.first;
        return order < 0 || (order == 0 && x.second < y.second);
    });
    std::vector<uint32_t> out(keyed.size());
    for (size_t i = 0; i < keyed.size(); ++i) out[i] = keyed[i].second;
    return out;
}

// The item whose name(item) equals `name`, found in `order` (from sorted_indices); nullptr if none.
template <class T, class Name>
const T* find_sorted(const std::vector<T>& items, const std::vector<uint32_t>& order, std::string_view name,
                     Name item_name) {
    const auto it = std::lower_bound(order.begin(), order.end(), name,
                                     [&](uint32_t i, std::string_view n) { return item_name(items[i]) < n; });
    if (it == order.end() || item_name(items[*it]) != name) return nullptr;
    return &items[*it];
}

}  // namespace sy::gguf::detail
