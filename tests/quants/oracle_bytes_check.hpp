// The shared "our bytes = the oracle's bytes" check of the quantizer tests: quantize rows of
// the golden source (tests/data/golden_quants/source-f32.gguf) with the golden imatrix, as the
// oracle's llama-quantize did, and compare each row with the same row of golden <name>.gguf.
// Header-only because it uses GoogleTest assertions (the support library does not link gtest).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "golden_support.hpp"
#include "quant_error_support.hpp"
#include "types/type_registry.hpp"

namespace sy::test {

struct OracleRowSample {
    bool all = false;                // every row of every tensor (the "slow" ctest entries)
    bool first_tensor_only = true;   // when sampling: only the first tensor...
    int every = 16;                  // ...and every Nth row of it, plus the row holding the peak
    bool require_importance = false; // fail when a tensor has no imatrix entry
};

// EXPECTs byte identity of every checked row and prints "[ bytes ] NAME: k of n rows ...".
inline void expect_rows_equal_oracle(const std::string& name, int32_t type_id, QuantizeRowFn quantize,
                                     const OracleRowSample& sample) {
    const QuantErrorFixtures& f = quant_error_fixtures();
    const GgufFixture oracle = read_gguf_fixture(golden_path(name + ".gguf"));
    int64_t checked = 0, identical = 0;
    for (size_t i = 0; i < f.matrices.size(); ++i) {
        if (!sample.all && sample.first_tensor_only && i != 0) break;
        const SourceMatrix& m = f.matrices[i];
        const FixtureTensor& o = tensor_named(oracle, m.name);
        ASSERT_EQ(o.type, type_id) << m.name;
        ASSERT_EQ(o.row_length(), m.ne0) << m.name;
        const uint64_t stride = row_bytes(type_id, m.ne0, m.name);
        const ImatrixEntry* entry = f.imatrix.find(m.name);
        if (sample.require_importance) {
            ASSERT_NE(entry, nullptr) << m.name;
        }
        const auto peak = std::max_element(m.values.begin(), m.values.end(),
                                           [](float a, float b) { return std::abs(a) < std::abs(b); });
        const int64_t peak_row = (peak - m.values.begin()) / m.ne0;
        std::vector<uint8_t> ours(stride);
        for (int64_t r = 0; r < m.rows; ++r) {
            if (!sample.all && r % sample.every != 0 && r != peak_row) continue;
            quantize(m.values.data() + r * m.ne0, ours.data(), m.ne0, importance_for_row(entry, m, r));
            const uint8_t* theirs = oracle.data(o) + uint64_t(r) * stride;
            const bool same = std::equal(ours.begin(), ours.end(), theirs);
            EXPECT_TRUE(same) << name << " " << m.name << " row " << r;
            ++checked;
            identical += same;
        }
    }
    std::cout << "[ bytes    ] " << name << ": " << identical << " of " << checked
              << " rows byte-identical to the oracle's file\n";
}

}  // namespace sy::test
