// Q6_0 (ik_llama.cpp's 6-bit legacy type; `switchyard quantize` falls back to it for Q5_K /
// IQ5_K rows that are not a multiple of 256): layout, quantizer bytes against the oracle, and
// round trips.
//
// q6_0-oracle.bin: ik_llama.cpp's quantize_q6_0 (ggml-quants.c, snapshot 8337e4cd, built with
// gcc-12 -O3 -march=haswell) on 16 rows of 256 values from the xorshift32 generator below,
// first without importance weights, then with the weights w_j = (1 + (37 j) mod 101) / 16.
// Every generated value is exact in float (k/1024, some times 8), so the inputs do not depend
// on how a compiler contracts the generator's arithmetic (clang on riscv64 fuses a*b + c).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "golden_support.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

constexpr int32_t kQ6_0 = 133;

std::vector<float> generated_rows(int rows, int n) {
    uint32_t state = 12345;
    std::vector<float> x(size_t(rows) * size_t(n));
    for (float& v : x) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        const float k = float(int(state % 20001u) - 10000) / 1024.0f;
        v = state % 17u == 0 ? k * 8.0f : k;
    }
    return x;
}

TEST(Q6_0, HandBuiltBlockDecodes) {
    // d = 0.5 (fp16 0x3800); element j has level (j * 5) % 64, split into nibbles and 2-bit
    // groups the way the format stores them.
    uint8_t block[26] = {0x00, 0x38};
    int levels[32];
    for (int j = 0; j < 32; ++j) levels[j] = (j * 5) % 64;
    for (int j = 0; j < 16; ++j) {
        block[10 + j] = uint8_t((levels[j] & 0xF) | (levels[j + 16] & 0xF) << 4);
        const int high = (levels[j] >> 4) | (levels[j + 16] >> 4) << 2;
        block[2 + j % 8] = uint8_t(block[2 + j % 8] | high << (4 * (j / 8)));
    }
    float y[32];
    find_kernels(kQ6_0)->dequantize_row(block, y, 32);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], 0.5f * float(levels[j] - 32)) << j;
}

TEST(Q6_0, QuantizerBytesEqualTheOracle) {
    const int rows = 16, n = 256;
    std::ifstream in(golden_path("q6_0-oracle.bin"), std::ios::binary);
    const std::vector<uint8_t> oracle((std::istreambuf_iterator<char>(in)), {});
    const uint64_t rb = row_bytes(kQ6_0, n, "q6_0");
    ASSERT_EQ(oracle.size(), 2 * rows * rb);
    const std::vector<float> x = generated_rows(rows, n);
    std::vector<float> w(n);
    for (int j = 0; j < n; ++j) w[size_t(j)] = float(1 + (j * 37) % 101) / 16.0f;
    std::vector<uint8_t> row(rb);
    for (int pass = 0; pass < 2; ++pass)
        for (int r = 0; r < rows; ++r) {
            find_kernels(kQ6_0)->quantize_row(x.data() + r * n, row.data(), n, pass ? w.data() : nullptr);
            EXPECT_EQ(std::memcmp(row.data(), oracle.data() + (pass * rows + r) * rb, rb), 0)
                << (pass ? "with" : "without") << " importance, row " << r;
        }
}

TEST(Q6_0, RoundTripAndZeros) {
    const int n = 512;
    const std::vector<float> x = generated_rows(1, n);
    std::vector<uint8_t> q(row_bytes(kQ6_0, n, "q6_0"));
    std::vector<float> y(n);
    find_kernels(kQ6_0)->quantize_row(x.data(), q.data(), n, nullptr);
    find_kernels(kQ6_0)->dequantize_row(q.data(), y.data(), n);
    double err = 0, ref = 0;
    for (int j = 0; j < n; ++j) {
        err += (x[size_t(j)] - y[size_t(j)]) * (x[size_t(j)] - y[size_t(j)]);
        ref += x[size_t(j)] * x[size_t(j)];
    }
    // 64 levels over the block's range. Most 32-blocks here hold an 8x outlier (~78), so the
    // step is ~2.4 and the error RMS ~2.4/sqrt(12) = 0.7 against a value RMS of ~19: 3.6 %
    // measured; 5 % leaves room without letting a broken search (tens of %) through.
    EXPECT_LT(std::sqrt(err / ref), 0.05);
    const std::vector<float> zeros(n, 0.f);
    find_kernels(kQ6_0)->quantize_row(zeros.data(), q.data(), n, nullptr);
    find_kernels(kQ6_0)->dequantize_row(q.data(), y.data(), n);
    for (float v : y) EXPECT_EQ(v, 0.f);
}

}  // namespace
}  // namespace sy::test
