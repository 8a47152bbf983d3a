// One GGUF file (versions 2 and 3, little-endian), parsed and validated as a whole before
// anything is handed out. For a model that may be split over several files, use GgufModel
// (gguf_model.hpp); GgufFile is one shard.
//
// Validation (every failure is a sy::Error "<file>: <field> (byte <offset>): <reason>"):
// magic and version; every count, string and array length against the bytes left and the
// bounds of format.hpp; unique, non-empty keys; general.alignment a u32 nonzero power of two;
// per tensor: unique non-empty name, 1..4 dims, each ne in 1..2^63-1 with an overflow-free
// product, a known type id whose block divides ne0, offset a multiple of the alignment,
// offset + nbytes inside the data section, no two tensors overlapping.
//
// Thread safety: a GgufFile is immutable after open; concurrent reads are safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/value.hpp"

namespace sy::gguf {

class FileImage;

struct OpenOptions {
    // true: map the file (sy::platform::MappedFile); false: read it into memory (--no-mmap),
    // after checking that its size fits in memory.
    bool use_mmap = true;
};

// One metadata entry. The as_* forwarders name the key in their error messages.
struct KeyValue {
    std::string key;
    Value value;
    uint64_t offset = 0;  // byte offset of the entry (its key length) in its file

    uint64_t as_u64() const { return value.as_u64(what()); }
    int64_t as_i64() const { return value.as_i64(what()); }
    double as_f64() const { return value.as_f64(what()); }
    bool as_bool() const { return value.as_bool(what()); }
    std::string_view as_string() const { return value.as_string(what()); }
    std::string what() const;  // "key 'name'", escaped for a one-line message
};

struct TensorInfo {
    std::string name;
    int32_t type = 0;                         // GGML type id (core/types/type_registry.hpp)
    uint32_t n_dims = 0;                      // 1..4
    std::array<int64_t, 4> ne = {1, 1, 1, 1}; // elements per dimension, ne[0] = row length
    uint64_t offset = 0;       // bytes from the start of its file's data section
    uint64_t nbytes = 0;       // rows * row_bytes (row headers counted once per row)
    uint32_t shard = 0;        // index of the file that holds it (GgufModel::shards())
    uint64_t file_offset = 0;  // absolute byte offset of the data in that file
    uint64_t info_offset = 0;  // byte offset of the tensor info record, for messages

    std::span<const int64_t> shape() const { return {ne.data(), n_dims}; }
    int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }  // validated: no overflow
    int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
};

class GgufFile {
public:
    // Opens and validates a file. Throws sy::Error (unreadable file, invalid content).
    static GgufFile open(const std::string& path, const OpenOptions& options = {});
    // Parses an image already in memory. The bytes are borrowed: they must outlive the
    // GgufFile. `name` stands for the file in messages.
    static GgufFile from_memory(std::span<const uint8_t> bytes, std::string name);

    GgufFile(GgufFile&&) noexcept;
    GgufFile& operator=(GgufFile&&) noexcept;
    ~GgufFile();

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    uint32_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }  // start of the data section
    uint64_t file_size() const { return image_.size(); }
    bool is_mapped() const;

    // Metadata in file order.
    std::span<const KeyValue> kvs() const { return kvs_; }
    const KeyValue* find(std::string_view key) const;  // nullptr when absent
    const KeyValue& get(std::string_view key) const;   // throws naming the file and key

    // Tensor infos in file order (shard = 0).
    std::span<const TensorInfo> tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;
    std::span<const uint8_t> tensor_data(const TensorInfo& t) const;
    std::span<const uint8_t> bytes() const { return image_; }  // the whole file

private:
    friend struct Parser;
    friend class GgufModel;  // merges the shards' name indices
    GgufFile();

    std::unique_ptr<FileImage> storage_;  // owns the mapping or buffer behind image_; null when borrowed
    std::span<const uint8_t> image_;
    std::string path_;
    uint32_t version_ = 0;
    uint32_t alignment_ = 0;
    uint64_t data_offset_ = 0;
    std::vector<KeyValue> kvs_;
    std::vector<TensorInfo> tensors_;
    std::vector<uint32_t> kv_by_key_;        // indices of kvs_ sorted by key
    std::vector<uint32_t> tensor_by_name_;   // indices of tensors_ sorted by name
};

}  // namespace sy::gguf
