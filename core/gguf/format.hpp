// Constants of the GGUF format (FORMATS.md §7) and the sane bounds this reader enforces on top
// of "fits in the file". The bounds are far above anything real models use (noted in
// brackets), and keep a lying header from making the reader allocate or loop without limit.
#pragma once

#include <cstdint>
#include <string_view>

namespace sy::gguf {

inline constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
inline constexpr uint32_t kMinVersion = 2;  // v1 used 32-bit counts; ggml dropped it long ago
inline constexpr uint32_t kMaxVersion = 3;  // v3 only added big-endian files (not supported)
inline constexpr uint32_t kWriteVersion = 3;
inline constexpr uint32_t kDefaultAlignment = 32;
inline constexpr uint64_t kHeaderBytes = 4 + 4 + 8 + 8;  // magic, version, n_tensors, n_kv
inline constexpr std::string_view kAlignmentKey = "general.alignment";

inline constexpr uint64_t kMaxKvs = 1u << 20;             // [real files: < 100]
inline constexpr uint64_t kMaxTensors = 1u << 24;         // [500 GiB MoE files: ~100k]
inline constexpr uint32_t kMaxDims = 4;                   // GGML_MAX_DIMS
inline constexpr uint32_t kMaxArrayDepth = 8;             // arrays of arrays [real files: 1]
inline constexpr uint64_t kMaxNameBytes = 64 * 1024;      // key and tensor names [ggml: < 64]
inline constexpr uint64_t kMaxValueBytes = 1ull << 30;    // one string or array [vocab: ~4 MiB]

// Vectors sized by a count from the file reserve at most this many entries up front and grow
// past it only as real entries are parsed, so memory follows the bytes actually present.
inline constexpr uint64_t kReserveCap = 1 << 16;

// Smallest encodings, used to bound counts by the bytes left before anything is reserved.
inline constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;          // key len, 1-byte key, type, u8
inline constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;  // name, n_dims, ne0, type, offset

// Split files (FORMATS.md §7): every shard carries these three keys.
inline constexpr std::string_view kSplitNoKey = "split.no";                    // u16, 0-based
inline constexpr std::string_view kSplitCountKey = "split.count";              // u16
inline constexpr std::string_view kSplitTensorsKey = "split.tensors.count";    // i32, all shards

}  // namespace sy::gguf
