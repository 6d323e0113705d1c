// GET /v1/models, GET /v1/models/{id} and GET /health.
#include "api/response.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace server {

void get_models(Service& service, const httplib::Request&, httplib::Response& res) {
  reply_json(res, 200, api::encode_model_list(service.models()));
}

void get_model(Service& service, const httplib::Request& req, httplib::Response& res) {
  // Any name is accepted and echoed: clients ask for the claude-* names they know.
  reply_json(res, 200, api::encode_model(service.model_info(req.matches[1].str())));
}

void get_health(Service& service, const httplib::Request&, httplib::Response& res) {
  reply_json(res, 200, api::dump_json(service.health()));
}

}  // namespace server
