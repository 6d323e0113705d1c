// Builds the non-streaming /v1/messages answer from the same events an SseEncoder streams.
#pragma once

#include <optional>

#include "api/response_sink.h"

namespace api {

class MessageAccumulator final : public ResponseSink {
 public:
  // The finished message; only after finish().
  const ResponseMessage& message() const;
  // The error passed to fail(), if the response failed.
  const std::optional<Error>& error() const { return error_; }

 protected:
  void on_start(const ResponseMessage& message) override;
  void on_begin_block(int index, const ResponseBlock& block) override;
  void on_delta(int index, Delta type, std::string_view value) override;
  void on_end_block(int index, nlohmann::ordered_json tool_input) override;
  void on_finish(StopReason reason, std::optional<std::string_view> stop_sequence,
                 const Usage& usage) override;
  void on_ping() override {}
  void on_fail(const Error& error) override { error_ = error; }

 private:
  ResponseMessage message_;
  std::optional<Error> error_;
};

}  // namespace api
