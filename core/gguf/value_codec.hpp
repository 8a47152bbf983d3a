// Reading and writing GGUF values in their file encoding (FORMATS.md §7): scalars as
// little-endian bytes, strings as u64 length + bytes, arrays as u32 element type + u64 count +
// elements, where an element that is itself an array carries its own type and count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gguf/byte_reader.hpp"
#include "gguf/value.hpp"

namespace sy::gguf::detail {

// Reads one value of `type` (whose type id the caller has read). `key` names the value in
// error messages. Every count is checked against the bytes left and the bounds of format.hpp
// before anything is allocated.
Value decode_value(ByteReader& in, ValueType type, std::string_view key);

// Appends the encoding of `v` (without its own type id) to `out`.
void encode_value(const Value& v, std::vector<uint8_t>& out);

// Appends a gguf_str.
void encode_string(std::string_view s, std::vector<uint8_t>& out);

// Appends raw bytes. (resize + memcpy rather than insert: GCC 12 at -O3 reports false
// out-of-bounds writes for small vector::insert calls.)
void append_bytes(const void* data, size_t n, std::vector<uint8_t>& out);

template <class T> void encode_scalar(T v, std::vector<uint8_t>& out) { append_bytes(&v, sizeof(T), out); }

}  // namespace sy::gguf::detail
