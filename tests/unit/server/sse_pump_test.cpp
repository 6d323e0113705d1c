// The stream pump on a fake httplib::DataSink: bytes pass through whole, pings fill silences and
// never follow the last event, a client that leaves cancels the run.
#include "server/sse_pump.h"

#include <gtest/gtest.h>

#include <thread>

namespace server {
namespace {

using namespace std::chrono_literals;

struct FakeSink {
  FakeSink() {
    sink.write = [this](const char* data, size_t n) {
      if (!writable) return false;
      written.append(data, n);
      return true;
    };
    sink.is_writable = [this] { return writable.load(); };
    sink.done = [this] { done = true; };
  }
  httplib::DataSink sink;
  std::string written;
  std::atomic<bool> writable{true};
  bool done = false;
};

TEST(SsePump, SendsEverythingUntilTheClose) {
  EventChannel channel;
  FakeSink fake;
  serve::CancelFlag cancel;
  channel.push("event: a\ndata: {}\n\n");
  channel.push("event: b\ndata: {}\n\n", /*close=*/true);
  channel.push("late", false);  // after the close: dropped
  EXPECT_TRUE(pump_events(channel, fake.sink, cancel, 10s));
  EXPECT_EQ(fake.written, "event: a\ndata: {}\n\nevent: b\ndata: {}\n\n");
  EXPECT_TRUE(fake.done);
  EXPECT_FALSE(cancel.cancelled());
}

TEST(SsePump, PingsWhileQuietAndNotAfterTheEnd) {
  EventChannel channel;
  FakeSink fake;
  serve::CancelFlag cancel;
  channel.push("event: message_start\ndata: {}\n\n");
  std::thread producer([&] {
    std::this_thread::sleep_for(120ms);
    channel.push("event: message_stop\ndata: {}\n\n", /*close=*/true);
  });
  EXPECT_TRUE(pump_events(channel, fake.sink, cancel, 20ms));
  producer.join();
  const std::string ping(kPingEvent);
  const size_t first_ping = fake.written.find(ping);
  ASSERT_NE(first_ping, std::string::npos) << fake.written;
  EXPECT_EQ(first_ping, std::string("event: message_start\ndata: {}\n\n").size());
  EXPECT_TRUE(fake.written.ends_with("event: message_stop\ndata: {}\n\n")) << fake.written;
}

TEST(SsePump, ClientThatLeftCancelsTheRun) {
  EventChannel channel;
  FakeSink fake;
  serve::CancelFlag cancel;
  channel.push("event: message_start\ndata: {}\n\n");
  fake.writable = false;
  EXPECT_FALSE(pump_events(channel, fake.sink, cancel, 10s));
  EXPECT_TRUE(cancel.cancelled());
  EXPECT_FALSE(fake.done);
}

TEST(SsePump, DisconnectIsNoticedWithoutAnyWrite) {
  EventChannel channel;
  FakeSink fake;
  serve::CancelFlag cancel;
  std::thread client([&] {
    std::this_thread::sleep_for(50ms);
    fake.writable = false;
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pump_events(channel, fake.sink, cancel, 10s));
  client.join();
  EXPECT_TRUE(cancel.cancelled());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms + 3 * kDisconnectPoll);
}

}  // namespace
}  // namespace server
