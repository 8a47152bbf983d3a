// ../shared's tiny-ds2 (a trained deepseek2 model) against the golden logits its PyTorch
// model produced for 64 held-out tokens (golden/logits/README.md): an F32 forward pass with an
// F32 KV cache must land within 1e-3 absolute everywhere and agree on the argmax at every
// position. Its own ctest entry (labelled shared-data;slow): skipped when ../shared is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "naive_forward.hpp"
#include "runtime_test_support.hpp"

namespace sy::test {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = SWITCHYARD_SHARED_DIR;

std::vector<uint8_t> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Golden {
    std::vector<int32_t> tokens;
    int64_t n_vocab = 0;
    std::vector<float> logits;  // [tokens][n_vocab]
};

Golden read_golden() {
    const fs::path dir = kShared / "golden" / "logits";
    std::ifstream json_in(dir / "tiny-ds2-f32.heldout64.json");
    const nlohmann::json meta = nlohmann::json::parse(json_in);
    Golden g;
    g.tokens = meta.at("tokens").get<std::vector<int32_t>>();
    g.n_vocab = meta.at("n_vocab").get<int64_t>();
    const std::vector<uint8_t> bytes = read_bytes(dir / "tiny-ds2-f32.heldout64.logits.f32");
    g.logits.resize(bytes.size() / sizeof(float));
    std::memcpy(g.logits.data(), bytes.data(), g.logits.size() * sizeof(float));  // little-endian hosts
    return g;
}

TEST(SharedTinyDs2, F32LogitsMatchGolden) {
    if (!fs::is_directory(kShared)) GTEST_SKIP() << kShared << " is absent";
    const Golden golden = read_golden();
    ASSERT_EQ(golden.tokens.size(), 64u);
    ASSERT_EQ(golden.logits.size(), golden.tokens.size() * size_t(golden.n_vocab));

    const gguf::GgufModel file = gguf::GgufModel::open((kShared / "models/tiny-ds2/tiny-ds2-f32.gguf").string());
    auto rt = cpu_runtime(file, 128, /*cache_type=*/0);
    ASSERT_EQ(rt->params().n_vocab, golden.n_vocab);
    const std::vector<float> got = rt->decode(golden.tokens, 0, /*all_logits=*/true);
    ASSERT_EQ(got.size(), golden.logits.size());

    const size_t V = size_t(golden.n_vocab);
    double max_diff = 0.0;
    size_t worst = 0;
    int64_t argmax_mismatches = 0;
    for (size_t row = 0; row < golden.tokens.size(); ++row) {
        size_t a = 0, b = 0;
        for (size_t i = 0; i < V; ++i) {
            const double d = std::fabs(double(got[row * V + i]) - double(golden.logits[row * V + i]));
            if (d > max_diff) {
                max_diff = d;
                worst = row;
            }
            if (got[row * V + i] > got[row * V + a]) a = i;
            if (golden.logits[row * V + i] > golden.logits[row * V + b]) b = i;
        }
        if (a != b) {
            ++argmax_mismatches;
            ADD_FAILURE() << "position " << row << ": argmax " << a << ", golden " << b;
        }
    }
    std::printf("[measured] tiny-ds2-f32 vs golden (f32 cache): max abs diff %.3g at position %zu, "
                "argmax mismatches %lld\n", max_diff, worst, static_cast<long long>(argmax_mismatches));
    RecordProperty("max_abs_diff", std::to_string(max_diff));
    EXPECT_LE(max_diff, 1e-3);
}

// The naive pass on the real model lands on the golden logits too: a check of the naive pass
// itself (it is the yardstick of every other test), on weights nobody here generated.
TEST(SharedTinyDs2, NaivePassMatchesGolden) {
    if (!fs::is_directory(kShared)) GTEST_SKIP() << kShared << " is absent";
    const Golden golden = read_golden();
    const gguf::GgufModel file = gguf::GgufModel::open((kShared / "models/tiny-ds2/tiny-ds2-f32.gguf").string());
    const NaiveModel naive(file);
    // The first 16 positions keep the run short under emulation.
    const std::vector<int32_t> tokens(golden.tokens.begin(), golden.tokens.begin() + 16);
    const std::vector<double> want = naive.forward(tokens);
    double max_diff = 0.0;
    for (size_t i = 0; i < want.size(); ++i) max_diff = std::max(max_diff, std::fabs(want[i] - golden.logits[i]));
    std::printf("[measured] naive pass vs golden, 16 positions: max abs diff %.3g\n", max_diff);
    EXPECT_LE(max_diff, 1e-3);
}

}  // namespace
}  // namespace sy::test
