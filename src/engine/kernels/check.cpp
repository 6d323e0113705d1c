#include "engine/kernels/check.h"

#include <cstdio>
#include <cstdlib>

namespace engine::kernels {

void check_failed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: kernel invariant failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace engine::kernels
