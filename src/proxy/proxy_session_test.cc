// The proxy session in process, against scripted upstreams: replay of a request whose pooled
// connection died, 502 and 504, 100-continue, the WebSocket tunnel, and a shutdown that waits
// for the request in flight. Each test runs in milliseconds; nothing is timed but the bounds
// of waits for what should come.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "proxy/proxy_test_peers.h"

namespace berth::proxy {
namespace {

using namespace std::chrono_literals;
using namespace berth::proxy::testing;

// A loopback port nothing listens on.
int ClosedPort() {
  Socket s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s.fd(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);  // closed when `s` goes
}

// Connection 1 answers its first request and keeps the connection, then takes the next
// request on it and closes without an answer (a keep-alive race); later connections answer
// "second" and close.
ScriptedUpstream::Script DiesAfterOneAnswer(std::atomic<int>& connections) {
  return [&connections](Socket& conn, const std::string&) {
    if (++connections == 1) {
      conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
      std::string next;
      conn.ReadUntil(next, "\r\n\r\n");
      return;  // closes unanswered
    }
    conn.ReadSome(50ms);  // a body, if any
    conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond");
  };
}

// Sends `first`, reads its answer, then sends `second` on the same client connection and
// returns everything after the first answer.
std::string TwoOnOneConnection(int port, const std::string& first, const std::string& second) {
  Socket c = Socket::Connect(port);
  c.Send(first);
  std::string got;
  EXPECT_TRUE(c.ReadUntil(got, "first"));
  c.Send(second);
  std::string out;
  c.ReadToEnd(out);
  return out;
}

TEST(ProxySessionTest, AGetWhosePooledConnectionDiedIsSentAgainOnANewOne) {
  std::atomic<int> connections{0};
  ScriptedUpstream upstream(DiesAfterOneAnswer(connections));
  Proxy proxy(upstream.port());
  std::string out =
      TwoOnOneConnection(proxy.port(), "GET /1 HTTP/1.1\r\nHost: a.localhost\r\n\r\n",
                         "GET /2 HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200")) << out;
  EXPECT_TRUE(out.ends_with("second")) << out;
  ASSERT_EQ(upstream.connections(), 2);
  EXPECT_TRUE(upstream.Received()[1].starts_with("GET /2 ")) << upstream.Received()[1];
}

TEST(ProxySessionTest, APostWhosePooledConnectionDiedIsNotSentTwice) {
  std::atomic<int> connections{0};
  ScriptedUpstream upstream(DiesAfterOneAnswer(connections));
  Proxy proxy(upstream.port());
  std::string out = TwoOnOneConnection(
      proxy.port(), "GET /1 HTTP/1.1\r\nHost: a.localhost\r\n\r\n",
      "POST /2 HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
      "data");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 502")) << out;
  EXPECT_EQ(upstream.connections(), 1);
}

TEST(ProxySessionTest, ARefusedConnectionIs502) {
  Proxy proxy(ClosedPort());
  std::string out =
      proxy.Exchange("GET / HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 502")) << out;
  EXPECT_NE(out.find("connection refused"), std::string::npos) << out;
}

TEST(ProxySessionTest, AnUpstreamThatNeverAnswersIs504) {
  ScriptedUpstream upstream([](Socket& conn, const std::string&) {
    std::string rest;
    conn.ReadToEnd(rest, 30s);  // holds the request, says nothing
  });
  ProxyOptions o;
  o.upstream_timeout = 200ms;
  Proxy proxy(upstream.port(), o);
  std::string out =
      proxy.Exchange("GET / HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 504")) << out;
}

TEST(ProxySessionTest, ExpectContinueIsAnsweredByTheProxyAndTheBodyFollows) {
  ScriptedUpstream upstream([](Socket& conn, const std::string& head) {
    std::string body = head.substr(head.find("\r\n\r\n") + 4);
    if (body.size() < 4) conn.ReadUntil(body, "data");
    conn.Send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\nConnection: close\r\n\r\n" + body);
  });
  Proxy proxy(upstream.port());
  Socket c = Socket::Connect(proxy.port());
  c.Send(
      "POST /upload HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 4\r\n"
      "Expect: 100-continue\r\nConnection: close\r\n\r\n");
  std::string got;
  ASSERT_TRUE(c.ReadUntil(got, "\r\n\r\n")) << got;
  EXPECT_TRUE(got.starts_with("HTTP/1.1 100 Continue\r\n")) << got;
  c.Send("data");
  std::string rest;
  c.ReadToEnd(rest);
  EXPECT_TRUE(rest.find("HTTP/1.1 200") != std::string::npos) << rest;
  EXPECT_TRUE(rest.ends_with("data")) << rest;
  // The upstream gets the body without being asked: no Expect of its own.
  EXPECT_EQ(upstream.Received()[0].find("Expect"), std::string::npos) << upstream.Received()[0];
}

TEST(ProxySessionTest, AWebSocketIsTunnelledBothWays) {
  ScriptedUpstream upstream([](Socket& conn, const std::string& head) {
    if (head.find("Upgrade: websocket") == std::string::npos) return;
    conn.Send(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    while (true) {
      bool eof = false;
      std::string got = conn.ReadSome(kPatience, &eof);
      if (eof || got.empty()) return;
      conn.Send("echo:" + got);
    }
  });
  Proxy proxy(upstream.port());
  Socket c = Socket::Connect(proxy.port());
  c.Send(
      "GET /ws HTTP/1.1\r\nHost: a.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  std::string got;
  ASSERT_TRUE(c.ReadUntil(got, "\r\n\r\n")) << got;
  EXPECT_TRUE(got.starts_with("HTTP/1.1 101")) << got;
  c.Send("ping");
  std::string echo;
  EXPECT_TRUE(c.ReadUntil(echo, "echo:ping")) << echo;
}

TEST(ProxySessionTest, AShutdownWaitsForTheRequestInFlightAndClosesIdleConnections) {
  Signal upstream_has_it, answer;
  ScriptedUpstream upstream([&](Socket& conn, const std::string&) {
    upstream_has_it.Set();
    answer.Wait();
    conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
  });
  Proxy proxy(upstream.port());
  Socket idle = Socket::Connect(proxy.port());  // connected, never asks anything
  Socket busy = Socket::Connect(proxy.port());
  busy.Send("GET /slow HTTP/1.1\r\nHost: a.localhost\r\n\r\n");
  ASSERT_TRUE(upstream_has_it.Wait());

  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> clean{false};
  std::thread stopper([&] { clean = proxy.Shutdown(300s); });
  // The listener closes first: once new connections are refused, the shutdown is under way.
  while (Socket::Connect(proxy.port()).fd() >= 0) std::this_thread::sleep_for(5ms);
  std::string idle_end;
  EXPECT_TRUE(idle.ReadToEnd(idle_end)) << "the idle connection stayed open";
  answer.Set();
  std::string response;
  EXPECT_TRUE(busy.ReadToEnd(response)) << "the busy connection was not closed after its answer";
  stopper.join();
  EXPECT_TRUE(clean);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200") && response.ends_with("done")) << response;
  // The end of the last request wakes the shutdown: it does not sit out its grace period.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 60s);
}

}  // namespace
}  // namespace berth::proxy
