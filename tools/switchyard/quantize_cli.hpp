// switchyard quantize [options] IN.gguf [OUT.gguf] TYPE [NTHREADS]
//
// llama-quantize's command line (ik_llama.cpp examples/quantize): the same positional
// arguments and flag names, so recipes from model cards run unchanged. run_quantize is the
// whole command, callable in-process (tests) with its own streams.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace sy::cli {

struct QuantizeCliOptions {
    std::vector<std::string> positionals;     // IN [OUT] TYPE [NTHREADS]
    std::vector<std::string> custom_q;        // --custom-q, repeatable
    std::string imatrix;                      // --imatrix FILE (.dat or GGUF)
    std::vector<std::string> include_weights; // --include-weights NAME, repeatable
    std::vector<std::string> exclude_weights; // --exclude-weights NAME, repeatable
    std::string output_tensor_type;           // --output-tensor-type TYPE
    std::string token_embedding_type;         // --token-embedding-type TYPE
    std::string split_max_size;               // --split-max-size N[K|M|G]
    uint64_t split_max_tensors = 0;           // --split-max-tensors N
    bool pure = false;
    bool allow_requantize = false;
    bool leave_output_tensor = false;
    bool symmetric_q40 = false;
    bool dry_run = false;
    bool keep_split = false;
    bool hide_imatrix = false;
    bool ignore_imatrix_rules = false;
    bool progress = true;                     // --no-progress turns the bar off
};

// Returns the process exit code: 0 on success, 1 on any error (one line on `err`).
int run_quantize(const QuantizeCliOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sy::cli
