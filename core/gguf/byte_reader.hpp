// Bounds-checked little-endian reading of a GGUF byte image, and the one error format of the
// GGUF code: "<file>: <field> (byte <offset>): <reason>".
//
// Every read checks the bytes left first, so a truncated or lying file fails with a message
// naming the field, never with an out-of-bounds access. Field names are passed either as text
// or as a callable that builds the text, so hot loops (160k vocabulary strings) build no
// strings unless they fail.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace sy::gguf::detail {

// Throws sy::Error "<file>: <field> (byte <offset>): <reason>".
[[noreturn]] void fail(std::string_view file, std::string_view field, uint64_t offset,
                       std::string_view reason);

// Text from the file made safe for a one-line message: quoted, control and non-ASCII bytes
// escaped as \xNN, cut after `max` bytes with "...".
std::string quoted(std::string_view text, size_t max = 80);

template <class Field> std::string field_text(const Field& field) {
    if constexpr (std::is_invocable_v<const Field&>) {
        return field();
    } else {
        return std::string(field);
    }
}

class ByteReader {
public:
    ByteReader(std::span<const uint8_t> bytes, std::string_view file) : bytes_(bytes), file_(file) {}

    std::string_view file() const { return file_; }
    uint64_t pos() const { return pos_; }
    uint64_t size() const { return bytes_.size(); }
    uint64_t remaining() const { return bytes_.size() - pos_; }

    template <class Field> [[noreturn]] void fail_at(uint64_t at, const Field& field, std::string_view reason) const {
        detail::fail(file_, field_text(field), at, reason);
    }

    // Fails unless n more bytes are present.
    template <class Field> void need(uint64_t n, const Field& field) const {
        if (n > remaining()) fail_at(pos_, field, truncation_reason(n));
    }

    template <class T, class Field> T read(const Field& field) {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T), field);
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    template <class Field> std::span<const uint8_t> take(uint64_t n, const Field& field) {
        need(n, field);
        const auto out = bytes_.subspan(static_cast<size_t>(pos_), static_cast<size_t>(n));
        pos_ += n;
        return out;
    }

    // A gguf_str: u64 length, then that many bytes (no terminator). Fails when the length is
    // over `max_len` or more than the bytes left, before touching the bytes.
    template <class Field> std::string_view read_string(const Field& field, uint64_t max_len) {
        const uint64_t at = pos_;
        const uint64_t len = read<uint64_t>(field);
        if (len > max_len)
            fail_at(at, field, "string length " + std::to_string(len) + " exceeds the limit of " +
                                   std::to_string(max_len) + " bytes");
        if (len > remaining())
            fail_at(at, field, "string length " + std::to_string(len) + " exceeds the " +
                                   std::to_string(remaining()) + " bytes left in the file");
        const auto s = take(len, field);
        return {reinterpret_cast<const char*>(s.data()), s.size()};
    }

private:
    std::string truncation_reason(uint64_t n) const;

    std::span<const uint8_t> bytes_;
    std::string_view file_;
    uint64_t pos_ = 0;
};

}  // namespace sy::gguf::detail
