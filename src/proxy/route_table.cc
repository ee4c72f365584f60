#include "proxy/route_table.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <utility>

#include "base/strings.h"

namespace berth::proxy {

std::string NormalizeHost(std::string_view host) {
  if (host.starts_with("[")) {
    size_t close = host.find(']');
    return ToLower(host.substr(1, close == std::string_view::npos ? host.size() : close - 1));
  }
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(':') == colon) host = host.substr(0, colon);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);  // FQDN form
  return ToLower(host);
}

namespace {

uint64_t HashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }
uint64_t HashOf(uint64_t domain_hash, std::string_view path) {
  uint64_t h = HashOf(path);
  return domain_hash ^ (h + 0x9e3779b97f4a7c15ULL + (domain_hash << 6) + (domain_hash >> 2));
}

}  // namespace

namespace {

std::atomic<uint64_t> next_stamp{1};

// The capacity for n entries: a power of two at least 8, at most 3/4 full.
size_t CapacityFor(size_t n) {
  size_t capacity = 8;
  while (4 * n > 3 * capacity) capacity *= 2;
  return capacity;
}

}  // namespace

template <typename S>
void RouteTable::Slots<S>::Assign(size_t capacity, uint64_t stamp) {
  size_t per_chunk = std::min(capacity, kChunkSlots);
  capacity_ = capacity;
  shift_ = static_cast<unsigned>(std::countr_zero(per_chunk));
  chunk_mask_ = per_chunk - 1;
  chunks_.clear();
  chunks_.reserve(capacity / per_chunk);
  for (size_t c = 0; c < capacity / per_chunk; ++c) {
    auto chunk = std::make_shared<Chunk>();
    chunk->stamp = stamp;
    chunk->slots.resize(per_chunk);
    chunks_.push_back(std::move(chunk));
  }
}

template <typename S>
S& RouteTable::Slots<S>::Mutable(size_t i, uint64_t stamp) {
  auto& chunk = chunks_[i >> shift_];
  if (chunk->stamp != stamp) {
    auto copy = std::make_shared<Chunk>(*chunk);
    copy->stamp = stamp;
    chunk = std::move(copy);
  }
  // The chunk was made by this table and is reachable only through it until it is published.
  return const_cast<S&>(chunk->slots[i & chunk_mask_]);
}

RouteTable::RouteTable(std::vector<Route> routes, std::string default_domain)
    : default_domain_(std::move(default_domain)) {
  Init(routes.size(), 1);
  for (auto& r : routes) Insert(std::make_shared<const Route>(std::move(r)));
}

RouteTable::RouteTable(std::vector<std::shared_ptr<const Route>> routes, std::string default_domain)
    : default_domain_(std::move(default_domain)) {
  Init(routes.size(), 1);
  for (const auto& r : routes) Insert(r);
}

void RouteTable::Init(size_t routes, size_t domains) {
  stamp_ = next_stamp.fetch_add(1, std::memory_order_relaxed);
  by_path_.Assign(CapacityFor(routes), stamp_);
  by_domain_.Assign(CapacityFor(domains), stamp_);
  size_ = domains_ = 0;
}

std::shared_ptr<const RouteTable> RouteTable::Patch(
    const std::shared_ptr<const RouteTable>& previous, const std::string& default_domain,
    const std::vector<std::shared_ptr<const Route>>& removed,
    const std::vector<std::shared_ptr<const Route>>& added) {
  std::shared_ptr<RouteTable> t(new RouteTable());
  t->default_domain_ = default_domain;
  if (!previous) {
    t->Init(added.size(), 1);
    for (const auto& r : added) t->Insert(r);
    return t;
  }
  const size_t most = previous->size_ + added.size();
  const size_t capacity = previous->by_path_.size();
  if (4 * most > 3 * capacity || (capacity > 8 && 8 * most < capacity)) {
    // Grow or shrink: a fresh index with the previous table's routes, then the change.
    t->Init(most, previous->domains_ + added.size());
    for (size_t i = 0; i < capacity; ++i) {
      if (const Slot& s = previous->by_path_[i]; s.route) t->Insert(s.route);
    }
  } else {
    t->stamp_ = next_stamp.fetch_add(1, std::memory_order_relaxed);
    t->size_ = previous->size_;
    t->domains_ = previous->domains_;
    t->by_path_ = previous->by_path_;  // the chunk pointers, not the chunks
    t->by_domain_ = previous->by_domain_;
  }
  for (const auto& r : removed) t->Remove(r.get());
  for (const auto& r : added) t->Insert(r);
  return t;
}

// Empties slot `i` of a linear-probing table and moves later entries of its cluster back, so
// that every entry stays reachable from its home slot without tombstones.
template <typename S>
void RouteTable::EraseSlot(Slots<S>& slots, size_t i, uint64_t stamp) {
  const size_t mask = slots.size() - 1;
  size_t j = i;
  while (true) {
    slots.Mutable(i, stamp) = S{};
    while (true) {
      j = (j + 1) & mask;
      if (slots[j].empty()) return;
      size_t home = slots[j].hash & mask;
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) break;
    }
    slots.Mutable(i, stamp) = slots[j];
    i = j;
  }
}

void RouteTable::Insert(const std::shared_ptr<const Route>& route) {
  uint64_t hd = HashOf(route->domain);
  uint64_t hp = HashOf(hd, route->path);
  const size_t mask = by_path_.size() - 1;
  for (size_t i = hp & mask;; i = (i + 1) & mask) {
    const Slot& s = by_path_[i];
    if (!s.route) {
      by_path_.Mutable(i, stamp_) = Slot{hp, route};
      ++size_;
      break;
    }
    if (s.hash == hp && s.route->domain == route->domain && s.route->path == route->path) {
      by_path_.Mutable(i, stamp_).route = route;  // a later duplicate wins
      return;
    }
  }
  AddDomain(hd, route->domain, 1);
}

void RouteTable::AddDomain(uint64_t hash, const std::string& domain, size_t routes) {
  size_t mask = by_domain_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const DomainSlot& d = by_domain_[i];
    if (d.empty()) break;
    if (d.hash == hash && d.domain == domain) {
      by_domain_.Mutable(i, stamp_).routes += routes;
      return;
    }
  }
  if (4 * (domains_ + 1) > 3 * by_domain_.size()) {  // grow: rehash the domains
    Slots<DomainSlot> old = std::move(by_domain_);
    by_domain_.Assign(CapacityFor(domains_ + 1), stamp_);
    domains_ = 0;
    for (size_t i = 0; i < old.size(); ++i) {
      if (!old[i].empty()) AddDomain(old[i].hash, old[i].domain, old[i].routes);
    }
    mask = by_domain_.size() - 1;
  }
  size_t i = hash & mask;
  while (!by_domain_[i].empty()) i = (i + 1) & mask;
  by_domain_.Mutable(i, stamp_) = DomainSlot{hash, domain, routes};
  ++domains_;
}

void RouteTable::Remove(const Route* route) {
  uint64_t hd = HashOf(route->domain);
  uint64_t hp = HashOf(hd, route->path);
  const size_t mask = by_path_.size() - 1;
  for (size_t i = hp & mask;; i = (i + 1) & mask) {
    if (!by_path_[i].route) return;  // not in the table (replaced by a duplicate)
    if (by_path_[i].route.get() != route) continue;
    EraseSlot(by_path_, i, stamp_);
    --size_;
    break;
  }
  const size_t dmask = by_domain_.size() - 1;
  for (size_t i = hd & dmask; !by_domain_[i].empty(); i = (i + 1) & dmask) {
    const DomainSlot& d = by_domain_[i];
    if (d.hash != hd || d.domain != route->domain) continue;
    if (d.routes == 1) {
      EraseSlot(by_domain_, i, stamp_);
      --domains_;
    } else {
      --by_domain_.Mutable(i, stamp_).routes;
    }
    return;
  }
}

const RouteTable::Slot* RouteTable::FindSlot(uint64_t hash, std::string_view domain,
                                             std::string_view path) const {
  const size_t mask = by_path_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = by_path_[i];
    if (!s.route) return nullptr;
    if (s.hash == hash && s.route->domain == domain && s.route->path == path) return &s;
  }
}

const RouteTable::DomainSlot* RouteTable::FindDomain(uint64_t hash, std::string_view domain) const {
  const size_t mask = by_domain_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const DomainSlot& d = by_domain_[i];
    if (d.empty()) return nullptr;
    if (d.hash == hash && d.domain == domain) return &d;
  }
}

const Route* RouteTable::Match(std::string_view host, std::string_view path) const {
  std::string normalized = NormalizeHost(host);
  std::string_view domain = normalized;
  uint64_t hd = HashOf(domain);
  if (!FindDomain(hd, domain)) {
    domain = default_domain_;
    hd = HashOf(domain);
    if (!FindDomain(hd, domain)) return nullptr;
  }
  if (path.empty() || path.front() != '/') path = "/";
  // Try the whole path, then each shorter prefix ending before a "/", then "/".
  std::string_view candidate = path;
  while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
  while (true) {
    if (const Slot* s = FindSlot(HashOf(hd, candidate), domain, candidate)) return s->route.get();
    if (candidate.size() <= 1) return nullptr;
    size_t slash = candidate.rfind('/');
    candidate = slash == 0 ? std::string_view("/") : candidate.substr(0, slash);
  }
}

namespace {
std::atomic<uint64_t> next_router_id{1};

struct ThreadView {
  uint64_t router_id = 0;
  uint64_t generation = 0;
  std::shared_ptr<const RouteTable> table;
};
}  // namespace

Router::Router()
    : table_(std::make_shared<RouteTable>(std::vector<Route>{}, "localhost")),
      id_(next_router_id++) {}

void Router::Publish(std::shared_ptr<const RouteTable> table) {
  std::lock_guard lock(mu_);
  table_ = std::move(table);
  generation_.fetch_add(1, std::memory_order_release);
}

const RouteTable& Router::Current() const { return *Snapshot(); }

std::shared_ptr<const RouteTable> Router::Snapshot() const {
  thread_local ThreadView view;
  uint64_t gen = generation_.load(std::memory_order_acquire);
  if (view.router_id != id_ || view.generation != gen) {
    std::lock_guard lock(mu_);
    view.router_id = id_;
    view.generation = generation_.load(std::memory_order_acquire);
    view.table = table_;
  }
  return view.table;
}

}  // namespace berth::proxy
