// The GGUF imatrix reader, on files built with core/gguf's GgufWriter: one and several slices,
// zero and fractional counts, the optional in_sum tensor, every kind of malformed file, and
// the equivalence with a .dat file of the same contents.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gguf/gguf_file.hpp"
#include "imatrix/imatrix.hpp"
#include "imatrix_test_support.hpp"

namespace sy::imatrix_test {
namespace {

using gguf::GgufWriter;
using gguf::Value;

Imatrix parse(const GgufWriter& w) {
    const std::vector<uint8_t> bytes = w.to_bytes();
    return parse_imatrix_gguf(bytes, "test.gguf");
}

TEST(ImatrixGguf, OneSliceIsSumsOverCount) {
    GgufWriter w = imatrix_gguf_header({"a.txt", "b.txt"}, 33, 256);
    add_entry(w, "blk.0.attn_q.weight", {2.f, 3.f, 0.f, 10.f}, {4.f});
    const Imatrix m = parse(w);
    EXPECT_EQ(m.format, "gguf");
    EXPECT_EQ(m.chunk_count, 33);
    EXPECT_EQ(m.chunk_size, 256);
    EXPECT_EQ(m.datasets, (std::vector<std::string>{"a.txt", "b.txt"}));
    ASSERT_EQ(m.entries.size(), 1u);
    const ImatrixEntry& e = m.entries[0];
    EXPECT_EQ(e.name, "blk.0.attn_q.weight");
    EXPECT_EQ(e.n_slices, 1);
    EXPECT_EQ(e.counts, std::vector<int64_t>{4});
    EXPECT_EQ(e.values, (std::vector<float>{0.5f, 0.75f, 0.f, 2.5f}));
}

// ggml drops trailing dims of 1 when it writes a tensor: [ne0] and [1] mean n_mat = 1.
TEST(ImatrixGguf, OneSliceWithTrailingDimsDropped) {
    GgufWriter w = imatrix_gguf_header();
    add_f32(w, "w.in_sum2", {3}, {3.f, 6.f, 9.f});
    add_f32(w, "w.counts", {1}, {3.f});
    const Imatrix m = parse(w);
    ASSERT_EQ(m.entries.size(), 1u);
    EXPECT_EQ(m.entries[0].values, (std::vector<float>{1.f, 2.f, 3.f}));
}

// Each expert's slice is divided by its own count; an expert with count 0 gets 1 (mainline's
// llama-quantize); counts are rounded to the nearest integer first, halves away from zero.
TEST(ImatrixGguf, SeveralSlicesEachWithItsCount) {
    GgufWriter w = imatrix_gguf_header();
    add_entry(w, "blk.1.ffn_down_exps.weight", {8.f, 4.f, /**/ 5.f, 7.f, /**/ 9.f, 3.f, /**/ 1.f, 2.f},
              {4.f, 0.f, 2.5f, 1.4f});
    const Imatrix m = parse(w);
    ASSERT_EQ(m.entries.size(), 1u);
    const ImatrixEntry& e = m.entries[0];
    EXPECT_EQ(e.n_slices, 4);
    EXPECT_EQ(e.counts, (std::vector<int64_t>{4, 0, 3, 1}));
    EXPECT_EQ(e.values, (std::vector<float>{2.f, 1.f, 1.f, 1.f, 3.f, 1.f, 1.f, 2.f}));
}

TEST(ImatrixGguf, ZeroCountsGiveTheNeutralWeightEvenForZeroSums) {
    GgufWriter w = imatrix_gguf_header();
    add_entry(w, "w", {0.f, 0.f}, {0.f});
    EXPECT_EQ(parse(w).entries[0].values, (std::vector<float>{1.f, 1.f}));
}

TEST(ImatrixGguf, EntriesFollowTheInSum2OrderAndOtherTensorsAreIgnored) {
    GgufWriter w = imatrix_gguf_header();
    add_f32(w, "b.counts", {1}, {1.f});
    add_f32(w, "unrelated.weight", {2}, {-1.f, std::numeric_limits<float>::quiet_NaN()});
    add_f32(w, "b.in_sum2", {1}, {5.f});
    add_f32(w, "a.in_sum2", {1}, {6.f});
    add_f32(w, "a.in_sum", {1}, {-2.f});  // plain sums may be negative; not used
    add_f32(w, "a.counts", {1}, {2.f});
    const Imatrix m = parse(w);
    ASSERT_EQ(m.entries.size(), 2u);
    EXPECT_EQ(m.entries[0].name, "b");
    EXPECT_EQ(m.entries[1].name, "a");
    EXPECT_EQ(m.entries[1].values, std::vector<float>{3.f});
}

// ---- malformed files ----

TEST(ImatrixGguf, RejectsWrongOrMissingMetadata) {
    GgufWriter model = imatrix_gguf_header();
    model.set("general.type", Value::string("model"));
    add_entry(model, "w", {1.f}, {1.f});
    expect_gguf_error(model, {"bad.gguf: key 'general.type' (byte ", "is 'model', not 'imatrix'"});

    GgufWriter number = imatrix_gguf_header();
    number.set("general.type", Value::scalar<uint32_t>(1));
    add_entry(number, "w", {1.f}, {1.f});
    expect_gguf_error(number, {"key 'general.type'", "must be a string, not u32"});

    for (const char* key : {"general.type", "imatrix.datasets", "imatrix.chunk_count", "imatrix.chunk_size"}) {
        GgufWriter w = imatrix_gguf_header();
        w.remove(key);
        add_entry(w, "w", {1.f}, {1.f});
        expect_gguf_error(w, {"key '" + std::string(key) + "' (byte 16)", "missing"});
    }

    GgufWriter datasets = imatrix_gguf_header();
    datasets.set("imatrix.datasets", Value::string("one.txt"));
    add_entry(datasets, "w", {1.f}, {1.f});
    expect_gguf_error(datasets, {"key 'imatrix.datasets'", "must be an array of strings, not string"});

    GgufWriter chunks = imatrix_gguf_header();
    chunks.set("imatrix.chunk_count", Value::scalar<int32_t>(-3));
    add_entry(chunks, "w", {1.f}, {1.f});
    expect_gguf_error(chunks, {"key 'imatrix.chunk_count'", "is -3, must be >= 0"});

    GgufWriter big = imatrix_gguf_header();
    big.set("imatrix.chunk_size", Value::scalar<uint64_t>(1ull << 31));
    add_entry(big, "w", {1.f}, {1.f});
    expect_gguf_error(big, {"key 'imatrix.chunk_size'", "is 2147483648, more than 2^31-1"});

    GgufWriter text = imatrix_gguf_header();
    text.set("imatrix.chunk_count", Value::string("10"));
    add_entry(text, "w", {1.f}, {1.f});
    expect_gguf_error(text, {"key 'imatrix.chunk_count'", "must be an integer, not string"});
}

TEST(ImatrixGguf, AcceptsAnyNonNegativeIntegerTypeForChunkKeys) {
    GgufWriter w = imatrix_gguf_header();
    w.set("imatrix.chunk_count", Value::scalar<int64_t>(5));
    w.set("imatrix.chunk_size", Value::scalar<uint16_t>(128));
    add_entry(w, "w", {1.f}, {1.f});
    const Imatrix m = parse(w);
    EXPECT_EQ(m.chunk_count, 5);
    EXPECT_EQ(m.chunk_size, 128);
}

TEST(ImatrixGguf, RejectsFilesWithoutEntries) {
    expect_gguf_error(imatrix_gguf_header(), {"header.n_tensors (byte 8)", "no imatrix entries"});
    GgufWriter other = imatrix_gguf_header();
    add_f32(other, "token_embd.weight", {2}, {1.f, 2.f});
    expect_gguf_error(other, {"no imatrix entries"});
}

TEST(ImatrixGguf, RejectsUnpairedTensors) {
    GgufWriter no_counts = imatrix_gguf_header();
    add_f32(no_counts, "w.in_sum2", {2}, {1.f, 2.f});
    expect_gguf_error(no_counts, {"tensor 'w.in_sum2' (byte ", "has no matching 'w.counts' tensor"});

    GgufWriter no_sums = imatrix_gguf_header();
    add_entry(no_sums, "a", {1.f}, {1.f});
    add_f32(no_sums, "b.counts", {1}, {1.f});
    expect_gguf_error(no_sums, {"tensor 'b.counts'", "has no matching 'b.in_sum2' tensor"});

    GgufWriter only_in_sum = imatrix_gguf_header();
    add_entry(only_in_sum, "a", {1.f}, {1.f});
    add_f32(only_in_sum, "b.in_sum", {1}, {1.f});
    expect_gguf_error(only_in_sum, {"tensor 'b.in_sum'", "has no matching 'b.in_sum2' tensor"});

    GgufWriter nameless = imatrix_gguf_header();
    add_entry(nameless, "", {1.f}, {1.f});
    expect_gguf_error(nameless, {"tensor '.in_sum2'", "no weight name"});
}

TEST(ImatrixGguf, RejectsShapesThatDoNotAgree) {
    GgufWriter counts_short = imatrix_gguf_header();
    add_f32(counts_short, "w.in_sum2", {2, 3}, std::vector<float>(6, 1.f));
    add_f32(counts_short, "w.counts", {1, 2}, {1.f, 1.f});
    expect_gguf_error(counts_short, {"tensor 'w.counts'", "shape [1, 2, 1, 1] does not match in_sum2's [2, 3, 1, 1]"});

    GgufWriter counts_wide = imatrix_gguf_header();
    add_f32(counts_wide, "w.in_sum2", {2, 3}, std::vector<float>(6, 1.f));
    add_f32(counts_wide, "w.counts", {3}, {1.f, 1.f, 1.f});  // 3 x 1 instead of 1 x 3
    expect_gguf_error(counts_wide, {"tensor 'w.counts'", "counts must be [1, n_mat = 3]"});

    GgufWriter three_d = imatrix_gguf_header();
    add_f32(three_d, "w.in_sum2", {2, 1, 2}, std::vector<float>(4, 1.f));
    add_f32(three_d, "w.counts", {1}, {1.f});
    expect_gguf_error(three_d, {"tensor 'w.in_sum2'", "is not 2-D"});

    GgufWriter in_sum = imatrix_gguf_header();
    add_entry(in_sum, "w", {1.f, 2.f}, {1.f});
    add_f32(in_sum, "w.in_sum", {1}, {1.f});
    expect_gguf_error(in_sum, {"tensor 'w.in_sum'", "differs from in_sum2's"});

    GgufWriter f16 = imatrix_gguf_header();
    f16.add_tensor("w.in_sum2", 1, std::vector<int64_t>{2}, std::vector<uint8_t>(4, 0));
    add_f32(f16, "w.counts", {1}, {1.f});
    expect_gguf_error(f16, {"tensor 'w.in_sum2'", "must be F32, not F16"});
}

TEST(ImatrixGguf, RejectsBadCountsAndSumsAtTheirByte) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    for (float bad : {-1.f, nan, inf, 1e30f}) {
        GgufWriter w = imatrix_gguf_header();
        add_entry(w, "w", {1.f, 2.f, 3.f, 4.f}, {2.f, bad});
        const std::vector<uint8_t> bytes = w.to_bytes();
        const uint64_t at = gguf::GgufFile::from_memory(bytes, "x").find_tensor("w.counts")->file_offset + 4;
        expect_error([&] { parse_imatrix_gguf(bytes, "bad.gguf"); },
                     {"tensor 'w.counts' count 1 (byte " + std::to_string(at) + ")", "must be finite, >= 0"});
    }
    for (float bad : {-0.5f, nan, -inf, inf}) {
        GgufWriter w = imatrix_gguf_header();
        add_entry(w, "w", {1.f, 2.f, bad, 4.f}, {2.f, 2.f});
        const std::vector<uint8_t> bytes = w.to_bytes();
        const uint64_t at = gguf::GgufFile::from_memory(bytes, "x").find_tensor("w.in_sum2")->file_offset + 8;
        expect_error([&] { parse_imatrix_gguf(bytes, "bad.gguf"); },
                     {"tensor 'w.in_sum2' value 2 (byte " + std::to_string(at) + ")", "must be finite and >= 0"});
    }
}

TEST(ImatrixGguf, ContainerErrorsComeFromTheGgufReader) {
    std::vector<uint8_t> bytes = imatrix_gguf_header().to_bytes();
    bytes.resize(bytes.size() - 3);
    expect_error([&] { parse_imatrix_gguf(bytes, "cut.gguf"); }, {"cut.gguf: ", "(byte "});
}

// ---- the same statistics in both formats ----

TEST(ImatrixFormats, DatAndGgufWithTheSameContentsGiveTheSameImatrix) {
    // .dat: value = stored / ncall. GGUF: value = in_sum2 / count. Same numbers in, same out.
    DatBytes dat;
    dat.i32(3)
        .entry("blk.0.attn_k.weight", 4, {1.f, 2.f, 0.3f})
        .entry("blk.0.ffn_down_exps.weight", 3, {1.f, 0.f, 7.f, 8.f})
        .entry("output.weight", 1, {0.125f})
        .trailer(17, "calib.txt");
    GgufWriter w = imatrix_gguf_header({"calib.txt"}, 17, 512);
    add_entry(w, "blk.0.attn_k.weight", {1.f, 2.f, 0.3f}, {4.f});
    add_entry(w, "blk.0.ffn_down_exps.weight", {1.f, 0.f, 7.f, 8.f}, {3.f});
    add_entry(w, "output.weight", {0.125f}, {1.f});

    TempDir dir;
    write_file(dir.file("m.dat"), dat.bytes);
    write_file(dir.file("m.gguf"), w.to_bytes());
    const Imatrix from_dat = read_imatrix(dir.file("m.dat"));
    const Imatrix from_gguf = read_imatrix(dir.file("m.gguf"));
    EXPECT_EQ(from_dat.format, "dat");
    EXPECT_EQ(from_gguf.format, "gguf");
    expect_same_contents(from_dat, from_gguf);
    EXPECT_EQ(from_dat.entries[0].values[2], 0.3f / 4.f);
}

TEST(ImatrixFormats, ReadImatrixSniffsTheMagicAndNamesThePath) {
    TempDir dir;
    write_file(dir.file("empty"), {});
    expect_error([&] { read_imatrix(dir.file("empty")); }, {dir.file("empty") + ": entry count (byte 0)"});
    // "GGUF" followed by garbage is a broken GGUF, not a .dat file.
    write_file(dir.file("broken.dat"), {'G', 'G', 'U', 'F', 9, 0, 0, 0});
    expect_error([&] { read_imatrix(dir.file("broken.dat")); }, {dir.file("broken.dat") + ": header"});
    expect_error([&] { read_imatrix(dir.file("missing.dat")); }, {"missing.dat"});
}

}  // namespace
}  // namespace sy::imatrix_test
