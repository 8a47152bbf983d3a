// The legacy .dat reader: the golden fixture the oracle quantized with, hand-built files with
// known values, every truncation, and every malformed field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "imatrix/imatrix.hpp"
#include "imatrix_test_support.hpp"

namespace sy::imatrix_test {
namespace {

const std::string kGolden = std::string(SWITCHYARD_TEST_DATA_DIR) + "/golden_quants/imatrix.dat";

int32_t i32_at(const std::vector<uint8_t>& b, size_t at) {
    int32_t v;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}
float f32_at(const std::vector<uint8_t>& b, size_t at) {
    float v;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}

TEST(ImatrixDat, ReadsTheGoldenFixture) {
    const Imatrix m = read_imatrix(kGolden);
    EXPECT_EQ(m.format, "dat");
    EXPECT_EQ(m.chunk_count, 1);
    EXPECT_EQ(m.chunk_size, 0);
    EXPECT_EQ(m.datasets, std::vector<std::string>{"random"});
    const std::vector<std::string> names = {
        "token_embd.weight",        "output.weight",         "blk.0.attn_q.weight",
        "blk.0.attn_k.weight",      "blk.0.attn_v.weight",   "blk.0.attn_output.weight",
        "blk.0.ffn_gate.weight",    "blk.0.ffn_up.weight",   "blk.0.ffn_down.weight"};
    ASSERT_EQ(m.entries.size(), names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        const ImatrixEntry& e = m.entries[i];
        EXPECT_EQ(e.name, names[i]);
        EXPECT_EQ(e.n_slices, 1);
        EXPECT_EQ(e.values.size(), e.name == "blk.0.ffn_down.weight" ? 512u : 256u) << e.name;
        EXPECT_EQ(e.counts, std::vector<int64_t>{1}) << e.name;
        for (float v : e.values) EXPECT_TRUE(std::isfinite(v) && v >= 0) << e.name;
    }
}

// Value 100 of ffn_down, found in the raw bytes by its name (no parser involved): the stored
// float divided by the entry's ncall, which sits right after the name.
TEST(ImatrixDat, GoldenValueMatchesTheRawBytes) {
    const std::vector<uint8_t> raw = read_file(kGolden);
    const std::string name = "blk.0.ffn_down.weight";
    const auto it = std::search(raw.begin(), raw.end(), name.begin(), name.end());
    ASSERT_NE(it, raw.end());
    const auto name_end = size_t(it - raw.begin()) + name.size();
    ASSERT_EQ(i32_at(raw, name_end - name.size() - 4), int32_t(name.size()));
    const int32_t ncall = i32_at(raw, name_end);
    ASSERT_EQ(i32_at(raw, name_end + 4), 512);
    const float expected = f32_at(raw, name_end + 8 + 4 * 100) / float(ncall);

    const ImatrixEntry* e = read_imatrix(kGolden).find(name);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->values[100], expected);
}

TEST(ImatrixDat, DividesByNcallAndKeepsNcallZeroAsStored) {
    DatBytes d;
    d.i32(2).entry("a.weight", 4, {2.f, 6.f, 0.f}).entry("b.weight", 0, {3.f}).trailer(7, "wiki.txt");
    const Imatrix m = parse_imatrix_dat(d.bytes, "mem.dat");
    ASSERT_EQ(m.entries.size(), 2u);
    EXPECT_EQ(m.entries[0].name, "a.weight");
    EXPECT_EQ(m.entries[0].values, (std::vector<float>{0.5f, 1.5f, 0.f}));
    EXPECT_EQ(m.entries[0].counts, std::vector<int64_t>{4});
    EXPECT_EQ(m.entries[1].values, std::vector<float>{3.f});
    EXPECT_EQ(m.entries[1].counts, std::vector<int64_t>{0});
    EXPECT_EQ(m.chunk_count, 7);
    EXPECT_EQ(m.datasets, std::vector<std::string>{"wiki.txt"});
    EXPECT_EQ(m.find("b.weight"), &m.entries[1]);
    EXPECT_EQ(m.find("c.weight"), nullptr);
}

TEST(ImatrixDat, DivisionIsOneFloatDivisionPerValue) {
    // 1/3 and 0.1f/7: what llama-quantize gets with `v /= ncall` in float.
    DatBytes d;
    d.i32(1).entry("x", 3, {1.f}).trailer(0, "");
    EXPECT_EQ(parse_imatrix_dat(d.bytes, "m").entries[0].values[0], 1.f / 3.f);
    DatBytes e;
    e.i32(1).entry("x", 7, {0.1f});
    EXPECT_EQ(parse_imatrix_dat(e.bytes, "m").entries[0].values[0], 0.1f / 7.f);
}

TEST(ImatrixDat, TrailerIsOptionalAndMayHaveNoDataset) {
    DatBytes old;
    old.i32(1).entry("x", 1, {1.f});
    const Imatrix a = parse_imatrix_dat(old.bytes, "old.dat");
    EXPECT_EQ(a.chunk_count, 0);
    EXPECT_TRUE(a.datasets.empty());

    DatBytes no_name = old;
    no_name.trailer(12, "");
    const Imatrix b = parse_imatrix_dat(no_name.bytes, "new.dat");
    EXPECT_EQ(b.chunk_count, 12);
    EXPECT_TRUE(b.datasets.empty());
}

// Reads N out of "(byte N)" in a message.
uint64_t byte_in(const std::string& message) {
    const size_t at = message.find("(byte ");
    if (at == std::string::npos) return UINT64_MAX;
    return std::stoull(message.substr(at + 6));
}

// Cut anywhere, a file must be rejected with a message naming a byte inside what is left,
// except when cut exactly after the last entry (an old file without the trailer).
TEST(ImatrixDat, EveryTruncationIsRejectedAtAByteOffset) {
    DatBytes d;
    d.i32(2).entry("blk.0.ffn_up.weight", 2, {1.f, 2.f, 3.f}).entry("out", 1, {4.f});
    const size_t entries_end = d.size();
    d.trailer(3, "data.txt");
    for (size_t n = 0; n < d.size(); ++n) {
        const std::vector<uint8_t> cut(d.bytes.begin(), d.bytes.begin() + std::ptrdiff_t(n));
        if (n == entries_end) {
            EXPECT_NO_THROW(parse_imatrix_dat(cut, "cut.dat")) << n;
            continue;
        }
        try {
            parse_imatrix_dat(cut, "cut.dat");
            ADD_FAILURE() << "a file cut to " << n << " bytes was accepted";
        } catch (const sy::Error& e) {
            const std::string what = e.what();
            EXPECT_EQ(what.rfind("cut.dat: ", 0), 0u) << what;
            EXPECT_LE(byte_in(what), n) << what;
            const bool says_why = what.find("file ends too early") != std::string::npos ||
                                  what.find("left in the file") != std::string::npos;
            EXPECT_TRUE(says_why) << what;
        }
    }
}

TEST(ImatrixDat, RejectsBadCounts) {
    expect_dat_error({}, {"bad.dat: entry count (byte 0)", "file ends too early"});
    expect_dat_error(DatBytes().i32(0).bytes, {"entry count (byte 0)", "is 0, must be at least 1"});
    expect_dat_error(DatBytes().i32(-5).bytes, {"entry count (byte 0)", "is -5"});
    // A count the file cannot hold is refused before anything is reserved for it.
    expect_dat_error(DatBytes().i32(INT32_MAX).entry("x", 1, {1.f}).bytes,
                     {"entry count (byte 0)", "2147483647 entries need at least"});
}

// A malformed field followed by 16 more bytes, so that the file is long enough for its entry
// count and the error is about the field itself.
std::vector<uint8_t> padded(DatBytes d) {
    d.raw(std::vector<uint8_t>(16, 0).data(), 16);
    return d.bytes;
}

TEST(ImatrixDat, RejectsBadNames) {
    expect_dat_error(padded(DatBytes().i32(1).i32(0)), {"entry 0 name length (byte 4)", "is 0"});
    expect_dat_error(padded(DatBytes().i32(1).i32(-1)), {"entry 0 name length (byte 4)", "is -1"});
    expect_dat_error(padded(DatBytes().i32(1).i32(INT32_MAX)),
                     {"entry 0 name length (byte 4)", "exceeds the limit"});
    expect_dat_error(padded(DatBytes().i32(1).i32(60000)), {"entry 0 name (byte 8)", "file ends too early"});
    expect_dat_error(DatBytes().i32(1).entry(std::string("a\0b", 3), 1, {1.f}).bytes,
                     {"entry 0 name (byte 8)", "NUL"});
    DatBytes dup;
    dup.i32(2).entry("w", 1, {1.f}).entry("w", 1, {1.f});
    expect_dat_error(dup.bytes, {"entry 1 'w' (byte 21)", "duplicate name"});
}

TEST(ImatrixDat, RejectsBadNcallAndValueCounts) {
    expect_dat_error(DatBytes().i32(1).entry("w", -1, {1.f}).bytes, {"entry 0 'w' ncall (byte 9)", "is -1"});
    DatBytes zero;
    zero.i32(1).i32(1).text("w").i32(1).i32(0);
    expect_dat_error(padded(zero), {"entry 0 'w' value count (byte 13)", "is 0"});
    DatBytes negative;
    negative.i32(1).i32(1).text("w").i32(1).i32(-3);
    expect_dat_error(padded(negative), {"entry 0 'w' value count (byte 13)", "is -3"});
    // 2^31-1 values would be an 8 GiB allocation; the bytes left are checked first.
    DatBytes huge;
    huge.i32(1).i32(1).text("w").i32(1).i32(INT32_MAX).f32(1.f);
    expect_dat_error(huge.bytes, {"entry 0 'w' value count (byte 13)", "8589934588 bytes, 4 left"});
}

TEST(ImatrixDat, RejectsNonFiniteAndNegativeValues) {
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity(), -1e-30f}) {
        DatBytes d;
        d.i32(1).entry("w", 1, {1.f, bad, 2.f});
        expect_dat_error(d.bytes, {"entry 0 'w' value 1 (byte 21)", "must be finite and >= 0"});
    }
}

TEST(ImatrixDat, RejectsBadTrailers) {
    DatBytes good;
    good.i32(1).entry("w", 1, {1.f});
    const size_t end = good.size();  // 21

    DatBytes stray = good;
    stray.raw("\x01\x02", 2);
    expect_dat_error(stray.bytes, {"trailer chunk count (byte 21)", "file ends too early"});

    DatBytes negative_chunks = good;
    negative_chunks.trailer(-1, "x");
    expect_dat_error(negative_chunks.bytes, {"trailer chunk count (byte 21)", "is -1"});

    DatBytes negative_length = good;
    negative_length.i32(1).i32(-2);
    expect_dat_error(negative_length.bytes, {"trailer dataset name length (byte 25)", "is -2"});

    DatBytes long_name = good;
    long_name.i32(1).i32(10).text("abc");
    expect_dat_error(long_name.bytes, {"trailer dataset name (byte 29)", "file ends too early"});

    DatBytes nul = good;
    nul.trailer(1, std::string("a\0", 2));
    expect_dat_error(nul.bytes, {"trailer dataset name (byte 29)", "NUL"});

    DatBytes garbage = good;
    garbage.trailer(1, "abc").raw("x", 1);
    expect_dat_error(garbage.bytes, {"end of file (byte " + std::to_string(end + 11) + ")", "1 unexpected bytes"});
}

}  // namespace
}  // namespace sy::imatrix_test
