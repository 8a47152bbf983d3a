// `switchyard perplexity --kl-divergence-base FILE [--kl-divergence]`, as ik_llama.cpp's
// llama-perplexity does it:
//   without --kl-divergence: the usual perplexity run ("[i]ppl," entries and the Final
//     estimate line on stdout) that also stores the compressed log-probabilities of every
//     scored position in FILE (format: core/runtime/kl_divergence_stats.hpp);
//   with --kl-divergence: reads FILE (n_ctx and the chunks come from it), evaluates the same
//     chunks with this model and prints one row per chunk (PPL, ln(PPL(Q)/PPL(base)), KLD,
//     RMS Δp, same top token) and, with at least 100 scored tokens, the statistics block.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model_runtime.hpp"
#include "runtime/perplexity.hpp"

namespace sy::cli {

// `tokens`: this run's tokenization of the text (with BOS). Returns the exit code; throws
// sy::Error for files that cannot be written or do not match this run.
int run_kl_divergence(runtime::ModelRuntime& rt, const std::vector<int32_t>& tokens,
                      const runtime::PerplexityOptions& options, const std::string& path, bool compare);

}  // namespace sy::cli
