#include "gguf/value_codec.hpp"

#include <algorithm>
#include <cstring>

#include "gguf/format.hpp"

namespace sy::gguf {

// Fills Value's storage directly, so decoding a 160k-string vocabulary is two appends per
// string and no per-element objects.
struct ValueAccess {
    static Value decode(detail::ByteReader& in, ValueType type, std::string_view key, uint32_t depth);
    static Value decode_array(detail::ByteReader& in, std::string_view key, uint32_t depth, uint64_t start);
    static void encode(const Value& v, std::vector<uint8_t>& out);
};

namespace {

uint64_t min_encoded_size(ValueType elem) {
    if (elem == ValueType::String) return 8;       // length
    if (elem == ValueType::Array) return 4 + 8;    // element type, count
    return value_type_size(elem);
}

}  // namespace

Value ValueAccess::decode(detail::ByteReader& in, ValueType type, std::string_view key, uint32_t depth) {
    const auto field = [&] { return "key " + detail::quoted(key); };
    if (type == ValueType::Array) return decode_array(in, key, depth + 1, in.pos());
    Value v;
    v.type_ = type;
    if (type == ValueType::String) {
        const std::string_view s = in.read_string(field, kMaxValueBytes);
        v.bytes_.assign(s.begin(), s.end());
        return v;
    }
    const auto bytes = in.take(value_type_size(type), field);
    std::memcpy(&v.bits_, bytes.data(), bytes.size());
    if (type == ValueType::Bool) v.bits_ = (v.bits_ != 0);
    return v;
}

// `start` is where the outermost array began: arrays of arrays are held to kMaxValueBytes as a
// whole, as strings and flat arrays are, so memory stays bounded by the limit, not the file.
Value ValueAccess::decode_array(detail::ByteReader& in, std::string_view key, uint32_t depth, uint64_t start) {
    const auto field = [&] { return "key " + detail::quoted(key); };
    const uint64_t at = in.pos();
    if (depth > kMaxArrayDepth)
        in.fail_at(at, field, "arrays are nested more than " + std::to_string(kMaxArrayDepth) + " levels deep");
    const uint32_t elem_id = in.read<uint32_t>(field);
    if (!is_valid_value_type(elem_id))
        in.fail_at(at, field, "unknown array element type id " + std::to_string(elem_id));
    const auto elem = static_cast<ValueType>(elem_id);
    const uint64_t count = in.read<uint64_t>(field);
    if (count > in.remaining() / min_encoded_size(elem))
        in.fail_at(at, field, "array of " + std::to_string(count) + " " + value_type_name(elem) +
                                  " elements cannot fit in the " + std::to_string(in.remaining()) +
                                  " bytes left in the file");

    Value v = Value::empty_array(elem);
    v.count_ = count;
    if (elem == ValueType::String) {
        v.offsets_.reserve(std::min(count, kReserveCap) + 1);
        for (uint64_t i = 0; i < count; ++i) {
            const uint64_t room = kMaxValueBytes - v.bytes_.size();
            const std::string_view s = in.read_string(
                [&] { return "key " + detail::quoted(key) + " element " + std::to_string(i); }, room);
            v.bytes_.insert(v.bytes_.end(), s.begin(), s.end());
            v.offsets_.push_back(v.bytes_.size());
        }
    } else if (elem == ValueType::Array) {
        v.items_.reserve(std::min(count, kReserveCap));
        for (uint64_t i = 0; i < count; ++i) {
            if (in.pos() - start > kMaxValueBytes)
                in.fail_at(at, field, "nested arrays exceed the limit of " + std::to_string(kMaxValueBytes) + " bytes");
            v.items_.push_back(decode_array(in, key, depth + 1, start));
        }
    } else {
        const uint64_t n = count * value_type_size(elem);  // cannot overflow: <= remaining()
        if (n > kMaxValueBytes)
            in.fail_at(at, field, "array of " + std::to_string(n) + " bytes exceeds the limit of " +
                                      std::to_string(kMaxValueBytes) + " bytes");
        const auto bytes = in.take(n, field);
        v.bytes_.assign(bytes.begin(), bytes.end());
        if (elem == ValueType::Bool)
            for (uint8_t& b : v.bytes_) b = (b != 0);
    }
    return v;
}

void ValueAccess::encode(const Value& v, std::vector<uint8_t>& out) {
    if (v.type_ == ValueType::String) {
        detail::encode_string(v.as_string(), out);
        return;
    }
    if (v.type_ != ValueType::Array) {
        detail::append_bytes(&v.bits_, value_type_size(v.type_), out);
        return;
    }
    detail::encode_scalar(static_cast<uint32_t>(v.elem_), out);
    detail::encode_scalar(v.count_, out);
    if (v.elem_ == ValueType::String) {
        for (uint64_t i = 0; i < v.count_; ++i) detail::encode_string(v.string_at(i), out);
    } else if (v.elem_ == ValueType::Array) {
        for (const Value& item : v.items_) encode(item, out);
    } else {
        detail::append_bytes(v.bytes_.data(), v.bytes_.size(), out);
    }
}

namespace detail {

Value decode_value(ByteReader& in, ValueType type, std::string_view key) {
    return ValueAccess::decode(in, type, key, 0);
}

void encode_value(const Value& v, std::vector<uint8_t>& out) { ValueAccess::encode(v, out); }

void append_bytes(const void* data, size_t n, std::vector<uint8_t>& out) {
    if (n == 0) return;
    const size_t at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, data, n);
}

void encode_string(std::string_view s, std::vector<uint8_t>& out) {
    encode_scalar(static_cast<uint64_t>(s.size()), out);
    append_bytes(s.data(), s.size(), out);
}

}  // namespace detail
}  // namespace sy::gguf
