// The one exception type of the core. Messages are complete sentences a user can act on:
// they name the file, tensor or field and, for parsers, the byte offset.
#pragma once

#include <stdexcept>
#include <string>

namespace sy {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace sy
