#include "gguf_fixture.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sy::test {
namespace {

// GGUF value type ids (FORMATS.md §7).
enum : uint32_t {
    kU8, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64
};

class Cursor {
public:
    Cursor(const std::vector<uint8_t>& bytes, const std::string& path)
        : bytes_(bytes), path_(path) {}

    template <typename T>
    T read() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string read_string() {
        const auto length = read<uint64_t>();
        need(length);
        std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
        pos_ += length;
        return s;
    }
    void skip(uint64_t n) {
        need(n);
        pos_ += n;
    }
    void skip_value(uint32_t type) {
        switch (type) {
            case kU8: case kI8: case kBool: skip(1); break;
            case kU16: case kI16: skip(2); break;
            case kU32: case kI32: case kF32: skip(4); break;
            case kU64: case kI64: case kF64: skip(8); break;
            case kString: read_string(); break;
            case kArray: {
                const auto element_type = read<uint32_t>();
                const auto count = read<uint64_t>();
                for (uint64_t i = 0; i < count; ++i) skip_value(element_type);
                break;
            }
            default: fail("unknown value type " + std::to_string(type));
        }
    }
    uint64_t position() const { return pos_; }
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error(path_ + ": " + why + " at byte " + std::to_string(pos_));
    }

private:
    void need(uint64_t n) const {
        if (n > bytes_.size() - pos_) fail("truncated");
    }
    const std::vector<uint8_t>& bytes_;
    std::string path_;
    uint64_t pos_ = 0;
};

}  // namespace

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

    Cursor c(file.bytes, path);
    if (c.read<uint32_t>() != 0x46554747u) c.fail("not a GGUF file");  // "GGUF"
    const auto version = c.read<uint32_t>();
    if (version != 2 && version != 3) c.fail("unsupported GGUF version " + std::to_string(version));
    const auto tensor_count = c.read<uint64_t>();
    const auto kv_count = c.read<uint64_t>();

    uint64_t alignment = 32;  // GGUF_DEFAULT_ALIGNMENT
    for (uint64_t i = 0; i < kv_count; ++i) {
        const std::string key = c.read_string();
        const auto type = c.read<uint32_t>();
        if (key == "general.alignment" && type == kU32)
            alignment = c.read<uint32_t>();
        else
            c.skip_value(type);
    }

    for (uint64_t i = 0; i < tensor_count; ++i) {
        FixtureTensor t;
        t.name = c.read_string();
        const auto dims = c.read<uint32_t>();
        if (dims == 0 || dims > 4) c.fail(t.name + ": bad dimension count");
        for (uint32_t d = 0; d < dims; ++d) t.ne.push_back(int64_t(c.read<uint64_t>()));
        t.type = int32_t(c.read<uint32_t>());
        t.offset = c.read<uint64_t>();
        file.tensors.push_back(std::move(t));
    }
    file.data_start = (c.position() + alignment - 1) / alignment * alignment;
    return file;
}

}  // namespace sy::test
