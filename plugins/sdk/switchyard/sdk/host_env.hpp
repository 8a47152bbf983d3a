// HostEnv: a plugin's handle on the environment the host passed to query() (rule 8: plugins
// allocate and log only through the host).
//
// Lifetime: bind() in query(), reset() at the end of shutdown(); the host keeps the
// sy_host_env alive in between. Thread safety: the env callbacks are thread-safe on the host
// side; bind/reset must not race with other calls (the ABI serializes query and shutdown).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <new>
#include <utility>

#include "switchyard/plugin_abi.h"

namespace sy::sdk {

class HostEnv {
public:
    // Returns false (and stays unbound) when the env is NULL or older than ABI v1 needs.
    bool bind(const sy_host_env* env) {
        if (env == nullptr || env->struct_size < sizeof(sy_host_env) || env->alloc == nullptr ||
            env->free == nullptr || env->log == nullptr) {
            return false;
        }
        env_ = env;
        return true;
    }
    void reset() { env_ = nullptr; }
    bool bound() const { return env_ != nullptr; }
    uint32_t abi_version() const { return env_ ? env_->abi_version : 0; }

    // printf-style; the host adds the plugin's name. Dropped when unbound.
    void log(int32_t level, const char* fmt, ...) const __attribute__((format(printf, 3, 4))) {
        if (env_ == nullptr) return;
        char line[512];
        std::va_list args;
        va_start(args, fmt);
        std::vsnprintf(line, sizeof line, fmt, args);
        va_end(args);
        env_->log(env_->user, level, line);
    }

    // NULL on failure or when unbound. align: a power of two.
    void* alloc(size_t size, size_t align) const {
        return env_ ? env_->alloc(env_->user, size, align) : nullptr;
    }
    void free(void* ptr) const {
        if (env_ != nullptr && ptr != nullptr) env_->free(env_->user, ptr);
    }

    // Constructs a T in host-allocated memory; throws std::bad_alloc when the host refuses.
    template <class T, class... Args>
    T* create(Args&&... args) const {
        void* memory = alloc(sizeof(T), alignof(T) < 16 ? 16 : alignof(T));
        if (memory == nullptr) throw std::bad_alloc();
        try {
            return new (memory) T(std::forward<Args>(args)...);
        } catch (...) {
            free(memory);
            throw;
        }
    }
    template <class T>
    void destroy(T* object) const {
        if (object == nullptr) return;
        object->~T();
        free(object);
    }

private:
    const sy_host_env* env_ = nullptr;
};

}  // namespace sy::sdk
