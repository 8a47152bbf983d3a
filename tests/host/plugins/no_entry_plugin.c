/* A valid shared object without the entry symbol: what a stray library in the plugin folder
 * looks like to the host. */
#include "switchyard/plugin_abi.h"

SY_PLUGIN_EXPORT int sy_fixture_not_an_entry(void) { return 42; }
