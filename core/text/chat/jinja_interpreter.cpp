// Statements: output, if, for (with loop.*), set (names, tuples, namespace attributes, blocks)
// and macros.
#include "text/chat/jinja_interpreter.hpp"

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_ops.hpp"

namespace sy::chat::jinja {

const Value* Scope::find(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent_.get()) {
        const auto it = s->vars_.find(name);
        if (it != s->vars_.end()) {
            return &it->second;
        }
    }
    return nullptr;
}

void assign_targets(Scope& scope, const std::vector<std::string>& names, const Value& value) {
    if (names.size() == 1) {
        scope.set(names.front(), value);
        return;
    }
    const std::vector<Value> items = iterate(value);
    if (items.size() < names.size()) {
        throw EvalError("not enough values to unpack (expected " + std::to_string(names.size()) + ", got " +
                        std::to_string(items.size()) + ")");
    }
    if (items.size() > names.size()) {
        throw EvalError("too many values to unpack (expected " + std::to_string(names.size()) + ")");
    }
    for (size_t i = 0; i < names.size(); ++i) {
        scope.set(names[i], items[i]);
    }
}

std::string Interpreter::render(const Template& tmpl, const DictData& variables) {
    DictData globals;
    install_globals(globals);
    auto root = std::make_shared<Scope>();
    for (const auto& [name, value] : globals.entries) {
        root->set(name, value);
    }
    for (const auto& [name, value] : variables.entries) {
        root->set(name, value);
    }
    const MutationLog cycle_breaker;  // empties containers mutated below when the render ends
    Interpreter interp;
    std::string out;
    interp.exec_body(tmpl.body, root, out);
    return out;
}

Interpreter::Flow Interpreter::exec_body(const Body& body, const ScopePtr& scope, std::string& out) {
    for (const StmtPtr& s : body) {
        const Flow flow = exec(*s, scope, out);
        if (flow != Flow::Normal) {
            return flow;
        }
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& s, const ScopePtr& scope, std::string& out) {
    switch (s.kind) {
    case StmtKind::Text:
        out += s.text;
        return Flow::Normal;
    case StmtKind::Print:
        out += to_str(eval(*s.expr, scope));
        return Flow::Normal;
    case StmtKind::If:
        for (const auto& [condition, body] : s.branches) {
            if (truthy(eval(*condition, scope))) {
                return exec_body(body, scope, out);
            }
        }
        return exec_body(s.else_body, scope, out);
    case StmtKind::For:
        return exec_for(s, scope, out);
    case StmtKind::Set:
    case StmtKind::SetBlock:
        exec_set(s, scope);
        return Flow::Normal;
    case StmtKind::Macro:
        define_macro(s, scope);
        return Flow::Normal;
    case StmtKind::Break:
        return Flow::Break;
    case StmtKind::Continue:
        return Flow::Continue;
    case StmtKind::Scope:
        return exec_body(s.body, scope, out);
    }
    return Flow::Normal;
}

namespace {

Value make_loop(size_t index, const std::vector<Value>& items) {
    const auto n = static_cast<int64_t>(items.size());
    const auto i = static_cast<int64_t>(index);
    DictData attrs;
    attrs.set("index", Value(i + 1));
    attrs.set("index0", Value(i));
    attrs.set("revindex", Value(n - i));
    attrs.set("revindex0", Value(n - i - 1));
    attrs.set("first", Value(i == 0));
    attrs.set("last", Value(i == n - 1));
    attrs.set("length", Value(n));
    attrs.set("depth", Value(1));
    attrs.set("depth0", Value(0));
    attrs.set("previtem", i > 0 ? items[index - 1] : Value::undefined("there is no previous item"));
    attrs.set("nextitem", i + 1 < n ? items[index + 1] : Value::undefined("there is no next item"));
    attrs.set("cycle", Value::function("cycle", [i](CallArgs& args) {
                  if (args.positional.empty()) {
                      throw EvalError("no items for cycling given");
                  }
                  return args.positional[static_cast<size_t>(i) % args.positional.size()];
              }));
    return Value::object("LoopContext", std::move(attrs), false);
}

}  // namespace

Interpreter::Flow Interpreter::exec_for(const Stmt& s, const ScopePtr& scope, std::string& out) {
    std::vector<Value> items;
    try {
        items = iterate(eval(*s.expr, scope));
        if (s.condition) {
            std::vector<Value> kept;
            for (const Value& item : items) {
                auto probe = std::make_shared<Scope>(scope);
                assign_targets(*probe, s.targets, item);
                if (truthy(eval(*s.condition, probe))) {
                    kept.push_back(item);
                }
            }
            items = std::move(kept);
        }
    } catch (const EvalError& e) {
        throw_template_error(s.pos, e.what());
    }
    for (size_t i = 0; i < items.size(); ++i) {
        auto iteration = std::make_shared<Scope>(scope);
        try {
            assign_targets(*iteration, s.targets, items[i]);
        } catch (const EvalError& e) {
            throw_template_error(s.pos, e.what());
        }
        iteration->set("loop", make_loop(i, items));
        if (exec_body(s.body, iteration, out) == Flow::Break) {
            break;
        }
    }
    if (items.empty()) {
        exec_body(s.else_body, std::make_shared<Scope>(scope), out);
    }
    return Flow::Normal;
}

void Interpreter::exec_set(const Stmt& s, const ScopePtr& scope) {
    Value value;
    if (s.kind == StmtKind::SetBlock) {
        std::string captured;
        exec_body(s.body, std::make_shared<Scope>(scope), captured);
        value = s.condition ? apply_filter_chain(*s.condition, Value(captured), scope) : Value(captured);
    } else {
        value = eval(*s.expr, scope);
    }
    try {
        if (s.ns_name.empty()) {
            assign_targets(*scope, s.targets, value);
            return;
        }
        const Value* ns = scope->find(s.ns_name);
        if (!ns || ns->kind() != ValueKind::Object || !ns->object().assignable) {
            throw EvalError("cannot assign attribute on non-namespace object '" + s.ns_name + "'");
        }
        MutationLog::note(*ns);
        ns->object().attrs.set(s.ns_attr, value);
    } catch (const EvalError& e) {
        throw_template_error(s.pos, e.what());
    }
}

void Interpreter::define_macro(const Stmt& s, const ScopePtr& scope) {
    // The closure holds its scope weakly: the scope holds the macro, a strong pointer back
    // would keep both alive forever.
    std::weak_ptr<Scope> closure = scope;
    const Stmt* macro = &s;
    scope->set(s.name, Value::function(s.name, [this, macro, closure](CallArgs& args) {
                   const ScopePtr defining = closure.lock();
                   if (!defining) {
                       throw EvalError("macro '" + macro->name + "' was called after its scope ended");
                   }
                   return call_macro(*macro, defining, args);
               }));
}

Value Interpreter::call_macro(const Stmt& macro, const ScopePtr& closure, CallArgs& args) {
    if (args.positional.size() > macro.params.size()) {
        throw EvalError("macro '" + macro.name + "' takes not more than " + std::to_string(macro.params.size()) +
                        " argument(s)");
    }
    auto local = std::make_shared<Scope>(closure);
    for (const auto& [key, value] : args.keyword) {
        bool known = false;
        for (const Param& p : macro.params) {
            known = known || p.name == key;
        }
        if (!known) {
            throw EvalError("macro '" + macro.name + "' takes no keyword argument '" + key + "'");
        }
    }
    for (size_t i = 0; i < macro.params.size(); ++i) {
        const Param& p = macro.params[i];
        const Value given = args.get(i, p.name);
        if (!given.is_undefined() || i < args.positional.size()) {
            local->set(p.name, given);
        } else if (p.default_value) {
            local->set(p.name, eval(*p.default_value, local));
        } else {
            local->set(p.name, Value::undefined("parameter '" + p.name + "' was not provided"));
        }
    }
    if (macro_depth_ >= kMaxMacroDepth) {
        throw EvalError("maximum recursion depth exceeded calling macro '" + macro.name + "'");
    }
    ++macro_depth_;
    std::string out;
    try {
        exec_body(macro.body, local, out);
    } catch (...) {
        --macro_depth_;
        throw;
    }
    --macro_depth_;
    return Value(out);
}

}  // namespace sy::chat::jinja
