// Writes importance-matrix statistics in either format (imatrix.hpp), from what a collector
// accumulates: per weight matrix and slice (expert), the sums of squared input activations and
// the number of activation rows summed. Reading a written file back gives values = sum / count
// per slice (1 for a slice with count 0); through .dat with one float rounding more, below.
//
// GGUF: like mainline's llama-imatrix: general.type "imatrix", imatrix.datasets,
// imatrix.chunk_count, imatrix.chunk_size (u32), then per entry, in the given order,
// <name>.in_sum2 [ne0, n_mat] and <name>.counts [1, n_mat] (F32; trailing dims of 1 dropped,
// as ggml does).
// .dat: like mainline's legacy writer: ncall = ceil(max count / chunk_size) and each value
// (sum / count) * ncall, a slice with count 0 storing 1 * ncall; then the trailer with
// chunk_count and the last dataset. The format has one ncall per entry, so per-slice counts
// are lost; an entry whose counts are all 0 cannot be written (ncall would be 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sy {

struct ImatrixStats {
    std::string name;           // the weight tensor's name
    std::vector<float> sums;    // n_mat * ne0: sums of x^2 per column, slice-major
    std::vector<float> counts;  // n_mat: activation rows summed into each slice (integers)
};

struct ImatrixStatsSet {
    std::vector<ImatrixStats> entries;
    int32_t chunk_count = 0;            // >= 0
    int32_t chunk_size = 0;             // tokens per chunk; > 0 for .dat (ncall needs it)
    std::vector<std::string> datasets;  // .dat keeps only the last one
};

// The file images. Throw sy::Error for an empty or duplicate name or one with a NUL byte,
// sums not a positive multiple of counts in size, a negative or non-finite sum or count, a
// negative chunk count or size, and for .dat: chunk_size 0, all counts 0, sizes over int32.
std::vector<uint8_t> imatrix_gguf_bytes(const ImatrixStatsSet& stats);
std::vector<uint8_t> imatrix_dat_bytes(const ImatrixStatsSet& stats);

// Writes "<path>.partial" and renames it into place when complete.
void write_imatrix_gguf(const ImatrixStatsSet& stats, const std::string& path);
void write_imatrix_dat(const ImatrixStatsSet& stats, const std::string& path);

}  // namespace sy
