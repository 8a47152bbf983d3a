// Writer → reader round trips: every value type, nested arrays, alignments, GGUF v2, mmap and
// read modes, tensor fillers, and the writer's own validation and failure cleanup.
#include <gtest/gtest.h>

#include "gguf_test_support.hpp"
#include "gguf/gguf_model.hpp"
#include "gguf/gguf_writer.hpp"

namespace sy::gguf {
namespace {

using test::TempDir;

uint64_t pad(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

// Every key, value, tensor and data byte of `w` is what `f` holds, in the same order.
void expect_same_content(const GgufWriter& w, const std::vector<uint8_t>& written, const GgufFile& f) {
    ASSERT_EQ(f.kvs().size(), w.kv_count());
    for (const KeyValue& kv : f.kvs()) {
        const Value* expected = w.find(kv.key);
        ASSERT_NE(expected, nullptr) << kv.key;
        EXPECT_EQ(kv.value, *expected) << kv.key;
    }
    ASSERT_EQ(f.tensors().size(), w.tensor_count());
    const GgufFile reference = GgufFile::from_memory(written, "written");
    for (size_t i = 0; i < f.tensors().size(); ++i) {
        const TensorInfo& a = f.tensors()[i];
        const TensorInfo& b = reference.tensors()[i];
        EXPECT_EQ(a.name, b.name);
        const auto da = f.tensor_data(a);
        const auto db = reference.tensor_data(b);
        EXPECT_TRUE(std::equal(da.begin(), da.end(), db.begin(), db.end())) << a.name;
    }
}

TEST(GgufRoundTrip, EveryValueTypeKeyOrderAndTensor) {
    const GgufWriter w = test::sample_writer();
    const std::vector<uint8_t> bytes = w.to_bytes();
    const GgufFile f = GgufFile::from_memory(bytes, "sample.gguf");
    EXPECT_EQ(f.version(), 3u);
    EXPECT_EQ(f.alignment(), 32u);

    const char* order[] = {"general.architecture", "test.u8", "test.i8", "test.u16", "test.i16", "test.u32",
                           "test.i32", "test.f32", "test.bool", "test.string", "test.u64", "test.i64",
                           "test.f64", "test.empty_string", "test.tokens", "test.scores", "test.types",
                           "test.flags", "test.empty_array", "test.nested"};
    ASSERT_EQ(f.kvs().size(), std::size(order));
    for (size_t i = 0; i < std::size(order); ++i) EXPECT_EQ(f.kvs()[i].key, order[i]);

    EXPECT_EQ(f.get("test.u8").value.get<uint8_t>(), 250);
    EXPECT_EQ(f.get("test.i8").as_i64(), -7);
    EXPECT_EQ(f.get("test.u16").as_u64(), 65000u);
    EXPECT_EQ(f.get("test.i16").as_i64(), -30000);
    EXPECT_EQ(f.get("test.u32").as_u64(), 4000000000u);
    EXPECT_EQ(f.get("test.i32").as_i64(), -2000000000);
    EXPECT_EQ(f.get("test.f32").value.get<float>(), 1.5f);
    EXPECT_TRUE(f.get("test.bool").as_bool());
    EXPECT_EQ(f.get("test.string").as_string(), "h\u00e9llo, w\xc3\xb6rld");
    EXPECT_EQ(f.get("test.u64").as_u64(), 18000000000000000000ull);
    EXPECT_EQ(f.get("test.i64").as_i64(), -9000000000000000000ll);
    EXPECT_EQ(f.get("test.f64").as_f64(), -2.25);
    EXPECT_EQ(f.get("test.empty_string").as_string(), "");
    const Value& tokens = f.get("test.tokens").value;
    ASSERT_EQ(tokens.size(), 4u);
    EXPECT_EQ(tokens.string_at(2), "hello");
    EXPECT_EQ(f.get("test.scores").value.span<float>()[1], -1.5f);
    EXPECT_EQ(f.get("test.types").value.span<int32_t>()[3], -4);
    EXPECT_FALSE(f.get("test.flags").value.span<bool>()[1]);
    EXPECT_EQ(f.get("test.empty_array").value.elem_type(), ValueType::U64);
    const Value& nested = f.get("test.nested").value;
    ASSERT_EQ(nested.size(), 4u);
    EXPECT_EQ(nested.array_at(1).string_at(1), "bc");
    EXPECT_EQ(nested.array_at(2).array_at(0).span<double>()[0], 0.5);
    EXPECT_EQ(nested.array_at(3).size(), 0u);
    EXPECT_EQ(f.find("no.such.key"), nullptr);
    EXPECT_THROW(f.get("no.such.key"), Error);
    expect_same_content(w, bytes, f);
}

TEST(GgufRoundTrip, TensorInfosAndRowHeaders) {
    const std::vector<uint8_t> bytes = test::sample_writer().to_bytes();
    const GgufFile f = GgufFile::from_memory(bytes, "sample.gguf");
    ASSERT_EQ(f.tensors().size(), 4u);
    const TensorInfo* iq2 = f.find_tensor("iq2_ks.weight");
    ASSERT_NE(iq2, nullptr);
    EXPECT_EQ(iq2->type, 145);
    EXPECT_EQ(iq2->nbytes, 3u * (2 + 70));  // one fp16 row header per row
    const TensorInfo* q8 = f.find_tensor("q8_0.weight");
    ASSERT_NE(q8, nullptr);
    EXPECT_EQ(q8->n_dims, 3u);
    EXPECT_EQ(std::vector<int64_t>(q8->shape().begin(), q8->shape().end()), (std::vector<int64_t>{64, 2, 3}));
    EXPECT_EQ(q8->n_rows(), 6);
    EXPECT_EQ(q8->n_elements(), 384);
    EXPECT_EQ(f.find_tensor("f16.weight")->n_dims, 4u);
    EXPECT_EQ(f.find_tensor("nope"), nullptr);
    uint64_t expected_offset = 0;
    for (const TensorInfo& t : f.tensors()) {
        EXPECT_EQ(t.offset, expected_offset) << t.name;
        EXPECT_EQ(t.file_offset, f.data_offset() + t.offset);
        expected_offset += pad(t.nbytes, 32);
        const auto data = f.tensor_data(t);
        const auto expected = test::pattern_bytes(t.nbytes, static_cast<uint32_t>(&t - f.tensors().data()) + 1);
        EXPECT_TRUE(std::equal(data.begin(), data.end(), expected.begin(), expected.end())) << t.name;
    }
    EXPECT_EQ(f.file_size(), f.data_offset() + expected_offset);
}

class GgufAlignment : public ::testing::TestWithParam<uint32_t> {};

TEST_P(GgufAlignment, OffsetsFollowTheAlignment) {
    const uint32_t a = GetParam();
    const GgufWriter w = test::sample_writer(a);
    const std::vector<uint8_t> bytes = w.to_bytes();
    const GgufFile f = GgufFile::from_memory(bytes, "aligned.gguf");
    EXPECT_EQ(f.alignment(), a);
    if (a == 32) {
        EXPECT_EQ(f.find("general.alignment"), nullptr);  // the default is not written
    } else {
        EXPECT_EQ(f.get("general.alignment").value.get<uint32_t>(), a);
    }
    EXPECT_EQ(f.data_offset() % a, 0u);
    EXPECT_EQ(f.file_size() % a, 0u);
    for (const TensorInfo& t : f.tensors()) EXPECT_EQ(t.offset % a, 0u) << t.name;
    expect_same_content(w, bytes, f);
}

INSTANTIATE_TEST_SUITE_P(PowersOfTwo, GgufAlignment, ::testing::Values(1u, 8u, 32u, 64u, 4096u));

TEST(GgufRoundTrip, Version2ReadsLikeVersion3) {
    std::vector<uint8_t> bytes = test::sample_writer().to_bytes();
    bytes[4] = 2;  // v2 differs from v3 only in allowing big-endian files (which we reject)
    const GgufFile f = GgufFile::from_memory(bytes, "v2.gguf");
    EXPECT_EQ(f.version(), 2u);
    EXPECT_EQ(f.kvs().size(), test::sample_writer().kv_count());
    EXPECT_EQ(f.tensors().size(), 4u);
}

TEST(GgufRoundTrip, MmapAndReadModesGiveTheSameBytes) {
    TempDir dir;
    const GgufWriter w = test::sample_writer();
    const std::string path = dir.file("model.gguf");
    w.write(path);
    EXPECT_EQ(test::read_file(path), w.to_bytes());
    const GgufFile mapped = GgufFile::open(path, {.use_mmap = true});
    const GgufFile read = GgufFile::open(path, {.use_mmap = false});
    EXPECT_TRUE(mapped.is_mapped());
    EXPECT_FALSE(read.is_mapped());
    EXPECT_EQ(mapped.path(), path);
    ASSERT_EQ(mapped.file_size(), read.file_size());
    EXPECT_TRUE(std::equal(mapped.bytes().begin(), mapped.bytes().end(), read.bytes().begin()));
    for (size_t i = 0; i < mapped.tensors().size(); ++i) {
        const auto a = mapped.tensor_data(mapped.tensors()[i]);
        const auto b = read.tensor_data(read.tensors()[i]);
        EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
    }
    expect_same_content(w, w.to_bytes(), read);
}

TEST(GgufRoundTrip, SingleFileIsAModelOfOneShard) {
    TempDir dir;
    const std::string path = dir.file("one.gguf");
    test::sample_writer().write(path);
    const GgufModel m = GgufModel::open(path);
    EXPECT_EQ(m.shards().size(), 1u);
    EXPECT_EQ(m.path(), path);
    EXPECT_EQ(m.tensors().size(), 4u);
    EXPECT_EQ(m.get("general.architecture").as_string(), "llama");
    const TensorInfo* t = m.find_tensor("q8_0.weight");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(m.tensor_data(*t).size(), t->nbytes);
    EXPECT_EQ(m.total_file_size(), m.shards()[0].file_size());
}

TEST(GgufRoundTrip, FillerTensorsAreWrittenLazily) {
    GgufWriter w;
    const int64_t ne[] = {32, 4};
    int calls = 0;
    w.add_tensor("lazy", 8, ne, [&](std::span<uint8_t> out) {
        ++calls;
        ASSERT_EQ(out.size(), 4u * 34u);
        for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(i);
    });
    EXPECT_EQ(calls, 0);
    const std::vector<uint8_t> bytes = w.to_bytes();
    EXPECT_EQ(calls, 1);
    const GgufFile f = GgufFile::from_memory(bytes, "lazy.gguf");
    const auto data = f.tensor_data(f.tensors()[0]);
    EXPECT_EQ(data[135], 135);
}

TEST(GgufRoundTrip, SetReplacesInPlaceAndRemoveDeletes) {
    GgufWriter w;
    w.set("a", Value::scalar<uint32_t>(1));
    w.set("b", Value::scalar<uint32_t>(2));
    w.set("a", Value::string("one"));
    EXPECT_TRUE(w.remove("b"));
    EXPECT_FALSE(w.remove("b"));
    w.set("c", Value::scalar<uint32_t>(3));
    const auto bytes = w.to_bytes();
    const GgufFile f = GgufFile::from_memory(bytes, "kv.gguf");
    ASSERT_EQ(f.kvs().size(), 2u);
    EXPECT_EQ(f.kvs()[0].key, "a");
    EXPECT_EQ(f.kvs()[0].as_string(), "one");
    EXPECT_EQ(f.kvs()[1].key, "c");
    EXPECT_EQ(f.data_offset() % 32, 0u);
    EXPECT_TRUE(f.tensors().empty());
}

TEST(GgufWriter, RejectsInvalidTensorsAndKeepsItsState) {
    GgufWriter w;
    const int64_t ok[] = {32, 2};
    w.add_tensor("t", 0, ok, test::pattern_bytes(256, 0));
    const auto expect_reject = [&](std::string name, int32_t type, std::vector<int64_t> ne, size_t bytes,
                                   const char* part) {
        try {
            w.add_tensor(name, type, ne, test::pattern_bytes(bytes, 0));
            ADD_FAILURE() << "accepted " << name;
        } catch (const Error& e) {
            EXPECT_CONTAINS(e.what(), part);
        }
        EXPECT_EQ(w.tensor_count(), 1u);
    };
    expect_reject("t", 0, {32, 2}, 256, "duplicate");
    expect_reject("bad_type", 159, {32}, 128, "unknown");
    expect_reject("bad_block", 8, {33}, 34, "multiple");
    expect_reject("no_dims", 0, {}, 4, "dimensions");
    expect_reject("five_dims", 0, {1, 1, 1, 1, 1}, 4, "dimensions");
    expect_reject("negative", 0, {4, -1}, 16, "positive");
    expect_reject("short_data", 0, {4}, 15, "expected 16");
    expect_reject(std::string(64, 'x'), 0, {4}, 16, "names must be");
    expect_reject("", 0, {4}, 16, "names must be");
    expect_reject("overflow", 0, {1ll << 40, 1ll << 40}, 0, "overflow");
}

TEST(GgufWriter, RejectsInvalidKeysAndValues) {
    GgufWriter w;
    EXPECT_THROW(w.set("", Value::scalar<uint8_t>(0)), Error);
    EXPECT_THROW(w.set_alignment(0), Error);
    EXPECT_THROW(w.set_alignment(48), Error);
    EXPECT_THROW(w.set("general.alignment", Value::scalar<int32_t>(32)), Error);
    Value deep = Value::array(std::vector<uint8_t>{1});
    for (int i = 0; i < 8; ++i) deep = Value::array_of_arrays({deep});
    EXPECT_THROW(w.set("deep", deep), Error);  // 9 levels
    EXPECT_EQ(w.kv_count(), 0u);
    EXPECT_EQ(w.alignment(), 32u);
}

TEST(GgufWriter, FailedWriteLeavesNoPartialFile) {
    TempDir dir;
    const std::string path = dir.file("out.gguf");
    test::sample_writer().write(path);
    const auto before = test::read_file(path);

    GgufWriter w = test::sample_writer();
    const int64_t ne[] = {4};
    w.add_tensor("boom", 0, ne, [](std::span<uint8_t>) { throw Error("filler failed"); });
    EXPECT_THROW(w.write(path), Error);
    EXPECT_EQ(test::read_file(path), before);  // the old file is untouched
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.gguf"});

    EXPECT_THROW(w.write_split(dir.file("split.gguf"), {.max_tensors = 1}), Error);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.gguf"});
    EXPECT_THROW(w.write(dir.file("no/such/dir/x.gguf")), Error);
}

}  // namespace
}  // namespace sy::gguf
