// Each kind of unusable candidate is reported with its reason and skipped, nothing is fatal,
// and of two variants of one backend the better-scoring one is kept.
#include <gtest/gtest.h>

#include "host/plugin_host.hpp"
#include "host_test_support.hpp"

namespace sy::host {
namespace {

using test::LogCapture;

class FixtureHost : public ::testing::Test {
protected:
    void SetUp() override {
        HostOptions options;
        options.search_dirs = {{test::fixture_dir(), "fixtures"}};
        options.log = log_.sink();
        host_ = std::make_unique<PluginHost>(options);
    }

    const Candidate& candidate(const char* stem) {
        const std::string file = std::string("libswitchyard-backend-") + stem + ".so";
        const Candidate* c = test::find_candidate(*host_, file);
        if (c == nullptr) throw sy::Error("no candidate " + file + "\n" + log_.text());
        return *c;
    }

    static void expect_reason(const Candidate& c, const std::string& part) {
        EXPECT_NE(c.reason.find(part), std::string::npos) << c.origin << ": " << c.reason;
    }

    LogCapture log_;
    std::unique_ptr<PluginHost> host_;
};

TEST_F(FixtureHost, EveryFileIsACandidateInNameOrder) {
    std::vector<std::string> files;
    for (const Candidate& c : host_->candidates()) files.push_back(std::filesystem::path(c.origin).filename());
    const std::vector<std::string> expected = {
        "libswitchyard-backend-abi99.so",     "libswitchyard-backend-broken.so",
        "libswitchyard-backend-impostor.so",  "libswitchyard-backend-leaky.so",
        "libswitchyard-backend-needsdep.so",
        "libswitchyard-backend-noentry.so",   "libswitchyard-backend-refuser.so",
        "libswitchyard-backend-twin-base.so", "libswitchyard-backend-twin-tuned.so",
        "libswitchyard-backend-unresolved.so", "libswitchyard-backend-zeroscore.so",
    };
    EXPECT_EQ(files, expected);
    EXPECT_TRUE(host_->devices().empty());  // fixtures have no devices
}

TEST_F(FixtureHost, ScoreZeroIsSkippedAsCannotRunHere) {
    const Candidate& c = candidate("zeroscore");
    EXPECT_EQ(c.status, CandidateStatus::Skipped);
    EXPECT_EQ(c.reason, "score 0: cannot run on this machine");
    EXPECT_TRUE(c.scored);
    EXPECT_EQ(c.score, 0u);
    EXPECT_FALSE(log_.contains("zeroscore-: query"));  // never queried
}

TEST_F(FixtureHost, AbiMismatchNamesBothVersions) {
    const Candidate& c = candidate("abi99");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "plugin speaks ABI 99, host 1");
    EXPECT_EQ(c.abi_min, 99u);
    EXPECT_EQ(c.abi_max, 99u);
    EXPECT_EQ(c.abi, 0u);
    EXPECT_TRUE(log_.contains("plugin speaks ABI 99, host 1"));  // logged as a warning too
}

TEST_F(FixtureHost, QueryRefusalIsReported) {
    const Candidate& c = candidate("refuser");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "query refused host ABI 1");
}

TEST_F(FixtureHost, NotASharedObjectCarriesTheLoaderMessage) {
    const Candidate& c = candidate("broken");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "cannot load: ");
    expect_reason(c, "libswitchyard-backend-broken.so");  // the dynamic loader names the file
    EXPECT_FALSE(c.scored);
}

TEST_F(FixtureHost, MissingEntrySymbolIsReported) {
    const Candidate& c = candidate("noentry");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "no entry symbol sy_plugin_get_entry");
}

TEST_F(FixtureHost, UnresolvedSymbolFailsAtLoadNotAtCall) {
    const Candidate& c = candidate("unresolved");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "cannot load: ");
    expect_reason(c, "sy_fixture_symbol_nobody_defines");
}

TEST_F(FixtureHost, MissingDependencyIsReportedWithItsName) {
    const Candidate& c = candidate("needsdep");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "cannot load: ");
    expect_reason(c, "libswitchyard_fixture_dependency");
}

TEST_F(FixtureHost, FileNameAndTableNameMustAgree) {
    const Candidate& c = candidate("impostor");
    EXPECT_EQ(c.status, CandidateStatus::Failed);
    expect_reason(c, "calls itself 'somebodyelse'");
    EXPECT_TRUE(log_.contains("somebodyelse-: shutdown"));  // queried, so shut down again
}

TEST_F(FixtureHost, BestVariantIsKept) {
    const Candidate& base = candidate("twin-base");
    const Candidate& tuned = candidate("twin-tuned");
    EXPECT_TRUE(tuned.loaded());
    EXPECT_EQ(tuned.score, 10u);
    EXPECT_EQ(tuned.variant, "tuned");
    EXPECT_EQ(tuned.abi, 1u);
    EXPECT_EQ(tuned.build_info, "test fixture (C)");
    EXPECT_EQ(base.status, CandidateStatus::Skipped);
    EXPECT_EQ(base.reason, "superseded by libswitchyard-backend-twin-tuned.so (score 10 > 5)");
    // base was found first, loaded, then shut down when tuned replaced it.
    EXPECT_TRUE(log_.contains("twin-base: shutdown"));
    EXPECT_FALSE(log_.contains("twin-tuned: shutdown"));
    host_.reset();
    EXPECT_TRUE(log_.contains("twin-tuned: shutdown"));
}

TEST_F(FixtureHost, LeaksThroughTheHostAllocatorAreReportedAndFreed) {
    EXPECT_TRUE(candidate("leaky").loaded());
    EXPECT_FALSE(log_.contains("still held after shutdown"));
    host_.reset();
    EXPECT_TRUE(log_.contains("leaky-: shutdown"));
    EXPECT_TRUE(log_.contains("1 allocation(s), 100 bytes, still held after shutdown")) << log_.text();
}

TEST_F(FixtureHost, LoadedBackendsAreTheLoadedCandidates) {
    std::vector<std::string> names;
    for (const Candidate& c : host_->loaded_backends()) names.push_back(c.name + "-" + c.variant);
    EXPECT_EQ(names, (std::vector<std::string>{"leaky-", "twin-tuned"}));
}

TEST_F(FixtureHost, FailuresAreLoggedAsWarningsSkipsAsInfo) {
    EXPECT_TRUE(log_.contains("warn host: " + candidate("broken").origin));
    EXPECT_TRUE(log_.contains("info host: " + candidate("zeroscore").origin));
}

}  // namespace
}  // namespace sy::host
