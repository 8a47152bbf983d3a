// Small generated models for the quantize tests: a deepseek2 model with tiny-ds2's tensor
// names and row layouts (MLA with q-LoRA, attn_kv_b and attn_k_b/attn_v_b, one dense layer,
// then MoE layers with a shared expert), and a dense llama model. Weights are Gaussian
// (deterministic per seed), stored F16 or F32 as a converter would store them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_writer.hpp"

namespace sy::test {

struct SyntheticDeepseek2 {
    int n_layer = 2;     // layer 0 dense, the rest MoE
    int n_expert = 4;
    int n_vocab = 256;
    bool f16 = true;     // matrices F16 (norms, router and bias stay F32), else all F32
    uint32_t seed = 1;
};

// The writer holding the model (metadata + tensors); write() or write_split() it.
gguf::GgufWriter make_deepseek2(const SyntheticDeepseek2& spec);

struct SyntheticLlama {
    int n_layer = 8;
    int n_embd = 256;
    int n_head = 8;
    int n_head_kv = 2;   // grouped-query attention (n_gqa 4)
    int n_ff = 512;
    int n_vocab = 256;
    uint32_t seed = 2;
};
gguf::GgufWriter make_llama(const SyntheticLlama& spec);

// A file path in a fresh per-test temporary directory (removed by the caller's fixture).
std::string temp_dir_for_test();

}  // namespace sy::test
