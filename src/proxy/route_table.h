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
  // replaced by another is in both), for one change among many routes. The index is kept in
  // chunks of kChunkSlots slots that tables share: the new table copies the chunk pointers
  // and only the chunks the change writes (a few kB whatever the number of routes), and
  // copies no route. It is built afresh from `previous`'s routes only when it must grow or
  // shrink (amortised O(1) per route). A removed route that is not in `previous` (say one a
  // later duplicate had replaced) is ignored; an added route replaces any route with the same
  // domain and path.
  static std::shared_ptr<const RouteTable> Patch(
      const std::shared_ptr<const RouteTable>& previous, const std::string& default_domain,
      const std::vector<std::shared_ptr<const Route>>& removed,
      const std::vector<std::shared_ptr<const Route>>& added);
  static constexpr size_t kChunkSlots = 256;

  // The route for a request: `host` is the Host header (any port is ignored, case does not
  // matter; a host with no apps falls back to the default domain), `path` the request path
  // without the query. The longest app path that is a prefix on a "/" boundary wins.
  // Returns null when no app matches.
  const Route* Match(std::string_view host, std::string_view path) const;

  size_t size() const { return size_; }

 private:
  RouteTable() = default;

  // A power-of-two array of slots in chunks of at most kChunkSlots, shared between tables: a
  // chunk is copied the first time a table writes to it (copy on write), so a patched table
  // owns only the chunks it changed. Every chunk a table made carries its stamp.
  template <typename S>
  class Slots {
   public:
    void Assign(size_t capacity, uint64_t stamp);  // all empty, owned by `stamp`
    size_t size() const { return capacity_; }
    const S& operator[](size_t i) const { return chunks_[i >> shift_]->slots[i & chunk_mask_]; }
    S& Mutable(size_t i, uint64_t stamp);  // copies the chunk first unless `stamp` made it

   private:
    struct Chunk {
      uint64_t stamp = 0;
      std::vector<S> slots;
    };
    std::vector<std::shared_ptr<const Chunk>> chunks_;
    size_t capacity_ = 0;
    unsigned shift_ = 0;
    size_t chunk_mask_ = 0;
  };
  // Open addressing with linear probing, at most 3/4 full, no tombstones. A slot owns its
  // route, so a table keeps alive exactly the routes it holds.
  struct Slot {
    uint64_t hash = 0;
    std::shared_ptr<const Route> route;  // null: empty
    bool empty() const { return !route; }
  };
  struct DomainSlot {
    uint64_t hash = 0;
    std::string domain;
    size_t routes = 0;  // how many routes the domain has; 0: empty slot
    bool empty() const { return routes == 0; }
  };
  // An empty table sized for `routes` routes, owned by a new stamp.
  void Init(size_t routes, size_t domains);
  void Insert(const std::shared_ptr<const Route>& route);
  void Remove(const Route* route);
  void AddDomain(uint64_t hash, const std::string& domain, size_t routes);
  template <typename S>
  static void EraseSlot(Slots<S>& slots, size_t i, uint64_t stamp);
  const Slot* FindSlot(uint64_t hash, std::string_view domain, std::string_view path) const;
  const DomainSlot* FindDomain(uint64_t hash, std::string_view domain) const;

  uint64_t stamp_ = 0;  // marks the chunks this table made
  size_t size_ = 0;     // routes in by_path_
  size_t domains_ = 0;  // domains in by_domain_
  std::string default_domain_;
  Slots<Slot> by_path_;          // hash of (domain, path) -> route
  Slots<DomainSlot> by_domain_;  // hash of domain -> how many routes it has
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
