#include "runtime/rope_table.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sy::runtime {
namespace {

// The dimension index at which a frequency completes `n_rotations` turns over the original
// context (YaRN paper, eq. 17 rearranged).
float correction_dim(int32_t n_dims, int32_t n_ctx_orig, float n_rotations, float base) {
    return float(n_dims) * std::log(float(n_ctx_orig) / (n_rotations * 2.0f * std::numbers::pi_v<float>)) /
           (2.0f * std::log(base));
}

float ramp(float low, float high, int32_t i0) {
    const float y = (float(i0 / 2) - low) / std::max(0.001f, high - low);
    return 1.0f - std::min(1.0f, std::max(0.0f, y));
}

}  // namespace

std::vector<float> rope_table(const RopeParams& p, std::span<const int32_t> positions) {
    const int32_t n_rot = p.n_rot;
    std::vector<float> table(size_t(n_rot) * positions.size());
    const float theta_scale = std::pow(p.freq_base, -2.0f / float(n_rot));
    float corr_low = 0.0f, corr_high = 0.0f;
    if (p.ext_factor != 0.0f) {
        corr_low = std::max(0.0f, std::floor(correction_dim(n_rot, p.n_ctx_orig, p.beta_fast, p.freq_base)));
        corr_high = std::min(float(n_rot - 1), std::ceil(correction_dim(n_rot, p.n_ctx_orig, p.beta_slow, p.freq_base)));
    }
    for (size_t t = 0; t < positions.size(); ++t) {
        float theta_extrap = float(positions[t]);
        float* row = table.data() + t * size_t(n_rot);
        for (int32_t i0 = 0; i0 < n_rot; i0 += 2) {
            const float factor = p.freq_factors.empty() ? 1.0f : p.freq_factors[size_t(i0 / 2)];
            const float base_theta = theta_extrap / factor;
            const float theta_interp = p.freq_scale * base_theta;
            float theta = theta_interp;
            float magnitude = p.attn_factor;
            if (p.ext_factor != 0.0f) {
                const float mix = ramp(corr_low, corr_high, i0) * p.ext_factor;
                theta = theta_interp * (1.0f - mix) + base_theta * mix;
                magnitude *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
            }
            row[i0] = std::cos(theta) * magnitude;
            row[i0 + 1] = std::sin(theta) * magnitude;
            theta_extrap *= theta_scale;
        }
    }
    return table;
}

}  // namespace sy::runtime
