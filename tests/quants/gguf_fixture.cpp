#include "gguf_fixture.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "gguf/gguf_file.hpp"

namespace sy::test {

int64_t FixtureTensor::row_count() const {
    int64_t rows = 1;
    for (size_t i = 1; i < ne.size(); ++i) rows *= ne[i];
    return rows;
}

GgufFixture read_gguf_fixture(const std::string& path) {
    GgufFixture file;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    file.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());

    // The project's validating reader does the parsing; the fixture keeps its own copy of
    // the bytes so tests can hold plain pointers into it.
    const gguf::GgufFile parsed = gguf::GgufFile::from_memory(file.bytes, path);
    file.data_start = parsed.data_offset();
    for (const gguf::TensorInfo& info : parsed.tensors()) {
        FixtureTensor t;
        t.name = info.name;
        t.type = info.type;
        t.ne.assign(info.shape().begin(), info.shape().end());
        t.offset = info.offset;
        file.tensors.push_back(std::move(t));
    }
    return file;
}

}  // namespace sy::test
