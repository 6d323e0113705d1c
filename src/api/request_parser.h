// POST /v1/messages and /v1/messages/count_tokens bodies to typed requests. Each problem is one
// invalid_request_error whose message follows Anthropic's wording ("max_tokens: Field required",
// "messages.0.content.1: Input tag 'foo' found using 'type' does not match any of the expected
// tags: ..."). Unknown fields, at the top and inside known objects, are accepted and ignored:
// clients such as Claude Code add new ones every month.
#pragma once

#include <cstddef>
#include <string_view>

#include "api/error.h"
#include "api/types.h"

namespace api {

// More stop sequences than this are refused (each one is matched against every generated piece).
inline constexpr std::size_t kMaxStopSequences = 256;

Result<MessagesRequest> parse_messages_request(std::string_view body);

// The same body without max_tokens, stream, sampling and stop sequences (they are ignored if sent).
Result<CountTokensRequest> parse_count_tokens_request(std::string_view body);

}  // namespace api
