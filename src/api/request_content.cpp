#include "api/request_content.h"

#include <array>
#include <string_view>
#include <utility>

namespace api::fields {
namespace {

// Blocks only Anthropic's servers produce (server tools, MCP connector, compaction bookkeeping):
// a conversation that went through the real API may carry them; a local model cannot use them.
constexpr std::array<std::string_view, 15> kServerBlockTypes = {
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "advisor_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "mcp_tool_use",
    "mcp_tool_result",
    "container_upload",
    "tool_addition",
    "tool_removal",
    "mcp_tool_listing",
    "fallback",
};

bool is_server_block(std::string_view type) {
  for (std::string_view t : kServerBlockTypes) {
    if (t == type) return true;
  }
  return false;
}

std::string optional_string(Json& object, std::string_view key, const Path& path) {
  Json* value = find(object, key);
  return value == nullptr ? std::string() : take_string(*value, path / key);
}

TextBlock parse_text(Json& block, const Path& path) {
  return TextBlock{take_string(require(block, "text", path), path / "text")};
}

MediaSource parse_image_source(Json& source, const Path& path) {
  as_object(source, path);
  std::string_view type = tag_of(source, path);
  MediaSource out;
  if (type == "base64") {
    Path at = path / "base64";
    out.kind = MediaSource::Kind::kBase64;
    out.media_type = take_string(require(source, "media_type", at), at / "media_type");
    if (out.media_type != "image/jpeg" && out.media_type != "image/png" &&
        out.media_type != "image/gif" && out.media_type != "image/webp") {
      fail_literal({"image/jpeg", "image/png", "image/gif", "image/webp"}, at / "media_type");
    }
    out.data = take_string(require(source, "data", at), at / "data");
  } else if (type == "url") {
    out.kind = MediaSource::Kind::kUrl;
    out.data = take_string(require(source, "url", path / "url"), path / "url" / "url");
  } else if (type == "file") {
    out.kind = MediaSource::Kind::kFile;
    out.data = take_string(require(source, "file_id", path / "file"), path / "file" / "file_id");
  } else {
    fail_tag(type, {"base64", "url", "file"}, path);
  }
  return out;
}

ImageBlock parse_image(Json& block, const Path& path) {
  return ImageBlock{parse_image_source(require(block, "source", path), path / "source")};
}

DocumentBlock parse_document(Json& block, const Path& path) {
  DocumentBlock out;
  Path at = path / "source";
  Json& source = as_object(require(block, "source", path), at);
  std::string_view type = tag_of(source, at);
  if (type == "base64") {
    out.source.kind = MediaSource::Kind::kBase64;
    out.source.media_type =
        take_string(require(source, "media_type", at / "base64"), at / "base64" / "media_type");
    if (out.source.media_type != "application/pdf") {
      fail_literal({"application/pdf"}, at / "base64" / "media_type");
    }
    out.source.data = take_string(require(source, "data", at / "base64"), at / "base64" / "data");
  } else if (type == "text") {
    out.source.kind = MediaSource::Kind::kText;
    out.source.media_type = "text/plain";
    out.source.data = take_string(require(source, "data", at / "text"), at / "text" / "data");
  } else if (type == "content") {
    out.source.kind = MediaSource::Kind::kText;
    Path content_path = at / "content" / "content";
    Json& content = require(source, "content", at / "content");
    if (content.is_string()) {
      out.content.emplace_back(TextBlock{take_string(content, content_path)});
    } else {
      as_array(content, content_path);
      for (std::size_t i = 0; i < content.size(); ++i) {
        Path item_path = content_path / i;
        Json& item = as_object(content[i], item_path);
        std::string_view item_type = tag_of(item, item_path);
        if (item_type == "text") {
          out.content.emplace_back(parse_text(item, item_path / "text"));
        } else if (item_type == "image") {
          out.content.emplace_back(parse_image(item, item_path / "image"));
        } else {
          fail_tag(item_type, {"text", "image"}, item_path);
        }
      }
    }
  } else if (type == "url") {
    out.source.kind = MediaSource::Kind::kUrl;
    out.source.data = take_string(require(source, "url", at / "url"), at / "url" / "url");
  } else if (type == "file") {
    out.source.kind = MediaSource::Kind::kFile;
    out.source.data = take_string(require(source, "file_id", at / "file"), at / "file" / "file_id");
  } else {
    fail_tag(type, {"base64", "text", "content", "url", "file"}, at);
  }
  out.title = optional_string(block, "title", path);
  out.context = optional_string(block, "context", path);
  return out;
}

SearchResultBlock parse_search_result(Json& block, const Path& path) {
  SearchResultBlock out;
  out.source = take_string(require(block, "source", path), path / "source");
  out.title = take_string(require(block, "title", path), path / "title");
  Json& content = as_array(require(block, "content", path), path / "content");
  for (std::size_t i = 0; i < content.size(); ++i) {
    Path item_path = path / "content" / i;
    Json& item = as_object(content[i], item_path);
    if (tag_of(item, item_path) != "text") fail(item_path / "type", "Input should be 'text'");
    out.content.push_back(parse_text(item, item_path));
  }
  return out;
}

ToolUseBlock parse_tool_use(Json& block, const Path& path) {
  ToolUseBlock out;
  out.id = take_string(require(block, "id", path), path / "id");
  out.name = take_string(require(block, "name", path), path / "name");
  out.input = std::move(as_object(require(block, "input", path), path / "input"));
  return out;
}

ToolResultBlock parse_tool_result(Json& block, const Path& path) {
  ToolResultBlock out;
  out.tool_use_id = take_string(require(block, "tool_use_id", path), path / "tool_use_id");
  if (Json* is_error = find(block, "is_error"))
    out.is_error = as_bool(*is_error, path / "is_error");
  Json* content = find(block, "content");
  if (content == nullptr) return out;
  Path content_path = path / "content";
  if (content->is_string()) {
    out.content.emplace_back(TextBlock{take_string(*content, content_path)});
    return out;
  }
  if (!content->is_array()) {
    fail(content_path, "Input should be a valid string or a list of content blocks");
  }
  for (std::size_t i = 0; i < content->size(); ++i) {
    Path item_path = content_path / i;
    Json& item = as_object((*content)[i], item_path);
    std::string_view type = tag_of(item, item_path);
    if (type == "text") {
      out.content.emplace_back(parse_text(item, item_path / type));
    } else if (type == "image") {
      out.content.emplace_back(parse_image(item, item_path / type));
    } else if (type == "document") {
      out.content.emplace_back(parse_document(item, item_path / type));
    } else if (type == "search_result") {
      out.content.emplace_back(parse_search_result(item, item_path / type));
    } else if (type == "tool_reference") {
      Path at = item_path / type;
      out.content.emplace_back(
          ToolReferenceBlock{take_string(require(item, "tool_name", at), at / "tool_name")});
    } else if (type != "browser_state") {  // a browser screenshot state: server-side only
      fail_tag(type, {"text", "image", "document", "search_result", "tool_reference"}, item_path);
    }
  }
  return out;
}

}  // namespace

std::vector<ContentBlock> parse_content(Json& content, const Path& path, int64_t& ignored_blocks) {
  std::vector<ContentBlock> out;
  if (content.is_string()) {
    out.emplace_back(TextBlock{take_string(content, path)});
    return out;
  }
  if (!content.is_array()) fail(path, "Input should be a valid string or a list of content blocks");
  out.reserve(content.size());
  for (std::size_t i = 0; i < content.size(); ++i) {
    Path item_path = path / i;
    Json& block = as_object(content[i], item_path);
    std::string_view type = tag_of(block, item_path);
    Path at = item_path / type;
    if (type == "text") {
      out.emplace_back(parse_text(block, at));
    } else if (type == "image") {
      out.emplace_back(parse_image(block, at));
    } else if (type == "document") {
      out.emplace_back(parse_document(block, at));
    } else if (type == "search_result") {
      out.emplace_back(parse_search_result(block, at));
    } else if (type == "tool_use") {
      out.emplace_back(parse_tool_use(block, at));
    } else if (type == "tool_result") {
      out.emplace_back(parse_tool_result(block, at));
    } else if (type == "thinking") {
      ThinkingBlock thinking;
      thinking.thinking = take_string(require(block, "thinking", at), at / "thinking");
      thinking.signature = optional_string(block, "signature", at);
      out.emplace_back(std::move(thinking));
    } else if (type == "redacted_thinking") {
      out.emplace_back(RedactedThinkingBlock{take_string(require(block, "data", at), at / "data")});
    } else if (type == "compaction") {
      // A summary Anthropic's server wrote in place of earlier turns: keep its text, if any.
      Json* summary = find(block, "content");
      if (summary != nullptr) {
        out.emplace_back(TextBlock{take_string(*summary, at / "content")});
      } else {
        ++ignored_blocks;
      }
    } else if (is_server_block(type)) {
      ++ignored_blocks;
    } else {
      fail_tag(type,
               {"text", "image", "document", "search_result", "thinking", "redacted_thinking",
                "tool_use", "tool_result"},
               item_path);
    }
  }
  return out;
}

std::vector<TextBlock> parse_system_content(Json& content, const Path& path,
                                            int64_t& ignored_blocks) {
  std::vector<TextBlock> out;
  if (content.is_string()) {
    out.push_back(TextBlock{take_string(content, path)});
    return out;
  }
  if (!content.is_array()) fail(path, "Input should be a valid string or a list of text blocks");
  for (std::size_t i = 0; i < content.size(); ++i) {
    Path item_path = path / i;
    Json& block = as_object(content[i], item_path);
    std::string_view type = tag_of(block, item_path);
    if (type == "text") {
      out.push_back(parse_text(block, item_path));
    } else if (type == "tool_addition" || type == "tool_removal") {
      ++ignored_blocks;
    } else {
      fail(item_path / "type", "Input should be 'text'");
    }
  }
  return out;
}

}  // namespace api::fields
