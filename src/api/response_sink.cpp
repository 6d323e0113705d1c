#include "api/response_sink.h"

#include <utility>

#include "api/check.h"
#include "api/json_body.h"

namespace api {

Result<nlohmann::ordered_json> parse_tool_input(std::string_view json) {
  if (json.empty()) return nlohmann::ordered_json::object();
  Result<nlohmann::ordered_json> parsed = parse_json_body(json);
  if (!parsed.ok()) return parsed.error();
  if (!parsed.value().is_object()) {
    return Error::invalid_request("tool input must be a JSON object, got " +
                                  std::string(parsed.value().type_name()));
  }
  return parsed;
}

void ResponseSink::start(std::string_view id, std::string_view model, const Usage& usage) {
  API_CHECK(state_ == State::kIdle, "start() twice, or after the end");
  API_CHECK(!id.empty(), "start() needs a message id");
  state_ = State::kBetweenBlocks;
  ResponseMessage message;
  message.id = id;
  message.model = model;
  message.usage = usage;
  on_start(message);
}

void ResponseSink::begin_block(State kind, const ResponseBlock& block) {
  API_CHECK(state_ == State::kBetweenBlocks,
            state_ == State::kIdle ? "a block before start()" : "a block while another is open");
  state_ = kind;
  signed_ = false;
  tool_input_.clear();
  on_begin_block(next_index_++, block);
}

void ResponseSink::begin_text() {
  begin_block(State::kInText, TextBlock{});
}

void ResponseSink::begin_thinking() {
  begin_block(State::kInThinking, ThinkingBlock{});
}

void ResponseSink::begin_tool_use(std::string_view id, std::string_view name) {
  API_CHECK(!id.empty() && !name.empty(), "a tool_use needs an id and a name");
  begin_block(State::kInToolUse,
              ToolUseBlock{std::string(id), std::string(name), nlohmann::ordered_json::object()});
}

void ResponseSink::delta(State expected, Delta type, std::string_view value) {
  API_CHECK(state_ == expected, "a delta that does not match the open block");
  on_delta(next_index_ - 1, type, value);
}

void ResponseSink::text(std::string_view delta_text) {
  delta(State::kInText, Delta::kText, delta_text);
}

void ResponseSink::thinking(std::string_view delta_text) {
  API_CHECK(!signed_, "thinking after the block's signature");
  delta(State::kInThinking, Delta::kThinking, delta_text);
}

void ResponseSink::signature(std::string_view value) {
  API_CHECK(!signed_, "a second signature for one thinking block");
  delta(State::kInThinking, Delta::kSignature, value);
  signed_ = true;
}

void ResponseSink::input_json(std::string_view partial_json) {
  delta(State::kInToolUse, Delta::kInputJson, partial_json);
  tool_input_ += partial_json;
}

void ResponseSink::end_block() {
  API_CHECK(state_ == State::kInText || state_ == State::kInThinking || state_ == State::kInToolUse,
            "end_block() with no open block");
  nlohmann::ordered_json input;
  if (state_ == State::kInToolUse) {
    Result<nlohmann::ordered_json> parsed = parse_tool_input(tool_input_);
    API_CHECK(parsed.ok(), "the tool_use input fragments do not join into a JSON object: " +
                               (parsed.ok() ? std::string() : parsed.error().message));
    input = std::move(parsed).value();
    tool_input_.clear();
  }
  state_ = State::kBetweenBlocks;
  on_end_block(next_index_ - 1, std::move(input));
}

void ResponseSink::finish(StopReason reason, std::optional<std::string_view> stop_sequence,
                          const Usage& usage) {
  API_CHECK(state_ == State::kBetweenBlocks, state_ == State::kIdle
                                                 ? "finish() before start()"
                                                 : "finish() with a block open, or after the end");
  API_CHECK(stop_sequence.has_value() == (reason == StopReason::kStopSequence),
            "a stop_sequence goes with stop_reason stop_sequence, and only with it");
  state_ = State::kFinished;
  on_finish(reason, stop_sequence, usage);
}

void ResponseSink::ping() {
  API_CHECK(started() && !done(), "ping() outside the message");
  on_ping();
}

void ResponseSink::fail(const Error& error) {
  API_CHECK(!done(), "fail() after the end");
  state_ = State::kFailed;
  on_fail(error);
}

}  // namespace api
