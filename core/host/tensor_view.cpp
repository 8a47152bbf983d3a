#include "host/tensor_view.hpp"

#include <string>

#include "common/error.hpp"
#include "types/type_registry.hpp"

namespace sy::host {

sy_tensor tensor_desc(int32_t type, std::initializer_list<int64_t> ne) {
    if (ne.size() < 1 || ne.size() > SY_MAX_DIMS) {
        throw sy::Error("a tensor has 1 to " + std::to_string(SY_MAX_DIMS) + " dimensions, not " +
                        std::to_string(ne.size()));
    }
    sy_tensor t{};
    t.type = type;
    t.n_dims = int32_t(ne.size());
    for (int i = 0; i < SY_MAX_DIMS; ++i) t.ne[i] = 1;
    int i = 0;
    for (int64_t n : ne) {
        if (n < 1) throw sy::Error("tensor dimension " + std::to_string(i) + " is " + std::to_string(n));
        t.ne[i++] = n;
    }
    const TypeInfo* info = find_type(type);
    if (info == nullptr) throw sy::Error("unknown tensor type id " + std::to_string(type));
    t.nb[0] = info->block_bytes;  // element size; for block types the block's (as ggml does)
    t.nb[1] = row_bytes(type, t.ne[0], "tensor");
    for (int d = 2; d < SY_MAX_DIMS; ++d) t.nb[d] = t.nb[d - 1] * uint64_t(t.ne[d - 1]);
    return t;
}

sy_tensor tensor_in(const Buffer& buffer, uint64_t offset, int32_t type, std::initializer_list<int64_t> ne) {
    sy_tensor t = tensor_desc(type, ne);
    t.buffer = buffer.raw();
    t.offset = offset;
    return t;
}

uint64_t tensor_bytes(int32_t type, std::initializer_list<int64_t> ne) {
    const sy_tensor t = tensor_desc(type, ne);
    return t.nb[SY_MAX_DIMS - 1] * uint64_t(t.ne[SY_MAX_DIMS - 1]);
}

sy_op make_op(int32_t kind, const sy_tensor& dst, std::initializer_list<sy_tensor> src,
              std::initializer_list<float> params_f) {
    if (src.size() > SY_MAX_SRC || params_f.size() > 4) throw sy::Error("too many op sources or parameters");
    sy_op op{};
    op.struct_size = sizeof(sy_op);
    op.kind = kind;
    op.dst = dst;
    op.n_src = int32_t(src.size());
    int i = 0;
    for (const sy_tensor& t : src) op.src[i++] = t;
    i = 0;
    for (float p : params_f) op.params_f[i++] = p;
    for (int s = op.n_src; s < SY_MAX_SRC; ++s) op.src[s].type = SY_TYPE_NONE;
    return op;
}

}  // namespace sy::host
