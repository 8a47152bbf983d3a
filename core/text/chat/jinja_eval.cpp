// Expressions. `and`/`or` return an operand (Python), comparisons chain (a < b < c), `~`
// joins str() of its operands, and an `if` without `else` yields undefined.
#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_interpreter.hpp"
#include "text/chat/jinja_ops.hpp"

namespace sy::chat::jinja {

Value Interpreter::eval(const Expr& e, const ScopePtr& scope) {
    try {
        return eval_inner(e, scope);
    } catch (const EvalError& err) {
        throw_template_error(e.pos, err.what());
    }
}

CallArgs Interpreter::eval_args(const std::vector<Argument>& args, const ScopePtr& scope) {
    CallArgs out;
    for (const Argument& a : args) {
        if (a.keyword.empty()) {
            out.positional.push_back(eval(*a.value, scope));
        } else {
            out.keyword.emplace_back(a.keyword, eval(*a.value, scope));
        }
    }
    return out;
}

Value Interpreter::apply_filter_chain(const Expr& chain, Value input, const ScopePtr& scope) {
    Value value = chain.a ? apply_filter_chain(*chain.a, std::move(input), scope) : std::move(input);
    CallArgs args = eval_args(chain.args, scope);
    try {
        return find_filter(chain.name)(value, args);
    } catch (const EvalError& err) {
        throw_template_error(chain.pos, err.what());
    }
}

Value Interpreter::eval_compare(const Expr& e, const ScopePtr& scope) {
    Value left = eval(*e.a, scope);
    for (const auto& [op, rhs] : e.compare_ops) {
        Value right = eval(*rhs, scope);
        bool ok = false;
        if (op == "==") {
            ok = equals(left, right);
        } else if (op == "!=") {
            ok = !equals(left, right);
        } else if (op == "<") {
            ok = less_than(left, right);
        } else if (op == ">") {
            ok = less_than(right, left);
        } else if (op == "<=") {
            ok = less_than(left, right) || equals(left, right);
        } else if (op == ">=") {
            ok = less_than(right, left) || equals(left, right);
        } else if (op == "in") {
            ok = contains(right, left);
        } else {  // notin
            ok = !contains(right, left);
        }
        if (!ok) {
            return Value(false);
        }
        left = std::move(right);
    }
    return Value(true);
}

Value Interpreter::eval_inner(const Expr& e, const ScopePtr& scope) {
    switch (e.kind) {
    case ExprKind::Literal:
        return e.literal;
    case ExprKind::Name: {
        const Value* v = scope->find(e.name);
        return v ? *v : Value::undefined("'" + e.name + "' is undefined");
    }
    case ExprKind::List:
    case ExprKind::Tuple: {
        std::vector<Value> items;
        for (const ExprPtr& item : e.items) {
            items.push_back(eval(*item, scope));
        }
        return Value::list(std::move(items), e.kind == ExprKind::Tuple ? ListKind::Tuple : ListKind::List);
    }
    case ExprKind::Dict: {
        DictData d;
        for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
            const Value key = eval(*e.items[i], scope);
            if (!key.is_string()) {
                throw EvalError("dict keys in templates must be strings, got '" + type_name(key) + "'");
            }
            d.set(key.as_string(), eval(*e.items[i + 1], scope));
        }
        return Value::dict(std::move(d));
    }
    case ExprKind::GetAttr:
        return get_attribute(eval(*e.a, scope), e.name);
    case ExprKind::GetItem: {
        const Value obj = eval(*e.a, scope);
        if (e.b->kind == ExprKind::Slice) {
            Value bounds[3];
            for (size_t i = 0; i < 3; ++i) {
                if (e.b->items[i]) {
                    bounds[i] = eval(*e.b->items[i], scope);
                }
            }
            return slice(obj, bounds[0], bounds[1], bounds[2]);
        }
        return get_item(obj, eval(*e.b, scope));
    }
    case ExprKind::Slice:
        throw EvalError("a slice is only valid inside []");
    case ExprKind::Call: {
        const Value callee = eval(*e.a, scope);
        CallArgs args = eval_args(e.args, scope);
        if (callee.kind() == ValueKind::Function) {
            return callee.function().call(args);
        }
        if (callee.is_undefined()) {
            fail_undefined(callee);
        }
        throw EvalError("'" + type_name(callee) + "' object is not callable");
    }
    case ExprKind::Filter: {
        const Value input = e.a ? eval(*e.a, scope) : Value();
        CallArgs args = eval_args(e.args, scope);
        return find_filter(e.name)(input, args);
    }
    case ExprKind::Test: {
        const Value input = eval(*e.a, scope);
        CallArgs args = eval_args(e.args, scope);
        return Value(find_test(e.name)(input, args));
    }
    case ExprKind::Not:
        return Value(!truthy(eval(*e.a, scope)));
    case ExprKind::Negate:
        return negate(eval(*e.a, scope));
    case ExprKind::Plus: {
        Value v = eval(*e.a, scope);
        if (v.is_undefined()) {
            fail_undefined(v);
        }
        if (!v.is_number()) {
            throw EvalError("bad operand type for unary +: '" + type_name(v) + "'");
        }
        return v.kind() == ValueKind::Bool ? Value(v.as_int()) : v;
    }
    case ExprKind::Binary: {
        const Value a = eval(*e.a, scope);
        const Value b = eval(*e.b, scope);
        return arithmetic(e.name, a, b);
    }
    case ExprKind::And: {
        Value left = eval(*e.a, scope);
        return truthy(left) ? eval(*e.b, scope) : left;
    }
    case ExprKind::Or: {
        Value left = eval(*e.a, scope);
        return truthy(left) ? left : eval(*e.b, scope);
    }
    case ExprKind::Compare:
        return eval_compare(e, scope);
    case ExprKind::Concat: {
        std::string out;
        for (const ExprPtr& item : e.items) {
            out += to_str(eval(*item, scope));
        }
        return Value(out);
    }
    case ExprKind::CondExpr:
        if (truthy(eval(*e.b, scope))) {
            return eval(*e.a, scope);
        }
        if (e.c) {
            return eval(*e.c, scope);
        }
        return Value::undefined("the inline if-expression on line " + std::to_string(e.pos.line) +
                                " evaluated to false and no else section was defined");
    }
    return Value();
}

}  // namespace sy::chat::jinja
