// The per-request lines the server writes on stderr, one line each:
//
//   [cache] request=req_01.. session=4f97a156-.. hit=true reason=session-continues outcome=taken
//           cached_tokens=15210 rest_tokens=37
//   [perf] {"request":"req_01..","input_tokens":15247,"output_tokens":112,"cached_tokens":15210,
//           "rest_tokens":37,"prompt_tps":412.5,"generation_tps":38.1,"ttft_ms":96.2,
//           "peak_memory_gb":5.41,"stop":"end_of_generation"}
//
// In [perf], input_tokens is the whole prompt (cached + rest), whatever the usage partition;
// prompt_tps counts the rest tokens over the prefill time, generation_tps the output tokens over
// the decode time; peak_memory_gb is the process's peak resident set so far.
#pragma once

#include <string>
#include <string_view>

#include "serve/generation.h"

namespace serve {

std::string cache_log_line(std::string_view request_id, const CacheKey& key,
                           const GenerationStats& stats);
std::string perf_log_line(std::string_view request_id, StopCause cause,
                          const GenerationStats& stats);

// `text` made safe for one log field: printable ASCII only (anything else as \xNN), no spaces or
// quotes, at most `max_chars` characters ("-" when empty). Sessions come from client headers.
std::string log_field(std::string_view text, size_t max_chars = 80);

// The peak resident set size of this process, in GiB.
double peak_memory_gb();

}  // namespace serve
