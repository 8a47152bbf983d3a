// `switchyard inspect`: what a GGUF model holds (metadata, tensors, sizes), as text or JSON.
// The work is a plain function so tests call it in-process (also under qemu, where a test
// cannot spawn the executable).
#pragma once

#include <ostream>
#include <string>

namespace sy::cli {

struct InspectOptions {
    std::string path;       // a GGUF file, or the first shard of a split model
    bool json = false;      // one JSON object instead of the text report
    bool use_mmap = true;   // false: read the file into memory (--no-mmap)
};

// Writes the report to `out` and returns 0. For a file that cannot be opened or is not valid
// GGUF, writes one line "switchyard: error: <reason>" to `err` and returns 1.
int run_inspect(const InspectOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sy::cli
