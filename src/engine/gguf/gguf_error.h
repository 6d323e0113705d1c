// The one error type of the GGUF file layer: a file that is missing, malformed or hostile.
#pragma once

#include <stdexcept>
#include <string>

namespace engine {

// Thrown for anything wrong with a GGUF file or a request against it. The message names the file,
// what is wrong and where (offset, key or tensor name), ready to show to a user.
class GgufError : public std::runtime_error {
 public:
  explicit GgufError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace engine
