// ProxyServer: the data path. HTTP and HTTPS listeners, one io_context thread per core, and
// for every request: route by Host and path, acquire the app's upstream, stream the request
// and the response through (bodies never buffered whole), keep-alive on both sides, WebSocket
// upgrades relayed as raw bytes.
//
// Near the open-file limit, a new client connection is answered 503 and closed at once: once
// half of what is left after a reserve (an eighth of the limit, at least 64) is in use, so
// that the descriptors left serve the upstreams of the connections already accepted and the
// rest of the server (the admin socket, the store, the container engine).
//
// Threads and lifetime: Listen, Start and Shutdown are called from one controlling thread;
// Stats from any thread. The Router must outlive the server, and so must every Backend a route
// hands out while a session may still hold one of its leases (the server's owner destroys the
// proxy before the backends). Destroying a started server shuts it down with no grace.
//
// Beast and Asio stay inside proxy_server.cc: this header is cheap to include.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "proxy/route_table.h"

namespace berth::proxy {

struct ProxyOptions {
  int threads = 0;  // 0: one per core
  size_t max_header_bytes = 16384;
  std::chrono::milliseconds client_header_timeout{30'000};
  std::chrono::milliseconds keep_alive_timeout{75'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds upstream_connect_timeout{10'000};
  std::chrono::milliseconds upstream_timeout{60'000};
  std::chrono::milliseconds websocket_idle_timeout{3'600'000};
  size_t upstream_pool_max_idle = 64;
  std::chrono::milliseconds upstream_pool_idle{60'000};
  // Receives one line per proxied request when set; called on network threads, must not block.
  std::function<void(const std::string&)> access_log;
  // Receives a warning when connections are refused near the open-file limit (at most one
  // line per 10 s, see RefusalLog); called on a network thread, must not block.
  std::function<void(const std::string&)> warn_log;
};

struct ProxyStats {
  uint64_t connections_accepted = 0;
  uint64_t requests = 0;
  uint64_t requests_in_flight = 0;
  uint64_t upstream_connects = 0;    // new upstream connections (the rest reused the pool)
  uint64_t connections_refused = 0;  // answered 503 at once near the open-file limit
};

class ProxyServer {
 public:
  ProxyServer(ProxyOptions options, Router& router);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Binds a listener before Start(). `tls` null: plain HTTP. Port 0 picks a free port.
  // Returns the bound port.
  Result<int> Listen(const std::string& host, int port, SSL_CTX* tls);

  // Starts the worker threads and the accept loops.
  void Start();

  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish
  // within `grace`, then stops the threads. Returns true when nothing was cut off.
  bool Shutdown(std::chrono::milliseconds grace);

  ProxyStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::proxy
