#include "gguf/file_image.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>

#include "common/error.hpp"

namespace sy::gguf {

namespace {

constexpr std::align_val_t kBufferAlign{64};
constexpr uint64_t kReadChunk = 64ull << 20;  // keeps each read() call a sane size

std::string os_error() { return errno ? std::strerror(errno) : "unknown error"; }

}  // namespace

void FileImage::AlignedDelete::operator()(uint8_t* p) const { ::operator delete[](p, kBufferAlign); }

std::unique_ptr<FileImage> FileImage::map(const std::string& path) {
    auto image = std::make_unique<FileImage>();
    try {
        image->mapping_ = platform::MappedFile::open(path);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(e.what());
    }
    image->data_ = image->mapping_.data();
    image->size_ = image->mapping_.size();
    image->mapped_ = true;
    return image;
}

std::unique_ptr<FileImage> FileImage::read(const std::string& path) {
    errno = 0;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error(path + ": cannot open: " + os_error());
    const std::streamoff end = in.tellg();
    if (end < 0) throw Error(path + ": cannot determine the file size");
    const auto size = static_cast<uint64_t>(end);
    const uint64_t physical = platform::memory_total();
    if (size > SIZE_MAX || (physical != 0 && size > physical))
        throw Error(path + ": the file is " + std::to_string(size) + " bytes, more than this machine's " +
                    std::to_string(physical) + " bytes of memory; use memory mapping (drop --no-mmap)");

    auto image = std::make_unique<FileImage>();
    if (size != 0) {
        auto* raw = static_cast<uint8_t*>(::operator new[](static_cast<size_t>(size), kBufferAlign, std::nothrow));
        if (!raw) throw Error(path + ": cannot allocate " + std::to_string(size) + " bytes to read the file");
        image->buffer_.reset(raw);
    }
    in.seekg(0);
    for (uint64_t done = 0; done < size;) {
        const uint64_t n = std::min(kReadChunk, size - done);
        in.read(reinterpret_cast<char*>(image->buffer_.get() + done), static_cast<std::streamsize>(n));
        if (static_cast<uint64_t>(in.gcount()) != n)
            throw Error(path + ": read failed at byte " + std::to_string(done + in.gcount()) + " of " +
                        std::to_string(size) + " (file changed or I/O error)");
        done += n;
    }
    image->data_ = image->buffer_.get();
    image->size_ = static_cast<size_t>(size);
    return image;
}

}  // namespace sy::gguf
