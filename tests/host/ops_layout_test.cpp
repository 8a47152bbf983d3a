// The SDK's block-type layout helpers (tensor_layout.hpp) that the reference backend's bounds
// and aliasing checks rest on, with expectations computed by hand from the type sizes.
#include <gtest/gtest.h>

#include "host/tensor_view.hpp"
#include "switchyard/sdk/tensor_layout.hpp"

namespace sy::host {
namespace {

constexpr int32_t kF32 = 0, kQ4_0 = 2, kIQ4_KS = 144;
const sdk::RowFormat kQ4_0Format{32, 18, 0};
const sdk::RowFormat kIQ4_KSFormat{256, 136, 4};  // a 4-byte row scale before the blocks

TEST(BlockLayout, RowBytesCountTheHeader) {
    uint64_t bytes = 0;
    ASSERT_TRUE(sdk::format_row_bytes(kIQ4_KSFormat, 512, &bytes));
    EXPECT_EQ(bytes, 4u + 2u * 136u);
    EXPECT_FALSE(sdk::format_row_bytes(kIQ4_KSFormat, 300, &bytes));  // not whole blocks
    EXPECT_FALSE(sdk::format_row_bytes(sdk::RowFormat{}, 32, &bytes));  // unknown type
    EXPECT_FALSE(sdk::format_row_bytes(sdk::RowFormat{1, 8, 0}, INT64_MAX, &bytes));  // 2^66 bytes
    EXPECT_FALSE(sdk::format_row_bytes(sdk::RowFormat{1, 2, UINT64_MAX}, 1, &bytes));  // + header
}

TEST(BlockLayout, SpanCountsWholeRows) {
    // Q4_0 [64, 3, 2] contiguous: 3*2 rows of 36 bytes.
    const sy_tensor q = tensor_desc(kQ4_0, {64, 3, 2});
    uint64_t span = 0;
    ASSERT_TRUE(sdk::view_span_bytes(q, kQ4_0Format, &span));
    EXPECT_EQ(span, 6u * 36u);
    // A row-header type with padded rows: last row starts at 2 * 400, is 4 + 136 bytes long.
    sy_tensor iq = tensor_desc(kIQ4_KS, {256, 3});
    iq.nb[1] = 400;
    iq.nb[2] = iq.nb[3] = 1200;
    ASSERT_TRUE(sdk::view_span_bytes(iq, kIQ4_KSFormat, &span));
    EXPECT_EQ(span, 2u * 400u + 140u);
    // Plain types: dimension 0 is strided like the others (a transposed view).
    sy_tensor t = tensor_desc(kF32, {4, 3});
    t.nb[0] = 12;
    t.nb[1] = 4;
    ASSERT_TRUE(sdk::view_span_bytes(t, sdk::plain_row_format(kF32), &span));
    EXPECT_EQ(span, 3u * 12u + 2u * 4u + 4u);
}

TEST(BlockLayout, BlockRowsMustBeWholeAndApart) {
    const sy_tensor q = tensor_desc(kQ4_0, {64, 3});
    EXPECT_TRUE(sdk::block_layout_ok(q, kQ4_0Format));
    sy_tensor bad = q;
    bad.nb[0] = 4;  // nb[0] is the block's bytes
    EXPECT_FALSE(sdk::block_layout_ok(bad, kQ4_0Format));
    bad = q;
    bad.nb[1] = 35;  // rows overlap
    EXPECT_FALSE(sdk::block_layout_ok(bad, kQ4_0Format));
    bad = q;
    bad.ne[0] = 40;
    EXPECT_FALSE(sdk::block_layout_ok(bad, kQ4_0Format));
    sy_tensor odd_offset = q;
    odd_offset.offset = 3;  // block rows need no alignment
    EXPECT_TRUE(sdk::block_layout_ok(odd_offset, kQ4_0Format));
}

TEST(BlockLayout, ElementsDisjoint) {
    const sdk::RowFormat f32 = sdk::plain_row_format(kF32);
    sy_tensor t = tensor_desc(kF32, {4, 3, 2});
    EXPECT_TRUE(sdk::view_elements_disjoint(t, f32));
    t.nb[0] = 12;  // transposed: (i, j) at 12 i + 4 j, with ne1 = 3: disjoint
    t.nb[1] = 4;
    t.nb[2] = 48;
    EXPECT_TRUE(sdk::view_elements_disjoint(t, f32));
    t.nb[2] = 40;  // the second plane starts inside the first
    EXPECT_FALSE(sdk::view_elements_disjoint(t, f32));
    sy_tensor broadcast = tensor_desc(kF32, {4, 3});
    broadcast.nb[1] = 0;  // every row at the same place
    EXPECT_FALSE(sdk::view_elements_disjoint(broadcast, f32));
    sy_tensor rows = tensor_desc(kQ4_0, {64, 3});
    rows.nb[1] = 36;
    EXPECT_TRUE(sdk::view_elements_disjoint(rows, kQ4_0Format));
    rows.nb[1] = 20;
    EXPECT_FALSE(sdk::view_elements_disjoint(rows, kQ4_0Format));
}

TEST(BlockLayout, ViewsApartAndSameView) {
    int dummy = 0;
    sy_tensor a = tensor_desc(kF32, {8});
    a.buffer = reinterpret_cast<sy_buffer>(&dummy);
    sy_tensor b = a;
    b.offset = 32;
    const sdk::RowFormat f32 = sdk::plain_row_format(kF32);
    EXPECT_TRUE(sdk::views_apart(a, f32, b, f32));  // [0, 32) and [32, 64)
    b.offset = 28;
    EXPECT_FALSE(sdk::views_apart(a, f32, b, f32));
    EXPECT_TRUE(sdk::same_view(a, a));
    EXPECT_FALSE(sdk::same_view(a, b));
    sy_tensor other = b;
    other.buffer = nullptr;
    EXPECT_TRUE(sdk::views_apart(a, f32, other, f32));  // different buffers
}

}  // namespace
}  // namespace sy::host
