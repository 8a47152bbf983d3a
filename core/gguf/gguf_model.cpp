#include "gguf/gguf_model.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>

#include "common/error.hpp"
#include "gguf/byte_reader.hpp"
#include "gguf/format.hpp"
#include "gguf/sorted_index.hpp"
#include "gguf/split_naming.hpp"

namespace sy::gguf {

namespace {

// The value of a split key as an integer in [lo, hi]. Any integer type is accepted (the
// writers use u16 and i32), so files from other tools are not rejected for a type width.
uint64_t split_value(const GgufFile& shard, std::string_view key, uint64_t lo, uint64_t hi) {
    const KeyValue* kv = shard.find(key);
    if (!kv) throw Error(shard.path() + ": missing key " + detail::quoted(key) + " of a split model");
    const std::string field = "key " + detail::quoted(key);
    if (!kv->value.is_integer())
        detail::fail(shard.path(), field, kv->offset,
                     "must be an integer, not " + kv->value.type_text());
    const bool negative = kv->value.as_f64() < 0;
    const uint64_t v = negative ? 0 : kv->value.as_u64();
    if (negative || v < lo || v > hi)
        detail::fail(shard.path(), field, kv->offset,
                     "value " + (negative ? std::to_string(kv->value.as_i64()) : std::to_string(v)) +
                         " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
}

void expect_split_value(const GgufFile& shard, std::string_view key, uint64_t expected, uint64_t actual,
                        std::string_view meaning) {
    if (actual == expected) return;
    detail::fail(shard.path(), "key " + detail::quoted(key), shard.find(key)->offset,
                 "is " + std::to_string(actual) + ", expected " + std::to_string(expected) + " (" +
                     std::string(meaning) + ")");
}

}  // namespace

GgufModel GgufModel::open(const std::string& path, const OpenOptions& options) {
    std::vector<GgufFile> shards;
    shards.push_back(GgufFile::open(path, options));
    if (!shards[0].find(kSplitCountKey) && !shards[0].find(kSplitNoKey)) return from_shards(std::move(shards));

    const uint64_t count = split_value(shards[0], kSplitCountKey, 1, UINT16_MAX);
    const uint64_t no = split_value(shards[0], kSplitNoKey, 0, UINT16_MAX);
    const auto name = parse_split_path(path);
    if (no != 0)
        throw Error(path + ": this is shard " + std::to_string(no + 1) + " of " + std::to_string(count) +
                    " of a split model; open the first shard" +
                    (name ? " (" + split_path(name->prefix, 1, name->count) + ")" : std::string()));
    if (count > 1) {
        if (!name || name->number != 1 || name->count != count)
            throw Error(path + ": split.count is " + std::to_string(count) +
                        " but the file name does not follow " +
                        split_path("NAME", 1, static_cast<uint32_t>(count)) + ", so the other shards cannot be found");
        shards.reserve(count);
        for (uint32_t i = 2; i <= count; ++i) {
            const std::string part = split_path(name->prefix, i, static_cast<uint32_t>(count));
            if (!std::filesystem::exists(part))
                throw Error(path + ": missing split part " + part + " (shard " + std::to_string(i) + " of " +
                            std::to_string(count) + ")");
            shards.push_back(GgufFile::open(part, options));
        }
    }
    return from_shards(std::move(shards));
}

GgufModel GgufModel::from_shards(std::vector<GgufFile> shards) {
    if (shards.empty()) throw Error("a GGUF model needs at least one file");
    GgufModel model;
    model.shards_ = std::move(shards);
    const GgufFile& first = model.shards_.front();
    const bool split = model.shards_.size() > 1 || first.find(kSplitCountKey) || first.find(kSplitNoKey);

    uint64_t total = 0;
    for (const GgufFile& s : model.shards_) total += s.tensors().size();
    if (split) {
        const uint64_t n = model.shards_.size();
        const uint64_t expected_total = split_value(first, kSplitTensorsKey, 0, INT32_MAX);
        for (uint64_t k = 0; k < n; ++k) {
            const GgufFile& s = model.shards_[k];
            expect_split_value(s, kSplitNoKey, k, split_value(s, kSplitNoKey, 0, UINT16_MAX), "this shard's index");
            expect_split_value(s, kSplitCountKey, n, split_value(s, kSplitCountKey, 1, UINT16_MAX),
                               "the number of shards");
            expect_split_value(s, kSplitTensorsKey, expected_total, split_value(s, kSplitTensorsKey, 0, INT32_MAX),
                               "the first shard's total");
        }
        if (total != expected_total)
            detail::fail(first.path(), "key " + detail::quoted(kSplitTensorsKey), first.find(kSplitTensorsKey)->offset,
                         "says " + std::to_string(expected_total) + " tensors, but the " + std::to_string(n) +
                             " shards hold " + std::to_string(total));
    }

    model.tensors_.reserve(total);
    for (uint32_t k = 0; k < model.shards_.size(); ++k)
        for (TensorInfo t : model.shards_[k].tensors()) {
            t.shard = k;
            model.tensors_.push_back(std::move(t));
        }
    // Each shard's index is sorted by name already: merge them instead of sorting again.
    auto& order = model.tensor_by_name_;
    const auto& ts = model.tensors_;
    const auto by_name = [&](uint32_t a, uint32_t b) {
        const auto c = ts[a].name <=> ts[b].name;
        return c < 0 || (c == 0 && a < b);
    };
    uint32_t base = 0;
    std::vector<uint32_t> shard_order, merged;
    for (const GgufFile& s : model.shards_) {
        shard_order.clear();
        for (const uint32_t i : s.tensor_by_name_) shard_order.push_back(base + i);
        merged.clear();
        std::merge(order.begin(), order.end(), shard_order.begin(), shard_order.end(), std::back_inserter(merged),
                   by_name);
        order.swap(merged);
        base += static_cast<uint32_t>(s.tensors().size());
    }
    for (size_t i = 1; i < order.size(); ++i) {
        const TensorInfo& a = ts[order[i - 1]];
        const TensorInfo& b = ts[order[i]];
        if (a.name == b.name)
            detail::fail(model.shards_[b.shard].path(), "tensor " + detail::quoted(b.name), b.info_offset,
                         "duplicate tensor name (also in " + model.shards_[a.shard].path() + ")");
    }
    return model;
}

uint64_t GgufModel::total_file_size() const {
    uint64_t n = 0;
    for (const GgufFile& s : shards_) n += s.file_size();
    return n;
}

const TensorInfo* GgufModel::find_tensor(std::string_view name) const {
    return detail::find_sorted(tensors_, tensor_by_name_, name,
                               [](const TensorInfo& t) -> std::string_view { return t.name; });
}

std::span<const uint8_t> GgufModel::tensor_data(const TensorInfo& t) const {
    if (t.shard >= shards_.size()) throw Error(path() + ": tensor " + detail::quoted(t.name) + " has no shard");
    return shards_[t.shard].tensor_data(t);
}

}  // namespace sy::gguf
