// libFuzzer target for the imatrix readers: every input goes through both the .dat and the GGUF
// parser, and each must either parse or throw sy::Error, with no crash, leak, undefined
// behaviour or hang. Whatever parses must keep the readers' promises (unique names, finite
// non-negative values, slices that tile the values, lookups that find every entry) and survive
// a write→read round trip through core's writers in both formats with the same values.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <unordered_set>
#include <vector>

#include "common/error.hpp"
#include "imatrix/imatrix.hpp"
#include "imatrix/imatrix_writer.hpp"

namespace {

void check(bool ok) {
    if (!ok) std::abort();  // a property violation; libFuzzer saves the input
}

void check_invariants(const sy::Imatrix& m) {
    check(!m.entries.empty() && m.chunk_count >= 0 && m.chunk_size >= 0);
    std::unordered_set<std::string> names;
    for (const sy::ImatrixEntry& e : m.entries) {
        check(!e.name.empty() && names.insert(e.name).second);
        check(m.find(e.name) == &e && m.find_for_tensor(e.name) == &e);
        check(e.n_slices >= 1 && !e.values.empty() && e.values.size() % size_t(e.n_slices) == 0);
        check(e.counts.size() == (m.format == "gguf" ? size_t(e.n_slices) : 1u));
        for (int64_t c : e.counts) check(c >= 0);
        for (float v : e.values) check(std::isfinite(v) && v >= 0);
        // Every slice of the entry, seen as a tensor of n_slices experts.
        const auto ne0 = int64_t(e.values.size()) / e.n_slices;
        for (int64_t s = 0; s < e.n_slices; ++s)
            check(sy::importance_slice(e, ne0, e.n_slices, s, "fuzz") == e.values.data() + s * ne0);
    }
}

// Statistics whose means are exactly the parsed values (count 1, chunk size 1: ncall 1).
sy::ImatrixStatsSet as_stats(const sy::Imatrix& m) {
    sy::ImatrixStatsSet s;
    s.chunk_count = m.chunk_count;
    s.chunk_size = 1;
    s.datasets = m.datasets;
    for (const sy::ImatrixEntry& e : m.entries)
        s.entries.push_back({e.name, e.values, std::vector<float>(size_t(e.n_slices), 1.f)});
    return s;
}

void check_same_values(const sy::Imatrix& a, const sy::Imatrix& b) {
    check(a.entries.size() == b.entries.size() && a.chunk_count == b.chunk_count);
    for (size_t i = 0; i < a.entries.size(); ++i)
        check(a.entries[i].name == b.entries[i].name && a.entries[i].values == b.entries[i].values);
}

// Bytes from a writer, or nothing when the statistics are valid for a reader but outside that
// writer's rules (GGUF's 63-byte tensor names, a .dat dataset name with a NUL byte).
template <class Write> std::vector<uint8_t> written(Write write, const sy::ImatrixStatsSet& stats) {
    try {
        return write(stats);
    } catch (const sy::Error&) {
        return {};
    }
}

void round_trip(const sy::Imatrix& m) {
    const sy::ImatrixStatsSet stats = as_stats(m);
    const std::vector<uint8_t> gguf_bytes = written(sy::imatrix_gguf_bytes, stats);
    if (!gguf_bytes.empty()) {
        const sy::Imatrix back = sy::parse_imatrix_gguf(gguf_bytes, "round-trip.gguf");
        check(back.datasets == m.datasets);
        check_same_values(m, back);
    }
    const std::vector<uint8_t> dat_bytes = written(sy::imatrix_dat_bytes, stats);
    if (!dat_bytes.empty()) check_same_values(m, sy::parse_imatrix_dat(dat_bytes, "round-trip.dat"));
}

void try_parser(sy::Imatrix (*parse)(std::span<const uint8_t>, const std::string&), std::span<const uint8_t> bytes) {
    sy::Imatrix m;
    try {
        m = parse(bytes, "fuzz");
    } catch (const sy::Error&) {
        return;  // rejected input: the expected outcome for most mutations
    }
    check_invariants(m);
    round_trip(m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
    try_parser(sy::parse_imatrix_dat, bytes);
    try_parser(sy::parse_imatrix_gguf, bytes);
    return 0;
}
