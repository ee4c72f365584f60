// The upstream side of the proxy: a connection to an upstream (plain or TLS) and the
// per-worker keep-alive pool of idle ones. Internal to the proxy: included by proxy_worker.h
// and proxy_session.cc. Touched by one worker thread; no locks.
#pragma once

#include <sys/socket.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>

#include "proxy/timed_stream.h"

namespace berth::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// Every socket is a TimedStream: tcp_stream's timeouts without its per-operation timer waits.
using TlsStream = beast::ssl_stream<TimedStream>;

// ---------------------------------------------------------------------------------------------
// Upstream connections and the per-thread keep-alive pool.

struct UpstreamConn {
  std::variant<TimedStream, TlsStream> stream;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
  bool reused = false;

  template <typename Fn>
  decltype(auto) Visit(Fn&& fn) {
    return std::visit(std::forward<Fn>(fn), stream);
  }
  tcp::socket& socket() {
    return Visit([](auto& s) -> tcp::socket& { return beast::get_lowest_layer(s).socket(); });
  }
};

// Idle upstream connections of one worker thread, keyed by upstream. Touched only on that
// thread, so it needs no lock.
class UpstreamPool {
 public:
  UpstreamPool(size_t max_idle, std::chrono::milliseconds max_age)
      : max_idle_(max_idle), max_age_(max_age) {}

  // An idle connection to `key`, or null. With `probe`, one the upstream has visibly closed
  // is skipped (a syscall per take); without, a request that finds its connection dead is
  // retried on a new one, which only requests without a body can afford.
  std::unique_ptr<UpstreamConn> Take(const std::string& key, bool probe) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    auto now = std::chrono::steady_clock::now();
    while (!list.empty()) {
      std::unique_ptr<UpstreamConn> c = std::move(list.back());
      list.pop_back();
      if (now - c->idle_since < max_age_ && c->buffer.size() == 0 && (!probe || LooksOpen(*c))) {
        c->reused = true;
        return c;
      }
    }
    return nullptr;
  }

  void Put(const std::string& key, std::unique_ptr<UpstreamConn> c) {
    if (max_idle_ == 0) return;
    auto& list = idle_[key];
    if (list.size() >= max_idle_) list.pop_front();
    c->idle_since = std::chrono::steady_clock::now();
    list.push_back(std::move(c));
  }

  // Closes connections idle for longer than max_age.
  void Sweep() {
    auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& list = it->second;
      while (!list.empty() && now - list.front()->idle_since >= max_age_) list.pop_front();
      it = list.empty() ? idle_.erase(it) : std::next(it);
    }
  }

  void Clear() { idle_.clear(); }

 private:
  // A pooled connection the upstream closed shows EOF (or an error) to a non-blocking peek;
  // unread bytes mean the upstream sent something unexpected, so it is not reusable either.
  static bool LooksOpen(UpstreamConn& c) {
    char byte;
    ssize_t n = ::recv(c.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  const size_t max_idle_;
  const std::chrono::milliseconds max_age_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<UpstreamConn>>> idle_;
};

}  // namespace berth::proxy
