// `switchyard quantize` end to end, in-process (run_quantize): model-card recipes on a
// generated deepseek2 model with tiny-ds2's layout, checked by reading the output back (types,
// values, metadata) and with `switchyard inspect`; bad requests and what they leave behind.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gguf/gguf_model.hpp"
#include "imatrix/imatrix_writer.hpp"
#include "inspect_report.hpp"
#include "quantize_cli.hpp"
#include "synthetic_models.hpp"
#include "types/quant_kernels.hpp"
#include "types/quants/quantize.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

namespace fs = std::filesystem;
using cli::QuantizeCliOptions;

struct RunResult {
    int code;
    std::string out, err;
};

RunResult quantize(QuantizeCliOptions o) {
    o.progress = false;
    std::ostringstream out, err;
    const int code = cli::run_quantize(o, out, err);
    return {code, out.str(), err.str()};
}

// The model-card recipe shape (ubergarm's Kimi-K2 / DeepSeek recipes): attention and dense
// layers at q8_0, routed experts at 2-3 bits, token_embd/output named explicitly. Written one
// rule per line with comments and joined with commas, as the cards' shell snippet does.
std::string model_card_recipe() {
    const std::string lines =
        "# Attention\n"
        "blk\\..*\\.attn_k_b\\.weight=q8_0\n"
        "blk\\..*\\.attn_v_b\\.weight=q8_0\n"
        "blk\\..*\\.attn_kv_a_mqa\\.weight=q8_0\n"
        "blk\\..*\\.attn_kv_b\\.weight=q8_0\n"
        "blk\\..*\\.attn_q_a\\.weight=q8_0\n"
        "blk\\..*\\.attn_q_b\\.weight=q8_0\n"
        "blk\\..*\\.attn_output\\.weight=iq6_k\n"
        "# First dense layer\n"
        "blk\\..*\\.ffn_down\\.weight=q8_0\n"
        "blk\\..*\\.ffn_(gate|up)\\.weight=iq5_ks\n"
        "# Shared expert\n"
        "blk\\..*\\.ffn_down_shexp\\.weight=q8_0\n"
        "blk\\..*\\.ffn_(gate|up)_shexp\\.weight=iq4_ks\n"
        "# Routed experts\n"
        "blk\\..*\\.ffn_down_exps\\.weight=iq3_ks\n"
        "blk\\..*\\.ffn_(gate|up)_exps\\.weight=iq2_kl\n"
        "token_embd\\.weight=iq4_k\n"
        "output\\.weight=iq6_k\n";
    std::string joined;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        joined += (joined.empty() ? "" : ",") + line;
    }
    return joined;
}

// An imatrix for the synthetic model: one entry per weight matrix (per expert for 3-D ones),
// with attn_v_b left out so that the attn_kv_b alias is exercised.
void write_imatrix_for(const gguf::GgufModel& model, const std::string& path) {
    ImatrixStatsSet set;
    set.chunk_count = 3;
    set.chunk_size = 64;
    set.datasets = {"calibration.txt"};
    for (const gguf::TensorInfo& t : model.tensors()) {
        if (t.n_dims < 2 || t.name.find("_norm") != std::string::npos || t.name.find("attn_v_b") != std::string::npos)
            continue;
        ImatrixStats s;
        s.name = t.name;
        for (int64_t e = 0; e < t.ne[2]; ++e) {
            for (int64_t j = 0; j < t.ne[0]; ++j) s.sums.push_back(float(1 + (j * 7 + e) % 13) * 64.f);
            s.counts.push_back(64.f);
        }
        set.entries.push_back(std::move(s));
    }
    write_imatrix_dat(set, path);
}

std::vector<float> decode(const gguf::GgufModel& m, const gguf::TensorInfo& t) {
    std::vector<float> out(size_t(t.n_elements()));
    const uint64_t rb = row_bytes(t.type, t.ne[0], t.name);
    const auto data = m.tensor_data(t);
    for (int64_t r = 0; r < t.n_rows(); ++r)
        find_kernels(t.type)->dequantize_row(data.data() + uint64_t(r) * rb, out.data() + r * t.ne[0], t.ne[0]);
    return out;
}

double relative_rmse(const std::vector<float>& a, const std::vector<float>& b) {
    double err = 0, ref = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        err += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        ref += double(a[i]) * a[i];
    }
    return std::sqrt(err / ref);
}

// No output and no temporary left in `dir` except the inputs.
void expect_only(const std::string& dir, std::set<std::string> names) {
    for (const auto& e : fs::directory_iterator(dir))
        EXPECT_TRUE(names.count(e.path().filename().string())) << "left behind: " << e.path();
}

class QuantizeCommand : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = temp_dir_for_test();
        input_ = dir_ + "/in.gguf";
        make_deepseek2({}).write(input_);
        imatrix_ = dir_ + "/imatrix.dat";
        write_imatrix_for(gguf::GgufModel::open(input_), imatrix_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string dir_, input_, imatrix_;
};

TEST_F(QuantizeCommand, ModelCardRecipeEndToEnd) {
    const std::string out_path = dir_ + "/out.gguf";
    QuantizeCliOptions o;
    o.custom_q = {model_card_recipe()};
    o.imatrix = imatrix_;
    o.positionals = {input_, out_path, "IQ2_KL", "2"};
    const RunResult r = quantize(o);
    ASSERT_EQ(r.code, 0) << r.err;

    const auto in = gguf::GgufModel::open(input_);
    const auto out = gguf::GgufModel::open(out_path);
    ASSERT_EQ(out.tensors().size(), in.tensors().size());
    const std::map<std::string, std::string> want = {
        {"token_embd.weight", "IQ4_K"},         {"output.weight", "IQ6_K"},
        {"blk.0.attn_q_a.weight", "Q8_0"},       {"blk.0.attn_q_b.weight", "Q8_0"},
        {"blk.0.attn_kv_a_mqa.weight", "Q8_0"},  {"blk.0.attn_kv_b.weight", "Q8_0"},
        {"blk.0.attn_k_b.weight", "Q8_0"},       {"blk.0.attn_v_b.weight", "Q8_0"},
        {"blk.0.attn_output.weight", "IQ6_K"},   {"blk.0.ffn_gate.weight", "IQ5_KS"},
        {"blk.0.ffn_up.weight", "IQ5_KS"},       {"blk.0.ffn_down.weight", "Q8_0"},
        {"blk.1.ffn_gate_exps.weight", "IQ2_KL"}, {"blk.1.ffn_up_exps.weight", "IQ2_KL"},
        {"blk.1.ffn_down_exps.weight", "IQ3_KS"}, {"blk.1.ffn_gate_shexp.weight", "IQ4_KS"},
        {"blk.1.ffn_down_shexp.weight", "Q8_0"},  {"blk.1.ffn_gate_inp.weight", "F32"},
        {"blk.1.exp_probs_b.bias", "F32"},        {"blk.1.attn_norm.weight", "F32"},
    };
    for (const auto& [name, type] : want) {
        const gguf::TensorInfo* t = out.find_tensor(name);
        ASSERT_NE(t, nullptr) << name;
        EXPECT_EQ(type_name(t->type), type) << name;
    }
    // Values: each converted tensor decodes close to its source; copied ones are identical.
    const std::map<std::string, double> bound = {{"Q8_0", 0.01}, {"IQ6_K", 0.03},  {"IQ5_KS", 0.05}, {"IQ4_K", 0.1},
                                                 {"IQ4_KS", 0.1}, {"IQ3_KS", 0.25}, {"IQ2_KL", 0.4}};
    for (const gguf::TensorInfo& t : out.tensors()) {
        const gguf::TensorInfo& src = *in.find_tensor(t.name);
        EXPECT_EQ(std::vector<int64_t>(t.shape().begin(), t.shape().end()),
                  std::vector<int64_t>(src.shape().begin(), src.shape().end())) << t.name;
        if (t.type == src.type) {
            const auto a = in.tensor_data(src), b = out.tensor_data(t);
            EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << t.name;
            continue;
        }
        EXPECT_LT(relative_rmse(decode(in, src), decode(out, t)), bound.at(type_name(t.type))) << t.name;
    }
    EXPECT_EQ(out.get("general.file_type").as_u64(), 155u);  // LLAMA_FTYPE_MOSTLY_IQ2_KL
    EXPECT_EQ(out.get("general.quantization_version").as_u64(), 2u);
    EXPECT_EQ(out.get("quantize.imatrix.file").as_string(), imatrix_);
    EXPECT_EQ(out.get("quantize.imatrix.dataset").as_string(), "calibration.txt");
    EXPECT_EQ(out.get("quantize.imatrix.chunks_count").as_i64(), 3);
    EXPECT_EQ(out.get("general.architecture").as_string(), "deepseek2");
    EXPECT_EQ(out.get("tokenizer.ggml.tokens").value.size(), 256u);

    // And `switchyard inspect` reads it.
    std::ostringstream report, report_err;
    ASSERT_EQ(cli::run_inspect({out_path, false, true}, report, report_err), 0) << report_err.str();
    EXPECT_NE(report.str().find("IQ2_KL"), std::string::npos);
    EXPECT_NE(report.str().find("IQ3_KS"), std::string::npos);
}

TEST_F(QuantizeCommand, MixFallbackThreadsAndDryRun) {
    // Q4_K_M without --pure: attn_q_b (rows of 128) falls back to Q5_0 and says so.
    QuantizeCliOptions dry;
    dry.dry_run = true;
    dry.positionals = {input_, dir_ + "/dry.gguf", "Q4_K_M"};
    const RunResult d = quantize(dry);
    ASSERT_EQ(d.code, 0) << d.err;
    EXPECT_NE(d.out.find("rows of 128 do not fit Q4_K: fallback Q5_0"), std::string::npos) << d.out;
    EXPECT_FALSE(fs::exists(dir_ + "/dry.gguf"));

    QuantizeCliOptions one = dry, three = dry;
    one.dry_run = three.dry_run = false;
    one.positionals = {input_, dir_ + "/t1.gguf", "Q4_K_M", "1"};
    three.positionals = {input_, dir_ + "/t3.gguf", "q4_k_m", "3"};
    ASSERT_EQ(quantize(one).code, 0);
    ASSERT_EQ(quantize(three).code, 0);
    const auto m = gguf::GgufModel::open(dir_ + "/t1.gguf");
    EXPECT_EQ(type_name(m.find_tensor("blk.0.attn_q_b.weight")->type), "Q5_0");
    EXPECT_EQ(type_name(m.find_tensor("blk.1.attn_kv_b.weight")->type), "Q8_0");
    EXPECT_EQ(type_name(m.find_tensor("output.weight")->type), "Q6_K");
    // The thread count changes nothing in the bytes.
    std::ifstream a(dir_ + "/t1.gguf", std::ios::binary), b(dir_ + "/t3.gguf", std::ios::binary);
    const std::string bytes_a((std::istreambuf_iterator<char>(a)), {}), bytes_b((std::istreambuf_iterator<char>(b)), {});
    EXPECT_TRUE(bytes_a == bytes_b);
}

TEST_F(QuantizeCommand, ImatrixAliasesAndSelection) {
    // attn_v_b has no entry of its own: attn_kv_b's is used (MLA: the same input activations).
    QuantizeCliOptions o;
    o.imatrix = imatrix_;
    o.dry_run = true;
    o.positionals = {input_, dir_ + "/out.gguf", "Q4_K_M"};
    RunResult r = quantize(o);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("imatrix: 24 entries"), std::string::npos) << r.out;
    std::istringstream lines(r.out);
    std::string v_b_line;
    for (std::string line; std::getline(lines, line);)
        if (line.find("blk.1.attn_v_b.weight") != std::string::npos) v_b_line = line;
    EXPECT_NE(v_b_line.find("imatrix entry blk.1.attn_kv_b.weight"), std::string::npos) << v_b_line;
    // --exclude-weights drops entries by substring: the experts lose theirs (a warning each).
    o.exclude_weights = {"_exps"};
    r = quantize(o);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("imatrix: 21 entries"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("no imatrix entry for 'blk.1.ffn_down_exps.weight'"), std::string::npos) << r.err;
    // --include-weights keeps only the matching ones.
    o.exclude_weights.clear();
    o.include_weights = {"attn_"};
    r = quantize(o);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("imatrix: 12 entries"), std::string::npos) << r.out;
}

TEST_F(QuantizeCommand, Q4XIsSymmetricQ4_0) {
    QuantizeCliOptions o;
    o.positionals = {input_, dir_ + "/q4x.gguf", "Q4_X"};
    o.pure = true;
    ASSERT_EQ(quantize(o).code, 0);
    const auto in = gguf::GgufModel::open(input_);
    const auto out = gguf::GgufModel::open(dir_ + "/q4x.gguf");
    EXPECT_EQ(out.get("general.file_type").as_u64(), 2u);
    const gguf::TensorInfo& t = *out.find_tensor("blk.1.ffn_up_exps.weight");
    ASSERT_EQ(type_name(t.type), "Q4_0");
    const std::vector<float> src = decode(in, *in.find_tensor(t.name));
    std::vector<uint8_t> want(out.tensor_data(t).size());
    const uint64_t rb = row_bytes(t.type, t.ne[0], t.name);
    for (int64_t r = 0; r < t.n_rows(); ++r)
        quants::quantize_row_q4_0_symmetric(src.data() + r * t.ne[0], want.data() + r * rb, t.ne[0], nullptr);
    const auto got = out.tensor_data(t);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin(), got.end()));
}

TEST_F(QuantizeCommand, SplitOutputsAndKeepSplit) {
    // An input split in 3 shards keeps its split; a single input split by size.
    const std::string split_in = dir_ + "/split.gguf";
    const auto shards = make_deepseek2({}).write_split(split_in, gguf::SplitOptions{15, 0, {}});
    ASSERT_EQ(shards.size(), 3u);
    QuantizeCliOptions keep;
    keep.keep_split = true;
    keep.positionals = {shards[0], dir_ + "/kept.gguf", "Q8_0"};
    ASSERT_EQ(quantize(keep).code, 0);
    const auto kept = gguf::GgufModel::open(dir_ + "/kept-00001-of-00003.gguf");
    ASSERT_EQ(kept.shards().size(), 3u);
    for (size_t k = 0; k < 3; ++k)
        EXPECT_EQ(kept.shards()[k].tensors().size(), gguf::GgufModel::open(shards[0]).shards()[k].tensors().size());

    QuantizeCliOptions by_count;
    by_count.split_max_tensors = 30;
    by_count.positionals = {input_, dir_ + "/counted.gguf", "Q8_0"};
    ASSERT_EQ(quantize(by_count).code, 0);
    const auto counted = gguf::GgufModel::open(dir_ + "/counted-00001-of-00002.gguf");
    EXPECT_EQ(counted.shards().size(), 2u);
    EXPECT_EQ(counted.tensors().size(), gguf::GgufModel::open(input_).tensors().size());

    // By size: every shard's tensor data within the limit (no single tensor is larger here).
    QuantizeCliOptions by_size;
    by_size.split_max_size = "512K";
    by_size.positionals = {input_, dir_ + "/sized.gguf", "Q8_0"};
    const RunResult r = quantize(by_size);
    ASSERT_EQ(r.code, 0) << r.err;
    const size_t first = r.out.find("wrote ");
    ASSERT_NE(first, std::string::npos);
    const std::string first_path = r.out.substr(first + 6, r.out.find('\n', first) - first - 6);
    const auto sized = gguf::GgufModel::open(first_path);
    EXPECT_GT(sized.shards().size(), 1u);
    for (const gguf::GgufFile& shard : sized.shards()) {
        uint64_t bytes = 0;
        for (const gguf::TensorInfo& t : shard.tensors()) bytes += t.nbytes;
        EXPECT_LE(bytes, 512u * 1024u) << shard.path();
    }
}

TEST_F(QuantizeCommand, RequantizeNeedsTheFlagDequantizeDoesNot) {
    QuantizeCliOptions first;
    first.positionals = {input_, dir_ + "/q8.gguf", "Q8_0"};
    ASSERT_EQ(quantize(first).code, 0);
    QuantizeCliOptions again;
    again.positionals = {dir_ + "/q8.gguf", dir_ + "/q4.gguf", "Q4_0"};
    const RunResult refused = quantize(again);
    EXPECT_EQ(refused.code, 1);
    EXPECT_NE(refused.err.find("--allow-requantize"), std::string::npos) << refused.err;
    EXPECT_FALSE(fs::exists(dir_ + "/q4.gguf"));
    again.allow_requantize = true;
    EXPECT_EQ(quantize(again).code, 0);
    QuantizeCliOptions to_f32;
    to_f32.positionals = {dir_ + "/q8.gguf", dir_ + "/f32.gguf", "F32"};
    ASSERT_EQ(quantize(to_f32).code, 0);
    const auto f32 = gguf::GgufModel::open(dir_ + "/f32.gguf");
    EXPECT_EQ(type_name(f32.find_tensor("blk.1.ffn_up_exps.weight")->type), "F32");
}

struct BadRequest {
    const char* what;
    std::function<void(QuantizeCliOptions&, const std::string& dir)> setup;
    const char* message;
};

TEST_F(QuantizeCommand, BadRequestsFailCleanly) {
    const std::vector<BadRequest> cases = {
        {"bad regex", [](auto& o, auto&) { o.custom_q = {"blk\\.(=q8_0"}; }, "bad regex"},
        {"unknown custom type", [](auto& o, auto&) { o.custom_q = {"exps=q3_zz"}; }, "unknown or unsupported type 'q3_zz'"},
        {"unknown TYPE", [](auto& o, auto& d) { o.positionals = {"", d + "/out.gguf", "Q3_ZZ"}; }, "unknown type 'Q3_ZZ'"},
        {"bad threads", [](auto& o, auto& d) { o.positionals = {"", d + "/out.gguf", "Q8_0", "two"}; }, "NTHREADS"},
        {"low-bit without imatrix", [](auto& o, auto&) { o.custom_q = {"exps=iq2_xxs"}; }, "needs importance weights"},
        {"include and exclude", [](auto& o, auto& d) { o.imatrix = d + "/imatrix.dat"; o.include_weights = {"a"}; o.exclude_weights = {"b"}; },
         "cannot be used together"},
        {"truncated imatrix", [](auto& o, auto& d) { fs::resize_file(d + "/imatrix.dat", 100); o.imatrix = d + "/imatrix.dat"; },
         "imatrix.dat"},
        {"missing input", [](auto& o, auto& d) { o.positionals = {d + "/nope.gguf", d + "/out.gguf", "Q8_0"}; }, "nope.gguf"},
        {"impossible output type", [](auto& o, auto&) { o.output_tensor_type = "iq4_k_r4"; }, "--output-tensor-type"},
        {"split options together", [](auto& o, auto&) { o.keep_split = true; o.split_max_size = "1G"; }, "--keep-split"},
        {"bad split size", [](auto& o, auto&) { o.split_max_size = "12Q"; }, "--split-max-size"},
    };
    for (const BadRequest& c : cases) {
        SetUp();  // fresh files (one case truncates the imatrix)
        QuantizeCliOptions o;
        o.positionals = {input_, dir_ + "/out.gguf", "Q4_K_M"};
        c.setup(o, dir_);
        if (o.positionals[0].empty()) o.positionals[0] = input_;
        const RunResult r = quantize(o);
        EXPECT_EQ(r.code, 1) << c.what;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << c.what << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.what << ": " << r.err;
        expect_only(dir_, {"in.gguf", "imatrix.dat"});
    }
}

TEST_F(QuantizeCommand, ImatrixForAnotherModelIsRefused) {
    // Entries with the right names but rows of a different width.
    ImatrixStatsSet set;
    set.chunk_size = 1;
    set.entries.push_back({"blk.1.ffn_up_exps.weight", std::vector<float>(512, 1.f), {1.f, 1.f}});
    write_imatrix_dat(set, dir_ + "/other.dat");
    QuantizeCliOptions o;
    o.imatrix = dir_ + "/other.dat";
    o.positionals = {input_, dir_ + "/out.gguf", "IQ4_KS"};
    const RunResult r = quantize(o);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("imatrix entry 'blk.1.ffn_up_exps.weight' has 512 values but tensor"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("needs 1024 (ne0 256 x 4 experts)"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ + "/out.gguf"));
}

// stories260K (a real llama model): its ffn_down rows have 172 elements, which fit no
// quantized block; those tensors stay F32 with a warning, everything else is quantized.
TEST(QuantizeBundledModel, Stories260KRowsThatFitNoBlockStayFloat) {
    const std::string dir = temp_dir_for_test();
    QuantizeCliOptions o;
    o.positionals = {std::string(SWITCHYARD_TEST_DATA_DIR) + "/stories260K.gguf", dir + "/q8.gguf", "Q8_0", "2"};
    const RunResult r = quantize(o);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("'blk.0.ffn_down.weight': rows of 172 elements fit no quantized type"), std::string::npos)
        << r.err;
    const auto out = gguf::GgufModel::open(dir + "/q8.gguf");
    EXPECT_EQ(type_name(out.find_tensor("blk.0.ffn_down.weight")->type), "F32");
    EXPECT_EQ(type_name(out.find_tensor("blk.0.ffn_up.weight")->type), "Q8_0");
    EXPECT_EQ(type_name(out.find_tensor("blk.4.attn_q.weight")->type), "Q8_0");
    fs::remove_all(dir);
}

// The real tiny-ds2 from ../shared (skipped when the shared data is not there): the recipe
// runs verbatim and inspect reads the result.
TEST(QuantizeSharedModel, TinyDs2ModelCardRecipe) {
    const std::string model = std::string(SWITCHYARD_SHARED_DIR) + "/models/tiny-ds2/tiny-ds2-f16.gguf";
    if (!fs::exists(model)) GTEST_SKIP() << model << " not present";
    const std::string dir = temp_dir_for_test();
    QuantizeCliOptions o;
    o.custom_q = {model_card_recipe()};
    o.ignore_imatrix_rules = false;
    o.positionals = {model, dir + "/tiny-ds2-recipe.gguf", "IQ2_KL", "2"};
    const RunResult r = quantize(o);
    ASSERT_EQ(r.code, 0) << r.err;
    std::ostringstream report, report_err;
    ASSERT_EQ(cli::run_inspect({dir + "/tiny-ds2-recipe.gguf", false, true}, report, report_err), 0);
    EXPECT_NE(report.str().find("IQ2_KL"), std::string::npos);
    const auto out = gguf::GgufModel::open(dir + "/tiny-ds2-recipe.gguf");
    EXPECT_EQ(type_name(out.find_tensor("blk.3.ffn_up_exps.weight")->type), "IQ2_KL");
    EXPECT_EQ(type_name(out.find_tensor("blk.3.attn_k_b.weight")->type), "Q8_0");
    EXPECT_EQ(out.tensors().size(), 74u);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace sy::test
