#include "api/error.h"

#include <nlohmann/json.hpp>

namespace api {

std::string_view error_type_name(ErrorType type) {
  switch (type) {
    case ErrorType::kInvalidRequest:
      return "invalid_request_error";
    case ErrorType::kAuthentication:
      return "authentication_error";
    case ErrorType::kBilling:
      return "billing_error";
    case ErrorType::kPermission:
      return "permission_error";
    case ErrorType::kNotFound:
      return "not_found_error";
    case ErrorType::kRequestTooLarge:
      return "request_too_large";
    case ErrorType::kRateLimit:
      return "rate_limit_error";
    case ErrorType::kApi:
      return "api_error";
    case ErrorType::kTimeout:
      return "timeout_error";
    case ErrorType::kOverloaded:
      return "overloaded_error";
  }
  API_CHECK(false, "unknown ErrorType");
}

int http_status(ErrorType type) {
  switch (type) {
    case ErrorType::kInvalidRequest:
      return 400;
    case ErrorType::kAuthentication:
      return 401;
    case ErrorType::kBilling:
      return 402;
    case ErrorType::kPermission:
      return 403;
    case ErrorType::kNotFound:
      return 404;
    case ErrorType::kRequestTooLarge:
      return 413;
    case ErrorType::kRateLimit:
      return 429;
    case ErrorType::kApi:
      return 500;
    case ErrorType::kTimeout:
      return 504;
    case ErrorType::kOverloaded:
      return 529;
  }
  API_CHECK(false, "unknown ErrorType");
}

std::string error_json(const Error& error, std::string_view request_id) {
  nlohmann::ordered_json body;
  body["type"] = "error";
  body["error"] = {{"type", error_type_name(error.type)}, {"message", error.message}};
  if (!request_id.empty()) body["request_id"] = request_id;
  // Messages may quote client bytes; replace anything that is not UTF-8 rather than throw.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace api
