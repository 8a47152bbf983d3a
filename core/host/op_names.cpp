#include "host/op_names.hpp"

#include "host/candidate.hpp"
#include "host/log.hpp"

#include <array>
#include <string_view>

namespace sy::host {
namespace {

constexpr std::array<std::string_view, SY_OP_COUNT> kOpNames = {
    "NONE",    "MUL_MAT", "ADD",       "MUL",     "RMS_NORM", "SCALE",
    "SILU",    "SOFTMAX", "GET_ROWS",  "ROPE",    "CPY",      "ATTENTION",
    "SIGMOID", "TOP_K",   "MUL_MAT_ID", "SUM_ROWS", "DIV",
};

constexpr std::array<std::string_view, 5> kFeatureNames = {
    "HOST_MEMORY", "F16", "BF16", "INT8_DOT", "ASYNC",
};

constexpr std::array<std::string_view, 6> kStatusNames = {
    "OK", "INVALID_ARGUMENT", "UNSUPPORTED", "OUT_OF_MEMORY", "DEVICE_ERROR", "OUT_OF_RANGE",
};

}  // namespace

std::string op_kind_name(int32_t kind) {
    if (kind >= 0 && size_t(kind) < kOpNames.size()) return std::string(kOpNames[size_t(kind)]);
    return "op#" + std::to_string(kind);
}

std::string device_kind_name(uint32_t kind) {
    switch (kind) {
        case SY_DEVICE_KIND_CPU: return "CPU";
        case SY_DEVICE_KIND_GPU: return "GPU";
        case SY_DEVICE_KIND_ACCEL: return "ACCEL";
        default: return "kind#" + std::to_string(kind);
    }
}

std::vector<std::string> device_feature_names(uint64_t features) {
    std::vector<std::string> names;
    for (unsigned bit = 0; bit < 64; ++bit) {
        if ((features & (1ull << bit)) == 0) continue;
        names.push_back(bit < kFeatureNames.size() ? std::string(kFeatureNames[bit])
                                                    : "bit" + std::to_string(bit));
    }
    return names;
}

std::string status_name(sy_status status) {
    if (status >= 0 && size_t(status) < kStatusNames.size()) {
        return std::string(kStatusNames[size_t(status)]);
    }
    return "status#" + std::to_string(status);
}

const char* candidate_status_name(CandidateStatus status) {
    switch (status) {
        case CandidateStatus::Loaded: return "loaded";
        case CandidateStatus::Skipped: return "skipped";
        case CandidateStatus::Failed: return "failed";
    }
    return "?";
}

std::string_view log_level_name(int32_t level) {
    switch (level) {
        case SY_LOG_DEBUG: return "debug";
        case SY_LOG_INFO: return "info";
        case SY_LOG_WARN: return "warn";
        case SY_LOG_ERROR: return "error";
        default: return "level?";
    }
}

}  // namespace sy::host
