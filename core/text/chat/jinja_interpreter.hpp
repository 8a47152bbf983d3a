// Runs a parsed template. Scoping follows Jinja2: {% if %} shares its scope; every iteration
// of a {% for %} body gets a fresh child scope (a {% set %} inside a loop does not survive
// the iteration nor the loop); a macro body runs in a child of the scope it was defined in,
// looked up at call time. Namespaces, lists and dicts are shared by reference, which is how
// templates carry state out of loops.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "text/chat/jinja_ast.hpp"
#include "text/chat/jinja_value.hpp"

namespace sy::chat::jinja {

class Scope {
public:
    explicit Scope(std::shared_ptr<Scope> parent = nullptr) : parent_(std::move(parent)) {}

    const Value* find(const std::string& name) const;
    void set(const std::string& name, Value value) { vars_[name] = std::move(value); }

private:
    std::unordered_map<std::string, Value> vars_;
    std::shared_ptr<Scope> parent_;
};
using ScopePtr = std::shared_ptr<Scope>;

class Interpreter {
public:
    // Renders `tmpl` with the template variables `variables` on top of the globals
    // (jinja_builtins.hpp). Throws sy::Error with the template position on a runtime error
    // (undefined value misused, type error, raise_exception()).
    static std::string render(const Template& tmpl, const DictData& variables);

    // Expression evaluation (jinja_eval.cpp).
    Value eval(const Expr& e, const ScopePtr& scope);

private:
    enum class Flow { Normal, Break, Continue };

    Flow exec_body(const Body& body, const ScopePtr& scope, std::string& out);
    Flow exec(const Stmt& s, const ScopePtr& scope, std::string& out);
    Flow exec_for(const Stmt& s, const ScopePtr& scope, std::string& out);
    void exec_set(const Stmt& s, const ScopePtr& scope);
    void define_macro(const Stmt& s, const ScopePtr& scope);
    Value call_macro(const Stmt& macro, const ScopePtr& closure, CallArgs& args);

    Value eval_inner(const Expr& e, const ScopePtr& scope);
    // Macro calls in progress; a runaway recursive macro stops at kMaxMacroDepth as Python's
    // RecursionError would stop it, instead of overflowing the stack.
    int macro_depth_ = 0;
    static constexpr int kMaxMacroDepth = 100;
    Value eval_compare(const Expr& e, const ScopePtr& scope);
    CallArgs eval_args(const std::vector<Argument>& args, const ScopePtr& scope);
    // Applies a filter chain whose innermost input slot is empty ({% set x | f %}) to `input`.
    Value apply_filter_chain(const Expr& chain, Value input, const ScopePtr& scope);
};

// Assigns `value` to `names` (one name, or tuple unpacking) in `scope`.
void assign_targets(Scope& scope, const std::vector<std::string>& names, const Value& value);

}  // namespace sy::chat::jinja
