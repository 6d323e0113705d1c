// The prompt-cache session of a request: Claude Code's session header first, then the session_id
// of metadata.user_id, with the subagent's id appended; empty when the request names none.
#include "server/http_util.h"

#include <gtest/gtest.h>

namespace server {
namespace {

httplib::Request request_with(std::initializer_list<std::pair<std::string, std::string>> headers) {
  httplib::Request req;
  for (const auto& [name, value] : headers) req.headers.emplace(name, value);
  return req;
}

api::Metadata metadata_with_session(std::string session) {
  return {.user_id = "{\"session_id\":\"" + session + "\"}", .session_id = std::move(session)};
}

TEST(SessionOf, HeaderThenMetadataThenNothing) {
  EXPECT_EQ(
      session_of(request_with({{"X-Claude-Code-Session-Id", "h-1"}}), metadata_with_session("m-1")),
      "h-1");
  EXPECT_EQ(session_of(request_with({}), metadata_with_session("m-1")), "m-1");
  EXPECT_EQ(session_of(request_with({}), {}), "");
}

TEST(SessionOf, HeaderNamesAreCaseInsensitive) {
  EXPECT_EQ(session_of(request_with({{"x-claude-code-session-id", "h-2"}}), {}), "h-2");
}

TEST(SessionOf, EachSubagentIsItsOwnSession) {
  EXPECT_EQ(session_of(request_with({{"X-Claude-Code-Session-Id", "h-3"},
                                     {"x-claude-code-agent-id", "agent-a"}}),
                       {}),
            "h-3/agent-a");
  EXPECT_EQ(session_of(request_with({{"x-claude-code-agent-id", "agent-b"}}),
                       metadata_with_session("m-2")),
            "m-2/agent-b");
}

}  // namespace
}  // namespace server
