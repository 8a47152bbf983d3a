// The GGUF imatrix reader (format in imatrix.hpp). The container is parsed and validated by
// core/gguf; this file checks the imatrix keys, pairs each <name>.in_sum2 with its
// <name>.counts, and turns sums into means the way mainline's llama-quantize does.
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

#include "common/error.hpp"
#include "gguf/byte_reader.hpp"
#include "gguf/format.hpp"
#include "gguf/gguf_file.hpp"
#include "imatrix/imatrix.hpp"
#include "imatrix/imatrix_format.hpp"
#include "types/type_registry.hpp"

namespace sy {
namespace {

using gguf::GgufFile;
using gguf::KeyValue;
using gguf::TensorInfo;
using gguf::detail::fail;
using gguf::detail::quoted;

constexpr uint64_t kNKvHeaderOffset = 16;  // where a missing key is reported: header.n_kv
constexpr int32_t kF32 = 0;

const KeyValue& required_key(const GgufFile& f, std::string_view key) {
    const KeyValue* kv = f.find(key);
    if (!kv)
        fail(f.path(), "key " + quoted(key), kNKvHeaderOffset,
             "missing; an imatrix GGUF has general.type, imatrix.datasets, imatrix.chunk_count and "
             "imatrix.chunk_size");
    return *kv;
}

void check_general_type(const GgufFile& f) {
    const KeyValue& kv = required_key(f, imatrix_keys::kGeneralType);
    if (kv.value.type() != gguf::ValueType::String)
        fail(f.path(), kv.what(), kv.offset, "must be a string, not " + kv.value.type_text());
    if (kv.value.as_string() != imatrix_keys::kImatrixType)
        fail(f.path(), kv.what(), kv.offset,
             "is " + quoted(kv.value.as_string()) + ", not 'imatrix': not an importance matrix file");
}

std::vector<std::string> read_datasets(const GgufFile& f) {
    const KeyValue& kv = required_key(f, imatrix_keys::kDatasets);
    if (!kv.value.is_array() || kv.value.elem_type() != gguf::ValueType::String)
        fail(f.path(), kv.what(), kv.offset, "must be an array of strings, not " + kv.value.type_text());
    std::vector<std::string> out;
    for (uint64_t i = 0; i < kv.value.size(); ++i) out.emplace_back(kv.value.string_at(i));
    return out;
}

// A u32 key (what mainline writes); any integer type in [0, 2^31) is accepted.
int32_t read_count_key(const GgufFile& f, std::string_view key) {
    const KeyValue& kv = required_key(f, key);
    if (!kv.value.is_integer())
        fail(f.path(), kv.what(), kv.offset, "must be an integer, not " + kv.value.type_text());
    if (kv.value.type() == gguf::ValueType::I8 || kv.value.type() == gguf::ValueType::I16 ||
        kv.value.type() == gguf::ValueType::I32 || kv.value.type() == gguf::ValueType::I64) {
        if (kv.value.as_i64() < 0)
            fail(f.path(), kv.what(), kv.offset, "is " + std::to_string(kv.value.as_i64()) + ", must be >= 0");
    }
    const uint64_t v = kv.value.as_u64();
    if (v > uint64_t(INT32_MAX))
        fail(f.path(), kv.what(), kv.offset, "is " + std::to_string(v) + ", more than 2^31-1");
    return int32_t(v);
}

std::string tensor_field(const TensorInfo& t) { return "tensor " + quoted(t.name); }

std::string shape_text(const TensorInfo& t) {
    std::string s = "[";
    for (uint32_t d = 0; d < 4; ++d) s += (d ? ", " : "") + std::to_string(t.ne[d]);
    return s + "]";
}

void expect_f32(const GgufFile& f, const TensorInfo& t) {
    if (t.type != kF32)
        fail(f.path(), tensor_field(t), t.info_offset, "must be F32, not " + type_name(t.type));
}

void expect_shape(const GgufFile& f, const TensorInfo& t, int64_t ne0, int64_t ne1, const std::string& why) {
    if (t.ne[0] != ne0 || t.ne[1] != ne1 || t.ne[2] != 1 || t.ne[3] != 1)
        fail(f.path(), tensor_field(t), t.info_offset, "shape " + shape_text(t) + " " + why);
}

float f32_at(std::span<const uint8_t> data, uint64_t i) {
    float v;
    std::memcpy(&v, data.data() + 4 * i, 4);  // tensor data need not be 4-byte aligned in memory
    return v;
}

struct EntryTensors {
    const TensorInfo* in_sum2 = nullptr;
    const TensorInfo* counts = nullptr;
    const TensorInfo* in_sum = nullptr;  // optional, unused for quantization
};

// The per-slice counts, rounded like mainline (lround of the stored float).
std::vector<int64_t> read_counts(const GgufFile& f, const TensorInfo& t) {
    const auto data = f.tensor_data(t);
    std::vector<int64_t> out(size_t(t.ne[1]));
    for (size_t s = 0; s < out.size(); ++s) {
        const float c = f32_at(data, s);
        if (!std::isfinite(c) || c < 0 || c > imatrix_limits::kMaxCount)
            fail(f.path(), tensor_field(t) + " count " + std::to_string(s), t.file_offset + 4 * s,
                 "is " + std::to_string(c) + ", must be finite, >= 0 and at most 2^53");
        out[s] = std::llround(c);
    }
    return out;
}

ImatrixEntry read_entry(const GgufFile& f, const std::string& name, const EntryTensors& parts) {
    const TensorInfo& sums = *parts.in_sum2;
    if (!parts.counts)
        fail(f.path(), tensor_field(sums), sums.info_offset,
             "has no matching " + quoted(name + std::string(imatrix_keys::kCountsSuffix)) + " tensor");
    const TensorInfo& counts = *parts.counts;
    expect_f32(f, sums);
    expect_f32(f, counts);
    const int64_t ne0 = sums.ne[0];
    const int64_t n_mat = sums.ne[1];
    expect_shape(f, sums, ne0, n_mat, "is not 2-D (ne0 x n_mat)");
    expect_shape(f, counts, 1, n_mat,
                 "does not match in_sum2's " + shape_text(sums) + ": counts must be [1, n_mat = " +
                     std::to_string(n_mat) + "]");
    if (parts.in_sum) {
        expect_f32(f, *parts.in_sum);
        expect_shape(f, *parts.in_sum, ne0, n_mat, "differs from in_sum2's " + shape_text(sums));
    }

    ImatrixEntry e;
    e.name = name;
    e.n_slices = n_mat;
    e.counts = read_counts(f, counts);
    const auto data = f.tensor_data(sums);
    e.values.resize(size_t(ne0 * n_mat));  // bounded by the tensor's bytes in the file
    for (int64_t s = 0; s < n_mat; ++s) {
        // mainline's llama-quantize: the mean over the slice's rows, or 1 for a slice no row
        // reached (an expert the calibration text never routed to).
        const float count = float(e.counts[size_t(s)]);
        for (int64_t j = 0; j < ne0; ++j) {
            const uint64_t i = uint64_t(s * ne0 + j);
            const float sum = f32_at(data, i);
            if (!std::isfinite(sum) || sum < 0)
                fail(f.path(), tensor_field(sums) + " value " + std::to_string(i), sums.file_offset + 4 * i,
                     "is " + std::to_string(sum) + ", must be finite and >= 0");
            e.values[i] = count > 0 ? sum / count : 1.0f;
        }
    }
    return e;
}

bool strip_suffix(std::string_view name, std::string_view suffix, std::string& base) {
    if (name.size() < suffix.size() || name.substr(name.size() - suffix.size()) != suffix) return false;
    base = std::string(name.substr(0, name.size() - suffix.size()));
    return true;
}

}  // namespace

Imatrix parse_imatrix_gguf(std::span<const uint8_t> bytes, const std::string& what) {
    const GgufFile f = GgufFile::from_memory(bytes, what);
    Imatrix m;
    m.format = "gguf";
    check_general_type(f);
    m.datasets = read_datasets(f);
    m.chunk_count = read_count_key(f, imatrix_keys::kChunkCount);
    m.chunk_size = read_count_key(f, imatrix_keys::kChunkSize);

    // Pair the tensors by base name; entries come out in the order of their in_sum2 tensors.
    // Tensors with other names are ignored, as mainline does.
    std::unordered_map<std::string, EntryTensors> parts;
    std::vector<std::string> order;
    for (const TensorInfo& t : f.tensors()) {
        std::string base;
        const TensorInfo** slot = nullptr;
        if (strip_suffix(t.name, imatrix_keys::kSumsSuffix, base)) {
            order.push_back(base);
            slot = &parts[base].in_sum2;
        } else if (strip_suffix(t.name, imatrix_keys::kCountsSuffix, base)) {
            slot = &parts[base].counts;
        } else if (strip_suffix(t.name, imatrix_keys::kPlainSumsSuffix, base)) {
            slot = &parts[base].in_sum;
        } else {
            continue;
        }
        if (base.empty()) fail(f.path(), tensor_field(t), t.info_offset, "has no weight name before the suffix");
        *slot = &t;  // GgufFile guarantees unique tensor names, so no slot is filled twice
    }
    for (const TensorInfo& t : f.tensors()) {
        std::string base;
        if ((strip_suffix(t.name, imatrix_keys::kCountsSuffix, base) ||
             strip_suffix(t.name, imatrix_keys::kPlainSumsSuffix, base)) &&
            !parts[base].in_sum2)
            fail(f.path(), tensor_field(t), t.info_offset,
                 "has no matching " + quoted(base + std::string(imatrix_keys::kSumsSuffix)) + " tensor");
    }
    if (order.empty())
        fail(f.path(), "header.n_tensors", 8, "no imatrix entries (no tensor named <weight>.in_sum2)");

    m.entries.reserve(order.size());
    for (const std::string& name : order) m.entries.push_back(read_entry(f, name, parts.at(name)));
    return m;
}

}  // namespace sy
