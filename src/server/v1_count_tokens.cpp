// POST /v1/messages/count_tokens: the prompt rendered and tokenized exactly as /v1/messages would
// run it, on the HTTP thread: it never waits for the model, so the bursts of counts Claude Code
// sends at start-up are answered while a generation runs.
#include "api/request_parser.h"
#include "api/response.h"
#include "server/http_util.h"
#include "server/prompt_render.h"
#include "server/routes.h"

namespace server {

void post_count_tokens(Service& service, const httplib::Request& req, httplib::Response& res) {
  if (req.body.size() > service.config().max_body_bytes) {
    return reply_error(res, {api::ErrorType::kRequestTooLarge,
                             "Request exceeds the maximum size of " +
                                 std::to_string(service.config().max_body_bytes) + " bytes"});
  }
  api::Result<api::CountTokensRequest> parsed = api::parse_count_tokens_request(req.body);
  if (!parsed) return reply_error(res, parsed.error());
  api::Result<chat::RenderedPrompt> rendered = render_prompt(service, parsed.value().prompt);
  if (!rendered) return reply_error(res, rendered.error());
  reply_json(res, 200, api::encode_count_tokens(static_cast<int64_t>(rendered.value().ids.size())));
}

}  // namespace server
