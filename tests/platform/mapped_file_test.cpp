#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "switchyard/platform.hpp"

namespace sy::platform {
namespace {

namespace fs = std::filesystem;

// A file in the temp directory, unique per process and per call, removed on destruction.
class TempFile {
public:
    explicit TempFile(const std::vector<uint8_t>& bytes) {
        static std::atomic<int> counter{0};
        path_ = (fs::temp_directory_path() / ("sy_mapped_file_" + std::to_string(getpid()) + "_" +
                                              std::to_string(counter++) + ".bin"))
                    .string();
        std::ofstream out(path_, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    }
    ~TempFile() {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Spans several pages and ends mid-page, so the tail past the last full page is checked too.
std::vector<uint8_t> pattern_bytes() {
    std::vector<uint8_t> bytes(3 * 4096 + 17);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 131 + 7);
    return bytes;
}

TEST(MappedFile, MapsTheFileContents) {
    const std::vector<uint8_t> bytes = pattern_bytes();
    TempFile file(bytes);
    const MappedFile m = MappedFile::open(file.path());
    ASSERT_EQ(m.size(), bytes.size());
    ASSERT_NE(m.data(), nullptr);
    EXPECT_EQ(std::vector<uint8_t>(m.data(), m.data() + m.size()), bytes);
}

TEST(MappedFile, EmptyFileIsAnEmptyView) {
    TempFile file({});
    const MappedFile m = MappedFile::open(file.path());
    EXPECT_EQ(m.size(), 0u);
    EXPECT_EQ(m.data(), nullptr);
}

TEST(MappedFile, MissingFileErrorNamesThePathAndTheReason) {
    const std::string path = "/nonexistent-dir-for-switchyard/model.gguf";
    try {
        (void)MappedFile::open(path);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
    }
}

TEST(MappedFile, DirectoryIsRejectedByName) {
    const std::string dir = fs::temp_directory_path().string();
    try {
        (void)MappedFile::open(dir);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(dir), std::string::npos) << what;
        EXPECT_NE(what.find("not a regular file"), std::string::npos) << what;
    }
}

TEST(MappedFile, MoveTransfersOwnership) {
    const std::vector<uint8_t> bytes = pattern_bytes();
    TempFile file(bytes);
    MappedFile a = MappedFile::open(file.path());
    const uint8_t* data = a.data();

    MappedFile b(std::move(a));
    EXPECT_EQ(b.data(), data);
    EXPECT_EQ(b.size(), bytes.size());
    EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move): moved-from state is API
    EXPECT_EQ(a.size(), 0u);

    MappedFile c;
    EXPECT_EQ(c.size(), 0u);
    c = std::move(b);
    EXPECT_EQ(c.data(), data);
    EXPECT_EQ(b.data(), nullptr);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(c.data()[bytes.size() - 1], bytes.back());
}

TEST(MappedFile, MoveAssignReleasesThePreviousMapping) {
    TempFile first(pattern_bytes());
    TempFile second({1, 2, 3});
    MappedFile m = MappedFile::open(first.path());
    m = MappedFile::open(second.path());
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m.data()[2], 3);
}

}  // namespace
}  // namespace sy::platform
