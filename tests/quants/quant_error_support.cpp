#include "quant_error_support.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "golden_support.hpp"
#include "types/quants/quantize.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

constexpr int32_t kQ4_0 = 2;
constexpr int32_t kIq2Xs = 17;
constexpr int32_t kIq2S = 22;

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
    // Only what oracle-error.tsv measured: not the activation-only types (Q8_1, Q8_K) nor
    // Q6_0 (a fallback type without a golden file; tests/quants/q6_0_test.cpp checks it).
    const QuantErrorFixtures& f = quant_error_fixtures();
    const std::string& first_tensor = f.matrices.front().name;
    std::vector<QuantVariant> out;
    for (const QuantKernels& k : all_kernels()) {
        if (!k.quantize_row || !find_oracle_error(f.oracle, type_name(k.type_id), first_tensor)) continue;
        if (k.type_id == kIq2S) {
            // The oracle's "IQ2_S" line and golden file are its IQ2_S *file type*, an IQ2_XS
            // mix: with --pure every tensor is IQ2_XS. So that line measures the IQ2_XS
            // quantizer; the IQ2_S type itself has no oracle measurement (its own tests check it).
            const QuantKernels* xs = find_kernels(kIq2Xs);
            out.push_back({"IQ2_S", kIq2Xs, xs->quantize_row, oracle_dequantizer(kIq2Xs), true});
            continue;
        }
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
    return importance_slice(*entry, m.ne0, m.rows / m.rows_per_slice, row / m.rows_per_slice, m.name);
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
        f.imatrix = read_imatrix(golden_path("imatrix.dat"));
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
