#include "text/byte_encoding.hpp"

#include <array>

#include "text/unicode.hpp"

namespace sy::text {

namespace {

bool stands_for_itself(uint32_t b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Tables {
    std::array<uint32_t, 256> codepoint{};     // byte -> code point
    std::array<int16_t, 512> byte_of{};        // code point (< 512) -> byte, -1 when unused
    std::array<std::string, 256> utf8{};       // byte -> UTF-8 of its code point
};

const Tables& tables() {
    static const Tables t = [] {
        Tables r;
        r.byte_of.fill(-1);
        uint32_t next = 0x100;
        for (uint32_t b = 0; b < 256; ++b) {
            r.codepoint[b] = stands_for_itself(b) ? b : next++;
            r.byte_of[r.codepoint[b]] = static_cast<int16_t>(b);
            r.utf8[b] = unicode::encode_utf8(r.codepoint[b]);
        }
        return r;
    }();
    return t;
}

}  // namespace

uint32_t byte_to_codepoint(uint8_t byte) { return tables().codepoint[byte]; }

std::optional<uint8_t> codepoint_to_byte(uint32_t cp) {
    if (cp >= 512) return std::nullopt;
    const int16_t b = tables().byte_of[cp];
    if (b < 0) return std::nullopt;
    return static_cast<uint8_t>(b);
}

void append_byte_encoded(std::string& out, std::string_view bytes) {
    const Tables& t = tables();
    for (const char c : bytes) out += t.utf8[static_cast<uint8_t>(c)];
}

}  // namespace sy::text
