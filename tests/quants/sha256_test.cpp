// The test-only SHA-256 (tests/support/sha256.hpp) against the FIPS 180-4 examples.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sha256.hpp"

namespace sy::test {
namespace {

std::string sha256_of(const std::string& s) { return Sha256::of(s.data(), s.size()); }

TEST(Sha256, FipsExamples) {
    EXPECT_EQ(sha256_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // 56 bytes: the length no longer fits in the first block.
    EXPECT_EQ(sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_of(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, UpdatesInPiecesEqualOneUpdate) {
    std::vector<uint8_t> bytes;
    for (int i = 0; i < 3; ++i)
        for (int b = 0; b < 256; ++b) bytes.push_back(uint8_t(b));
    Sha256 pieces;
    for (size_t at = 0, step = 1; at < bytes.size(); at += step, step = step * 2 + 1)
        pieces.update(bytes.data() + at, std::min(step, bytes.size() - at));
    const std::string want = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363";
    EXPECT_EQ(pieces.hex_digest(), want);
    EXPECT_EQ(Sha256::of(bytes.data(), bytes.size()), want);
}

}  // namespace
}  // namespace sy::test
