#include "gguf/value.hpp"

#include <bit>
#include <limits>

#include "common/error.hpp"

namespace sy::gguf {

// Fixed-size elements are kept as file bytes and viewed as native types.
static_assert(std::endian::native == std::endian::little, "GGUF support assumes a little-endian host");

bool is_valid_value_type(uint32_t id) { return id <= 12; }

std::string value_type_name(ValueType t) {
    switch (t) {
        case ValueType::U8: return "u8";
        case ValueType::I8: return "i8";
        case ValueType::U16: return "u16";
        case ValueType::I16: return "i16";
        case ValueType::U32: return "u32";
        case ValueType::I32: return "i32";
        case ValueType::F32: return "f32";
        case ValueType::Bool: return "bool";
        case ValueType::String: return "string";
        case ValueType::Array: return "array";
        case ValueType::U64: return "u64";
        case ValueType::I64: return "i64";
        case ValueType::F64: return "f64";
    }
    return "type#" + std::to_string(static_cast<uint32_t>(t));
}

uint32_t value_type_size(ValueType t) {
    switch (t) {
        case ValueType::U8: case ValueType::I8: case ValueType::Bool: return 1;
        case ValueType::U16: case ValueType::I16: return 2;
        case ValueType::U32: case ValueType::I32: case ValueType::F32: return 4;
        case ValueType::U64: case ValueType::I64: case ValueType::F64: return 8;
        case ValueType::String: case ValueType::Array: return 0;
    }
    return 0;
}

namespace {

bool is_signed_integer(ValueType t) {
    return t == ValueType::I8 || t == ValueType::I16 || t == ValueType::I32 || t == ValueType::I64;
}
bool is_unsigned_integer(ValueType t) {
    return t == ValueType::U8 || t == ValueType::U16 || t == ValueType::U32 || t == ValueType::U64;
}

// Sign-extends the low `size` bytes of `bits`.
int64_t signed_from_bits(uint64_t bits, uint32_t size) {
    const unsigned shift = 64 - 8 * size;
    return static_cast<int64_t>(bits << shift) >> shift;
}

}  // namespace

Value Value::string(std::string_view s) {
    Value out;
    out.type_ = ValueType::String;
    out.bytes_.assign(s.begin(), s.end());
    return out;
}

Value Value::empty_array(ValueType elem) {
    Value out;
    out.type_ = ValueType::Array;
    out.elem_ = elem;
    if (elem == ValueType::String) out.offsets_.push_back(0);
    return out;
}

Value Value::fixed_array(ValueType elem, const void* data, size_t count) {
    Value out = empty_array(elem);
    out.count_ = count;
    out.bytes_.resize(count * value_type_size(elem));
    if (!out.bytes_.empty()) std::memcpy(out.bytes_.data(), data, out.bytes_.size());
    if (elem == ValueType::Bool)
        for (uint8_t& b : out.bytes_) b = (b != 0);
    return out;
}

Value Value::array_of_arrays(std::vector<Value> items) {
    Value out = empty_array(ValueType::Array);
    for (Value& item : items) out.push_array(std::move(item));
    return out;
}

void Value::push_string(std::string_view s) {
    expect_array_of(ValueType::String, "value");
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    offsets_.push_back(bytes_.size());
    ++count_;
}

void Value::push_array(Value item) {
    expect_array_of(ValueType::Array, "value");
    if (!item.is_array()) throw Error("an array of arrays can only hold arrays, not " + item.type_text());
    items_.push_back(std::move(item));
    ++count_;
}

std::string Value::type_text() const {
    return is_array() ? "array of " + value_type_name(elem_) : value_type_name(type_);
}

bool Value::is_integer() const { return is_signed_integer(type_) || is_unsigned_integer(type_); }

void Value::expect_type(ValueType t, std::string_view what) const {
    if (type_ != t)
        throw Error(std::string(what) + " is " + type_text() + ", expected " + value_type_name(t));
}

void Value::expect_array_of(ValueType elem, std::string_view what) const {
    if (type_ != ValueType::Array || elem_ != elem)
        throw Error(std::string(what) + " is " + type_text() + ", expected array of " +
                    value_type_name(elem));
}

void Value::check_index(uint64_t i, std::string_view what) const {
    if (type_ != ValueType::Array) throw Error(std::string(what) + " is " + type_text() + ", not an array");
    if (i >= count_)
        throw Error(std::string(what) + ": index " + std::to_string(i) + " is out of range (" +
                    std::to_string(count_) + " elements)");
}

uint64_t Value::as_u64(std::string_view what) const {
    if (is_unsigned_integer(type_)) return bits_;
    if (is_signed_integer(type_)) {
        const int64_t v = signed_from_bits(bits_, value_type_size(type_));
        if (v >= 0) return static_cast<uint64_t>(v);
        throw Error(std::string(what) + " is " + std::to_string(v) + ", expected a non-negative integer");
    }
    throw Error(std::string(what) + " is " + type_text() + ", expected an integer");
}

int64_t Value::as_i64(std::string_view what) const {
    if (is_signed_integer(type_)) return signed_from_bits(bits_, value_type_size(type_));
    if (is_unsigned_integer(type_)) {
        if (bits_ <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(bits_);
        throw Error(std::string(what) + " is " + std::to_string(bits_) + ", too large for a signed 64-bit integer");
    }
    throw Error(std::string(what) + " is " + type_text() + ", expected an integer");
}

double Value::as_f64(std::string_view what) const {
    if (type_ == ValueType::F32) return get<float>(what);
    if (type_ == ValueType::F64) return get<double>(what);
    if (is_signed_integer(type_)) return static_cast<double>(as_i64(what));
    if (is_unsigned_integer(type_)) return static_cast<double>(bits_);
    throw Error(std::string(what) + " is " + type_text() + ", expected a number");
}

bool Value::as_bool(std::string_view what) const { return get<bool>(what); }

std::string_view Value::as_string(std::string_view what) const {
    expect_type(ValueType::String, what);
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
}

ValueType Value::elem_type(std::string_view what) const {
    if (type_ != ValueType::Array) throw Error(std::string(what) + " is " + type_text() + ", not an array");
    return elem_;
}

uint64_t Value::size(std::string_view what) const {
    elem_type(what);
    return count_;
}

std::string_view Value::string_at(uint64_t i, std::string_view what) const {
    expect_array_of(ValueType::String, what);
    check_index(i, what);
    return {reinterpret_cast<const char*>(bytes_.data()) + offsets_[i], offsets_[i + 1] - offsets_[i]};
}

const Value& Value::array_at(uint64_t i, std::string_view what) const {
    expect_array_of(ValueType::Array, what);
    check_index(i, what);
    return items_[i];
}

Value Value::scalar_element(uint64_t i) const {
    Value out;
    out.type_ = elem_;
    const uint32_t size = value_type_size(elem_);
    std::memcpy(&out.bits_, bytes_.data() + i * size, size);
    return out;
}

uint64_t Value::u64_at(uint64_t i, std::string_view what) const {
    check_index(i, what);
    return element(i, what).as_u64(what);
}

int64_t Value::i64_at(uint64_t i, std::string_view what) const {
    check_index(i, what);
    return element(i, what).as_i64(what);
}

double Value::f64_at(uint64_t i, std::string_view what) const {
    check_index(i, what);
    return element(i, what).as_f64(what);
}

Value Value::element(uint64_t i, std::string_view what) const {
    check_index(i, what);
    if (elem_ == ValueType::String) return string(string_at(i, what));
    if (elem_ == ValueType::Array) return items_[i];
    return scalar_element(i);
}

uint64_t Value::encoded_size() const {
    switch (type_) {
        case ValueType::String: return 8 + bytes_.size();
        case ValueType::Array: {
            uint64_t n = 4 + 8;  // element type, count
            if (elem_ == ValueType::String) return n + 8 * count_ + bytes_.size();
            if (elem_ != ValueType::Array) return n + bytes_.size();
            for (const Value& item : items_) n += item.encoded_size();
            return n;
        }
        default: return value_type_size(type_);
    }
}

bool operator==(const Value& a, const Value& b) {
    if (a.type_ != b.type_) return false;
    if (a.type_ != ValueType::Array) return a.bits_ == b.bits_ && a.bytes_ == b.bytes_;
    return a.elem_ == b.elem_ && a.count_ == b.count_ && a.bytes_ == b.bytes_ &&
           a.offsets_ == b.offsets_ && a.items_ == b.items_;
}

}  // namespace sy::gguf
