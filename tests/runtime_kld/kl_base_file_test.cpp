// The KL-divergence base file: a written file reads back, and every kind of damage or
// mismatch is refused with a sy::Error naming the file and the field.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "runtime/kl_divergence_stats.hpp"

namespace kld = sy::runtime::kld;

namespace {

constexpr int32_t kCtx = 8, kVocab = 5, kChunks = 2;
constexpr size_t kWordsPerChunk = 3 * 10;  // scored_per_chunk(8) = 3 rows of row_words(5) = 10

std::string temp_path(const std::string& name) {
    return (std::filesystem::path(::testing::TempDir()) / ("sy_kld_" + name + ".bin")).string();
}

std::vector<int32_t> sample_tokens() {
    std::vector<int32_t> tokens(kCtx * kChunks + 3);
    for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = int32_t((i * 3 + 1) % kVocab);
    return tokens;
}

std::vector<uint16_t> sample_chunk(uint16_t salt) {
    std::vector<uint16_t> rows(kWordsPerChunk);
    for (size_t r = 0; r < 3; ++r) {
        const float scale = 0.001f * float(r + 1), min_log_prob = -10.0f;
        std::memcpy(&rows[r * 10], &scale, sizeof(float));
        std::memcpy(&rows[r * 10 + 2], &min_log_prob, sizeof(float));
        for (size_t i = 4; i < 9; ++i) rows[r * 10 + i] = uint16_t(salt + r * 100 + i);
    }
    return rows;
}

std::string write_sample(const std::string& name) {
    const std::string path = temp_path(name);
    kld::BaseFileWriter writer(path, {kCtx, kVocab, kChunks}, sample_tokens());
    writer.append_chunk(sample_chunk(1));
    writer.append_chunk(sample_chunk(2));
    writer.finish();
    return path;
}

std::vector<char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

void set_int32(std::vector<char>& bytes, size_t offset, int32_t value) {
    std::memcpy(bytes.data() + offset, &value, sizeof(value));
}

// Expects the reader to refuse `path` with a message containing the path and `needle`.
void expect_refused(const std::string& path, int64_t n_vocab, const std::vector<int32_t>& tokens,
                    const std::string& needle) {
    try {
        kld::BaseFileReader reader(path, n_vocab, tokens);
        FAIL() << "accepted " << path << ", expected an error containing '" << needle << "'";
    } catch (const sy::Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find(needle), std::string::npos) << message;
    }
}

}  // namespace

TEST(KldBaseFile, LayoutMatchesTheReferenceFormat) {
    const std::string path = write_sample("layout");
    const std::vector<char> bytes = read_bytes(path);
    // 8 magic + 3 int32 + 16 tokens * 4 + 2 chunks * 3 rows * 10 words * 2
    ASSERT_EQ(bytes.size(), 8u + 12u + 64u + 120u);
    EXPECT_EQ(std::string(bytes.data(), 8), "_logits_");
    int32_t field[3];
    std::memcpy(field, bytes.data() + 8, sizeof(field));
    EXPECT_EQ(field[0], kCtx);
    EXPECT_EQ(field[1], kVocab);
    EXPECT_EQ(field[2], kChunks);
    int32_t token9;
    std::memcpy(&token9, bytes.data() + 20 + 9 * 4, sizeof(token9));
    EXPECT_EQ(token9, sample_tokens()[9]);
}

TEST(KldBaseFile, RoundTrip) {
    const std::string path = write_sample("roundtrip");
    kld::BaseFileReader reader(path, kVocab, sample_tokens());
    EXPECT_EQ(reader.header().n_ctx, kCtx);
    EXPECT_EQ(reader.header().n_chunk, kChunks);
    std::vector<uint16_t> rows;
    reader.read_next_chunk(rows);
    EXPECT_EQ(rows, sample_chunk(1));
    reader.read_next_chunk(rows);
    EXPECT_EQ(rows, sample_chunk(2));
    EXPECT_THROW(reader.read_next_chunk(rows), sy::Error);
}

TEST(KldBaseFile, RefusesTruncatedFiles) {
    const std::string path = write_sample("truncated");
    std::vector<char> bytes = read_bytes(path);
    bytes.resize(bytes.size() - 1);  // last chunk one byte short
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "only 1 of 2 chunks are complete");
    bytes.resize(30);  // inside the token list
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "truncated");
    bytes.resize(10);  // inside the header
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "truncated");
}

TEST(KldBaseFile, RefusesTrailingBytes) {
    const std::string path = write_sample("trailing");
    std::vector<char> bytes = read_bytes(path);
    bytes.push_back(0);
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "1 unexpected bytes");
}

TEST(KldBaseFile, RefusesWrongMagic) {
    const std::string path = write_sample("magic");
    std::vector<char> bytes = read_bytes(path);
    bytes[1] = 'L';
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "\"_logits_\"");
}

TEST(KldBaseFile, RefusesAnotherVocabulary) {
    const std::string path = write_sample("vocab");
    expect_refused(path, kVocab + 1, sample_tokens(), "n_vocab is 5 but the model's vocabulary has 6");
}

TEST(KldBaseFile, RefusesAnotherTokenization) {
    const std::string path = write_sample("tokens");
    std::vector<int32_t> tokens = sample_tokens();
    tokens[9] = (tokens[9] + 1) % kVocab;
    expect_refused(path, kVocab, tokens, "stored token 9 (chunk 2, offset 1)");
    tokens = sample_tokens();
    tokens.resize(kCtx * kChunks - 1);
    expect_refused(path, kVocab, tokens, "tokenizes to only 15");
}

TEST(KldBaseFile, RefusesBadHeaderFieldsWithoutAllocating) {
    const std::string path = write_sample("fields");
    const std::vector<char> good = read_bytes(path);
    std::vector<char> bytes = good;
    set_int32(bytes, 8, 2);  // n_ctx too small
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "n_ctx is 2");

    bytes = good;
    set_int32(bytes, 16, -3);  // negative n_chunk
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "n_chunk is -3");

    bytes = good;
    set_int32(bytes, 16, INT32_MAX);  // a huge n_chunk must be caught by the size check, not by new
    write_bytes(path, bytes);
    expect_refused(path, kVocab, sample_tokens(), "truncated");

    bytes = good;  // sizes whose product overflows 64 bits
    set_int32(bytes, 8, INT32_MAX);
    set_int32(bytes, 12, INT32_MAX);
    set_int32(bytes, 16, INT32_MAX);
    write_bytes(path, bytes);
    expect_refused(path, INT32_MAX, sample_tokens(), "more than 2^64 bytes");
}

TEST(KldBaseFile, RefusesNonFiniteRowScale) {
    const std::string path = write_sample("scale");
    std::vector<char> bytes = read_bytes(path);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bytes.data() + 20 + 64 + 20, &nan, sizeof(nan));  // chunk 1, row 1, scale
    write_bytes(path, bytes);
    kld::BaseFileReader reader(path, kVocab, sample_tokens());
    std::vector<uint16_t> rows;
    try {
        reader.read_next_chunk(rows);
        FAIL() << "accepted a NaN scale";
    } catch (const sy::Error& e) {
        EXPECT_NE(std::string(e.what()).find("chunk 1, row 1"), std::string::npos) << e.what();
    }
}

TEST(KldBaseFile, MissingFileIsAnError) {
    expect_refused(temp_path("does_not_exist"), kVocab, sample_tokens(), "cannot open");
}
