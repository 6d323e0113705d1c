// Renders chat templates with our jinja/ for the differential test against Python Jinja2.
//
//   jinja_render TEMPLATE CONTEXT.json      prints the rendering (exit 1 and the error if it fails)
//   jinja_render --batch CASES.jsonl        one JSON object per line in, one per line out:
//       in:  {"template": "path", "context": {...}, "now": "2024-07-26T10:20:30"}
//       out: {"ok": true, "output": "..."} or {"ok": false, "error": "..."}
// "now" fixes the clock of strftime_now, so that renderings compare across runs.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "jinja/template.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::tm parse_now(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) {
    throw std::runtime_error("bad \"now\": " + text + " (want YYYY-MM-DDTHH:MM:SS)");
  }
  std::tm copy = tm;
  std::mktime(&copy);  // fills in the weekday and day of the year
  tm.tm_wday = copy.tm_wday;
  tm.tm_yday = copy.tm_yday;
  return tm;
}

std::string render(const jinja::Template& t, const nlohmann::ordered_json& context,
                   const std::string& now) {
  jinja::Context ctx;
  if (!now.empty()) {
    std::tm tm = parse_now(now);
    ctx.set_clock([tm] { return tm; });
  }
  ctx.set_json(context);
  return t.render(ctx);
}

int batch(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return 2;
  }
  std::map<std::string, jinja::Template> cache;
  std::map<std::string, std::string> parse_errors;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::ordered_json result;
    try {
      auto c = nlohmann::ordered_json::parse(line);
      std::string tpath = c.at("template").get<std::string>();
      if (!cache.count(tpath) && !parse_errors.count(tpath)) {
        try {
          cache.emplace(tpath, jinja::Template::parse(read_file(tpath)));
        } catch (const jinja::TemplateError& e) {
          parse_errors[tpath] = e.what();
        }
      }
      if (parse_errors.count(tpath)) throw std::runtime_error(parse_errors[tpath]);
      std::string now = c.contains("now") ? c["now"].get<std::string>() : "";
      result["ok"] = true;
      result["output"] = render(cache.at(tpath), c.at("context"), now);
    } catch (const std::exception& e) {
      result = nlohmann::ordered_json{{"ok", false}, {"error", e.what()}};
    }
    std::cout << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::string(argv[1]) == "--batch") return batch(argv[2]);
    if (argc != 3) {
      std::cerr << "usage: jinja_render TEMPLATE CONTEXT.json | jinja_render --batch CASES.jsonl\n";
      return 2;
    }
    jinja::Template t = jinja::Template::parse(read_file(argv[1]));
    auto context = nlohmann::ordered_json::parse(read_file(argv[2]));
    std::string now = context.contains("__now__") ? context["__now__"].get<std::string>() : "";
    if (!now.empty()) context.erase("__now__");
    std::cout << render(t, context, now);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
