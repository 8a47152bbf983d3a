/* Linked into libswitchyard-backend-needsdep.so but kept out of every loader search path, so
 * loading that plugin fails on a missing DT_NEEDED library. */
#include "switchyard/plugin_abi.h"

SY_PLUGIN_EXPORT uint32_t sy_fixture_dependency_score(void) { return 1; }
