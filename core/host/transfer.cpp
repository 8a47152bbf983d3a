#include "host/transfer.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace sy::host {
namespace {

constexpr uint64_t kStagingBytes = uint64_t(16) << 20;  // bounds host memory used per copy

void check_range(const Buffer& buffer, uint64_t offset, uint64_t size, const char* side) {
    if (offset > buffer.size() || size > buffer.size() - offset) {
        throw DeviceError(SY_STATUS_OUT_OF_RANGE,
                          fmt::format("{}: copy {}: offset {} + size {} is past the end of a {}-byte buffer",
                                      buffer.device().name(), side, offset, size, buffer.size()));
    }
}

}  // namespace

void copy_buffer(const Buffer& src, uint64_t src_offset, Buffer& dst, uint64_t dst_offset, uint64_t size) {
    check_range(src, src_offset, size, "source");
    check_range(dst, dst_offset, size, "destination");
    if (src.device() == dst.device()) {
        dst.copy_from(dst_offset, src, src_offset, size);
        return;
    }
    if (const auto* from = static_cast<const uint8_t*>(src.host_ptr())) {
        dst.upload(dst_offset, from + src_offset, size);
        return;
    }
    if (auto* to = static_cast<uint8_t*>(dst.host_ptr())) {
        src.download(src_offset, to + dst_offset, size);
        return;
    }
    std::vector<uint8_t> staging(size_t(std::min(size, kStagingBytes)));
    for (uint64_t done = 0; done < size;) {
        const uint64_t chunk = std::min<uint64_t>(size - done, staging.size());
        src.download(src_offset + done, staging.data(), chunk);
        dst.upload(dst_offset + done, staging.data(), chunk);
        done += chunk;
    }
}

}  // namespace sy::host
