// libFuzzer target for the --custom-q rule parser (core/quantize/custom_rules.cpp): any input
// either parses into rules that can be matched against tensor names, or is refused with
// sy::Error. Crashes, sanitizer reports, std::regex errors escaping, or a hang are findings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "quantize/custom_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return -1;  // a --custom-q argument, not a file
    const std::string_view arg(reinterpret_cast<const char*>(data), size);
    std::vector<sy::quantize::CustomRule> rules;
    try {
        sy::quantize::parse_custom_rules(arg, rules);
    } catch (const sy::Error&) {
        return 0;
    }
    static const char* const names[] = {"blk.0.attn_k_b.weight", "blk.60.ffn_up_exps.weight", "token_embd.weight",
                                        "output.weight", "blk.12.ffn_down_shexp.weight", ""};
    for (const char* name : names) (void)sy::quantize::match_custom_rule(rules, name);
    return 0;
}
