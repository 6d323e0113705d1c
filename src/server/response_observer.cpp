#include "server/response_observer.h"

#include <utility>

#include "api/sse_encoder.h"

namespace server {
namespace {

std::unique_ptr<api::ResponseSink> make_sse_sink(std::string& pending) {
  return std::make_unique<api::SseEncoder>(
      [&pending](std::string_view bytes) { pending.append(bytes); });
}

}  // namespace

api::Usage usage_of(const serve::GenerationStats& stats) {
  return {.input_tokens = static_cast<int64_t>(stats.input_tokens()),
          .cache_creation_input_tokens = static_cast<int64_t>(stats.cache_creation_tokens()),
          .cache_read_input_tokens = static_cast<int64_t>(stats.cache_read_tokens()),
          .output_tokens = static_cast<int64_t>(stats.output_tokens)};
}

ResponseObserver::ResponseObserver(ResponseOptions options, std::shared_ptr<EventChannel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      sink_(make_sse_sink(pending_)),
      parser_(options_.parser),
      writer_(*sink_, options_.writer) {}

ResponseObserver::ResponseObserver(ResponseOptions options)
    : options_(std::move(options)),
      sink_(std::make_unique<api::MessageAccumulator>()),
      parser_(options_.parser),
      writer_(*sink_, options_.writer) {
  accumulator_ = static_cast<api::MessageAccumulator*>(sink_.get());
}

void ResponseObserver::start(const api::Usage& usage) {
  sink_->start(options_.message_id, options_.model, usage);
  flush(false);
}

void ResponseObserver::wait() {
  std::unique_lock lock(mutex_);
  done_cv_.wait(lock, [&] { return done_; });
}

void ResponseObserver::apply(std::vector<chat::Event>& events) {
  for (chat::Event& event : events) {
    if (options_.drop_thinking) {
      if (event.kind == chat::Event::Kind::kThinkingStart) {
        in_dropped_thinking_ = true;
        continue;
      }
      if (in_dropped_thinking_) {
        if (event.kind == chat::Event::Kind::kBlockEnd) in_dropped_thinking_ = false;
        if (event.kind != chat::Event::Kind::kStop) continue;
      }
    }
    writer_.apply(event);
  }
  events.clear();
}

bool ResponseObserver::on_text(std::string_view text, int32_t /*token*/) {
  parser_.feed(text, events_);
  apply(events_);
  flush(false);
  return !parser_.done();
}

void ResponseObserver::on_finish(serve::StopCause cause, const serve::GenerationStats& stats) {
  if (cause == serve::StopCause::kCancelled) {
    // The client left (nobody reads what follows), or the server is shutting down.
    if (!sink_->done()) {
      sink_->fail(
          api::Error::api("the request was cancelled: the client went away or the server "
                          "is shutting down"));
    }
    flush(true);
    end(stats, "cancelled");
    return;
  }
  const bool out_of_room =
      cause == serve::StopCause::kMaxTokens || cause == serve::StopCause::kContextFull;
  parser_.finish(out_of_room ? chat::FinishCause::kMaxTokens : chat::FinishCause::kEndOfGeneration,
                 events_);
  if (cause == serve::StopCause::kContextFull) {
    // The parser knows only max_tokens; the context, not the request's limit, ended this one.
    for (chat::Event& event : events_) {
      if (event.kind == chat::Event::Kind::kStop &&
          event.stop_reason == api::StopReason::kMaxTokens) {
        event.stop_reason = api::StopReason::kModelContextWindowExceeded;
      }
    }
  }
  apply(events_);
  writer_.finish(usage_of(stats));
  flush(true);
  end(stats, "");
}

void ResponseObserver::on_error(std::string_view message, const serve::GenerationStats& stats) {
  if (!sink_->done()) sink_->fail(api::Error::api("the model failed: " + std::string(message)));
  flush(true);
  end(stats, std::string(message));
}

void ResponseObserver::flush(bool close) {
  if (!channel_) return;
  if (pending_.empty() && !close) return;
  channel_->push(pending_, close);
  pending_.clear();
}

void ResponseObserver::end(const serve::GenerationStats& stats, const std::string& error) {
  if (options_.on_end) options_.on_end(stats, writer_.stop_reason(), error);
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_cv_.notify_all();
}

}  // namespace server
