#include "proxy/route_table.h"

#include <functional>

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
  routes_.reserve(routes.size());
  for (auto& r : routes) routes_.push_back(std::make_shared<const Route>(std::move(r)));
  BuildIndex();
}

RouteTable::RouteTable(std::vector<std::shared_ptr<const Route>> routes, std::string default_domain)
    : routes_(std::move(routes)), default_domain_(std::move(default_domain)) {
  BuildIndex();
}

void RouteTable::BuildIndex() {
  size_t capacity = 8;
  while (capacity < 2 * routes_.size()) capacity *= 2;
  by_path_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  size_t domains = 0;
  by_domain_.assign(8, Slot{});
  const std::string* last_domain = nullptr;  // most routes share their domain with the last
  uint64_t hd = 0;
  for (size_t n = 0; n < routes_.size(); ++n) {
    const Route& route = *routes_[n];
    const auto index = static_cast<uint32_t>(n + 1);
    bool same_domain = last_domain && *last_domain == route.domain;
    last_domain = &route.domain;
    if (!same_domain) hd = HashOf(route.domain);
    if (!same_domain && !Find(by_domain_, hd, route.domain, nullptr)) {
      if (2 * (domains + 1) > by_domain_.size()) {  // grow: rehash the domains seen so far
        std::vector<Slot> old = std::move(by_domain_);
        by_domain_.assign(old.size() * 2, Slot{});
        for (const Slot& s : old) {
          if (!s.route) continue;
          uint64_t h = HashOf(routes_[s.route - 1]->domain);
          size_t i = h & (by_domain_.size() - 1);
          while (by_domain_[i].route) i = (i + 1) & (by_domain_.size() - 1);
          by_domain_[i] = s;
        }
      }
      size_t i = hd & (by_domain_.size() - 1);
      while (by_domain_[i].route) i = (i + 1) & (by_domain_.size() - 1);
      by_domain_[i] = Slot{static_cast<uint32_t>(hd), index};
      ++domains;
    }
    uint64_t hp = HashOf(hd, route.path);
    for (size_t i = hp & mask;; i = (i + 1) & mask) {
      Slot& s = by_path_[i];
      if (!s.route) {
        s = Slot{static_cast<uint32_t>(hp), index};
        break;
      }
      const Route& other = *routes_[s.route - 1];
      if (s.hash == static_cast<uint32_t>(hp) && other.domain == route.domain &&
          other.path == route.path) {
        s.route = index;  // a later duplicate wins
        break;
      }
    }
  }
}

const Route* RouteTable::Find(const std::vector<Slot>& slots, uint64_t hash,
                              std::string_view domain, const std::string_view* path) const {
  const size_t mask = slots.size() - 1;
  const auto hash32 = static_cast<uint32_t>(hash);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots[i];
    if (!s.route) return nullptr;
    if (s.hash != hash32) continue;
    const Route* r = routes_[s.route - 1].get();
    if (r->domain == domain && (!path || r->path == *path)) return r;
  }
}

const Route* RouteTable::Match(std::string_view host, std::string_view path) const {
  std::string normalized = NormalizeHost(host);
  std::string_view domain = normalized;
  uint64_t hd = HashOf(domain);
  if (!Find(by_domain_, hd, domain, nullptr)) {
    domain = default_domain_;
    hd = HashOf(domain);
    if (!Find(by_domain_, hd, domain, nullptr)) return nullptr;
  }
  if (path.empty() || path.front() != '/') path = "/";
  // Try the whole path, then each shorter prefix ending before a "/", then "/".
  std::string_view candidate = path;
  while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
  while (true) {
    if (const Route* r = Find(by_path_, HashOf(hd, candidate), domain, &candidate)) return r;
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
