// Internal to api/: parsing of message content and of `system` (see request_fields.h for how
// failures travel).
#pragma once

#include <cstdint>
#include <vector>

#include "api/request_fields.h"
#include "api/types.h"

namespace api::fields {

// `messages.N.content` of a user or assistant message: a string (one TextBlock) or an array of
// blocks. Server-tool blocks are dropped and counted in `ignored_blocks`.
std::vector<ContentBlock> parse_content(Json& content, const Path& path, int64_t& ignored_blocks);

// Text-only content: the top-level `system` and the content of a system-role message. A string is
// one block; an array holds {"type":"text"} blocks (system-role messages may also carry
// tool_addition / tool_removal blocks, which are counted in `ignored_blocks` and dropped).
std::vector<TextBlock> parse_system_content(Json& content, const Path& path,
                                            int64_t& ignored_blocks);

}  // namespace api::fields
