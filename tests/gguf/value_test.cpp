// sy::gguf::Value: construction, typed access, conversions and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gguf_test_support.hpp"
#include "gguf/value.hpp"

namespace sy::gguf {
namespace {

TEST(GgufValue, ScalarsKeepTypeAndValue) {
    EXPECT_EQ(Value::scalar<uint8_t>(200).type(), ValueType::U8);
    EXPECT_EQ(Value::scalar<int16_t>(-5).get<int16_t>(), -5);
    EXPECT_EQ(Value::scalar<uint64_t>(~0ull).get<uint64_t>(), ~0ull);
    EXPECT_EQ(Value::scalar(2.5f).get<float>(), 2.5f);
    EXPECT_EQ(Value::scalar(true).as_bool(), true);
    EXPECT_EQ(Value::string("abc").as_string(), "abc");
}

TEST(GgufValue, IntegerConversionsCheckRange) {
    EXPECT_EQ(Value::scalar<int8_t>(-1).as_i64(), -1);
    EXPECT_EQ(Value::scalar<int32_t>(7).as_u64(), 7u);
    EXPECT_EQ(Value::scalar<uint16_t>(65535).as_i64(), 65535);
    EXPECT_THROW(Value::scalar<int32_t>(-3).as_u64(), Error);
    EXPECT_THROW(Value::scalar<uint64_t>(~0ull).as_i64(), Error);
    EXPECT_EQ(Value::scalar<int64_t>(std::numeric_limits<int64_t>::min()).as_i64(),
              std::numeric_limits<int64_t>::min());
    EXPECT_DOUBLE_EQ(Value::scalar<uint32_t>(3).as_f64(), 3.0);
    EXPECT_DOUBLE_EQ(Value::scalar(0.1).as_f64(), 0.1);
}

TEST(GgufValue, TypeMismatchNamesTheValue) {
    const Value s = Value::string("x");
    try {
        s.as_u64("key 'llama.block_count'");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_CONTAINS(e.what(), "key 'llama.block_count'");
        EXPECT_CONTAINS(e.what(), "string");
    }
    EXPECT_THROW(Value::scalar<uint32_t>(1).get<int32_t>(), Error);
    EXPECT_THROW(Value::scalar<uint32_t>(1).as_string(), Error);
    EXPECT_THROW(Value::scalar<uint8_t>(1).as_bool(), Error);
    EXPECT_THROW(Value::scalar<uint8_t>(1).size(), Error);
}

TEST(GgufValue, StringArraysAreCompactAndIndexable) {
    Value v = Value::string_array({"a", "", "ccc"});
    EXPECT_EQ(v.elem_type(), ValueType::String);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v.string_at(0), "a");
    EXPECT_EQ(v.string_at(1), "");
    EXPECT_EQ(v.string_at(2), "ccc");
    EXPECT_THROW(v.string_at(3), Error);
    EXPECT_THROW(v.span<float>(), Error);
    v.push_string("dd");
    EXPECT_EQ(v.size(), 4u);
    EXPECT_EQ(v.element(3).as_string(), "dd");
}

TEST(GgufValue, NumericArraysGiveSpansAndConversions) {
    const Value v = Value::array(std::vector<int32_t>{-1, 2, 3});
    const auto span = v.span<int32_t>();
    ASSERT_EQ(span.size(), 3u);
    EXPECT_EQ(span[0], -1);
    EXPECT_EQ(v.i64_at(0), -1);
    EXPECT_EQ(v.u64_at(2), 3u);
    EXPECT_THROW(v.u64_at(0), Error);
    EXPECT_DOUBLE_EQ(v.f64_at(1), 2.0);
    EXPECT_EQ(v.element(1), Value::scalar<int32_t>(2));
    EXPECT_THROW(v.span<uint32_t>(), Error);
}

TEST(GgufValue, NestedArrays) {
    const Value v = Value::array_of_arrays({Value::array(std::vector<uint8_t>{1}), Value::string_array({"x"})});
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v.array_at(0).span<uint8_t>()[0], 1);
    EXPECT_EQ(v.array_at(1).string_at(0), "x");
    EXPECT_THROW(Value::array_of_arrays({Value::scalar<uint8_t>(1)}), Error);
}

TEST(GgufValue, EqualityIsExactAndBitwiseForFloats) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(Value::scalar(nan), Value::scalar(nan));
    EXPECT_NE(Value::scalar(0.0f), Value::scalar(-0.0f));
    EXPECT_NE(Value::scalar<uint32_t>(1), Value::scalar<int32_t>(1));
    EXPECT_EQ(Value::string_array({"a", "b"}), Value::string_array({"a", "b"}));
    EXPECT_NE(Value::string_array({"ab"}), Value::string_array({"a", "b"}));
}

TEST(GgufValue, EncodedSizeMatchesTheFormat) {
    EXPECT_EQ(Value::scalar<uint16_t>(1).encoded_size(), 2u);
    EXPECT_EQ(Value::string("abc").encoded_size(), 8u + 3u);
    EXPECT_EQ(Value::string_array({"a", "bc"}).encoded_size(), 12u + 8u + 1u + 8u + 2u);
    EXPECT_EQ(Value::array_of_arrays({Value::array(std::vector<float>{1, 2})}).encoded_size(), 12u + 12u + 8u);
}

}  // namespace
}  // namespace sy::gguf
