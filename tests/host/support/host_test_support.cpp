#include "host_test_support.hpp"

#include <cstdlib>
#include <random>

#include <fmt/format.h>

#include "host/plugin_file_name.hpp"
#include "host/search_path.hpp"

#if SWITCHYARD_TEST_REFERENCE_STATIC
extern "C" const sy_plugin_entry* sy_plugin_get_entry_reference(void);
#endif

namespace sy::host::test {

LogCapture::LogCapture() : lines_(std::make_shared<Lines>()) {}

LogSink LogCapture::sink() const {
    std::shared_ptr<Lines> lines = lines_;
    return [lines](int32_t level, std::string_view source, std::string_view message) {
        std::lock_guard lock(lines->mutex);
        lines->lines.push_back(fmt::format("{} {}: {}", log_level_name(level), source, message));
    };
}

bool LogCapture::contains(std::string_view needle) const { return count(needle) > 0; }

size_t LogCapture::count(std::string_view needle) const {
    std::lock_guard lock(lines_->mutex);
    size_t n = 0;
    for (const std::string& line : lines_->lines) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
}

std::string LogCapture::text() const {
    std::lock_guard lock(lines_->mutex);
    std::string all;
    for (const std::string& line : lines_->lines) all += line + "\n";
    return all;
}

std::filesystem::path plugin_build_dir() { return SWITCHYARD_PLUGIN_BUILD_DIR; }

std::filesystem::path fixture_dir() { return SWITCHYARD_TEST_FIXTURE_DIR; }

std::filesystem::path plugin_file(std::string_view stem) {
    return plugin_build_dir() / fmt::format("libswitchyard-backend-{}{}", stem, shared_library_suffix());
}

bool reference_is_static() {
#if SWITCHYARD_TEST_REFERENCE_STATIC
    return true;
#else
    return false;
#endif
}

HostOptions real_backend_options(const LogCapture& log) {
    HostOptions options;
    options.search_dirs = {{plugin_build_dir(), "build tree"}};
#if SWITCHYARD_TEST_REFERENCE_STATIC
    options.static_backends.push_back({"reference", &sy_plugin_get_entry_reference});
#endif
    options.log = log.sink();
    return options;
}

const Candidate* find_candidate(const PluginHost& host, std::string_view name) {
    for (const Candidate& c : host.candidates()) {
        if (c.is_static() ? c.static_id == name : std::filesystem::path(c.origin).filename() == name) return &c;
    }
    return nullptr;
}

Device require_device(const PluginHost& host, std::string_view name) {
    std::optional<Device> device = host.find_device(name);
    if (!device) throw sy::Error(fmt::format("device {} was not loaded", name));
    return *device;
}

std::vector<float> random_floats(size_t count, uint32_t seed) {
    std::mt19937 engine(seed);  // mt19937's sequence is fixed by the standard
    std::vector<float> values(count);
    for (float& v : values) v = float(double(engine()) / 4294967296.0 * 2.0 - 1.0);
    return values;
}

Buffer upload_new(const Device& device, const void* data, size_t bytes) {
    Buffer buffer = device.alloc(bytes);
    buffer.upload(0, data, bytes);
    return buffer;
}

std::vector<float> download_floats(const Buffer& buffer, size_t count, uint64_t offset) {
    return buffer.download_as<float>(offset, count);
}

TempDir::TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / fmt::format("switchyard-host-test-{:08x}{:08x}", random(), random());
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) {
        had_value_ = true;
        old_value_ = old;
    }
    ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
    if (had_value_) {
        ::setenv(name_.c_str(), old_value_.c_str(), 1);
    } else {
        ::unsetenv(name_.c_str());
    }
}

}  // namespace sy::host::test
