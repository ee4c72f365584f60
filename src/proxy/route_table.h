// RouteTable: host + path -> app route, the proxy's routing decision. Immutable once built;
// Router publishes new tables and gives each thread a cheap view of the current one.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/upstream.h"

namespace berth::proxy {

struct Route {
  std::string app_id;
  std::string domain;  // lowercase
  std::string path;    // "/" or "/a/b"
  bool strip_app = true;
  bool preserve_host = false;
  std::shared_ptr<Backend> backend;
};

class RouteTable {
 public:
  RouteTable(std::vector<Route> routes, std::string default_domain);
  // Shares the routes with whoever else holds them (say, the previous table): building a table
  // of n routes copies n pointers and fills one index array, it copies no route. A later
  // route with the same domain and path as an earlier one replaces it.
  RouteTable(std::vector<std::shared_ptr<const Route>> routes, std::string default_domain);

  // The route for a request: `host` is the Host header (any port is ignored, case does not
  // matter; a host with no apps falls back to the default domain), `path` the request path
  // without the query. The longest app path that is a prefix on a "/" boundary wins.
  // Returns null when no app matches.
  const Route* Match(std::string_view host, std::string_view path) const;

  size_t size() const { return routes_.size(); }
  // The routes in the order they were given.
  const std::vector<std::shared_ptr<const Route>>& routes() const { return routes_; }

 private:
  // Open addressing with linear probing over power-of-two arrays of 8-byte slots, at most
  // half full: two allocations for the whole index, whatever the number of routes.
  struct Slot {
    uint32_t hash = 0;   // the low 32 bits of the key's hash
    uint32_t route = 0;  // 1 + index into routes_; 0: empty
  };
  void BuildIndex();
  const Route* Find(const std::vector<Slot>& slots, uint64_t hash, std::string_view domain,
                    const std::string_view* path) const;

  std::vector<std::shared_ptr<const Route>> routes_;
  std::string default_domain_;
  std::vector<Slot> by_path_;    // hash of (domain, path) -> route
  std::vector<Slot> by_domain_;  // hash of domain -> one route of that domain
};

// Strips the port and lowercases: "Example.com:8080" -> "example.com", "[::1]:80" -> "::1".
std::string NormalizeHost(std::string_view host);

// Holds the current table. Publish() from any thread; Current() is cheap on the hot path:
// each thread keeps its own reference and refreshes it only when the generation moves.
class Router {
 public:
  Router();
  void Publish(std::shared_ptr<const RouteTable> table);
  // The current table. The reference stays valid until this thread calls Current() or
  // Snapshot() again after a Publish(); hold a Snapshot() across waits.
  const RouteTable& Current() const;
  std::shared_ptr<const RouteTable> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const RouteTable> table_;  // guarded by mu_
  std::atomic<uint64_t> generation_{1};
  const uint64_t id_;
};

}  // namespace berth::proxy
