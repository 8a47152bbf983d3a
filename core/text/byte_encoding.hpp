// GPT-2's byte-level encoding: byte-level BPE vocabularies spell every byte as one printable
// code point, so a token text never holds a raw space or control byte. Bytes that are already
// printable Latin-1 (0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF) stand for themselves; the other 68 bytes,
// in increasing order, become U+0100, U+0101, ... (so ' ' = 0x20 is U+0120 'Ġ', '\n' is U+010A 'Ċ').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sy::text {

// The code point that spells `byte`.
uint32_t byte_to_codepoint(uint8_t byte);
// The byte a code point spells; nullopt for code points outside the 256 used.
std::optional<uint8_t> codepoint_to_byte(uint32_t cp);

// Appends the byte-level spelling of raw bytes (each byte -> the UTF-8 of its code point).
void append_byte_encoded(std::string& out, std::string_view bytes);

}  // namespace sy::text
