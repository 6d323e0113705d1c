// The bridge from a scheduler run to an Anthropic response: text pieces go through the chat
// layer's OutputParser to a ResponseWriter, which drives an api::SseEncoder (streaming: bytes into
// an EventChannel for the HTTP thread) or an api::MessageAccumulator (non-streaming: the HTTP
// thread waits for the message). Runs on the scheduler's worker thread, except start() and the
// waiting, which happen on the HTTP thread before the run is submitted and after it ends.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/message_accumulator.h"
#include "api/response.h"
#include "chat/output_parser.h"
#include "chat/response_writer.h"
#include "serve/generation.h"
#include "server/event_channel.h"

namespace server {

struct ResponseOptions {
  std::string message_id;  // "msg_..."
  std::string model;       // echoed from the request
  chat::ParserConfig parser;
  chat::WriterOptions writer;
  // Thinking blocks are left out of the answer (the client did not ask for thinking and
  // EXPOSE_THINKING is off); the model's reasoning still runs.
  bool drop_thinking = false;
  // Called once when the run ends, on the worker thread: the stats and the stop reason (nullopt
  // when the response failed) for the request log and DEBUG_REQUEST_DIR.
  std::function<void(const serve::GenerationStats&, std::optional<api::StopReason>,
                     const std::string& error)>
      on_end;
};

class ResponseObserver final : public serve::GenerationObserver {
 public:
  // Streaming: SSE bytes go to `channel`.
  ResponseObserver(ResponseOptions options, std::shared_ptr<EventChannel> channel);
  // Non-streaming: the message builds up until wait() returns.
  explicit ResponseObserver(ResponseOptions options);

  // message_start, with the usage known before the run. Call once, before submitting the run.
  void start(const api::Usage& usage);

  // Non-streaming: blocks until the run ended; then the message, or the error.
  void wait();
  const api::MessageAccumulator& accumulator() const { return *accumulator_; }

  bool on_text(std::string_view text, int32_t token) override;
  void on_finish(serve::StopCause cause, const serve::GenerationStats& stats) override;
  void on_error(std::string_view message, const serve::GenerationStats& stats) override;

 private:
  void apply(std::vector<chat::Event>& events);
  // Streaming: hands the bytes written so far to the channel.
  void flush(bool close);
  void end(const serve::GenerationStats& stats, const std::string& error);

  ResponseOptions options_;
  std::shared_ptr<EventChannel> channel_;           // streaming only
  std::string pending_;                             // SSE bytes not yet flushed
  api::MessageAccumulator* accumulator_ = nullptr;  // non-streaming: points into sink_
  std::unique_ptr<api::ResponseSink> sink_;
  chat::OutputParser parser_;
  chat::ResponseWriter writer_;
  std::vector<chat::Event> events_;  // scratch
  bool in_dropped_thinking_ = false;

  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
};

// The usage object of a response from the figures of a run.
api::Usage usage_of(const serve::GenerationStats& stats);

}  // namespace server
