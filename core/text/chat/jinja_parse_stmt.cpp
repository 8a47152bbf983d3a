// Statements: text, {{ print }}, and the tags for / if / set / macro / break / continue /
// generation. Each block statement records what closes it so an unclosed block or a stray
// end tag gets a message naming both.
#include <algorithm>

#include "text/chat/jinja_parser.hpp"

namespace sy::chat::jinja {

namespace {

std::string tag_list(const std::vector<std::string_view>& tags) {
    std::string out;
    for (size_t i = 0; i < tags.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == tags.size() ? " or " : ", ") + ("'{% " + std::string(tags[i]) + " %}'");
    }
    return out;
}

}  // namespace

std::shared_ptr<const Template> parse_template(std::string_view source) {
    Parser parser(tokenize(source));
    auto t = std::make_shared<Template>();
    t->body = parser.parse_template_body();
    return t;
}

Body Parser::parse_template_body() {
    return subparse({});
}

Body Parser::subparse(const std::vector<std::string_view>& end_tags) {
    Body body;
    if (!end_tags.empty()) {
        end_tag_stack_.push_back(end_tags);
    }
    while (true) {
        const Token& tok = cur();
        if (tok.type == TokenType::Data) {
            auto s = std::make_unique<Stmt>();
            s->kind = StmtKind::Text;
            s->pos = tok.pos;
            s->text = tok.value;
            body.push_back(std::move(s));
            next();
        } else if (tok.type == TokenType::VariableBegin) {
            auto s = std::make_unique<Stmt>();
            s->kind = StmtKind::Print;
            s->pos = tok.pos;
            next();
            s->expr = parse_tuple(true);
            expect(TokenType::VariableEnd, "end of print statement '}}'");
            body.push_back(std::move(s));
        } else if (tok.type == TokenType::BlockBegin) {
            next();
            if (cur().type == TokenType::Name &&
                std::find(end_tags.begin(), end_tags.end(), cur().value) != end_tags.end()) {
                end_tag_stack_.pop_back();
                return body;
            }
            body.push_back(parse_statement());
            expect(TokenType::BlockEnd, "end of statement block '%}'");
        } else if (tok.type == TokenType::End) {
            if (!end_tags.empty()) {
                fail_eof();
            }
            return body;
        } else {
            fail(tok, "unexpected " + describe(tok));
        }
    }
}

Body Parser::parse_statements(const std::vector<std::string_view>& end_tags, bool drop_needle) {
    skip_op(":");
    expect(TokenType::BlockEnd, "end of statement block '%}'");
    Body body = subparse(end_tags);
    if (drop_needle) {
        next();
    }
    return body;
}

StmtPtr Parser::parse_statement() {
    const Token tag = cur();
    const DepthGuard guard(*this, tag);
    if (tag.type != TokenType::Name) {
        fail(tag, "tag name expected, got " + describe(tag));
    }
    open_tags_.push_back({tag.value, tag.pos});
    StmtPtr s;
    if (tag.value == "for") {
        s = parse_for();
    } else if (tag.value == "if") {
        s = parse_if();
    } else if (tag.value == "set") {
        s = parse_set();
    } else if (tag.value == "macro") {
        s = parse_macro();
    } else if (tag.value == "break" || tag.value == "continue") {
        if (loop_depth_ == 0) {
            fail(tag, "'" + tag.value + "' outside of a for loop");
        }
        next();
        s = std::make_unique<Stmt>();
        s->kind = tag.value == "break" ? StmtKind::Break : StmtKind::Continue;
    } else if (tag.value == "generation") {
        next();
        s = std::make_unique<Stmt>();
        s->kind = StmtKind::Scope;
        s->body = parse_statements({"endgeneration"}, true);
    } else {
        open_tags_.pop_back();
        fail_unknown_tag(tag);
    }
    s->pos = tag.pos;
    open_tags_.pop_back();
    return s;
}

StmtPtr Parser::parse_for() {
    next();  // for
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::For;
    do {
        if (is_name("in")) {
            break;  // trailing comma
        }
        s->targets.push_back(expect_identifier());
    } while (skip_op(","));
    expect_name("in");
    s->expr = parse_tuple(false, {"recursive"});
    if (skip_name("if")) {
        s->condition = parse_expression();
    }
    if (is_name("recursive")) {
        fail(cur(), "recursive for loops are not supported");
    }
    ++loop_depth_;
    s->body = parse_statements({"endfor", "else"}, false);
    --loop_depth_;
    if (next().value == "else") {
        s->else_body = parse_statements({"endfor"}, true);
    }
    return s;
}

StmtPtr Parser::parse_if() {
    next();  // if
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::If;
    while (true) {
        ExprPtr condition = parse_tuple(false);
        Body body = parse_statements({"elif", "else", "endif"}, false);
        s->branches.emplace_back(std::move(condition), std::move(body));
        const Token& tok = next();
        if (tok.value == "elif") {
            continue;
        }
        if (tok.value == "else") {
            s->else_body = parse_statements({"endif"}, true);
        }
        return s;
    }
}

StmtPtr Parser::parse_set() {
    next();  // set
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::Set;
    if (cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == ".") {
        s->ns_name = expect_identifier();
        next();  // .
        s->ns_attr = expect_identifier();
    } else {
        do {
            if (is_op("=")) {
                break;  // trailing comma
            }
            s->targets.push_back(expect_identifier());
        } while (skip_op(","));
    }
    if (skip_op("=")) {
        s->expr = parse_tuple();
        return s;
    }
    if (!s->ns_name.empty() || s->targets.size() != 1) {
        fail(cur(), "a {% set %} block needs a single variable name");
    }
    s->kind = StmtKind::SetBlock;
    if (is_op("|")) {
        s->condition = parse_filter(nullptr);
    }
    s->body = parse_statements({"endset"}, true);
    return s;
}

StmtPtr Parser::parse_macro() {
    next();  // macro
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::Macro;
    s->name = expect_identifier();
    expect_op("(");
    while (!is_op(")")) {
        if (!s->params.empty()) {
            expect_op(",");
        }
        Param p;
        p.name = expect_identifier();
        if (skip_op("=")) {
            p.default_value = parse_expression();
        } else if (!s->params.empty() && s->params.back().default_value) {
            fail(cur(), "non-default argument follows default argument");
        }
        s->params.push_back(std::move(p));
    }
    expect_op(")");
    const int outer_loops = loop_depth_;
    loop_depth_ = 0;  // a loop around the definition does not surround the body
    s->body = parse_statements({"endmacro"}, true);
    loop_depth_ = outer_loops;
    return s;
}

void Parser::fail_unknown_tag(const Token& tag) {
    std::string message = "unknown tag '" + tag.value + "'";
    if (!end_tag_stack_.empty()) {
        message += "; expected " + tag_list(end_tag_stack_.back());
        if (!open_tags_.empty()) {
            message += " to close '{% " + open_tags_.back().name + " %}' from line " +
                       std::to_string(open_tags_.back().pos.line);
        }
    }
    fail(tag, message);
}

void Parser::fail_eof() {
    std::string message = "unexpected end of template";
    if (!end_tag_stack_.empty()) {
        message += "; expected " + tag_list(end_tag_stack_.back());
        if (!open_tags_.empty()) {
            message += " to close '{% " + open_tags_.back().name + " %}' from line " +
                       std::to_string(open_tags_.back().pos.line);
        }
    }
    fail(cur(), message);
}

}  // namespace sy::chat::jinja
