// Helpers for the Jinja unit tests: render a snippet with variables, or catch its error.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "text/chat/chat_template.hpp"

namespace sy::chat::testing {

inline std::string render(std::string_view tmpl, const nlohmann::ordered_json& vars = nlohmann::ordered_json::object()) {
    ChatExtras extras;
    extras.variables = vars;
    return apply_chat_template(tmpl, vars.value("messages", nlohmann::ordered_json::array()),
                               vars.value("add_generation_prompt", false), extras);
}

// The sy::Error message of rendering (or parsing) `tmpl`, or "" when it succeeds.
inline std::string error_of(std::string_view tmpl, const nlohmann::ordered_json& vars = nlohmann::ordered_json::object()) {
    try {
        render(tmpl, vars);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace sy::chat::testing
