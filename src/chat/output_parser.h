// chat::OutputParser: the model's text, as it is generated, to Anthropic content-block events.
//
//   OutputParser parser(chat_template.parser_config(request, rendered));
//   for each token: parser.feed(decoder.feed(token), events);   // whole UTF-8 pieces
//                   if (parser.done()) break;                  // stop sequence, tool-call limit
//   parser.finish(FinishCause::kEndOfGeneration, events);      // or kMaxTokens
//
// It reads <think>...</think> (also when the prompt opened <think> and the output starts inside
// it), the tool-call format of the model family (ToolCallFormat) plus the near-misses models
// produce, and the request's stop sequences. Text flows out as it comes, held back only while it
// may still be the start of a marker or a stop sequence, and trimmed of whitespace at the edges
// of each block (what the chat templates do when they re-render it). A tool_use starts as soon as
// its name is known; its input is sent whole once the call is complete and checked to be a JSON
// object. A call that cannot be read, or names a tool the request does not have, is never an
// error: its text is kept as text and an kIssue event says why.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/response.h"
#include "api/types.h"
#include "chat/template_traits.h"
#include "chat/tool_call_json.h"

namespace chat {

struct Event {
  enum class Kind {
    kTextStart,
    kTextDelta,  // text
    kThinkingStart,
    kThinkingDelta,  // text
    kToolUseStart,   // id, text = the tool's name
    kToolInput,      // text = the input JSON (a whole object, or fragments that join into one)
    kBlockEnd,
    kIssue,  // text = what went wrong reading the output (for the log; the text stays text)
    kStop,   // stop_reason, stop_sequence; always the last event
  };
  Kind kind = Kind::kTextDelta;
  std::string text = {};
  std::string id = {};
  api::StopReason stop_reason = api::StopReason::kEndTurn;
  std::optional<std::string> stop_sequence = {};
  friend bool operator==(const Event&, const Event&) = default;
};

// Why generation ended, as the generator knows it.
enum class FinishCause {
  kEndOfGeneration,  // an end-of-generation token, or the generator stopped because done()
  kMaxTokens,        // the request's max_tokens ran out
};

struct ParserConfig {
  ToolCallFormat tool_call_format = ToolCallFormat::kNone;
  bool think_tags = false;
  bool starts_in_thinking = false;  // the prompt ends inside <think>
  // The prompt ends inside an assistant text (a prefill): no <think> opens, and the first text
  // keeps its leading whitespace.
  bool continues_text = false;
  // Text the prompt ends with that counts as the start of the output (a forced tool call's
  // opening): parsed before the first piece, as if the model had written it.
  std::string forced_output = {};
  std::vector<api::Tool> tools = {};  // the tools the model may call; others stay text
  std::vector<std::string> stop_sequences = {};
  size_t max_tool_calls = 0;  // 0: no limit; 1 for disable_parallel_tool_use
  // Makes tool_use ids; api::make_tool_use_id when empty (tests give a deterministic one).
  std::function<std::string()> make_tool_id = nullptr;
};

class OutputParser {
 public:
  explicit OutputParser(ParserConfig config);

  // Appends the events that `piece` (the next text of the model) completes.
  void feed(std::string_view piece, std::vector<Event>& events);
  // Flushes what is held, closes the open block and appends the kStop event. Call once.
  void finish(FinishCause cause, std::vector<Event>& events);
  // True once the output has ended for the parser (a stop sequence matched, or the tool-call
  // limit was reached): generating more is wasted; call finish().
  bool done() const { return mode_ == Mode::kDone; }

 private:
  enum class Mode { kText, kThinking, kCall, kDone };
  enum class Block { kNone, kText, kThinking };
  enum class Marker {
    kThinkOpen,
    kThinkClose,
    kCallOpen,
    kFunctionOpen,
    kStrayClose,
    kPythonTag,
    kBareJson,
    kStop,
  };
  struct Found {
    size_t pos = std::string::npos;
    size_t length = 0;
    Marker marker = Marker::kStop;
    std::string stop;  // kStop: the stop sequence
  };
  // A tool call being read.
  struct Call {
    enum class Shape { kUnknown, kJson, kXml };
    Shape shape = Shape::kUnknown;
    bool tagged = false;   // opened by <tool_call> (else by <function= or bare JSON)
    std::string opener;    // the opening text consumed before `buf` ("<tool_call>", python tag)
    std::string buf;       // the call's text so far, from after the opener
    bool started = false;  // kToolUseStart emitted
    std::string id;
    std::string name;
    JsonEndScanner json;     // kJson: where the object ends
    size_t xml_checked = 0;  // kXml: buf size at the last parse attempt
    bool xml_lookahead = false;
  };

  bool step(bool at_end, std::vector<Event>& events);
  bool step_text(bool at_end, std::vector<Event>& events);
  bool step_thinking(bool at_end, std::vector<Event>& events);
  bool step_call(bool at_end, std::vector<Event>& events);
  bool step_json_call(bool at_end, std::vector<Event>& events);
  bool step_xml_call(bool at_end, std::vector<Event>& events);

  Found find_text_marker(size_t& hold_from) const;
  void begin_call(Marker marker, size_t length);
  void maybe_start_tool(const std::string& name, std::vector<Event>& events);
  using ToolCall = std::pair<std::string, nlohmann::ordered_json>;  // name, arguments
  void complete_call(const std::vector<ToolCall>& calls, size_t consumed,
                     const std::vector<std::string>& repairs, std::vector<Event>& events);
  void fail_call(size_t consumed, const std::string& why, std::vector<Event>& events);
  void end_call(size_t consumed);

  void text_out(std::string_view s, std::vector<Event>& events);
  void thinking_out(std::string_view s, std::vector<Event>& events);
  void block_out(Block kind, std::string_view s, std::vector<Event>& events);
  void close_block(std::vector<Event>& events);
  void consume(size_t n);
  bool known_tool(const std::string& name) const;

  ParserConfig config_;
  Mode mode_ = Mode::kText;
  Block open_ = Block::kNone;
  std::string pending_;  // model text not yet consumed
  std::string held_ws_;  // trailing whitespace of the open block, emitted once more text follows
  bool seen_output_ = false;   // a block was emitted, or text that is not whitespace
  bool think_allowed_ = true;  // <think> may still open (only before any output)
  bool thinking_started_ = false;
  bool keep_leading_ws_ = false;  // the next text block keeps its leading whitespace
  bool line_start_ = true;        // the next byte of pending_ starts a line
  bool after_call_ = false;       // only whitespace since the last tool call
  size_t tool_calls_ = 0;
  bool finished_ = false;
  std::optional<api::StopReason> stopped_;  // stop sequence or tool-call limit
  std::optional<std::string> stop_sequence_;
  Call call_;
};

}  // namespace chat
