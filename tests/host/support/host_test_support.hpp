// Shared helpers of the plugin host tests: where the plugins are, a log capture, host options
// for the real backends, deterministic data, and upload/download shorthands.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "host/device.hpp"
#include "host/plugin_host.hpp"

namespace sy::host::test {

// Collects every log line as "<level> <source>: <message>". The sink shares the storage, so
// it may outlive the LogCapture (plugins can log after a host is gone). Thread-safe.
class LogCapture {
public:
    LogCapture();
    LogSink sink() const;
    bool contains(std::string_view needle) const;
    size_t count(std::string_view needle) const;
    std::string text() const;  // all lines, for failure messages

private:
    struct Lines {
        std::mutex mutex;
        std::vector<std::string> lines;
    };
    std::shared_ptr<Lines> lines_;
};

std::filesystem::path plugin_build_dir();  // where switchyard_add_backend puts real plugins
std::filesystem::path fixture_dir();       // the test-only plugins of tests/host/plugins
std::filesystem::path plugin_file(std::string_view stem);  // plugin_build_dir()/libswitchyard-backend-<stem>.so
bool reference_is_static();                // built with SWITCHYARD_STATIC_BACKENDS=reference

// Loads the real backends of the build (reference, as a file or statically, and testdev).
HostOptions real_backend_options(const LogCapture& log);

// The candidate whose file name (or static id) is `name`, else nullptr.
const Candidate* find_candidate(const PluginHost& host, std::string_view name);

// A device that must exist; fails the calling test (via exception) otherwise.
Device require_device(const PluginHost& host, std::string_view name);

// Values in [-1, 1) from a fixed-seed generator: the same on every machine.
std::vector<float> random_floats(size_t count, uint32_t seed);

Buffer upload_new(const Device& device, const void* data, size_t bytes);
template <class T>
Buffer upload_vector(const Device& device, const std::vector<T>& values) {
    return upload_new(device, values.data(), values.size() * sizeof(T));
}
std::vector<float> download_floats(const Buffer& buffer, size_t count, uint64_t offset = 0);

// A fresh empty folder under the system temp folder, removed with its contents at scope end.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Sets an environment variable for the scope, restoring the old value after.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    bool had_value_ = false;
    std::string old_value_;
};

}  // namespace sy::host::test
