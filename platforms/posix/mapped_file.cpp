// MappedFile: a whole file mapped read-only. GGUF weights are read through this, so a 500 GiB
// model costs address space, not RAM, and pages come and go under the kernel's control.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "switchyard/platform.hpp"

namespace sy::platform {
namespace {

// std::system_error is a std::runtime_error whose what() reads "<what>: <strerror text>",
// and it keeps errno for callers that want to branch on it.
[[noreturn]] void throw_errno(int err, const char* what, const std::string& path) {
    throw std::system_error(err, std::generic_category(),
                            std::string(what) + " '" + path + "'");
}

// Closes the descriptor on every path out of open(); the mapping outlives it.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

MappedFile MappedFile::open(const std::string& path) {
    Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0) throw_errno(errno, "cannot open", path);

    struct stat st{};
    if (::fstat(file.fd, &st) != 0) throw_errno(errno, "cannot stat", path);
    // Directories and devices open fine but cannot be mapped meaningfully; say so up front
    // instead of reporting mmap's ENODEV.
    if (!S_ISREG(st.st_mode)) {
        throw std::runtime_error("cannot map '" + path + "': not a regular file");
    }
    if (static_cast<uintmax_t>(st.st_size) > std::numeric_limits<size_t>::max()) {
        throw std::runtime_error("cannot map '" + path + "': larger than the address space");
    }

    MappedFile mapped;
    // mmap of length 0 is EINVAL; an empty file is valid input (a GGUF reader rejects it
    // with its own message), so it becomes an empty view.
    if (st.st_size == 0) return mapped;

    const size_t size = static_cast<size_t>(st.st_size);
    // MAP_PRIVATE: we never write, and a private mapping cannot be changed under us through
    // this mapping; PROT_READ makes stray writes fault instead of corrupting weights.
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (addr == MAP_FAILED) throw_errno(errno, "cannot mmap", path);
    mapped.data_ = static_cast<const uint8_t*>(addr);
    mapped.size_ = size;
    return mapped;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        MappedFile old(std::move(*this));  // unmaps our previous view on scope exit
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace sy::platform
