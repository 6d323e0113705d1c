#include "api/message_accumulator.h"

#include <utility>

#include "api/check.h"

namespace api {

const ResponseMessage& MessageAccumulator::message() const {
  API_CHECK(done() && !error_.has_value(), "message() before finish()");
  return message_;
}

void MessageAccumulator::on_start(const ResponseMessage& message) {
  message_ = message;
}

void MessageAccumulator::on_begin_block(int, const ResponseBlock& block) {
  message_.content.push_back(block);
}

void MessageAccumulator::on_delta(int index, Delta type, std::string_view value) {
  ResponseBlock& block = message_.content.at(static_cast<std::size_t>(index));
  switch (type) {
    case Delta::kText:
      std::get<TextBlock>(block).text += value;
      break;
    case Delta::kThinking:
      std::get<ThinkingBlock>(block).thinking += value;
      break;
    case Delta::kSignature:
      std::get<ThinkingBlock>(block).signature = value;
      break;
    case Delta::kInputJson:
      break;  // the whole input arrives parsed in on_end_block
  }
}

void MessageAccumulator::on_end_block(int index, nlohmann::ordered_json tool_input) {
  ResponseBlock& block = message_.content.at(static_cast<std::size_t>(index));
  if (auto* tool_use = std::get_if<ToolUseBlock>(&block)) tool_use->input = std::move(tool_input);
}

void MessageAccumulator::on_finish(StopReason reason, std::optional<std::string_view> stop_sequence,
                                   const Usage& usage) {
  message_.stop_reason = reason;
  if (stop_sequence) message_.stop_sequence = std::string(*stop_sequence);
  message_.usage = usage;
}

}  // namespace api
