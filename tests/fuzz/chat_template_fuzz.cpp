// libFuzzer target for the Jinja chat-template engine (core/text/chat): any input either
// parses and renders a fixed conversation, or is refused with sy::Error. Crashes, sanitizer
// reports, other exceptions escaping, or a hang (the engine caps nesting, recursion, loop
// and string sizes) are findings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "text/chat/chat_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 16384) return -1;  // a template, not a file dump
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    static const nlohmann::ordered_json messages = nlohmann::ordered_json::parse(R"([
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Hi <|im_end|> {{ x }}"},
        {"role": "assistant", "content": "Hello!", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
        {"role": "user", "content": ""}])");
    sy::chat::ChatExtras extras;
    extras.bos_token = "<s>";
    extras.eos_token = "</s>";
    try {
        const sy::chat::ChatTemplate tmpl(source);
        (void)tmpl.apply(messages, true, extras);
        (void)tmpl.apply(nlohmann::ordered_json::array(), false, extras);
    } catch (const sy::Error&) {
    }
    return 0;
}
