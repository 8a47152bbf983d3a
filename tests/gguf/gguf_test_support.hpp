// Helpers shared by the GGUF tests: a scratch directory, raw little-endian byte building for
// hand-made (often invalid) files, and error-message assertions.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "common/error.hpp"
#include "gguf/gguf_file.hpp"
#include "gguf/gguf_writer.hpp"

namespace sy::gguf::test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("switchyard-gguf-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(std::string_view name) const { return (path_ / name).string(); }
    std::vector<std::string> entries() const {
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().filename().string());
        return out;
    }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Raw little-endian bytes, for building files field by field.
class Bytes {
public:
    template <class T> Bytes& put(T v) {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        data.insert(data.end(), p, p + sizeof(T));
        return *this;
    }
    Bytes& u8(uint8_t v) { return put(v); }
    Bytes& u32(uint32_t v) { return put(v); }
    Bytes& u64(uint64_t v) { return put(v); }
    Bytes& str(std::string_view s) {
        u64(s.size());
        data.insert(data.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& zeros(size_t n) {
        data.insert(data.end(), n, 0);
        return *this;
    }
    Bytes& pad_to(size_t align) { return zeros((align - data.size() % align) % align); }
    // GGUF header: magic, version, n_tensors, n_kv.
    Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        data.insert(data.end(), {'G', 'G', 'U', 'F'});
        return u32(version).u64(n_tensors).u64(n_kv);
    }
    Bytes& kv_u32(std::string_view key, uint32_t v) { return str(key).u32(4).u32(v); }
    Bytes& kv_str(std::string_view key, std::string_view v) { return str(key).u32(8).str(v); }
    Bytes& tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(ne.size()));
        for (uint64_t n : ne) u64(n);
        return u32(type).u64(offset);
    }
    size_t size() const { return data.size(); }

    std::vector<uint8_t> data;
};

// The message of the sy::Error that parsing `bytes` throws ("" plus a test failure if none).
inline std::string parse_error(const std::vector<uint8_t>& bytes, const std::string& name = "bad.gguf") {
    try {
        GgufFile::from_memory(bytes, name);
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a sy::Error from " << name;
    return {};
}

// Deterministic filler bytes for tensor data (distinct per tensor via `seed`).
inline std::vector<uint8_t> pattern_bytes(size_t n, uint32_t seed) {
    std::vector<uint8_t> out(n);
    uint32_t x = seed * 2654435761u + 1;
    for (uint8_t& b : out) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(x >> 24);
    }
    return out;
}

// A small model that uses every value type (nested arrays too) and a few tensor types,
// including a row-header type. The last tensor's size is a multiple of 64, so no prefix of the
// written file is itself valid (truncation tests rely on it).
inline GgufWriter sample_writer(uint32_t alignment = 32) {
    GgufWriter w;
    w.set("general.architecture", Value::string("llama"));
    if (alignment != 32) w.set_alignment(alignment);
    w.set("test.u8", Value::scalar<uint8_t>(250));
    w.set("test.i8", Value::scalar<int8_t>(-7));
    w.set("test.u16", Value::scalar<uint16_t>(65000));
    w.set("test.i16", Value::scalar<int16_t>(-30000));
    w.set("test.u32", Value::scalar<uint32_t>(4000000000u));
    w.set("test.i32", Value::scalar<int32_t>(-2000000000));
    w.set("test.f32", Value::scalar(1.5f));
    w.set("test.bool", Value::scalar(true));
    w.set("test.string", Value::string("h\u00e9llo, w\xc3\xb6rld"));
    w.set("test.u64", Value::scalar<uint64_t>(18000000000000000000ull));
    w.set("test.i64", Value::scalar<int64_t>(-9000000000000000000ll));
    w.set("test.f64", Value::scalar(-2.25));
    w.set("test.empty_string", Value::string(""));
    w.set("test.tokens", Value::string_array({"<unk>", "", "hello", "w\xc3\xb6rld"}));
    w.set("test.scores", Value::array(std::vector<float>{0.0f, -1.5f, 3.25f}));
    w.set("test.types", Value::array(std::vector<int32_t>{1, 2, 3, -4}));
    const bool flags[] = {true, false, true};
    w.set("test.flags", Value::array(std::span<const bool>(flags)));
    w.set("test.empty_array", Value::empty_array(ValueType::U64));
    w.set("test.nested", Value::array_of_arrays({Value::array(std::vector<uint16_t>{1, 2}),
                                                 Value::string_array({"a", "bc"}),
                                                 Value::array_of_arrays({Value::array(std::vector<double>{0.5})}),
                                                 Value::empty_array(ValueType::String)}));
    const int64_t ne_f32[] = {7, 3};
    w.add_tensor("f32.weight", 0, ne_f32, pattern_bytes(7 * 3 * 4, 1));
    const int64_t ne_q8[] = {64, 2, 3};
    w.add_tensor("q8_0.weight", 8, ne_q8, pattern_bytes(2 * 34 * 2 * 3, 2));
    const int64_t ne_iq2ks[] = {256, 3};
    w.add_tensor("iq2_ks.weight", 145, ne_iq2ks, pattern_bytes(3 * (2 + 70), 3));
    const int64_t ne_f16[] = {16, 2, 1, 2};
    w.add_tensor("f16.weight", 1, ne_f16, pattern_bytes(16 * 2 * 2 * 2, 4));
    return w;
}

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text) << "\nlacks: " << (part)

}  // namespace sy::gguf::test
