// `switchyard inspect`, called in-process through run_inspect (works under qemu too).
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "../gguf/gguf_test_support.hpp"
#include "commands.hpp"
#include "gguf/gguf_writer.hpp"
#include "inspect_report.hpp"

namespace sy::cli {
namespace {

using gguf::test::TempDir;

std::string data_file(const char* name) { return std::string(SWITCHYARD_TEST_DATA_DIR) + "/" + name; }

struct InspectRun {
    int rc;
    std::string out;
    std::string err;
};

InspectRun inspect(const std::string& path, bool json = false, bool use_mmap = true) {
    std::ostringstream out, err;
    const int rc = run_inspect({.path = path, .json = json, .use_mmap = use_mmap}, out, err);
    return {rc, out.str(), err.str()};
}

void expect_one_line_error(const InspectRun& r, const std::string& part) {
    EXPECT_EQ(r.rc, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_TRUE(r.err.starts_with("switchyard: error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.err.ends_with("\n"));
    EXPECT_CONTAINS(r.err, part);
}

TEST(InspectText, Stories260K) {
    const InspectRun r = inspect(data_file("stories260K.gguf"));
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_TRUE(r.err.empty());
    EXPECT_CONTAINS(r.out, "1185376 bytes (1.13 MiB), GGUF v3, alignment 32, data at byte 14176, 48 tensors, 19 keys");
    EXPECT_CONTAINS(r.out, "metadata (19 keys):");
    EXPECT_CONTAINS(r.out, "array[string]  512 [\"<unk>\", \"<s>\", \"</s>\", ");
    EXPECT_CONTAINS(r.out, ", ...]");
    EXPECT_CONTAINS(r.out, "tensors (48):");
    EXPECT_CONTAINS(r.out, "token_embd.weight");
    EXPECT_CONTAINS(r.out, "64 x 512");
    EXPECT_CONTAINS(r.out, "model: 48 tensors, 292800 elements, 1171200 bytes of tensor data");
    EXPECT_CONTAINS(r.out, "32.0000 bits per weight");
}

TEST(InspectJson, GoldenIq2KsCountsRowHeaders) {
    const InspectRun r = inspect(data_file("golden-IQ2_KS.gguf"), true);
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["files"].size(), 1u);
    EXPECT_EQ(j["files"][0]["size"], 228896);
    EXPECT_EQ(j["files"][0]["data_offset"], 5152);
    EXPECT_EQ(j["total_file_size"], 228896);
    ASSERT_EQ(j["metadata"].size(), 22u);
    EXPECT_EQ(j["metadata"][0]["key"], "general.architecture");
    EXPECT_EQ(j["metadata"][0]["value"], "llama");
    const auto& tokens = j["metadata"][13];
    EXPECT_EQ(tokens["key"], "tokenizer.ggml.tokens");
    EXPECT_EQ(tokens["elem_type"], "string");
    EXPECT_EQ(tokens["count"], 256);
    EXPECT_EQ(tokens["head"].size(), 6u);
    ASSERT_EQ(j["tensors"].size(), 12u);
    EXPECT_EQ(j["tensors"][0]["name"], "token_embd.weight");
    EXPECT_EQ(j["tensors"][0]["type"], "IQ2_KS");
    EXPECT_EQ(j["tensors"][0]["shape"], nlohmann::json::array({256, 256}));
    EXPECT_EQ(j["tensors"][0]["bytes"], 256 * 72);
    ASSERT_EQ(j["types"].size(), 2u);
    EXPECT_EQ(j["types"][0]["type"], "F32");
    EXPECT_EQ(j["types"][1]["tensors"], 9);
    EXPECT_EQ(j["types"][1]["elements"], 786432);
    EXPECT_EQ(j["types"][1]["bytes"], 223744 - 768 * 4);
    EXPECT_EQ(j["totals"]["elements"], 787200);
    EXPECT_EQ(j["totals"]["bytes"], 223744);
    EXPECT_NEAR(j["totals"]["bits_per_weight"].get<double>(), 223744.0 * 8 / 787200, 1e-9);
}

TEST(InspectJson, MmapAndReadModesAgree) {
    const InspectRun mapped = inspect(data_file("llama-2-tiny-random.gguf"), true, true);
    const InspectRun in_memory = inspect(data_file("llama-2-tiny-random.gguf"), true, false);
    ASSERT_EQ(mapped.rc, 0);
    EXPECT_EQ(mapped.out, in_memory.out);
}

TEST(InspectJson, SplitModelShowsEveryShard) {
    TempDir dir;
    gguf::GgufWriter w;
    w.set("general.architecture", gguf::Value::string("llama"));
    const int64_t ne[] = {32};
    for (int i = 0; i < 3; ++i) w.add_tensor("t" + std::to_string(i), 8, ne, gguf::test::pattern_bytes(34, i));
    const auto paths = w.write_split(dir.file("m.gguf"), {.max_tensors = 2});
    const InspectRun r = inspect(paths[0], true);
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["files"].size(), 2u);
    EXPECT_EQ(j["files"][1]["path"], paths[1]);
    EXPECT_EQ(j["tensors"][2]["shard"], 1);
    EXPECT_EQ(j["totals"]["bits_per_weight"], 8.5);
    const InspectRun text = inspect(paths[0]);
    EXPECT_CONTAINS(text.out, "shard 2 " + paths[1]);
    EXPECT_CONTAINS(text.out, "total: 2 shards");
}

TEST(InspectText, NestedArraysLongAndOddStrings) {
    TempDir dir;
    gguf::GgufWriter w;
    w.set("long", gguf::Value::string(std::string(100, 'a') + "\n"));
    w.set("odd", gguf::Value::string("tab\there \"q\" \xff\xfe"));
    w.set("nested", gguf::Value::array_of_arrays({gguf::Value::array(std::vector<uint16_t>{7, 8}),
                                                  gguf::Value::string_array({"x"})}));
    w.set("neg", gguf::Value::scalar<int16_t>(-3));
    w.write(dir.file("odd.gguf"));
    const InspectRun r = inspect(dir.file("odd.gguf"));
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_CONTAINS(r.out, "... (101 bytes)");
    EXPECT_CONTAINS(r.out, "\"tab\\there \\\"q\\\" ");
    EXPECT_CONTAINS(r.out, "array[array]   2 [array[u16] 2 [7, 8], array[string] 1 [\"x\"]]");
    EXPECT_CONTAINS(r.out, "-3");
    EXPECT_CONTAINS(r.out, "model: 0 tensors");
    const InspectRun j = inspect(dir.file("odd.gguf"), true);  // invalid UTF-8 must not break the JSON
    ASSERT_EQ(j.rc, 0) << j.err;
    const auto parsed = nlohmann::json::parse(j.out);
    EXPECT_EQ(parsed["metadata"][2]["head"][0]["head"], nlohmann::json::array({7, 8}));
    EXPECT_EQ(parsed["metadata"][3]["value"], -3);
}

TEST(InspectErrors, InvalidFileIsOneLine) {
    TempDir dir;
    const std::string path = dir.file("bad.gguf");
    gguf::test::write_file(path, {'G', 'G', 'U', 'F', 1, 0, 0, 0});
    expect_one_line_error(inspect(path), path + ": header.version (byte 4): GGUF version 1 is not supported");
    expect_one_line_error(inspect(path, true), "header.version");
    gguf::test::write_file(path, {'n', 'o', 't', ' ', 'g', 'g', 'u', 'f'});
    expect_one_line_error(inspect(path, false, false), "header.magic");
    expect_one_line_error(inspect(dir.file("missing.gguf")), "missing.gguf");
}

TEST(InspectCli, RegisteredSubcommandParsesItsFlags) {
    CLI::App app;
    int exit_code = -1;
    register_inspect(app, exit_code);
    const std::string path = data_file("golden-Q8_0.gguf");
    std::vector<std::string> args = {"--no-mmap", "--json", path, "inspect"};  // CLI11 parses a reversed vector
    testing::internal::CaptureStdout();
    app.parse(args);
    const std::string out = testing::internal::GetCapturedStdout();
    EXPECT_EQ(exit_code, 0);
    EXPECT_EQ(nlohmann::json::parse(out)["tensors"].size(), 12u);
}

}  // namespace
}  // namespace sy::cli
