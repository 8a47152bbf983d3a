// Executing a quantization plan: decode each tensor's rows to float, encode them in the
// target type on N threads, and stream the result into a GGUF file (or shards).
//
// Memory stays bounded by one row per thread plus the writer's metadata: the source is
// mapped, and each tensor's bytes are produced while the writer streams it out. Output files
// appear under their final names only when complete (GgufWriter writes "<name>.partial" and
// renames), so an error or an interrupted run leaves nothing half-written behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gguf/gguf_model.hpp"
#include "gguf/gguf_writer.hpp"
#include "quantize/quantize_plan.hpp"

namespace sy::quantize {

struct WriteOptions {
    std::string output_path;
    int n_threads = 1;
    bool keep_split = false;        // one output shard per input shard, same tensors in each
    gguf::SplitOptions split;       // --split-max-size / --split-max-tensors (ignored with keep_split)
    uint32_t file_type = 0;         // general.file_type
    // Extra metadata (quantize.imatrix.*), set after the copied input metadata.
    std::vector<std::pair<std::string, gguf::Value>> extra_metadata;
};

struct Progress {
    size_t tensor_index = 0;        // 0-based, of plan.tensors
    size_t tensor_count = 0;
    std::string_view tensor_name;
    uint64_t bytes_done = 0;        // source bytes of the tensors finished so far
    uint64_t bytes_total = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

// Writes the model; returns the paths written. Throws sy::Error naming the tensor and row for
// a non-finite source value, or the file for an I/O error.
std::vector<std::string> write_quantized_model(const gguf::GgufModel& model, const QuantizePlan& plan,
                                               const WriteOptions& options, const ProgressFn& progress = {});

// Encodes rows [0, n_rows) of a tensor: `source` is the tensor's bytes in `source_type`,
// `out` receives n_rows * row_bytes(target, ne0). Rows are spread over n_threads threads.
// `importance`, when not empty, holds one ne0 slice per group of rows_per_slice rows (an
// expert's matrix). Exposed for tests and for the imatrix/perplexity tools.
void convert_rows(std::string_view tensor_name, int32_t source_type, std::span<const uint8_t> source,
                  TensorType target, std::span<uint8_t> out, int64_t ne0, int64_t n_rows, int64_t rows_per_slice,
                  std::span<const float> importance, int n_threads);

}  // namespace sy::quantize
