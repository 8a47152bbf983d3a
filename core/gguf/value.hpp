// A GGUF metadata value: a typed scalar, a string, or an array (of scalars, of strings, or of
// arrays). One class serves the reader and the writer.
//
// Storage is compact on purpose: a vocabulary of 160k tokens is one array Value holding one byte
// buffer with all token texts back to back plus an offset table, not 160k separate objects.
// Fixed-size array elements are kept as their little-endian file bytes, so typed spans
// (`span<float>()`) are zero-copy views. Floats are stored as bit patterns, so a write→read
// round trip is exact (NaN payloads included).
//
// Accessors throw sy::Error on a type mismatch; `what` names the value in that message (the
// reader passes the key name, see KeyValue in gguf_file.hpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sy::gguf {

// GGUF value type ids, as stored in the file.
enum class ValueType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

// True for the 13 ids above.
bool is_valid_value_type(uint32_t id);
// "u8", "string", "array", ...; "type#<id>" for an unknown id.
std::string value_type_name(ValueType t);
// Bytes one element of a fixed-size type takes in the file; 0 for String and Array.
uint32_t value_type_size(ValueType t);

// C++ type <-> GGUF type for the fixed-size types (bool is 1 byte, stored 0 or 1).
template <class T> struct ValueTypeOf;
template <> struct ValueTypeOf<uint8_t>  { static constexpr ValueType value = ValueType::U8; };
template <> struct ValueTypeOf<int8_t>   { static constexpr ValueType value = ValueType::I8; };
template <> struct ValueTypeOf<uint16_t> { static constexpr ValueType value = ValueType::U16; };
template <> struct ValueTypeOf<int16_t>  { static constexpr ValueType value = ValueType::I16; };
template <> struct ValueTypeOf<uint32_t> { static constexpr ValueType value = ValueType::U32; };
template <> struct ValueTypeOf<int32_t>  { static constexpr ValueType value = ValueType::I32; };
template <> struct ValueTypeOf<float>    { static constexpr ValueType value = ValueType::F32; };
template <> struct ValueTypeOf<bool>     { static constexpr ValueType value = ValueType::Bool; };
template <> struct ValueTypeOf<uint64_t> { static constexpr ValueType value = ValueType::U64; };
template <> struct ValueTypeOf<int64_t>  { static constexpr ValueType value = ValueType::I64; };
template <> struct ValueTypeOf<double>   { static constexpr ValueType value = ValueType::F64; };

class Value {
public:
    Value() = default;  // a u8 of value 0

    // ---- construction (used by the writer and by tests) ----
    template <class T> static Value scalar(T v) {
        Value out;
        out.type_ = ValueTypeOf<T>::value;
        if constexpr (std::is_same_v<T, bool>) {
            out.bits_ = v ? 1 : 0;
        } else {
            std::memcpy(&out.bits_, &v, sizeof(T));
        }
        return out;
    }
    static Value string(std::string_view s);
    // Array of a fixed-size type.
    template <class T> static Value array(std::span<const T> items) {
        return fixed_array(ValueTypeOf<T>::value, items.data(), items.size());
    }
    template <class T> static Value array(const std::vector<T>& items) {
        static_assert(!std::is_same_v<T, bool>, "std::vector<bool> has no contiguous storage");
        return array(std::span<const T>(items));
    }
    // Array of strings from any range of string-like elements.
    template <class Range> static Value string_array(const Range& items) {
        Value out = empty_array(ValueType::String);
        for (const auto& s : items) out.push_string(std::string_view(s));
        return out;
    }
    static Value string_array(std::initializer_list<std::string_view> items) {
        return string_array<std::initializer_list<std::string_view>>(items);
    }
    // Array whose elements are arrays (each inner array has its own element type).
    static Value array_of_arrays(std::vector<Value> items);
    // An empty array of the given element type; append with push_string / push_array.
    static Value empty_array(ValueType elem);
    void push_string(std::string_view s);
    void push_array(Value item);

    // ---- inspection ----
    ValueType type() const { return type_; }
    bool is_array() const { return type_ == ValueType::Array; }
    bool is_integer() const;  // any of the 8 integer types (not bool)
    std::string type_text() const;  // "u32", "string", "array of f32", ...

    // Scalars. `what` names the value in the error message.
    uint64_t as_u64(std::string_view what = "value") const;  // unsigned, or signed >= 0
    int64_t as_i64(std::string_view what = "value") const;   // signed, or unsigned <= INT64_MAX
    double as_f64(std::string_view what = "value") const;    // any integer or float
    bool as_bool(std::string_view what = "value") const;     // bool only
    std::string_view as_string(std::string_view what = "value") const;
    // Exactly type T (no conversion), e.g. get<uint32_t>() for general.alignment.
    template <class T> T get(std::string_view what = "value") const {
        expect_type(ValueTypeOf<T>::value, what);
        if constexpr (std::is_same_v<T, bool>) {
            return bits_ != 0;
        } else {
            T v;
            std::memcpy(&v, &bits_, sizeof(T));
            return v;
        }
    }

    // Arrays.
    ValueType elem_type(std::string_view what = "value") const;
    uint64_t size(std::string_view what = "value") const;
    // Zero-copy view of an array of exactly type T.
    template <class T> std::span<const T> span(std::string_view what = "value") const {
        expect_array_of(ValueTypeOf<T>::value, what);
        return {reinterpret_cast<const T*>(bytes_.data()), static_cast<size_t>(count_)};
    }
    std::string_view string_at(uint64_t i, std::string_view what = "value") const;
    const Value& array_at(uint64_t i, std::string_view what = "value") const;
    // Element i of a scalar array, converted like as_u64 / as_i64 / as_f64.
    uint64_t u64_at(uint64_t i, std::string_view what = "value") const;
    int64_t i64_at(uint64_t i, std::string_view what = "value") const;
    double f64_at(uint64_t i, std::string_view what = "value") const;
    // Element i of any array as its own Value (copies; for tools, not for hot loops).
    Value element(uint64_t i, std::string_view what = "value") const;

    // Bytes the value takes in a GGUF file (type ids of nested arrays included, the outer
    // value type id excluded). Overflow is not a concern: it is bounded by memory held.
    uint64_t encoded_size() const;

    // Exact equality: type, element types, counts and bytes (floats compared bitwise).
    friend bool operator==(const Value& a, const Value& b);

private:
    friend struct ValueAccess;  // the decoder fills the storage directly

    // `count` elements of the fixed-size type `elem` (bool: one byte each, 0 or 1).
    static Value fixed_array(ValueType elem, const void* data, size_t count);

    void expect_type(ValueType t, std::string_view what) const;
    void expect_array_of(ValueType elem, std::string_view what) const;
    void check_index(uint64_t i, std::string_view what) const;
    Value scalar_element(uint64_t i) const;

    ValueType type_ = ValueType::U8;
    ValueType elem_ = ValueType::U8;  // arrays only
    uint64_t bits_ = 0;               // scalars: the value's little-endian bytes, zero-extended
    uint64_t count_ = 0;              // arrays only: number of elements
    std::vector<uint8_t> bytes_;      // string chars; fixed-size elements; string-array chars
    std::vector<uint64_t> offsets_;   // string arrays: count_+1 start offsets into bytes_
    std::vector<Value> items_;        // arrays of arrays
};

}  // namespace sy::gguf
