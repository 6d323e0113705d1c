#include "api/ids.h"

#include <random>

namespace api {
namespace {

std::string make_id(std::string_view prefix) {
  // One generator per thread, seeded from the OS: ids from concurrent requests never share state.
  thread_local std::mt19937_64 generator{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                         std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, kIdAlphabet.size() - 1);
  std::string id(prefix);
  id += "01";
  for (std::size_t i = 0; i < kIdRandomChars; ++i) id += kIdAlphabet[pick(generator)];
  return id;
}

}  // namespace

std::string make_message_id() {
  return make_id("msg_");
}
std::string make_tool_use_id() {
  return make_id("toolu_");
}
std::string make_request_id() {
  return make_id("req_");
}

}  // namespace api
