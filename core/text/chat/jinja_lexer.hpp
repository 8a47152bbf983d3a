// Splits a template into tokens the way Jinja2's lexer does with trim_blocks and lstrip_blocks
// on (the settings transformers' apply_chat_template uses):
//   - "\r\n" and "\r" become "\n"; one trailing newline of the template is dropped;
//   - "{%-", "{#-", "{{-" strip all whitespace before the tag, "-%}", "-#}", "-}}" all after;
//   - trim_blocks: the first "\n" after "%}" or "#}" is dropped ("+%}" keeps it);
//   - lstrip_blocks: spaces and tabs from the start of a line up to "{%" or "{#" are dropped
//     ("{%+" keeps them); "{{" is never lstripped;
//   - {% raw %}...{% endraw %} is passed through as text.
// Inside tags, "%}" / "}}" only close the tag when no bracket is open.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sy::chat::jinja {

struct SourcePos {
    int line = 1;
    int column = 1;  // in code points, 1-based
};

// Throws sy::Error "chat template, line L, column C: <message>".
[[noreturn]] void throw_template_error(SourcePos pos, const std::string& message);

enum class TokenType {
    Data,           // template text between tags, already whitespace-controlled
    VariableBegin,  // {{
    VariableEnd,    // }}
    BlockBegin,     // {%
    BlockEnd,       // %}
    Name,
    String,         // value is the unescaped string
    Integer,        // value is the digits as written
    Float,
    Operator,       // + - * / // % ** ~ == != < <= > >= = . , : | ( ) [ ] { } ;
    End,
};

struct Token {
    TokenType type;
    std::string value;
    SourcePos pos;
};

// Throws sy::Error on an unterminated comment, string or raw block, an unknown character or an
// unbalanced bracket inside a tag.
std::vector<Token> tokenize(std::string_view source);

}  // namespace sy::chat::jinja
