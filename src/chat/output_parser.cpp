#include "chat/output_parser.h"

#include <algorithm>
#include <cctype>

#include "api/ids.h"
#include "api/json_body.h"
#include "api/response_sink.h"
#include "chat/text_scan.h"
#include "chat/tool_call_xml.h"

namespace chat {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr std::string_view kCallOpen = "<tool_call>";
constexpr std::string_view kCallClose = "</tool_call>";
constexpr std::string_view kFunctionOpen = "<function=";
constexpr std::string_view kFunctionClose = "</function>";
constexpr std::string_view kPythonTag = "<|python_tag|>";
constexpr std::string_view kFence = "```";
constexpr std::string_view kWs = " \t\n\r";
constexpr size_t kMaxIndent = 16;  // whitespace between `{` and `"name"` of a bare JSON call

using scan::at;
using scan::is_ws;
using scan::partial;
using scan::skip_ws;

// The length of the longest proper prefix of `marker` that `s` ends with.
size_t held_prefix(std::string_view s, std::string_view marker) {
  const size_t longest = std::min(s.size(), marker.size() - 1);
  for (size_t k = longest; k > 0; --k) {
    if (s.ends_with(marker.substr(0, k))) return k;
  }
  return 0;
}

// Does a bare JSON tool call (`{"name"`, whitespace allowed after the brace) start `s`?
enum class Bare { kNo, kMaybe, kYes };
Bare bare_call_at(std::string_view s) {
  if (s.empty() || s[0] != '{') return Bare::kNo;
  size_t i = 1;
  while (i < s.size() && is_ws(s[i]) && i <= kMaxIndent) ++i;
  if (i > kMaxIndent) return Bare::kNo;
  const std::string_view rest = s.substr(i);
  constexpr std::string_view key = "\"name\"";
  if (rest.size() < key.size()) return key.starts_with(rest) ? Bare::kMaybe : Bare::kNo;
  return rest.starts_with(key) ? Bare::kYes : Bare::kNo;
}

// The text before a JSON call's opening bracket may only be a code fence opener ("```json").
bool only_fence(std::string_view s) {
  size_t b = skip_ws(s, 0);
  size_t e = s.size();
  while (e > b && is_ws(s[e - 1])) --e;
  if (b == e) return true;
  std::string_view t = s.substr(b, e - b);
  if (!t.starts_with(kFence)) return false;
  for (char c : t.substr(kFence.size())) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The calls in a parsed JSON call body: {"name", "arguments"|"parameters"|"input"}, the same
// wrapped as {"type": "function", "function": {...}}, or a list of those. Arguments may be given
// as a JSON string. `has_arguments`: an arguments key was seen (it looks like a call).
bool read_json_calls(const Json& value, std::vector<std::pair<std::string, Json>>& calls,
                     std::string& problem, bool& has_arguments) {
  if (value.is_array()) {
    for (const Json& item : value) {
      if (item.is_array()) {
        problem = "a nested list of tool calls";
        return false;
      }
      if (!read_json_calls(item, calls, problem, has_arguments)) return false;
    }
    if (calls.empty()) problem = "an empty list of tool calls";
    return !calls.empty();
  }
  const Json* fn = &value;
  if (value.is_object() && !value.contains("name") && value.contains("function") &&
      value["function"].is_object()) {
    fn = &value["function"];
  }
  if (!fn->is_object() || !fn->contains("name") || !(*fn)["name"].is_string()) {
    problem = "a tool call without a \"name\"";
    return false;
  }
  Json arguments = Json::object();
  for (const char* key : {"arguments", "parameters", "input"}) {
    auto it = fn->find(key);
    if (it == fn->end()) continue;
    has_arguments = true;
    if (it->is_string()) {
      std::optional<Json> inner = parse_lenient_json(it->get<std::string>());
      if (!inner) {
        problem = "tool call arguments that are not JSON";
        return false;
      }
      arguments = std::move(*inner);
    } else if (!it->is_null()) {
      arguments = *it;
    }
    break;
  }
  if (!arguments.is_object()) {
    problem = "tool call arguments that are not a JSON object";
    return false;
  }
  calls.emplace_back((*fn)["name"].get<std::string>(), std::move(arguments));
  return true;
}

Event make(Event::Kind kind, std::string text = {}) {
  Event e;
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

}  // namespace

OutputParser::OutputParser(ParserConfig config) : config_(std::move(config)) {
  if (!config_.make_tool_id) config_.make_tool_id = api::make_tool_use_id;
  if (config_.continues_text) {
    think_allowed_ = false;
    seen_output_ = true;
    keep_leading_ws_ = true;
  } else if (config_.think_tags && config_.starts_in_thinking) {
    mode_ = Mode::kThinking;
    think_allowed_ = false;
  }
  pending_ = config_.forced_output;
}

void OutputParser::feed(std::string_view piece, std::vector<Event>& events) {
  if (finished_ || mode_ == Mode::kDone) return;
  pending_ += piece;
  while (mode_ != Mode::kDone && step(false, events)) {
  }
}

void OutputParser::finish(FinishCause cause, std::vector<Event>& events) {
  if (finished_) return;
  finished_ = true;
  while (mode_ != Mode::kDone && step(true, events)) {
  }
  close_block(events);
  Event stop = make(Event::Kind::kStop);
  if (stopped_) {
    stop.stop_reason = *stopped_;
    stop.stop_sequence = stop_sequence_;
  } else if (cause == FinishCause::kMaxTokens) {
    stop.stop_reason = api::StopReason::kMaxTokens;
  } else {
    stop.stop_reason = tool_calls_ > 0 ? api::StopReason::kToolUse : api::StopReason::kEndTurn;
  }
  events.push_back(std::move(stop));
  mode_ = Mode::kDone;
}

bool OutputParser::step(bool at_end, std::vector<Event>& events) {
  switch (mode_) {
    case Mode::kText:
      return step_text(at_end, events);
    case Mode::kThinking:
      return step_thinking(at_end, events);
    case Mode::kCall:
      return step_call(at_end, events);
    case Mode::kDone:
      return false;
  }
  return false;
}

// ---- Text ----------------------------------------------------------------------------------

OutputParser::Found OutputParser::find_text_marker(size_t& hold_from) const {
  Found best;
  const std::string_view s = pending_;
  auto consider = [&](std::string_view text, Marker marker) {
    const size_t pos = s.find(text);
    if (pos != std::string_view::npos &&
        (pos < best.pos ||
         (pos == best.pos && best.marker != Marker::kStop && text.size() > best.length))) {
      best = {pos, text.size(), marker, marker == Marker::kStop ? std::string(text) : ""};
    }
    hold_from = std::min(hold_from, s.size() - held_prefix(s, text));
  };
  for (const std::string& stop : config_.stop_sequences) consider(stop, Marker::kStop);
  const ToolCallFormat format = config_.tool_call_format;
  const bool tagged = format == ToolCallFormat::kHermesJson || format == ToolCallFormat::kQwenXml;
  // <think> and Llama's python tag open only the output: nothing but whitespace before them.
  const size_t first_text = s.find_first_not_of(kWs);
  auto at_output_start = [&](std::string_view text) {
    return !seen_output_ && first_text != std::string_view::npos &&
           s.compare(first_text, text.size(), text) == 0;
  };
  if (config_.think_tags && think_allowed_ && !seen_output_) {
    if (at_output_start(kThinkOpen) && first_text < best.pos) {
      best = {first_text, kThinkOpen.size(), Marker::kThinkOpen, ""};
    } else if (first_text == std::string_view::npos ||
               kThinkOpen.starts_with(s.substr(first_text))) {
      hold_from = std::min(hold_from, first_text == std::string_view::npos ? s.size() : first_text);
    }
  }
  if (config_.think_tags) consider(kThinkClose, Marker::kThinkClose);
  if (tagged) consider(kCallOpen, Marker::kCallOpen);
  if (format == ToolCallFormat::kQwenXml) consider(kFunctionOpen, Marker::kFunctionOpen);
  // A stray closer right after a call (only whitespace between them) is dropped; anywhere else
  // it is text. Looked for only where the text starts, so that where the pieces are cut does not
  // change which closers count as stray.
  if (after_call_ && first_text != std::string_view::npos) {
    auto stray = [&](std::string_view text) {
      if (s.compare(first_text, text.size(), text) == 0) {
        if (first_text < best.pos) best = {first_text, text.size(), Marker::kStrayClose, ""};
      } else if (text.starts_with(s.substr(first_text))) {
        hold_from = std::min(hold_from, first_text);
      }
    };
    if (tagged) stray(kCallClose);
    if (format == ToolCallFormat::kQwenXml) stray(kFunctionClose);
  }
  if (format == ToolCallFormat::kLlama3Json && !seen_output_) {
    if (at_output_start(kPythonTag) && first_text < best.pos) {
      best = {first_text, kPythonTag.size(), Marker::kPythonTag, ""};
    } else if (first_text != std::string_view::npos &&
               kPythonTag.starts_with(s.substr(first_text))) {
      hold_from = std::min(hold_from, first_text);
    }
  }

  // Bare JSON calls: Llama 3 answers with one as its whole output; Hermes models sometimes leave
  // out the <tool_call> opener, so a line that starts with {"name" may be one.
  std::vector<size_t> starts;
  if (format == ToolCallFormat::kLlama3Json && !seen_output_) {
    const size_t p = skip_ws(s, 0);
    if (p < s.size()) starts.push_back(p);
  } else if (format == ToolCallFormat::kHermesJson) {
    for (size_t i = 0; i <= s.size(); ++i) {
      if ((i == 0 && line_start_) || (i > 0 && s[i - 1] == '\n')) {
        size_t p = i;
        while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
        if (p < s.size()) starts.push_back(p);
      }
    }
  }
  for (size_t p : starts) {
    if (p >= best.pos) break;
    const Bare bare = bare_call_at(s.substr(p));
    if (bare == Bare::kYes) {
      best = {p, 0, Marker::kBareJson, ""};
      break;
    }
    if (bare == Bare::kMaybe) hold_from = std::min(hold_from, p);
  }
  return best;
}

bool OutputParser::step_text(bool at_end, std::vector<Event>& events) {
  if (pending_.empty()) return false;
  size_t hold_from = pending_.size();
  const Found found = find_text_marker(hold_from);
  if (found.pos == std::string::npos) {
    const size_t n = at_end ? pending_.size() : hold_from;
    text_out(std::string_view(pending_).substr(0, n), events);
    consume(n);
    return false;
  }
  text_out(std::string_view(pending_).substr(0, found.pos), events);
  consume(found.pos);
  switch (found.marker) {
    case Marker::kStop:
      if (open_ == Block::kText && !held_ws_.empty()) {
        events.push_back(make(Event::Kind::kTextDelta, held_ws_));
      }
      held_ws_.clear();
      close_block(events);
      stopped_ = api::StopReason::kStopSequence;
      stop_sequence_ = found.stop;
      pending_.clear();
      mode_ = Mode::kDone;
      return false;
    case Marker::kThinkOpen:
      close_block(events);
      consume(found.length);
      mode_ = Mode::kThinking;
      think_allowed_ = false;
      thinking_started_ = true;
      return true;
    case Marker::kThinkClose:
      consume(found.length);
      events.push_back(make(Event::Kind::kIssue, "dropped a </think> outside of thinking"));
      return true;
    case Marker::kStrayClose:
      consume(found.length);
      return true;
    case Marker::kCallOpen:
    case Marker::kFunctionOpen:
    case Marker::kPythonTag:
    case Marker::kBareJson:
      close_block(events);
      begin_call(found.marker, found.length);
      mode_ = Mode::kCall;
      return true;
  }
  return false;
}

// ---- Thinking ------------------------------------------------------------------------------

bool OutputParser::step_thinking(bool at_end, std::vector<Event>& events) {
  if (pending_.empty()) return false;
  if (!thinking_started_) {
    // The prompt opened <think>; a model may still write it again.
    const size_t p = skip_ws(pending_, 0);
    if (p == pending_.size() && !at_end) return false;
    if (at(pending_, p, kThinkOpen)) {
      consume(p + kThinkOpen.size());
    } else if (!at_end && partial(pending_, p, {kThinkOpen})) {
      return false;
    }
    thinking_started_ = true;
  }
  const std::string_view s = pending_;
  const bool tagged = config_.tool_call_format == ToolCallFormat::kHermesJson ||
                      config_.tool_call_format == ToolCallFormat::kQwenXml;
  size_t hold_from = s.size() - held_prefix(s, kThinkClose);
  size_t close = s.find(kThinkClose);
  size_t call = std::string_view::npos;
  if (tagged) {
    call = s.find(kCallOpen);
    hold_from = std::min(hold_from, s.size() - held_prefix(s, kCallOpen));
  }
  const size_t end = std::min(close, call);
  if (end == std::string_view::npos) {
    const size_t n = at_end ? s.size() : hold_from;
    thinking_out(s.substr(0, n), events);
    consume(n);
    return false;
  }
  thinking_out(s.substr(0, end), events);
  consume(end);
  close_block(events);
  mode_ = Mode::kText;
  think_allowed_ = false;
  if (end == close) {
    consume(kThinkClose.size());
    line_start_ = true;
  } else {
    events.push_back(
        make(Event::Kind::kIssue, "a tool call began inside thinking; thinking ends there"));
  }
  return true;
}

// ---- Tool calls ----------------------------------------------------------------------------

void OutputParser::begin_call(Marker marker, size_t length) {
  call_ = Call{};
  switch (marker) {
    case Marker::kCallOpen:
      call_.tagged = true;
      call_.opener = pending_.substr(0, length);
      consume(length);
      break;
    case Marker::kPythonTag:
      call_.opener = pending_.substr(0, length);
      call_.shape = Call::Shape::kJson;
      consume(length);
      break;
    case Marker::kFunctionOpen:
      call_.shape = Call::Shape::kXml;
      break;
    default:  // kBareJson: the call starts at its brace
      call_.shape = Call::Shape::kJson;
      break;
  }
}

bool OutputParser::step_call(bool at_end, std::vector<Event>& events) {
  call_.buf += pending_;
  pending_.clear();
  if (call_.shape == Call::Shape::kUnknown) {
    const std::string_view b = call_.buf;
    const size_t p = skip_ws(b, 0);
    if (p == b.size()) {
      if (!at_end) return false;
      fail_call(b.size(), "a <tool_call> with nothing in it", events);
      return true;
    }
    if (b[p] == '{' || b[p] == '[' || at(b, p, kFence)) {
      call_.shape = Call::Shape::kJson;
    } else if (at(b, p, kFunctionOpen)) {
      call_.shape = Call::Shape::kXml;
    } else if (!at_end && (partial(b, p, {kFunctionOpen, kFence}))) {
      return false;
    } else {
      fail_call(0, "a <tool_call> that holds neither JSON nor <function=...>", events);
      return true;
    }
  }
  return call_.shape == Call::Shape::kJson ? step_json_call(at_end, events)
                                           : step_xml_call(at_end, events);
}

bool OutputParser::step_json_call(bool at_end, std::vector<Event>& events) {
  const std::string_view b = call_.buf;
  const std::optional<size_t> end = call_.json.scan(b);
  const std::optional<size_t> start = call_.json.start();
  if (start && !only_fence(b.substr(0, *start))) {
    fail_call(*start, "text before the tool call's JSON", events);
    return true;
  }
  if (start && !call_.started) {
    if (std::optional<std::string> name = leading_name(b.substr(*start))) {
      maybe_start_tool(*name, events);
    }
  }
  if (call_.json.max_depth() > api::kMaxJsonDepth) {
    fail_call(b.size(), "the tool call's JSON nests too deep", events);
    return true;
  }
  if (!end) {
    if (!at_end) return false;
    fail_call(b.size(), "the tool call's JSON is cut off", events);
    return true;
  }
  // What follows the object: a closing fence, then </tool_call> (or, if missing, anything).
  std::vector<std::string> repairs;
  size_t q = skip_ws(b, *end);
  size_t consumed = *end;
  if (at(b, q, kFence)) {
    q = skip_ws(b, q + kFence.size());
    consumed = q;
  }
  if (q == b.size() && !at_end) return false;
  if (!at_end && partial(b, q, {kCallClose, kFence})) return false;
  if (at(b, q, kCallClose)) {
    consumed = q + kCallClose.size();
  } else if (call_.tagged) {
    repairs.push_back("missing </tool_call>");
  }

  const std::string_view text = b.substr(*start, *end - *start);
  std::optional<Json> parsed = parse_lenient_json(text);
  if (!parsed) {
    fail_call(consumed, "the tool call is not valid JSON", events);
    return true;
  }
  std::vector<ToolCall> calls;
  std::string problem;
  bool has_arguments = false;
  const bool ok = read_json_calls(*parsed, calls, problem, has_arguments);
  const bool bare = !call_.tagged && call_.opener.empty();
  if (bare && !has_arguments && !call_.started) {
    fail_call(consumed, "", events);  // JSON in the answer, not a call
    return true;
  }
  if (!ok) {
    fail_call(consumed, problem, events);
    return true;
  }
  complete_call(calls, consumed, repairs, events);
  return true;
}

bool OutputParser::step_xml_call(bool at_end, std::vector<Event>& events) {
  const std::string_view b = call_.buf;
  // Parse again only when something that can decide has arrived: the name is still unread, a
  // closing tag came, the last parse waits on what follows a tag, or the output ended.
  bool attempt = at_end || call_.xml_lookahead || call_.name.empty();
  if (!attempt) {
    // Only the new text (and the few bytes before it a tag may have begun in) can hold a tag.
    const size_t from =
        call_.xml_checked > kCallClose.size() ? call_.xml_checked - kCallClose.size() : 0;
    const std::string_view tail = b.substr(from);
    attempt = tail.find("</parameter>") != std::string_view::npos ||
              tail.find(kFunctionClose) != std::string_view::npos ||
              tail.find(kCallClose) != std::string_view::npos;
  }
  call_.xml_checked = b.size();
  if (!attempt) return false;
  XmlCallParse r = parse_xml_call(b, at_end, config_.tools);
  call_.xml_lookahead = r.waiting_on_lookahead;
  if (r.name) {
    call_.name = *r.name;
    maybe_start_tool(*r.name, events);
  }
  switch (r.status) {
    case XmlCallParse::Status::kNeedMore:
      return false;
    case XmlCallParse::Status::kMalformed: {
      // Keep it whole: up to its </tool_call> if one came, else all of it.
      const size_t close = b.find(kCallClose);
      if (close == std::string_view::npos && !at_end) return false;
      fail_call(close == std::string_view::npos ? b.size() : close + kCallClose.size(),
                "a <function=...> tool call that cannot be read", events);
      return true;
    }
    case XmlCallParse::Status::kComplete:
      if (!call_.tagged) r.repairs.insert(r.repairs.begin(), "missing <tool_call>");
      complete_call({{*r.name, std::move(r.arguments)}}, r.consumed, r.repairs, events);
      return true;
  }
  return false;
}

bool OutputParser::known_tool(const std::string& name) const {
  return std::any_of(config_.tools.begin(), config_.tools.end(),
                     [&](const api::Tool& t) { return t.name == name; });
}

void OutputParser::maybe_start_tool(const std::string& name, std::vector<Event>& events) {
  if (call_.started || !known_tool(name)) return;
  close_block(events);
  call_.started = true;
  call_.name = name;
  call_.id = config_.make_tool_id();
  Event e = make(Event::Kind::kToolUseStart, name);
  e.id = call_.id;
  events.push_back(std::move(e));
}

void OutputParser::complete_call(const std::vector<ToolCall>& calls, size_t consumed,
                                 const std::vector<std::string>& repairs,
                                 std::vector<Event>& events) {
  // Every call must name an offered tool, and every input pass the check the response sink
  // applies, before anything is sent.
  std::vector<std::string> inputs;
  for (const ToolCall& call : calls) {
    if (!known_tool(call.first)) {
      fail_call(consumed,
                "a call to the tool \"" + call.first + "\", which the request does not offer",
                events);
      return;
    }
    std::string input = api::dump_json(call.second);
    if (!api::parse_tool_input(input).ok()) {
      fail_call(consumed, "tool call arguments that the response cannot carry", events);
      return;
    }
    inputs.push_back(std::move(input));
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    if (i > 0) call_.started = false;
    maybe_start_tool(calls[i].first, events);
    events.push_back(make(Event::Kind::kToolInput, inputs[i]));
    events.push_back(make(Event::Kind::kBlockEnd));
    ++tool_calls_;
  }
  for (const std::string& repair : repairs) {
    events.push_back(make(Event::Kind::kIssue, "tool call recovered: " + repair));
  }
  end_call(consumed);
  after_call_ = true;
  if (config_.max_tool_calls > 0 && tool_calls_ >= config_.max_tool_calls) {
    stopped_ = api::StopReason::kToolUse;
    pending_.clear();
    mode_ = Mode::kDone;
  }
}

void OutputParser::fail_call(size_t consumed, const std::string& why, std::vector<Event>& events) {
  bool at_limit = false;
  if (call_.started) {  // the block is open: close it valid, the text follows
    events.push_back(make(Event::Kind::kToolInput, "{}"));
    events.push_back(make(Event::Kind::kBlockEnd));
    ++tool_calls_;
    at_limit = config_.max_tool_calls > 0 && tool_calls_ >= config_.max_tool_calls;
  }
  if (!why.empty()) events.push_back(make(Event::Kind::kIssue, why + "; kept as text"));
  const std::string raw = call_.opener + call_.buf.substr(0, consumed);
  end_call(consumed);
  text_out(raw, events);
  if (at_limit) {  // that tool_use was the last one allowed: the output ends after its text
    stopped_ = api::StopReason::kToolUse;
    pending_.clear();
    mode_ = Mode::kDone;
  }
}

void OutputParser::end_call(size_t consumed) {
  pending_ = call_.buf.substr(consumed) + pending_;
  call_ = Call{};
  mode_ = Mode::kText;
  after_call_ = false;
  line_start_ = true;
  seen_output_ = true;
  think_allowed_ = false;
}

// ---- Blocks --------------------------------------------------------------------------------

void OutputParser::text_out(std::string_view s, std::vector<Event>& events) {
  block_out(Block::kText, s, events);
}

void OutputParser::thinking_out(std::string_view s, std::vector<Event>& events) {
  block_out(Block::kThinking, s, events);
}

void OutputParser::block_out(Block kind, std::string_view s, std::vector<Event>& events) {
  // A continued text (prefill) keeps the whitespace it starts with.
  const bool keep_lead = kind == Block::kText && keep_leading_ws_ && open_ != Block::kText;
  const size_t first = s.find_first_not_of(kWs);
  if (first == std::string_view::npos) {
    if (open_ == kind || keep_lead) held_ws_ += s;  // else: whitespace before a block is dropped
    return;
  }
  const size_t last = s.find_last_not_of(kWs);
  const Event::Kind delta =
      kind == Block::kText ? Event::Kind::kTextDelta : Event::Kind::kThinkingDelta;
  if (open_ != kind) {
    const std::string lead = keep_lead ? held_ws_ : std::string();
    close_block(events);
    events.push_back(
        make(kind == Block::kText ? Event::Kind::kTextStart : Event::Kind::kThinkingStart));
    open_ = kind;
    const size_t from = keep_lead ? 0 : first;
    events.push_back(make(delta, lead + std::string(s.substr(from, last + 1 - from))));
    if (keep_lead) keep_leading_ws_ = false;
  } else {
    events.push_back(make(delta, held_ws_ + std::string(s.substr(0, last + 1))));
  }
  held_ws_ = s.substr(last + 1);
  seen_output_ = true;
  if (kind == Block::kText) after_call_ = false;
}

void OutputParser::close_block(std::vector<Event>& events) {
  held_ws_.clear();
  if (open_ == Block::kNone) return;
  events.push_back(make(Event::Kind::kBlockEnd));
  open_ = Block::kNone;
}

void OutputParser::consume(size_t n) {
  if (n == 0) return;
  // Still at a line start if only spaces and tabs follow the last newline (or the line start
  // before): the same whether that indentation came in this piece or an earlier one.
  const std::string_view gone(pending_.data(), n);
  const size_t newline = gone.find_last_of('\n');
  const std::string_view tail = newline == std::string_view::npos ? gone : gone.substr(newline + 1);
  line_start_ = tail.find_first_not_of(" \t") == std::string_view::npos &&
                (newline != std::string_view::npos || line_start_);
  pending_.erase(0, n);
}

}  // namespace chat
