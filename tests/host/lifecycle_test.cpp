// Unloading is part of the contract: a plugin stays loaded while any device or buffer of it
// lives, even after its PluginHost is gone; then it is shut down and unloaded; and loading it
// again afterwards starts from a clean plugin.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <optional>

#include "host/plugin_host.hpp"
#include "host/tensor_view.hpp"
#include "host_test_support.hpp"

namespace sy::host {
namespace {

using test::LogCapture;

// Whether the dynamic loader still has `path` mapped (RTLD_NOLOAD never loads it).
bool is_loaded(const std::filesystem::path& path) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (handle == nullptr) return false;
    ::dlclose(handle);
    return true;
}

HostOptions testdev_only(const LogCapture& log) {
    HostOptions options;
    options.search_dirs = {{test::plugin_build_dir(), "build tree"}};
    options.log = log.sink();
    return options;
}

TEST(Lifecycle, PluginOutlivesItsHostUntilTheLastBufferIsGone) {
    const auto path = test::plugin_file("testdev");
    ASSERT_FALSE(is_loaded(path)) << "an earlier test leaked testdev";
    LogCapture log;
    std::optional<Buffer> survivor;
    {
        PluginHost host(testdev_only(log));
        ASSERT_TRUE(is_loaded(path));
        Device device = test::require_device(host, "TEST0");
        survivor = device.alloc(64);
        const std::vector<float> values = {1, 2, 3, 4};
        survivor->upload(0, values.data(), 16);
    }
    EXPECT_TRUE(is_loaded(path));
    EXPECT_FALSE(log.contains("testdev: shutdown"));
    EXPECT_EQ(test::download_floats(*survivor, 4), (std::vector<float>{1, 2, 3, 4}));

    survivor.reset();  // last object of the plugin: device_close, shutdown, unload
    EXPECT_EQ(log.count("testdev: shutdown"), 1u) << log.text();
    EXPECT_TRUE(log.contains("unloaded " + path.string()));
    EXPECT_FALSE(is_loaded(path));
    EXPECT_FALSE(log.contains("still held after shutdown")) << log.text();
}

TEST(Lifecycle, LoadUnloadReloadStartsFresh) {
    const auto path = test::plugin_file("testdev");
    for (int round = 0; round < 3; ++round) {
        SCOPED_TRACE(round);
        LogCapture log;
        {
            PluginHost host(testdev_only(log));
            Device device = test::require_device(host, "TEST0");
            // A fresh plugin: no memory in use from an earlier round.
            EXPECT_EQ(device.info().memory_free, device.info().memory_total);
            const std::vector<float> x = {1, -2, 3};
            Buffer in = test::upload_vector(device, x);
            Buffer out = device.alloc(12);
            device.run(make_op(SY_OP_SCALE, tensor_in(out, 0, 0, {3}), {tensor_in(in, 0, 0, {3})}, {2.0f}));
            EXPECT_EQ(test::download_floats(out, 3), (std::vector<float>{2, -4, 6}));
            EXPECT_LT(device.query_info().memory_free, device.info().memory_total);
        }
        EXPECT_EQ(log.count("testdev: query"), 1u) << log.text();
        EXPECT_EQ(log.count("testdev: shutdown"), 1u) << log.text();
        EXPECT_FALSE(is_loaded(path));
    }
}

// Two hosts alive at once share one loaded plugin rather than querying it twice.
TEST(Lifecycle, ConcurrentHostsShareOnePlugin) {
    LogCapture log;
    auto first = std::make_unique<PluginHost>(testdev_only(log));
    auto second = std::make_unique<PluginHost>(testdev_only(log));
    EXPECT_EQ(log.count("testdev: query"), 1u) << log.text();
    const Candidate* shared = test::find_candidate(*second, test::plugin_file("testdev").filename().string());
    ASSERT_NE(shared, nullptr);
    EXPECT_TRUE(shared->loaded());
    EXPECT_EQ(shared->score, 1u);

    Device device = test::require_device(*second, "TEST0");
    first.reset();
    EXPECT_FALSE(log.contains("testdev: shutdown"));
    Buffer buffer = device.alloc(16);  // still works after the first host is gone
    second.reset();
    EXPECT_FALSE(log.contains("testdev: shutdown"));
    buffer = Buffer();
    device = Device();
    EXPECT_EQ(log.count("testdev: shutdown"), 1u) << log.text();
}

TEST(Lifecycle, DisabledByEnvironmentMeansScoreZero) {
    test::ScopedEnv env("SWITCHYARD_TESTDEV_DISABLE", "1");
    LogCapture log;
    PluginHost host(testdev_only(log));
    const Candidate* c = test::find_candidate(host, test::plugin_file("testdev").filename().string());
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->status, CandidateStatus::Skipped);
    EXPECT_EQ(c->reason, "score 0: cannot run on this machine");
    EXPECT_FALSE(host.find_device("TEST0").has_value());
}

}  // namespace
}  // namespace sy::host
