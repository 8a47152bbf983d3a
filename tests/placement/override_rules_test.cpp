// -ot parsing and matching (core/placement/override_rules.hpp) and the regex guard.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "placement/override_rules.hpp"
#include "common/regex_guard.hpp"

namespace sy::placement {
namespace {

const std::vector<DeviceSlot> kDevices = {{"CPU", true, 1ull << 40}, {"CUDA0", false, 1ull << 34}};

std::vector<OverrideRule> parse(const std::vector<std::string>& values) {
    std::vector<OverrideRule> rules;
    for (const std::string& v : values) parse_override_rules(v, kDevices, rules);
    return rules;
}

// The error message of parsing `values`, or "" if it parsed.
std::string parse_error(const std::vector<std::string>& values) {
    try {
        parse(values);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// Device of the first matching rule, or "-" when none matches.
std::string device_for(const std::vector<OverrideRule>& rules, const std::string& name) {
    const OverrideRule* r = match_override_rule(rules, name);
    return r ? r->device : "-";
}

TEST(OverrideRules, CommaListKeepsOrder) {
    const auto rules = parse({R"(blk\.[0-3]\.ffn_.*=CUDA0,exps=CPU)"});
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].pattern, R"(blk\.[0-3]\.ffn_.*)");
    EXPECT_EQ(rules[0].device, "CUDA0");
    EXPECT_EQ(rules[1].pattern, "exps");
    EXPECT_EQ(rules[1].device, "CPU");
    EXPECT_EQ(rules[1].text, "exps=CPU");
}

TEST(OverrideRules, RepeatedFlagsAppendInOrderAndFirstMatchWins) {
    // The second flag's rule also matches blk.1's experts, but the first flag's rule comes first.
    const auto rules = parse({"exps=CPU", R"(blk\.1\.=CUDA0)"});
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(device_for(rules, "blk.1.ffn_up_exps.weight"), "CPU");
    EXPECT_EQ(device_for(rules, "blk.1.attn_q_b.weight"), "CUDA0");
    EXPECT_EQ(device_for(rules, "blk.2.attn_q_b.weight"), "-");
    // Reversed flag order: the layer rule now wins for blk.1's experts.
    const auto reversed = parse({R"(blk\.1\.=CUDA0)", "exps=CPU"});
    EXPECT_EQ(device_for(reversed, "blk.1.ffn_up_exps.weight"), "CUDA0");
    EXPECT_EQ(device_for(reversed, "blk.2.ffn_up_exps.weight"), "CPU");
}

TEST(OverrideRules, RegexIsSearchedNotFullyMatched) {
    const auto rules = parse({"exps=CPU"});
    EXPECT_EQ(device_for(rules, "blk.0.ffn_up_exps.weight"), "CPU");  // substring
    EXPECT_EQ(device_for(rules, "blk.0.ffn_up_shexp.weight"), "-");
    const auto anchored = parse({"^exps=CPU"});
    EXPECT_EQ(device_for(anchored, "blk.0.ffn_up_exps.weight"), "-");
    // An escaped dot pins the layer number; an unescaped one is any character.
    const auto exact_layer = parse({R"(blk\.1\.=CPU)"});
    EXPECT_EQ(device_for(exact_layer, "blk.1.attn_norm.weight"), "CPU");
    EXPECT_EQ(device_for(exact_layer, "blk.10.attn_norm.weight"), "-");
    const auto loose = parse({"blk.1=CPU"});
    EXPECT_EQ(device_for(loose, "blk.10.attn_norm.weight"), "CPU");
    // ECMAScript alternation and classes, as model cards write them.
    const auto alt = parse({R"(blk\.(3|4)\.ffn_(gate|up)_exps=CUDA0)"});
    EXPECT_EQ(device_for(alt, "blk.4.ffn_gate_exps.weight"), "CUDA0");
    EXPECT_EQ(device_for(alt, "blk.4.ffn_down_exps.weight"), "-");
    EXPECT_EQ(device_for(alt, "blk.34.ffn_up_exps.weight"), "-");
}

TEST(OverrideRules, SplitsAtTheLastEquals) {
    // A lookahead contains '='; the device is what follows the last one.
    const auto rules = parse({"ffn_up(?=_exps)=CPU"});
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].pattern, "ffn_up(?=_exps)");
    EXPECT_EQ(device_for(rules, "blk.5.ffn_up_exps.weight"), "CPU");
    EXPECT_EQ(device_for(rules, "blk.5.ffn_up_shexp.weight"), "-");
}

TEST(OverrideRules, CommaInsideCountedRepetitionIsKept) {
    const auto rules = parse({R"(blk\.[0-9]{1,2}\.ffn_down_exps=CPU,output=CUDA0)"});
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].pattern, R"(blk\.[0-9]{1,2}\.ffn_down_exps)");
    EXPECT_EQ(device_for(rules, "blk.42.ffn_down_exps.weight"), "CPU");
    EXPECT_EQ(device_for(rules, "output.weight"), "CUDA0");
}

TEST(OverrideRules, WhitespaceAndEmptyItemsAreForgiven) {
    const auto rules = parse({" exps = CPU ,, attn=CUDA0 ,"});
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].pattern, "exps");
    EXPECT_EQ(rules[0].device, "CPU");
    EXPECT_EQ(rules[1].text, "attn=CUDA0");
}

TEST(OverrideRules, EmptyRulesAreRefused) {
    EXPECT_NE(parse_error({"=CPU"}).find("rule '=CPU' has an empty regex"), std::string::npos) << parse_error({"=CPU"});
    EXPECT_NE(parse_error({"exps=CPU", ""}).find("contains no REGEX=DEVICE rule"), std::string::npos);
    EXPECT_NE(parse_error({" , "}).find("contains no REGEX=DEVICE rule"), std::string::npos);
    EXPECT_NE(parse_error({"exps=CPU,attn"}).find("rule 'attn' has no '=DEVICE'"), std::string::npos);
}

TEST(OverrideRules, UnknownDeviceListsTheAvailableOnes) {
    const std::string error = parse_error({"exps=CPU,attn=CUDA1"});
    EXPECT_NE(error.find("rule 'attn=CUDA1'"), std::string::npos) << error;
    EXPECT_NE(error.find("unknown device 'CUDA1'"), std::string::npos) << error;
    EXPECT_NE(error.find("(available: CPU, CUDA0)"), std::string::npos) << error;
    // Names are exact, as the anchor's buffer-type lookup is.
    EXPECT_NE(parse_error({"exps=cpu"}).find("unknown device 'cpu'"), std::string::npos);
    EXPECT_NE(parse_error({"exps="}).find("unknown device ''"), std::string::npos);
}

TEST(OverrideRules, BadRegexNamesTheRule) {
    const std::string error = parse_error({"exps=CPU", R"(blk\.(3=CUDA0)"});
    EXPECT_NE(error.find(R"(rule 'blk\.(3=CUDA0')"), std::string::npos) << error;
    EXPECT_NE(error.find("bad regex"), std::string::npos) << error;
    EXPECT_NE(parse_error({"[a-=CPU"}).find("bad regex"), std::string::npos);
}

TEST(OverrideRules, PathologicalRegexesAreRefusedBeforeCompiling) {
    const std::string deep = std::string(40, '(') + "a" + std::string(40, ')') + "=CPU";
    EXPECT_NE(parse_error({deep}).find("nests groups 40 deep"), std::string::npos) << parse_error({deep});
    EXPECT_NE(parse_error({"((a{64}){64}){64}=CPU"}).find("counted repetitions expand to 262144 copies"), std::string::npos);
    EXPECT_NE(parse_error({"a**=CPU"}).find("stacked quantifiers at byte 2"), std::string::npos);
    EXPECT_NE(parse_error({"a{12345678}=CPU"}).find("more than 6 digits"), std::string::npos);
    EXPECT_NE(parse_error({std::string(1100, 'a') + "=CPU"}).find("longer than 1024 bytes"), std::string::npos);
    // Lazy quantifiers and reasonable bounds pass.
    EXPECT_EQ(parse_error({"blk.*?exps=CPU", R"(blk\.[0-9]{1,3}\.=CUDA0)"}), "");
}

TEST(RegexGuard, AcceptsRealRecipes) {
    EXPECT_EQ(regex_complexity_problem(R"(blk\.(1[0-9]|2[0-9])\.ffn_(up|gate|down)_exps\.weight)"), std::nullopt);
    EXPECT_EQ(regex_complexity_problem(R"(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\(\()"), std::nullopt)
        << "escaped parentheses are not groups";
}

}  // namespace
}  // namespace sy::placement
