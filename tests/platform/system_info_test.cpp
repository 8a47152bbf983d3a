#include <gtest/gtest.h>

#include <string>

#include "switchyard/platform.hpp"

namespace sy::platform {
namespace {

TEST(SystemInfo, PageSizeIsAPowerOfTwoOfAtLeast4KiB) {
    const size_t page = page_size();
    EXPECT_GE(page, 4096u);
    EXPECT_EQ(page & (page - 1), 0u) << page;
}

TEST(SystemInfo, MemoryTotalsAreSane) {
    const uint64_t total = memory_total();
    const uint64_t avail = memory_available();
    EXPECT_GE(total, 64ull << 20) << "less than 64 MiB of RAM?";
    EXPECT_LT(total, 1ull << 50) << "more than 1 PiB of RAM?";
    EXPECT_GT(avail, 0u);
    EXPECT_LE(avail, total);
}

TEST(SystemInfo, ExecutablePathNamesThisTestBinary) {
    // Under qemu-user this must be the emulated test, not qemu-riscv64 itself.
    const std::string path = executable_path();
    ASSERT_FALSE(path.empty());
    EXPECT_EQ(path.front(), '/') << path;
    const std::string name = "/test_platform";
    ASSERT_GE(path.size(), name.size()) << path;
    EXPECT_EQ(path.substr(path.size() - name.size()), name) << path;
}

}  // namespace
}  // namespace sy::platform
