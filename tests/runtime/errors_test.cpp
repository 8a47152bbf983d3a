// What the runtime refuses, and that it says why: decoding past the context, empty or
// out-of-vocabulary token lists, and malformed model files (missing tensor, wrong shape,
// unknown architecture), each an sy::Error naming the culprit.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "common/error.hpp"
#include "runtime_models.hpp"
#include "runtime_test_support.hpp"

namespace sy::test {
namespace {

// gmock is not in every sysroot the suite builds for: a plain substring check.
#define EXPECT_CONTAINS(text, part)                                                     \
    do {                                                                                \
        const std::string text_ = (text);                                               \
        EXPECT_NE(text_.find(part), std::string::npos) << "'" << part << "' not in: " << text_; \
    } while (0)

// The message of the sy::Error `f` throws; fails the test when it throws nothing or another type.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const sy::Error& e) {
        std::printf("[message] %s\n", e.what());
        return e.what();
    }
    ADD_FAILURE() << "no sy::Error was thrown";
    return {};
}

class RuntimeErrors : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = std::make_unique<gguf::GgufModel>(gguf::GgufModel::open(dir_.write(make_llama_model({}), "m.gguf")));
        rt_ = cpu_runtime(*file_, /*n_ctx=*/8);
    }
    ScratchDir dir_;
    std::unique_ptr<gguf::GgufModel> file_;
    std::unique_ptr<runtime::ModelRuntime> rt_;
};

TEST_F(RuntimeErrors, DecodingPastTheContextFails) {
    const std::vector<int32_t> tokens = test_tokens(9, 96, 1);
    EXPECT_CONTAINS(error_of([&] { rt_->decode(tokens, 0, true); }), "context");
    // Filling the context exactly works; one more token does not.
    EXPECT_NO_THROW(rt_->decode(std::span(tokens).first(6), 0, false));
    EXPECT_NO_THROW(rt_->decode(std::span(tokens).subspan(6, 2), 6, false));
    EXPECT_CONTAINS(error_of([&] { rt_->decode(std::span(tokens).subspan(8, 1), 8, false); }), "context");
    EXPECT_CONTAINS(error_of([&] { rt_->decode(std::span(tokens).first(1), -1, false); }), "context");
}

TEST_F(RuntimeErrors, EmptyTokenListFails) {
    const std::string message = error_of([&] { rt_->decode(std::span<const int32_t>(), 0, true); });
    EXPECT_CONTAINS(message, "token");
}

TEST_F(RuntimeErrors, TokenOutsideTheVocabularyFails) {
    std::vector<int32_t> tokens = {1, 2, 96};
    EXPECT_CONTAINS(error_of([&] { rt_->decode(tokens, 0, true); }), "96");
    tokens = {-3};
    EXPECT_CONTAINS(error_of([&] { rt_->decode(tokens, 0, true); }), "-3");
    // The runtime is still usable afterwards.
    tokens = {95, 0};
    EXPECT_EQ(rt_->decode(tokens, 0, true).size(), 2u * 96u);
}

// Builds a runtime from a generated file; returns the error message.
std::string load_error(const gguf::GgufWriter& writer) {
    ScratchDir dir;
    const std::string path = dir.write(writer, "bad.gguf");
    return error_of([&] {
        const gguf::GgufModel file = gguf::GgufModel::open(path);
        cpu_runtime(file, 16);
    });
}

TEST(ModelFileErrors, MissingLlamaTensorIsNamed) {
    LlamaSpec s;
    s.edit = [](std::string& name, std::vector<int64_t>&) { return name != "blk.1.attn_k.weight"; };
    const std::string message = load_error(make_llama_model(s));
    EXPECT_CONTAINS(message, "blk.1.attn_k.weight");
    EXPECT_CONTAINS(message, "missing");
}

TEST(ModelFileErrors, MissingDeepseek2ExpertTensorIsNamed) {
    Deepseek2Spec s;
    s.edit = [](std::string& name, std::vector<int64_t>&) { return name != "blk.2.ffn_up_exps.weight"; };
    EXPECT_CONTAINS(load_error(make_deepseek2_model(s)), "blk.2.ffn_up_exps.weight");
}

TEST(ModelFileErrors, Deepseek2WithoutAnyKvDecompressionIsRejected) {
    Deepseek2Spec s;
    s.edit = [](std::string& name, std::vector<int64_t>&) { return name != "blk.1.attn_v_b.weight"; };
    const std::string message = load_error(make_deepseek2_model(s));
    EXPECT_CONTAINS(message, "attn_kv_b");
    EXPECT_CONTAINS(message, "layer 1");
}

TEST(ModelFileErrors, WrongShapeIsNamed) {
    LlamaSpec s;
    s.edit = [](std::string& name, std::vector<int64_t>& ne) {
        if (name == "blk.0.ffn_down.weight") ne = {ne[0] + 32, ne[1]};
        return true;
    };
    const std::string message = load_error(make_llama_model(s));
    EXPECT_CONTAINS(message, "blk.0.ffn_down.weight");
    EXPECT_CONTAINS(message, "shape");
}

TEST(ModelFileErrors, WrongDeepseek2KvBShapeIsNamed) {
    Deepseek2Spec s;
    s.kv_b_layout = KvBLayout::KvbOnly;
    s.edit = [](std::string& name, std::vector<int64_t>& ne) {
        if (name == "blk.0.attn_kv_b.weight") ne[1] -= 1;
        return true;
    };
    EXPECT_CONTAINS(load_error(make_deepseek2_model(s)), "blk.0.attn_kv_b.weight");
}

TEST(ModelFileErrors, UnknownArchitectureIsNamed) {
    gguf::GgufWriter w = make_llama_model({});
    w.set("general.architecture", gguf::Value::string("mamba"));
    const std::string message = load_error(w);
    EXPECT_CONTAINS(message, "mamba");
    EXPECT_CONTAINS(message, "architecture");
}

TEST(ModelFileErrors, MissingRequiredKeyIsNamed) {
    gguf::GgufWriter w = make_deepseek2_model({});
    w.remove("deepseek2.attention.kv_lora_rank");
    EXPECT_CONTAINS(load_error(w), "kv_lora_rank");
}

TEST(ModelFileErrors, Q8_0CacheNeedsBlockAlignedHeads) {
    // Head size 16 cannot be cut into 32-element Q8_0 blocks.
    ScratchDir dir;
    const gguf::GgufModel file = gguf::GgufModel::open(dir.write(make_llama_model({}), "m.gguf"));
    EXPECT_CONTAINS(error_of([&] { cpu_runtime(file, 16, kTypeQ8_0); }), "Q8_0");
}

}  // namespace
}  // namespace sy::test
