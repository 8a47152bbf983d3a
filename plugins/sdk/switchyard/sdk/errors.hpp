// Error plumbing for plugin authors: how a C++ failure inside a plugin becomes a sy_status
// plus a message the host reads with sy_device_vtbl.last_error.
//
// Inside a plugin, code may throw sy::sdk::Failure (via sy::sdk::fail) or let std::bad_alloc
// escape; sy::sdk::guard (guard.hpp) catches everything at the ABI entry and stores the message
// in the device's ErrorSlot. Nothing here allocates, so reporting works when memory is gone.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <exception>

#include "switchyard/plugin_abi.h"

namespace sy::sdk {

// Fixed-size message storage. Longer messages are truncated, never allocated.
class MessageText {
public:
    void set(const char* text) { std::snprintf(text_, sizeof text_, "%s", text ? text : ""); }
    void vformat(const char* fmt, std::va_list args) { std::vsnprintf(text_, sizeof text_, fmt, args); }
    void clear() { text_[0] = '\0'; }
    const char* c_str() const { return text_; }

private:
    char text_[512] = {};
};

// The message of the last failed call on one device. Owned by the device; the pointer from
// message() stays valid until the next call on that device (the ABI's last_error contract).
// Not thread-safe: the ABI drives one device from one thread at a time.
class ErrorSlot {
public:
    const char* message() const { return text_.c_str(); }
    void clear() { text_.clear(); }
    sy_status set(sy_status status, const char* message) {
        text_.set(message);
        return status;
    }

private:
    MessageText text_;
};

// Thrown inside a plugin, caught by guard() at the ABI entry. Never crosses the boundary.
class Failure : public std::exception {
public:
    explicit Failure(sy_status status) : status_(status) {}
    sy_status status() const { return status_; }
    const char* what() const noexcept override { return text_.c_str(); }
    MessageText& text() { return text_; }

private:
    sy_status status_;
    MessageText text_;
};

// Throws Failure(status) with a printf-style message.
[[noreturn]] inline void fail(sy_status status, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

[[noreturn]] inline void fail(sy_status status, const char* fmt, ...) {
    Failure failure(status);
    std::va_list args;
    va_start(args, fmt);
    failure.text().vformat(fmt, args);
    va_end(args);
    throw failure;
}

}  // namespace sy::sdk
