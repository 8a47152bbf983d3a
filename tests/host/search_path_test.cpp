// Discovery: the file-name convention, the order of the search path, and the environment
// variable taking precedence over the build tree.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/plugin_file_name.hpp"
#include "host/plugin_host.hpp"
#include "host/search_path.hpp"
#include "host_test_support.hpp"

namespace sy::host {
namespace {

using test::LogCapture;

TEST(PluginFileName, ParsesNameAndVariant) {
    auto plain = parse_plugin_file_name("libswitchyard-backend-reference.so", ".so");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->name, "reference");
    EXPECT_EQ(plain->variant, "");

    auto variant = parse_plugin_file_name("libswitchyard-backend-x86-avx512-vnni.so", ".so");
    ASSERT_TRUE(variant);
    EXPECT_EQ(variant->name, "x86");
    EXPECT_EQ(variant->variant, "avx512-vnni");
}

TEST(PluginFileName, RejectsEverythingElse) {
    for (const char* name : {"libswitchyard-backend-.so", "libswitchyard-backend-x86-.so", "libfoo.so",
                             "switchyard-backend-x86.so", "libswitchyard-backend-x86.so.1",
                             "libswitchyard-backend-a b.so", "libswitchyard-backend-x86.dll", "README.md"}) {
        EXPECT_FALSE(parse_plugin_file_name(name, ".so")) << name;
    }
}

TEST(SearchPath, EnvironmentThenExecutableThenBuildTree) {
    const auto dirs = plugin_search_dirs("/first:/second/", "/opt/sy/bin/switchyard", "/build/lib/switchyard");
    ASSERT_EQ(dirs.size(), 4u);
    EXPECT_EQ(dirs[0].path, "/first");
    EXPECT_EQ(dirs[0].origin, kBackendPathVariable);
    EXPECT_EQ(dirs[1].path, "/second");
    EXPECT_EQ(dirs[2].path, "/opt/sy/lib/switchyard");
    EXPECT_EQ(dirs[2].origin, "beside the executable");
    EXPECT_EQ(dirs[3].path, "/build/lib/switchyard");
    EXPECT_EQ(dirs[3].origin, "build tree");
}

TEST(SearchPath, DropsEmptyEntriesAndRepeatsKeepingTheFirst) {
    const auto dirs = plugin_search_dirs(":/a::/a/:/b/../a", "/build/bin/test", "/build/lib/switchyard");
    ASSERT_EQ(dirs.size(), 2u);
    EXPECT_EQ(dirs[0].path, "/a");
    EXPECT_EQ(dirs[1].path, "/build/lib/switchyard");
    EXPECT_EQ(dirs[1].origin, "beside the executable");  // the build tree repeats it
}

TEST(SearchPath, NothingKnownMeansNothingSearched) {
    EXPECT_TRUE(plugin_search_dirs("", "", "").empty());
}

TEST(SearchPath, DefaultReadsTheEnvironmentVariable) {
    test::ScopedEnv env(kBackendPathVariable, "/from/env:/also/env");
    const auto dirs = default_plugin_search_dirs("/the/build/tree");
    ASSERT_GE(dirs.size(), 3u);
    EXPECT_EQ(dirs[0].path, "/from/env");
    EXPECT_EQ(dirs[1].path, "/also/env");
    EXPECT_EQ(dirs.back().path, "/the/build/tree");
}

// A copy of testdev in a folder named by SWITCHYARD_BACKEND_PATH is found first, so on the
// tie in score it is the one loaded and the build tree's is reported as superseded.
TEST(SearchPath, EnvironmentFolderWinsTheTie) {
    test::TempDir dir;
    const auto copy = dir.path() / test::plugin_file("testdev").filename();
    std::filesystem::copy_file(test::plugin_file("testdev"), copy);
    test::ScopedEnv env(kBackendPathVariable, dir.path().string());

    LogCapture log;
    HostOptions options;
    options.search_dirs = default_plugin_search_dirs(test::plugin_build_dir());
    options.log = log.sink();
    {
        PluginHost host(options);
        ASSERT_FALSE(host.search_dirs().empty());
        EXPECT_EQ(host.search_dirs()[0].path, dir.path());

        const Candidate* first = nullptr;
        const Candidate* second = nullptr;
        for (const Candidate& c : host.candidates()) {
            if (c.name != "testdev") continue;
            (first == nullptr ? first : second) = &c;
        }
        ASSERT_NE(first, nullptr);
        ASSERT_NE(second, nullptr) << log.text();
        EXPECT_EQ(first->origin, copy.string());
        EXPECT_TRUE(first->loaded());
        EXPECT_EQ(second->status, CandidateStatus::Skipped);
        EXPECT_NE(second->reason.find("superseded by " + copy.filename().string()), std::string::npos)
            << second->reason;
        EXPECT_NE(second->reason.find("found earlier"), std::string::npos) << second->reason;
        EXPECT_TRUE(host.find_device("TEST0").has_value());
    }
}

TEST(SearchPath, IgnoresFilesThatAreNotPlugins) {
    test::TempDir dir;
    for (const char* name : {"README.md", "libfoo.so", "libswitchyard-backend-x.so.1"}) {
        std::filesystem::path p = dir.path() / name;
        FILE* f = std::fopen(p.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fclose(f);
    }
    PluginHost host(HostOptions{{{dir.path(), "test"}, {dir.path() / "missing", "test"}}, {}, {}});
    EXPECT_TRUE(host.candidates().empty());
    EXPECT_TRUE(host.devices().empty());
}

}  // namespace
}  // namespace sy::host
