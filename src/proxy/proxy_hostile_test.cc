// The hostile-input suite: the proxy in process, raw client sockets, and a scripted upstream
// that misbehaves on purpose. Timing is causal, not measured: a test that checks streaming
// makes the upstream wait until the client has seen a piece before it sends the next, so a
// proxy that buffers fails by never delivering it (bounded by a generous socket timeout).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proxy/proxy_server.h"
#include "proxy/route_table.h"

namespace berth::proxy {
namespace {

using namespace std::chrono_literals;
constexpr auto kPatience = 10s;  // how long a test waits for something that should come

// ---- Raw sockets.

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket& operator=(Socket&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

  static Socket Connect(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      ::close(fd);
      return Socket();
    }
    return Socket(fd);
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads what is there, waiting up to `wait` for the first byte. "" on EOF or timeout;
  // `eof` tells which.
  std::string ReadSome(std::chrono::milliseconds wait, bool* eof = nullptr) {
    pollfd p{fd_, POLLIN, 0};
    if (eof) *eof = false;
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return "";
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      if (eof) *eof = true;
      return "";
    }
    return std::string(buf, static_cast<size_t>(n));
  }

  // Reads into `have` until it contains `what` (true) or EOF/timeout (false).
  bool ReadUntil(std::string& have, std::string_view what,
                 std::chrono::milliseconds wait = kPatience) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (have.find(what) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      bool eof = false;
      std::string got = ReadSome(left, &eof);
      if (eof) return false;
      have += got;
    }
    return true;
  }

  // Reads everything until the peer closes (true) or the wait runs out (false).
  bool ReadToEnd(std::string& have, std::chrono::milliseconds wait = kPatience) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      bool eof = false;
      std::string got = ReadSome(left, &eof);
      if (eof) return true;
      have += got;
    }
  }

 private:
  int fd_;
};

// ---- A one-shot signal between the test and the upstream's thread.

class Signal {
 public:
  void Set() {
    std::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds wait = kPatience) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, wait, [this] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// ---- An upstream that runs a script per connection.

class ScriptedUpstream {
 public:
  using Script = std::function<void(Socket& conn, const std::string& head)>;

  explicit ScriptedUpstream(Script script) : script_(std::move(script)) {
    listener_ = Socket(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(listener_.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ::bind(listener_.fd(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::listen(listener_.fd(), 64);
    socklen_t len = sizeof(a);
    ::getsockname(listener_.fd(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~ScriptedUpstream() {
    stop_ = true;
    ::shutdown(listener_.fd(), SHUT_RDWR);
    acceptor_.join();
    for (auto& t : handlers_) t.join();
  }

  int port() const { return port_; }
  int connections() const { return connections_; }

  // The request heads (and any body bytes read with them) the upstream received, in order.
  std::vector<std::string> Received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      int fd = ::accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0) break;
      ++connections_;
      handlers_.emplace_back([this, fd] {
        Socket conn(fd);
        std::string head;
        if (!conn.ReadUntil(head, "\r\n\r\n")) return;
        {
          std::lock_guard lock(mu_);
          received_.push_back(head);
        }
        script_(conn, head);
      });
    }
  }

  Script script_;
  Socket listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::vector<std::thread> handlers_;  // touched by the acceptor thread only, then joined
  std::mutex mu_;
  std::vector<std::string> received_;  // guarded by mu_
};

// ---- The proxy under test: one app at "/" of every domain, served by `upstream_port`.

class Proxy {
 public:
  explicit Proxy(int upstream_port, ProxyOptions options = {})
      : server_(Options(options), router_) {
    auto port = server_.Listen("127.0.0.1", 0, nullptr);
    EXPECT_TRUE(port.ok());
    port_ = *port;
    Route(upstream_port > 0 ? upstream_port : port_);
    server_.Start();
  }
  ~Proxy() { server_.Shutdown(0ms); }

  int port() const { return port_; }

  // Routes "/" to `port` (the proxy's own port makes a loop).
  void Route(int port) {
    Upstream up;
    up.host = "127.0.0.1";
    up.port = static_cast<uint16_t>(port);
    proxy::Route r;
    r.app_id = "app_test";
    r.domain = "localhost";
    r.path = "/";
    r.backend = std::make_shared<StaticBackend>(up);
    router_.Publish(std::make_shared<RouteTable>(std::vector<proxy::Route>{r}, "localhost"));
  }

  // Sends `request` on a new connection and returns all the proxy answers before it closes
  // the connection (or kPatience runs out).
  std::string Exchange(std::string_view request) {
    Socket c = Socket::Connect(port_);
    c.Send(request);
    std::string out;
    c.ReadToEnd(out);
    return out;
  }

 private:
  static ProxyOptions Options(ProxyOptions o) {
    o.threads = 1;
    return o;
  }
  Router router_;
  ProxyServer server_;
  int port_ = 0;
};

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
