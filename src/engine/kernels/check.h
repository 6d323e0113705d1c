// Always-on checks of internal invariants in the kernels (caller bugs, not bad input: bad input
// gets a KernelError with a message instead). A failed check prints where and why, then aborts.
#pragma once

#include <stdexcept>
#include <string>

namespace engine::kernels {

// Thrown for input the kernels cannot run (an unsupported weight type, a size that does not fit
// the type's blocks); the message names what was expected and what was found.
class KernelError : public std::runtime_error {
 public:
  explicit KernelError(const std::string& message) : std::runtime_error(message) {}
};

[[noreturn]] void check_failed(const char* file, int line, const char* condition);

}  // namespace engine::kernels

#define KERNELS_CHECK(condition) \
  ((condition) ? (void)0 : ::engine::kernels::check_failed(__FILE__, __LINE__, #condition))
