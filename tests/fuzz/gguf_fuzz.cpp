// libFuzzer target for the GGUF reader: any input must either parse or throw sy::Error, with no
// crash, leak, undefined behaviour or hang (sanitizers and libFuzzer's timeouts check the rest).
// Whatever parses must also survive every accessor, the split-model checks, and a write→read
// round trip that gives back the same metadata and tensor bytes.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "common/error.hpp"
#include "gguf/gguf_file.hpp"
#include "gguf/gguf_model.hpp"
#include "gguf/gguf_writer.hpp"

namespace {

using namespace sy::gguf;

void check(bool ok) {
    if (!ok) std::abort();  // a property violation; libFuzzer saves the input
}

// Touches every accessor of a value; type mismatches must be sy::Error, nothing else.
void walk(const Value& v) {
    try { (void)v.as_u64(); } catch (const sy::Error&) {}
    try { (void)v.as_i64(); } catch (const sy::Error&) {}
    try { (void)v.as_f64(); } catch (const sy::Error&) {}
    try { (void)v.as_string(); } catch (const sy::Error&) {}
    if (!v.is_array()) return;
    const uint64_t n = v.size();
    for (uint64_t i = 0; i < n && i < 64; ++i) {
        const Value e = v.element(i);
        if (e.is_array()) walk(e);
        try { (void)v.f64_at(i); } catch (const sy::Error&) {}
    }
    try { (void)v.element(n); check(false); } catch (const sy::Error&) {}
}

// Writes what was parsed and reads it back: same keys, values, order and tensor bytes.
void round_trip(const GgufFile& f) {
    GgufWriter w;
    try {
        for (const KeyValue& kv : f.kvs()) w.set(kv.key, kv.value);
        for (const TensorInfo& t : f.tensors()) w.add_tensor(t.name, t.type, t.shape(), f.tensor_data(t));
    } catch (const sy::Error&) {
        return;  // valid for the reader but outside the writer's stricter rules (e.g. long names)
    }
    const std::vector<uint8_t> bytes = w.to_bytes();
    const GgufFile back = GgufFile::from_memory(bytes, "round-trip.gguf");
    check(back.kvs().size() == f.kvs().size() && back.tensors().size() == f.tensors().size());
    for (size_t i = 0; i < f.kvs().size(); ++i)
        check(back.kvs()[i].key == f.kvs()[i].key && back.kvs()[i].value == f.kvs()[i].value);
    for (size_t i = 0; i < f.tensors().size(); ++i) {
        const auto a = f.tensor_data(f.tensors()[i]);
        const auto b = back.tensor_data(back.tensors()[i]);
        check(a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()));
        check(back.tensors()[i].name == f.tensors()[i].name);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        GgufFile f = GgufFile::from_memory(std::span<const uint8_t>(data, size), "fuzz.gguf");
        for (const KeyValue& kv : f.kvs()) walk(kv.value);
        for (const TensorInfo& t : f.tensors()) {
            const auto bytes = f.tensor_data(t);
            check(bytes.size() == t.nbytes && t.file_offset + t.nbytes <= size);
            check(f.find_tensor(t.name) == &t);
        }
        round_trip(f);
        std::vector<GgufFile> shards;
        shards.push_back(std::move(f));
        (void)GgufModel::from_shards(std::move(shards));  // split-key checks on a lone shard
    } catch (const sy::Error&) {
        // rejected input: the expected outcome for most mutations
    }
    return 0;
}
