#include "imatrix/imatrix_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "common/error.hpp"
#include "gguf/gguf_writer.hpp"
#include "imatrix/imatrix_format.hpp"

namespace sy {
namespace {

constexpr int32_t kF32 = 0;

[[noreturn]] void reject(const std::string& where, const std::string& why) {
    throw Error("imatrix writer: " + where + ": " + why);
}

// Checks one entry and returns its ne0 (columns per slice).
int64_t checked_ne0(const ImatrixStats& e) {
    const std::string where = "entry '" + e.name + "'";
    if (e.name.empty()) reject("entry", "empty name");
    if (e.name.find('\0') != std::string::npos) reject(where, "name contains a NUL byte");
    if (e.counts.empty() || e.sums.empty() || e.sums.size() % e.counts.size() != 0)
        reject(where, std::to_string(e.sums.size()) + " sums are not a positive multiple of " +
                          std::to_string(e.counts.size()) + " counts");
    for (float s : e.sums)
        if (!std::isfinite(s) || s < 0) reject(where, "a sum is " + std::to_string(s) + ", must be finite and >= 0");
    for (float c : e.counts)
        if (!std::isfinite(c) || c < 0 || c > imatrix_limits::kMaxCount)
            reject(where, "a count is " + std::to_string(c) + ", must be finite, >= 0 and at most 2^53");
    return static_cast<int64_t>(e.sums.size() / e.counts.size());
}

void check_set(const ImatrixStatsSet& stats) {
    if (stats.entries.empty()) reject("header", "no entries (readers require at least one)");
    if (stats.chunk_count < 0 || stats.chunk_size < 0) reject("header", "negative chunk count or size");
    std::unordered_set<std::string> names;
    for (const ImatrixStats& e : stats.entries) {
        checked_ne0(e);
        if (!names.insert(e.name).second) reject("entry '" + e.name + "'", "duplicate name");
    }
}

std::span<const uint8_t> as_bytes(const std::vector<float>& v) {
    return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

gguf::GgufWriter gguf_image(const ImatrixStatsSet& stats) {
    check_set(stats);
    gguf::GgufWriter w;
    w.set(imatrix_keys::kGeneralType, gguf::Value::string(imatrix_keys::kImatrixType));
    w.set(imatrix_keys::kDatasets, gguf::Value::string_array(stats.datasets));
    w.set(imatrix_keys::kChunkCount, gguf::Value::scalar(static_cast<uint32_t>(stats.chunk_count)));
    w.set(imatrix_keys::kChunkSize, gguf::Value::scalar(static_cast<uint32_t>(stats.chunk_size)));
    for (const ImatrixStats& e : stats.entries) {
        const int64_t ne0 = checked_ne0(e);
        const auto n_mat = static_cast<int64_t>(e.counts.size());
        // ggml writes n_dims without trailing 1s: [ne0] for one slice, [1] for its count.
        const std::vector<int64_t> sums_shape = n_mat == 1 ? std::vector<int64_t>{ne0} : std::vector<int64_t>{ne0, n_mat};
        const std::vector<int64_t> counts_shape = n_mat == 1 ? std::vector<int64_t>{1} : std::vector<int64_t>{1, n_mat};
        w.add_tensor(e.name + std::string(imatrix_keys::kSumsSuffix), kF32, sums_shape, as_bytes(e.sums));
        w.add_tensor(e.name + std::string(imatrix_keys::kCountsSuffix), kF32, counts_shape, as_bytes(e.counts));
    }
    return w;
}

void put_i32(std::vector<uint8_t>& out, int32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    out.insert(out.end(), b, b + 4);
}

void put_f32(std::vector<uint8_t>& out, float v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    out.insert(out.end(), b, b + 4);
}

int32_t as_i32(size_t n, const std::string& where) {
    if (n > size_t(INT32_MAX)) reject(where, std::to_string(n) + " is more than the .dat format's 2^31-1");
    return static_cast<int32_t>(n);
}

void dat_entry(std::vector<uint8_t>& out, const ImatrixStats& e, int32_t chunk_size) {
    const std::string where = "entry '" + e.name + "'";
    const auto ne0 = static_cast<size_t>(checked_ne0(e));
    std::vector<int64_t> counts(e.counts.size());
    std::transform(e.counts.begin(), e.counts.end(), counts.begin(), [](float c) { return std::llround(c); });
    const int64_t max_count = *std::max_element(counts.begin(), counts.end());
    if (max_count == 0) reject(where, "every count is 0: the .dat format has no way to say 'no data'");
    const int64_t ncall = (max_count + chunk_size - 1) / chunk_size;  // rounded up, so never 0
    if (ncall > INT32_MAX) reject(where, "ncall " + std::to_string(ncall) + " is more than 2^31-1");

    put_i32(out, as_i32(e.name.size(), where + " name length"));
    out.insert(out.end(), e.name.begin(), e.name.end());
    put_i32(out, static_cast<int32_t>(ncall));
    put_i32(out, as_i32(e.sums.size(), where + " value count"));
    for (size_t i = 0; i < e.sums.size(); ++i) {
        const auto count = static_cast<float>(counts[i / ne0]);
        // The mean, scaled back up by ncall because readers divide by it; a slice without
        // data stores the neutral weight 1.
        const float mean = count > 0 ? e.sums[i] / count : 1.0f;
        put_f32(out, mean * static_cast<float>(ncall));
    }
}

void write_atomically(const std::vector<uint8_t>& bytes, const std::string& path) {
    const std::string partial = path + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(partial + ": cannot open for writing");
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            throw Error(partial + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        std::filesystem::remove(partial, ec);
        throw Error(path + ": cannot rename the finished file into place");
    }
}

}  // namespace

std::vector<uint8_t> imatrix_gguf_bytes(const ImatrixStatsSet& stats) { return gguf_image(stats).to_bytes(); }

void write_imatrix_gguf(const ImatrixStatsSet& stats, const std::string& path) { gguf_image(stats).write(path); }

std::vector<uint8_t> imatrix_dat_bytes(const ImatrixStatsSet& stats) {
    check_set(stats);
    if (stats.chunk_size <= 0) reject("header", "chunk_size must be > 0 to compute each entry's ncall");
    std::vector<uint8_t> out;
    put_i32(out, as_i32(stats.entries.size(), "entry count"));
    for (const ImatrixStats& e : stats.entries) dat_entry(out, e, stats.chunk_size);
    const std::string dataset = stats.datasets.empty() ? std::string() : stats.datasets.back();
    if (dataset.find('\0') != std::string::npos) reject("dataset", "name contains a NUL byte");
    put_i32(out, stats.chunk_count);
    put_i32(out, as_i32(dataset.size(), "dataset name length"));
    out.insert(out.end(), dataset.begin(), dataset.end());
    return out;
}

void write_imatrix_dat(const ImatrixStatsSet& stats, const std::string& path) {
    write_atomically(imatrix_dat_bytes(stats), path);
}

}  // namespace sy
