#include "proxy/route_table.h"

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

RouteTable::RouteTable(std::vector<Route> routes, std::string default_domain)
    : default_domain_(std::move(default_domain)) {
  auto keep = std::make_shared<Keep>();
  keep->routes.reserve(routes.size());
  for (auto& r : routes) keep->routes.push_back(std::make_shared<const Route>(std::move(r)));
  keep_ = std::move(keep);
  Build();
}

RouteTable::RouteTable(std::vector<std::shared_ptr<const Route>> routes, std::string default_domain)
    : default_domain_(std::move(default_domain)) {
  auto keep = std::make_shared<Keep>();
  keep->routes = std::move(routes);
  keep_ = std::move(keep);
  Build();
}

std::shared_ptr<const RouteTable> RouteTable::Patch(
    const std::shared_ptr<const RouteTable>& previous, const std::string& default_domain,
    const std::vector<std::shared_ptr<const Route>>& all,
    const std::vector<std::shared_ptr<const Route>>& removed,
    const std::vector<std::shared_ptr<const Route>>& added) {
  if (!previous || previous->default_domain_ != default_domain ||
      previous->patches_ + 1 >= kRebuildAfter ||
      2 * (previous->size_ + added.size()) > previous->by_path_.size()) {
    return std::make_shared<RouteTable>(all, default_domain);
  }
  std::shared_ptr<RouteTable> t(new RouteTable());
  t->default_domain_ = previous->default_domain_;
  t->patches_ = previous->patches_ + 1;
  t->size_ = previous->size_;
  t->domains_ = previous->domains_;
  t->by_path_ = previous->by_path_;
  t->by_domain_ = previous->by_domain_;
  auto keep = std::make_shared<Keep>();
  keep->routes = added;
  keep->older = previous->keep_;  // the removed routes stay valid for the slots still naming them
  t->keep_ = std::move(keep);
  for (const auto& r : removed) t->Remove(r.get());
  for (const auto& r : added) t->Insert(r.get());
  return t;
}

void RouteTable::Build() {
  const auto& routes = keep_->routes;
  size_t capacity = 8;
  while (capacity < 2 * routes.size()) capacity *= 2;
  by_path_.assign(capacity, Slot{});
  by_domain_.assign(8, DomainSlot{});
  size_ = domains_ = 0;
  for (const auto& r : routes) Insert(r.get());
}

namespace {

// Empties slot `i` of a linear-probing table and moves later entries of its cluster back, so
// that every entry stays reachable from its home slot without tombstones.
template <typename S>
void EraseSlot(std::vector<S>& slots, size_t i) {
  const size_t mask = slots.size() - 1;
  size_t j = i;
  while (true) {
    slots[i] = S{};
    while (true) {
      j = (j + 1) & mask;
      if (!slots[j].route) return;
      size_t home = slots[j].hash & mask;
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) break;
    }
    slots[i] = slots[j];
    i = j;
  }
}

}  // namespace

void RouteTable::Insert(const Route* route) {
  uint64_t hd = HashOf(route->domain);
  uint64_t hp = HashOf(hd, route->path);
  const size_t mask = by_path_.size() - 1;
  for (size_t i = hp & mask;; i = (i + 1) & mask) {
    Slot& s = by_path_[i];
    if (!s.route) {
      s = Slot{hp, route};
      ++size_;
      break;
    }
    if (s.hash == hp && s.route->domain == route->domain && s.route->path == route->path) {
      s.route = route;  // a later duplicate wins
      return;
    }
  }
  if (DomainSlot* d = FindDomain(hd, route->domain)) {
    ++d->routes;
    return;
  }
  if (2 * (domains_ + 1) > by_domain_.size()) {  // grow: rehash the domains
    std::vector<DomainSlot> old = std::move(by_domain_);
    by_domain_.assign(old.size() * 2, DomainSlot{});
    for (const DomainSlot& d : old) {
      if (!d.route) continue;
      size_t i = d.hash & (by_domain_.size() - 1);
      while (by_domain_[i].route) i = (i + 1) & (by_domain_.size() - 1);
      by_domain_[i] = d;
    }
  }
  size_t i = hd & (by_domain_.size() - 1);
  while (by_domain_[i].route) i = (i + 1) & (by_domain_.size() - 1);
  by_domain_[i] = DomainSlot{hd, route, 1};
  ++domains_;
}

void RouteTable::Remove(const Route* route) {
  uint64_t hd = HashOf(route->domain);
  uint64_t hp = HashOf(hd, route->path);
  const size_t mask = by_path_.size() - 1;
  for (size_t i = hp & mask;; i = (i + 1) & mask) {
    if (!by_path_[i].route) return;  // not in the table (replaced by a duplicate)
    if (by_path_[i].route != route) continue;
    EraseSlot(by_path_, i);
    --size_;
    break;
  }
  const size_t dmask = by_domain_.size() - 1;
  for (size_t i = hd & dmask; by_domain_[i].route; i = (i + 1) & dmask) {
    DomainSlot& d = by_domain_[i];
    if (d.hash != hd || d.route->domain != route->domain) continue;
    if (--d.routes == 0) {
      EraseSlot(by_domain_, i);
      --domains_;
    }
    return;
  }
}

const RouteTable::Slot* RouteTable::FindSlot(const std::vector<Slot>& slots, uint64_t hash,
                                             std::string_view domain, std::string_view path) {
  const size_t mask = slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots[i];
    if (!s.route) return nullptr;
    if (s.hash == hash && s.route->domain == domain && s.route->path == path) return &s;
  }
}

const RouteTable::DomainSlot* RouteTable::FindDomain(uint64_t hash, std::string_view domain) const {
  const size_t mask = by_domain_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const DomainSlot& d = by_domain_[i];
    if (!d.route) return nullptr;
    if (d.hash == hash && d.route->domain == domain) return &d;
  }
}

RouteTable::DomainSlot* RouteTable::FindDomain(uint64_t hash, std::string_view domain) {
  return const_cast<DomainSlot*>(std::as_const(*this).FindDomain(hash, domain));
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
    if (const Slot* s = FindSlot(by_path_, HashOf(hd, candidate), domain, candidate))
      return s->route;
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
