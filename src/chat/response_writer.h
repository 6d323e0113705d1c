// chat::ResponseWriter: applies OutputParser events to an api::ResponseSink, so the streaming
// (api::SseEncoder) and the non-streaming (api::MessageAccumulator) answers come from one path.
//
//   sink.start(api::make_message_id(), request.model, usage_before);
//   chat::ResponseWriter writer(sink, {.store = &reasoning_store, .omit_thinking = omitted});
//   ... writer.apply(events) after each parser.feed / parser.finish ...
//   writer.finish(usage_after);   // after the kStop event
//
// Thinking blocks get their signature from the ReasoningStore when they end (the store keeps
// the text so the next request can restore it). kIssue events go to `on_issue` (a log).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/response_sink.h"
#include "chat/output_parser.h"
#include "chat/reasoning_store.h"

namespace chat {

struct WriterOptions {
  ReasoningStore* store = nullptr;  // borrowed; null: thinking blocks go unsigned
  // thinking.display "omitted": thinking blocks carry no text, only the signature.
  bool omit_thinking = false;
  std::function<void(std::string_view)> on_issue = nullptr;
};

class ResponseWriter {
 public:
  ResponseWriter(api::ResponseSink& sink, WriterOptions options);

  void apply(const Event& event);
  void apply(const std::vector<Event>& events) {
    for (const Event& e : events) apply(e);
  }

  // Sends message_delta + message_stop with the stop reason of the kStop event. Closes a block
  // left open (only possible if the events stopped early). Call once, after kStop.
  void finish(const api::Usage& usage);

  // The kStop event's reason, once applied.
  std::optional<api::StopReason> stop_reason() const { return stop_reason_; }
  // The full text of the thinking block being written (or last written).
  const std::string& thinking_text() const { return thinking_; }

 private:
  api::ResponseSink& sink_;  // borrowed
  WriterOptions options_;
  enum class Open { kNone, kText, kThinking, kToolUse } open_ = Open::kNone;
  std::string thinking_;
  std::optional<api::StopReason> stop_reason_;
  std::optional<std::string> stop_sequence_;
};

}  // namespace chat
