// Writes GGUF version 3 files (little-endian): metadata in insertion order, then tensor infos,
// then tensor data, each tensor padded to the alignment (general.alignment, default 32).
// A file written here reads back with GgufFile/GgufModel to the same keys, values, order,
// tensor data and offsets.
//
// Files are written to "<path>.partial" and renamed into place only when complete, so an
// error never leaves a partial file under the final name (the temporary is removed).
//
// Everything is validated when added, with the reader's rules (format.hpp), so the writer
// cannot produce a file the reader rejects. Tensor names are also held to ggml's limit of 63
// bytes, so ik_llama.cpp can read what we write.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "gguf/value.hpp"

namespace sy::gguf {

// Fills a tensor's bytes at write time (out.size() == the tensor's nbytes). Lets a converter
// produce one tensor at a time instead of holding a whole model in memory.
using TensorFiller = std::function<void(std::span<uint8_t> out)>;

struct SplitOptions {
    uint64_t max_tensors = 0;  // per shard; 0 = no limit
    uint64_t max_bytes = 0;    // tensor data per shard (padded); 0 = no limit. A tensor larger
                               // than this gets a shard of its own.
    // Exact number of tensors in each shard, in order (e.g. to keep an input model's split);
    // when set, the limits above are ignored and the counts must add up to the tensor count.
    std::vector<uint64_t> tensors_per_shard;
};

class GgufWriter {
public:
    // Adds a key, or replaces its value in place (keeping its position). Throws sy::Error for
    // an empty or too long key, a value nested too deep or too large, or a bad
    // general.alignment (must be a u32 nonzero power of two).
    void set(std::string_view key, Value value);
    bool remove(std::string_view key);  // false when absent
    const Value* find(std::string_view key) const;
    size_t kv_count() const { return kvs_.size(); }

    // Sets general.alignment.
    void set_alignment(uint32_t alignment);
    uint32_t alignment() const;

    // Adds a tensor. `ne` has 1 to 4 positive dims, ne[0] a multiple of the type's block;
    // `data` must hold exactly rows * row_bytes bytes (it is copied).
    void add_tensor(std::string name, int32_t type, std::span<const int64_t> ne, std::span<const uint8_t> data);
    // Same, with the bytes produced by `fill` while writing.
    void add_tensor(std::string name, int32_t type, std::span<const int64_t> ne, TensorFiller fill);
    size_t tensor_count() const { return tensors_.size(); }

    // Writes one file.
    void write(const std::string& path) const;
    // Writes "<path without .gguf>-00001-of-0000N.gguf", ... split by `options`; the first
    // shard holds all metadata, every shard the split keys (split.no u16, split.count u16,
    // split.tensors.count i32). Returns the paths written, in order.
    std::vector<std::string> write_split(const std::string& path, const SplitOptions& options) const;
    // The single-file image in memory (tests, fuzz seeds).
    std::vector<uint8_t> to_bytes() const;

private:
    struct Tensor {
        std::string name;
        int32_t type = 0;
        std::vector<int64_t> ne;
        uint64_t nbytes = 0;
        std::vector<uint8_t> data;  // empty when `fill` provides the bytes
        TensorFiller fill;
    };
    struct Kv {
        std::string key;
        Value value;
    };
    using Sink = std::function<void(std::span<const uint8_t>)>;

    // Validates a tensor to be added and returns its byte size.
    uint64_t check_tensor(const std::string& name, int32_t type, std::span<const int64_t> ne) const;
    void push_tensor(std::string name, int32_t type, std::span<const int64_t> ne, uint64_t nbytes,
                     std::vector<uint8_t> data, TensorFiller fill);
    std::vector<const Tensor*> all_tensors() const;
    void write_image(const std::vector<Kv>& kvs, std::span<const Tensor* const> tensors, const Sink& sink) const;

    std::vector<Kv> kvs_;
    std::vector<Tensor> tensors_;
    std::unordered_set<std::string> tensor_names_;
};

}  // namespace sy::gguf
