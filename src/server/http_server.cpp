#include "server/http_server.h"

#include <cstdio>
#include <exception>
#include <stdexcept>

#include "api/ids.h"
#include "serve/request_log.h"
#include "server/auth.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace server {
namespace {

// Routes anyone may call: the health check and the probes Claude Code sends before it has a key.
bool is_public(const httplib::Request& req) {
  if (req.path == "/health") return req.method == "GET" || req.method == "HEAD";
  if (req.path == "/" || req.path == "/api/hello") return req.method == "HEAD";
  return false;
}

// The error for a status the HTTP layer set without a body (no route, a body over the limit,
// a request it could not read).
api::Error error_for_status(int status) {
  switch (status) {
    case 404:
      return api::Error::not_found("Not Found");
    case 413:
      return {api::ErrorType::kRequestTooLarge, "Request exceeds the maximum size"};
    case 400:
      return api::Error::invalid_request("The request could not be read");
    default:
      return api::Error::api("Internal server error");
  }
}

}  // namespace

HttpServer::HttpServer(Service& service) : service_(service) {
  const Config& config = service_.config();
  const size_t threads = config.http_threads;
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_payload_max_length(config.max_body_bytes);
  http_.set_keep_alive_max_count(1000);
  install_routes();
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::install_routes() {
  Service& service = service_;

  http_.set_pre_routing_handler([&service](const httplib::Request& req, httplib::Response& res) {
    res.set_header("request-id", api::make_request_id());
    res.set_header("anthropic-version", service.config().anthropic_version);
    // No compression: on a local link it only costs time, and cpp-httplib 0.11.4 would gzip
    // "text/event-stream; charset=utf-8" without flushing, holding the stream back. The request
    // object is httplib's own non-const one, passed here as const.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    if (is_public(req)) return httplib::Server::HandlerResponse::Unhandled;
    const AuthResult auth =
        check_auth(service.config().auth_token, req.get_header_value("x-api-key"),
                   req.get_header_value("Authorization"));
    if (auth == AuthResult::kOk) return httplib::Server::HandlerResponse::Unhandled;
    reply_error(res, {api::ErrorType::kAuthentication, auth_error_message(auth)});
    return httplib::Server::HandlerResponse::Handled;
  });

  http_.Post("/v1/messages", [&service](const httplib::Request& req, httplib::Response& res) {
    post_messages(service, req, res);
  });
  http_.Post("/v1/messages/count_tokens",
             [&service](const httplib::Request& req, httplib::Response& res) {
               post_count_tokens(service, req, res);
             });
  http_.Get("/v1/models", [&service](const httplib::Request& req, httplib::Response& res) {
    get_models(service, req, res);
  });
  http_.Get(R"(/v1/models/([^/]+))",
            [&service](const httplib::Request& req, httplib::Response& res) {
              get_model(service, req, res);
            });
  http_.Get("/health", [&service](const httplib::Request& req, httplib::Response& res) {
    get_health(service, req, res);
  });
  // HEAD / and HEAD /api/hello (GET handlers answer HEAD): an empty 200.
  const auto empty = [](const httplib::Request&, httplib::Response& res) { res.status = 200; };
  http_.Get("/", empty);
  http_.Get("/api/hello", empty);

  http_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        reply_error(res, error_for_status(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "[error] request=%s %s %s: %s\n", request_id_of(res).c_str(),
                     req.method.c_str(), serve::log_field(req.path).c_str(), what.c_str());
        reply_error(res, api::Error::api("Internal server error"));
      });
  http_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    std::fprintf(stderr, "[http] request=%s %s %s %d\n", request_id_of(res).c_str(),
                 req.method.c_str(), serve::log_field(req.path, 200).c_str(), res.status);
  });
}

int HttpServer::bind() {
  const Config& config = service_.config();
  int port = config.port;
  if (port == 0) {
    port = http_.bind_to_any_port(config.host);
  } else if (!http_.bind_to_port(config.host, port)) {
    port = -1;
  }
  if (port < 0) {
    throw std::runtime_error("cannot listen on " + config.host + ":" + std::to_string(config.port) +
                             " (in use, or not an address of this machine); choose another "
                             "--port or --host");
  }
  return port;
}

void HttpServer::run() {
  http_.listen_after_bind();
}

void HttpServer::stop() {
  // Runs end first (their streams close with an error event), then the listener.
  service_.scheduler().shutdown();
  http_.stop();
}

}  // namespace server
