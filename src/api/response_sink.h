// The events a response is made of, as the server produces them while the model generates:
//
//   start  (begin_text text* | begin_thinking thinking* signature? | begin_tool_use input_json*)
//          end_block ... finish
//
// with ping allowed anywhere between start and finish, and fail allowed at any point before the
// end (it ends the response). ResponseSink enforces this grammar for every implementation: block
// indices count up from 0, one block is open at a time, deltas match their block, a tool's
// input_json fragments join into one JSON object, a thinking block gets at most one signature,
// after which no more thinking. Breaking it is a bug in the caller and fails an API_CHECK.
//
// SseEncoder turns the events into Anthropic's server-sent events; MessageAccumulator builds the
// non-streaming message from the same events, so both answers come from one source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/error.h"
#include "api/response.h"

namespace api {

// The input of a tool_use as the JSON text of an object ("" counts as {}), parsed with the body
// limits (json_body.h). The sink CHECKs this on each tool block; the chat layer can use it to
// validate a tool call before emitting it.
Result<nlohmann::ordered_json> parse_tool_input(std::string_view json);

class ResponseSink {
 public:
  enum class Delta { kText, kThinking, kSignature, kInputJson };

  virtual ~ResponseSink() = default;

  // message_start. `usage` as known before generating: input and cache counts, output_tokens
  // usually 0 or 1. `id` is a message id (make_message_id()), `model` the request's model.
  void start(std::string_view id, std::string_view model, const Usage& usage);

  void begin_text();
  void text(std::string_view delta);

  void begin_thinking();
  void thinking(std::string_view delta);
  void signature(std::string_view signature);

  void begin_tool_use(std::string_view id, std::string_view name);
  void input_json(std::string_view partial_json);

  void end_block();

  // message_delta and message_stop. `usage` is the final count; no block may be open.
  void finish(StopReason reason, std::optional<std::string_view> stop_sequence, const Usage& usage);

  // A keep-alive (SSE only).
  void ping();

  // Ends the response with an error, at any point before finish (even before start).
  void fail(const Error& error);

  bool started() const { return state_ != State::kIdle; }
  // True once finish or fail ran: nothing more may be sent.
  bool done() const { return state_ == State::kFinished || state_ == State::kFailed; }
  // Number of blocks begun so far.
  int block_count() const { return next_index_; }

 protected:
  // `message` holds id, model and usage, with no content and no stop_reason.
  virtual void on_start(const ResponseMessage& message) = 0;
  // `block` is the block as begun: empty text, empty thinking, or a tool_use with input {}.
  virtual void on_begin_block(int index, const ResponseBlock& block) = 0;
  virtual void on_delta(int index, Delta type, std::string_view value) = 0;
  // `tool_input` is the parsed input of a tool_use block, null for other blocks.
  virtual void on_end_block(int index, nlohmann::ordered_json tool_input) = 0;
  virtual void on_finish(StopReason reason, std::optional<std::string_view> stop_sequence,
                         const Usage& usage) = 0;
  virtual void on_ping() = 0;
  virtual void on_fail(const Error& error) = 0;

 private:
  enum class State { kIdle, kBetweenBlocks, kInText, kInThinking, kInToolUse, kFinished, kFailed };

  void begin_block(State kind, const ResponseBlock& block);
  void delta(State expected, Delta type, std::string_view value);

  State state_ = State::kIdle;
  int next_index_ = 0;
  bool signed_ = false;     // the open thinking block got its signature
  std::string tool_input_;  // the open tool_use's input so far
};

}  // namespace api
