// A tiny engine for serve/ tests: the tiny dense model of the engine tests (random weights, 258
// tokens) and a byte-level tokenizer over the same ids (the 256 bytes, then <|im_end|> as the
// end-of-generation token), plus an observer that records a run.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../engine/tiny_model.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/tokenizer.h"
#include "serve/generation.h"

namespace serve::testing {

inline constexpr int32_t kEndId = 256;

inline engine::Tokenizer byte_tokenizer() {
  engine::Vocab v;
  v.pre = "qwen2";
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(engine::byte_level_encode(std::string(1, static_cast<char>(b))));
    v.types.push_back(engine::TokenType::kNormal);
  }
  v.tokens.push_back("<|im_end|>");
  v.types.push_back(engine::TokenType::kControl);
  v.tokens.push_back("<|spare|>");
  v.types.push_back(engine::TokenType::kControl);
  v.normalization = engine::Normalization::kNone;
  v.eos_id = kEndId;
  return engine::Tokenizer(std::move(v));
}

// The model file lives in the test's temporary directory, one per process.
struct TinyEngine {
  TinyEngine() {
    const auto path = std::filesystem::temp_directory_path() /
                      ("serve_tiny_" + std::to_string(::getpid()) + ".gguf");
    engine::testing::TinyShape shape;
    shape.n_vocab = 258;
    engine::testing::TinyModel writer(shape, path, /*seed=*/7);
    auto file = std::make_shared<const engine::GgufFile>(engine::GgufFile::open(path));
    model = engine::Model::load(file, {.n_threads = 1, .prefill_chunk = 4});
    std::filesystem::remove(path);
  }
  std::unique_ptr<engine::Model> model;
  engine::Tokenizer tokenizer = byte_tokenizer();
};

inline TinyEngine& tiny_engine() {
  static TinyEngine engine;
  return engine;
}

inline std::vector<int32_t> bytes_of(const std::string& text) {
  std::vector<int32_t> ids;
  for (unsigned char c : text) ids.push_back(c);
  return ids;
}

// Records a run's events; wait() blocks until on_finish or on_error.
class RecordingObserver : public GenerationObserver {
 public:
  // Returning false from on_text after this many tokens (0: never).
  size_t stop_after = 0;
  // Cancelled after this many tokens (0: never).
  size_t cancel_after = 0;
  std::shared_ptr<CancelFlag> cancel = std::make_shared<CancelFlag>();

  void on_prefill_start(const GenerationStats& stats) override {
    std::unique_lock lock(mutex_);
    prefill_stats = stats;
    started = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !hold; });
  }
  void on_prefill_progress(size_t done, size_t total) override {
    progress.push_back(done);
    progress_total = total;
  }
  bool on_text(std::string_view piece, int32_t token) override {
    text += piece;
    if (token >= 0) tokens.push_back(token);
    if (cancel_after != 0 && tokens.size() == cancel_after) cancel->cancel();
    return stop_after == 0 || tokens.size() < stop_after;
  }
  void on_finish(StopCause c, const GenerationStats& s) override {
    std::lock_guard lock(mutex_);
    cause = c;
    stats = s;
    finished = true;
    changed_.notify_all();
  }
  void on_error(std::string_view message, const GenerationStats& s) override {
    std::lock_guard lock(mutex_);
    error = std::string(message);
    stats = s;
    finished = true;
    changed_.notify_all();
  }

  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished; });
  }
  void wait_started() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started; });
  }
  // While `hold` is set, the run waits in on_prefill_start (keeps the worker busy).
  void set_hold(bool value) {
    std::lock_guard lock(mutex_);
    hold = value;
    changed_.notify_all();
  }

  bool hold = false;
  bool started = false;
  bool finished = false;
  GenerationStats prefill_stats;
  std::vector<size_t> progress;
  size_t progress_total = 0;
  std::string text;
  std::vector<int32_t> tokens;
  StopCause cause = StopCause::kCancelled;
  GenerationStats stats;
  std::string error;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace serve::testing
