// ATTENTION: dst[Dv, H, T] = softmax(scale * Q K^T, causal) V per head, Q[Dk, H, T] F32,
// K[Dk, Hkv, N] and V[Dv, Hkv, N] F32/F16/Q8_0 (V may be a view into K's rows), head h reading
// kv head h / (H / Hkv). Key j is visible to query t iff j <= first_position + t; softcap > 0
// maps each score s to softcap * tanh(s / softcap); a query that sees no key gets zeros.
//
// The cache rows the queries can see are widened to float once per call (a pass over groups
// of kv heads, bounded so the scratch stays small), then every (head, token) is one task:
// scores and their softmax in double with the maximum subtracted, the weighted sum of V rows
// in double, one rounding to float at the end.
#include <cmath>

#include "kernels.hpp"
#include "switchyard/sdk/tensor_layout.hpp"
#include "types/quant_kernels.hpp"

namespace sy::refops {
namespace {

constexpr uint64_t kWidenedBudgetBytes = uint64_t(64) << 20;  // widened K+V rows per pass

double dot_double(const float* a, const float* b, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += double(a[i]) * double(b[i]);
    return sum;
}

}  // namespace

void attention(ThreadPool& pool, const View& q, const View& k, const View& v, const View& dst,
               int64_t first_position, float scale, float softcap) {
    const int64_t dk = q.ne[0], n_heads = q.ne[1], n_tokens = q.ne[2];
    const int64_t dv = v.ne[0], n_kv_heads = k.ne[1], n_keys_total = k.ne[2];
    const int64_t group = n_heads / n_kv_heads;
    // The last query sees keys 0..first_position + T - 1: nothing past that is read.
    int64_t n_keys = first_position + n_tokens;
    n_keys = n_keys < 0 ? 0 : (n_keys > n_keys_total ? n_keys_total : n_keys);

    const DequantizeRowFn widen_k = find_kernels(k.type)->dequantize_row;
    const DequantizeRowFn widen_v = find_kernels(v.type)->dequantize_row;
    const uint64_t head_bytes = uint64_t(n_keys) * uint64_t(dk + dv) * sizeof(float);
    int64_t heads_per_pass = head_bytes == 0 ? n_kv_heads : int64_t(kWidenedBudgetBytes / head_bytes);
    heads_per_pass = heads_per_pass < 1 ? 1 : (heads_per_pass > n_kv_heads ? n_kv_heads : heads_per_pass);

    for (int64_t g0 = 0; g0 < n_kv_heads; g0 += heads_per_pass) {
        const int64_t g_count = g0 + heads_per_pass < n_kv_heads ? heads_per_pass : n_kv_heads - g0;
        // widened[(g - g0) * n_keys + j] holds K row then V row of kv head g, position j.
        float* widened = static_cast<float*>(pool.shared(size_t(g_count) * head_bytes));
        const int64_t row_floats = dk + dv;
        auto widen = [&](int64_t begin, int64_t end, int /*thread*/) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t g = g0 + i / n_keys, j = i % n_keys;
                float* out = widened + i * row_floats;
                widen_k(k.row(g, j, 0), out, dk);
                widen_v(v.row(g, j, 0), out + dk, dv);
            }
        };
        pool.for_chunks(g_count * n_keys, pool.chunk_size(g_count * n_keys, 1 + 4096 / row_floats), widen);

        const int64_t pass_heads = g_count * group;  // query heads g0*group .. (g0+g_count)*group-1
        auto attend = [&](int64_t begin, int64_t end, int thread) {
            double* scores = pool.scratch_as<double>(thread, size_t(n_keys + dv));
            double* acc = scores + n_keys;
            for (int64_t task = begin; task < end; ++task) {
                const int64_t h = g0 * group + task % pass_heads, t = task / pass_heads;
                const float* query = q.f32_row(h, t, 0);
                const float* rows = widened + (h / group - g0) * n_keys * row_floats;
                float* out = dst.f32_row(h, t, 0);
                int64_t visible = first_position + t + 1;
                visible = visible < 0 ? 0 : (visible > n_keys ? n_keys : visible);
                if (visible == 0) {
                    for (int64_t d = 0; d < dv; ++d) out[d] = 0.0f;
                    continue;
                }
                double max = -INFINITY;
                for (int64_t j = 0; j < visible; ++j) {
                    double s = double(scale) * dot_double(query, rows + j * row_floats, dk);
                    if (softcap > 0.0f) s = double(softcap) * std::tanh(s / double(softcap));
                    scores[j] = s;
                    max = s > max ? s : max;
                }
                for (int64_t d = 0; d < dv; ++d) acc[d] = 0.0;
                double sum = 0.0;
                for (int64_t j = 0; j < visible; ++j) {
                    const double p = std::exp(scores[j] - max);
                    sum += p;
                    const float* value = rows + j * row_floats + dk;
                    for (int64_t d = 0; d < dv; ++d) acc[d] += p * double(value[d]);
                }
                const double inv_sum = 1.0 / sum;
                for (int64_t d = 0; d < dv; ++d) out[d] = float(acc[d] * inv_sum);
            }
        };
        const int64_t tasks = pass_heads * n_tokens;
        pool.for_chunks(tasks, pool.chunk_size(tasks, 1), attend);
    }
}

}  // namespace sy::refops
