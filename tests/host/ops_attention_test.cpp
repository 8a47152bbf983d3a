// ATTENTION and ROPE through the loader, each against a naive double-precision computation
// written here from plugin_abi.h's op semantics.
#include <algorithm>
#include <cmath>

#include "ops_test_helpers.hpp"

namespace sy::host {
namespace {

using namespace opstest;

struct AttentionCase {
    const char* name;
    int32_t kv_type;      // F32, F16 or Q8_0 (K and V)
    int64_t dk, dv;       // head sizes
    int64_t heads, kv_heads, tokens, keys;
    int32_t first_position;
    float scale, softcap;
    bool v_inside_k;      // V = the first dv elements of each K row (same rows, same nb1)
};

void PrintTo(const AttentionCase& c, std::ostream* os) { *os << c.name; }

// softmax(scale * q.k (soft-capped), causal) . v per head, in double; zeros when no key is
// visible. q[(t*H + h)*dk + i], k[(j*Hkv + g)*dk + i], v[(j*Hkv + g)*dv + i].
std::vector<float> naive_attention(const AttentionCase& c, const std::vector<float>& q, const std::vector<float>& k,
                                   const std::vector<float>& v) {
    std::vector<float> out(size_t(c.dv * c.heads * c.tokens), 0.0f);
    const int64_t group = c.heads / c.kv_heads;
    for (int64_t t = 0; t < c.tokens; ++t) {
        for (int64_t h = 0; h < c.heads; ++h) {
            const int64_t g = h / group;
            std::vector<double> scores;
            for (int64_t j = 0; j < c.keys && j <= c.first_position + t; ++j) {
                double s = 0;
                for (int64_t i = 0; i < c.dk; ++i) s += double(q[size_t((t * c.heads + h) * c.dk + i)]) * k[size_t((j * c.kv_heads + g) * c.dk + i)];
                s *= c.scale;
                if (c.softcap > 0) s = c.softcap * std::tanh(s / c.softcap);
                scores.push_back(s);
            }
            if (scores.empty()) continue;
            const double max = *std::max_element(scores.begin(), scores.end());
            double sum = 0;
            for (double& s : scores) sum += (s = std::exp(s - max));
            for (int64_t i = 0; i < c.dv; ++i) {
                double acc = 0;
                for (size_t j = 0; j < scores.size(); ++j) acc += scores[j] * v[size_t((int64_t(j) * c.kv_heads + g) * c.dv + i)];
                out[size_t((t * c.heads + h) * c.dv + i)] = float(acc / sum);
            }
        }
    }
    return out;
}

class Attention : public ::testing::TestWithParam<AttentionCase> {
protected:
    void SetUp() override { host_ = std::make_unique<PluginHost>(test::real_backend_options(log_)); }
    test::LogCapture log_;
    std::unique_ptr<PluginHost> host_;
};

TEST_P(Attention, MatchesNaiveAttention) {
    const AttentionCase c = GetParam();
    std::vector<float> results[2];
    int device_index = 0;
    for (const char* device_name : {"CPU", "TEST0"}) {
        SCOPED_TRACE(device_name);
        Device device = test::require_device(*host_, device_name);
        const auto q = test::random_floats(size_t(c.dk * c.heads * c.tokens), 51);
        // The cache as stored, and the values it stands for (what the naive loop reads).
        const auto k_values = test::random_floats(size_t(c.dk * c.kv_heads * c.keys), 52);
        const std::vector<uint8_t> k_bytes = encode_rows(c.kv_type, k_values, c.dk);
        const std::vector<float> k = decode_rows(c.kv_type, k_bytes, c.dk);
        std::vector<uint8_t> v_bytes;
        std::vector<float> v;
        if (c.v_inside_k) {
            // V row = the first dv elements of the K row (dv a multiple of the block).
            for (int64_t r = 0; r < c.kv_heads * c.keys; ++r) v.insert(v.end(), &k[size_t(r * c.dk)], &k[size_t(r * c.dk + c.dv)]);
        } else {
            v_bytes = encode_rows(c.kv_type, test::random_floats(size_t(c.dv * c.kv_heads * c.keys), 53), c.dv);
            v = decode_rows(c.kv_type, v_bytes, c.dv);
        }
        Buffer q_buffer = test::upload_vector(device, q);
        Buffer k_buffer = test::upload_vector(device, k_bytes);
        Buffer v_buffer = c.v_inside_k ? Buffer() : test::upload_vector(device, v_bytes);
        Buffer out = device.alloc(uint64_t(c.dv * c.heads * c.tokens) * 4);
        const sy_tensor k_view = tensor_in(k_buffer, 0, c.kv_type, {c.dk, c.kv_heads, c.keys});
        sy_tensor v_view;
        if (c.v_inside_k) {
            v_view = tensor_in(k_buffer, 0, c.kv_type, {c.dv, c.kv_heads, c.keys});
            v_view.nb[1] = k_view.nb[1];
            v_view.nb[2] = k_view.nb[2];
            v_view.nb[3] = k_view.nb[3];
        } else {
            v_view = tensor_in(v_buffer, 0, c.kv_type, {c.dv, c.kv_heads, c.keys});
        }
        const sy_op op = make_op_i(SY_OP_ATTENTION, tensor_in(out, 0, kF32, {c.dv, c.heads, c.tokens}),
                                   {tensor_in(q_buffer, 0, kF32, {c.dk, c.heads, c.tokens}), k_view, v_view},
                                   {c.scale, c.softcap}, {c.first_position});
        ASSERT_TRUE(device.supports_op(op));
        device.run(op);
        results[device_index] = test::download_floats(out, size_t(c.dv * c.heads * c.tokens));
        expect_near_all(results[device_index], naive_attention(c, q, k, v), 2e-6);
        ++device_index;
    }
    EXPECT_TRUE(same_bits(results[0], results[1])) << "CPU and TEST0 differ";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Attention,
    ::testing::Values(
        // name, kv type, dk, dv, H, Hkv, T, N, first position, scale, softcap, V inside K
        AttentionCase{"F32_gqa_prefill", kF32, 16, 16, 4, 2, 5, 5, 0, 0.25f, 0.0f, false},
        AttentionCase{"F16_cache_later_queries", kF16, 32, 16, 6, 3, 4, 9, 3, 0.17f, 0.0f, false},
        AttentionCase{"Q8_0_cache_v_inside_k", kQ8_0, 96, 64, 2, 1, 3, 7, 4, 0.1f, 0.0f, true},
        AttentionCase{"F32_softcap", kF32, 16, 8, 2, 2, 3, 6, 2, 2.0f, 1.5f, false},
        // Queries before position 0 see nothing (zeros); keys past the last query are unread.
        AttentionCase{"F16_no_visible_key", kF16, 16, 16, 2, 1, 4, 10, -2, 0.3f, 0.0f, false},
        AttentionCase{"F32_multi_head_one_token", kF32, 64, 64, 8, 8, 1, 33, 32, 0.125f, 0.0f, false}),
    [](const ::testing::TestParamInfo<AttentionCase>& param_info) { return std::string(param_info.param.name); });

class Rope : public DeviceTest {};

// x[D, H, T] rotated with table[n_rot, T] of (cos, sin) pairs; mode 0 pairs (2i, 2i+1), mode 2
// pairs (i, i + n_rot/2); elements past n_rot copied. Also in place (dst = src).
TEST_P(Rope, BothModesAgainstNaiveRotation) {
    const int64_t d = 12, heads = 3, tokens = 4, n_rot = 8;
    const auto x = test::random_floats(size_t(d * heads * tokens), 61);
    std::vector<float> table(size_t(n_rot * tokens));
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t i = 0; i < n_rot / 2; ++i) {
            const double theta = double(t + 1) * std::pow(10000.0, -2.0 * double(i) / double(n_rot));
            table[size_t(t * n_rot + 2 * i)] = float(0.9 * std::cos(theta));  // attention factor 0.9
            table[size_t(t * n_rot + 2 * i + 1)] = float(0.9 * std::sin(theta));
        }
    Buffer x_buffer = test::upload_vector(device_, x);
    Buffer table_buffer = test::upload_vector(device_, table);
    Buffer out = device_.alloc(x.size() * 4);
    for (int32_t mode : {0, 2}) {
        SCOPED_TRACE(mode);
        std::vector<float> want = x;
        for (int64_t t = 0; t < tokens; ++t)
            for (int64_t h = 0; h < heads; ++h)
                for (int64_t i = 0; i < n_rot / 2; ++i) {
                    const size_t base = size_t((t * heads + h) * d);
                    const size_t a = base + size_t(mode == 0 ? 2 * i : i);
                    const size_t b = base + size_t(mode == 0 ? 2 * i + 1 : i + n_rot / 2);
                    const double c = table[size_t(t * n_rot + 2 * i)], s = table[size_t(t * n_rot + 2 * i + 1)];
                    want[a] = float(x[a] * c - x[b] * s);
                    want[b] = float(x[a] * s + x[b] * c);
                }
        const sy_tensor x_view = tensor_in(x_buffer, 0, kF32, {d, heads, tokens});
        const sy_tensor table_view = tensor_in(table_buffer, 0, kF32, {n_rot, tokens});
        device_.run(make_op_i(SY_OP_ROPE, tensor_in(out, 0, kF32, {d, heads, tokens}), {x_view, table_view}, {},
                              {int32_t(n_rot), mode}));
        expect_near_all(test::download_floats(out, x.size()), want, 1e-6);

        Buffer in_place = test::upload_vector(device_, x);
        const sy_tensor view = tensor_in(in_place, 0, kF32, {d, heads, tokens});
        device_.run(make_op_i(SY_OP_ROPE, view, {view, table_view}, {}, {int32_t(n_rot), mode}));
        expect_near_all(test::download_floats(in_place, x.size()), want, 1e-6);
    }
    // Odd n_rot, n_rot past the row, and an unknown mode are refused by supports_op.
    const sy_tensor x_view = tensor_desc(kF32, {d, heads, tokens});
    const sy_tensor dst = tensor_desc(kF32, {d, heads, tokens});
    EXPECT_FALSE(device_.supports_op(make_op_i(SY_OP_ROPE, dst, {x_view, tensor_desc(kF32, {7, tokens})}, {}, {7, 0})));
    EXPECT_FALSE(device_.supports_op(make_op_i(SY_OP_ROPE, dst, {x_view, tensor_desc(kF32, {14, tokens})}, {}, {14, 0})));
    EXPECT_FALSE(device_.supports_op(make_op_i(SY_OP_ROPE, dst, {x_view, tensor_desc(kF32, {8, tokens})}, {}, {8, 1})));
    EXPECT_TRUE(device_.supports_op(make_op_i(SY_OP_ROPE, dst, {x_view, tensor_desc(kF32, {8, tokens})}, {}, {8, 2})));
}

INSTANTIATE_TEST_SUITE_P(Devices, Rope, ::testing::Values("CPU", "TEST0"));

}  // namespace
}  // namespace sy::host
