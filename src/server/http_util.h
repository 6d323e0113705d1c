// Small pieces every route shares: JSON and error replies in Anthropic's shape, the request id,
// and the session a request belongs to.
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>

#include "api/error.h"
#include "api/types.h"

namespace server {

// The id the pre-routing handler gave this request (its `request-id` header).
std::string request_id_of(const httplib::Response& res);

void reply_json(httplib::Response& res, int status, const std::string& body);
// {"type":"error","error":{...},"request_id":...} with the status of the error's type.
void reply_error(httplib::Response& res, const api::Error& error);

// The prompt-cache session of a request: the X-Claude-Code-Session-Id header, else the
// session_id inside metadata.user_id; with x-claude-code-agent-id appended after a "/" (each
// subagent is its own conversation). "" when the request names none.
std::string session_of(const httplib::Request& req, const api::Metadata& metadata);

}  // namespace server
