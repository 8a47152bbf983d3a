// Parsing and validation of one GGUF image (FORMATS.md §7). Order of work: header, key/values,
// tensor infos, then the checks that need everything (alignment, data bounds, duplicates,
// overlaps). Nothing is allocated from a count before that count is checked against the
// bytes left, and reservations are capped so memory follows the bytes actually parsed.
#include <algorithm>
#include <bit>
#include <limits>

#include "common/error.hpp"
#include "gguf/byte_reader.hpp"
#include "gguf/format.hpp"
#include "gguf/gguf_file.hpp"
#include "gguf/sorted_index.hpp"
#include "gguf/value_codec.hpp"
#include "types/type_registry.hpp"

namespace sy::gguf {

struct Parser {
    explicit Parser(GgufFile& f) : file(f), in(f.image_, f.path_) {}

    void parse() {
        read_header();
        read_kvs();
        read_alignment();
        read_tensor_infos();
        place_data_section();
        index_and_check_names();
        check_overlaps();
    }

private:
    static constexpr uint64_t kMaxElements = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

    std::string tensor_field(const TensorInfo& t) const { return "tensor " + detail::quoted(t.name); }

    void read_header() {
        const auto magic = in.take(4, "header.magic");
        if (!std::equal(magic.begin(), magic.end(), kMagic))
            in.fail_at(0, "header.magic",
                       "not a GGUF file: starts with " +
                           detail::quoted({reinterpret_cast<const char*>(magic.data()), 4}) + ", expected 'GGUF'");
        const uint32_t version = in.read<uint32_t>("header.version");
        const uint32_t swapped = __builtin_bswap32(version);  // std::byteswap is C++23
        if (version == 1)
            in.fail_at(4, "header.version", "GGUF version 1 is not supported (only versions 2 and 3 are)");
        if (version < kMinVersion || version > kMaxVersion) {
            if (swapped >= kMinVersion && swapped <= kMaxVersion)
                in.fail_at(4, "header.version", "big-endian GGUF files are not supported");
            in.fail_at(4, "header.version",
                       "unsupported GGUF version " + std::to_string(version) + " (only versions 2 and 3 are)");
        }
        file.version_ = version;
        n_tensors = in.read<uint64_t>("header.n_tensors");
        n_kv = in.read<uint64_t>("header.n_kv");
        if (n_tensors > kMaxTensors || n_tensors > in.remaining() / kMinTensorInfoBytes)
            in.fail_at(8, "header.n_tensors",
                       std::to_string(n_tensors) + " tensor infos cannot fit in the " +
                           std::to_string(in.remaining()) + " bytes after the header (limit " +
                           std::to_string(kMaxTensors) + ")");
        const uint64_t left = in.remaining() - n_tensors * kMinTensorInfoBytes;
        if (n_kv > kMaxKvs || n_kv > left / kMinKvBytes)
            in.fail_at(16, "header.n_kv",
                       std::to_string(n_kv) + " key/value pairs cannot fit in the " + std::to_string(left) +
                           " bytes left for them (limit " + std::to_string(kMaxKvs) + ")");
    }

    void read_kvs() {
        file.kvs_.reserve(std::min(n_kv, kReserveCap));
        for (uint64_t i = 0; i < n_kv; ++i) {
            const uint64_t at = in.pos();
            const auto key_field = [i] { return "kv[" + std::to_string(i) + "].key"; };
            const std::string_view key = in.read_string(key_field, kMaxNameBytes);
            if (key.empty()) in.fail_at(at, key_field, "empty key");
            const uint64_t type_at = in.pos();
            const auto field = [&] { return "key " + detail::quoted(key); };
            const uint32_t type = in.read<uint32_t>(field);
            if (!is_valid_value_type(type))
                in.fail_at(type_at, field, "unknown value type id " + std::to_string(type));
            Value value = detail::decode_value(in, static_cast<ValueType>(type), key);
            file.kvs_.push_back(KeyValue{std::string(key), std::move(value), at});
        }
        file.kv_by_key_ = detail::sorted_indices(file.kvs_, [](const KeyValue& kv) -> std::string_view { return kv.key; });
        for (size_t i = 1; i < file.kv_by_key_.size(); ++i) {
            const KeyValue& a = file.kvs_[file.kv_by_key_[i - 1]];
            const KeyValue& b = file.kvs_[file.kv_by_key_[i]];
            if (a.key == b.key)
                in.fail_at(b.offset, "key " + detail::quoted(b.key),
                           "duplicate key (first at byte " + std::to_string(a.offset) + ")");
        }
    }

    void read_alignment() {
        file.alignment_ = kDefaultAlignment;
        const KeyValue* kv = file.find(kAlignmentKey);
        if (!kv) return;
        const std::string field = "key " + detail::quoted(kv->key);
        if (kv->value.type() != ValueType::U32)
            in.fail_at(kv->offset, field, "must be a u32, not " + kv->value.type_text());
        const uint32_t a = kv->value.get<uint32_t>();
        if (!std::has_single_bit(a))
            in.fail_at(kv->offset, field, "alignment " + std::to_string(a) + " is not a nonzero power of two");
        file.alignment_ = a;
    }

    void read_tensor_infos() {
        file.tensors_.reserve(std::min(n_tensors, kReserveCap));
        for (uint64_t i = 0; i < n_tensors; ++i) {
            TensorInfo t;
            t.info_offset = in.pos();
            const auto name_field = [i] { return "tensor[" + std::to_string(i) + "].name"; };
            const std::string_view name = in.read_string(name_field, kMaxNameBytes);
            if (name.empty()) in.fail_at(t.info_offset, name_field, "empty tensor name");
            t.name = std::string(name);
            const auto field = [&] { return tensor_field(t); };

            const uint64_t dims_at = in.pos();
            t.n_dims = in.read<uint32_t>(field);
            if (t.n_dims == 0 || t.n_dims > kMaxDims)
                in.fail_at(dims_at, field, "n_dims is " + std::to_string(t.n_dims) + ", must be 1 to 4");
            uint64_t elements = 1;
            for (uint32_t d = 0; d < t.n_dims; ++d) {
                const uint64_t ne_at = in.pos();
                const uint64_t ne = in.read<uint64_t>(field);
                if (ne == 0 || ne > kMaxElements)
                    in.fail_at(ne_at, field, "ne[" + std::to_string(d) + "] is " + std::to_string(ne) +
                                                 ", must be 1 to 2^63-1");
                if (elements > kMaxElements / ne)
                    in.fail_at(ne_at, field, "the element count overflows 2^63-1 at ne[" + std::to_string(d) + "]");
                elements *= ne;
                t.ne[d] = static_cast<int64_t>(ne);
            }

            const uint64_t type_at = in.pos();
            const uint32_t type = in.read<uint32_t>(field);
            t.type = static_cast<int32_t>(type);
            const TypeInfo* info = find_type(t.type);
            if (!info || type > static_cast<uint32_t>(std::numeric_limits<int32_t>::max()))
                in.fail_at(type_at, field, "unknown tensor type id " + std::to_string(type));
            if (t.ne[0] % info->block_elems != 0)
                in.fail_at(type_at, field, "row length " + std::to_string(t.ne[0]) + " is not a multiple of the " +
                                               std::string(info->name) + " block of " +
                                               std::to_string(info->block_elems) + " elements");
            uint64_t row = 0;
            try {
                row = row_bytes(t.type, t.ne[0], t.name);
            } catch (const Error& e) {
                in.fail_at(type_at, field, e.what());
            }
            const auto rows = static_cast<uint64_t>(t.n_rows());
            if (row > std::numeric_limits<uint64_t>::max() / rows)
                in.fail_at(type_at, field, "the byte size overflows 64 bits");
            t.nbytes = row * rows;
            t.offset = in.read<uint64_t>(field);
            file.tensors_.push_back(std::move(t));
        }
    }

    void place_data_section() {
        const uint64_t end_of_infos = in.pos();
        const uint64_t a = file.alignment_;
        // end_of_infos <= file size, so this cannot overflow for any real or mapped size.
        file.data_offset_ = (end_of_infos + a - 1) / a * a;
        const uint64_t size = in.size();
        const uint64_t data_size = size > file.data_offset_ ? size - file.data_offset_ : 0;
        for (TensorInfo& t : file.tensors_) {
            if (t.offset % a != 0)
                in.fail_at(t.info_offset, tensor_field(t),
                           "data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                               std::to_string(a));
            if (t.offset > data_size || t.nbytes > data_size - t.offset)
                in.fail_at(t.info_offset, tensor_field(t),
                           "data at offset " + std::to_string(t.offset) + " + " + std::to_string(t.nbytes) +
                               " bytes runs past the end of the file (data section: " + std::to_string(data_size) +
                               " bytes from byte " + std::to_string(file.data_offset_) + ")");
            t.file_offset = file.data_offset_ + t.offset;
        }
    }

    void index_and_check_names() {
        file.tensor_by_name_ =
            detail::sorted_indices(file.tensors_, [](const TensorInfo& t) -> std::string_view { return t.name; });
        for (size_t i = 1; i < file.tensor_by_name_.size(); ++i) {
            const TensorInfo& a = file.tensors_[file.tensor_by_name_[i - 1]];
            const TensorInfo& b = file.tensors_[file.tensor_by_name_[i]];
            if (a.name == b.name)
                in.fail_at(b.info_offset, tensor_field(b),
                           "duplicate tensor name (first at byte " + std::to_string(a.info_offset) + ")");
        }
    }

    void check_overlaps() {
        const auto by_offset = detail::sorted_indices(file.tensors_, [](const TensorInfo& t) { return t.offset; });
        for (size_t i = 1; i < by_offset.size(); ++i) {
            const TensorInfo& a = file.tensors_[by_offset[i - 1]];
            const TensorInfo& b = file.tensors_[by_offset[i]];
            if (b.offset - a.offset < a.nbytes)
                in.fail_at(b.info_offset, tensor_field(b),
                           "data at offset " + std::to_string(b.offset) + " overlaps tensor " +
                               detail::quoted(a.name) + " (offset " + std::to_string(a.offset) + ", " +
                               std::to_string(a.nbytes) + " bytes)");
        }
    }

    GgufFile& file;
    detail::ByteReader in;
    uint64_t n_tensors = 0;
    uint64_t n_kv = 0;
};

void parse_gguf(GgufFile& file) { Parser(file).parse(); }

}  // namespace sy::gguf
