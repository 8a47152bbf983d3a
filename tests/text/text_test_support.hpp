// Helpers shared by the tokenizer tests: fixture paths and file reading.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace sy::text::testing {

inline std::string data_path(const std::string& name) { return std::string(SWITCHYARD_TEST_DATA_DIR) + "/" + name; }
inline std::string shared_path(const std::string& name) { return std::string(SWITCHYARD_SHARED_DIR) + "/" + name; }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "1 2 3" -> {1, 2, 3}
inline std::vector<int32_t> parse_ids(const std::string& line) {
    std::vector<int32_t> ids;
    std::istringstream in(line);
    for (long v; in >> v;) ids.push_back(static_cast<int32_t>(v));
    return ids;
}

}  // namespace sy::text::testing
