// Expressions, one function per precedence level (see jinja_parser.hpp).
#include <charconv>
#include <cstdlib>

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_parser.hpp"

namespace sy::chat::jinja {

// ---- precedence levels, loosest first

ExprPtr Parser::parse_expression(bool with_condexpr) {
    const DepthGuard guard(*this, cur());
    return with_condexpr ? parse_condexpr() : parse_or();
}

ExprPtr Parser::parse_tuple(bool with_condexpr, const std::vector<std::string_view>& extra_end,
                            bool explicit_parentheses) {
    const SourcePos pos = cur().pos;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
        if (!items.empty()) {
            expect_op(",");
        }
        if (is_tuple_end(extra_end)) {
            break;
        }
        items.push_back(parse_expression(with_condexpr));
        if (!is_op(",")) {
            break;
        }
        is_tuple = true;
    }
    if (!is_tuple) {
        if (!items.empty()) {
            return std::move(items.front());
        }
        if (!explicit_parentheses) {
            if (cur().type == TokenType::End) {
                fail_eof();
            }
            fail(cur(), "expected an expression, got " + describe(cur()));
        }
    }
    ExprPtr t = make(ExprKind::Tuple, pos);
    t->items = std::move(items);
    return t;
}

ExprPtr Parser::parse_condexpr() {
    ExprPtr expr = parse_or();
    while (is_name("if")) {
        const SourcePos pos = next().pos;
        ExprPtr e = make(ExprKind::CondExpr, pos);
        e->a = std::move(expr);
        e->b = parse_or();
        if (skip_name("else")) {
            e->c = parse_condexpr();
        }
        expr = std::move(e);
    }
    return expr;
}

namespace {

ExprPtr binary(ExprKind kind, std::string op, ExprPtr a, ExprPtr b, SourcePos pos) {
    ExprPtr e = Parser::make(kind, pos);
    e->name = std::move(op);
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
}

}  // namespace

ExprPtr Parser::parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
        const SourcePos pos = next().pos;
        left = binary(ExprKind::Or, "or", std::move(left), parse_and(), pos);
    }
    return left;
}

ExprPtr Parser::parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
        const SourcePos pos = next().pos;
        left = binary(ExprKind::And, "and", std::move(left), parse_not(), pos);
    }
    return left;
}

ExprPtr Parser::parse_not() {
    const DepthGuard guard(*this, cur());
    if (is_name("not")) {
        ExprPtr e = make(ExprKind::Not, next().pos);
        e->a = parse_not();
        return e;
    }
    return parse_compare();
}

ExprPtr Parser::parse_compare() {
    const SourcePos pos = cur().pos;
    ExprPtr expr = parse_math1();
    std::vector<std::pair<std::string, ExprPtr>> ops;
    while (true) {
        const Token& t = cur();
        if (t.type == TokenType::Operator &&
            (t.value == "==" || t.value == "!=" || t.value == "<" || t.value == "<=" || t.value == ">" ||
             t.value == ">=")) {
            std::string op = next().value;
            ops.emplace_back(std::move(op), parse_math1());
        } else if (skip_name("in")) {
            ops.emplace_back("in", parse_math1());
        } else if (is_name("not") && peek().type == TokenType::Name && peek().value == "in") {
            next();
            next();
            ops.emplace_back("notin", parse_math1());
        } else {
            break;
        }
    }
    if (ops.empty()) {
        return expr;
    }
    ExprPtr e = make(ExprKind::Compare, pos);
    e->a = std::move(expr);
    e->compare_ops = std::move(ops);
    return e;
}

ExprPtr Parser::parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
        const Token& op = next();
        left = binary(ExprKind::Binary, op.value, std::move(left), parse_concat(), op.pos);
    }
    return left;
}

ExprPtr Parser::parse_concat() {
    const SourcePos pos = cur().pos;
    ExprPtr first = parse_math2();
    if (!is_op("~")) {
        return first;
    }
    ExprPtr e = make(ExprKind::Concat, pos);
    e->items.push_back(std::move(first));
    while (skip_op("~")) {
        e->items.push_back(parse_math2());
    }
    return e;
}

ExprPtr Parser::parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
        const Token& op = next();
        left = binary(ExprKind::Binary, op.value, std::move(left), parse_pow(), op.pos);
    }
    return left;
}

ExprPtr Parser::parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
        const Token& op = next();
        left = binary(ExprKind::Binary, "**", std::move(left), parse_unary(true), op.pos);
    }
    return left;
}

ExprPtr Parser::parse_unary(bool with_filter) {
    const DepthGuard guard(*this, cur());
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
        const Token& op = next();
        node = make(op.value == "-" ? ExprKind::Negate : ExprKind::Plus, op.pos);
        node->a = parse_unary(false);
    } else {
        node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    return with_filter ? parse_filter_expr(std::move(node)) : std::move(node);
}

ExprPtr Parser::parse_primary() {
    const Token& t = cur();
    if (t.type == TokenType::Name) {
        ExprPtr e = make(ExprKind::Literal, t.pos);
        if (t.value == "true" || t.value == "True" || t.value == "false" || t.value == "False") {
            e->literal = Value(t.value == "true" || t.value == "True");
        } else if (t.value == "none" || t.value == "None") {
            e->literal = Value::none();
        } else {
            e->kind = ExprKind::Name;
            e->name = t.value;
        }
        next();
        return e;
    }
    if (t.type == TokenType::String) {
        ExprPtr e = make(ExprKind::Literal, t.pos);
        std::string s;
        while (cur().type == TokenType::String) {  // adjacent literals concatenate
            s += next().value;
        }
        e->literal = Value(std::move(s));
        return e;
    }
    if (t.type == TokenType::Integer) {
        int64_t v = 0;
        const auto [end, ec] = std::from_chars(t.value.data(), t.value.data() + t.value.size(), v);
        if (ec != std::errc() || end != t.value.data() + t.value.size()) {
            fail(t, "integer literal '" + t.value + "' is out of range");
        }
        ExprPtr e = make(ExprKind::Literal, t.pos);
        e->literal = Value(v);
        next();
        return e;
    }
    if (t.type == TokenType::Float) {
        ExprPtr e = make(ExprKind::Literal, t.pos);
        e->literal = Value(std::strtod(t.value.c_str(), nullptr));
        next();
        return e;
    }
    if (t.type == TokenType::Operator && t.value == "(") {
        next();
        ExprPtr e = parse_tuple(true, {}, true);
        expect_op(")");
        return e;
    }
    if (t.type == TokenType::Operator && t.value == "[") {
        return parse_list();
    }
    if (t.type == TokenType::Operator && t.value == "{") {
        return parse_dict();
    }
    if (t.type == TokenType::End) {
        fail_eof();
    }
    fail(t, "unexpected " + describe(t));
}

ExprPtr Parser::parse_list() {
    ExprPtr e = make(ExprKind::List, next().pos);
    while (!is_op("]")) {
        if (!e->items.empty()) {
            expect_op(",");
        }
        if (is_op("]")) {
            break;
        }
        e->items.push_back(parse_expression());
    }
    expect_op("]");
    return e;
}

ExprPtr Parser::parse_dict() {
    ExprPtr e = make(ExprKind::Dict, next().pos);
    while (!is_op("}")) {
        if (!e->items.empty()) {
            expect_op(",");
        }
        if (is_op("}")) {
            break;
        }
        e->items.push_back(parse_expression());
        expect_op(":");
        e->items.push_back(parse_expression());
    }
    expect_op("}");
    return e;
}

// ---- postfix: attributes, subscripts, calls; then filters and tests

ExprPtr Parser::parse_postfix(ExprPtr node) {
    while (true) {
        if (is_op(".") || is_op("[")) {
            node = parse_subscript(std::move(node));
        } else if (is_op("(")) {
            ExprPtr call = make(ExprKind::Call, cur().pos);
            call->a = std::move(node);
            call->args = parse_call_args();
            node = std::move(call);
        } else {
            return node;
        }
    }
}

ExprPtr Parser::parse_filter_expr(ExprPtr node) {
    while (true) {
        if (is_op("|")) {
            node = parse_filter(std::move(node));
        } else if (is_name("is")) {
            node = parse_test(std::move(node));
        } else if (is_op("(")) {
            ExprPtr call = make(ExprKind::Call, cur().pos);
            call->a = std::move(node);
            call->args = parse_call_args();
            node = std::move(call);
        } else {
            return node;
        }
    }
}

ExprPtr Parser::parse_subscript(ExprPtr node) {
    const Token& op = next();
    if (op.value == ".") {
        const Token& attr = cur();
        if (attr.type == TokenType::Name) {
            ExprPtr e = make(ExprKind::GetAttr, op.pos);
            e->a = std::move(node);
            e->name = next().value;
            return e;
        }
        if (attr.type != TokenType::Integer) {
            fail(attr, "expected a name or number after '.', got " + describe(attr));
        }
        ExprPtr e = make(ExprKind::GetItem, op.pos);
        e->a = std::move(node);
        e->b = parse_primary();
        return e;
    }
    ExprPtr e = make(ExprKind::GetItem, op.pos);
    e->a = std::move(node);
    std::vector<ExprPtr> args;
    while (!is_op("]")) {
        if (!args.empty()) {
            expect_op(",");
        }
        args.push_back(parse_subscribed());
    }
    expect_op("]");
    if (args.size() == 1) {
        e->b = std::move(args.front());
    } else {
        e->b = make(ExprKind::Tuple, op.pos);
        e->b->items = std::move(args);
    }
    return e;
}

ExprPtr Parser::parse_subscribed() {
    const SourcePos pos = cur().pos;
    ExprPtr s = make(ExprKind::Slice, pos);
    if (skip_op(":")) {
        s->items.push_back(nullptr);
    } else {
        ExprPtr first = parse_expression();
        if (!skip_op(":")) {
            return first;
        }
        s->items.push_back(std::move(first));
    }
    auto bound_ends = [&] { return is_op("]") || is_op(","); };
    s->items.push_back(is_op(":") || bound_ends() ? nullptr : parse_expression());
    if (skip_op(":")) {
        s->items.push_back(bound_ends() ? nullptr : parse_expression());
    } else {
        s->items.push_back(nullptr);
    }
    return s;
}

std::vector<Argument> Parser::parse_call_args() {
    const Token& open = cur();
    expect_op("(");
    std::vector<Argument> args;
    bool keywords_started = false;
    while (!is_op(")")) {
        if (!args.empty()) {
            expect_op(",");
            if (is_op(")")) {
                break;
            }
        }
        if (is_op("*") || is_op("**")) {
            fail(cur(), "*args and **kwargs in calls are not supported");
        }
        Argument a;
        if (cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == "=") {
            a.keyword = next().value;
            next();  // =
            keywords_started = true;
        } else if (keywords_started) {
            fail(open, "positional argument follows keyword argument");
        }
        a.value = parse_expression();
        args.push_back(std::move(a));
    }
    expect_op(")");
    return args;
}

namespace {

std::string dotted_name(Parser& p) {
    std::string name = p.expect_identifier();
    while (p.skip_op(".")) {
        name += "." + p.expect_identifier();
    }
    return name;
}

}  // namespace

ExprPtr Parser::parse_filter(ExprPtr node) {
    while (skip_op("|")) {
        const Token name_tok = cur();
        ExprPtr f = make(ExprKind::Filter, name_tok.pos);
        f->name = dotted_name(*this);
        if (!find_filter(f->name)) {
            fail(name_tok, "no filter named '" + f->name + "'");
        }
        if (is_op("(")) {
            f->args = parse_call_args();
        }
        f->a = std::move(node);
        node = std::move(f);
    }
    return node;
}

ExprPtr Parser::parse_test(ExprPtr node) {
    const SourcePos pos = next().pos;  // is
    const bool negated = skip_name("not");
    const Token name_tok = cur();
    ExprPtr t = make(ExprKind::Test, pos);
    t->name = dotted_name(*this);
    if (!find_test(t->name)) {
        fail(name_tok, "no test named '" + t->name + "'");
    }
    const Token& c = cur();
    const bool starts_operand =
        c.type == TokenType::Name || c.type == TokenType::String || c.type == TokenType::Integer ||
        c.type == TokenType::Float || (c.type == TokenType::Operator && (c.value == "[" || c.value == "{"));
    if (is_op("(")) {
        t->args = parse_call_args();
    } else if (starts_operand && !is_name("else") && !is_name("or") && !is_name("and")) {
        if (is_name("is")) {
            fail(c, "you cannot chain multiple tests with 'is'");
        }
        Argument a;
        a.value = parse_postfix(parse_primary());
        t->args.push_back(std::move(a));
    }
    t->a = std::move(node);
    if (!negated) {
        return t;
    }
    ExprPtr n = make(ExprKind::Not, pos);
    n->a = std::move(t);
    return n;
}

}  // namespace sy::chat::jinja
