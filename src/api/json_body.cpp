#include "api/json_body.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace api {
namespace {

using Json = nlohmann::ordered_json;
using ObjectVector = std::vector<std::pair<const std::string, Json>>;  // ordered_map's storage

// Builds the document like nlohmann's own DOM parser, but appends object members without the
// linear duplicate search of ordered_map::operator[], and stops past kMaxJsonDepth.
class OrderedDomBuilder final : public nlohmann::json_sax<Json> {
 public:
  Json take_root() { return std::move(root_); }
  bool too_deep() const { return too_deep_; }
  const std::string& error_reason() const { return error_reason_; }
  std::size_t error_position() const { return error_position_; }

  bool null() override { return put(Json(nullptr)) != nullptr; }
  bool boolean(bool value) override { return put(Json(value)) != nullptr; }
  bool number_integer(number_integer_t value) override { return put(Json(value)) != nullptr; }
  bool number_unsigned(number_unsigned_t value) override { return put(Json(value)) != nullptr; }
  bool number_float(number_float_t value, const string_t&) override {
    return put(Json(value)) != nullptr;
  }
  bool string(string_t& value) override { return put(Json(std::move(value))) != nullptr; }
  bool binary(binary_t&) override { return false; }  // JSON text has no binary values

  bool start_object(std::size_t) override { return open(Json::value_t::object); }
  bool key(string_t& key) override {
    auto& members = static_cast<ObjectVector&>(*stack_.back()->get_ptr<Json::object_t*>());
    members.emplace_back(std::move(key), nullptr);
    member_ = &members.back().second;
    return true;
  }
  bool end_object() override {
    remove_duplicate_keys(*stack_.back()->get_ptr<Json::object_t*>());
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return open(Json::value_t::array); }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_position_ = position;
    error_reason_ = reason_of(ex.what());
    return false;
  }

 private:
  bool open(Json::value_t type) {
    if (static_cast<int>(stack_.size()) >= kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    stack_.push_back(put(Json(type)));
    return true;
  }

  // Places a value where the parser is and returns it: the root, the next array element or the
  // value of the last key. Pointers stay valid: a container grows only while no child is open.
  Json* put(Json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json* parent = stack_.back();
    if (parent->is_array()) {
      parent->get_ptr<Json::array_t*>()->push_back(std::move(value));
      return &parent->get_ptr<Json::array_t*>()->back();
    }
    *member_ = std::move(value);
    return member_;
  }

  // Keeps each key once, at its first position, with its last value.
  static void remove_duplicate_keys(Json::object_t& object) {
    auto& members = static_cast<ObjectVector&>(object);
    if (members.size() < 2) return;
    std::vector<std::size_t> order(members.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return members[a].first < members[b].first;
    });
    // Equal keys are now adjacent, in body order; the first of each run keeps its slot.
    std::vector<bool> dropped(members.size(), false);
    bool any = false;
    std::size_t keeper = order[0];
    for (std::size_t i = 1; i < order.size(); ++i) {
      if (members[order[i]].first != members[keeper].first) {
        keeper = order[i];
        continue;
      }
      members[keeper].second = std::move(members[order[i]].second);
      dropped[order[i]] = true;
      any = true;
    }
    if (!any) return;
    Json::object_t kept;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!dropped[i]) {
        static_cast<ObjectVector&>(kept).emplace_back(members[i].first,
                                                      std::move(members[i].second));
      }
    }
    object = std::move(kept);
  }

  // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: syntax
  // error while parsing value - invalid literal; last read: 'x'". Keep "invalid literal"; the
  // "last read" part quotes raw input and is dropped.
  static std::string reason_of(std::string_view what) {
    std::size_t dash = what.find(" - ");
    std::string_view reason = dash == std::string_view::npos ? what : what.substr(dash + 3);
    reason = reason.substr(0, reason.find("; last read"));
    std::string out;
    for (char c : reason) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
  }

  Json root_;
  std::vector<Json*> stack_;  // open containers, innermost last; borrowed from root_
  Json* member_ = nullptr;    // the value slot of the last key read; borrowed from root_
  bool too_deep_ = false;
  std::string error_reason_;
  std::size_t error_position_ = 0;
};

// "line L column C (char N)" for a 0-based byte offset, as Python's json reports positions.
std::string position_of(std::string_view body, std::size_t offset) {
  offset = std::min(offset, body.size());
  std::string_view before = body.substr(0, offset);
  std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  std::size_t last_newline = before.rfind('\n');
  std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return "line " + std::to_string(line) + " column " + std::to_string(column) + " (char " +
         std::to_string(offset) + ")";
}

}  // namespace

Result<nlohmann::ordered_json> parse_json_body(std::string_view body) {
  OrderedDomBuilder builder;
  bool ok = Json::sax_parse(body, &builder, Json::input_format_t::json, /*strict=*/true,
                            /*ignore_comments=*/false);
  if (ok) return builder.take_root();
  if (builder.too_deep()) {
    return Error::invalid_request("The request body is not valid JSON: arrays and objects nest " +
                                  std::string("deeper than the limit of ") +
                                  std::to_string(kMaxJsonDepth) + " levels");
  }
  // The parser reports how many bytes it consumed, the offending one included.
  std::size_t offset = builder.error_position() > 0 ? builder.error_position() - 1 : 0;
  return Error::invalid_request("The request body is not valid JSON: " + builder.error_reason() +
                                ": " + position_of(body, offset));
}

}  // namespace api
