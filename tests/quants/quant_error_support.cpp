#include "quant_error_support.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "golden_support.hpp"
#include "types/quants/quantize.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

constexpr int32_t kQ4_0 = 2;

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads little-endian fields and says where it failed.
class ImatrixCursor {
public:
    ImatrixCursor(std::span<const uint8_t> bytes, const std::string& what)
        : bytes_(bytes), what_(what) {}

    int32_t read_i32(const char* field) {
        need(4, field);
        int32_t v;
        std::memcpy(&v, bytes_.data() + pos_, 4);
        pos_ += 4;
        return v;
    }
    int32_t read_positive(const char* field) {
        const size_t at = pos_;
        const int32_t v = read_i32(field);
        if (v <= 0) fail_at(at, std::string(field) + " is " + std::to_string(v) + ", must be > 0");
        return v;
    }
    std::string read_bytes(size_t n, const char* field) {
        need(n, field);
        std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    void read_floats(float* out, size_t n, const char* field) {
        need(n * 4, field);
        std::memcpy(out, bytes_.data() + pos_, n * 4);
        pos_ += n * 4;
    }
    bool at_end() const { return pos_ == bytes_.size(); }
    size_t position() const { return pos_; }
    void set_context(std::string context) { context_ = std::move(context); }
    [[noreturn]] void fail_at(size_t at, const std::string& why) const {
        throw std::runtime_error(what_ + ": " + (context_.empty() ? "" : context_ + ": ") + why +
                                 " (byte " + std::to_string(at) + ")");
    }

private:
    void need(size_t n, const char* field) const {
        if (n > bytes_.size() - pos_)
            fail_at(pos_, std::string("truncated while reading ") + field);
    }
    std::span<const uint8_t> bytes_;
    std::string what_;
    std::string context_;
    size_t pos_ = 0;
};

double parse_double(const std::string& s, const std::string& where) {
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || s.empty())
        throw std::runtime_error(where + ": not a number: '" + s + "'");
    return v;
}

DequantizeRowFn kernel_dequantizer(int32_t type_id) {
    const QuantKernels* k = find_kernels(type_id);
    return k ? k->dequantize_row : nullptr;
}

}  // namespace

// ---- imatrix ----

const ImatrixEntry* Imatrix::find(std::string_view tensor_name) const {
    for (const ImatrixEntry& e : entries)
        if (e.name == tensor_name) return &e;
    return nullptr;
}

Imatrix parse_imatrix_dat(std::span<const uint8_t> bytes, const std::string& what) {
    ImatrixCursor c(bytes, what);
    Imatrix m;
    const int32_t count = c.read_positive("entry count");
    for (int32_t i = 0; i < count; ++i) {
        c.set_context("entry " + std::to_string(i));
        ImatrixEntry e;
        const int32_t name_length = c.read_positive("name length");
        e.name = c.read_bytes(size_t(name_length), "name");
        c.set_context("entry " + std::to_string(i) + " '" + e.name + "'");
        if (m.find(e.name)) c.fail_at(c.position(), "duplicate entry");
        const size_t ncall_at = c.position();
        e.ncall = c.read_i32("ncall");
        if (e.ncall < 0) c.fail_at(ncall_at, "negative ncall " + std::to_string(e.ncall));
        const int32_t nval = c.read_positive("value count");
        e.values.resize(size_t(nval));
        const size_t values_at = c.position();
        c.read_floats(e.values.data(), e.values.size(), "values");
        for (size_t j = 0; j < e.values.size(); ++j)
            if (!std::isfinite(e.values[j]) || e.values[j] < 0)
                c.fail_at(values_at + 4 * j, "value " + std::to_string(j) + " is " +
                                                 std::to_string(e.values[j]) +
                                                 ", must be finite and >= 0");
        // llama-quantize averages the accumulated squares over the calls (float division).
        if (e.ncall > 0)
            for (float& v : e.values) v /= float(e.ncall);
        m.entries.push_back(std::move(e));
    }
    c.set_context("trailer");
    if (!c.at_end()) {  // newer files: chunk count and dataset name
        m.chunk_count = c.read_i32("chunk count");
        const int32_t dataset_length = c.read_i32("dataset name length");
        if (dataset_length < 0) c.fail_at(c.position() - 4, "negative dataset name length");
        m.dataset = c.read_bytes(size_t(dataset_length), "dataset name");
        if (!c.at_end()) c.fail_at(c.position(), "unexpected bytes after the dataset name");
    }
    return m;
}

Imatrix read_imatrix_dat(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file(path);
    return parse_imatrix_dat(bytes, path);
}

// ---- oracle-error.tsv ----

std::vector<OracleError> read_oracle_errors(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::vector<OracleError> table;
    std::string line;
    int line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (line_number == 1) continue;  // header
        if (line.empty()) continue;
        std::vector<std::string> fields;
        std::istringstream split(line);
        for (std::string f; std::getline(split, f, '\t');) fields.push_back(f);
        const std::string where = path + ":" + std::to_string(line_number);
        if (fields.size() != 5)
            throw std::runtime_error(where + ": expected 5 tab-separated fields");
        OracleError e;
        e.type = fields[0];
        e.tensor = fields[1];
        e.rmse = parse_double(fields[2], where);
        e.weighted_rmse = parse_double(fields[3], where);
        e.bytes = uint64_t(parse_double(fields[4], where));
        table.push_back(std::move(e));
    }
    return table;
}

const OracleError* find_oracle_error(std::span<const OracleError> table, std::string_view type,
                                     std::string_view tensor) {
    for (const OracleError& e : table)
        if (e.type == type && e.tensor == tensor) return &e;
    return nullptr;
}

// ---- variants ----

std::vector<QuantVariant> quant_variants() {
    std::vector<QuantVariant> out;
    for (const QuantKernels& k : all_kernels()) {
        if (!k.quantize_row) continue;
        out.push_back(
            {type_name(k.type_id), k.type_id, k.quantize_row, oracle_dequantizer(k.type_id), true});
        if (k.type_id == kQ4_0)
            out.push_back({"Q4_X", kQ4_0, quants::quantize_row_q4_0_symmetric,
                           oracle_dequantizer(kQ4_0), false});
    }
    return out;
}

const QuantVariant* find_variant(std::span<const QuantVariant> variants, std::string_view name) {
    for (const QuantVariant& v : variants)
        if (v.name == name) return &v;
    return nullptr;
}

// ---- source ----

std::vector<SourceMatrix> load_source_matrices(const GgufFixture& file) {
    std::vector<SourceMatrix> out;
    for (const FixtureTensor& t : file.tensors) {
        if (t.ne.size() < 2) continue;
        if (t.type != 0) throw std::runtime_error(t.name + ": source tensor is not F32");
        SourceMatrix m;
        m.name = t.name;
        m.ne0 = t.row_length();
        m.rows = t.row_count();
        m.rows_per_slice = t.ne[1];
        const uint64_t bytes = uint64_t(m.rows * m.ne0) * sizeof(float);
        if (t.offset + bytes > file.bytes.size() - file.data_start)
            throw std::runtime_error(t.name + ": data runs past the end of the file");
        m.values.resize(size_t(m.rows * m.ne0));
        std::memcpy(m.values.data(), file.data(t), bytes);
        out.push_back(std::move(m));
    }
    return out;
}

const float* importance_for_row(const ImatrixEntry* entry, const SourceMatrix& m, int64_t row) {
    if (!entry) return nullptr;
    const int64_t slices = m.rows / m.rows_per_slice;
    const auto size = int64_t(entry->values.size());
    if (size == m.ne0) return entry->values.data();
    if (size == m.ne0 * slices) return entry->values.data() + (row / m.rows_per_slice) * m.ne0;
    throw std::runtime_error("imatrix entry " + entry->name + " has " + std::to_string(size) +
                             " values; " + m.name + " needs " + std::to_string(m.ne0) +
                             " per slice");
}

// ---- measuring ----

QuantizedMatrix quantize_matrix(const SourceMatrix& m, const QuantVariant& v,
                                const ImatrixEntry* entry) {
    QuantizedMatrix q;
    q.row_bytes = row_bytes(v.type_id, m.ne0, m.name);
    q.bytes.assign(size_t(q.row_bytes * uint64_t(m.rows)), 0);
    for (int64_t r = 0; r < m.rows; ++r) {
        const float* importance = v.given_imatrix ? importance_for_row(entry, m, r) : nullptr;
        v.quantize(m.values.data() + r * m.ne0, q.bytes.data() + uint64_t(r) * q.row_bytes, m.ne0,
                   importance);
    }
    return q;
}

std::vector<float> dequantize_matrix(const QuantizedMatrix& q, const SourceMatrix& m,
                                     DequantizeRowFn dequantize) {
    std::vector<float> out(m.values.size());
    for (int64_t r = 0; r < m.rows; ++r)
        dequantize(q.bytes.data() + uint64_t(r) * q.row_bytes, out.data() + r * m.ne0, m.ne0);
    return out;
}

QuantError measure_error(const SourceMatrix& m, std::span<const float> dequantized,
                         const ImatrixEntry* weights) {
    if (dequantized.size() != m.values.size())
        throw std::runtime_error(m.name + ": dequantized size differs from the source");
    double sum_sq = 0, weighted_sum_sq = 0, weight_sum = 0;
    for (int64_t r = 0; r < m.rows; ++r) {
        const float* w = importance_for_row(weights, m, r);
        for (int64_t j = 0; j < m.ne0; ++j) {
            const double diff = double(m.values[size_t(r * m.ne0 + j)]) -
                                double(dequantized[size_t(r * m.ne0 + j)]);
            const double wj = w ? double(w[j]) : 1.0;
            sum_sq += diff * diff;
            weighted_sum_sq += wj * diff * diff;
            weight_sum += wj;
        }
    }
    const auto count = double(m.values.size());
    return {std::sqrt(sum_sq / count),
            weight_sum > 0 ? std::sqrt(weighted_sum_sq / weight_sum) : 0.0};
}

int64_t count_identical_rows(const QuantizedMatrix& ours, const SourceMatrix& m, int32_t type_id,
                             const GgufFixture& oracle_file, const FixtureTensor& oracle_tensor) {
    if (oracle_tensor.type != type_id || oracle_tensor.row_length() != m.ne0 ||
        oracle_tensor.row_count() != m.rows)
        throw std::runtime_error(oracle_tensor.name + ": the oracle's tensor is " +
                                 type_name(oracle_tensor.type) + ", not " + type_name(type_id) +
                                 " of the source's shape");
    const uint64_t total = ours.row_bytes * uint64_t(m.rows);
    if (oracle_tensor.offset + total > oracle_file.bytes.size() - oracle_file.data_start)
        throw std::runtime_error(oracle_tensor.name + ": data runs past the end of the file");
    const uint8_t* theirs = oracle_file.data(oracle_tensor);
    int64_t identical = 0;
    for (int64_t r = 0; r < m.rows; ++r) {
        const uint64_t at = uint64_t(r) * ours.row_bytes;
        if (std::memcmp(ours.bytes.data() + at, theirs + at, ours.row_bytes) == 0) ++identical;
    }
    return identical;
}

// ---- fixtures and evaluation ----

const QuantErrorFixtures& quant_error_fixtures() {
    static const QuantErrorFixtures fixtures = [] {
        QuantErrorFixtures f;
        f.source_file = read_gguf_fixture(golden_path("source-f32.gguf"));
        f.matrices = load_source_matrices(f.source_file);
        f.imatrix = read_imatrix_dat(golden_path("imatrix.dat"));
        f.oracle = read_oracle_errors(golden_path("oracle-error.tsv"));
        return f;
    }();
    return fixtures;
}

QuantErrorRow evaluate(const QuantVariant& v, const SourceMatrix& m, bool count_identical) {
    const QuantErrorFixtures& f = quant_error_fixtures();
    const OracleError* oracle = find_oracle_error(f.oracle, v.name, m.name);
    if (!oracle)
        throw std::runtime_error("oracle-error.tsv has no line for " + v.name + " " + m.name);
    const ImatrixEntry* entry = f.imatrix.find(m.name);

    QuantErrorRow row;
    row.type = v.name;
    row.tensor = m.name;
    row.rows = m.rows;
    row.oracle = {oracle->rmse, oracle->weighted_rmse};

    const QuantizedMatrix q = quantize_matrix(m, v, entry);
    row.ours = measure_error(m, dequantize_matrix(q, m, v.dequantize), entry);
    const DequantizeRowFn kernel = kernel_dequantizer(v.type_id);
    row.ours_kernel = kernel == v.dequantize
                          ? row.ours
                          : measure_error(m, dequantize_matrix(q, m, kernel), entry);
    if (count_identical) {
        const GgufFixture oracle_file = read_gguf_fixture(golden_path(v.name + ".gguf"));
        row.identical_rows =
            count_identical_rows(q, m, v.type_id, oracle_file, tensor_named(oracle_file, m.name));
    }
    return row;
}

}  // namespace sy::test
