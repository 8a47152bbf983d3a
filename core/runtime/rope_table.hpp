// The RoPE angle table ROPE ops read (plugin_abi.h): for each token, n_rot/2 pairs
// (cos theta_i * m, sin theta_i * m). Computing it in core defines the RoPE variants once
// (plain, linear scaling, YaRN, llama-3 frequency factors) for every backend.
//
// The arithmetic follows ggml's CPU rope cache so tables agree with ik_llama.cpp to float
// rounding: theta_i = pos * base^(-2i/n_rot) by repeated float multiplication, and YaRN's
// ramp between interpolated and extrapolated angles over the correction dims
// [floor(corr(beta_fast)), ceil(corr(beta_slow))], with magnitude 1 + 0.1 ln(1/freq_scale)
// times `attn_factor`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sy::runtime {

struct RopeParams {
    int32_t n_rot = 0;           // rotated dims (even)
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;     // 1 / scaling factor
    float ext_factor = 0.0f;     // YaRN mix (1 for YaRN models, 0 otherwise)
    float attn_factor = 1.0f;    // magnitude factor applied to cos and sin
    float beta_fast = 32.0f;
    float beta_slow = 1.0f;
    int32_t n_ctx_orig = 4096;   // training context of the unscaled model (YaRN)
    std::span<const float> freq_factors;  // n_rot/2 divisors of theta, or empty
};

// [n_rot, positions.size()] floats, token-major, (cos, sin) interleaved.
std::vector<float> rope_table(const RopeParams& params, std::span<const int32_t> positions);

}  // namespace sy::runtime
