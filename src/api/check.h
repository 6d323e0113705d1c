// Always-on invariant checks for api/. A failed check is a bug in our own code (for example the
// server driving an SseEncoder out of order), never bad client input: that gets an api::Error.
#pragma once

#include <string_view>

namespace api {

// Prints "api check failed at FILE:LINE: COND: MESSAGE" to stderr and aborts.
[[noreturn]] void check_failed(const char* file, int line, const char* condition,
                               std::string_view message);

}  // namespace api

#define API_CHECK(condition, message)                                                 \
  do {                                                                                \
    if (!(condition)) ::api::check_failed(__FILE__, __LINE__, #condition, (message)); \
  } while (false)
