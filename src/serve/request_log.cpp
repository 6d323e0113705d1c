#include "serve/request_log.h"

#include <sys/resource.h>

#include <cstdio>

namespace serve {
namespace {

double per_second(size_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

}  // namespace

std::string log_field(std::string_view text, size_t max_chars) {
  if (text.empty()) return "-";
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    if (c > 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string cache_log_line(std::string_view request_id, const CacheKey& key,
                           const GenerationStats& stats) {
  char line[512];
  std::snprintf(line, sizeof(line),
                "[cache] request=%s session=%s hit=%s reason=%s outcome=%s source=%s "
                "cached_tokens=%zu rest_tokens=%zu",
                log_field(request_id).c_str(), log_field(key.session).c_str(),
                stats.cached_tokens > 0 ? "true" : "false", log_field(stats.cache_reason).c_str(),
                std::string(cache_outcome_name(stats.cache_outcome)).c_str(),
                log_field(stats.cache_source).c_str(), stats.cached_tokens, stats.rest_tokens);
  return line;
}

std::string perf_log_line(std::string_view request_id, StopCause cause,
                          const GenerationStats& stats) {
  char line[512];
  std::snprintf(line, sizeof(line),
                "[perf] {\"request\":\"%s\",\"input_tokens\":%zu,\"output_tokens\":%zu,"
                "\"cached_tokens\":%zu,\"rest_tokens\":%zu,\"prompt_tps\":%.1f,"
                "\"generation_tps\":%.1f,\"ttft_ms\":%.1f,\"peak_memory_gb\":%.2f,\"stop\":\"%s\"}",
                log_field(request_id).c_str(), stats.prompt_tokens, stats.output_tokens,
                stats.cached_tokens, stats.rest_tokens,
                per_second(stats.rest_tokens, stats.prefill_s),
                per_second(stats.output_tokens, stats.decode_s), stats.ttft_s * 1e3,
                peak_memory_gb(), std::string(stop_cause_name(cause)).c_str());
  return line;
}

double peak_memory_gb() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0.0;
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
}

}  // namespace serve
