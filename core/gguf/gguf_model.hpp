// A model stored in one GGUF file or split over several ("NAME-00001-of-00003.gguf", ...),
// presented as one: metadata from the first shard, the tensors of all shards.
//
// Opening a split model: open the first shard (as llama.cpp requires); the others are found by
// name beside it. Each shard must carry split.no (its 0-based index), split.count and
// split.tensors.count (the total over all shards); the totals must match and no tensor name
// may appear twice. Errors name the file, the key and the byte offset, or the missing file.
//
// Thread safety: immutable after open; concurrent reads are safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_file.hpp"

namespace sy::gguf {

class GgufModel {
public:
    static GgufModel open(const std::string& path, const OpenOptions& options = {});
    // Assembles already opened shards, in order, checking the split keys as open() does.
    // A single file without split keys is a model of one shard.
    static GgufModel from_shards(std::vector<GgufFile> shards);

    const std::string& path() const { return shards_.front().path(); }  // the first shard
    std::span<const GgufFile> shards() const { return shards_; }
    uint64_t total_file_size() const;

    // Metadata of the first shard, in file order.
    std::span<const KeyValue> kvs() const { return shards_.front().kvs(); }
    const KeyValue* find(std::string_view key) const { return shards_.front().find(key); }
    const KeyValue& get(std::string_view key) const { return shards_.front().get(key); }

    // All tensors: shard by shard, each in file order; TensorInfo::shard says where.
    std::span<const TensorInfo> tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;
    std::span<const uint8_t> tensor_data(const TensorInfo& t) const;

private:
    GgufModel() = default;

    std::vector<GgufFile> shards_;
    std::vector<TensorInfo> tensors_;
    std::vector<uint32_t> tensor_by_name_;  // indices of tensors_ sorted by name
};

}  // namespace sy::gguf
