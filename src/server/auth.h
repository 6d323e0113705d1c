// Authentication of API requests: the client's `x-api-key` or `Authorization: Bearer <token>` must
// equal the configured token. Compared in constant time, so the time taken says nothing about how
// much of a guess was right. An empty configured token lets everything through.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace server {

// True when `a` and `b` are equal; the time depends on their lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

// The token of an Authorization header value "Bearer <token>" (scheme case-insensitive), or
// nullopt for any other scheme or shape.
std::optional<std::string_view> bearer_token(std::string_view authorization);

enum class AuthResult { kOk, kMissing, kInvalid };

// Checks the two headers (empty when absent) against `token`. Either header may carry it; when
// both are sent, one matching is enough (Claude Code sends x-api-key, OAuth clients Bearer).
AuthResult check_auth(std::string_view token, std::string_view x_api_key,
                      std::string_view authorization);

// Anthropic's message for a failed check.
std::string auth_error_message(AuthResult result);

}  // namespace server
