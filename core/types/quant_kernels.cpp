#include "types/quant_kernels.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include "types/quants/activation.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_iq_ks.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/vec_dot.hpp"

namespace sy {
namespace {

using namespace sy::quants;

// Entry for a type whose rows are plain blocks.
template <typename Block>
constexpr QuantKernels blocks(int32_t id, DequantizeRowFn dequantize, uint32_t header = 0,
                              QuantizeRowFn quantize = nullptr) {
    return {id, Block::kElems, uint32_t(sizeof(Block)), header, dequantize, quantize};
}

// Entry for a raw element type (F32, F16, BF16).
template <typename Element>
constexpr QuantKernels elements(int32_t id, DequantizeRowFn dequantize,
                                QuantizeRowFn quantize = nullptr) {
    return {id, 1, uint32_t(sizeof(Element)), 0, dequantize, quantize};
}

constexpr uint32_t kFp16Header = uint32_t(kFp16RowHeaderBytes);
constexpr uint32_t kF32Header = uint32_t(kF32RowHeaderBytes);

// Decoders and encoders, one line per type; vec_dot is filled in from kVecDots below.
constexpr QuantKernels kCodecs[] = {
    elements<float>(0, dequantize_row_f32, quantize_row_f32),
    elements<uint16_t>(1, dequantize_row_f16, quantize_row_f16),
    blocks<BlockQ4_0>(2, dequantize_row_q4_0, 0, quantize_row_q4_0),
    blocks<BlockQ4_1>(3, dequantize_row_q4_1, 0, quantize_row_q4_1),
    blocks<BlockQ5_0>(6, dequantize_row_q5_0, 0, quantize_row_q5_0),
    blocks<BlockQ5_1>(7, dequantize_row_q5_1, 0, quantize_row_q5_1),
    blocks<BlockQ8_0>(8, dequantize_row_q8_0, 0, quantize_row_q8_0),
    blocks<BlockQ8_1>(9, dequantize_row_q8_1, 0, quantize_row_q8_1),  // activation only
    blocks<BlockQ2_K>(10, dequantize_row_q2_k, 0, quantize_row_q2_k),
    blocks<BlockQ3_K>(11, dequantize_row_q3_k, 0, quantize_row_q3_k),
    blocks<BlockQ4_K>(12, dequantize_row_q4_k, 0, quantize_row_q4_k),
    blocks<BlockQ5_K>(13, dequantize_row_q5_k, 0, quantize_row_q5_k),
    blocks<BlockQ6_K>(14, dequantize_row_q6_k, 0, quantize_row_q6_k),
    blocks<BlockQ8_K>(15, dequantize_row_q8_k, 0, quantize_row_q8_k),  // activation only
    blocks<BlockIq2Xxs>(16, dequantize_row_iq2_xxs, 0, quantize_row_iq2_xxs),
    blocks<BlockIq2Xs>(17, dequantize_row_iq2_xs, 0, quantize_row_iq2_xs),
    blocks<BlockIq3Xxs>(18, dequantize_row_iq3_xxs, 0, quantize_row_iq3_xxs),
    blocks<BlockIq1S>(19, dequantize_row_iq1_s, 0, quantize_row_iq1_s),
    blocks<BlockIq4Nl>(20, dequantize_row_iq4_nl, 0, quantize_row_iq4_nl),
    blocks<BlockIq3S>(21, dequantize_row_iq3_s, 0, quantize_row_iq3_s),
    blocks<BlockIq2S>(22, dequantize_row_iq2_s, 0, quantize_row_iq2_s),
    blocks<BlockIq4Xs>(23, dequantize_row_iq4_xs, 0, quantize_row_iq4_xs),
    blocks<BlockIq1M>(29, dequantize_row_iq1_m, 0, quantize_row_iq1_m),
    elements<uint16_t>(30, dequantize_row_bf16, quantize_row_bf16),
    blocks<BlockQ6_0>(133, dequantize_row_q6_0, 0, quantize_row_q6_0),
    blocks<BlockIq2K>(137, dequantize_row_iq2_k, 0, quantize_row_iq2_k),
    blocks<BlockIq3K>(138, dequantize_row_iq3_k, 0, quantize_row_iq3_k),
    blocks<BlockIq4K>(139, dequantize_row_iq4_k, 0, quantize_row_iq4_k),
    blocks<BlockIq5K>(140, dequantize_row_iq5_k, 0, quantize_row_iq5_k),
    blocks<BlockIq6K>(141, dequantize_row_iq6_k, 0, quantize_row_iq6_k),  // integer table, as the kernels
    blocks<BlockIq4Ks>(144, dequantize_row_iq4_ks, kF32Header, quantize_row_iq4_ks),
    blocks<BlockIq2Ks>(145, dequantize_row_iq2_ks, kFp16Header, quantize_row_iq2_ks),
    blocks<BlockIq4Kss>(146, dequantize_row_iq4_kss, kF32Header, quantize_row_iq4_kss),
    blocks<BlockIq5Ks>(152, dequantize_row_iq5_ks, kF32Header, quantize_row_iq5_ks),
    blocks<BlockIq2Kt>(153, dequantize_row_iq2_kt, kF32Header, quantize_row_iq2_kt),  // row factor 1.05, as the kernels
    blocks<BlockIq3Kt>(154, dequantize_row_iq3_kt, kF32Header, quantize_row_iq3_kt),  // row factor 1.01, as the kernels
    blocks<BlockIq4Kt>(155, dequantize_row_iq4_kt, kF32Header, quantize_row_iq4_kt),
    blocks<BlockIq3Ks>(156, dequantize_row_iq3_ks, kFp16Header, quantize_row_iq3_ks),
    blocks<BlockIq2Kl>(157, dequantize_row_iq2_kl, kFp16Header, quantize_row_iq2_kl),
    blocks<BlockIq1Kt>(158, dequantize_row_iq1_kt, kF32Header, quantize_row_iq1_kt),
};

// The dot product of each weight type with its activation type (quants/vec_dot.hpp).
struct VecDotEntry {
    int32_t type_id;
    VecDotFn vec_dot;
    int32_t vec_dot_type;
};

constexpr int32_t kF32 = kActivationF32, kQ8_0 = kActivationQ8_0, kQ8_1 = kActivationQ8_1,
                  kQ8_K = kActivationQ8_K;

constexpr VecDotEntry kVecDots[] = {
    {0, vec_dot_f32_f32, kF32},        {1, vec_dot_f16_f32, kF32},
    {2, vec_dot_q4_0_q8_0, kQ8_0},     {3, vec_dot_q4_1_q8_1, kQ8_1},
    {6, vec_dot_q5_0_q8_0, kQ8_0},     {7, vec_dot_q5_1_q8_1, kQ8_1},
    {8, vec_dot_q8_0_q8_0, kQ8_0},     {10, vec_dot_q2_k_q8_k, kQ8_K},
    {11, vec_dot_q3_k_q8_k, kQ8_K},    {12, vec_dot_q4_k_q8_1, kQ8_1},
    {13, vec_dot_q5_k_q8_1, kQ8_1},    {14, vec_dot_q6_k_q8_0, kQ8_0},
    {16, vec_dot_iq2_xxs_q8_k, kQ8_K}, {17, vec_dot_iq2_xs_q8_k, kQ8_K},
    {18, vec_dot_iq3_xxs_q8_k, kQ8_K}, {19, vec_dot_iq1_s_q8_k, kQ8_K},
    {20, vec_dot_iq4_nl_q8_0, kQ8_0},  {21, vec_dot_iq3_s_q8_k, kQ8_K},
    {22, vec_dot_iq2_s_q8_k, kQ8_K},   {23, vec_dot_iq4_xs_q8_k, kQ8_K},
    {29, vec_dot_iq1_m_q8_k, kQ8_K},   {30, vec_dot_bf16_f32, kF32},
    {133, vec_dot_q6_0_q8_0, kQ8_0},
    {137, vec_dot_iq2_k_q8_k, kQ8_K},  {138, vec_dot_iq3_k_q8_k, kQ8_K},
    {139, vec_dot_iq4_k_q8_k, kQ8_K},  {140, vec_dot_iq5_k_q8_k, kQ8_K},
    {141, vec_dot_iq6_k_q8_k, kQ8_K},  {144, vec_dot_iq4_ks_q8_k, kQ8_K},
    {145, vec_dot_iq2_ks_q8_k, kQ8_K}, {146, vec_dot_iq4_kss_q8_k, kQ8_K},
    {152, vec_dot_iq5_ks_q8_k, kQ8_K}, {153, vec_dot_iq2_kt_q8_0, kQ8_0},
    {154, vec_dot_iq3_kt_q8_0, kQ8_0}, {155, vec_dot_iq4_kt_q8_0, kQ8_0},
    {156, vec_dot_iq3_ks_q8_k, kQ8_K}, {157, vec_dot_iq2_kl_q8_k, kQ8_K},
    {158, vec_dot_iq1_kt_q8_0, kQ8_0},
};

constexpr std::array<QuantKernels, std::size(kCodecs)> with_vec_dots() {
    std::array<QuantKernels, std::size(kCodecs)> out{};
    for (size_t i = 0; i < out.size(); ++i) {
        out[i] = kCodecs[i];
        for (const VecDotEntry& v : kVecDots) {
            if (v.type_id != out[i].type_id) continue;
            out[i].vec_dot = v.vec_dot;
            out[i].vec_dot_type = v.vec_dot_type;
        }
    }
    return out;
}

constexpr std::array<QuantKernels, std::size(kCodecs)> kKernels = with_vec_dots();

// Every kVecDots line names a type of kCodecs, and its activation type has an entry too.
constexpr bool vec_dots_match_codecs() {
    auto has_entry = [](int32_t id) {
        for (const QuantKernels& k : kCodecs)
            if (k.type_id == id) return true;
        return false;
    };
    for (const VecDotEntry& v : kVecDots)
        if (!has_entry(v.type_id) || !has_entry(v.vec_dot_type)) return false;
    return true;
}
static_assert(vec_dots_match_codecs(), "kVecDots names a type that has no kCodecs entry");

constexpr bool sorted_by_id() {
    for (size_t i = 1; i < std::size(kKernels); ++i)
        if (kKernels[i - 1].type_id >= kKernels[i].type_id) return false;
    return true;
}
static_assert(sorted_by_id(), "kKernels must stay sorted by id (find_kernels uses binary search)");

}  // namespace

const QuantKernels* find_kernels(int32_t type_id) {
    auto it = std::lower_bound(std::begin(kKernels), std::end(kKernels), type_id,
                               [](const QuantKernels& k, int32_t id) { return k.type_id < id; });
    return (it != std::end(kKernels) && it->type_id == type_id) ? &*it : nullptr;
}

std::span<const QuantKernels> all_kernels() { return kKernels; }

}  // namespace sy
