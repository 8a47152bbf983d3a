// Byte layouts of the quant blocks (FORMATS.md §3; ik_llama.cpp ggml-common.h, snapshot
// 8337e4cd). Field names follow ggml so the two can be read side by side.
//
// The host is assumed little-endian, like every file these blocks come from: a block is
// loaded with one memcpy into its struct (which also makes unaligned rows safe) and the
// multi-byte fields are then read directly.
//
// Conventions: `d` fields of type uint16_t hold an IEEE half (fp16_to_fp32); kElems is the
// number of elements one block decodes to. Row headers (the per-row scale of the _KS, _KL,
// _KSS and _KT types) are not part of the block; see RowHeader below.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace sy::quants {

static_assert(std::endian::native == std::endian::little,
              "quant blocks are read with memcpy and assume a little-endian host");

constexpr int64_t kSuperBlock = 256;  // QK_K

// Copies one block out of a row; rows need not be aligned.
template <typename Block>
inline Block load_block(const uint8_t* src) {
    Block block;
    std::memcpy(&block, src, sizeof(Block));
    return block;
}

// ---- 32-element blocks (no row header) ----

struct BlockQ4_0 {  // y = d*(q-8)
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint8_t qs[16];  // lo nibble: element j, hi nibble: element j+16
};
struct BlockQ4_1 {  // y = d*q + m
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint16_t m;
    uint8_t qs[16];
};
struct BlockQ5_0 {  // y = d*(q-16), 5th bit of element j in bit j of qh
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[16];
};
struct BlockQ5_1 {  // y = d*q + m
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[16];
};
struct BlockQ6_0 {  // y = d*(q-32); bits 4-5 of elements j and j+16 in qh[j%8] (see legacy.cpp)
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint8_t qh[8];
    uint8_t qs[16];
};
struct BlockQ8_0 {  // y = d*q
    static constexpr int64_t kElems = 32;
    uint16_t d;
    int8_t qs[32];
};
struct BlockIq4Nl {  // y = d*kvalues_iq4nl[nibble]
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint8_t qs[16];
};

// ---- K-quants (256-element super-blocks) ----

struct BlockQ2_K {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t scales[16];  // per 16-element sub-block: lo nibble scale, hi nibble min
    uint8_t qs[64];
    uint16_t d;
    uint16_t dmin;
};
struct BlockQ3_K {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t hmask[32];   // 3rd bit (set means "no -4")
    uint8_t qs[64];      // low 2 bits
    uint8_t scales[12];  // 16 x 6-bit scales, packed
    uint16_t d;
};
struct BlockQ4_K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];  // 8 x (6-bit scale, 6-bit min), packed
    uint8_t qs[128];
};
struct BlockQ5_K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[32];
    uint8_t qs[128];
};
struct BlockQ6_K {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t ql[128];     // low 4 bits
    uint8_t qh[64];      // high 2 bits
    int8_t scales[16];   // per 16-element sub-block
    uint16_t d;
};

// ---- IQ grid types and IQ4_XS (256-element super-blocks) ----

struct BlockIq2Xxs {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint8_t qs[64];  // per 32-block 8 bytes: 4 grid indices, then a u32 of 4x7 sign bits and
                     // the 4-bit scale (ggml declares this uint16_t[32]; same bytes)
};
struct BlockIq2Xs {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t qs[32];     // 9-bit grid index + 7 sign bits per group of 8
    uint8_t scales[8];   // two 4-bit scales per 32-block
};
struct BlockIq2S {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint8_t qs[64];      // qs[0..31]: grid index low bits; qs[32..63]: sign bytes
    uint8_t qh[8];       // grid index bits 8-9
    uint8_t scales[8];
};
struct BlockIq3Xxs {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint8_t qs[96];  // 64 grid indices, then 8 x u32 of (4x7 sign bits + 4-bit scale)
};
struct BlockIq3S {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint8_t qs[64];      // grid index low 8 bits
    uint8_t qh[8];       // grid index bit 8
    uint8_t signs[32];
    uint8_t scales[4];   // two 4-bit scales per byte
};
struct BlockIq1S {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint8_t qs[32];      // grid index low 8 bits
    uint16_t qh[8];      // per 32-block: 4x3 index bits, 3-bit scale, delta sign
};
struct BlockIq1M {  // no fp16 field: the super-block scale is spread over scales' top nibbles
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t qs[32];
    uint8_t qh[16];
    uint8_t scales[8];
};
struct BlockIq4Xs {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t scales_h;   // 2 high bits of each 6-bit block scale
    uint8_t scales_l[4]; // 4 low bits of each block scale
    uint8_t qs[128];
};

// ---- IQ*_K (256-element super-blocks, fp16 d inside the block) ----

struct BlockIq2K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t extra;      // bit s: sub-block s uses the shifted table
    uint8_t scales[8];
    uint8_t qs[64];
};
struct BlockIq3K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t extra;
    uint16_t scales_h;   // bit s: sub-block scale s is negative
    uint8_t scales_l[8];
    uint8_t qs[64];
    uint8_t qh[32];
};
struct BlockIq4K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t extra;
    uint8_t scales_h[4];
    uint8_t scales_l[8];
    uint8_t qs[128];
};
struct BlockIq5K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t extra;
    uint8_t scales_h[4];
    uint8_t scales_l[8];
    uint8_t qs[128];
    uint8_t qh[32];
};
struct BlockIq6K {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t d;
    uint16_t extra;
    int8_t scales[16];
    uint8_t qs[128];
    uint8_t qh[64];
};

// ---- Row-header types: fp16 header (IQ2_KS, IQ3_KS, IQ2_KL) ----

struct BlockIq2Ks {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t extra;      // bits 0-7: shifted table per 32-block; bits 8-15: scale bit 4
    uint8_t scales[4];
    uint8_t qs[64];
};
struct BlockIq3Ks {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t extra;      // bits 0-7: scale bit 4 per 32-block; bits 8-15: shifted table
    uint8_t scales[4];
    uint8_t qs[64];
    uint8_t qh[32];
};
struct BlockIq2Kl {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t scales_h;
    uint8_t scales_l[4];
    uint8_t qs[64];
    uint8_t qh[16];
};

// ---- Row-header types: f32 header (IQ4_KS, IQ4_KSS, IQ5_KS and the trellis types) ----

struct BlockIq4Ks {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t scales[8];   // per 32-block: (s & 254) - 127 multiplier, bit 0 shifted table
    uint8_t qs[128];
};
struct BlockIq4Kss {
    static constexpr int64_t kElems = kSuperBlock;
    uint16_t qs[64];     // 8 words per 32-block; see iq_ks.cpp for the parity packing
};
struct BlockIq5Ks {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t scales[8];
    uint8_t qs[128];
    uint8_t qh[32];
};
struct BlockIq1Kt {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t sh[8];       // per 32-block: lo nibble scale index, bits 4-7 index bit 12
    uint8_t ql[32];      // index bits 0-7, one byte per group of 8
    uint8_t qh[16];      // index bits 8-11 (lo nibble: groups 0-15, hi nibble: 16-31)
};
struct BlockIq2Kt {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t scales[4];   // nibble b/4 of scales[b%4] indexes kIq4kValues
    uint16_t ql[32];     // 16-bit trellis index per group of 8
};
struct BlockIq3Kt {
    static constexpr int64_t kElems = kSuperBlock;
    uint8_t scales[4];   // nibble b/4 of scales[b%4] is the (unsigned) block scale
    uint16_t ql[32];
    uint8_t qh[32];      // sign of element e: bit e/32 of qh[e%32]
};
struct BlockIq4Kt {
    static constexpr int64_t kElems = kSuperBlock;
    uint32_t blk[8];     // per 32-block: bit 0 offset flag, bits 1-7 scale, bits 8-31 index bits
    uint8_t ql[64];      // index bits 0-7, one byte per group of 4
    uint8_t qh[32];      // index bits 8-11 (lo nibble: groups 0-31, hi nibble: 32-63)
};

// ggml's sizes (static_asserts in ggml-common.h). The kernel table test checks them against
// the type registry as well.
static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ6_0) == 26);
static_assert(sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34 && sizeof(BlockIq4Nl) == 18);
static_assert(sizeof(BlockQ2_K) == 84 && sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockIq2Xxs) == 66 && sizeof(BlockIq2Xs) == 74 && sizeof(BlockIq2S) == 82);
static_assert(sizeof(BlockIq3Xxs) == 98 && sizeof(BlockIq3S) == 110);
static_assert(sizeof(BlockIq1S) == 50 && sizeof(BlockIq1M) == 56 && sizeof(BlockIq4Xs) == 136);
static_assert(sizeof(BlockIq2K) == 76 && sizeof(BlockIq3K) == 110 && sizeof(BlockIq4K) == 144);
static_assert(sizeof(BlockIq5K) == 176 && sizeof(BlockIq6K) == 212);
static_assert(sizeof(BlockIq2Ks) == 70 && sizeof(BlockIq3Ks) == 102 && sizeof(BlockIq2Kl) == 86);
static_assert(sizeof(BlockIq4Ks) == 136 && sizeof(BlockIq4Kss) == 128 && sizeof(BlockIq5Ks) == 168);
static_assert(sizeof(BlockIq1Kt) == 56 && sizeof(BlockIq2Kt) == 68 && sizeof(BlockIq3Kt) == 100);
static_assert(sizeof(BlockIq4Kt) == 128);

}  // namespace sy::quants
