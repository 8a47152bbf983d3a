// The only way core/ and tools/ reach the operating system or the ISA.
//
// Each function has one implementation per platform, chosen by platforms/CMakeLists.txt from
// the target (posix/, x86_64/, riscv64/, generic/), never by #ifdef mazes in callers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sy::platform {

// CPU feature bits. One enum for every ISA; a bit that does not apply to this ISA is 0.
enum CpuFeature : uint64_t {
    kCpuSse42 = 1ull << 0,
    kCpuAvx = 1ull << 1,
    kCpuAvx2 = 1ull << 2,
    kCpuFma = 1ull << 3,
    kCpuF16c = 1ull << 4,
    kCpuBmi2 = 1ull << 5,
    kCpuAvxVnni = 1ull << 6,
    kCpuAvx512F = 1ull << 7,   // with CD, VL, DQ, BW, as ggml's "AVX512" requires
    kCpuAvx512Vnni = 1ull << 8,
    kCpuAvx512Bf16 = 1ull << 9,
    kCpuAvx512Vbmi = 1ull << 10,
    kCpuRvv = 1ull << 16,      // RISC-V Vector 1.0 ("V")
    kCpuZfh = 1ull << 17,      // scalar fp16
    kCpuZvfh = 1ull << 18,     // vector fp16
    kCpuZba = 1ull << 19,
    kCpuZbb = 1ull << 20,
};

struct CpuInfo {
    std::string arch;         // "x86_64", "riscv64", ...
    std::string model;        // brand string / "unknown"
    uint64_t features = 0;    // CpuFeature bits the CPU *and* the OS support
    uint32_t vlen_bits = 0;   // RISC-V vector register width (vlenb * 8); 0 elsewhere
    unsigned logical_cores = 1;
};

// Probed once, then cached. Thread-safe.
const CpuInfo& cpu_info();

// Space-separated names of the set feature bits, e.g. "AVX AVX2 FMA F16C".
std::string cpu_feature_text(uint64_t features);

// Virtual-memory page size in bytes.
size_t page_size();

// Total physical memory in bytes (0 if unknown) and what is currently available.
uint64_t memory_total();
uint64_t memory_available();

// Absolute path of the running executable ("" if unknown). Under qemu-user this is the
// emulated program, not qemu.
std::string executable_path();

// A read-only view of a whole file, memory-mapped. Move-only; unmaps on destruction.
class MappedFile {
public:
    MappedFile() = default;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    // Throws std::runtime_error naming the path and the OS error. An empty file maps to size 0.
    static MappedFile open(const std::string& path);

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }

private:
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace sy::platform
