// POST /v1/messages: parse, render the prompt, check it fits, choose the sampler, then hand the run
// to the scheduler. The answer is an SSE stream (message_start goes out at once, before the run
// even starts, and pings keep the stream alive) or, without "stream", the whole message.
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "api/ids.h"
#include "api/request_parser.h"
#include "api/sse_encoder.h"
#include "engine/sampling/choice_sampler.h"
#include "engine/sampling/scripted_sampler.h"
#include "serve/request_log.h"
#include "server/debug_dump.h"
#include "server/http_util.h"
#include "server/prompt_render.h"
#include "server/response_observer.h"
#include "server/routes.h"
#include "server/sse_pump.h"

namespace server {
namespace {

using Json = nlohmann::ordered_json;

// What a run needs beyond the parsed request.
struct Prepared {
  chat::RenderedPrompt rendered;
  std::unique_ptr<engine::TokenSampler> sampler;
  std::string sampler_name;  // for the log: "sampled" or "scripted (rule 0)"
  size_t max_tokens = 0;
};

api::Result<std::unique_ptr<engine::TokenSampler>> make_sampler(
    Service& service, const api::MessagesRequest& r, const chat::RenderedPrompt& rendered,
    std::string& name) {
  if (ScriptedReplies* scripted = service.scripted_replies()) {
    const std::optional<ScriptedReply> reply = scripted->next(last_user_text(r.prompt));
    if (!reply) {
      return api::Error::api(
          "--scripted-replies: no rule matches the last user message and the queue is empty");
    }
    name = "scripted (" + reply->origin + ")";
    std::unique_ptr<engine::TokenSampler> sampler = std::make_unique<engine::ScriptedSampler>(
        service.tokenizer().encode(reply->text), service.end_token());
    if (reply->token_delay_ms > 0) {
      sampler = std::make_unique<DelayedSampler>(std::move(sampler),
                                                 std::chrono::milliseconds(reply->token_delay_ms));
    }
    return sampler;
  }
  const Config& c = service.config();
  engine::SamplingParams params{
      .temperature = static_cast<float>(r.temperature.value_or(c.temperature)),
      .top_k = static_cast<int32_t>(r.top_k.value_or(c.top_k)),
      .top_p = static_cast<float>(r.top_p.value_or(c.top_p)),
      .min_p = static_cast<float>(c.min_p),
      .seed = c.seed != 0 ? c.seed : std::random_device{}()};
  name = "sampled";
  std::unique_ptr<engine::TokenSampler> sampler = std::make_unique<engine::LogitSampler>(params);
  if (!rendered.forced_choices.empty()) {  // tool_choice any: the model picks among the tools
    name = "sampled (tool name held to the tools)";
    sampler = std::make_unique<engine::ChoiceSampler>(std::move(sampler), service.tokenizer(),
                                                      rendered.forced_choices);
  }
  return sampler;
}

api::Result<Prepared> prepare(Service& service, const api::MessagesRequest& request) {
  api::Result<chat::RenderedPrompt> rendered = render_prompt(service, request.prompt);
  if (!rendered) return rendered.error();
  Prepared p;
  p.rendered = std::move(rendered).value();
  const size_t n = p.rendered.ids.size();
  const size_t limit = service.context_size() - 1;  // one position is left to generate
  if (n == 0) return api::Error::invalid_request("messages: the prompt renders to no tokens");
  if (n > limit) {
    // Claude Code compacts the conversation when it reads exactly this wording.
    return api::Error::invalid_request("prompt is too long: " + std::to_string(n) + " tokens > " +
                                       std::to_string(limit) + " maximum");
  }
  p.max_tokens = static_cast<size_t>(request.max_tokens);
  if (service.config().max_tokens != 0) {
    p.max_tokens = std::min(p.max_tokens, service.config().max_tokens);
  }
  api::Result<std::unique_ptr<engine::TokenSampler>> sampler =
      make_sampler(service, request, p.rendered, p.sampler_name);
  if (!sampler) return sampler.error();
  p.sampler = std::move(sampler).value();
  return p;
}

Json request_summary(const api::MessagesRequest& r, const std::string& request_id,
                     const std::string& session, const Prepared& p) {
  Json j;
  j["request_id"] = request_id;
  j["model"] = r.model;
  j["session"] = session;
  j["stream"] = r.stream;
  j["max_tokens"] = r.max_tokens;
  j["max_tokens_effective"] = p.max_tokens;
  j["messages"] = r.prompt.messages.size();
  j["tools"] = r.prompt.tools.size();
  j["ignored_tools"] = r.prompt.ignored_tools;
  j["ignored_blocks"] = r.prompt.ignored_blocks;
  j["sampler"] = p.sampler_name;
  j["prompt_tokens"] = p.rendered.ids.size();
  return j;
}

}  // namespace

void post_messages(Service& service, const httplib::Request& req, httplib::Response& res) {
  const std::string request_id = request_id_of(res);
  if (req.body.size() > service.config().max_body_bytes) {
    return reply_error(res, {api::ErrorType::kRequestTooLarge,
                             "Request exceeds the maximum size of " +
                                 std::to_string(service.config().max_body_bytes) + " bytes"});
  }
  api::Result<api::MessagesRequest> parsed = api::parse_messages_request(req.body);
  if (!parsed) return reply_error(res, parsed.error());
  const api::MessagesRequest request = std::move(parsed).value();
  api::Result<Prepared> prepared = prepare(service, request);
  if (!prepared) return reply_error(res, prepared.error());
  Prepared p = std::move(prepared).value();

  const std::string session = session_of(req, request.metadata);
  const serve::CacheKey key{service.identity(), session};
  const bool streaming = request.stream;
  const std::string& debug_dir = service.config().debug_request_dir;
  Json summary = request_summary(request, request_id, session, p);
  std::fprintf(stderr,
               "[request] request=%s model=%s session=%s stream=%s messages=%zu tools=%zu "
               "prompt_tokens=%zu max_tokens=%zu sampler=%s\n",
               request_id.c_str(), serve::log_field(request.model).c_str(),
               serve::log_field(session).c_str(), streaming ? "true" : "false",
               request.prompt.messages.size(), request.prompt.tools.size(), p.rendered.ids.size(),
               p.max_tokens, serve::log_field(p.sampler_name).c_str());
  if (!debug_dir.empty()) write_debug_file(debug_dir, request_id + ".prompt.txt", p.rendered.text);

  ResponseOptions options{.message_id = api::make_message_id(),
                          .model = request.model,
                          .parser = service.chat_template().parser_config(request, p.rendered),
                          .writer = {.store = &service.reasoning_store(),
                                     .omit_thinking = request.prompt.thinking.display ==
                                                      api::ThinkingConfig::Display::kOmitted,
                                     .on_issue =
                                         [request_id](std::string_view issue) {
                                           std::fprintf(stderr, "[output] request=%s %s\n",
                                                        request_id.c_str(),
                                                        serve::log_field(issue, 400).c_str());
                                         }},
                          .drop_thinking = !asks_for_thinking(request.prompt.thinking) &&
                                           !service.config().expose_thinking,
                          .on_end = nullptr};
  if (!debug_dir.empty()) {
    options.on_end = [debug_dir, request_id, summary](const serve::GenerationStats& stats,
                                                      std::optional<api::StopReason> reason,
                                                      const std::string& error) mutable {
      summary["cache"] = {{"outcome", std::string(serve::cache_outcome_name(stats.cache_outcome))},
                          {"reason", stats.cache_reason},
                          {"source", stats.cache_source},
                          {"cached_tokens", stats.cached_tokens},
                          {"rest_tokens", stats.rest_tokens},
                          {"kept", stats.kept}};
      summary["usage"] = api::usage_json(usage_of(stats));
      summary["stop_reason"] = reason ? Json(api::stop_reason_name(*reason)) : Json(nullptr);
      summary["error"] = error;
      summary["timing_s"] = {{"queue", stats.queue_s},
                             {"prefill", stats.prefill_s},
                             {"decode", stats.decode_s},
                             {"ttft", stats.ttft_s}};
      write_debug_file(debug_dir, request_id + ".json", summary.dump(2));
    };
  }

  // The usage announced in message_start, before the run: what the cache holds now. The final
  // message_delta carries the exact figures.
  const size_t n = p.rendered.ids.size();
  const size_t cached = service.prompt_cache().peek(key, p.rendered.ids);
  const bool cache_on = service.config().prompt_cache;
  const api::Usage usage_before{
      .input_tokens = static_cast<int64_t>(cache_on ? 0 : n - cached),
      .cache_creation_input_tokens = static_cast<int64_t>(cache_on ? n - cached : 0),
      .cache_read_input_tokens = static_cast<int64_t>(cached),
      .output_tokens = 0};

  serve::GenerationRequest run{.request_id = request_id,
                               .cache_key = key,
                               .prompt = std::move(p.rendered.ids),
                               .max_tokens = p.max_tokens,
                               .sampler = std::move(p.sampler)};
  auto cancel = std::make_shared<serve::CancelFlag>();
  const api::Error overloaded = api::Error::overloaded("Overloaded");

  if (!streaming) {
    auto observer = std::make_shared<ResponseObserver>(std::move(options));
    observer->start(usage_before);
    if (!service.scheduler().submit(std::move(run), observer, cancel)) {
      res.set_header("retry-after", "1");
      return reply_error(res, overloaded);
    }
    observer->wait();
    const api::MessageAccumulator& result = observer->accumulator();
    if (result.error()) return reply_error(res, *result.error());
    return reply_json(res, 200, api::encode_message(result.message()));
  }

  auto channel = std::make_shared<EventChannel>();
  auto observer = std::make_shared<ResponseObserver>(std::move(options), channel);
  observer->start(usage_before);  // message_start waits in the channel for the stream to open
  if (!service.scheduler().submit(std::move(run), observer, cancel)) {
    res.set_header("retry-after", "1");
    return reply_error(res, overloaded);
  }
  const auto ping_interval = std::chrono::milliseconds(service.config().ping_interval_ms);
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      std::string(api::kSseContentType),
      [channel, cancel, ping_interval](size_t, httplib::DataSink& sink) {
        return pump_events(*channel, sink, *cancel, ping_interval);
      },
      // A stream that did not complete (the client left before it began, a write failed) stops
      // its run.
      [cancel](bool success) {
        if (!success) cancel->cancel();
      });
}

}  // namespace server
