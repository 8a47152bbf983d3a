// Python's str and float behaviour on UTF-8 std::strings: code-point length and indexing, the
// whitespace str.strip()/split() use, repr() of strings and floats, and json.dumps' string
// escaping. Case mapping (upper/lower/title/capitalize) covers ASCII letters only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::chat::jinja {

// Decodes the code point at byte `i` and advances `i`; a byte that does not start valid UTF-8
// decodes to itself so that byte strings survive slicing unchanged.
char32_t next_code_point(std::string_view s, size_t& i);
void append_utf8(std::string& out, char32_t cp);

// Byte offset of every code point, plus s.size() at the end (size = code points + 1).
std::vector<size_t> code_point_offsets(std::string_view s);
size_t code_point_count(std::string_view s);

// str.isspace() for one code point (Unicode White_Space as Python defines it).
bool py_isspace(char32_t cp);

// str.strip/lstrip/rstrip; `chars` absent = whitespace, else any of its code points.
std::string py_strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);

// str.split/rsplit; `sep` absent = runs of whitespace. maxsplit < 0 = no limit.
std::vector<std::string> py_split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> py_rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);

// str.splitlines() (without keepends).
std::vector<std::string> py_splitlines(std::string_view s);

// str.replace; count < 0 = all. An empty `old` inserts `repl` around every code point.
std::string py_replace(std::string_view s, std::string_view old, std::string_view repl, int64_t count);

std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_capitalize(std::string_view s);  // str.capitalize()
std::string py_title(std::string_view s);       // str.title()

// repr(str): quotes and escapes as CPython prints them.
std::string py_repr_string(std::string_view s);
// repr(float) (= str(float)): shortest round-trip digits, "1.0", "1e-05", "1e+16", "inf", "nan".
std::string py_repr_float(double f);
// A string as json.dumps(ensure_ascii=False) writes it, with the quotes.
std::string json_quote(std::string_view s);

}  // namespace sy::chat::jinja
