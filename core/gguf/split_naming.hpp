// File names of split GGUF models: "<prefix>-00001-of-00003.gguf" (1-based shard number, at
// least five digits each), as llama.cpp's gguf-split writes and its loader expects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sy::gguf {

struct SplitName {
    std::string prefix;   // everything before "-NNNNN-of-NNNNN.gguf", directory included
    uint32_t number = 0;  // 1-based shard number
    uint32_t count = 0;
};

// nullopt when `path` does not end in "-<digits>-of-<digits>.gguf".
std::optional<SplitName> parse_split_path(std::string_view path);

// "<prefix>-<number, 5 digits>-of-<count, 5 digits>.gguf".
std::string split_path(std::string_view prefix, uint32_t number, uint32_t count);

}  // namespace sy::gguf
