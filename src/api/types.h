// The typed Anthropic Messages request, as parse_messages_request() returns it. Field names follow
// the API (and the official SDK's resources/messages/messages.ts). Only what a local model can use
// is kept: fields such as cache_control, citations, container or context_management are accepted
// by the parser and dropped; server-tool blocks and Anthropic-defined tools are dropped too (see
// the notes on Prompt).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace api {

// ---- Content blocks ------------------------------------------------------------------------

struct TextBlock {
  std::string text;
  friend bool operator==(const TextBlock&, const TextBlock&) = default;
};

// An image or document source: {"type":"base64","media_type":..,"data":..}, {"type":"url","url":..}
// or {"type":"file","file_id":..}; documents also {"type":"text","media_type":"text/plain",..}.
struct MediaSource {
  enum class Kind { kBase64, kUrl, kFile, kText };
  Kind kind = Kind::kBase64;
  std::string media_type;  // "image/png", "application/pdf", "text/plain"; empty for url and file
  std::string data;        // the base64 payload, the URL, the file id, or the plain text
  friend bool operator==(const MediaSource&, const MediaSource&) = default;
};

struct ImageBlock {
  MediaSource source;
  friend bool operator==(const ImageBlock&, const ImageBlock&) = default;
};

struct DocumentBlock {
  // For a source of type "content" (a string or text/image blocks), `source.kind` is kText and
  // `content` holds the blocks; otherwise `content` is empty.
  MediaSource source;
  std::vector<std::variant<TextBlock, ImageBlock>> content;
  std::string title;    // optional in the request; empty when absent
  std::string context;  // optional in the request; empty when absent
  friend bool operator==(const DocumentBlock&, const DocumentBlock&) = default;
};

struct SearchResultBlock {
  std::string source;
  std::string title;
  std::vector<TextBlock> content;
  friend bool operator==(const SearchResultBlock&, const SearchResultBlock&) = default;
};

// Inside a tool_result: names a deferred tool that a tool search found.
struct ToolReferenceBlock {
  std::string tool_name;
  friend bool operator==(const ToolReferenceBlock&, const ToolReferenceBlock&) = default;
};

struct ToolUseBlock {
  std::string id;  // "toolu_..."
  std::string name;
  nlohmann::ordered_json input =
      nlohmann::ordered_json::object();  // always an object, key order kept
  friend bool operator==(const ToolUseBlock&, const ToolUseBlock&) = default;
};

using ToolResultContent =
    std::variant<TextBlock, ImageBlock, DocumentBlock, SearchResultBlock, ToolReferenceBlock>;

struct ToolResultBlock {
  std::string tool_use_id;
  std::vector<ToolResultContent> content;  // a string content arrives as one TextBlock
  bool is_error = false;
  friend bool operator==(const ToolResultBlock&, const ToolResultBlock&) = default;
};

struct ThinkingBlock {
  std::string thinking;
  std::string signature;
  friend bool operator==(const ThinkingBlock&, const ThinkingBlock&) = default;
};

struct RedactedThinkingBlock {
  std::string data;
  friend bool operator==(const RedactedThinkingBlock&, const RedactedThinkingBlock&) = default;
};

using ContentBlock =
    std::variant<TextBlock, ImageBlock, DocumentBlock, SearchResultBlock, ToolUseBlock,
                 ToolResultBlock, ThinkingBlock, RedactedThinkingBlock>;

// ---- Messages ------------------------------------------------------------------------------

// kSystem: recent Claude Code versions send {"role":"system",...} entries inside `messages`
// (the SDK's SystemMessageParam); they hold text blocks only and are kept in place.
enum class Role { kUser, kAssistant, kSystem };

struct Message {
  Role role = Role::kUser;
  std::vector<ContentBlock> content;  // a string content arrives as one TextBlock
  friend bool operator==(const Message&, const Message&) = default;
};

// ---- Tools ---------------------------------------------------------------------------------

// A client tool ("type" absent, null or "custom").
struct Tool {
  std::string name;
  std::string description;              // empty when absent
  nlohmann::ordered_json input_schema;  // a JSON object, in the client's key order
  bool defer_loading = false;           // the client expects a tool search to reveal it
  friend bool operator==(const Tool&, const Tool&) = default;
};

struct ToolChoice {
  enum class Type { kAuto, kAny, kTool, kNone };
  Type type = Type::kAuto;
  std::string name;  // kTool only
  bool disable_parallel_tool_use = false;
  // `any` or `tool`: the answer must start with a tool call.
  bool forces_tool_use() const { return type == Type::kAny || type == Type::kTool; }
  friend bool operator==(const ToolChoice&, const ToolChoice&) = default;
};

// ---- Thinking and output -------------------------------------------------------------------

struct ThinkingConfig {
  // kUnset: the request had no `thinking`; the model's default applies.
  enum class Type { kUnset, kEnabled, kDisabled, kAdaptive, kBetweenTools };
  // How thinking is returned: kOmitted asks for empty thinking text with a signature.
  enum class Display { kDefault, kSummarized, kOmitted };
  Type type = Type::kUnset;
  int64_t budget_tokens = 0;  // kEnabled only; >= 1024
  Display display = Display::kDefault;
  friend bool operator==(const ThinkingConfig&, const ThinkingConfig&) = default;
};

struct OutputConfig {
  std::optional<std::string> effort;  // "low", "medium", "high", "xhigh", "max" (not checked)
  // output_config.format of type "json_schema": the schema the answer should follow.
  std::optional<nlohmann::ordered_json> format_schema;
  friend bool operator==(const OutputConfig&, const OutputConfig&) = default;
};

// ---- Requests ------------------------------------------------------------------------------

// What the model is shown: shared by /v1/messages and /v1/messages/count_tokens.
struct Prompt {
  // Top-level `system`; a string arrives as one block. Claude Code's billing block
  // ("x-anthropic-billing-header: ...") is kept here: the chat layer leaves it out of the prompt
  // unless configured to keep it (chat::RenderOptions::keep_billing_header).
  std::vector<TextBlock> system;
  std::vector<Message> messages;  // never empty
  std::vector<Tool> tools;        // client tools only, names unique
  // Tools the parser dropped: Anthropic-defined and server tools ("bash_20250124",
  // "web_search_20250305", ...) whose behaviour lives in Anthropic's models or servers. One entry
  // "type" or "type:name" each, for the server to log.
  std::vector<std::string> ignored_tools;
  // Number of blocks dropped: server-tool uses and results in `messages` (server_tool_use,
  // web_search_tool_result, mcp_tool_use, ...), which only Anthropic's servers produce.
  int64_t ignored_blocks = 0;
  ToolChoice tool_choice;  // kTool names a tool in `tools`
  ThinkingConfig thinking;
  OutputConfig output_config;
  friend bool operator==(const Prompt&, const Prompt&) = default;
};

struct Metadata {
  std::optional<std::string> user_id;
  // Claude Code sends user_id as a JSON string holding {"session_id": ...} (older versions:
  // "user_<hash>_account_<uuid>_session_<uuid>"); the session id found there, else empty.
  std::string session_id;
  friend bool operator==(const Metadata&, const Metadata&) = default;
};

struct MessagesRequest {
  std::string model;
  Prompt prompt;
  // >= 0. Zero is valid (the SDK documents it for pre-warming the prompt cache): the prompt is
  // processed and an empty message with stop_reason "max_tokens" comes back.
  int64_t max_tokens = 0;
  std::vector<std::string> stop_sequences;  // each non-empty
  bool stream = false;
  std::optional<double> temperature;  // [0, 1]
  std::optional<double> top_p;        // [0, 1]
  std::optional<int64_t> top_k;       // >= 0; 0 means no top-k cut
  Metadata metadata;
  friend bool operator==(const MessagesRequest&, const MessagesRequest&) = default;
};

struct CountTokensRequest {
  std::string model;
  Prompt prompt;
  friend bool operator==(const CountTokensRequest&, const CountTokensRequest&) = default;
};

}  // namespace api
