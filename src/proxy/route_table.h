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
  // Shares the routes with whoever else holds them: building a table of n routes copies n
  // pointers and fills one index, it copies no route. A later route with the same domain and
  // path as an earlier one replaces it.
  RouteTable(std::vector<std::shared_ptr<const Route>> routes, std::string default_domain);

  // The table `previous` with the routes `removed` taken out and `added` put in (a route
  // replaced by another is in both), for one change among many routes: it copies the
  // previous table's index and patches it, without touching the routes that did not change.
  // The removed routes stay allocated until a later Patch() builds a table afresh from `all`
  // (every route of the new table, as for the constructor), which it does after every
  // kRebuildAfter patches, whenever the index must grow, and when `previous` has another
  // default domain. A removed route must be in
  // `previous`; an added one must not.
  static std::shared_ptr<const RouteTable> Patch(
      const std::shared_ptr<const RouteTable>& previous, const std::string& default_domain,
      const std::vector<std::shared_ptr<const Route>>& all,
      const std::vector<std::shared_ptr<const Route>>& removed,
      const std::vector<std::shared_ptr<const Route>>& added);
  static constexpr int kRebuildAfter = 64;

  // The route for a request: `host` is the Host header (any port is ignored, case does not
  // matter; a host with no apps falls back to the default domain), `path` the request path
  // without the query. The longest app path that is a prefix on a "/" boundary wins.
  // Returns null when no app matches.
  const Route* Match(std::string_view host, std::string_view path) const;

  size_t size() const { return size_; }

 private:
  RouteTable() = default;
  // Open addressing with linear probing over power-of-two arrays, at most half full.
  struct Slot {
    uint64_t hash = 0;
    const Route* route = nullptr;  // null: empty
  };
  struct DomainSlot {
    uint64_t hash = 0;
    const Route* route = nullptr;  // one route of the domain (for its name); null: empty
    size_t routes = 0;             // how many routes the domain has
  };
  // What keeps the routes alive: the routes a table added, and the list of the table it was
  // patched from.
  struct Keep {
    std::vector<std::shared_ptr<const Route>> routes;
    std::shared_ptr<const Keep> older;
  };
  void Build();
  void Insert(const Route* route);
  void Remove(const Route* route);
  static const Slot* FindSlot(const std::vector<Slot>& slots, uint64_t hash,
                              std::string_view domain, std::string_view path);
  DomainSlot* FindDomain(uint64_t hash, std::string_view domain);
  const DomainSlot* FindDomain(uint64_t hash, std::string_view domain) const;

  std::shared_ptr<const Keep> keep_;
  int patches_ = 0;     // since the table was last built afresh
  size_t size_ = 0;     // routes in by_path_
  size_t domains_ = 0;  // domains in by_domain_
  std::string default_domain_;
  std::vector<Slot> by_path_;          // hash of (domain, path) -> route
  std::vector<DomainSlot> by_domain_;  // hash of domain -> how many routes it has
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
