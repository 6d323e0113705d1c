#include "chat/response_writer.h"

namespace chat {

ResponseWriter::ResponseWriter(api::ResponseSink& sink, WriterOptions options)
    : sink_(sink), options_(std::move(options)) {}

void ResponseWriter::apply(const Event& event) {
  switch (event.kind) {
    case Event::Kind::kTextStart:
      sink_.begin_text();
      open_ = Open::kText;
      break;
    case Event::Kind::kTextDelta:
      sink_.text(event.text);
      break;
    case Event::Kind::kThinkingStart:
      sink_.begin_thinking();
      thinking_.clear();
      open_ = Open::kThinking;
      break;
    case Event::Kind::kThinkingDelta:
      thinking_ += event.text;
      if (!options_.omit_thinking) sink_.thinking(event.text);
      break;
    case Event::Kind::kToolUseStart:
      sink_.begin_tool_use(event.id, event.text);
      open_ = Open::kToolUse;
      break;
    case Event::Kind::kToolInput:
      sink_.input_json(event.text);
      break;
    case Event::Kind::kBlockEnd:
      if (open_ == Open::kThinking && options_.store != nullptr) {
        sink_.signature(options_.store->remember(thinking_));
      }
      sink_.end_block();
      open_ = Open::kNone;
      break;
    case Event::Kind::kIssue:
      if (options_.on_issue) options_.on_issue(event.text);
      break;
    case Event::Kind::kStop:
      stop_reason_ = event.stop_reason;
      stop_sequence_ = event.stop_sequence;
      break;
  }
}

void ResponseWriter::finish(const api::Usage& usage) {
  if (open_ != Open::kNone) {
    Event end;
    end.kind = Event::Kind::kBlockEnd;
    apply(end);
  }
  const api::StopReason reason = stop_reason_.value_or(api::StopReason::kEndTurn);
  std::optional<std::string_view> sequence;
  if (reason == api::StopReason::kStopSequence && stop_sequence_) sequence = *stop_sequence_;
  sink_.finish(reason, sequence, usage);
}

}  // namespace chat
