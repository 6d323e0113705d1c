// Anthropic API errors: the type names, their HTTP statuses and the JSON body
//   {"type":"error","error":{"type":"invalid_request_error","message":"..."},"request_id":"req_..."}
// (shape from the Anthropic errors page and the SDK's ErrorResponse type). Result<T> carries either
// a value or one Error out of every fallible call of this layer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "api/check.h"

namespace api {

enum class ErrorType {
  kInvalidRequest,   // 400 invalid_request_error
  kAuthentication,   // 401 authentication_error
  kBilling,          // 402 billing_error
  kPermission,       // 403 permission_error
  kNotFound,         // 404 not_found_error
  kRequestTooLarge,  // 413 request_too_large
  kRateLimit,        // 429 rate_limit_error
  kApi,              // 500 api_error
  kTimeout,          // 504 timeout_error
  kOverloaded,       // 529 overloaded_error
};

// "invalid_request_error", "overloaded_error", ...
std::string_view error_type_name(ErrorType type);

// The HTTP status Anthropic answers with for this type: 400, 401, ..., 529.
int http_status(ErrorType type);

struct Error {
  ErrorType type = ErrorType::kInvalidRequest;
  std::string message;

  static Error invalid_request(std::string message) {
    return {ErrorType::kInvalidRequest, std::move(message)};
  }
  static Error not_found(std::string message) { return {ErrorType::kNotFound, std::move(message)}; }
  static Error api(std::string message) { return {ErrorType::kApi, std::move(message)}; }
  static Error overloaded(std::string message) {
    return {ErrorType::kOverloaded, std::move(message)};
  }

  friend bool operator==(const Error&, const Error&) = default;
};

// The response body. `request_id` is included when not empty (Anthropic sends it in error bodies;
// the same id goes in the `request-id` header, which is the server's business).
std::string error_json(const Error& error, std::string_view request_id = {});

// A value or an Error. C++20 has no std::expected; this is the small part of it we need.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    API_CHECK(ok(), "value() of a failed Result: " + std::get<1>(state_).message);
    return std::get<0>(state_);
  }
  const T& value() const& {
    API_CHECK(ok(), "value() of a failed Result: " + std::get<1>(state_).message);
    return std::get<0>(state_);
  }
  T&& value() && {
    API_CHECK(ok(), "value() of a failed Result: " + std::get<1>(state_).message);
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    API_CHECK(!ok(), "error() of a successful Result");
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

}  // namespace api
