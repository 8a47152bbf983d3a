// Lexing and parsing: whitespace control under trim_blocks + lstrip_blocks, comments, raw
// blocks, literals, and syntax errors with their line and column. Expected strings follow
// Jinja2's documented rules (each case says which); they were cross-checked against Python
// jinja2 3.1.6 with the environment of scripts/render_chat_templates.py.
#include <gtest/gtest.h>

#include "jinja_test_util.hpp"

namespace sy::chat::testing {
namespace {

using nlohmann::ordered_json;

TEST(JinjaWhitespace, TrimBlocksDropsNewlineAfterBlockTag) {
    EXPECT_EQ(render("{% if true %}\nx\n{% endif %}\ny"), "x\ny");
    // Only the first newline goes; {{ }} keeps its newline.
    EXPECT_EQ(render("{% if true %}\n\nx{% endif %}"), "\nx");
    EXPECT_EQ(render("{{ 'a' }}\nb"), "a\nb");
}

TEST(JinjaWhitespace, LstripBlocksOnlyAtLineStart) {
    // Indentation before a block tag that starts a line goes; text before it keeps it.
    EXPECT_EQ(render("a\n  {% if true %}\n  x\n  {% endif %}\n  {{ 'y' }}  {# c #}\nz"), "a\n  x\n  y  z");
    EXPECT_EQ(render("x  {% if true %}a{% endif %}\n"), "x  a");
    EXPECT_EQ(render("\t {% if true %}a{% endif %}"), "a");
}

TEST(JinjaWhitespace, MinusStripsAllWhitespacePlusKeepsIt) {
    EXPECT_EQ(render("a \n {%- if true %} b {% endif -%} \n c"), "a b c");
    EXPECT_EQ(render("{{ 'a' -}}   \n\n  {{ 'b' }}"), "ab");
    EXPECT_EQ(render("  {{- 'a' }}"), "a");
    // "+%}" keeps the newline trim_blocks would drop; "{%+" keeps the indentation.
    EXPECT_EQ(render("{% for i in [1,2] +%}\n{{ i }}{% endfor %}"), "\n1\n2");
    EXPECT_EQ(render("  {%+ if true %}x{% endif %}"), "  x");
}

TEST(JinjaWhitespace, NewlinesNormalizedAndOneTrailingNewlineDropped) {
    EXPECT_EQ(render("x\r\ny\r\n"), "x\ny");
    EXPECT_EQ(render("a\n\n\n"), "a\n\n");
    EXPECT_EQ(render("\n"), "");
}

TEST(JinjaWhitespace, CommentsVanishWithTheirLine) {
    EXPECT_EQ(render("{# a #}\n{#- b -#}   \n\n x"), "x");
    EXPECT_EQ(render("line\n    {# indented comment #}\nnext"), "line\nnext");
}

TEST(JinjaWhitespace, RawBlockIsText) {
    EXPECT_EQ(render("{% raw %}{{ x }}{% endraw %}"), "{{ x }}");
    EXPECT_EQ(render("{%- raw -%}  {% y %}  {%- endraw %} z"), "{% y %} z");
}

TEST(JinjaLiterals, StringsNumbersAndEscapes) {
    EXPECT_EQ(render("{{ '\\n' }}|{{ 'a\\tb' }}|{{ \"q'\" }}|{{ '\\x41\\u00e9' }}|{{ '\\d' }}"),
              "\n|a\tb|q'|A\xC3\xA9|\\d");
    EXPECT_EQ(render("{{ 'a' 'b' \"c\" }}"), "abc");  // adjacent literals join
    EXPECT_EQ(render("{{ 1_000 }} {{ 1.5e3 }} {{ 1E2 }} {{ 0.5 }}"), "1000 1500.0 100.0 0.5");
    EXPECT_EQ(render("{{ [1,2,][0] }} {{ {'a':1,}['a'] }} {{ (1,) }} {{ true }} {{ None }}"), "1 1 (1,) True None");
}

TEST(JinjaSyntaxErrors, ReportLineAndColumn) {
    // An unknown filter is found while parsing, before anything renders.
    EXPECT_EQ(error_of("line one\n{{ x | nosuch }}"), "chat template, line 2, column 8: no filter named 'nosuch'");
    EXPECT_EQ(error_of("{{ x is nosuch }}"), "chat template, line 1, column 9: no test named 'nosuch'");
    EXPECT_EQ(error_of("{{ (1 }}"), "chat template, line 1, column 7: unexpected '}', expected ')'");
    EXPECT_EQ(error_of("{{ 1 2 }}"), "chat template, line 1, column 6: expected end of print statement '}}', got '2'");
    EXPECT_EQ(error_of("{{ @ }}"), "chat template, line 1, column 4: unexpected character '@'");
    EXPECT_EQ(error_of("{{ 'abc }}"), "chat template, line 1, column 4: unterminated string literal");
    EXPECT_EQ(error_of("{# c "), "chat template, line 1, column 1: missing end of comment tag '#}'");
    // Columns count code points, not bytes.
    EXPECT_EQ(error_of("\xC3\xA9\xC3\xA9{{ ] }}"), "chat template, line 1, column 6: unexpected ']'");
}

TEST(JinjaSyntaxErrors, UnclosedAndStrayBlocks) {
    EXPECT_EQ(error_of("a\n{% for x in y %}\n{{ x }}"),
              "chat template, line 3, column 8: unexpected end of template; expected '{% endfor %}' or "
              "'{% else %}' to close '{% for %}' from line 2");
    EXPECT_EQ(error_of("{% if x %}{% endfor %}"),
              "chat template, line 1, column 14: unknown tag 'endfor'; expected '{% elif %}', '{% else %}' or "
              "'{% endif %}' to close '{% if %}' from line 1");
    EXPECT_EQ(error_of("{% endif %}"), "chat template, line 1, column 4: unknown tag 'endif'");
    EXPECT_EQ(error_of("{% if x %}{% else %}{% else %}{% endif %}"),
              "chat template, line 1, column 24: unknown tag 'else'; expected '{% endif %}' to close '{% if %}' "
              "from line 1");
    EXPECT_EQ(error_of("{{ x"), "chat template, line 1, column 5: unexpected end of template");
}

TEST(JinjaSyntaxErrors, ExpressionAndStatementShapes) {
    EXPECT_NE(error_of("{% if %}{% endif %}").find("expected an expression"), std::string::npos);
    EXPECT_NE(error_of("{% set x = %}").find("expected an expression"), std::string::npos);
    EXPECT_NE(error_of("{% macro m(a=1, b) %}{% endmacro %}").find("non-default argument follows default"),
              std::string::npos);
    EXPECT_NE(error_of("{% break %}").find("'break' outside of a for loop"), std::string::npos);
    EXPECT_NE(error_of("{% for x in [1] %}{% macro m() %}{% break %}{% endmacro %}{% endfor %}").find("outside"),
              std::string::npos);
    EXPECT_NE(error_of("{{ f(a=1, 2) }}").find("positional argument follows keyword"), std::string::npos);
    EXPECT_NE(error_of("{{ x is defined is defined }}").find("chain multiple tests"), std::string::npos);
    EXPECT_NE(error_of("{{ x[1:2:3:4] }}").find("expected ','"), std::string::npos);
    EXPECT_NE(error_of("{% if 1 if 2 else 3 %}y{% endif %}").find("got 'if'"), std::string::npos);
    EXPECT_NE(error_of("{% include 'x' %}").find("unknown tag 'include'"), std::string::npos);
}

TEST(JinjaSyntaxErrors, ChatTemplateConstructorThrowsOnParse) {
    // A broken model template fails when loaded, not at the first request.
    const std::string broken = "{% for message in messages %}{{ message['content'] }}";
    EXPECT_THROW(ChatTemplate tmpl(broken), Error);
    try {
        ChatTemplate tmpl(broken);
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'{% endfor %}'"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace sy::chat::testing
