// guard(): the catch-all every ABI entry of a plugin runs its C++ body in, so no exception
// ever crosses the C boundary (the ABI's first rule).
#pragma once

#include <exception>
#include <new>
#include <utility>

#include "switchyard/sdk/errors.hpp"

namespace sy::sdk {

// Runs body() (returning sy_status) and converts anything it throws into a status plus a
// message in `slot`: Failure keeps its status, std::bad_alloc is OUT_OF_MEMORY, any other
// exception DEVICE_ERROR. Clears the slot first, so last_error describes the latest call.
template <class Body>
sy_status guard(ErrorSlot& slot, Body&& body) noexcept {
    try {
        slot.clear();
        return std::forward<Body>(body)();
    } catch (const Failure& failure) {
        return slot.set(failure.status(), failure.what());
    } catch (const std::bad_alloc&) {
        return slot.set(SY_STATUS_OUT_OF_MEMORY, "out of host memory");
    } catch (const std::exception& e) {
        return slot.set(SY_STATUS_DEVICE_ERROR, e.what());
    } catch (...) {
        return slot.set(SY_STATUS_DEVICE_ERROR, "unknown C++ exception inside the plugin");
    }
}

// For entries that return a value instead of a status (supports, buffer_host_ptr, ...):
// returns `fallback` when body() throws.
template <class T, class Body>
T guard_value(T fallback, Body&& body) noexcept {
    try {
        return std::forward<Body>(body)();
    } catch (...) {
        return fallback;
    }
}

}  // namespace sy::sdk
