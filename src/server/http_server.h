// server::HttpServer: cpp-httplib around the routes. Every response gets a `request-id` header;
// every route but GET /health and the probes Claude Code sends at start-up (HEAD / and
// HEAD /api/hello) needs the token; errors of the HTTP layer itself (no such route, a body over
// the limit, an exception) are answered in Anthropic's error shape.
#pragma once

#include <memory>
#include <string>

#include <httplib.h>

#include "server/service.h"

namespace server {

class HttpServer {
 public:
  // `service` is borrowed and must outlive the server.
  explicit HttpServer(Service& service);
  ~HttpServer();

  // Binds the configured host and port (port 0: a free one). Returns the port; throws
  // std::runtime_error when the address cannot be bound.
  int bind();
  // Serves until stop(). Call after bind().
  void run();
  // Cancels the runs (open streams end with an error event) and makes run() return. Safe from any
  // thread.
  void stop();

 private:
  void install_routes();

  Service& service_;  // borrowed
  httplib::Server http_;
};

}  // namespace server
