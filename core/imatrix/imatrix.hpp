// Importance matrices (imatrix): per weight matrix, the mean of the squared input activations
// of each column, which the quantizers use as error weights. Two file formats are read:
//
// Legacy .dat (ik_llama.cpp's llama-imatrix, mainline's --output-format dat), little-endian:
//   int32 entry count (> 0)
//   per entry: int32 name length, name bytes, int32 ncall, int32 nval, nval float32
//   optional trailer: int32 chunk count, int32 dataset name length, dataset name bytes
// The stored floats are (sum of squares / count) * ncall; llama-quantize divides them by ncall
// when ncall > 0 and uses them as stored when ncall == 0. The format keeps one ncall per entry,
// so an expert tensor's slices (nval = ne0 * n_expert) all share it.
//
// GGUF (mainline llama.cpp's llama-imatrix, the default there since 2025): general.type =
// "imatrix"; imatrix.datasets (array of strings), imatrix.chunk_count and imatrix.chunk_size
// (u32); per weight matrix <name>.in_sum2 (F32, ne0 x n_mat: the sums of squares, one row per
// matrix/expert), <name>.counts (F32, 1 x n_mat: activation rows summed into each) and,
// optionally, <name>.in_sum (F32, ne0 x n_mat: plain sums, not used for quantization). Like
// mainline's llama-quantize, counts are rounded to integers and each slice is divided by its
// count; a slice with count 0 (an expert no token reached) gets the neutral weight 1. Other
// tensors are ignored, as mainline does.
//
// Both readers are strict: every failure is a sy::Error "<file>: <field> (byte N): <reason>"
// (core/gguf's format), for truncated files, counts or lengths out of range (checked against
// the bytes left before anything is allocated), non-finite or negative values, duplicate names,
// in_sum2/counts shapes that do not agree, bytes after the .dat trailer, and a GGUF file whose
// general.type is not "imatrix" or that lacks the imatrix.* keys.
//
// Thread safety: plain values; the functions keep no state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sy {

struct ImatrixEntry {
    std::string name;      // the weight tensor's name, e.g. "blk.3.ffn_down_exps.weight"
    int64_t n_slices = 1;  // matrices the values cover: GGUF n_mat (n_expert for a MoE
                           // tensor); 1 for .dat, which does not record it
    // n_slices * ne0 importance weights (>= 0, finite): slice s, column j at [s * ne0 + j].
    // For .dat nval values (an expert tensor's slices back to back, ne0 * n_expert).
    std::vector<float> values;
    // What each slice was divided by: GGUF the rounded counts (n_slices of them); .dat one
    // element, the entry's ncall. 0: the values are as stored (.dat) or 1 (GGUF, no data).
    std::vector<int64_t> counts;
};

struct Imatrix {
    std::vector<ImatrixEntry> entries;  // in file order (GGUF: order of the in_sum2 tensors)
    int32_t chunk_count = 0;            // chunks of text the statistics came from; 0 if unknown
    int32_t chunk_size = 0;             // tokens per chunk (GGUF only; 0 for .dat)
    std::vector<std::string> datasets;  // the text files used (.dat: at most one)
    std::string format;                 // "dat" or "gguf"

    // The entry named exactly `name`, or nullptr.
    const ImatrixEntry* find(std::string_view name) const;
    // The entry llama-quantize (ik_llama.cpp) would use for the weight tensor `tensor_name`:
    // the exact name, else the fallbacks it applies for tensors an imatrix file may know
    // under another name (all "<prefix>X" -> "<prefix>Y"):
    //   ffn_up_exps / ffn_gate_exps -> ffn_gate_up_exps, then ffn_up_exps (same input)
    //   ffn_gate_up_exps            -> ffn_up_exps          (merged gate+up, same input)
    //   ffn_gate                    -> ffn_up               (same input)
    //   attn_v_b <-> attn_kv_b      (MLA: both see the same latent activations)
    // nullptr when none is present.
    const ImatrixEntry* find_for_tensor(std::string_view tensor_name) const;
};

// Reads a file of either format: GGUF when it starts with the GGUF magic, .dat otherwise.
// The file is memory-mapped while parsing. Throws sy::Error.
Imatrix read_imatrix(const std::string& path);
// Parse an image in memory; `what` names it in messages. Nothing is kept of `bytes`.
Imatrix parse_imatrix_dat(std::span<const uint8_t> bytes, const std::string& what);
Imatrix parse_imatrix_gguf(std::span<const uint8_t> bytes, const std::string& what);

// The importance weights for the rows of expert `expert` (0 for a 2-D tensor) of a weight
// tensor of shape ne0 x ne1 [x ne2]: ne0 floats of `entry`. Like llama-quantize, the entry
// must hold exactly ne0 * ne2 values (slice e at e * ne0); otherwise, or when `expert` is not
// in [0, ne2), throws sy::Error naming `what` (the tensor, the file) and the entry.
const float* importance_slice(const ImatrixEntry& entry, int64_t ne0, int64_t ne2, int64_t expert,
                              const std::string& what);

}  // namespace sy
