#include "text/chat/chat_template.hpp"

#include "common/error.hpp"
#include "text/chat/jinja_ast.hpp"
#include "text/chat/jinja_interpreter.hpp"

namespace sy::chat {

ChatTemplate::ChatTemplate(std::string_view source) : template_(jinja::parse_template(source)) {}

std::string ChatTemplate::apply(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                                const ChatExtras& extras) const {
    using jinja::Value;
    if (!messages.is_array()) {
        throw Error("chat template: messages must be a JSON array, got " + std::string(messages.type_name()));
    }
    if (!extras.variables.is_null() && !extras.variables.is_object()) {
        throw Error("chat template: extra variables must be a JSON object");
    }
    jinja::DictData vars;
    try {
        vars.set("messages", Value::from_json(messages));
        vars.set("add_generation_prompt", Value(add_generation_prompt));
        vars.set("bos_token", Value(extras.bos_token));
        vars.set("eos_token", Value(extras.eos_token));
        vars.set("tools", Value::from_json(extras.tools));
        if (extras.variables.is_object()) {
            for (const auto& [name, value] : extras.variables.items()) {
                vars.set(name, Value::from_json(value));
            }
        }
        return jinja::Interpreter::render(*template_, vars);
    } catch (const jinja::EvalError& e) {
        throw Error(std::string("chat template: ") + e.what());
    }
}

std::string apply_chat_template(std::string_view template_src, const nlohmann::ordered_json& messages,
                                bool add_generation_prompt, const ChatExtras& extras) {
    return ChatTemplate(template_src).apply(messages, add_generation_prompt, extras);
}

}  // namespace sy::chat
