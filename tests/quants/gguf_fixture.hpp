// The golden fixtures in tests/data/golden_quants as the quant tests want them: tensor
// names, types, shapes and data in one owned byte buffer. Parsing is core/gguf's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sy::test {

struct FixtureTensor {
    std::string name;
    int32_t type = 0;
    std::vector<int64_t> ne;  // ne[0] is the row length
    uint64_t offset = 0;      // from the start of the data section

    int64_t row_length() const { return ne.at(0); }
    int64_t row_count() const;
};

struct GgufFixture {
    std::vector<uint8_t> bytes;  // the whole file
    uint64_t data_start = 0;
    std::vector<FixtureTensor> tensors;

    const uint8_t* data(const FixtureTensor& t) const {
        return bytes.data() + data_start + t.offset;
    }
};

// Throws (std::runtime_error or sy::Error) naming the file when it cannot be read or parsed.
GgufFixture read_gguf_fixture(const std::string& path);

}  // namespace sy::test
