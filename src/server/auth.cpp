#include "server/auth.h"

#include <cstddef>
#include <cstdint>

namespace server {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Every byte of the longer string is looked at, whatever the contents.
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  uint8_t diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t x = i < a.size() ? static_cast<uint8_t>(a[i]) : 0;
    const uint8_t y = i < b.size() ? static_cast<uint8_t>(b[i]) : 0;
    diff = static_cast<uint8_t>(diff | (x ^ y));
  }
  return diff == 0;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kScheme[i]) return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

AuthResult check_auth(std::string_view token, std::string_view x_api_key,
                      std::string_view authorization) {
  if (token.empty()) return AuthResult::kOk;
  const std::optional<std::string_view> bearer = bearer_token(authorization);
  if (x_api_key.empty() && !bearer) return AuthResult::kMissing;
  // Both comparisons run, so which header matched does not show in the time either.
  const bool key_ok = !x_api_key.empty() && constant_time_equal(x_api_key, token);
  const bool bearer_ok = bearer && constant_time_equal(*bearer, token);
  return key_ok || bearer_ok ? AuthResult::kOk : AuthResult::kInvalid;
}

std::string auth_error_message(AuthResult result) {
  switch (result) {
    case AuthResult::kOk:
      return "";
    case AuthResult::kMissing:
      return "x-api-key header is required";
    case AuthResult::kInvalid:
      return "invalid x-api-key";
  }
  return "";
}

}  // namespace server
