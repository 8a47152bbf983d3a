#include "gguf/byte_reader.hpp"

#include "common/error.hpp"

namespace sy::gguf::detail {

void fail(std::string_view file, std::string_view field, uint64_t offset, std::string_view reason) {
    std::string msg;
    msg.reserve(file.size() + field.size() + reason.size() + 32);
    msg.append(file).append(": ").append(field);
    msg.append(" (byte ").append(std::to_string(offset)).append("): ").append(reason);
    throw Error(msg);
}

std::string quoted(std::string_view text, size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "'";
    for (size_t i = 0; i < text.size(); ++i) {
        if (i == max) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    out += "'";
    return out;
}

std::string ByteReader::truncation_reason(uint64_t n) const {
    return "file ends too early: needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
           " left";
}

}  // namespace sy::gguf::detail
