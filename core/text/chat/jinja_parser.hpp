// Recursive-descent parser over the lexer's tokens, following Jinja2's grammar (parser.py):
// precedence from loosest to tightest is
//   x if c else y  <  or  <  and  <  not  <  comparisons, in, not in  <  + -  <  ~  <  * / // %
//   <  **  <  unary - +  <  postfix . [] ()  then filters | and tests `is`.
// Statements live in jinja_parse_stmt.cpp, expressions in jinja_parse_expr.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "text/chat/jinja_ast.hpp"
#include "text/chat/jinja_lexer.hpp"

namespace sy::chat::jinja {

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

    Body parse_template_body();

    // -- statements (jinja_parse_stmt.cpp)
    Body subparse(const std::vector<std::string_view>& end_tags);
    Body parse_statements(const std::vector<std::string_view>& end_tags, bool drop_needle);
    StmtPtr parse_statement();
    StmtPtr parse_for();
    StmtPtr parse_if();
    StmtPtr parse_set();
    StmtPtr parse_macro();
    [[noreturn]] void fail_unknown_tag(const Token& tag);
    [[noreturn]] void fail_eof();

    // -- expressions (jinja_parse_expr.cpp)
    ExprPtr parse_expression(bool with_condexpr = true);
    ExprPtr parse_tuple(bool with_condexpr = true, const std::vector<std::string_view>& extra_end = {},
                        bool explicit_parentheses = false);
    ExprPtr parse_condexpr();
    ExprPtr parse_or();
    ExprPtr parse_and();
    ExprPtr parse_not();
    ExprPtr parse_compare();
    ExprPtr parse_math1();
    ExprPtr parse_concat();
    ExprPtr parse_math2();
    ExprPtr parse_pow();
    ExprPtr parse_unary(bool with_filter);
    ExprPtr parse_primary();
    ExprPtr parse_postfix(ExprPtr node);
    ExprPtr parse_filter_expr(ExprPtr node);
    ExprPtr parse_subscript(ExprPtr node);
    ExprPtr parse_subscribed();
    std::vector<Argument> parse_call_args();
    ExprPtr parse_filter(ExprPtr node);
    ExprPtr parse_test(ExprPtr node);
    ExprPtr parse_list();
    ExprPtr parse_dict();

    // -- token stream
    const Token& cur() const { return toks_[i_]; }
    const Token& peek() const { return toks_[i_ + 1 < toks_.size() ? i_ + 1 : i_]; }
    const Token& next() { return toks_[i_ + 1 < toks_.size() ? i_++ : i_]; }
    bool is_op(std::string_view op) const { return cur().type == TokenType::Operator && cur().value == op; }
    bool is_name(std::string_view name) const { return cur().type == TokenType::Name && cur().value == name; }
    bool skip_op(std::string_view op);
    bool skip_name(std::string_view name);
    void expect_op(std::string_view op);
    void expect_name(std::string_view name);
    std::string expect_identifier();
    void expect(TokenType type, std::string_view what);
    bool is_tuple_end(const std::vector<std::string_view>& extra_end) const;
    [[noreturn]] void fail(const Token& at, const std::string& message) const;

    static std::string describe(const Token& t);

    // Counts nesting while parsing; past kMaxDepth the template is refused rather than
    // overflowing the stack (templates come from model files).
    struct DepthGuard {
        DepthGuard(Parser& p, const Token& at);
        ~DepthGuard() { --parser.depth_; }
        Parser& parser;
    };
    static constexpr int kMaxDepth = 200;
    static ExprPtr make(ExprKind kind, SourcePos pos);

private:
    std::vector<Token> toks_;
    size_t i_ = 0;
    struct OpenTag {
        std::string name;
        SourcePos pos;
    };
    std::vector<OpenTag> open_tags_;                         // for "block left open" messages
    std::vector<std::vector<std::string_view>> end_tag_stack_;  // what each open block waits for
    int loop_depth_ = 0;                                     // break/continue need a loop
    int depth_ = 0;                                          // current nesting, see DepthGuard
};

}  // namespace sy::chat::jinja
