#include "gguf/gguf_file.hpp"

#include "common/error.hpp"
#include "gguf/byte_reader.hpp"
#include "gguf/file_image.hpp"
#include "gguf/sorted_index.hpp"

namespace sy::gguf {

void parse_gguf(GgufFile& file);  // gguf_parser.cpp

std::string KeyValue::what() const { return "key " + detail::quoted(key); }

GgufFile::GgufFile() = default;
GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

GgufFile GgufFile::open(const std::string& path, const OpenOptions& options) {
    GgufFile file;
    file.path_ = path;
    file.storage_ = options.use_mmap ? FileImage::map(path) : FileImage::read(path);
    file.image_ = file.storage_->bytes();
    parse_gguf(file);
    return file;
}

GgufFile GgufFile::from_memory(std::span<const uint8_t> bytes, std::string name) {
    GgufFile file;
    file.path_ = std::move(name);
    file.image_ = bytes;
    parse_gguf(file);
    return file;
}

bool GgufFile::is_mapped() const { return storage_ && storage_->mapped(); }

const KeyValue* GgufFile::find(std::string_view key) const {
    return detail::find_sorted(kvs_, kv_by_key_, key, [](const KeyValue& kv) -> std::string_view { return kv.key; });
}

const KeyValue& GgufFile::get(std::string_view key) const {
    if (const KeyValue* kv = find(key)) return *kv;
    throw Error(path_ + ": missing key " + detail::quoted(key));
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
    return detail::find_sorted(tensors_, tensor_by_name_, name, [](const TensorInfo& t) -> std::string_view { return t.name; });
}

std::span<const uint8_t> GgufFile::tensor_data(const TensorInfo& t) const {
    // Bounds were validated at open; re-checked here because `t` may come from another file.
    if (t.file_offset > image_.size() || t.nbytes > image_.size() - t.file_offset)
        throw Error(path_ + ": tensor " + detail::quoted(t.name) + " is not inside this file");
    return image_.subspan(static_cast<size_t>(t.file_offset), static_cast<size_t>(t.nbytes));
}

}  // namespace sy::gguf
