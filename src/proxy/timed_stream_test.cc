#include "proxy/timed_stream.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/write.hpp>
#include <optional>
#include <vector>

namespace berth::proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

// A connected pair on loopback: `stream` (the TimedStream under test) and its raw `peer`.
class TimedStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    stream_.emplace(ioc_);
    std::vector<tcp::endpoint> eps{acceptor.local_endpoint()};
    std::optional<error_code> connected;
    stream_->async_connect(eps, [&](error_code ec, tcp::endpoint) { connected = ec; });
    peer_ = acceptor.accept();
    ioc_.run_for(1s);
    ioc_.restart();
    ASSERT_TRUE(connected.has_value());
    ASSERT_FALSE(*connected) << connected->message();
  }

  // Runs the io_context until `done` is set (5 s at most).
  template <typename T>
  void RunUntil(const std::optional<T>& done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done && std::chrono::steady_clock::now() < deadline) ioc_.run_one_for(50ms);
    ioc_.restart();
  }

  asio::io_context ioc_;
  std::optional<TimedStream> stream_;
  tcp::socket peer_{ioc_};
  std::array<char, 64> buf_{};
};

TEST_F(TimedStreamTest, ReadPastItsDeadlineTimesOutAndCloses) {
  auto start = std::chrono::steady_clock::now();
  stream_->expires_after(50ms);
  std::optional<error_code> got;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { got = ec; });
  RunUntil(got);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, boost::beast::error::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_FALSE(stream_->socket().is_open());
}

TEST_F(TimedStreamTest, ReadInTimeCompletesAndALaterDeadlineStillHolds) {
  // A short deadline for the first read, which completes at once; the watch it armed fires
  // after the deadline has moved later, and must neither close the stream nor stop watching.
  stream_->expires_after(20ms);
  asio::write(peer_, asio::buffer("a", 1));
  std::optional<error_code> first;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { first = ec; });
  RunUntil(first);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(*first);

  stream_->expires_after(300ms);
  std::optional<error_code> second;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { second = ec; });
  asio::steady_timer later(ioc_, 100ms);
  later.async_wait([&](error_code) { asio::write(peer_, asio::buffer("b", 1)); });
  RunUntil(second);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(*second) << second->message();

  auto start = std::chrono::steady_clock::now();
  stream_->expires_after(50ms);
  std::optional<error_code> third;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { third = ec; });
  RunUntil(third);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(*third, boost::beast::error::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST_F(TimedStreamTest, DeadlineMovedEarlierIsWatched) {
  // The first read arms the watch for 10 s; the next, with 50 ms, must not wait for it.
  stream_->expires_after(10s);
  asio::write(peer_, asio::buffer("a", 1));
  std::optional<error_code> first;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { first = ec; });
  RunUntil(first);
  ASSERT_TRUE(first.has_value() && !*first);

  stream_->expires_after(50ms);
  std::optional<error_code> second;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { second = ec; });
  RunUntil(second);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, boost::beast::error::timeout);
}

TEST_F(TimedStreamTest, PendingWriteKeepsItsDeadlineWhileReadsMoveTheirs) {
  // The peer reads nothing, so a large write stalls; a read started later with a long
  // deadline must not extend the write's.
  stream_->socket().set_option(asio::socket_base::send_buffer_size(4096));
  peer_.set_option(asio::socket_base::receive_buffer_size(4096));
  std::vector<char> big(8 << 20, 'x');
  stream_->expires_after(100ms);
  std::optional<error_code> wrote;
  asio::async_write(*stream_, asio::buffer(big), [&](error_code ec, size_t) { wrote = ec; });
  stream_->expires_after(10s);  // applies to the read only: the write is pending
  std::optional<error_code> read;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { read = ec; });
  RunUntil(wrote);
  ASSERT_TRUE(wrote.has_value());
  EXPECT_EQ(*wrote, boost::beast::error::timeout);
  RunUntil(read);  // the socket is closed: the read ends too, as with tcp_stream
  ASSERT_TRUE(read.has_value());
  EXPECT_NE(*read, boost::beast::error::timeout);
}

TEST_F(TimedStreamTest, NoDeadlineNeverTimesOut) {
  stream_->expires_never();
  std::optional<error_code> got;
  stream_->async_read_some(asio::buffer(buf_), [&](error_code ec, size_t) { got = ec; });
  ioc_.run_for(100ms);
  ioc_.restart();
  EXPECT_FALSE(got.has_value());
  asio::write(peer_, asio::buffer("a", 1));
  RunUntil(got);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(*got);
}

}  // namespace
}  // namespace berth::proxy
