// Writes a vocabulary-only GGUF: the tokenizer.* keys of a model (plus general.architecture
// and general.name, which the tokenizer's per-model rules read), in the model's key order, and
// no tensors. Used once to make tests/data/vocab/tiny-ds2-vocab.gguf from the 27 MB tiny-ds2
// model in ../shared:
//
//   switchyard_make_vocab_fixture ../shared/models/tiny-ds2/tiny-ds2-f16.gguf
//                                 tests/data/vocab/tiny-ds2-vocab.gguf
//
// Built only on request (EXCLUDE_FROM_ALL).
#include <cstdio>
#include <exception>
#include <string_view>

#include "gguf/gguf_file.hpp"
#include "gguf/gguf_writer.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s MODEL.gguf OUT.gguf\n", argv[0]);
        return 2;
    }
    try {
        const sy::gguf::GgufFile model = sy::gguf::GgufFile::open(argv[1]);
        sy::gguf::GgufWriter writer;
        size_t copied = 0;
        for (const sy::gguf::KeyValue& kv : model.kvs()) {
            const std::string_view key = kv.key;
            if (key.starts_with("tokenizer.") || key == "general.architecture" || key == "general.name") {
                writer.set(key, kv.value);
                ++copied;
            }
        }
        writer.write(argv[2]);
        std::printf("%s: %zu keys from %s\n", argv[2], copied, argv[1]);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
