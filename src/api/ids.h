// Object ids in Anthropic's form: a prefix, then "01" and 22 random base58 characters
// ("msg_01XFDUDYJgAACzvnptvVoYEL", "toolu_01D7FLrfh4GYq7yT1ULFeyMV",
// "req_011CXs6hk18SX5aBxD3jchRc"). Random, not secret: they name objects, they guard nothing.
#pragma once

#include <string>
#include <string_view>

namespace api {

inline constexpr std::string_view kIdAlphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";  // base58: no 0, O, I, l
inline constexpr std::size_t kIdRandomChars = 22;

std::string make_message_id();   // "msg_01..."
std::string make_tool_use_id();  // "toolu_01..."
std::string make_request_id();   // "req_01..."

}  // namespace api
