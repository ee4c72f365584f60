// Upstream: where the proxy sends an app's requests, and the Backend seam through which the
// app layer hands out upstreams (at once for a fixed URL, after a cold start for a container).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace berth::proxy {

struct Upstream {
  bool tls = false;  // https
  std::string host;  // name or IP literal
  uint16_t port = 0;
  std::string base_path;  // path prefix of the upstream URL, "" for none ("/api" of http://x/api)

  // "host" or "host:port" (port omitted when it is the scheme's default): the Host header.
  std::string HostHeader() const;
  // Identifies interchangeable connections in the keep-alive pool.
  std::string PoolKey() const;
};

// Parses "http://host[:port][/path]" or "https://...". IPv6 literals go in brackets.
Result<Upstream> ParseUpstreamUrl(const std::string& url);

// Activity reporting: the app layer learns that requests are in flight and bytes move, so it
// never stops a container that is in use. Touch() is cheap and thread-safe.
class Activity {
 public:
  virtual ~Activity() = default;
  virtual void Touch() = 0;
  // The exchange became a long-lived tunnel (WebSocket): from now on only bytes moving count
  // as activity, not the open connection itself.
  virtual void Upgraded() {}
};

// What a request gets from its app: an upstream plus an activity handle that stays alive (and
// counts as a request in flight) until the response is done.
struct Acquired {
  Status status;                 // not ok: the request fails with `http_status` and the message
  int http_status = 200;         // for failures: 502, 503, 504...
  int64_t retry_after_secs = 0;  // for failures: a Retry-After header when > 0
  Upstream upstream;
  std::shared_ptr<Activity> activity;  // may be null for apps that do not track activity
  std::string server_timing;           // a Server-Timing header value, "" for none
  uint64_t token = 0;                  // the backend's own mark (e.g. which container run)
};

// One app's source of upstreams. Implementations are thread-safe.
class Backend {
 public:
  virtual ~Backend() = default;
  // Fast path: fills `out` and returns true when the answer is known now (ready or failed).
  virtual bool TryAcquire(Acquired* out) = 0;
  // Slow path, after TryAcquire returned false: calls `done` exactly once, from any thread.
  virtual void AcquireAsync(std::function<void(Acquired)> done) = 0;
  // The proxy could not connect to the upstream it was given: refused, or no answer within
  // the connect timeout (`timed_out`). Returns true when the backend has dealt with it (e.g.
  // marked a dead container for restart) and the proxy should acquire again, once.
  virtual bool RetryAfterConnectFailure(const Acquired& failed, bool timed_out) { return false; }
};

// A backend with one fixed upstream (the proxy spec).
class StaticBackend : public Backend {
 public:
  explicit StaticBackend(Upstream upstream) : upstream_(std::move(upstream)) {}
  bool TryAcquire(Acquired* out) override;
  void AcquireAsync(std::function<void(Acquired)> done) override;

 private:
  const Upstream upstream_;
};

}  // namespace berth::proxy
