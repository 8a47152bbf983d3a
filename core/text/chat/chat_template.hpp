// Renders a model's chat template (the Jinja2 text in tokenizer.chat_template) on a
// conversation, byte for byte as Python jinja2 does with transformers' settings:
// trim_blocks and lstrip_blocks on, loop controls, tojson = json.dumps(ensure_ascii=False),
// raise_exception() and strftime_now() available. Lists may be mutated (.append/.pop) as in
// a plain SandboxedEnvironment; the Kimi-K2 templates rely on it.
//
// Template variables: messages, add_generation_prompt, bos_token, eos_token, tools (none when
// absent, as transformers passes it) and every entry of ChatExtras::variables (e.g.
// enable_thinking, thinking, date_string, builtin_tools).
//
// Supported Jinja subset: {{ }}, {% if/elif/else %}, {% for %} (tuple targets, `if` filter,
// else, loop.*), {% set %} (names, tuples, namespace attributes, blocks), {% macro %},
// {% break/continue %}, {% raw %}, {% generation %}, comments and whitespace control; the
// operators, filters and tests in jinja_builtins.hpp. Not supported: extends/include/import,
// call and filter blocks, recursive loops, autoescaping.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sy::chat {

namespace jinja {
struct Template;
}

struct ChatExtras {
    std::string bos_token;
    std::string eos_token;
    // OpenAI-style tool list; null means none (the template sees `tools` as none).
    nlohmann::ordered_json tools;
    // Further template variables, an object (or null); they override the ones above.
    nlohmann::ordered_json variables;
};

// A parsed template, reusable for many renderings; immutable, so safe to share across threads.
class ChatTemplate {
public:
    // Throws sy::Error "chat template, line L, column C: ..." on a syntax error, an unknown
    // tag, filter or test, or a block left open.
    explicit ChatTemplate(std::string_view source);

    // `messages` is the JSON array of {role, content, ...} objects; key order is kept (ordered
    // JSON), which tojson output depends on. Throws sy::Error with the template position when
    // rendering fails (an undefined value misused, a type error, raise_exception()).
    std::string apply(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                      const ChatExtras& extras = {}) const;

private:
    std::shared_ptr<const jinja::Template> template_;
};

// Parses and renders in one go.
std::string apply_chat_template(std::string_view template_src, const nlohmann::ordered_json& messages,
                                bool add_generation_prompt, const ChatExtras& extras = {});

}  // namespace sy::chat
