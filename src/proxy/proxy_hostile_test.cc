// The hostile-input suite: the proxy in process, raw client sockets, and a scripted upstream
// that misbehaves on purpose. Timing is causal, not measured: a test that checks streaming
// makes the upstream wait until the client has seen a piece before it sends the next, so a
// proxy that buffers fails by never delivering it (bounded by a generous socket timeout).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "proxy/proxy_test_peers.h"

namespace berth::proxy {
namespace {

using namespace std::chrono_literals;
using namespace berth::proxy::testing;

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += p + "\n---\n";
  return out;
}

std::string StatusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

// An upstream that answers every request with 200 "ok" and keeps nothing open.
void AnswerOk(Socket& conn, const std::string&) {
  std::string rest;
  conn.ReadSome(50ms);  // a body, if any
  conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
}

// ---- Framing: a request with broken framing never reaches the upstream.

struct BadRequestCase {
  const char* name;
  std::string request;
  const char* status;  // the status line's start
};

TEST(ProxyHostileTest, BrokenFramingIsRefusedBeforeTheUpstream) {
  const std::string big(20000, 'a');
  const std::vector<BadRequestCase> cases = {
      {"transfer-coding other than chunked",
       "POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0"
       "\r\n\r\n",
       "HTTP/1.1 400"},
      {"chunked not last",
       "POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
       "HTTP/1.1 400"},
      {"a coding before chunked",
       "POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
       "HTTP/1.1 501"},
      {"Content-Length and Transfer-Encoding (smuggling)",
       "POST / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 4\r\nTransfer-Encoding: "
       "chunked\r\n\r\n0\r\n\r\n",
       "HTTP/1.1 400"},
      {"conflicting Content-Length values",
       "POST / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 5, 6\r\n\r\nhello!",
       "HTTP/1.1 400"},
      {"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400"},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a.localhost\r\nHost: evil.com\r\n\r\n",
       "HTTP/1.1 400"},
      {"a fragment in the target", "GET /x#y HTTP/1.1\r\nHost: a.localhost\r\n\r\n",
       "HTTP/1.1 400"},
      {"a relative target", "GET x/y HTTP/1.1\r\nHost: a.localhost\r\n\r\n", "HTTP/1.1 400"},
      {"CONNECT", "CONNECT a.localhost:443 HTTP/1.1\r\nHost: a.localhost:443\r\n\r\n",
       "HTTP/1.1 405"},
      {"an invalid chunk size",
       "POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
       "HTTP/1.1 400"},
      {"a header block over the limit",
       "GET / HTTP/1.1\r\nHost: a.localhost\r\nX-Big: " + big + "\r\n\r\n", "HTTP/1.1 431"},
      {"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", "HTTP/1.1 400"},
  };
  ScriptedUpstream upstream(AnswerOk);
  Proxy proxy(upstream.port());
  for (const auto& c : cases) {
    std::string response = proxy.Exchange(c.request);
    EXPECT_TRUE(response.starts_with(c.status))
        << c.name << ": got \"" << StatusLine(response) << "\"";
  }
  // The invalid chunk is the only case whose head may reach the upstream (its framing is
  // broken only in the body); every other case stops at Berth.
  EXPECT_LE(upstream.connections(), 1) << Joined(upstream.Received());
}

// ---- What reaches the upstream: Berth's own forwarding headers, never the client's.

TEST(ProxyHostileTest, TrailersNeverBecomeHeadersAndOnlyHarmlessOnesPass) {
  Signal got_body;
  std::string body_seen;
  ScriptedUpstream upstream([&](Socket& conn, const std::string& head) {
    body_seen = head.substr(head.find("\r\n\r\n") + 4);
    conn.ReadUntil(body_seen, "\r\n0\r\n");
    conn.ReadUntil(body_seen, "\r\n\r\n");
    got_body.Set();
    conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  });
  Proxy proxy(upstream.port());
  std::string response = proxy.Exchange(
      "POST /t HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\n"
      "Host: evil.com\r\nAuthorization: Bearer stolen\r\nX-Checksum: abc\r\n\r\n");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << StatusLine(response);
  ASSERT_TRUE(got_body.Wait());
  auto heads = upstream.Received();
  ASSERT_EQ(heads.size(), 1u);
  std::string head = heads[0].substr(0, heads[0].find("\r\n\r\n"));
  EXPECT_EQ(head.find("6.6.6.6"), std::string::npos) << head;
  EXPECT_EQ(head.find("evil.com"), std::string::npos) << head;
  EXPECT_EQ(head.find("stolen"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Forwarded-For: 127.0.0.1"), std::string::npos) << head;
  // The body and the trailer section: the harmless trailer only.
  EXPECT_NE(body_seen.find("hello"), std::string::npos) << body_seen;
  EXPECT_NE(body_seen.find("X-Checksum: abc\r\n"), std::string::npos) << body_seen;
  EXPECT_EQ(body_seen.find("6.6.6.6"), std::string::npos) << body_seen;
  EXPECT_EQ(body_seen.find("evil.com"), std::string::npos) << body_seen;
  EXPECT_EQ(body_seen.find("stolen"), std::string::npos) << body_seen;
}

TEST(ProxyHostileTest, TargetsAndHeadersAreNormalisedForTheUpstream) {
  ScriptedUpstream upstream(AnswerOk);
  Proxy proxy(upstream.port());
  std::string r1 = proxy.Exchange(
      "GET /echo/../../etc/passwd HTTP/1.1\r\nHost: a.localhost\r\nProxy: http://evil:3128\r\n"
      "X-Real-IP: 6.6.6.6\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(r1.starts_with("HTTP/1.1 200")) << StatusLine(r1);
  EXPECT_NE(r1.find("Via: 1.1 berth-"), std::string::npos) << r1;
  std::string r2 = proxy.Exchange(
      "POST http://other.localhost/abs?q=1 HTTP/1.1\r\nHost: a.localhost\r\n"
      "Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  EXPECT_TRUE(r2.starts_with("HTTP/1.1 200")) << StatusLine(r2);
  auto heads = upstream.Received();
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_TRUE(heads[0].starts_with("GET /etc/passwd HTTP/1.1\r\n")) << heads[0];
  EXPECT_EQ(heads[0].find("Proxy:"), std::string::npos) << heads[0];
  EXPECT_NE(heads[0].find("X-Real-IP: 127.0.0.1\r\n"), std::string::npos) << heads[0];
  EXPECT_NE(heads[0].find("Via: 1.1 berth-"), std::string::npos) << heads[0];
  EXPECT_TRUE(heads[1].starts_with("POST /abs?q=1 HTTP/1.1\r\n")) << heads[1];
  EXPECT_NE(heads[1].find("X-Forwarded-Host: other.localhost\r\n"), std::string::npos) << heads[1];
  size_t first = heads[1].find("Content-Length:");
  EXPECT_NE(first, std::string::npos) << heads[1];
  EXPECT_EQ(heads[1].find("Content-Length:", first + 1), std::string::npos) << heads[1];
}

// ---- Loops.

TEST(ProxyHostileTest, AnAppThatProxiesToBerthItselfIsALoopNotAnFdLeak) {
  Proxy proxy(0);  // "/" goes to the proxy's own port
  std::string response =
      proxy.Exchange("GET /x HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\n\r\n");
  // The second pass refuses with 508; the first relays that answer.
  EXPECT_TRUE(response.starts_with("HTTP/1.1 508")) << StatusLine(response);
  EXPECT_NE(response.find("request loop"), std::string::npos) << response;
}

// ---- Streaming: every byte goes on as soon as it arrives.

TEST(ProxyHostileTest, ServerSentEventsArriveOneByOne) {
  Signal seen[3];
  ScriptedUpstream upstream([&](Socket& conn, const std::string&) {
    conn.Send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 3; ++i) {
      conn.Send("data: event " + std::to_string(i) + "\n\n");
      // The next event only after the client has this one: a buffering proxy never gets there.
      if (!seen[i].Wait()) return;
    }
  });
  Proxy proxy(upstream.port());
  Socket c = Socket::Connect(proxy.port());
  c.Send("GET /events HTTP/1.1\r\nHost: a.localhost\r\n\r\n");
  std::string got;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.ReadUntil(got, "data: event " + std::to_string(i) + "\n\n"))
        << "event " << i << " was held back; got so far: " << got;
    seen[i].Set();
  }
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
}

TEST(ProxyHostileTest, HeadersGoOutBeforeTheBodyAndAStalledBodyKeepsWhatCame) {
  Signal head_seen, part_seen;
  ScriptedUpstream upstream([&](Socket& conn, const std::string&) {
    conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    if (!head_seen.Wait()) return;
    conn.Send("0123456789");
    part_seen.Wait();
    // Then the upstream dies mid-body.
  });
  Proxy proxy(upstream.port());
  Socket c = Socket::Connect(proxy.port());
  c.Send("GET /slow HTTP/1.1\r\nHost: a.localhost\r\n\r\n");
  std::string got;
  ASSERT_TRUE(c.ReadUntil(got, "\r\n\r\n")) << "the head was held back for the body";
  head_seen.Set();
  ASSERT_TRUE(c.ReadUntil(got, "0123456789")) << "the first bytes were held back: " << got;
  part_seen.Set();
  // The framing is broken (90 bytes missing): the client connection closes, nothing is added.
  EXPECT_TRUE(c.ReadToEnd(got));
  EXPECT_TRUE(got.ends_with("0123456789")) << got;
}

TEST(ProxyHostileTest, RequestBodiesStreamToTheUpstream) {
  Signal first_part;
  std::string seen;
  ScriptedUpstream upstream([&](Socket& conn, const std::string& head) {
    seen = head.substr(head.find("\r\n\r\n") + 4);
    if (!conn.ReadUntil(seen, "part1")) return;
    first_part.Set();
    if (!conn.ReadUntil(seen, "part2")) return;
    conn.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  });
  Proxy proxy(upstream.port());
  Socket c = Socket::Connect(proxy.port());
  c.Send("POST /up HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 10\r\n\r\npart1");
  ASSERT_TRUE(first_part.Wait()) << "the first part of the body was held back";
  c.Send("part2");
  std::string got;
  ASSERT_TRUE(c.ReadUntil(got, "ok"));
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200")) << got;
}

// ---- Clients that leave, upstreams that lie.

TEST(ProxyHostileTest, AClientThatHangsUpCancelsItsUpstreamRequest) {
  Signal upstream_saw_close;
  ScriptedUpstream upstream([&](Socket& conn, const std::string&) {
    // Never answers; waits to see the proxy give up on it.
    std::string rest;
    if (conn.ReadToEnd(rest, 30s)) upstream_saw_close.Set();
  });
  ProxyOptions o;
  o.upstream_timeout = 120s;  // only the client's leaving can end the wait in time
  Proxy proxy(upstream.port(), o);
  {
    Socket c = Socket::Connect(proxy.port());
    c.Send("GET /forever HTTP/1.1\r\nHost: a.localhost\r\n\r\n");
    while (upstream.Received().empty()) std::this_thread::sleep_for(10ms);
  }  // the client closes here
  EXPECT_TRUE(upstream_saw_close.Wait(20s)) << "the upstream connection stayed open";
}

TEST(ProxyHostileTest, AnUnaskedSwitchOfProtocolsIs502) {
  ScriptedUpstream upstream([&](Socket& conn, const std::string&) {
    conn.Send(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    std::string rest;
    conn.ReadToEnd(rest, 5s);
  });
  Proxy proxy(upstream.port());
  std::string response =
      proxy.Exchange("GET / HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 502")) << StatusLine(response);
}

TEST(ProxyHostileTest, UpstreamGarbageIs502) {
  ScriptedUpstream upstream(
      [&](Socket& conn, const std::string&) { conn.Send("this is not HTTP\r\n\r\n"); });
  Proxy proxy(upstream.port());
  std::string response =
      proxy.Exchange("GET / HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 502")) << StatusLine(response);
}

}  // namespace
}  // namespace berth::proxy
