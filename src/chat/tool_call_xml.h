// The XML tool calls of Qwen3-Coder and Qwen3.5/3.6:
//
//   <tool_call>
//   <function=NAME>
//   <parameter=P>
//   value, any text, many lines
//   </parameter>
//   </function>
//   </tool_call>
//
// Values are raw text, typed afterwards by the tool's input_schema. A value may itself contain
// "</parameter>" or "</function>" (a model writing a file about tool calls): a closing tag counts
// only when what follows it fits (another <parameter=, </function> then </tool_call> or the end),
// so the parser sometimes waits for the text after a tag before deciding.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/types.h"

namespace chat {

struct XmlCallParse {
  enum class Status {
    kNeedMore,   // incomplete: feed more text (or parse again with at_end)
    kComplete,   // `arguments` and `consumed` are set
    kMalformed,  // not a call of this shape
  };
  Status status = Status::kNeedMore;
  std::optional<std::string> name;  // once <function=NAME> has been read
  nlohmann::ordered_json arguments = nlohmann::ordered_json::object();
  size_t consumed = 0;  // kComplete: bytes of the text the call used, closing tags included
  // kNeedMore because a closing tag was seen and the text after it will decide.
  bool waiting_on_lookahead = false;
  std::vector<std::string> repairs;  // what was wrong and recovered ("missing </tool_call>", ...)
};

// Parses one call from `text`, which starts after "<tool_call>" (or at "<function=" when the model
// left the opener out). `at_end`: no more text will come, so missing closing tags are forgiven.
// `tools` types the values (see type_parameter_value).
XmlCallParse parse_xml_call(std::string_view text, bool at_end,
                            const std::vector<api::Tool>& tools);

// A parameter's raw text as the JSON value its schema asks for: text stays a string for
// "string" (or when the schema says nothing); integer, number, boolean, null, object and array
// are parsed (leniently) and kept when the result has an allowed type, else the text stays a
// string. `schema` may be null.
nlohmann::ordered_json type_parameter_value(std::string_view raw,
                                            const nlohmann::ordered_json* schema);

}  // namespace chat
