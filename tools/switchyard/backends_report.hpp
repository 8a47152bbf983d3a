// The report `switchyard backends` prints: the search path, every plugin candidate (loaded or
// not, and why), and every device with its memory, features and supported
// (op, weight type, activation type) pairs. Separate from the command so tests call it
// in-process on a PluginHost of their own.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "host/plugin_host.hpp"

namespace sy::cli {

std::string backends_report_text(const host::PluginHost& host);
nlohmann::json backends_report_json(const host::PluginHost& host);

}  // namespace sy::cli
