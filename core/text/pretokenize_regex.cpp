#include "text/pretokenize_regex.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>

#include "common/error.hpp"
#include "text/unicode.hpp"

namespace sy::text {

namespace {

constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();

// A set of code points: literal ranges plus whole classes. See the header for how membership
// departs from the textbook meaning.
struct CharSet {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // literal items, sorted, merged, inclusive
    uint8_t class_mask = 0;   // unicode::ClassBit of the \p{..} and \s items
    bool not_space = false;   // a \S item
    bool han = false;         // a \p{Han} item
    bool minus_han = false;   // "--\p{Han}": Han ideographs removed
    bool negated = false;

    bool contains(uint32_t cp) const {
        uint8_t cls = unicode::classes(cp);
        if (cp == '~') cls = static_cast<uint8_t>(cls & ~unicode::kSymbol);
        bool in = (cls & class_mask) != 0 || (not_space && (cls & unicode::kWhiteSpace) == 0) ||
                  (han && unicode::is_kimi_han(cp));
        const bool non_ascii_space = cp >= 0x80 && (cls & unicode::kWhiteSpace) != 0;
        if (!in && !non_ascii_space && !ranges.empty()) {
            auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                                       [](uint32_t v, const std::pair<uint32_t, uint32_t>& r) { return v < r.first; });
            in = it != ranges.begin() && cp <= std::prev(it)->second;
        }
        if (in && minus_han && unicode::is_kimi_han(cp)) in = false;
        return in != negated;
    }
};

enum class TermKind : uint8_t { Set, Group, LookAhead, NegativeLookAhead, End };

struct Term {
    TermKind kind = TermKind::Set;
    uint32_t index = 0;  // into Program::sets or Program::groups
    uint32_t min = 1;    // repetitions; a Group is {1,1} or optional {0,1}
    uint32_t max = 1;
};

struct Sequence {
    std::vector<Term> terms;
};

struct Group {
    std::vector<Sequence> alternatives;
};

}  // namespace

struct SplitPattern::Program {
    std::vector<CharSet> sets;
    std::vector<Group> groups;  // groups[0] is the whole pattern
};

namespace {

using Program = SplitPattern::Program;

// Recursive-descent parser over the pattern's code points.
class Parser {
public:
    Parser(std::string_view source, Program& program) : source_(source), program_(program) {
        // Decode by hand so every code point keeps its byte offset for messages.
        size_t i = 0;
        while (i < source.size()) {
            const size_t len = std::min(unicode::utf8_sequence_length(static_cast<uint8_t>(source[i])), source.size() - i);
            const std::vector<uint32_t> one = unicode::decode_utf8(source.substr(i, len));
            cps_.push_back(one.empty() ? unicode::kReplacementChar : one[0]);
            offsets_.push_back(i);
            i += len;
        }
    }

    void parse() {
        program_.groups.emplace_back();
        Group root = parse_alternation();
        if (pos_ != cps_.size()) fail("unbalanced ')'");
        program_.groups[0] = std::move(root);
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        const size_t at = pos_ < offsets_.size() ? offsets_[pos_] : source_.size();
        throw Error("pre-tokenizer pattern \"" + std::string(source_) + "\": " + what + " at byte " + std::to_string(at));
    }
    bool at_end() const { return pos_ >= cps_.size(); }
    uint32_t peek(size_t ahead = 0) const { return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : 0; }
    uint32_t next() {
        if (at_end()) fail("unexpected end");
        return cps_[pos_++];
    }
    void expect(uint32_t c, const char* what) {
        if (at_end() || cps_[pos_] != c) fail(std::string("expected ") + what);
        ++pos_;
    }

    Group parse_alternation() {
        Group g;
        g.alternatives.push_back(parse_sequence());
        while (!at_end() && peek() == '|') {
            ++pos_;
            g.alternatives.push_back(parse_sequence());
        }
        return g;
    }

    Sequence parse_sequence() {
        Sequence s;
        while (!at_end() && peek() != '|' && peek() != ')') s.terms.push_back(parse_term());
        return s;
    }

    uint32_t add_set(CharSet set) {
        std::sort(set.ranges.begin(), set.ranges.end());
        std::vector<std::pair<uint32_t, uint32_t>> merged;
        for (const auto& r : set.ranges) {
            if (!merged.empty() && r.first <= merged.back().second + 1) {
                merged.back().second = std::max(merged.back().second, r.second);
            } else {
                merged.push_back(r);
            }
        }
        set.ranges = std::move(merged);
        program_.sets.push_back(std::move(set));
        return static_cast<uint32_t>(program_.sets.size() - 1);
    }

    uint32_t add_group(Group g) {
        program_.groups.push_back(std::move(g));
        return static_cast<uint32_t>(program_.groups.size() - 1);
    }

    // \p{Name} after the "\p" has been read.
    void parse_property(CharSet& set) {
        expect('{', "'{' after \\p");
        std::string name;
        while (!at_end() && peek() != '}') name += static_cast<char>(next() & 0x7F);
        expect('}', "'}'");
        if (name == "L") set.class_mask |= unicode::kLetter;
        else if (name == "N") set.class_mask |= unicode::kNumber;
        else if (name == "P") set.class_mask |= unicode::kPunctuation;
        else if (name == "S") set.class_mask |= unicode::kSymbol;
        else if (name == "M") set.class_mask |= unicode::kMark;
        else if (name == "Han") set.han = true;
        else fail("unsupported property \\p{" + name + "}");
    }

    // An escape after the backslash: a class item (\s \S \p{}) is added to `set` and nullopt
    // returned; a literal escape returns its code point.
    std::optional<uint32_t> parse_escape(CharSet& set) {
        const uint32_t c = next();
        switch (c) {
            case 's': set.class_mask |= unicode::kWhiteSpace; return std::nullopt;
            case 'S': set.not_space = true; return std::nullopt;
            case 'p': parse_property(set); return std::nullopt;
            case 'r': return '\r';
            case 'n': return '\n';
            case 't': return '\t';
            case 'f': return '\f';
            case 'v': return '\v';
            case 'x': {  // \x{HHHH}: a code point in hex
                expect('{', "'{' after \\x");
                uint32_t v = 0;
                int digits = 0;
                while (!at_end() && peek() != '}') {
                    const uint32_t h = next();
                    const int d = (h >= '0' && h <= '9') ? static_cast<int>(h - '0')
                                : (h >= 'a' && h <= 'f') ? static_cast<int>(h - 'a' + 10)
                                : (h >= 'A' && h <= 'F') ? static_cast<int>(h - 'A' + 10) : -1;
                    if (d < 0 || ++digits > 6) fail("bad \\x{...} escape");
                    v = v * 16 + static_cast<uint32_t>(d);
                }
                expect('}', "'}'");
                if (digits == 0 || v >= unicode::kCodepointLimit) fail("bad \\x{...} escape");
                return v;
            }
            default:
                // Escaped punctuation is itself; letters and digits would be classes we lack.
                if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return c;
                fail("unsupported escape");
        }
    }

    CharSet parse_class() {
        CharSet set;
        if (peek() == '^') {
            set.negated = true;
            ++pos_;
        }
        if (peek() == ']') fail("empty class");
        while (true) {
            if (at_end()) fail("unterminated class");
            const uint32_t c = next();
            if (c == ']') break;
            if (c == '[') fail("nested class");
            if (c == '-' && peek() == '-') {  // "--\p{Han}": subtraction
                ++pos_;
                expect('\\', "\\p{Han} after '--'");
                expect('p', "\\p{Han} after '--'");
                CharSet removed;
                parse_property(removed);
                if (!removed.han || removed.class_mask != 0) fail("only \\p{Han} can be subtracted");
                set.minus_han = true;
                continue;
            }
            std::optional<uint32_t> first = c;
            if (c == '\\') first = parse_escape(set);
            if (!first) continue;
            uint32_t last = *first;
            if (peek() == '-' && peek(1) != ']' && peek(1) != '-' && pos_ + 1 < cps_.size()) {
                ++pos_;
                const uint32_t hi = next();
                if (hi == '\\') {
                    CharSet unused;
                    const std::optional<uint32_t> esc = parse_escape(unused);
                    if (!esc) fail("class shorthand as a range end");
                    last = *esc;
                } else {
                    last = hi;
                }
                if (last < *first) fail("range out of order");
            }
            set.ranges.emplace_back(*first, last);
        }
        return set;
    }

    Term parse_term() {
        Term t;
        const uint32_t c = next();
        if (c == '(') {
            TermKind kind = TermKind::Group;
            if (peek() == '?') {
                ++pos_;
                const uint32_t k = next();
                if (k == ':') kind = TermKind::Group;
                else if (k == '=') kind = TermKind::LookAhead;
                else if (k == '!') kind = TermKind::NegativeLookAhead;
                else fail("unsupported group kind");
            }
            Group g = parse_alternation();
            expect(')', "')'");
            t.kind = kind;
            t.index = add_group(std::move(g));
        } else if (c == '[') {
            t.index = add_set(parse_class());
        } else if (c == '\\') {
            CharSet set;
            if (const std::optional<uint32_t> lit = parse_escape(set)) set.ranges.emplace_back(*lit, *lit);
            t.index = add_set(std::move(set));
        } else if (c == '$') {
            t.kind = TermKind::End;
        } else if (c == '.' || c == '^' || c == '*' || c == '+' || c == '?' || c == '{' || c == ')' || c == ']') {
            --pos_;
            fail("unsupported or misplaced metacharacter");
        } else {
            CharSet set;
            set.ranges.emplace_back(c, c);
            t.index = add_set(std::move(set));
        }
        parse_quantifier(t);
        return t;
    }

    uint32_t parse_number() {
        if (at_end() || peek() < '0' || peek() > '9') fail("expected a number");
        uint64_t v = 0;
        while (!at_end() && peek() >= '0' && peek() <= '9') {
            v = v * 10 + (next() - '0');
            if (v > 100000) fail("repetition count too large");
        }
        return static_cast<uint32_t>(v);
    }

    void parse_quantifier(Term& t) {
        if (at_end()) return;
        uint32_t lo = 1, hi = 1;
        const uint32_t q = peek();
        if (q == '?') lo = 0, hi = 1;
        else if (q == '*') lo = 0, hi = kUnbounded;
        else if (q == '+') lo = 1, hi = kUnbounded;
        else if (q != '{') return;
        ++pos_;
        if (q == '{') {
            lo = hi = parse_number();
            if (peek() == ',') {
                ++pos_;
                hi = peek() == '}' ? kUnbounded : parse_number();
            }
            expect('}', "'}'");
            if (hi < lo || hi == 0) fail("bad repetition bounds");
        }
        if (!at_end() && (peek() == '?' || peek() == '+')) fail("lazy and possessive quantifiers are not supported");
        if (t.kind == TermKind::Set) {
            t.min = lo;
            t.max = hi;
        } else if (t.kind == TermKind::Group && lo == 0 && hi == 1) {
            t.min = 0;
        } else {
            fail("only a class can be repeated (a group may only be optional)");
        }
    }

    std::string_view source_;
    Program& program_;
    std::vector<uint32_t> cps_;
    std::vector<size_t> offsets_;
    size_t pos_ = 0;
};

size_t min_width(const Program& p, const Group& g);

size_t min_width(const Program& p, const Sequence& s) {
    size_t w = 0;
    for (const Term& t : s.terms) {
        if (t.kind == TermKind::Set) w += t.min;
        else if (t.kind == TermKind::Group) w += t.min * min_width(p, p.groups[t.index]);
    }
    return w;
}

size_t min_width(const Program& p, const Group& g) {
    size_t w = std::numeric_limits<size_t>::max();
    for (const Sequence& s : g.alternatives) w = std::min(w, min_width(p, s));
    return w;
}

// What remains to be matched after a group's alternative: the rest of the enclosing sequence,
// then whatever followed that.
struct Continuation {
    const Sequence* seq;
    size_t next_term;
    const Continuation* up;
};

// Matching state for one piece of text. The run cache remembers, per set, the last run of
// members found, so counting a quantified class from successive start positions inside one run
// costs O(1) instead of O(run).
class Matcher {
public:
    Matcher(const Program& p, std::span<const uint32_t> text)
        : p_(p), text_(text), run_cache_(p.sets.size(), {std::numeric_limits<size_t>::max(), 0}) {}

    // Longest-first backtracking match of the whole pattern at `pos`.
    bool match_at(size_t pos, size_t& out_end) { return match_group(p_.groups[0], pos, nullptr, out_end); }

private:
    size_t run_end(uint32_t set, size_t pos) {
        auto& [from, to] = run_cache_[set];
        if (from <= pos && pos <= to) return to;
        size_t e = pos;
        const CharSet& s = p_.sets[set];
        while (e < text_.size() && s.contains(text_[e])) ++e;
        from = pos;
        to = e;
        return e;
    }

    bool match_group(const Group& g, size_t pos, const Continuation* k, size_t& out_end) {
        for (const Sequence& alt : g.alternatives) {
            if (match_sequence(alt, 0, pos, k, out_end)) return true;
        }
        return false;
    }

    bool match_sequence(const Sequence& s, size_t t, size_t pos, const Continuation* k, size_t& out_end) {
        if (t == s.terms.size()) {
            if (k == nullptr) {
                out_end = pos;
                return true;
            }
            return match_sequence(*k->seq, k->next_term, pos, k->up, out_end);
        }
        const Term& term = s.terms[t];
        switch (term.kind) {
            case TermKind::Set: {
                const size_t run = run_end(term.index, pos) - pos;
                const size_t n = std::min<size_t>(run, term.max);
                if (n < term.min) return false;
                if (t + 1 < s.terms.size() && s.terms[t + 1].kind == TermKind::End) {
                    // Only the count that reaches the end of the piece can be followed by '$'.
                    const size_t need = text_.size() - pos;
                    if (need > n || need < term.min) return false;
                    return match_sequence(s, t + 1, pos + need, k, out_end);
                }
                for (size_t c = n + 1; c-- > term.min;) {
                    if (match_sequence(s, t + 1, pos + c, k, out_end)) return true;
                }
                return false;
            }
            case TermKind::Group: {
                const Continuation rest{&s, t + 1, k};
                if (match_group(p_.groups[term.index], pos, &rest, out_end)) return true;
                return term.min == 0 && match_sequence(s, t + 1, pos, k, out_end);
            }
            case TermKind::LookAhead:
            case TermKind::NegativeLookAhead: {
                size_t ignored = 0;
                const bool found = match_group(p_.groups[term.index], pos, nullptr, ignored);
                if (found != (term.kind == TermKind::LookAhead)) return false;
                return match_sequence(s, t + 1, pos, k, out_end);
            }
            case TermKind::End:
                return pos == text_.size() && match_sequence(s, t + 1, pos, k, out_end);
        }
        return false;
    }

    const Program& p_;
    std::span<const uint32_t> text_;
    std::vector<std::pair<size_t, size_t>> run_cache_;
};

}  // namespace

SplitPattern::SplitPattern() = default;
SplitPattern::SplitPattern(SplitPattern&&) noexcept = default;
SplitPattern& SplitPattern::operator=(SplitPattern&&) noexcept = default;
SplitPattern::~SplitPattern() = default;

SplitPattern SplitPattern::compile(std::string_view pattern) {
    SplitPattern out;
    out.source_ = std::string(pattern);
    out.program_ = std::make_unique<Program>();
    Parser(out.source_, *out.program_).parse();
    if (min_width(*out.program_, out.program_->groups[0]) == 0) {
        throw Error("pre-tokenizer pattern \"" + out.source_ + "\" can match the empty string");
    }
    return out;
}

void SplitPattern::split(std::span<const uint32_t> piece, std::vector<size_t>& out_lengths) const {
    Matcher m(*program_, piece);
    size_t done = 0;  // end of the last match
    for (size_t start = 0; start < piece.size();) {
        size_t end = 0;
        if (!m.match_at(start, end)) {
            ++start;
            continue;
        }
        if (start > done) out_lengths.push_back(start - done);  // unmatched text before it
        out_lengths.push_back(end - start);
        done = start = end;
    }
    if (done < piece.size()) out_lengths.push_back(piece.size() - done);
}

}  // namespace sy::text
