// The parser's token-stream helpers: matching, expecting and describing tokens.
#include "text/chat/jinja_parser.hpp"

namespace sy::chat::jinja {

bool Parser::skip_op(std::string_view op) {
    if (!is_op(op)) {
        return false;
    }
    next();
    return true;
}

bool Parser::skip_name(std::string_view name) {
    if (!is_name(name)) {
        return false;
    }
    next();
    return true;
}

void Parser::expect_op(std::string_view op) {
    if (!skip_op(op)) {
        fail(cur(), "expected '" + std::string(op) + "', got " + describe(cur()));
    }
}

void Parser::expect_name(std::string_view name) {
    if (!skip_name(name)) {
        fail(cur(), "expected '" + std::string(name) + "', got " + describe(cur()));
    }
}

std::string Parser::expect_identifier() {
    if (cur().type != TokenType::Name) {
        fail(cur(), "expected a name, got " + describe(cur()));
    }
    return next().value;
}

void Parser::expect(TokenType type, std::string_view what) {
    if (cur().type == TokenType::End) {
        fail_eof();
    }
    if (cur().type != type) {
        fail(cur(), "expected " + std::string(what) + ", got " + describe(cur()));
    }
    next();
}

bool Parser::is_tuple_end(const std::vector<std::string_view>& extra_end) const {
    const Token& t = cur();
    if (t.type == TokenType::VariableEnd || t.type == TokenType::BlockEnd || t.type == TokenType::End ||
        (t.type == TokenType::Operator && t.value == ")")) {
        return true;
    }
    for (const std::string_view name : extra_end) {
        if (t.type == TokenType::Name && t.value == name) {
            return true;
        }
    }
    return false;
}

Parser::DepthGuard::DepthGuard(Parser& p, const Token& at) : parser(p) {
    if (++parser.depth_ > kMaxDepth) {
        parser.fail(at, "template nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
    }
}

void Parser::fail(const Token& at, const std::string& message) const {
    throw_template_error(at.pos, message);
}

std::string Parser::describe(const Token& t) {
    switch (t.type) {
    case TokenType::Data: return "template text";
    case TokenType::VariableBegin: return "'{{'";
    case TokenType::VariableEnd: return "end of print statement '}}'";
    case TokenType::BlockBegin: return "'{%'";
    case TokenType::BlockEnd: return "end of statement block '%}'";
    case TokenType::String: return "string literal";
    case TokenType::End: return "end of template";
    default: return "'" + t.value + "'";
    }
}

ExprPtr Parser::make(ExprKind kind, SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
}

}  // namespace sy::chat::jinja
