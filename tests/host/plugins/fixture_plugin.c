/*
 * A minimal plugin in plain C (so the ABI is exercised from C), shaped at build time by
 * FIXTURE_NAME, FIXTURE_VARIANT, FIXTURE_SCORE, FIXTURE_ABI_MIN/MAX and the switches
 * FIXTURE_QUERY_REFUSES (query returns NULL whatever abi_range says) and
 * FIXTURE_NEEDS_UNDEFINED (calls a function nothing defines, so loading fails) and
 * FIXTURE_USES_DEPENDENCY (calls into a library the loader cannot find) and
 * FIXTURE_LEAKS (allocates through the host env at query and never frees).
 * It has no devices; the host tests only look at how it is discovered, chosen and reported.
 */
#include <stddef.h>

#include "switchyard/plugin_abi.h"

#ifdef FIXTURE_NEEDS_UNDEFINED
extern uint32_t sy_fixture_symbol_nobody_defines(void);
#endif
#ifdef FIXTURE_USES_DEPENDENCY
extern uint32_t sy_fixture_dependency_score(void);
#endif

static const sy_host_env *g_env = NULL;

static uint32_t fixture_score(void) {
#if defined(FIXTURE_NEEDS_UNDEFINED)
    return sy_fixture_symbol_nobody_defines();
#elif defined(FIXTURE_USES_DEPENDENCY)
    return sy_fixture_dependency_score();
#else
    return FIXTURE_SCORE;
#endif
}

static void fixture_abi_range(uint32_t *out_min, uint32_t *out_max) {
    *out_min = FIXTURE_ABI_MIN;
    *out_max = FIXTURE_ABI_MAX;
}

static int32_t fixture_device_count(void) { return 0; }

static sy_status fixture_device_open(int32_t index, sy_device *out_device,
                                     const sy_device_vtbl **out_vtbl) {
    (void)index;
    (void)out_device;
    (void)out_vtbl;
    return SY_STATUS_INVALID_ARGUMENT;
}

static void fixture_device_close(sy_device device) { (void)device; }

static sy_status fixture_shutdown(void) {
    if (g_env != NULL) g_env->log(g_env->user, SY_LOG_DEBUG, FIXTURE_NAME "-" FIXTURE_VARIANT ": shutdown");
    g_env = NULL;
    return SY_STATUS_OK;
}

static const sy_backend k_backend = {
    SY_PLUGIN_ABI_VERSION, sizeof(sy_backend), FIXTURE_NAME, FIXTURE_VARIANT, "test fixture (C)",
    fixture_device_count, fixture_device_open, fixture_device_close, fixture_shutdown, {0},
};

static const sy_backend *fixture_query(uint32_t host_max_abi, const sy_host_env *env) {
#ifdef FIXTURE_QUERY_REFUSES
    (void)host_max_abi;
    (void)env;
    (void)k_backend;
    return NULL;
#else
    if (host_max_abi < FIXTURE_ABI_MIN || env == NULL) return NULL;
    g_env = env;
    env->log(env->user, SY_LOG_DEBUG, FIXTURE_NAME "-" FIXTURE_VARIANT ": query");
#ifdef FIXTURE_LEAKS
    if (env->alloc(env->user, 100, 64) == NULL) return NULL;
#endif
    return &k_backend;
#endif
}

static const sy_plugin_entry k_entry = {
    sizeof(sy_plugin_entry), fixture_score, fixture_abi_range, fixture_query,
};

SY_PLUGIN_DEFINE_ENTRY(k_entry)
