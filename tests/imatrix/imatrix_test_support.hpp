// Helpers for the imatrix tests: .dat bytes built field by field (independently of core's
// writer, so the reader is tested against the format, not against our own writer), GGUF
// imatrix files built with core/gguf's GgufWriter, a scratch directory, and error assertions.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/error.hpp"
#include "gguf/gguf_writer.hpp"
#include "imatrix/imatrix.hpp"

namespace sy::imatrix_test {

// ---- .dat, little-endian, field by field ----
struct DatBytes {
    std::vector<uint8_t> bytes;

    DatBytes& i32(int32_t v) { return raw(&v, 4); }
    DatBytes& f32(float v) { return raw(&v, 4); }
    DatBytes& text(const std::string& s) { return raw(s.data(), s.size()); }
    DatBytes& raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
        return *this;
    }
    // name length, name, ncall, nval, values
    DatBytes& entry(const std::string& name, int32_t ncall, const std::vector<float>& values) {
        i32(int32_t(name.size())).text(name).i32(ncall).i32(int32_t(values.size()));
        for (float v : values) f32(v);
        return *this;
    }
    // chunk count, dataset name length, dataset name
    DatBytes& trailer(int32_t chunk_count, const std::string& dataset) {
        return i32(chunk_count).i32(int32_t(dataset.size())).text(dataset);
    }
    size_t size() const { return bytes.size(); }
};

// ---- GGUF imatrix files through core/gguf's writer ----
// A writer holding the metadata mainline's llama-imatrix writes.
inline gguf::GgufWriter imatrix_gguf_header(const std::vector<std::string>& datasets = {"calibration.txt"},
                                            uint32_t chunk_count = 10, uint32_t chunk_size = 512) {
    gguf::GgufWriter w;
    w.set("general.type", gguf::Value::string("imatrix"));
    w.set("imatrix.datasets", gguf::Value::string_array(datasets));
    w.set("imatrix.chunk_count", gguf::Value::scalar(chunk_count));
    w.set("imatrix.chunk_size", gguf::Value::scalar(chunk_size));
    return w;
}

inline void add_f32(gguf::GgufWriter& w, const std::string& name, std::vector<int64_t> shape,
                    const std::vector<float>& values) {
    std::vector<uint8_t> bytes(values.size() * 4);
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    w.add_tensor(name, 0, shape, bytes);
}

// <name>.in_sum2 [ne0, n_mat] and <name>.counts [1, n_mat], n_mat = counts.size().
inline void add_entry(gguf::GgufWriter& w, const std::string& name, const std::vector<float>& sums,
                      const std::vector<float>& counts) {
    const auto n_mat = int64_t(counts.size());
    add_f32(w, name + ".in_sum2", {int64_t(sums.size()) / n_mat, n_mat}, sums);
    add_f32(w, name + ".counts", {1, n_mat}, counts);
}

// ---- errors ----
// Runs `parse`, expects a sy::Error whose message contains every one of `needles`.
inline void expect_error(const std::function<void()>& parse, std::initializer_list<std::string> needles) {
    try {
        parse();
        ADD_FAILURE() << "no error; expected one mentioning '" << *needles.begin() << "'";
    } catch (const sy::Error& e) {
        const std::string what = e.what();
        for (const std::string& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "'" << n << "' not in: " << what;
    }
}

inline void expect_dat_error(const std::vector<uint8_t>& bytes, std::initializer_list<std::string> needles) {
    expect_error([&] { parse_imatrix_dat(bytes, "bad.dat"); }, needles);
}

inline void expect_gguf_error(const gguf::GgufWriter& w, std::initializer_list<std::string> needles) {
    const std::vector<uint8_t> bytes = w.to_bytes();
    expect_error([&] { parse_imatrix_gguf(bytes, "bad.gguf"); }, needles);
}

// Two imatrices with the same statistics (format and chunk_size aside, which .dat lacks).
inline void expect_same_contents(const Imatrix& a, const Imatrix& b) {
    EXPECT_EQ(a.chunk_count, b.chunk_count);
    EXPECT_EQ(a.datasets, b.datasets);
    ASSERT_EQ(a.entries.size(), b.entries.size());
    for (size_t i = 0; i < a.entries.size(); ++i) {
        const ImatrixEntry& x = a.entries[i];
        const ImatrixEntry& y = b.entries[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.n_slices, y.n_slices) << x.name;
        EXPECT_EQ(x.counts, y.counts) << x.name;
        EXPECT_EQ(x.values, y.values) << x.name;  // exact: the same float divisions
    }
}

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("switchyard-imatrix-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    size_t count() const {
        size_t n = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
        return n;
    }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace sy::imatrix_test
