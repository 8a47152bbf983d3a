// The parsed form of a template: expression and statement trees mirroring Jinja2's nodes.
// One node struct per tree with a kind tag; each kind documents which fields it uses.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "text/chat/jinja_lexer.hpp"
#include "text/chat/jinja_value.hpp"

namespace sy::chat::jinja {

enum class ExprKind {
    Literal,   // literal
    Name,      // name
    List,      // items
    Tuple,     // items
    Dict,      // items: key, value, key, value, ...
    GetAttr,   // a.name
    GetItem,   // a[b]; b may be a Slice
    Slice,     // items: start, stop, step (each may be null)
    Call,      // a(args)
    Filter,    // a | name(args); a is null in a filter section of {% set x | f %}
    Test,      // a is name(args)
    Not,       // not a
    Negate,    // -a
    Plus,      // +a
    Binary,    // a name b, name one of + - * / // % **
    And,       // a and b
    Or,        // a or b
    Compare,   // a (op rhs)...: compare_ops, name = "==" "!=" "<" "<=" ">" ">=" "in" "notin"
    Concat,    // items joined with ~
    CondExpr,  // a if b else c (c may be null)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Argument {
    std::string keyword;  // empty for a positional argument
    ExprPtr value;
};

struct Expr {
    ExprKind kind;
    SourcePos pos;
    Value literal;
    std::string name;
    ExprPtr a, b, c;
    std::vector<ExprPtr> items;
    std::vector<Argument> args;
    std::vector<std::pair<std::string, ExprPtr>> compare_ops;
};

enum class StmtKind {
    Text,      // text
    Print,     // expr
    If,        // branches (condition, body), else_body
    For,       // targets, expr (iterable), condition (optional `if`), body, else_body
    Set,       // targets (several: tuple unpacking) or ns_name.ns_attr, expr
    SetBlock,  // targets[0], condition holds the filter chain (or null), body
    Macro,     // name, params, body
    Break,
    Continue,
    Scope,     // body run as is ({% generation %} blocks of transformers' templates)
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Param {
    std::string name;
    ExprPtr default_value;  // may be null
};

struct Stmt {
    StmtKind kind;
    SourcePos pos;
    std::string text;
    ExprPtr expr;
    ExprPtr condition;
    std::vector<std::pair<ExprPtr, Body>> branches;
    Body body;
    Body else_body;
    std::vector<std::string> targets;
    std::string ns_name;  // Set on a namespace attribute: {% set ns_name.ns_attr = ... %}
    std::string ns_attr;
    std::string name;
    std::vector<Param> params;
};

struct Template {
    Body body;
};

// Parses a whole template. Throws sy::Error with line and column on a syntax error, an unknown
// tag, filter or test, or a block left open.
std::shared_ptr<const Template> parse_template(std::string_view source);

}  // namespace sy::chat::jinja
