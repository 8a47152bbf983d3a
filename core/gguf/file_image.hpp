// The bytes of a whole file, either memory-mapped or read into memory (--no-mmap).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <switchyard/platform.hpp>

namespace sy::gguf {

class FileImage {
public:
    // Maps the file. Throws sy::Error naming the path and the OS error.
    static std::unique_ptr<FileImage> map(const std::string& path);
    // Reads the file into one buffer. The size is checked first (against the machine's
    // physical memory, when known), so the allocation is never sized by file content.
    static std::unique_ptr<FileImage> read(const std::string& path);

    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    bool mapped() const { return mapped_; }

private:
    struct AlignedDelete {
        void operator()(uint8_t* p) const;
    };

    platform::MappedFile mapping_;
    std::unique_ptr<uint8_t, AlignedDelete> buffer_;  // 64-byte aligned, like a mapping's pages
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
};

}  // namespace sy::gguf
