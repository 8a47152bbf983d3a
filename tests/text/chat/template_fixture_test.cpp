// Every model template in tests/data/chat/templates/ on every conversation of
// conversations.json, compared byte for byte with Python jinja2's rendering in expected/
// (scripts/render_chat_templates.py wrote them; see tests/data/chat/README.md). A conversation
// that made jinja2 raise must make us throw an error carrying Python's message.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "text/chat/chat_template.hpp"

namespace sy::chat {
namespace {

using nlohmann::ordered_json;

const std::filesystem::path kDir = std::filesystem::path(SWITCHYARD_TEST_DATA_DIR) / "chat";

std::string read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) {
        throw std::runtime_error("cannot open " + p.string());
    }
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

struct FixtureCase {
    std::string template_stem;
    size_t conversation;
    std::string conversation_name;
};

std::vector<FixtureCase> all_cases() {
    std::vector<FixtureCase> out;
    const ordered_json templates = ordered_json::parse(read_file(kDir / "templates.json"));
    const ordered_json conversations = ordered_json::parse(read_file(kDir / "conversations.json"));
    for (const auto& [stem, tokens] : templates.items()) {
        for (size_t i = 0; i < conversations.size(); ++i) {
            out.push_back({stem, i, conversations[i]["name"].get<std::string>()});
        }
    }
    return out;
}

void PrintTo(const FixtureCase& c, std::ostream* os) { *os << c.template_stem << " / " << c.conversation_name; }

class ChatTemplateFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(ChatTemplateFixture, MatchesPythonJinja2) {
    const FixtureCase& c = GetParam();
    const ordered_json tokens = ordered_json::parse(read_file(kDir / "templates.json"))[c.template_stem];
    const ordered_json conv = ordered_json::parse(read_file(kDir / "conversations.json"))[c.conversation];
    ChatExtras extras;
    extras.bos_token = tokens["bos_token"].get<std::string>();
    extras.eos_token = tokens["eos_token"].get<std::string>();
    extras.tools = conv.value("tools", ordered_json());
    extras.variables = conv.value("variables", ordered_json::object());

    const ChatTemplate tmpl(read_file(kDir / "templates" / (c.template_stem + ".jinja")));
    const std::filesystem::path expected = kDir / "expected" / c.template_stem / c.conversation_name;
    const std::filesystem::path text_path = expected.string() + ".txt";
    const std::filesystem::path error_path = expected.string() + ".error";
    if (std::filesystem::exists(error_path)) {
        const std::string python_error = read_file(error_path);  // "<Type>\t<message>"
        const std::string message = python_error.substr(python_error.find('\t') + 1);
        try {
            tmpl.apply(conv["messages"], conv["add_generation_prompt"].get<bool>(), extras);
            FAIL() << "jinja2 raised " << python_error << " but we rendered";
        } catch (const Error& e) {
            // Our messages keep Python's wording (TypeError texts, raise_exception's argument).
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
        }
        return;
    }
    ASSERT_TRUE(std::filesystem::exists(text_path)) << text_path;
    const std::string got = tmpl.apply(conv["messages"], conv["add_generation_prompt"].get<bool>(), extras);
    EXPECT_EQ(got, read_file(text_path));
}

std::string case_name(const ::testing::TestParamInfo<FixtureCase>& info) {
    std::string name = info.param.template_stem + "_" + info.param.conversation_name;
    for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) {
            ch = '_';
        }
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Templates, ChatTemplateFixture, ::testing::ValuesIn(all_cases()), case_name);

TEST(ChatTemplateFixtures, EveryTemplateAndCaseHasAnExpectation) {
    // 6 templates x 9 conversations; a missing file would silently shrink the suite.
    const std::vector<FixtureCase> cases = all_cases();
    EXPECT_EQ(cases.size(), 54u);
    for (const FixtureCase& c : cases) {
        const std::filesystem::path base = kDir / "expected" / c.template_stem / c.conversation_name;
        EXPECT_TRUE(std::filesystem::exists(base.string() + ".txt") ||
                    std::filesystem::exists(base.string() + ".error"))
            << base;
    }
}

}  // namespace
}  // namespace sy::chat
