// --custom-q parsing and matching (core/quantize/custom_rules.hpp) and the TYPE / type-name
// parsers (file_types.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "quantize/custom_rules.hpp"
#include "quantize/file_types.hpp"

namespace sy::quantize {
namespace {

std::vector<CustomRule> parse(const std::string& arg) {
    std::vector<CustomRule> rules;
    parse_custom_rules(arg, rules);
    return rules;
}

std::string error_of(const std::string& arg) {
    try {
        parse(arg);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string type_of(const std::vector<CustomRule>& rules, const std::string& name) {
    const CustomRule* r = match_custom_rule(rules, name);
    return r ? std::string(tensor_type_name(r->type)) : "-";
}

// A recipe as model cards write it: one rule per line with comments, turned into one comma
// list by `grep -v '^#' | sed -Ez 's:\n+:,:g;s:,$::;s:^,::'`.
TEST(CustomRules, ModelCardRecipeFirstMatchWins) {
    const std::string recipe =
        "blk\\..*\\.attn_k_b\\.weight=q8_0,blk\\..*\\.attn_v_b\\.weight=q8_0,"
        "blk\\..*\\.attn_kv_a_mqa\\.weight=q8_0,blk\\..*\\.attn_q_a\\.weight=q8_0,"
        "blk\\..*\\.attn_q_b\\.weight=q8_0,blk\\..*\\.attn_output\\.weight=iq6_k,"
        "blk\\..*\\.ffn_down\\.weight=q8_0,blk\\..*\\.ffn_(gate|up)\\.weight=q8_0,"
        "blk\\..*\\.ffn_down_shexp\\.weight=q8_0,blk\\..*\\.ffn_(gate|up)_shexp\\.weight=q8_0,"
        "blk\\..*\\.ffn_down_exps\\.weight=iq3_ks,blk\\..*\\.ffn_(gate|up)_exps\\.weight=iq2_kl,"
        "token_embd\\.weight=iq4_k,output\\.weight=iq6_k";
    const auto rules = parse(recipe);
    ASSERT_EQ(rules.size(), 14u);
    EXPECT_EQ(type_of(rules, "blk.7.attn_k_b.weight"), "Q8_0");
    EXPECT_EQ(type_of(rules, "blk.60.ffn_up_exps.weight"), "IQ2_KL");
    EXPECT_EQ(type_of(rules, "blk.60.ffn_gate_exps.weight"), "IQ2_KL");
    EXPECT_EQ(type_of(rules, "blk.3.ffn_down_exps.weight"), "IQ3_KS");
    EXPECT_EQ(type_of(rules, "blk.3.ffn_down.weight"), "Q8_0");
    EXPECT_EQ(type_of(rules, "output.weight"), "IQ6_K");
    EXPECT_EQ(type_of(rules, "blk.1.ffn_gate_inp.weight"), "-");  // no rule: the mix decides
}

TEST(CustomRules, SearchNotFullMatchAndOrderAcrossFlags) {
    auto rules = parse("exps=q4_0");
    parse_custom_rules("blk\\.1\\.ffn_down_exps=q8_0,.*=iq4_ks", rules);  // a second --custom-q
    EXPECT_EQ(type_of(rules, "blk.1.ffn_down_exps.weight"), "Q4_0");     // first flag's rule first
    EXPECT_EQ(type_of(rules, "blk.1.attn_q_b.weight"), "IQ4_KS");
    EXPECT_EQ(type_of(rules, "blk.10.ffn_up_exps.weight"), "Q4_0");
}

TEST(CustomRules, WhitespaceEmptyItemsQ4XAndCommaInsideRegex) {
    const auto rules = parse(" ,\n blk\\.[0-9]{1,2}\\.ffn_up_exps=q4_x ,\n\nattn=IQ4_K,");
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].pattern, "blk\\.[0-9]{1,2}\\.ffn_up_exps");
    EXPECT_EQ(type_of(rules, "blk.12.ffn_up_exps.weight"), "Q4_X");
    EXPECT_TRUE(rules[0].type.symmetric_q4_0);
    EXPECT_EQ(rules[0].type.id, 2);  // plain Q4_0 bytes
    EXPECT_EQ(type_of(rules, "blk.123.ffn_up_exps.weight"), "-");
    EXPECT_EQ(type_of(rules, "blk.0.attn_output.weight"), "IQ4_K");
}

TEST(CustomRules, ErrorsNameTheRule) {
    EXPECT_NE(error_of("blk\\.(=q8_0").find("bad regex 'blk\\.('"), std::string::npos) << error_of("blk\\.(=q8_0");
    EXPECT_NE(error_of("exps=q9_9").find("unknown or unsupported type 'q9_9'"), std::string::npos);
    EXPECT_NE(error_of("exps=q9_9").find("IQ2_KL"), std::string::npos);  // lists the known types
    EXPECT_NE(error_of("exps").find("'exps' has no '=TYPE'"), std::string::npos);
    EXPECT_NE(error_of("=q8_0").find("empty regex"), std::string::npos);
    EXPECT_NE(error_of("exps=").find("unknown or unsupported type ''"), std::string::npos);
    // Activation-only and repacked types have no reference quantizer: refused.
    EXPECT_NE(error_of("exps=q8_k").find("unknown or unsupported"), std::string::npos);
    EXPECT_NE(error_of("exps=iq4_k_r4").find("unknown or unsupported"), std::string::npos);
}

// Patterns that would make std::regex overflow, blow up or run for minutes are refused up
// front (found by tests/fuzz/custom_q_fuzz.cpp); ordinary lazy quantifiers stay allowed.
TEST(CustomRules, RegexBombsAreRefused) {
    EXPECT_NE(error_of("blk\\99999999999=q8_0").find("more than 6 digits"), std::string::npos);
    EXPECT_NE(error_of("((((a{64}){64}){64}))=q8_0").find("counted repetitions expand"), std::string::npos);
    EXPECT_NE(error_of(std::string(40, '(') + "a" + std::string(40, ')') + "=q8_0").find("nests groups 40 deep"),
              std::string::npos);
    EXPECT_NE(error_of("[ab]????{9}=q8_0").find("stacked quantifiers"), std::string::npos);
    EXPECT_NE(error_of("a*+=q8_0").find("stacked quantifiers"), std::string::npos);
    EXPECT_NE(error_of(std::string(2000, 'a') + "=q8_0").find("longer than 1024"), std::string::npos);
    EXPECT_EQ(parse("blk\\.[0-9]+?\\.ffn_.*?exps=q8_0,a{2}?=q8_0,\\?\\?=q8_0").size(), 3u);
}

TEST(FileTypes, NamesNumbersAndAliases) {
    ASSERT_TRUE(parse_file_type("q4_k_m"));
    EXPECT_EQ(parse_file_type("q4_k_m")->ftype, 15u);
    EXPECT_EQ(parse_file_type("Q4_K")->name, "Q4_K_M");
    EXPECT_EQ(parse_file_type("155")->name, "IQ2_KL");
    EXPECT_EQ(parse_file_type("IQ2_S")->default_type, 17);  // the IQ2_S mix is IQ2_XS-based
    EXPECT_FALSE(parse_file_type("Q4_0_R8"));
    EXPECT_FALSE(parse_file_type("999"));
    EXPECT_FALSE(parse_file_type("15x"));
    // Every listed file type's default type can be quantized (or is a float type).
    for (const FileType& f : all_file_types()) {
        if (f.default_type == 0) continue;
        EXPECT_TRUE(parse_tensor_type(tensor_type_name(TensorType{f.default_type, false}))) << f.name;
    }
}

}  // namespace
}  // namespace sy::quantize
