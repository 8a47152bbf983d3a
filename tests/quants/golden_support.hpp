// Shared by the golden tests: where the fixtures are, which dequantizer reproduces the
// oracle's standalone dequantizer for a type, and whole-tensor dequantization.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf_fixture.hpp"
#include "types/quant_kernels.hpp"

namespace sy::test {

// tests/data/golden_quants/<name>
std::string golden_path(const std::string& name);

// The oracle's standalone dequantizer (what oracle-dequant-sha256.tsv hashes): the kernel
// table's entry, except for IQ6_K (cubic) and IQ2_KT/IQ3_KT (no row factor). Null when the
// type has no reference kernels.
DequantizeRowFn oracle_dequantizer(int32_t type_id);

// Dequantizes every row of a tensor with `dequantize` (row bytes from the type registry).
std::vector<float> dequantize_tensor(const GgufFixture& file, const FixtureTensor& tensor,
                                     DequantizeRowFn dequantize);

// The tensor of that name; throws when the file has none.
const FixtureTensor& tensor_named(const GgufFixture& file, const std::string& name);

}  // namespace sy::test
