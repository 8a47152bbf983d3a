#include "gguf/gguf_writer.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "common/error.hpp"
#include "gguf/byte_reader.hpp"
#include "gguf/format.hpp"
#include "gguf/split_naming.hpp"
#include "gguf/value_codec.hpp"
#include "types/type_registry.hpp"

namespace sy::gguf {

namespace {

constexpr size_t kMaxGgmlName = 63;  // GGML_MAX_NAME 64 including the terminator

uint32_t array_depth(const Value& v) {
    if (!v.is_array()) return 0;
    uint32_t deepest = 0;
    if (v.elem_type() == ValueType::Array)
        for (uint64_t i = 0; i < v.size(); ++i) deepest = std::max(deepest, array_depth(v.array_at(i)));
    return 1 + deepest;
}

uint64_t pad_to(uint64_t n, uint64_t align) { return (n + align - 1) / align * align; }

void write_zeros(uint64_t n, const std::function<void(std::span<const uint8_t>)>& sink) {
    static constexpr uint8_t kZeros[256] = {};
    for (; n > 0; n -= std::min<uint64_t>(n, sizeof kZeros)) sink({kZeros, std::min<uint64_t>(n, sizeof kZeros)});
}

// Writes files through "<path>.partial" and renames them into place all together at the end;
// on an exception the temporaries are removed.
class StagedFiles {
public:
    StagedFiles() = default;
    StagedFiles(const StagedFiles&) = delete;
    StagedFiles& operator=(const StagedFiles&) = delete;
    ~StagedFiles() {
        std::error_code ignored;
        for (const std::string& p : staged_) std::filesystem::remove(p + ".partial", ignored);
    }

    template <class Body> void write(const std::string& path, const Body& body) {
        const std::string tmp = path + ".partial";
        staged_.push_back(path);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(tmp + ": cannot create the file");
        body([&](std::span<const uint8_t> bytes) {
            out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            if (!out) throw Error(tmp + ": write failed (disk full?)");
        });
        out.close();
        if (!out) throw Error(tmp + ": write failed when closing the file");
    }

    void commit() {
        for (const std::string& p : staged_) {
            std::error_code ec;
            std::filesystem::rename(p + ".partial", p, ec);
            if (ec) throw Error(p + ": cannot rename the finished file into place: " + ec.message());
        }
        staged_.clear();
    }

private:
    std::vector<std::string> staged_;
};

}  // namespace

void GgufWriter::set(std::string_view key, Value value) {
    if (key.empty() || key.size() > kMaxNameBytes)
        throw Error("GGUF key " + detail::quoted(key) + ": keys must be 1 to " + std::to_string(kMaxNameBytes) + " bytes");
    if (array_depth(value) > kMaxArrayDepth)
        throw Error("GGUF key " + detail::quoted(key) + ": arrays nested more than " +
                    std::to_string(kMaxArrayDepth) + " levels deep");
    if (value.encoded_size() > kMaxValueBytes)
        throw Error("GGUF key " + detail::quoted(key) + ": value larger than " + std::to_string(kMaxValueBytes) + " bytes");
    if (key == kAlignmentKey &&
        (value.type() != ValueType::U32 || !std::has_single_bit(value.get<uint32_t>())))
        throw Error("GGUF key 'general.alignment' must be a u32 nonzero power of two");
    for (Kv& kv : kvs_)
        if (kv.key == key) {
            kv.value = std::move(value);
            return;
        }
    kvs_.push_back({std::string(key), std::move(value)});
}

bool GgufWriter::remove(std::string_view key) {
    const auto it = std::find_if(kvs_.begin(), kvs_.end(), [&](const Kv& kv) { return kv.key == key; });
    if (it == kvs_.end()) return false;
    kvs_.erase(it);
    return true;
}

const Value* GgufWriter::find(std::string_view key) const {
    for (const Kv& kv : kvs_)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

void GgufWriter::set_alignment(uint32_t alignment) { set(kAlignmentKey, Value::scalar(alignment)); }

uint32_t GgufWriter::alignment() const {
    const Value* v = find(kAlignmentKey);
    return v ? v->get<uint32_t>() : kDefaultAlignment;
}

uint64_t GgufWriter::check_tensor(const std::string& name, int32_t type, std::span<const int64_t> ne) const {
    const auto what = [&] { return "GGUF tensor " + detail::quoted(name); };
    if (name.empty() || name.size() > kMaxGgmlName)
        throw Error(what() + ": names must be 1 to " + std::to_string(kMaxGgmlName) + " bytes");
    if (ne.empty() || ne.size() > kMaxDims) throw Error(what() + ": must have 1 to 4 dimensions");
    uint64_t rows = 1;
    for (size_t d = 0; d < ne.size(); ++d) {
        if (ne[d] <= 0) throw Error(what() + ": ne[" + std::to_string(d) + "] must be positive");
        if (d > 0) {
            if (rows > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / ne[0]) / static_cast<uint64_t>(ne[d]))
                throw Error(what() + ": element count overflows 2^63-1");
            rows *= static_cast<uint64_t>(ne[d]);
        }
    }
    const uint64_t row = row_bytes(type, ne[0], name);  // throws for an unknown type or block misfit
    if (row > std::numeric_limits<uint64_t>::max() / rows) throw Error(what() + ": byte size overflows 64 bits");
    if (tensor_names_.contains(name)) throw Error(what() + ": duplicate tensor name");
    return row * rows;
}

void GgufWriter::push_tensor(std::string name, int32_t type, std::span<const int64_t> ne, uint64_t nbytes,
                             std::vector<uint8_t> data, TensorFiller fill) {
    tensor_names_.insert(name);
    tensors_.push_back(Tensor{std::move(name), type, {ne.begin(), ne.end()}, nbytes, std::move(data), std::move(fill)});
}

void GgufWriter::add_tensor(std::string name, int32_t type, std::span<const int64_t> ne,
                            std::span<const uint8_t> data) {
    const uint64_t nbytes = check_tensor(name, type, ne);
    if (data.size() != nbytes)
        throw Error("GGUF tensor " + detail::quoted(name) + ": data holds " + std::to_string(data.size()) +
                    " bytes, expected " + std::to_string(nbytes));
    push_tensor(std::move(name), type, ne, nbytes, {data.begin(), data.end()}, nullptr);
}

void GgufWriter::add_tensor(std::string name, int32_t type, std::span<const int64_t> ne, TensorFiller fill) {
    if (!fill) throw Error("GGUF tensor " + detail::quoted(name) + ": no filler given");
    const uint64_t nbytes = check_tensor(name, type, ne);
    push_tensor(std::move(name), type, ne, nbytes, {}, std::move(fill));
}

void GgufWriter::write_image(const std::vector<Kv>& kvs, std::span<const Tensor* const> tensors,
                             const Sink& sink) const {
    uint64_t align = kDefaultAlignment;
    for (const Kv& kv : kvs)
        if (kv.key == kAlignmentKey) align = kv.value.get<uint32_t>();

    // Sized up front: one allocation even for a 160k-token vocabulary (and no growth path for
    // GCC 12's -O3 bounds analysis to misread).
    uint64_t meta_size = kHeaderBytes;
    for (const Kv& kv : kvs) meta_size += 8 + kv.key.size() + 4 + kv.value.encoded_size();
    for (const Tensor* t : tensors) meta_size += 8 + t->name.size() + 4 + 8 * t->ne.size() + 4 + 8;
    std::vector<uint8_t> meta;
    meta.reserve(meta_size);
    detail::append_bytes(kMagic, sizeof kMagic, meta);
    detail::encode_scalar(kWriteVersion, meta);
    detail::encode_scalar(static_cast<uint64_t>(tensors.size()), meta);
    detail::encode_scalar(static_cast<uint64_t>(kvs.size()), meta);
    for (const Kv& kv : kvs) {
        detail::encode_string(kv.key, meta);
        detail::encode_scalar(static_cast<uint32_t>(kv.value.type()), meta);
        detail::encode_value(kv.value, meta);
    }
    uint64_t offset = 0;
    for (const Tensor* t : tensors) {
        detail::encode_string(t->name, meta);
        detail::encode_scalar(static_cast<uint32_t>(t->ne.size()), meta);
        for (int64_t n : t->ne) detail::encode_scalar(static_cast<uint64_t>(n), meta);
        detail::encode_scalar(static_cast<uint32_t>(t->type), meta);
        detail::encode_scalar(offset, meta);
        offset += pad_to(t->nbytes, align);
    }
    sink(meta);
    write_zeros(pad_to(meta.size(), align) - meta.size(), sink);

    std::vector<uint8_t> filled;
    for (const Tensor* t : tensors) {
        if (t->fill) {
            filled.assign(t->nbytes, 0);
            t->fill(filled);
            sink(filled);
        } else {
            sink(t->data);
        }
        write_zeros(pad_to(t->nbytes, align) - t->nbytes, sink);
    }
}

std::vector<const GgufWriter::Tensor*> GgufWriter::all_tensors() const {
    std::vector<const Tensor*> all;
    all.reserve(tensors_.size());
    for (const Tensor& t : tensors_) all.push_back(&t);
    return all;
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
    std::vector<uint8_t> out;
    write_image(kvs_, all_tensors(), [&](std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); });
    return out;
}

void GgufWriter::write(const std::string& path) const {
    StagedFiles files;
    files.write(path, [&](const Sink& sink) { write_image(kvs_, all_tensors(), sink); });
    files.commit();
}

std::vector<std::string> GgufWriter::write_split(const std::string& path, const SplitOptions& options) const {
    const uint64_t align = alignment();
    std::vector<std::vector<const Tensor*>> shards(1);
    uint64_t shard_bytes = 0;
    if (!options.tensors_per_shard.empty()) {
        uint64_t total = 0;
        for (uint64_t n : options.tensors_per_shard) {
            if (n == 0) throw Error(path + ": a shard of the requested split has no tensors");
            total += n;
        }
        if (total != tensors_.size())
            throw Error(path + ": the requested split holds " + std::to_string(total) + " tensors, the model has " +
                        std::to_string(tensors_.size()));
        shards.assign(options.tensors_per_shard.size(), {});
        size_t next = 0;
        for (size_t k = 0; k < shards.size(); ++k)
            for (uint64_t i = 0; i < options.tensors_per_shard[k]; ++i) shards[k].push_back(&tensors_[next++]);
    } else {
        for (const Tensor& t : tensors_) {
            const uint64_t padded = pad_to(t.nbytes, align);
            auto& cur = shards.back();
            const bool full = (options.max_tensors && cur.size() >= options.max_tensors) ||
                              (options.max_bytes && shard_bytes + padded > options.max_bytes);
            if (!cur.empty() && full) {
                shards.emplace_back();
                shard_bytes = 0;
            }
            shards.back().push_back(&t);
            shard_bytes += padded;
        }
    }
    if (shards.size() > UINT16_MAX) throw Error(path + ": " + std::to_string(shards.size()) + " shards, more than 65535");
    if (tensors_.size() > static_cast<size_t>(INT32_MAX)) throw Error(path + ": too many tensors for split.tensors.count");

    const std::string prefix = path.ends_with(".gguf") ? path.substr(0, path.size() - 5) : path;
    const auto count = static_cast<uint16_t>(shards.size());
    std::vector<std::string> paths;
    StagedFiles files;
    for (uint16_t k = 0; k < count; ++k) {
        // The first shard carries all metadata; the others only what is needed to read them.
        GgufWriter meta;
        if (k == 0) meta.kvs_ = kvs_;
        else if (const Value* a = find(kAlignmentKey)) meta.set(kAlignmentKey, *a);
        meta.set(kSplitNoKey, Value::scalar<uint16_t>(k));
        meta.set(kSplitCountKey, Value::scalar<uint16_t>(count));
        meta.set(kSplitTensorsKey, Value::scalar(static_cast<int32_t>(tensors_.size())));
        paths.push_back(split_path(prefix, k + 1u, count));
        files.write(paths.back(), [&](const Sink& sink) { write_image(meta.kvs_, shards[k], sink); });
    }
    files.commit();
    return paths;
}

}  // namespace sy::gguf
