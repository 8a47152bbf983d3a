// The plugin host's report: one Candidate per plugin file found in the search path and per
// statically linked backend, in the order they were considered, loaded or not and why.
// Plain values; copy freely.
#pragma once

#include <cstdint>
#include <string>

namespace sy::host {

enum class CandidateStatus {
    Loaded,   // in use: its devices are open
    Skipped,  // fine, but not used: score 0, superseded by a better variant, duplicate file
    Failed,   // cannot be used: not loadable, no entry symbol, ABI mismatch, query refused
};

struct Candidate {
    std::string origin;     // the file's path, or "static" for a backend linked in
    std::string static_id;  // entry id of a static backend ("reference"), else ""
    std::string name;       // backend name: from the file name, then from the plugin's table
    std::string variant;    // "" when none
    CandidateStatus status = CandidateStatus::Failed;
    std::string reason;     // why not loaded; "" when loaded
    bool scored = false;    // score() was called (the file loaded and had an entry table)
    uint32_t score = 0;     // the plugin's score(), when scored
    uint32_t abi_min = 0;   // the plugin's ABI range, 0..0 when unknown
    uint32_t abi_max = 0;
    uint32_t abi = 0;       // the version negotiated with the host, 0 unless loaded
    std::string build_info; // the plugin's build_info, when it answered query()

    bool is_static() const { return !static_id.empty(); }
    bool loaded() const { return status == CandidateStatus::Loaded; }
};

// "loaded", "skipped", "failed".
const char* candidate_status_name(CandidateStatus status);

}  // namespace sy::host
