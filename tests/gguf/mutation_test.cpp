// Mutated valid files: every truncation, and thousands of random byte changes with a fixed
// seed. Each must either parse or throw sy::Error: never crash, hang or throw anything else.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "gguf_test_support.hpp"

namespace sy::gguf {
namespace {

// Reads everything a parsed file offers, so a mutation that slips through validation is
// exercised by the accessors too.
void walk(const GgufFile& f) {
    for (const KeyValue& kv : f.kvs()) {
        if (!kv.value.is_array()) continue;
        for (uint64_t i = 0; i < kv.value.size(); ++i) (void)kv.value.element(i);
    }
    uint64_t sum = 0;
    for (const TensorInfo& t : f.tensors()) {
        const auto data = f.tensor_data(t);
        if (!data.empty()) sum += data.front() + data.back();
        EXPECT_LE(t.file_offset + t.nbytes, f.file_size());
    }
    (void)sum;
}

enum class Outcome { Parsed, Rejected };

Outcome parse_mutant(const std::vector<uint8_t>& bytes, const std::string& what) {
    try {
        walk(GgufFile::from_memory(bytes, "mutant.gguf"));
        return Outcome::Parsed;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("mutant.gguf"), std::string::npos) << what << ": " << e.what();
        return Outcome::Rejected;
    } catch (const std::exception& e) {
        ADD_FAILURE() << what << ": threw something other than sy::Error: " << e.what();
    }
    return Outcome::Rejected;
}

TEST(GgufMutation, EveryTruncationIsAnError) {
    const std::vector<uint8_t> full = test::sample_writer().to_bytes();
    ASSERT_NO_THROW(GgufFile::from_memory(full, "full.gguf"));
    for (size_t n = 0; n < full.size(); ++n) {
        const std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        try {
            GgufFile::from_memory(prefix, "cut.gguf");
            ADD_FAILURE() << "a prefix of " << n << " of " << full.size() << " bytes parsed";
        } catch (const Error& e) {
            ASSERT_NE(std::string(e.what()).find("cut.gguf"), std::string::npos) << e.what();
        }
    }
}

// Changes 1 to 4 bytes, mostly in the metadata (data bytes are opaque to the parser).
std::vector<uint8_t> mutate(const std::vector<uint8_t>& valid, uint64_t metadata_end, std::mt19937_64& rng) {
    std::vector<uint8_t> out = valid;
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < changes; ++c) {
        const uint64_t limit = rng() % 8 == 0 ? out.size() : metadata_end;
        uint8_t& b = out[rng() % limit];
        switch (rng() % 4) {
            case 0: b = static_cast<uint8_t>(rng()); break;
            case 1: b ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
            case 2: b = 0xff; break;
            default: b = static_cast<uint8_t>(b + (rng() % 2 ? 1 : -1)); break;
        }
    }
    return out;
}

void run_mutations(const std::vector<uint8_t>& valid, int rounds, uint64_t seed) {
    const GgufFile original = GgufFile::from_memory(valid, "valid.gguf");
    std::mt19937_64 rng(seed);
    int parsed = 0;
    int rejected = 0;
    for (int i = 0; i < rounds; ++i) {
        const auto mutant = mutate(valid, original.data_offset(), rng);
        (parse_mutant(mutant, "mutation " + std::to_string(i)) == Outcome::Parsed ? parsed : rejected)++;
    }
    // Both outcomes occur: the loop exercises the error paths and the accept paths.
    EXPECT_GT(parsed, 0);
    EXPECT_GT(rejected, 0);
    std::printf("mutations: %d parsed, %d rejected\n", parsed, rejected);
}

TEST(GgufMutation, RandomByteChangesOfASampleFile) {
    run_mutations(test::sample_writer().to_bytes(), 4000, 20260815);
}

TEST(GgufMutation, RandomByteChangesOfARealQuantizedFile) {
    const std::vector<uint8_t> real = test::read_file(std::string(SWITCHYARD_TEST_DATA_DIR) + "/golden-IQ2_KS.gguf");
    ASSERT_FALSE(real.empty());
    run_mutations(real, 1000, 7);
}

}  // namespace
}  // namespace sy::gguf
