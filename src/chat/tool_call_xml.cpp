#include "chat/tool_call_xml.h"

#include <array>
#include <cctype>
#include <cmath>

#include "chat/text_scan.h"
#include "chat/tool_call_json.h"

namespace chat {
namespace {

using Json = nlohmann::ordered_json;
using Status = XmlCallParse::Status;

constexpr std::string_view kFunctionOpen = "<function=";
constexpr std::string_view kFunctionClose = "</function>";
constexpr std::string_view kParameterOpen = "<parameter=";
constexpr std::string_view kParameterClose = "</parameter>";
constexpr std::string_view kCallOpen = "<tool_call>";
constexpr std::string_view kCallClose = "</tool_call>";
constexpr size_t kMaxNameBytes = 256;

enum class Look { kYes, kNo, kMore };

using scan::at;
using scan::is_ws;
using scan::partial;
using scan::skip_ws;

// After a </function>: the call really ends there if the end, another call or </tool_call> follows.
Look function_end_fits(std::string_view s, size_t pos, bool at_end) {
  const size_t p = skip_ws(s, pos);
  if (p == s.size()) return at_end ? Look::kYes : Look::kMore;
  if (at(s, p, kCallClose) || at(s, p, kCallOpen) || at(s, p, kFunctionOpen)) return Look::kYes;
  if (!at_end && partial(s, p, {kCallClose, kCallOpen, kFunctionOpen})) return Look::kMore;
  return at_end ? Look::kYes : Look::kNo;  // at the end, text after the call is just text
}

// After a </parameter>: it closes the value if another parameter, or the end of the function,
// follows.
Look parameter_end_fits(std::string_view s, size_t pos, bool at_end) {
  const size_t p = skip_ws(s, pos);
  if (p == s.size()) return at_end ? Look::kYes : Look::kMore;
  if (at(s, p, kParameterOpen) || at(s, p, kCallClose)) return Look::kYes;
  if (at(s, p, kFunctionClose)) return function_end_fits(s, p + kFunctionClose.size(), at_end);
  if (!at_end && partial(s, p, {kParameterOpen, kFunctionClose, kCallClose})) return Look::kMore;
  return Look::kNo;
}

// Reads NAME of `<tag=NAME>` at `pos` (pointing at the '<'); sets `end` past the '>'.
Status read_name(std::string_view s, size_t pos, std::string_view tag, bool at_end,
                 std::string& name, size_t& end) {
  const size_t begin = pos + tag.size();
  const size_t close = s.find('>', begin);
  const size_t limit = close == std::string_view::npos ? s.size() : close;
  for (size_t i = begin; i < limit; ++i) {
    if (s[i] == '\n' || s[i] == '<') return Status::kMalformed;
  }
  if (limit - begin > kMaxNameBytes) return Status::kMalformed;
  if (close == std::string_view::npos) return at_end ? Status::kMalformed : Status::kNeedMore;
  size_t b = begin, e = close;
  while (b < e && is_ws(s[b])) ++b;
  while (e > b && is_ws(s[e - 1])) --e;
  if (b == e) return Status::kMalformed;
  name.assign(s.substr(b, e - b));
  end = close + 1;
  return Status::kComplete;
}

// The template writes "<parameter=P>\n" + value + "\n</parameter>": one newline each side is
// framing, not value.
std::string_view unframe(std::string_view v) {
  if (v.starts_with("\r\n")) {
    v.remove_prefix(2);
  } else if (v.starts_with('\n')) {
    v.remove_prefix(1);
  }
  if (v.ends_with("\r\n")) {
    v.remove_suffix(2);
  } else if (v.ends_with('\n')) {
    v.remove_suffix(1);
  }
  return v;
}

const Json* parameter_schema(const std::vector<api::Tool>& tools, const std::string& tool,
                             const std::string& parameter) {
  for (const api::Tool& t : tools) {
    if (t.name != tool) continue;
    auto props = t.input_schema.find("properties");
    if (props == t.input_schema.end() || !props->is_object()) return nullptr;
    auto p = props->find(parameter);
    return p == props->end() ? nullptr : &*p;
  }
  return nullptr;
}

// The JSON types a schema allows: "type" as a string or list, or the types of anyOf/oneOf.
void collect_types(const Json& schema, std::vector<std::string>& types, int depth = 0) {
  if (!schema.is_object() || depth > 8) return;
  if (auto t = schema.find("type"); t != schema.end()) {
    if (t->is_string()) types.push_back(t->get<std::string>());
    if (t->is_array()) {
      for (const Json& x : *t) {
        if (x.is_string()) types.push_back(x.get<std::string>());
      }
    }
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    if (auto list = schema.find(key); list != schema.end() && list->is_array()) {
      for (const Json& x : *list) collect_types(x, types, depth + 1);
    }
  }
  if (auto e = schema.find("enum"); types.empty() && e != schema.end() && e->is_array()) {
    for (const Json& x : *e) {
      if (x.is_string()) types.push_back("string");
      if (x.is_number()) types.push_back("number");
      if (x.is_boolean()) types.push_back("boolean");
    }
  }
}

bool has(const std::vector<std::string>& types, std::string_view t) {
  for (const std::string& x : types) {
    if (x == t) return true;
  }
  return false;
}

}  // namespace

Json type_parameter_value(std::string_view raw, const Json* schema) {
  std::vector<std::string> types;
  if (schema != nullptr) collect_types(*schema, types);
  if (types.empty() || has(types, "string")) return Json(std::string(raw));
  size_t b = 0, e = raw.size();
  while (b < e && is_ws(raw[b])) ++b;
  while (e > b && is_ws(raw[e - 1])) --e;
  const std::string_view text = raw.substr(b, e - b);
  std::optional<Json> parsed = parse_lenient_json(text);
  if (!parsed) {
    // Booleans in any case ("TRUE", "false") and Python's None; everything else stays text.
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (has(types, "boolean") && (lower == "true" || lower == "false"))
      return Json(lower == "true");
    if (has(types, "null") && (lower == "none" || lower == "null")) return Json(nullptr);
    return Json(std::string(raw));
  }
  Json& v = *parsed;
  if (v.is_number_float() && has(types, "integer") && std::isfinite(v.get<double>())) {
    const double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 9.007199254740992e15) {
      return Json(static_cast<int64_t>(d));
    }
  }
  const bool fits =
      (v.is_number_integer() && (has(types, "integer") || has(types, "number"))) ||
      (v.is_number_float() && has(types, "number")) || (v.is_boolean() && has(types, "boolean")) ||
      (v.is_null() && has(types, "null")) || (v.is_object() && has(types, "object")) ||
      (v.is_array() && has(types, "array"));
  return fits ? std::move(v) : Json(std::string(raw));
}

XmlCallParse parse_xml_call(std::string_view s, bool at_end, const std::vector<api::Tool>& tools) {
  XmlCallParse out;
  auto need_more = [&](bool lookahead) {
    out.status = at_end ? Status::kMalformed : Status::kNeedMore;
    out.waiting_on_lookahead = lookahead;
    return out;
  };
  auto complete = [&](size_t consumed) {
    out.status = Status::kComplete;
    out.consumed = consumed;
    return out;
  };

  size_t pos = skip_ws(s, 0);
  if (pos == s.size() || (!at(s, pos, kFunctionOpen) && partial(s, pos, {kFunctionOpen}))) {
    return need_more(false);
  }
  if (!at(s, pos, kFunctionOpen)) {
    out.status = Status::kMalformed;
    return out;
  }
  std::string name;
  out.status = read_name(s, pos, kFunctionOpen, at_end, name, pos);
  if (out.status != Status::kComplete) return out;
  out.name = name;
  out.status = Status::kNeedMore;

  while (true) {
    const size_t p = skip_ws(s, pos);
    if (p == s.size()) {
      if (!at_end) return need_more(false);
      out.repairs.push_back("missing </function>");
      return complete(s.size());
    }
    if (at(s, p, kParameterOpen)) {
      std::string parameter;
      size_t value_begin = 0;
      const Status st = read_name(s, p, kParameterOpen, at_end, parameter, value_begin);
      if (st != Status::kComplete) {
        out.status = st;
        return out;
      }
      size_t value_end = std::string_view::npos, next = 0;
      for (size_t c = s.find(kParameterClose, value_begin); c != std::string_view::npos;
           c = s.find(kParameterClose, c + 1)) {
        const Look look = parameter_end_fits(s, c + kParameterClose.size(), at_end);
        if (look == Look::kMore) return need_more(true);
        if (look == Look::kYes) {
          value_end = c;
          next = c + kParameterClose.size();
          break;
        }
      }
      if (value_end == std::string_view::npos) {
        if (!at_end) return need_more(false);
        // Cut off inside the value: it runs to the last closing tag of the call, or to the end.
        const size_t f = s.rfind(kFunctionClose);
        const size_t t = s.rfind(kCallClose);
        value_end = f != std::string_view::npos && f >= value_begin   ? f
                    : t != std::string_view::npos && t >= value_begin ? t
                                                                      : s.size();
        next = value_end;
        out.repairs.push_back("missing </parameter>");
      }
      const std::string_view value = unframe(s.substr(value_begin, value_end - value_begin));
      out.arguments[parameter] =
          type_parameter_value(value, parameter_schema(tools, name, parameter));
      pos = next;
      continue;
    }
    if (at(s, p, kFunctionClose)) {
      const size_t q = skip_ws(s, p + kFunctionClose.size());
      if (q == s.size() && !at_end) return need_more(true);
      if (at(s, q, kCallClose)) return complete(q + kCallClose.size());
      if (!at_end && partial(s, q, {kCallClose})) return need_more(true);
      out.repairs.push_back("missing </tool_call>");
      return complete(p + kFunctionClose.size());
    }
    if (at(s, p, kCallClose)) {
      out.repairs.push_back("missing </function>");
      return complete(p + kCallClose.size());
    }
    if (!at_end && partial(s, p, {kParameterOpen, kFunctionClose, kCallClose})) {
      return need_more(true);
    }
    out.status = Status::kMalformed;
    return out;
  }
}

}  // namespace chat
