// What the proxy's threads own and share. A Worker is one thread's io_context with its upstream
// pool, connect gates and open client sessions: touched only on that thread, no locks.
// ProxyShared is what every session reads (options, the router, this server's Via name) and the
// counters it keeps: constant after construction except the atomics, so any thread may use it.
// Internal to the proxy: included by proxy_server.cc and proxy_session.cc only.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "proxy/connect_gate.h"
#include "proxy/fd_limit.h"
#include "proxy/proxy_server.h"
#include "proxy/upstream_pool.h"

namespace berth::proxy {

// An open client connection, as its worker sees it.
struct SessionEntry {
  std::function<void()> close;  // closes the client connection
  bool idle = true;             // waiting for (the start of) a request
};

// New connections to one upstream that are not answered yet, across all workers (each worker
// gets its share), and how long one counts at most (see connect_gate.h).
inline constexpr int kUnansweredConnectsPerUpstream = 8;
inline constexpr std::chrono::milliseconds kUnansweredConnectHold{50};

struct Worker {
  Worker(size_t max_idle, std::chrono::milliseconds max_age, int connects)
      : ioc(1), pool(max_idle, max_age), sweeper(ioc), connects_per_upstream(connects) {}

  ConnectGate& GateFor(const std::string& key) {
    auto& gate = gates[key];
    if (!gate) gate = ConnectGate::Create(ioc, connects_per_upstream, kUnansweredConnectHold);
    return *gate;
  }
  // Drops the gates of upstreams nobody is connecting to (a restarted container has a new
  // port, so keys come and go).
  void SweepGates() {
    std::erase_if(gates, [](const auto& kv) { return kv.second->idle(); });
  }

  boost::asio::io_context ioc;
  UpstreamPool pool;
  boost::asio::steady_timer sweeper;
  const int connects_per_upstream;
  std::unordered_map<std::string, std::shared_ptr<ConnectGate>> gates;  // by pool key
  std::list<SessionEntry> sessions;
  std::thread thread;
};

struct ProxyShared {
  ProxyShared(ProxyOptions o, Router& r);

  const ProxyOptions options;
  Router& router;
  boost::asio::ssl::context client_tls{boost::asio::ssl::context::tls_client};
  // This server's name in Via headers, random per process: a request that already names it
  // has looped back (a proxy app pointing at Berth itself) and is refused with 508.
  std::string via_pseudonym;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> in_flight{0};  // requests between their head and their last byte
  std::atomic<int> accept_loops{0};    // accept loops not ended yet
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> upstream_connects{0};
  RefusalLog refusals;  // connections refused near the open-file limit

  // Shutdown waits on `quiet` for in_flight and accept_loops to reach 0; the last request to
  // end after `stopping` is set, and the last accept loop, wake it. (The sequentially
  // consistent order of `stopping` and the counters means no wake-up is lost.)
  void RequestEnded() {
    if (in_flight.fetch_sub(1) == 1 && stopping.load()) WakeShutdown();
  }
  void AcceptLoopEnded() {
    if (accept_loops.fetch_sub(1) == 1) WakeShutdown();
  }
  bool Quiet() const { return in_flight.load() == 0 && accept_loops.load() == 0; }
  std::mutex quiet_mu;
  std::condition_variable quiet;

 private:
  void WakeShutdown() {
    std::lock_guard lock(quiet_mu);
    quiet.notify_all();
  }
};

}  // namespace berth::proxy
