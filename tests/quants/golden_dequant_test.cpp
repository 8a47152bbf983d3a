// Bit-exactness with the oracle: dequantizing every tensor of every golden file
// tests/data/golden_quants/TYPE.gguf (made by ik_llama.cpp's llama-quantize) must give F32
// bytes whose SHA-256 is the one the oracle's own dequantization gave
// (oracle-dequant-sha256.tsv). For IQ6_K, IQ2_KT and IQ3_KT that is the oracle's standalone
// dequantizer; the kernel variants Switchyard uses are tied to it in
// documented_differences_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "golden_support.hpp"
#include "sha256.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

using ExpectedHashes = std::map<std::string, std::string>;  // tensor name -> sha256

// type (file stem) -> tensor -> hash, in the file's order.
std::map<std::string, ExpectedHashes> load_expected_hashes() {
    std::ifstream in(golden_path("oracle-dequant-sha256.tsv"));
    std::map<std::string, ExpectedHashes> table;
    std::string line;
    std::getline(in, line);  // header: type, tensor, sha256_of_f32_dequant
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string type, tensor, hash;
        if (fields >> type >> tensor >> hash) table[type][tensor] = hash;
    }
    return table;
}

const std::map<std::string, ExpectedHashes>& expected_hashes() {
    static const auto table = load_expected_hashes();
    return table;
}

std::string hash_of(const std::vector<float>& values) {
    return Sha256::of(values.data(), values.size() * sizeof(float));
}

class GoldenDequant : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenDequant, EveryTensorMatchesTheOracleHash) {
    const std::string& type = GetParam();
    const auto expected = expected_hashes().find(type);
    ASSERT_NE(expected, expected_hashes().end()) << "no hashes for " << type;

    const GgufFixture file = read_gguf_fixture(golden_path(type + ".gguf"));
    ASSERT_EQ(file.tensors.size(), expected->second.size());
    for (const FixtureTensor& tensor : file.tensors) {
        SCOPED_TRACE(tensor.name + " (" + type_name(tensor.type) + ")");
        const auto want = expected->second.find(tensor.name);
        ASSERT_NE(want, expected->second.end());
        const DequantizeRowFn dequantize = oracle_dequantizer(tensor.type);
        ASSERT_NE(dequantize, nullptr) << "no dequantizer";
        EXPECT_EQ(hash_of(dequantize_tensor(file, tensor, dequantize)), want->second);
    }
}

// One case per golden file. Q4_X is Q4_0 data made with --symmetric-q40; the IQ2_S file
// holds IQ2_XS tensors (llama-quantize's IQ2_S file type is an IQ2_XS mix).
const std::vector<std::string> kGoldenTypes = {
    "F16",    "BF16",    "Q8_0",    "Q4_0",   "Q4_X",   "IQ6_K",  "IQ4_K",  "IQ4_KSS",
    "IQ3_K",  "IQ3_KS",  "IQ2_KL",  "IQ2_KS", "IQ1_KT", "IQ4_NL", "IQ5_K",  "IQ5_KS",
    "IQ4_KS", "IQ2_K",   "IQ2_KT",  "IQ3_KT", "IQ4_KT", "Q4_1",   "Q5_0",   "Q5_1",
    "Q2_K",   "Q3_K",    "Q4_K",    "Q5_K",   "Q6_K",   "IQ4_XS", "IQ3_XXS", "IQ3_S",
    "IQ2_XXS", "IQ2_XS", "IQ2_S",   "IQ1_S",  "IQ1_M",
};

std::string case_name(const ::testing::TestParamInfo<std::string>& param) { return param.param; }

INSTANTIATE_TEST_SUITE_P(AllTypes, GoldenDequant, ::testing::ValuesIn(kGoldenTypes), case_name);

TEST(GoldenDequantTable, EveryTypeInTheHashTableIsTested) {
    const std::vector<std::string>& tested = kGoldenTypes;
    for (const auto& [type, hashes] : expected_hashes()) {
        EXPECT_NE(std::find(tested.begin(), tested.end(), type), tested.end()) << type;
        EXPECT_EQ(hashes.size(), 12u) << type;
    }
    EXPECT_EQ(expected_hashes().size(), tested.size());
}

}  // namespace
}  // namespace sy::test
