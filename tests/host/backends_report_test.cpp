// `switchyard backends`' report, produced in-process from a host of the test's own.
#include <gtest/gtest.h>

#include "backends_report.hpp"
#include "host/plugin_host.hpp"
#include "host_test_support.hpp"

namespace sy::host {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(BackendsReport, TextListsCandidatesDevicesAndOps) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    const std::string text = cli::backends_report_text(host);
    EXPECT_TRUE(contains(text, "search path")) << text;
    EXPECT_TRUE(contains(text, test::plugin_build_dir().string())) << text;
    EXPECT_TRUE(contains(text, "loaded   testdev")) << text;
    EXPECT_TRUE(contains(text, "loaded   reference")) << text;
    EXPECT_TRUE(contains(text, "  CPU  (backend reference, kind CPU)")) << text;
    EXPECT_TRUE(contains(text, "  TEST0  (backend testdev, kind ACCEL)")) << text;
    EXPECT_TRUE(contains(text, "HOST_MEMORY")) << text;
    EXPECT_TRUE(contains(text, "256.0 MiB total")) << text;
    EXPECT_TRUE(contains(text, "MUL_MAT   weights F32 F16 Q4_0")) << text;  // every vec_dot type, id order
    EXPECT_TRUE(contains(text, "RMS_NORM  act F32")) << text;
}

TEST(BackendsReport, TextSaysWhyCandidatesWereNotLoaded) {
    HostOptions options;
    options.search_dirs = {{test::fixture_dir(), "fixtures"}, {"/no/such/folder", "test"}};
    PluginHost host(options);
    const std::string text = cli::backends_report_text(host);
    EXPECT_TRUE(contains(text, "score 0: cannot run on this machine")) << text;
    EXPECT_TRUE(contains(text, "plugin speaks ABI 99, host 1")) << text;
    EXPECT_TRUE(contains(text, "/no/such/folder  [test, missing]")) << text;
    EXPECT_TRUE(contains(text, "devices:\n  (none)")) << text;
}

TEST(BackendsReport, JsonHasEveryField) {
    test::LogCapture log;
    PluginHost host(test::real_backend_options(log));
    const nlohmann::json report = cli::backends_report_json(host);
    ASSERT_TRUE(report.contains("candidates"));
    ASSERT_TRUE(report.contains("devices"));
    ASSERT_TRUE(report.contains("search_path"));
    bool saw_test0 = false;
    for (const auto& device : report["devices"]) {
        if (device["name"] != "TEST0") continue;
        saw_test0 = true;
        EXPECT_EQ(device["kind"], "ACCEL");
        EXPECT_EQ(device["memory_total"], uint64_t(256) << 20);
        EXPECT_TRUE(device["features"].empty());
        EXPECT_GT(device["ops"].size(), 16u);  // one row per op kind (and activation type)
        EXPECT_EQ(device["ops"][0]["op"], "MUL_MAT");
    }
    EXPECT_TRUE(saw_test0);
    for (const auto& c : report["candidates"]) {
        EXPECT_TRUE(c.contains("status"));
        EXPECT_TRUE(c.contains("reason"));
        EXPECT_TRUE(c.contains("abi"));
    }
}

}  // namespace
}  // namespace sy::host
