// Cutting special tokens out of the text before the tokenizer proper runs (llama.cpp's
// tokenizer_st_partition): for each special token in turn, longest text first, every
// occurrence in every remaining run of text becomes that token, left to right. A token with the
// LSTRIP / RSTRIP attribute also eats the ASCII white space before / after it.
#include <algorithm>

#include "text/tokenizer_impl.hpp"

namespace sy::text {

namespace {

// C's isspace in the "C" locale, which is what llama.cpp's strip test uses.
bool is_c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

std::vector<Fragment> Vocab::Impl::cut_special_tokens(std::string_view text, bool parse_special) const {
    std::vector<Fragment> fragments;
    if (!text.empty()) fragments.push_back({kNoToken, 0, text.size()});
    std::vector<Fragment> next;
    for (const int32_t id : special_order) {
        const TokenData& token = tokens[static_cast<size_t>(id)];
        // Without parse_special only user-defined tokens are cut (as Hugging Face does).
        if (!parse_special && (token.attr & (kAttrControl | kAttrUnknown)) != 0) continue;
        const std::string_view needle = token.text;
        next.clear();
        bool changed = false;
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken) {
                next.push_back(f);
                continue;
            }
            size_t begin = f.offset;
            size_t end = f.offset + f.length;
            while (begin < end) {
                const size_t hit = text.substr(0, end).find(needle, begin);
                if (hit == std::string_view::npos) break;
                changed = true;
                size_t left_end = hit;
                if (token.attr & kAttrLStrip) {
                    while (left_end > begin && is_c_space(text[left_end - 1])) --left_end;
                }
                if (left_end > begin) next.push_back({kNoToken, begin, left_end - begin});
                next.push_back({id, 0, 0});
                begin = hit + needle.size();
                if (token.attr & kAttrRStrip) {
                    while (begin < end && is_c_space(text[begin])) ++begin;
                }
            }
            if (begin < end) next.push_back({kNoToken, begin, end - begin});
        }
        if (changed) fragments.swap(next);
    }
    return fragments;
}

}  // namespace sy::text
