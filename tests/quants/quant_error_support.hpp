// The quantization error harness: how good is our quantize_row for a type, next to the
// oracle's (ik_llama.cpp's llama-quantize) on the same source and imatrix?
//
// Fixtures (tests/data/golden_quants): source-f32.gguf (the F32 model the oracle
// quantized), imatrix.dat (the importance matrix it was given), oracle-error.tsv (its
// RMSE and imatrix-weighted RMSE per type and tensor) and TYPE.gguf (its quantized
// bytes, to count byte-identical rows).
//
// Generic over the type: a "variant" is what one line of oracle-error.tsv measured (a
// type id, its quantizer, the dequantizer the oracle measured with, whether the oracle
// was given the imatrix). Every type whose kernel-table quantize_row is non-null is a
// variant; so is Q4_X (Q4_0 bytes from quantize_row_q4_0_symmetric, no imatrix).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf_fixture.hpp"
#include "imatrix/imatrix.hpp"
#include "types/quant_kernels.hpp"

namespace sy::test {

// ---- imatrix ----
// Read with core's reader (core/imatrix/imatrix.hpp): sy::Imatrix, sy::ImatrixEntry. Like ik's
// llama-quantize, the .dat values arrive divided by ncall (when ncall > 0).

// ---- oracle-error.tsv: type, tensor, rmse, imatrix_weighted_rmse, bytes ----
struct OracleError {
    std::string type;  // "Q4_0", "IQ6_K", "Q4_X", ...
    std::string tensor;
    double rmse = 0;
    double weighted_rmse = 0;
    uint64_t bytes = 0;
};
std::vector<OracleError> read_oracle_errors(const std::string& path);  // throws on bad lines
const OracleError* find_oracle_error(std::span<const OracleError> table, std::string_view type,
                                     std::string_view tensor);

// ---- what is measured ----
struct QuantVariant {
    std::string name;     // as in oracle-error.tsv and the golden file stem
    int32_t type_id = 0;  // the type the bytes are
    QuantizeRowFn quantize = nullptr;
    // The dequantizer the oracle's error table was measured with: its standalone
    // dequantizer (golden_support.hpp oracle_dequantizer). That is the kernel table's entry
    // except for IQ6_K (cubic instead of the integer table) and IQ2_KT/IQ3_KT (no row
    // factor), so both sides of a ratio measure the same thing.
    DequantizeRowFn dequantize = nullptr;
    bool given_imatrix = true;  // false for Q4_X, which the oracle quantized without one
};

// Every kernel-table type with a quantize_row, then Q4_X; ordered by type id.
std::vector<QuantVariant> quant_variants();
const QuantVariant* find_variant(std::span<const QuantVariant> variants, std::string_view name);

// ---- source tensors ----
struct SourceMatrix {
    std::string name;
    int64_t ne0 = 0;             // row length
    int64_t rows = 0;            // all rows, of all experts
    int64_t rows_per_slice = 0;  // ne1: rows sharing one imatrix slice (one expert)
    std::vector<float> values;   // rows * ne0, as stored
};

// The F32 matrices (2-D and 3-D) of a file, in file order; 1-D tensors are skipped (the
// oracle keeps them F32).
std::vector<SourceMatrix> load_source_matrices(const GgufFixture& file);

// The importance weights for one row: its expert's slice of `entry` (core's importance_slice
// with ne2 = rows / rows_per_slice), or nullptr when there is no entry. Throws sy::Error when
// the entry's size is not ne0 * ne2.
const float* importance_for_row(const ImatrixEntry* entry, const SourceMatrix& m, int64_t row);

// ---- measuring ----
struct QuantizedMatrix {
    uint64_t row_bytes = 0;
    std::vector<uint8_t> bytes;  // rows * row_bytes
};

// Quantizes every row with the variant's quantizer, passing the row's importance slice
// when the variant was given the imatrix (and `entry` is not null).
QuantizedMatrix quantize_matrix(const SourceMatrix& m, const QuantVariant& v,
                                const ImatrixEntry* entry);
std::vector<float> dequantize_matrix(const QuantizedMatrix& q, const SourceMatrix& m,
                                     DequantizeRowFn dequantize);

struct QuantError {
    double rmse = 0;
    // sqrt(sum_rows sum_j w_j (x - q)^2 / sum_rows sum_j w_j), w = the row's imatrix slice
    // (all ones without an entry). For a 2-D tensor this is oracle-error.tsv's
    // sqrt(sum_rows sum_j w_j (x-q)^2 / (rows * sum_j w_j)).
    double weighted_rmse = 0;
};
QuantError measure_error(const SourceMatrix& m, std::span<const float> dequantized,
                         const ImatrixEntry* weights);

// Rows of `ours` whose bytes equal the same row of `oracle_tensor` in `oracle_file`.
// Throws when the oracle tensor's type or shape differs from ours.
int64_t count_identical_rows(const QuantizedMatrix& ours, const SourceMatrix& m, int32_t type_id,
                             const GgufFixture& oracle_file, const FixtureTensor& oracle_tensor);

// ---- everything for one (variant, tensor): what the tests and the report print ----
struct QuantErrorFixtures {
    GgufFixture source_file;
    std::vector<SourceMatrix> matrices;
    Imatrix imatrix;
    std::vector<OracleError> oracle;
};
// Loaded once from tests/data/golden_quants (throws when a fixture is missing).
const QuantErrorFixtures& quant_error_fixtures();

struct QuantErrorRow {
    std::string type;
    std::string tensor;
    QuantError ours;
    QuantError ours_kernel;  // ours, dequantized with the kernel table's entry
    QuantError oracle;
    int64_t rows = 0;
    int64_t identical_rows = -1;  // -1: no golden file for the variant
    double rmse_ratio() const { return ours.rmse / oracle.rmse; }
    double weighted_rmse_ratio() const { return ours.weighted_rmse / oracle.weighted_rmse; }
};
// Throws when oracle-error.tsv has no line for (v.name, m.name). With count_identical,
// also reads golden_quants/<v.name>.gguf and compares row bytes.
QuantErrorRow evaluate(const QuantVariant& v, const SourceMatrix& m, bool count_identical);

// Threshold of the QuantizerQuality test: our RMSE and weighted RMSE may exceed the
// oracle's by at most 2 % on every tensor.
inline constexpr double kMaxErrorRatioToOracle = 1.02;

}  // namespace sy::test
