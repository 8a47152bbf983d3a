// Hand-made invalid files, one defect each. Every one must fail with a sy::Error whose message
// names the file, the offending field and, where it is fixed, the byte offset.
#include <gtest/gtest.h>

#include "gguf_test_support.hpp"

namespace sy::gguf {
namespace {

using test::Bytes;
using test::parse_error;

constexpr uint64_t kHuge62 = 1ull << 62;
constexpr uint64_t kHuge63 = 1ull << 63;

// One tensor info, padded, with `data` bytes of tensor data.
std::vector<uint8_t> one_tensor(std::vector<uint64_t> ne, uint32_t type, uint64_t offset, size_t data) {
    Bytes b;
    b.header(1, 0).tensor("t", std::move(ne), type, offset).pad_to(32).zeros(data);
    return b.data;
}

TEST(GgufMalformedHeader, BadMagic) {
    Bytes b;
    b.data = {'G', 'G', 'U', 'X', 3, 0, 0, 0};
    const std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "bad.gguf: header.magic (byte 0)");
    EXPECT_CONTAINS(msg, "not a GGUF file");
}

TEST(GgufMalformedHeader, EmptyAndTinyFiles) {
    EXPECT_CONTAINS(parse_error({}), "header.magic (byte 0): file ends too early");
    EXPECT_CONTAINS(parse_error({'G', 'G', 'U', 'F', 3}), "header.version (byte 4)");
    Bytes b;
    b.header(0, 0);
    b.data.resize(20);
    EXPECT_CONTAINS(parse_error(b.data), "header.n_kv (byte 16)");
}

TEST(GgufMalformedHeader, Versions1And4AndBigEndian) {
    for (uint32_t v : {0u, 1u, 4u, 0x7fffffffu}) {
        Bytes b;
        b.header(0, 0, v);
        const std::string msg = parse_error(b.data);
        EXPECT_CONTAINS(msg, "header.version (byte 4)");
        EXPECT_CONTAINS(msg, v == 1 ? "version 1 is not supported" : "unsupported GGUF version");
    }
    Bytes b;
    b.header(0, 0, 0x03000000);
    EXPECT_CONTAINS(parse_error(b.data), "big-endian");
}

TEST(GgufMalformedHeader, HugeCounts) {
    Bytes b;
    b.header(kHuge62, 0);
    EXPECT_CONTAINS(parse_error(b.data), "header.n_tensors (byte 8)");
    b = {};
    b.header(0, kHuge62);
    EXPECT_CONTAINS(parse_error(b.data), "header.n_kv (byte 16)");
    b = {};
    b.header(~0ull, ~0ull);
    EXPECT_CONTAINS(parse_error(b.data), "header.n_tensors");
    b = {};
    b.header(0, 2).kv_u32("a", 1);  // claims two pairs, holds one
    EXPECT_CONTAINS(parse_error(b.data), "header.n_kv");
}

TEST(GgufMalformedKv, HugeStringLengths) {
    Bytes b;
    b.header(0, 1).u64(kHuge63).zeros(16);
    std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "kv[0].key (byte 24)");
    EXPECT_CONTAINS(msg, "string length 9223372036854775808");
    b = {};
    b.header(0, 1).str("name").u32(8).u64(kHuge63).zeros(16);
    msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "bad.gguf: key 'name' (byte 40)");
    EXPECT_CONTAINS(msg, "string length");
    b = {};
    b.header(0, 1).str("name").u32(8).u64(17).zeros(16);  // one byte short
    EXPECT_CONTAINS(parse_error(b.data), "exceeds the 16 bytes left");
}

TEST(GgufMalformedKv, HugeArrayCounts) {
    for (uint32_t elem : {0u, 6u, 8u, 9u, 12u}) {
        Bytes b;
        b.header(0, 1).str("arr").u32(9).u32(elem).u64(kHuge62).zeros(64);
        const std::string msg = parse_error(b.data);
        EXPECT_CONTAINS(msg, "key 'arr' (byte 39)");
        EXPECT_CONTAINS(msg, "cannot fit");
    }
    Bytes b;  // a plausible count of strings whose lengths lie
    b.header(0, 1).str("tokens").u32(9).u32(8).u64(2).str("ok").u64(kHuge63).zeros(8);
    const std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "key 'tokens' element 1");
    EXPECT_CONTAINS(msg, "string length");
}

TEST(GgufMalformedKv, UnknownValueTypes) {
    Bytes b;
    b.header(0, 1).str("k").u32(13).u32(0);
    std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "key 'k' (byte 33)");
    EXPECT_CONTAINS(msg, "unknown value type id 13");
    b = {};
    b.header(0, 1).str("k").u32(9).u32(77).u64(0);
    msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "key 'k' (byte 37)");
    EXPECT_CONTAINS(msg, "unknown array element type id 77");
}

TEST(GgufMalformedKv, DeepNesting) {
    const auto nested = [](int depth) {
        Bytes b;
        b.header(0, 1).str("deep").u32(9);
        for (int i = 1; i < depth; ++i) b.u32(9).u64(1);  // array of one array
        b.u32(0).u64(0);                                   // innermost: empty u8 array
        return b.data;
    };
    EXPECT_NO_THROW(GgufFile::from_memory(nested(8), "ok.gguf"));
    for (int depth : {9, 1000}) {
        const std::string msg = parse_error(nested(depth));
        EXPECT_CONTAINS(msg, "key 'deep'");
        EXPECT_CONTAINS(msg, "nested more than 8 levels");
    }
}

TEST(GgufMalformedKv, EmptyAndDuplicateKeys) {
    Bytes b;
    b.header(0, 1).str("").u32(4).u32(0);
    EXPECT_CONTAINS(parse_error(b.data), "kv[0].key (byte 24): empty key");
    b = {};
    b.header(0, 3).kv_u32("a", 1).kv_u32("b", 2).kv_u32("a", 3);
    const std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "key 'a' (byte 58)");
    EXPECT_CONTAINS(msg, "duplicate key (first at byte 24)");
}

TEST(GgufMalformedKv, KeysWithControlBytesAreEscaped) {
    Bytes b;
    b.header(0, 1).str("bad\nkey").u32(13);
    const std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "key 'bad\\x0akey'");
    EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(GgufMalformedKv, BadAlignment) {
    for (uint32_t a : {0u, 3u, 48u, 0xffffffffu}) {
        Bytes b;
        b.header(0, 1).kv_u32("general.alignment", a);
        const std::string msg = parse_error(b.data);
        EXPECT_CONTAINS(msg, "key 'general.alignment' (byte 24)");
        EXPECT_CONTAINS(msg, "not a nonzero power of two");
    }
    Bytes b;
    b.header(0, 1).str("general.alignment").u32(5).u32(32);  // i32, not u32
    EXPECT_CONTAINS(parse_error(b.data), "key 'general.alignment' (byte 24): must be a u32, not i32");
    b = {};
    b.header(0, 1).str("general.alignment").u32(10).u64(32);
    EXPECT_CONTAINS(parse_error(b.data), "must be a u32, not u64");
}

TEST(GgufMalformedTensor, DimensionCounts) {
    for (uint32_t dims : {0u, 5u}) {
        Bytes b;
        b.header(1, 0).str("t").u32(dims).zeros(64);
        const std::string msg = parse_error(b.data);
        EXPECT_CONTAINS(msg, "bad.gguf: tensor 't' (byte 33)");
        EXPECT_CONTAINS(msg, "n_dims is " + std::to_string(dims));
    }
}

TEST(GgufMalformedTensor, BadShapes) {
    std::string msg = parse_error(one_tensor({4, 0}, 0, 0, 64));
    EXPECT_CONTAINS(msg, "tensor 't' (byte 45)");
    EXPECT_CONTAINS(msg, "ne[1] is 0");
    msg = parse_error(one_tensor({kHuge63}, 0, 0, 64));  // -2^63 as int64
    EXPECT_CONTAINS(msg, "ne[0] is 9223372036854775808");
    msg = parse_error(one_tensor({~0ull}, 0, 0, 64));
    EXPECT_CONTAINS(msg, "ne[0] is 18446744073709551615");
    msg = parse_error(one_tensor({1ull << 32, 1ull << 32}, 0, 0, 64));
    EXPECT_CONTAINS(msg, "tensor 't'");
    EXPECT_CONTAINS(msg, "overflows 2^63-1 at ne[1]");
    msg = parse_error(one_tensor({1ull << 40, 1ull << 20, 1ull << 3}, 0, 0, 64));
    EXPECT_CONTAINS(msg, "overflows 2^63-1 at ne[2]");
    msg = parse_error(one_tensor({1ull << 62}, 0, 0, 64));  // fine as a count, not as bytes
    EXPECT_CONTAINS(msg, "tensor 't'");
}

TEST(GgufMalformedTensor, UnknownTypeAndBlockMisfit) {
    for (uint32_t type : {4u, 40u, 159u, 1000u, 0x80000000u}) {  // ids ik_llama.cpp does not define
        const std::string msg = parse_error(one_tensor({32}, type, 0, 256));
        EXPECT_CONTAINS(msg, "tensor 't' (byte 45)");
        EXPECT_CONTAINS(msg, "unknown tensor type id " + std::to_string(type));
    }
    std::string msg = parse_error(one_tensor({33}, 8, 0, 256));
    EXPECT_CONTAINS(msg, "tensor 't'");
    EXPECT_CONTAINS(msg, "not a multiple of the Q8_0 block of 32");
    msg = parse_error(one_tensor({128}, 145, 0, 256));  // IQ2_KS needs rows of 256
    EXPECT_CONTAINS(msg, "IQ2_KS block of 256");
}

TEST(GgufMalformedTensor, BadOffsets) {
    std::string msg = parse_error(one_tensor({8}, 0, 4, 64));
    EXPECT_CONTAINS(msg, "tensor 't' (byte 24)");
    EXPECT_CONTAINS(msg, "not a multiple of the alignment 32");
    msg = parse_error(one_tensor({8}, 0, 0, 31));
    EXPECT_CONTAINS(msg, "runs past the end of the file");
    msg = parse_error(one_tensor({8}, 0, 64, 64));
    EXPECT_CONTAINS(msg, "runs past the end of the file");
    msg = parse_error(one_tensor({8}, 0, ~0ull - 31, 64));  // offset + nbytes wraps around
    EXPECT_CONTAINS(msg, "runs past the end of the file");
    msg = parse_error(one_tensor({1ull << 61}, 0, 0, 64));  // 2^63 bytes
    EXPECT_CONTAINS(msg, "runs past the end of the file");
}

TEST(GgufMalformedTensor, OverlapsAndDuplicates) {
    Bytes b;
    b.header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {8}, 0, 32).pad_to(32).zeros(128);
    std::string msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "tensor 'b'");
    EXPECT_CONTAINS(msg, "overlaps tensor 'a'");
    b = {};
    b.header(2, 0).tensor("a", {8}, 0, 0).tensor("b", {8}, 0, 0).pad_to(32).zeros(64);
    EXPECT_CONTAINS(parse_error(b.data), "overlaps tensor 'a'");
    b = {};
    b.header(2, 0).tensor("same", {8}, 0, 0).tensor("same", {8}, 0, 32).pad_to(32).zeros(64);
    msg = parse_error(b.data);
    EXPECT_CONTAINS(msg, "tensor 'same' (byte 60)");
    EXPECT_CONTAINS(msg, "duplicate tensor name (first at byte 24)");
    b = {};
    b.header(1, 0).tensor("", {8}, 0, 0).pad_to(32).zeros(32);
    EXPECT_CONTAINS(parse_error(b.data), "tensor[0].name (byte 24): empty tensor name");
    b = {};
    b.header(1, 0).u64(kHuge63).zeros(64);
    EXPECT_CONTAINS(parse_error(b.data), "tensor[0].name (byte 24)");
}

TEST(GgufMalformedTensor, ValidHandMadeFileParses) {
    // The same builder makes a valid file, so the failures above are due to their one defect.
    Bytes b;
    b.header(2, 1).kv_u32("general.alignment", 64).tensor("a", {16}, 0, 0).tensor("b", {32}, 8, 64);
    b.pad_to(64).zeros(64 + 64);
    const GgufFile f = GgufFile::from_memory(b.data, "good.gguf");
    EXPECT_EQ(f.alignment(), 64u);
    EXPECT_EQ(f.tensors()[1].nbytes, 34u);
    EXPECT_EQ(f.data_offset() % 64, 0u);
}

TEST(GgufOpen, MissingFileIsNamed) {
    for (bool mmap : {true, false}) {
        try {
            GgufFile::open("/no/such/dir/model.gguf", {.use_mmap = mmap});
            ADD_FAILURE() << "opened a missing file";
        } catch (const Error& e) {
            EXPECT_CONTAINS(e.what(), "/no/such/dir/model.gguf");
        }
    }
}

}  // namespace
}  // namespace sy::gguf
