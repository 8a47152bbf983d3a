// Split models: written by GgufWriter::write_split, read by GgufModel as one model; and every
// way a set of shards can be inconsistent.
#include <gtest/gtest.h>

#include <filesystem>

#include "gguf_test_support.hpp"
#include "gguf/gguf_model.hpp"
#include "gguf/gguf_writer.hpp"
#include "gguf/split_naming.hpp"

namespace sy::gguf {
namespace {

using test::TempDir;

// Six F32 tensors of 64 floats (256 bytes) each.
GgufWriter six_tensor_writer() {
    GgufWriter w;
    w.set("general.architecture", Value::string("llama"));
    w.set("llama.block_count", Value::scalar<uint32_t>(6));
    const int64_t ne[] = {64};
    for (uint32_t i = 0; i < 6; ++i)
        w.add_tensor("blk." + std::to_string(i) + ".weight", 0, ne, test::pattern_bytes(256, i));
    return w;
}

// A shard written by hand, with whatever split keys a test wants.
void write_shard(const std::string& path, std::optional<int> no, std::optional<int> count,
                 std::optional<int> total, std::vector<std::string> tensor_names) {
    GgufWriter w;
    if (no) w.set("split.no", Value::scalar(static_cast<uint16_t>(*no)));
    if (count) w.set("split.count", Value::scalar(static_cast<uint16_t>(*count)));
    if (total) w.set("split.tensors.count", Value::scalar(static_cast<int32_t>(*total)));
    const int64_t ne[] = {8};
    for (const std::string& n : tensor_names) w.add_tensor(n, 0, ne, test::pattern_bytes(32, 0));
    w.write(path);
}

std::string open_error(const std::string& path) {
    try {
        GgufModel::open(path);
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "opened " << path;
    return {};
}

TEST(GgufSplitNaming, ParsesAndFormats) {
    EXPECT_EQ(split_path("dir/model", 2, 3), "dir/model-00002-of-00003.gguf");
    const auto n = parse_split_path("dir/model-q4-00002-of-00046.gguf");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->prefix, "dir/model-q4");
    EXPECT_EQ(n->number, 2u);
    EXPECT_EQ(n->count, 46u);
    EXPECT_FALSE(parse_split_path("model.gguf"));
    EXPECT_FALSE(parse_split_path("model-00001-of-.gguf"));
    EXPECT_FALSE(parse_split_path("-00001-of-00002.gguf"));
    EXPECT_FALSE(parse_split_path("model-00001-of-00002.bin"));
}

TEST(GgufSplit, ByTensorCountReadsBackAsOneModel) {
    TempDir dir;
    const GgufWriter w = six_tensor_writer();
    const auto paths = w.write_split(dir.file("m.gguf"), {.max_tensors = 4});
    ASSERT_EQ(paths, (std::vector<std::string>{dir.file("m-00001-of-00002.gguf"), dir.file("m-00002-of-00002.gguf")}));

    const GgufModel m = GgufModel::open(paths[0]);
    ASSERT_EQ(m.shards().size(), 2u);
    EXPECT_EQ(m.shards()[0].tensors().size(), 4u);
    EXPECT_EQ(m.shards()[1].tensors().size(), 2u);
    EXPECT_EQ(m.get("llama.block_count").as_u64(), 6u);
    EXPECT_EQ(m.get("split.no").value.get<uint16_t>(), 0);
    EXPECT_EQ(m.get("split.count").value.get<uint16_t>(), 2);
    EXPECT_EQ(m.get("split.tensors.count").value.get<int32_t>(), 6);
    EXPECT_EQ(m.shards()[1].find("general.architecture"), nullptr);  // metadata only in shard 1
    ASSERT_EQ(m.tensors().size(), 6u);
    for (uint32_t i = 0; i < 6; ++i) {
        const TensorInfo* t = m.find_tensor("blk." + std::to_string(i) + ".weight");
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->shard, i < 4 ? 0u : 1u);
        const auto data = m.tensor_data(*t);
        const auto expected = test::pattern_bytes(256, i);
        EXPECT_TRUE(std::equal(data.begin(), data.end(), expected.begin(), expected.end()));
    }
    EXPECT_EQ(m.total_file_size(), m.shards()[0].file_size() + m.shards()[1].file_size());
}

TEST(GgufSplit, ByBytesAndWithAlignment) {
    TempDir dir;
    GgufWriter w = six_tensor_writer();
    w.set_alignment(64);
    const auto paths = w.write_split(dir.file("b"), {.max_bytes = 600});  // two 256-byte tensors per shard
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(paths[2], dir.file("b-00003-of-00003.gguf"));
    const GgufModel m = GgufModel::open(paths[0], {.use_mmap = false});
    for (const GgufFile& s : m.shards()) {
        EXPECT_EQ(s.alignment(), 64u);
        EXPECT_EQ(s.tensors().size(), 2u);
    }
    EXPECT_EQ(m.tensors().size(), 6u);
}

TEST(GgufSplit, OneShardWhenNoLimitIsHit) {
    TempDir dir;
    const auto paths = six_tensor_writer().write_split(dir.file("one.gguf"), {});
    ASSERT_EQ(paths, std::vector<std::string>{dir.file("one-00001-of-00001.gguf")});
    EXPECT_EQ(GgufModel::open(paths[0]).tensors().size(), 6u);
}

TEST(GgufSplit, MissingPartIsNamed) {
    TempDir dir;
    const auto paths = six_tensor_writer().write_split(dir.file("m.gguf"), {.max_tensors = 2});
    std::filesystem::remove(paths[1]);
    const std::string msg = open_error(paths[0]);
    EXPECT_CONTAINS(msg, "missing split part");
    EXPECT_CONTAINS(msg, "m-00002-of-00003.gguf");
}

TEST(GgufSplit, MustBeOpenedFromTheFirstShard) {
    TempDir dir;
    const auto paths = six_tensor_writer().write_split(dir.file("m.gguf"), {.max_tensors = 3});
    const std::string msg = open_error(paths[1]);
    EXPECT_CONTAINS(msg, "shard 2 of 2");
    EXPECT_CONTAINS(msg, "m-00001-of-00002.gguf");
}

TEST(GgufSplit, RenamedFirstShardCannotFindTheOthers) {
    TempDir dir;
    const auto paths = six_tensor_writer().write_split(dir.file("m.gguf"), {.max_tensors = 3});
    std::filesystem::rename(paths[0], dir.file("renamed.gguf"));
    EXPECT_CONTAINS(open_error(dir.file("renamed.gguf")), "file name does not follow");
}

TEST(GgufSplit, InconsistentSplitKeysAreRejected) {
    TempDir dir;
    const auto path1 = dir.file("x-00001-of-00002.gguf");
    const auto path2 = dir.file("x-00002-of-00002.gguf");

    write_shard(path1, 0, 2, 2, {"a"});
    write_shard(path2, 0, 2, 2, {"b"});  // claims to be shard 0 again
    std::string msg = open_error(path1);
    EXPECT_CONTAINS(msg, path2);
    EXPECT_CONTAINS(msg, "split.no");

    write_shard(path2, 1, 3, 2, {"b"});  // disagrees on the shard count
    msg = open_error(path1);
    EXPECT_CONTAINS(msg, "split.count");

    write_shard(path2, 1, 2, 5, {"b"});  // disagrees on the total
    EXPECT_CONTAINS(open_error(path1), "split.tensors.count");

    write_shard(path1, 0, 2, 3, {"a"});  // total does not match the tensors present
    write_shard(path2, 1, 2, 3, {"b"});
    msg = open_error(path1);
    EXPECT_CONTAINS(msg, "split.tensors.count");
    EXPECT_CONTAINS(msg, "hold 2");

    write_shard(path1, 0, 2, 2, {"a"});  // the same tensor in two shards
    write_shard(path2, 1, 2, 2, {"a"});
    msg = open_error(path1);
    EXPECT_CONTAINS(msg, "duplicate tensor name");
    EXPECT_CONTAINS(msg, "'a'");

    write_shard(path2, std::nullopt, std::nullopt, std::nullopt, {"b"});  // no split keys at all
    msg = open_error(path1);
    EXPECT_CONTAINS(msg, path2);
    EXPECT_CONTAINS(msg, "missing key 'split.no'");

    write_shard(path1, 0, 0, 2, {"a"});  // zero shards
    EXPECT_CONTAINS(open_error(path1), "outside 1..65535");
}

TEST(GgufSplit, SplitKeyOfWrongTypeIsRejected) {
    TempDir dir;
    GgufWriter w;
    w.set("split.no", Value::scalar<uint16_t>(0));
    w.set("split.count", Value::string("2"));
    w.write(dir.file("s-00001-of-00002.gguf"));
    const std::string msg = open_error(dir.file("s-00001-of-00002.gguf"));
    EXPECT_CONTAINS(msg, "split.count");
    EXPECT_CONTAINS(msg, "must be an integer");
}

}  // namespace
}  // namespace sy::gguf
