// DEBUG_REQUEST_DIR: per request, a JSON summary (<request id>.json: what was asked, how the prompt
// cache served it, what came back) and the rendered prompt (<request id>.prompt.txt), for finding
// out why a turn missed the cache or what the model was shown. Off unless the directory is set.
#pragma once

#include <string>
#include <string_view>

namespace server {

// Writes `content` to dir/name (creating dir); failures are logged, never thrown: debugging
// output must not fail a request.
void write_debug_file(const std::string& dir, const std::string& name, std::string_view content);

}  // namespace server
