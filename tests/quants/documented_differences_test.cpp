// The three places where Switchyard's dequantizers follow ik_llama.cpp's inference kernels
// rather than its standalone dequantizer (FORMATS.md §3.4 and §3.7 DISCREPANCY notes;
// core/types/quants/README.md). The golden test proves the standalone variants against the
// oracle's hashes; these tests pin down the exact difference between the two, on every row
// of the golden files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "golden_support.hpp"
#include "types/quants/blocks.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/tables.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

using quants::BlockIq6K;
using quants::kIq6nlValues;

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// ---- IQ6_K: integer table (kernels) versus cubic (standalone dequantizer) ----

TEST(Iq6kTableVersusCubic, TableIsTheRoundedCubicAndItsShiftByOne) {
    for (int q = 0; q < 64; ++q) {
        const float cubic = quants::iq6k_cubic(float(q));
        EXPECT_EQ(kIq6nlValues[size_t(q)], std::lround(cubic)) << "q=" << q;
        EXPECT_LE(std::fabs(float(kIq6nlValues[size_t(q)]) - cubic), 0.5f) << "q=" << q;
        EXPECT_EQ(kIq6nlValues[size_t(q + 64)], kIq6nlValues[size_t(q)] + 1) << "q=" << q;
    }
}

// The 6-bit index of element e, decoded here straight from FORMATS.md §3.4 (a second
// reading of the layout, independent of iq_k.cpp's helpers).
int iq6k_index_per_formats(const BlockIq6K& b, int e) {
    const int i = e / 64, m = e % 32;
    const bool upper = (e % 64) >= 32;
    const int low = upper ? b.qs[32 * i + m] >> 4 : b.qs[32 * i + m] & 0xF;
    const int qh = b.qh[32 * (i / 2) + m] >> (4 * (i % 2));
    const int high = upper ? (qh >> 2) & 3 : qh & 3;
    return low | high << 4;
}

// For every element of every IQ6_K row: kernel = dl*(table[q] + shift) and
// standalone = dl*(cubic(q) + shift), so the two differ by dl*(table[q] - cubic(q)), at most
// half a scale step.
TEST(Iq6kTableVersusCubic, EveryElementDiffersByTableMinusCubic) {
    const GgufFixture file = read_gguf_fixture(golden_path("IQ6_K.gguf"));
    int64_t checked = 0, differing = 0;
    for (const FixtureTensor& t : file.tensors) {
        if (t.type != 141) continue;
        const auto kernel = dequantize_tensor(file, t, quants::dequantize_row_iq6_k);
        const auto standalone = dequantize_tensor(file, t, quants::dequantize_row_iq6_k_cubic);
        const uint8_t* data = file.data(t);
        const int64_t blocks = int64_t(kernel.size()) / 256;  // no row headers: contiguous
        for (int64_t ib = 0; ib < blocks; ++ib) {
            const auto b = quants::load_block<BlockIq6K>(data + ib * int64_t(sizeof(BlockIq6K)));
            const float d = quants::fp16_to_fp32(b.d);
            for (int e = 0; e < 256; ++e) {
                const int s = e / 16;
                const float dl = d * float(b.scales[s]);
                const int shift = (b.extra >> s) & 1;
                const int q = iq6k_index_per_formats(b, e);
                const float k = kernel[size_t(ib * 256 + e)];
                const float c = standalone[size_t(ib * 256 + e)];
                ASSERT_TRUE(same_bits(k, dl * float(kIq6nlValues[size_t(q)] + shift)))
                    << t.name << " block " << ib << " element " << e;
                ASSERT_TRUE(same_bits(c, dl * (quants::iq6k_cubic(float(q)) + float(shift))))
                    << t.name << " block " << ib << " element " << e;
                const float table_minus_cubic =
                    float(kIq6nlValues[size_t(q)]) - quants::iq6k_cubic(float(q));
                // k - c = dl*(table - cubic) up to the roundings of k and c.
                const float tolerance = 2e-6f * (std::fabs(k) + std::fabs(c)) + 1e-30f;
                EXPECT_NEAR(k - c, dl * table_minus_cubic, tolerance);
                EXPECT_LE(std::fabs(k - c), 0.5f * std::fabs(dl) + tolerance);
                ++checked;
                differing += k != c;
            }
        }
    }
    EXPECT_EQ(checked, 12 * 65536);  // the 9 matrices: six of 256x256, three of 512x256 elements
    EXPECT_GT(differing, 0);
}

// ---- IQ2_KT / IQ3_KT: kernel row factor 1.05 / 1.01 ----

// A copy of the row whose f32 row scale is multiplied by `factor` in float.
std::vector<uint8_t> with_scaled_row_header(const uint8_t* row, uint64_t bytes, float factor) {
    std::vector<uint8_t> copy(row, row + bytes);
    float d;
    std::memcpy(&d, copy.data(), sizeof d);
    d *= factor;
    std::memcpy(copy.data(), &d, sizeof d);
    return copy;
}

struct KtCase {
    const char* file;
    int32_t type_id;
    float factor;
    DequantizeRowFn kernel;
};

class KtRowFactor : public ::testing::TestWithParam<KtCase> {};

// kernel(row) is bit for bit the standalone dequantizer applied to the row with its scale
// d replaced by d*factor (the CPU kernels compute d*factor first, in float).
TEST_P(KtRowFactor, KernelIsStandaloneWithScaledRowHeader) {
    const KtCase& c = GetParam();
    const GgufFixture file = read_gguf_fixture(golden_path(c.file));
    const DequantizeRowFn standalone = oracle_dequantizer(c.type_id);
    int64_t rows_checked = 0;
    for (const FixtureTensor& t : file.tensors) {
        if (t.type != c.type_id) continue;
        const int64_t ne0 = t.row_length();
        const uint64_t stride = row_bytes(t.type, ne0, t.name);
        const size_t n = size_t(ne0);
        std::vector<float> kernel(n), expected(n), unscaled(n);
        for (int64_t r = 0; r < t.row_count(); ++r) {
            const uint8_t* row = file.data(t) + uint64_t(r) * stride;
            c.kernel(row, kernel.data(), ne0);
            standalone(with_scaled_row_header(row, stride, c.factor).data(), expected.data(), ne0);
            standalone(row, unscaled.data(), ne0);
            ASSERT_EQ(std::memcmp(kernel.data(), expected.data(), kernel.size() * sizeof(float)), 0)
                << t.name << " row " << r;
            for (int64_t j = 0; j < ne0; ++j)  // and the ratio is the factor, up to rounding
                ASSERT_NEAR(kernel[size_t(j)], c.factor * unscaled[size_t(j)],
                            2e-6f * std::fabs(kernel[size_t(j)]))
                    << t.name << " row " << r << " element " << j;
            ++rows_checked;
        }
    }
    EXPECT_EQ(rows_checked, 7 * 256 + 2 * 512);  // 7 matrices of 256 rows, ffn_gate/up of 512
}

INSTANTIATE_TEST_SUITE_P(
    KernelFactors, KtRowFactor,
    ::testing::Values(KtCase{"IQ2_KT.gguf", 153, 1.05f, quants::dequantize_row_iq2_kt},
                      KtCase{"IQ3_KT.gguf", 154, 1.01f, quants::dequantize_row_iq3_kt}),
    [](const ::testing::TestParamInfo<KtCase>& param) { return type_name(param.param.type_id); });

TEST(KtRowFactors, AreTheDocumentedOnes) {
    EXPECT_EQ(quants::kIq2KtKernelRowFactor, 1.05f);
    EXPECT_EQ(quants::kIq3KtKernelRowFactor, 1.01f);
    // IQ1_KT and IQ4_KT have no factor: the table's entries are the standalone dequantizers.
    EXPECT_EQ(oracle_dequantizer(158), find_kernels(158)->dequantize_row);
    EXPECT_EQ(oracle_dequantizer(155), find_kernels(155)->dequantize_row);
}

}  // namespace
}  // namespace sy::test
