// Test-only (included by the proxy's tests, never by the library): the peers of an
// in-process proxy under test. Raw client sockets, a one-shot Signal between threads, a scripted
// upstream that runs a script per connection, and the proxy itself with one app at "/" of every
// domain. Timing is causal: a test makes one side wait for a Signal the other side sets, and
// kPatience only bounds a wait for something that should come.
#pragma once

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

namespace berth::proxy::testing {

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
  // ProxyServer::Shutdown.
  bool Shutdown(std::chrono::milliseconds grace) { return server_.Shutdown(grace); }
  ProxyStats Stats() const { return server_.Stats(); }

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

}  // namespace berth::proxy::testing
