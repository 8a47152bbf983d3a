// The legacy .dat reader (format in imatrix.hpp). ik_llama.cpp's llama-quantize reads these
// fields with unchecked stream reads; here every count and length is checked against the
// bytes left before anything is sized by it.
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_set>

#include "gguf/byte_reader.hpp"
#include "gguf/format.hpp"
#include "imatrix/imatrix.hpp"

namespace sy {
namespace {

using gguf::detail::ByteReader;
using gguf::detail::quoted;

// Smallest entry: name length, a 1-byte name, ncall, nval, one value.
constexpr uint64_t kMinEntryBytes = 4 + 1 + 4 + 4 + 4;

int32_t read_i32(ByteReader& in, const std::string& field) { return in.read<int32_t>(field); }

// An int32 that must be at least `min`.
int32_t read_count(ByteReader& in, const std::string& field, int32_t min) {
    const uint64_t at = in.pos();
    const int32_t v = read_i32(in, field);
    if (v < min) in.fail_at(at, field, "is " + std::to_string(v) + ", must be at least " + std::to_string(min));
    return v;
}

// `n` bytes of text with no NUL (the oracle cuts names at the first NUL, so a name with one
// would silently become another name).
std::string read_text(ByteReader& in, uint64_t n, const std::string& field) {
    const uint64_t at = in.pos();
    const auto bytes = in.take(n, field);
    const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (text.find('\0') != std::string::npos) in.fail_at(at, field, "contains a NUL byte");
    return text;
}

ImatrixEntry read_entry(ByteReader& in, int32_t index) {
    const std::string where = "entry " + std::to_string(index);
    ImatrixEntry e;
    const int32_t name_length = read_count(in, where + " name length", 1);
    if (uint64_t(name_length) > gguf::kMaxNameBytes)
        in.fail_at(in.pos() - 4, where + " name length",
                   std::to_string(name_length) + " exceeds the limit of " +
                       std::to_string(gguf::kMaxNameBytes) + " bytes");
    e.name = read_text(in, uint64_t(name_length), where + " name");

    const std::string field = where + " " + quoted(e.name);
    const int32_t ncall = read_count(in, field + " ncall", 0);
    const uint64_t count_at = in.pos();
    const int32_t nval = read_count(in, field + " value count", 1);
    if (uint64_t(nval) * 4 > in.remaining())
        in.fail_at(count_at, field + " value count",
                   std::to_string(nval) + " values need " + std::to_string(uint64_t(nval) * 4) + " bytes, " +
                       std::to_string(in.remaining()) + " left in the file");

    const uint64_t values_at = in.pos();
    const auto raw = in.take(uint64_t(nval) * 4, field + " values");
    e.values.resize(size_t(nval));
    std::memcpy(e.values.data(), raw.data(), raw.size());
    for (size_t j = 0; j < e.values.size(); ++j) {
        const float v = e.values[j];
        if (!std::isfinite(v) || v < 0)
            in.fail_at(values_at + 4 * j, field + " value " + std::to_string(j),
                       "is " + std::to_string(v) + ", must be finite and >= 0");
    }
    // llama-quantize's averaging: a float division of each stored value by ncall.
    if (ncall > 0)
        for (float& v : e.values) v /= float(ncall);
    e.counts = {ncall};
    return e;
}

}  // namespace

Imatrix parse_imatrix_dat(std::span<const uint8_t> bytes, const std::string& what) {
    ByteReader in(bytes, what);
    Imatrix m;
    m.format = "dat";

    const int32_t count = read_count(in, "entry count", 1);
    if (uint64_t(count) * kMinEntryBytes > in.remaining())
        in.fail_at(0, "entry count",
                   std::to_string(count) + " entries need at least " + std::to_string(uint64_t(count) * kMinEntryBytes) +
                       " bytes, " + std::to_string(in.remaining()) + " left in the file");
    m.entries.reserve(size_t(count));  // bounded by the file size just above

    std::unordered_set<std::string> names;
    for (int32_t i = 0; i < count; ++i) {
        const uint64_t entry_at = in.pos();
        ImatrixEntry e = read_entry(in, i);
        if (!names.insert(e.name).second)
            in.fail_at(entry_at, "entry " + std::to_string(i) + " " + quoted(e.name),
                       "duplicate name (an earlier entry has it)");
        m.entries.push_back(std::move(e));
    }

    // Files from before the trailer end here.
    if (in.remaining() == 0) return m;
    m.chunk_count = read_count(in, "trailer chunk count", 0);
    const int32_t dataset_length = read_count(in, "trailer dataset name length", 0);
    const std::string dataset = read_text(in, uint64_t(dataset_length), "trailer dataset name");
    if (!dataset.empty()) m.datasets.push_back(dataset);
    if (in.remaining() != 0)
        in.fail_at(in.pos(), "end of file",
                   std::to_string(in.remaining()) + " unexpected bytes after the dataset name");
    return m;
}

}  // namespace sy
