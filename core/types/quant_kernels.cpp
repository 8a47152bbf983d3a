#include "types/quant_kernels.hpp"

#include <algorithm>
#include <iterator>

#include "types/quants/blocks.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_iq_ks.hpp"
#include "types/quants/row_walk.hpp"

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

constexpr QuantKernels kKernels[] = {
    elements<float>(0, dequantize_row_f32, quantize_row_f32),
    elements<uint16_t>(1, dequantize_row_f16, quantize_row_f16),
    blocks<BlockQ4_0>(2, dequantize_row_q4_0, 0, quantize_row_q4_0),
    blocks<BlockQ4_1>(3, dequantize_row_q4_1, 0, quantize_row_q4_1),
    blocks<BlockQ5_0>(6, dequantize_row_q5_0, 0, quantize_row_q5_0),
    blocks<BlockQ5_1>(7, dequantize_row_q5_1, 0, quantize_row_q5_1),
    blocks<BlockQ8_0>(8, dequantize_row_q8_0, 0, quantize_row_q8_0),
    blocks<BlockQ2_K>(10, dequantize_row_q2_k, 0, quantize_row_q2_k),
    blocks<BlockQ3_K>(11, dequantize_row_q3_k, 0, quantize_row_q3_k),
    blocks<BlockQ4_K>(12, dequantize_row_q4_k, 0, quantize_row_q4_k),
    blocks<BlockQ5_K>(13, dequantize_row_q5_k, 0, quantize_row_q5_k),
    blocks<BlockQ6_K>(14, dequantize_row_q6_k, 0, quantize_row_q6_k),
    blocks<BlockIq2Xxs>(16, dequantize_row_iq2_xxs),
    blocks<BlockIq2Xs>(17, dequantize_row_iq2_xs),
    blocks<BlockIq3Xxs>(18, dequantize_row_iq3_xxs),
    blocks<BlockIq1S>(19, dequantize_row_iq1_s),
    blocks<BlockIq4Nl>(20, dequantize_row_iq4_nl, 0, quantize_row_iq4_nl),
    blocks<BlockIq3S>(21, dequantize_row_iq3_s),
    blocks<BlockIq2S>(22, dequantize_row_iq2_s),
    blocks<BlockIq4Xs>(23, dequantize_row_iq4_xs, 0, quantize_row_iq4_xs),
    blocks<BlockIq1M>(29, dequantize_row_iq1_m),
    elements<uint16_t>(30, dequantize_row_bf16, quantize_row_bf16),
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
