// Evaluation: Python's printing and operators, attribute/item fallbacks, filters, tests, loops,
// scoping, macros, namespaces and runtime errors. Expected strings follow Python/Jinja2
// semantics (the comments give the rule); they were cross-checked against Python jinja2 3.1.6
// with the environment of scripts/render_chat_templates.py.
#include <gtest/gtest.h>

#include "jinja_test_util.hpp"

namespace sy::chat::testing {
namespace {

using nlohmann::ordered_json;

TEST(JinjaValues, PrintLikePythonStr) {
    // repr(float): shortest round trip; scientific below 1e-4 and from 1e16.
    EXPECT_EQ(render("{{ 1.0 }} {{ 1e16 }} {{ 1e15 }} {{ 0.1+0.2 }} {{ 1e-5 }} {{ 0.0001 }} {{ -0.0 }}"),
              "1.0 1e+16 1000000000000000.0 0.30000000000000004 1e-05 0.0001 -0.0");
    EXPECT_EQ(render("{{ [1,'a',none,true,1.5] }} {{ {'a':1,'b':[2]} }} {{ (1,'x') }} {{ undefined_name }}|"),
              "[1, 'a', None, True, 1.5] {'a': 1, 'b': [2]} (1, 'x') |");
    // repr() picks double quotes only when the text has a ' and no ".
    EXPECT_EQ(render("{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'nl\\n'] }}"),
              "[\"it's\", 'say \"hi\"', 'both \\' \"', 'nl\\n']");
    EXPECT_EQ(render("{{ 'a' ~ 1 ~ none ~ undefined_name ~ [1] }}"), "a1None[1]");
}

TEST(JinjaValues, ArithmeticAndComparisons) {
    EXPECT_EQ(render("{{ 10 / 4 }} {{ 10 // 4 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 // 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }}"),
              "2.5 2 -4 2 3.0 1024 0.5");
    EXPECT_EQ(render("{{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ - 2 ** 2 }} {{ 2 ** 3 ** 2 }}"),
              "ababab [1, 1] [1, 2] 4 64");  // unary minus binds tighter than **, ** is left-assoc
    EXPECT_EQ(render("{{ 1 == 1.0 }} {{ true == 1 }} {{ [1,2] < [1,3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}"),
              "True True True True False");
    EXPECT_EQ(render("{{ 'b' in 'abc' }} {{ 1 in [1,2] }} {{ 'a' in {'a':1} }} {{ 'z' not in 'abc' }} {{ 'a' in u }}"),
              "True True True True False");
    // and/or return an operand.
    EXPECT_EQ(render("{{ 0 or 'x' }} {{ 1 and 'y' }} {{ '' and 'z' }}|{{ not [] }}"), "x y |True");
    EXPECT_EQ(render("{{ 'yes' if x else 'no' }} {{ 'a' if false }}|", {{"x", {1}}}), "yes |");
}

TEST(JinjaValues, AttributeAndItemFallbacks) {
    const ordered_json vars = {{"d", {{"a", 1}}}, {"l", {1, 2, 3}}, {"s", "h\xC3\xA9llo"}};
    // Missing keys and indices are undefined, not errors.
    EXPECT_EQ(render("{{ d.missing }}|{{ d['missing'] }}|{{ d.missing is defined }}|{{ l[5] }}|{{ l[-1] }}", vars),
              "||False||3");
    // Strings index by code point; None has no attributes but does not fail.
    EXPECT_EQ(render("{{ s[1] }} {{ s|length }} {{ s[::-1] }} {{ none.x }}|", vars), "\xC3\xA9 5 oll\xC3\xA9h |");
    EXPECT_EQ(render("{{ l[1:] }} {{ l[:-1] }} {{ l[::2] }} {{ l[5:] }}", vars), "[2, 3] [1, 2] [1, 3] []");
    // A dict method wins over a key of the same name for d.get, not for d['get'].
    EXPECT_EQ(render("{{ d.get('a') }} {{ d['get'] }}", {{"d", {{"a", 7}, {"get", 1}}}}), "7 1");
}

TEST(JinjaValues, StringListDictMethods) {
    EXPECT_EQ(render("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(None, 1) }} "
                     "{{ 'a-b-c'.rsplit('-', 1) }}"),
              "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a-b', 'c']");
    EXPECT_EQ(render("{{ '<think>x</think>answer'.split('</think>', 1)[1] }} {{ 'a</think>b</think>c'.split('</think>')[-1] }}"),
              "answer c");
    EXPECT_EQ(render("{{ '  x '.strip() }}|{{ 'xxaxx'.strip('x') }} {{ 'abc'.startswith('a') }} "
                     "{{ 'abc'.endswith(('x','c')) }} {{ 'aaa'.replace('a','b',2) }} {{ ', '.join(['a','b']) }}"),
              "x|a True True bba a, b");
    EXPECT_EQ(render("{% set ns = namespace(l=[]) %}{% set _ = ns.l.append(1) %}{% set _ = ns.l.append(2) %}"
                     "{{ ns.l }} {{ ns.l.pop(0) }} {{ ns.l }}"),
              "[1, 2] 1 [2]");
    EXPECT_EQ(render("{{ d.get('z') }} {{ d.get('z', 5) }} {{ d.items()|list }} {{ d.keys()|list }}",
                     {{"d", {{"a", 1}, {"b", 2}}}}),
              "None 5 [('a', 1), ('b', 2)] ['a', 'b']");
}

TEST(JinjaFilters, TojsonIsJsonDumpsWithoutAsciiEscaping) {
    // Insertion order, ", "/": " separators, non-ASCII kept, control characters escaped.
    EXPECT_EQ(render("{{ {'b':[1,{'c':none}],'a':'\xC3\xA9\"\\n'}|tojson }}"),
              "{\"b\": [1, {\"c\": null}], \"a\": \"\xC3\xA9\\\"\\n\"}");
    EXPECT_EQ(render("{{ {'a':{}, 'b':[1]}|tojson(indent=2) }}"), "{\n  \"a\": {},\n  \"b\": [\n    1\n  ]\n}");
    EXPECT_EQ(render("{{ {'b':1,'a':2}|tojson(sort_keys=true) }} {{ [1,2]|tojson(separators=(',',':')) }}"),
              "{\"a\": 2, \"b\": 1} [1,2]");
    EXPECT_EQ(render("{{ x|tojson }}", {{"x", {1.0, 2.5e-8, 1e22, -0.0}}}), "[1.0, 2.5e-08, 1e+22, -0.0]");
    EXPECT_NE(error_of("{{ undefined_name|tojson }}").find("Object of type Undefined is not JSON serializable"),
              std::string::npos);
    // map() is lazy in Jinja2, and json.dumps refuses a generator.
    EXPECT_NE(error_of("{{ [{'a':1}]|map(attribute='a')|tojson }}").find("Object of type generator"),
              std::string::npos);
    EXPECT_EQ(render("{{ [{'a':1}]|map(attribute='a')|list|tojson }}"), "[1]");
}

TEST(JinjaFilters, StringAndNumberFilters) {
    EXPECT_EQ(render("{{ '  a '|trim }}|{{ 'xax'|trim('x') }} {{ 5|string }} {{ 'a b'|upper }} {{ 'hello-world foo'|title }}"),
              "a|a 5 A B Hello-World Foo");
    EXPECT_EQ(render("{{ x|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|default('d') }}"),
              "d  d None");
    EXPECT_EQ(render("{{ '3'|int }} {{ '3.7'|int }} {{ 'x'|int(5) }} {{ '1.5'|float }} {{ 2.5|round }} "
                     "{{ 3.5|round }} {{ 2.1|round(0, 'ceil') }} {{ -3|abs }}"),
              "3 3 5 1.5 2.0 4.0 3.0 3");  // round() halves to even
    EXPECT_EQ(render("{{ 'line1\\nline2\\n\\nline4'|indent(2) }}"), "line1\n  line2\n\n  line4");
    EXPECT_EQ(render("{{ 'a b'|replace(' ', '_') }} {{ '<&>'|e }}"), "a_b &lt;&amp;&gt;");
}

TEST(JinjaFilters, SequenceFilters) {
    EXPECT_EQ(render("{{ [3,1,2]|sort }} {{ ['b','A','a']|sort }} {{ [3,1,2]|sort(reverse=true) }}"),
              "[1, 2, 3] ['A', 'a', 'b'] [3, 2, 1]");  // case-insensitive and stable
    EXPECT_EQ(render("{{ [1,2,3]|join(',') }} {{ [{'a':1},{'a':2}]|join('-', attribute='a') }} {{ [1,2]|first }} "
                     "{{ [1,2]|last }} {{ 'abc'|list }} {{ {'a':1}|length }} {{ undefined_name|length }}"),
              "1,2,3 1-2 1 2 ['a', 'b', 'c'] 1 0");
    EXPECT_EQ(render("{{ ['a','b']|map('upper')|list }} {{ [1,0,2]|select|list }} {{ [1,2,3,4]|select('odd')|list }} "
                     "{{ [1,2,3]|reject('equalto', 2)|list }}"),
              "['A', 'B'] [1, 2] [1, 3] [1, 3]");
    EXPECT_EQ(render("{{ [{'a':1},{'a':0}]|selectattr('a')|list }} {{ [{'a':1},{'a':2}]|rejectattr('a', '==', 2)|list }}"),
              "[{'a': 1}] [{'a': 1}]");
    EXPECT_EQ(render("{{ {'b':1,'a':2}|dictsort }} {{ [1,2,1,3]|unique|list }} {{ [1,2,3]|sum }} {{ [3,1,2]|max }}"),
              "[('a', 2), ('b', 1)] [1, 2, 3] 6 3");
    EXPECT_EQ(render("{% for k, v in {'a':1,'b':2}|items %}{{k}}={{v}};{% endfor %}"), "a=1;b=2;");
}

TEST(JinjaTests, PythonTypeNotions) {
    EXPECT_EQ(render("{{ true is number }} {{ true is integer }} {{ 1.0 is float }} {{ {} is mapping }} "
                     "{{ u is sequence }} {{ u is iterable }} {{ 1 is iterable }} {{ none is none }}"),
              "True False True True True True False True");
    EXPECT_EQ(render("{{ 3 is odd }} {{ 9 is divisibleby 3 }} {{ 1 is eq 1 }} {{ 'a' is in 'abc' }} "
                     "{{ 1 is true }} {{ 'x' is not string }} {{ 'abc' is lower }}"),
              "True True True True False False True");
}

TEST(JinjaLoops, LoopVariableElseFilterBreakContinue) {
    EXPECT_EQ(render("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}"
                     "{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.cycle('a','b') }};{% endfor %}"),
              "103TrueFalse3a;212FalseFalse31b;321FalseTrue32a;");
    EXPECT_EQ(render("{% for x in [] %}x{% else %}empty{% endfor %} "
                     "{% for x in [1,2,3,4] if x is even %}{{ x }}/{{ loop.index }}/{{ loop.length }} {% endfor %}"),
              "empty 2/1/2 4/2/2 ");
    EXPECT_EQ(render("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}"
                     "{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
              "0134");
    EXPECT_EQ(render("{% for a, b in [[1,2],[3,4]] %}{{ a }}{{ b }}{% endfor %} {% for k in {'x':1,'y':2} %}{{ k }}{% endfor %}"),
              "1234 xy");
    EXPECT_EQ(render("{% for i in range(messages|length-1, -1, -1) %}{{ i }}{% endfor %}", {{"messages", {1, 2, 3}}}),
              "210");
}

TEST(JinjaScopes, LoopBodiesAreScopesIfIsNot) {
    // A set inside a loop lives for one iteration; the outer value shows again each time.
    EXPECT_EQ(render("{% set x = 0 %}{% for i in range(3) %}{{ x }}{% set x = i + 10 %}{{ x }},{% endfor %}{{ x }}"),
              "010,011,012,0");
    EXPECT_EQ(render("{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}"), "2");
    // Namespaces carry state out of loops.
    EXPECT_EQ(render("{% set ns = namespace(a=1) %}{% for i in range(3) %}{% set ns.a = ns.a * 2 %}{% endfor %}"
                     "{{ ns.a }} {{ ns }}"),
              "8 <Namespace {'a': 8}>");
    EXPECT_EQ(render("{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set y | upper %}up{% endset %}{{ y }}"), "12 UP");
}

TEST(JinjaMacros, ArgumentsDefaultsAndScope) {
    EXPECT_EQ(render("{% macro m(a, b='B', c=none) %}[{{ a }}|{{ b }}|{{ c }}]{% endmacro %}"
                     "{{ m(1) }}{{ m(1, 2) }}{{ m(1, c=3) }}{{ m() }}"),
              "[1|B|None][1|2|None][1|B|3][|B|None]");
    // A macro sees the template's variables at call time, not the caller's loop variables.
    EXPECT_EQ(render("{% macro m() %}{{ v }}{% endmacro %}{% set v = 1 %}{{ m() }}"
                     "{% for i in [1] %}{% set v = 2 %}{{ m() }}{% endfor %}"),
              "11");
    EXPECT_EQ(render("{%- macro m(x) -%}\n  <{{ x }}>\n{%- endmacro -%}\n{{ m(1) }} {{ m('a') | upper }}"), "<1> <A>");
    EXPECT_NE(error_of("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}").find("takes not more than 1 argument"),
              std::string::npos);
}

TEST(JinjaRuntimeErrors, CarryPositionAndPythonMessage) {
    EXPECT_EQ(error_of("{{ 'a' + 1 }}"), "chat template, line 1, column 8: can only concatenate str (not \"int\") to str");
    EXPECT_EQ(error_of("\n{{ x.y }}"), "chat template, line 2, column 5: 'x' is undefined");
    EXPECT_EQ(error_of("{{ raise_exception('boom ' ~ 3) }}"), "chat template, line 1, column 19: boom 3");
    EXPECT_NE(error_of("{% set x = 1 %}{% set x.y = 2 %}").find("cannot assign attribute on non-namespace object"),
              std::string::npos);
    EXPECT_NE(error_of("{% for a, b in [[1,2,3]] %}{% endfor %}").find("too many values to unpack"), std::string::npos);
    EXPECT_NE(error_of("{% for x in 5 %}{% endfor %}").find("'int' object is not iterable"), std::string::npos);
    EXPECT_NE(error_of("{{ 1 / 0 }}").find("division by zero"), std::string::npos);
}

TEST(JinjaChatVariables, ToolsDefaultToNoneAndExtrasOverride) {
    EXPECT_EQ(render("{{ tools is defined }} {{ tools is none }} {{ bos_token }}|"), "True True |");
    ChatExtras extras;
    extras.bos_token = "<s>";
    extras.tools = ordered_json::array({{{"name", "f"}}});
    extras.variables = {{"enable_thinking", true}};
    EXPECT_EQ(apply_chat_template("{{ bos_token }}{{ tools|tojson }}{{ enable_thinking }}{{ add_generation_prompt }}",
                                  ordered_json::array(), true, extras),
              "<s>[{\"name\": \"f\"}]TrueTrue");
    EXPECT_THROW(apply_chat_template("x", ordered_json::object(), false), Error);
}

TEST(JinjaRobustness, CyclesAndRunawayRecursionFailCleanly) {
    // Python prints a self-containing list as [...]; json.dumps refuses it.
    EXPECT_EQ(render("{% set l = [1] %}{% set _ = l.append(l) %}{{ l }} {{ l == l }}"), "[1, [...]] True");
    EXPECT_NE(error_of("{% set l = [] %}{% set _ = l.append(l) %}{{ l|tojson }}").find("Circular reference detected"),
              std::string::npos);
    EXPECT_NE(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").find("maximum recursion depth"),
              std::string::npos);
    EXPECT_NE(error_of("{{ " + std::string(300, '(') + "1" + std::string(300, ')') + " }}").find("nested too deeply"),
              std::string::npos);
    EXPECT_NE(error_of("{{ 'ab' * 100000000000 }}").find("too large"), std::string::npos);
}

TEST(JinjaChatVariables, AcceptsPlainNlohmannJson) {
    // nlohmann::json converts to ordered_json (its keys arrive sorted, as that type stores them).
    const nlohmann::json messages = nlohmann::json::array({{{"role", "user"}, {"content", "hi"}}});
    EXPECT_EQ(apply_chat_template("{% for m in messages %}{{ m|tojson }}{% endfor %}", messages, false),
              "{\"content\": \"hi\", \"role\": \"user\"}");
}

}  // namespace
}  // namespace sy::chat::testing
