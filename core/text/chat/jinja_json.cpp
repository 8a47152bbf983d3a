// json.dumps as Python writes it: ", " and ": " on one line; with an indent, "," at line ends
// and the closing bracket on its own line; empty containers stay "[]" / "{}"; floats as
// repr(); NaN/Infinity unquoted; non-ASCII text unescaped (ensure_ascii=False).
#include <algorithm>
#include <cmath>

#include "text/chat/jinja_ops.hpp"
#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {
namespace {

class JsonWriter {
public:
    explicit JsonWriter(const JsonStyle& style) : style_(style) {}

    void write(const Value& v, int level) {
        switch (v.kind()) {
        case ValueKind::None: out_ += "null"; return;
        case ValueKind::Bool: out_ += v.as_bool() ? "true" : "false"; return;
        case ValueKind::Int: out_ += std::to_string(v.as_int()); return;
        case ValueKind::Float: write_float(v.as_float()); return;
        case ValueKind::String: out_ += json_quote(v.as_string()); return;
        case ValueKind::List:
            if (v.list().kind != ListKind::Generator) {
                enter(v.identity());
                write_list(v.list().items, level);
                active_.pop_back();
                return;
            }
            break;
        case ValueKind::Dict:
            enter(v.identity());
            write_dict(v.dict(), level);
            active_.pop_back();
            return;
        default: break;
        }
        throw EvalError("Object of type " + type_name(v) + " is not JSON serializable");
    }

    std::string take() { return std::move(out_); }

private:
    void write_float(double f) {
        if (std::isnan(f)) {
            out_ += "NaN";
        } else if (std::isinf(f)) {
            out_ += f < 0 ? "-Infinity" : "Infinity";
        } else {
            out_ += py_repr_float(f);
        }
    }

    // Before each item: the separator (except first), then newline + indent when indenting.
    void begin_item(bool first, int level) {
        if (!first) {
            out_ += style_.item_separator;
        }
        newline(level);
    }

    void newline(int level) {
        if (style_.indent) {
            out_ += '\n';
            for (int i = 0; i < level; ++i) {
                out_ += *style_.indent;
            }
        }
    }

    // json.dumps(check_circular=True) refuses a container that contains itself.
    void enter(const void* container) {
        if (std::find(active_.begin(), active_.end(), container) != active_.end()) {
            throw EvalError("Circular reference detected");
        }
        active_.push_back(container);
    }

    void write_list(const std::vector<Value>& items, int level) {
        if (items.empty()) {
            out_ += "[]";
            return;
        }
        out_ += '[';
        for (size_t i = 0; i < items.size(); ++i) {
            begin_item(i == 0, level + 1);
            write(items[i], level + 1);
        }
        newline(level);
        out_ += ']';
    }

    void write_dict(const DictData& d, int level) {
        if (d.entries.empty()) {
            out_ += "{}";
            return;
        }
        std::vector<const std::pair<std::string, Value>*> order;
        for (const auto& e : d.entries) {
            order.push_back(&e);
        }
        if (style_.sort_keys) {
            // Keys are unique, so an unstable sort gives the one order.
            std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
        }
        out_ += '{';
        for (size_t i = 0; i < order.size(); ++i) {
            begin_item(i == 0, level + 1);
            out_ += json_quote(order[i]->first);
            out_ += style_.key_separator;
            write(order[i]->second, level + 1);
        }
        newline(level);
        out_ += '}';
    }

    const JsonStyle& style_;
    std::string out_;
    std::vector<const void*> active_;  // containers being written
};

}  // namespace

std::string to_json(const Value& v, const JsonStyle& style) {
    JsonWriter w(style);
    w.write(v, 0);
    return w.take();
}

}  // namespace sy::chat::jinja
