// Statically linked backends go through the same entry table as files, and a static backend
// is preferred over plugin files of the same name (which are reported, not loaded).
#include <gtest/gtest.h>

#include "host/plugin_host.hpp"
#include "host_test_support.hpp"

extern "C" const sy_plugin_entry* sy_plugin_get_entry_twin_static(void);

namespace sy::host {
namespace {

HostOptions static_twin_and_fixtures(const test::LogCapture& log) {
    HostOptions options;
    options.static_backends = {{"twin_static", &sy_plugin_get_entry_twin_static}};
    options.search_dirs = {{test::fixture_dir(), "fixtures"}};
    options.log = log.sink();
    return options;
}

TEST(StaticBackend, WinsOverFilesOfTheSameName) {
    test::LogCapture log;
    PluginHost host(static_twin_and_fixtures(log));
    ASSERT_FALSE(host.candidates().empty());
    const Candidate& first = host.candidates().front();
    EXPECT_TRUE(first.is_static());
    EXPECT_EQ(first.origin, "static");
    EXPECT_EQ(first.name, "twin");  // from the backend table
    EXPECT_EQ(first.variant, "static");
    EXPECT_TRUE(first.loaded());

    for (const char* file : {"libswitchyard-backend-twin-base.so", "libswitchyard-backend-twin-tuned.so"}) {
        const Candidate* c = test::find_candidate(host, file);
        ASSERT_NE(c, nullptr) << file;
        EXPECT_EQ(c->status, CandidateStatus::Skipped);
        EXPECT_EQ(c->reason, "superseded by static backend twin_static (linked into the executable)");
    }
}

TEST(StaticBackend, SharedBetweenHostsAndShutDownOnce) {
    test::LogCapture log;
    {
        PluginHost first(static_twin_and_fixtures(log));
        PluginHost second(static_twin_and_fixtures(log));
        EXPECT_TRUE(second.candidates().front().loaded());
    }
    EXPECT_EQ(log.count("twin-static: query"), 1u) << log.text();
    EXPECT_EQ(log.count("twin-static: shutdown"), 1u) << log.text();
}

TEST(StaticBackend, NullEntryFunctionIsReported) {
    PluginHost host(HostOptions{{}, {{"nothing", nullptr}}, {}});
    ASSERT_EQ(host.candidates().size(), 1u);
    EXPECT_EQ(host.candidates()[0].status, CandidateStatus::Failed);
}

// In a build with SWITCHYARD_STATIC_BACKENDS=reference the real reference backend comes in
// through its static entry here, exactly as in the executable.
TEST(StaticBackend, ReferenceIsStaticOnlyWhenBuiltSo) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    Device cpu = test::require_device(host, "CPU");
    EXPECT_EQ(cpu.info().backend, "reference");
    bool found_static = false;
    for (const Candidate& c : host.candidates()) found_static |= c.is_static() && c.name == "reference";
    EXPECT_EQ(found_static, test::reference_is_static());
}

}  // namespace
}  // namespace sy::host
