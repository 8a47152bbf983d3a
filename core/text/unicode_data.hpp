// The generated Unicode tables behind unicode.hpp (unicode_data.cpp, written by
// gen/gen_unicode_data.cpp; do not edit that file by hand). Internal to core/text.
#pragma once

#include <cstddef>
#include <cstdint>

#include "text/unicode.hpp"

namespace sy::text::unicode_data {

// A run of code points with one general category: [start, next run's start). Runs are sorted
// by start, the first starts at 0, and the last ends at U+10FFFF.
struct CategoryRun {
    uint32_t start;
    unicode::Category category;
};

extern const CategoryRun kCategoryRuns[];
extern const size_t kCategoryRunCount;

// Code points with the White_Space property, ascending.
extern const uint32_t kWhiteSpace[];
extern const size_t kWhiteSpaceCount;

// The Unicode version the tables describe, e.g. "15.1".
extern const char kUnicodeVersion[];

}  // namespace sy::text::unicode_data
