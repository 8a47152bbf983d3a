// Writes a seed corpus for imatrix_fuzz: small valid imatrix files in both formats, written by
// core's writer: dense and expert entries, a slice with count 0, several datasets, and a .dat
// without the trailer (older files).
// Usage: imatrix_fuzz_seeds <output dir>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "imatrix/imatrix_writer.hpp"

namespace {

sy::ImatrixStatsSet sample() {
    sy::ImatrixStatsSet s;
    s.chunk_count = 3;
    s.chunk_size = 4;
    s.datasets = {"calibration.txt", "more.txt"};
    s.entries.push_back({"blk.0.attn_q.weight", {1.f, 2.f, 3.f, 4.f}, {8.f}});
    s.entries.push_back({"blk.0.ffn_down_exps.weight", {1.f, 2.f, 0.f, 0.f, 5.f, 6.f}, {4.f, 0.f, 12.f}});
    s.entries.push_back({"output.weight", {0.5f, 0.25f}, {2.f}});
    return s;
}

void save(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error(path.string() + ": write failed");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    try {
        std::filesystem::create_directories(dir);
        const sy::ImatrixStatsSet s = sample();
        save(dir / "imatrix.gguf", sy::imatrix_gguf_bytes(s));
        save(dir / "imatrix.dat", sy::imatrix_dat_bytes(s));
        // Without the trailer: chunk count, dataset name length and the last dataset's name.
        std::vector<uint8_t> old = sy::imatrix_dat_bytes(s);
        old.resize(old.size() - 8 - s.datasets.back().size());
        save(dir / "old.dat", old);
        sy::ImatrixStatsSet one;
        one.chunk_size = 1;
        one.entries.push_back({"w", {2.f}, {1.f}});
        save(dir / "one.gguf", sy::imatrix_gguf_bytes(one));
        save(dir / "one.dat", sy::imatrix_dat_bytes(one));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "imatrix_fuzz_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
