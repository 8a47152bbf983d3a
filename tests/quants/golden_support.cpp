#include "golden_support.hpp"

#include <stdexcept>

#include "types/quants/dequantize.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

void iq2_kt_without_row_factor(const uint8_t* row, float* out, int64_t n) {
    quants::dequantize_row_iq2_kt_with_row_factor(row, out, n, 1.0f);
}
void iq3_kt_without_row_factor(const uint8_t* row, float* out, int64_t n) {
    quants::dequantize_row_iq3_kt_with_row_factor(row, out, n, 1.0f);
}

}  // namespace

std::string golden_path(const std::string& name) {
    return std::string(SWITCHYARD_TEST_DATA_DIR) + "/golden_quants/" + name;
}

DequantizeRowFn oracle_dequantizer(int32_t type_id) {
    switch (type_id) {
        case 141: return quants::dequantize_row_iq6_k_cubic;  // IQ6_K
        case 153: return iq2_kt_without_row_factor;           // IQ2_KT
        case 154: return iq3_kt_without_row_factor;           // IQ3_KT
        default: {
            const QuantKernels* k = find_kernels(type_id);
            return k ? k->dequantize_row : nullptr;
        }
    }
}

std::vector<float> dequantize_tensor(const GgufFixture& file, const FixtureTensor& tensor,
                                     DequantizeRowFn dequantize) {
    const int64_t ne0 = tensor.row_length();
    const uint64_t stride = row_bytes(tensor.type, ne0, tensor.name);
    const int64_t rows = tensor.row_count();
    if (tensor.offset + uint64_t(rows) * stride > file.bytes.size() - file.data_start)
        throw std::runtime_error(tensor.name + ": data runs past the end of the file");
    std::vector<float> out(size_t(rows * ne0));
    const uint8_t* src = file.data(tensor);
    for (int64_t r = 0; r < rows; ++r)
        dequantize(src + uint64_t(r) * stride, out.data() + r * ne0, ne0);
    return out;
}

const FixtureTensor& tensor_named(const GgufFixture& file, const std::string& name) {
    for (const FixtureTensor& t : file.tensors)
        if (t.name == name) return t;
    throw std::runtime_error("no tensor " + name);
}

}  // namespace sy::test
