#include "server/http_util.h"

namespace server {

std::string request_id_of(const httplib::Response& res) {
  return res.get_header_value("request-id");
}

void reply_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void reply_error(httplib::Response& res, const api::Error& error) {
  reply_json(res, api::http_status(error.type), api::error_json(error, request_id_of(res)));
}

std::string session_of(const httplib::Request& req, const api::Metadata& metadata) {
  std::string session = req.get_header_value("X-Claude-Code-Session-Id");
  if (session.empty()) session = metadata.session_id;
  const std::string agent = req.get_header_value("X-Claude-Code-Agent-Id");
  if (!agent.empty()) session += "/" + agent;
  return session;
}

}  // namespace server
