// Page size, physical memory and the executable's own path, from sysconf and /proc.
#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "switchyard/platform.hpp"

namespace sy::platform {
namespace {

uint64_t sysconf_pages_bytes(int name) {
    const long pages = sysconf(name);
    const long page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

// One "Key:   1234 kB" line of /proc/meminfo in bytes, or 0 when absent (old kernels,
// no procfs). The kernel always reports these in kB despite the unit's spelling.
uint64_t meminfo_bytes(const std::string& key) {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
        std::istringstream fields(line.substr(key.size() + 1));
        uint64_t kib = 0;
        fields >> kib;
        return kib * 1024;
    }
    return 0;
}

}  // namespace

size_t page_size() {
    const long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<size_t>(page) : 4096;
}

uint64_t memory_total() { return sysconf_pages_bytes(_SC_PHYS_PAGES); }

uint64_t memory_available() {
    // MemAvailable counts reclaimable page cache, which is what matters when deciding whether
    // weights fit; _SC_AVPHYS_PAGES is only the free list and reads near 0 on a busy machine.
    if (uint64_t avail = meminfo_bytes("MemAvailable"); avail > 0) return avail;
    return sysconf_pages_bytes(_SC_AVPHYS_PAGES);
}

std::string executable_path() {
    // /proc/self/exe is a symlink to the running image. qemu-user emulates it to name the
    // guest program rather than qemu itself, so plugin discovery works the same under QEMU.
    std::vector<char> buf(PATH_MAX);
    for (;;) {
        const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size());
        if (n < 0) return {};
        if (static_cast<size_t>(n) < buf.size()) return std::string(buf.data(), static_cast<size_t>(n));
        buf.resize(buf.size() * 2);  // truncated: readlink does not say by how much
    }
}

}  // namespace sy::platform
