// Writes a seed corpus for gguf_fuzz: small valid files that cover every value type, nested
// arrays, several alignments, tensor types with and without row headers, and split keys.
// Usage: gguf_fuzz_seeds <output dir>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "gguf/gguf_writer.hpp"

using namespace sy::gguf;

namespace {

std::vector<uint8_t> bytes(size_t n, uint8_t seed) {
    std::vector<uint8_t> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
    return out;
}

GgufWriter all_value_types() {
    GgufWriter w;
    w.set("general.architecture", Value::string("llama"));
    w.set("u8", Value::scalar<uint8_t>(1));
    w.set("i8", Value::scalar<int8_t>(-1));
    w.set("u16", Value::scalar<uint16_t>(2));
    w.set("i16", Value::scalar<int16_t>(-2));
    w.set("u32", Value::scalar<uint32_t>(3));
    w.set("i32", Value::scalar<int32_t>(-3));
    w.set("f32", Value::scalar(0.5f));
    w.set("bool", Value::scalar(true));
    w.set("u64", Value::scalar<uint64_t>(4));
    w.set("i64", Value::scalar<int64_t>(-4));
    w.set("f64", Value::scalar(0.25));
    w.set("tokens", Value::string_array({"a", "bc", ""}));
    w.set("scores", Value::array(std::vector<float>{1, 2}));
    w.set("nested", Value::array_of_arrays({Value::array(std::vector<int16_t>{1}), Value::string_array({"x"})}));
    return w;
}

void add_tensors(GgufWriter& w) {
    const int64_t f32[] = {8, 2};
    w.add_tensor("f32", 0, f32, bytes(64, 1));
    const int64_t q8[] = {32, 2};
    w.add_tensor("q8_0", 8, q8, bytes(68, 2));
    const int64_t iq2ks[] = {256};
    w.add_tensor("iq2_ks", 145, iq2ks, bytes(72, 3));
    const int64_t iq1kt[] = {256, 1, 2};
    w.add_tensor("iq1_kt", 158, iq1kt, bytes(120, 4));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    try {
        std::filesystem::create_directories(dir);
        all_value_types().write((dir / "values.gguf").string());
        GgufWriter model = all_value_types();
        add_tensors(model);
        model.write((dir / "model.gguf").string());
        for (uint32_t a : {8u, 64u}) {
            GgufWriter aligned;
            aligned.set_alignment(a);
            add_tensors(aligned);
            aligned.write((dir / ("aligned" + std::to_string(a) + ".gguf")).string());
        }
        GgufWriter split = all_value_types();
        add_tensors(split);
        split.write_split((dir / "split.gguf").string(), {.max_tensors = 2});
        GgufWriter().write((dir / "empty.gguf").string());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gguf_fuzz_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
