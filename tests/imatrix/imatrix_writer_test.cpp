// core's imatrix writers: statistics written in either format read back to sum / count per
// slice (computed here from the inputs), the ggml-style shapes, the .dat ncall rule, files
// written atomically, and invalid statistics refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.hpp"
#include "imatrix/imatrix.hpp"
#include "imatrix/imatrix_writer.hpp"
#include "imatrix_test_support.hpp"

namespace sy::imatrix_test {
namespace {

// Two dense matrices and one with 3 experts, one of which saw no rows.
ImatrixStatsSet sample() {
    ImatrixStatsSet s;
    s.chunk_count = 9;
    s.chunk_size = 512;
    s.datasets = {"first.txt", "second.txt"};
    s.entries.push_back({"blk.0.attn_q.weight", {10.f, 0.f, 3.5f, 1e-3f}, {1000.f}});
    s.entries.push_back({"blk.0.ffn_down_exps.weight", {6.f, 9.f, 1.f, 2.f, 0.5f, 0.25f}, {3.f, 0.f, 700.f}});
    s.entries.push_back({"output.weight", {7.f}, {1536.f}});
    return s;
}

TEST(ImatrixWriter, GgufRoundTripGivesSumOverCountPerSlice) {
    const ImatrixStatsSet s = sample();
    const std::vector<uint8_t> bytes = imatrix_gguf_bytes(s);
    const Imatrix m = parse_imatrix_gguf(bytes, "w.gguf");
    EXPECT_EQ(m.chunk_count, 9);
    EXPECT_EQ(m.chunk_size, 512);
    EXPECT_EQ(m.datasets, s.datasets);
    ASSERT_EQ(m.entries.size(), 3u);
    EXPECT_EQ(m.entries[0].name, "blk.0.attn_q.weight");
    EXPECT_EQ(m.entries[0].values, (std::vector<float>{10.f / 1000.f, 0.f, 3.5f / 1000.f, 1e-3f / 1000.f}));
    const ImatrixEntry& experts = m.entries[1];
    EXPECT_EQ(experts.n_slices, 3);
    EXPECT_EQ(experts.counts, (std::vector<int64_t>{3, 0, 700}));
    EXPECT_EQ(experts.values, (std::vector<float>{2.f, 3.f, 1.f, 1.f, 0.5f / 700.f, 0.25f / 700.f}));
    EXPECT_EQ(m.entries[2].values, std::vector<float>{7.f / 1536.f});

    // The shapes ggml would write: trailing dims of 1 dropped.
    const gguf::GgufFile f = gguf::GgufFile::from_memory(bytes, "w.gguf");
    EXPECT_EQ(f.get("general.type").as_string(), "imatrix");
    const gguf::TensorInfo* one = f.find_tensor("blk.0.attn_q.weight.in_sum2");
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(one->n_dims, 1u);
    EXPECT_EQ(one->ne[0], 4);
    const gguf::TensorInfo* counts = f.find_tensor("blk.0.ffn_down_exps.weight.counts");
    ASSERT_NE(counts, nullptr);
    EXPECT_EQ(counts->n_dims, 2u);
    EXPECT_EQ(counts->ne[0], 1);
    EXPECT_EQ(counts->ne[1], 3);
}

// .dat keeps one ncall per entry, ceil(max count / chunk_size), and stores mean * ncall; the
// reader divides by ncall again. Expected values are those two float operations.
TEST(ImatrixWriter, DatRoundTripFollowsTheLegacyRule) {
    const ImatrixStatsSet s = sample();
    const Imatrix m = parse_imatrix_dat(imatrix_dat_bytes(s), "w.dat");
    EXPECT_EQ(m.chunk_count, 9);
    EXPECT_EQ(m.datasets, std::vector<std::string>{"second.txt"});  // the format holds one
    ASSERT_EQ(m.entries.size(), 3u);
    auto twice = [](float mean, float ncall) { return (mean * ncall) / ncall; };
    EXPECT_EQ(m.entries[0].counts, std::vector<int64_t>{2});  // ceil(1000 / 512)
    EXPECT_EQ(m.entries[0].values, (std::vector<float>{twice(10.f / 1000.f, 2), 0.f, twice(3.5f / 1000.f, 2),
                                                       twice(1e-3f / 1000.f, 2)}));
    const ImatrixEntry& experts = m.entries[1];
    EXPECT_EQ(experts.n_slices, 1);
    EXPECT_EQ(experts.counts, std::vector<int64_t>{2});  // ceil(700 / 512)
    EXPECT_EQ(experts.values, (std::vector<float>{twice(2.f, 2), twice(3.f, 2), 1.f, 1.f, twice(0.5f / 700.f, 2),
                                                  twice(0.25f / 700.f, 2)}));
    EXPECT_EQ(m.entries[2].counts, std::vector<int64_t>{3});  // ceil(1536 / 512), exact
    EXPECT_EQ(m.entries[2].values, std::vector<float>{twice(7.f / 1536.f, 3)});
}

TEST(ImatrixWriter, BothFormatsAgreeWhenEveryCountIsOneChunk) {
    // With counts == chunk_size, ncall is 1 and the .dat path adds no rounding.
    ImatrixStatsSet s;
    s.chunk_count = 2;
    s.chunk_size = 4;
    s.datasets = {"d.txt"};
    s.entries.push_back({"a", {1.f, 2.f, 3.f}, {4.f}});
    s.entries.push_back({"b", {0.3f, 0.7f}, {4.f}});
    Imatrix dat = parse_imatrix_dat(imatrix_dat_bytes(s), "a.dat");
    Imatrix gguf = parse_imatrix_gguf(imatrix_gguf_bytes(s), "a.gguf");
    for (ImatrixEntry& e : dat.entries) e.counts = {4};  // .dat records ncall, GGUF the count
    expect_same_contents(dat, gguf);
}

TEST(ImatrixWriter, WritesFilesAtomically) {
    TempDir dir;
    const ImatrixStatsSet s = sample();
    write_imatrix_gguf(s, dir.file("m.gguf"));
    write_imatrix_dat(s, dir.file("m.dat"));
    EXPECT_EQ(dir.count(), 2u);  // no .partial left behind
    EXPECT_EQ(read_file(dir.file("m.gguf")), imatrix_gguf_bytes(s));
    EXPECT_EQ(read_file(dir.file("m.dat")), imatrix_dat_bytes(s));
    EXPECT_EQ(read_imatrix(dir.file("m.gguf")).format, "gguf");
    EXPECT_EQ(read_imatrix(dir.file("m.dat")).format, "dat");
    EXPECT_THROW(write_imatrix_dat(s, dir.file("no/such/dir/m.dat")), sy::Error);
}

TEST(ImatrixWriter, RefusesInvalidStatistics) {
    auto both = [](const ImatrixStatsSet& s, const std::string& needle) {
        expect_error([&] { imatrix_gguf_bytes(s); }, {"imatrix writer: ", needle});
        expect_error([&] { imatrix_dat_bytes(s); }, {"imatrix writer: ", needle});
    };
    ImatrixStatsSet none = sample();
    none.entries.clear();
    both(none, "no entries");

    ImatrixStatsSet s = sample();
    s.entries[1].name = "";
    both(s, "empty name");
    s = sample();
    s.entries[2].name = s.entries[0].name;
    both(s, "duplicate name");
    s = sample();
    s.entries[1].sums.pop_back();
    both(s, "5 sums are not a positive multiple of 3 counts");
    s = sample();
    s.entries[0].sums[1] = -1.f;
    both(s, "a sum is -1");
    s = sample();
    s.entries[1].counts[0] = -2.f;
    both(s, "a count is -2");
    s = sample();
    s.chunk_count = -1;
    both(s, "negative chunk count");

    s = sample();
    s.chunk_size = 0;
    expect_error([&] { imatrix_dat_bytes(s); }, {"chunk_size must be > 0"});
    EXPECT_NO_THROW(imatrix_gguf_bytes(s));
    s = sample();
    s.entries[2].counts = {0.f};
    expect_error([&] { imatrix_dat_bytes(s); }, {"entry 'output.weight'", "every count is 0"});
}

}  // namespace
}  // namespace sy::imatrix_test
