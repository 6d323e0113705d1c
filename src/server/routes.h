// The HTTP routes: one function per endpoint, each reading an httplib request and writing its
// response through the Service. http_server.cpp registers them and handles auth, request ids and
// errors around them.
#pragma once

#include <httplib.h>

#include "server/service.h"

namespace server {

// POST /v1/messages: non-streaming, or SSE when "stream": true.
void post_messages(Service& service, const httplib::Request& req, httplib::Response& res);
// POST /v1/messages/count_tokens: the prompt's exact token count, never queued behind generation.
void post_count_tokens(Service& service, const httplib::Request& req, httplib::Response& res);
// GET /v1/models and GET /v1/models/{id}.
void get_models(Service& service, const httplib::Request& req, httplib::Response& res);
void get_model(Service& service, const httplib::Request& req, httplib::Response& res);
// GET /health.
void get_health(Service& service, const httplib::Request& req, httplib::Response& res);

}  // namespace server
