// libFuzzer target for weight placement (core/placement): the -ot parser with std::regex
// behind it, the -ngl / --n-cpu-moe arithmetic and the report, on a 5-layer model. Input, chosen
// so seeds are printable: byte 0 = -ngl ('-': unset, else value % 8 with 7 meaning 999, so '3'
// is -ngl 3), byte 1 = --n-cpu-moe (low 4 bits; bit 6 = --cpu-moe, so '2' is 2 and '@' is
// --cpu-moe), the rest = -ot values separated by '\n'. Any input either yields a placement whose report lists every tensor once, or is refused
// with sy::Error. Crashes, sanitizer reports, other exceptions or a hang are findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "placement/placement.hpp"

namespace {

std::vector<sy::placement::WeightInfo> small_model() {
    std::vector<sy::placement::WeightInfo> w{{"token_embd.weight", 1u << 20, -1}};
    for (int l = 0; l < 5; ++l)
        for (const char* part : {"attn_kv_b.weight", "ffn_gate_inp.weight", "ffn_up_exps.weight", "ffn_down_exps.weight",
                                 "ffn_down_shexp.weight"}) {
            const std::string name = "blk." + std::to_string(l) + "." + part;
            w.push_back({name, uint64_t(l + 1) << 20, sy::placement::layer_of_tensor(name)});
        }
    w.push_back({"output_norm.weight", 4096, -1});
    w.push_back({"output.weight", 1u << 21, -1});
    return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2 || size > 4096) return -1;  // command-line values, not a file
    static const std::vector<sy::placement::WeightInfo> weights = small_model();
    static const std::vector<sy::placement::DeviceSlot> devices = {
        {"CPU", true, 64u << 20}, {"CUDA0", false, 24u << 20}, {"CUDA1", false, 8u << 20}};
    sy::placement::PlacementOptions options;
    if (data[0] != '-') options.n_gpu_layers = data[0] % 8 == 7 ? 999 : data[0] % 8;
    options.cpu_moe = (data[1] & 0x40) != 0;
    options.n_cpu_moe = data[1] & 0x0f;
    const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
    for (size_t start = 0; start <= rest.size();) {
        size_t end = rest.find('\n', start);
        if (end == std::string_view::npos) end = rest.size();
        options.overrides.emplace_back(rest.substr(start, end - start));
        start = end + 1;
    }
    if (rest.empty()) options.overrides.clear();
    sy::placement::Placement placement;
    try {
        placement = sy::placement::place_weights(weights, 5, devices, options);
    } catch (const sy::Error&) {
        return 0;
    }
    const std::string report = sy::placement::format_placement_report(weights, placement, devices);
    if (report.find("in " + std::to_string(weights.size()) + " tensors\n") == std::string::npos) std::abort();
    return 0;
}
