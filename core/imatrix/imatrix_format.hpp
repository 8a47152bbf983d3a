// Names and bounds shared by the imatrix readers and writers (formats in imatrix.hpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace sy {

namespace imatrix_keys {
// GGUF metadata, as mainline llama.cpp's llama-imatrix writes it.
inline constexpr std::string_view kGeneralType = "general.type";
inline constexpr std::string_view kImatrixType = "imatrix";
inline constexpr std::string_view kDatasets = "imatrix.datasets";        // array of strings
inline constexpr std::string_view kChunkCount = "imatrix.chunk_count";   // u32
inline constexpr std::string_view kChunkSize = "imatrix.chunk_size";     // u32, tokens per chunk
// GGUF tensors, "<weight name><suffix>".
inline constexpr std::string_view kSumsSuffix = ".in_sum2";     // F32 [ne0, n_mat]: sums of x^2
inline constexpr std::string_view kCountsSuffix = ".counts";    // F32 [1, n_mat]: rows summed
inline constexpr std::string_view kPlainSumsSuffix = ".in_sum"; // F32 [ne0, n_mat]: sums of x
}  // namespace imatrix_keys

namespace imatrix_limits {
// A GGUF count above 2^53 is no longer an exact integer in double, and no calibration run
// comes near it (a count is activation rows, i.e. tokens); it also keeps llround defined.
inline constexpr float kMaxCount = 9007199254740992.0f;  // 2^53
}  // namespace imatrix_limits

}  // namespace sy
