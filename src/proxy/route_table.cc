#include "proxy/route_table.h"

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

RouteTable::RouteTable(std::vector<Route> routes, std::string default_domain)
    : routes_(std::move(routes)), default_domain_(std::move(default_domain)) {
  for (size_t i = 0; i < routes_.size(); ++i) {
    by_domain_[routes_[i].domain][routes_[i].path] = i;
  }
}

const Route* RouteTable::Match(std::string_view host, std::string_view path) const {
  auto domain_it = by_domain_.find(NormalizeHost(host));
  if (domain_it == by_domain_.end()) domain_it = by_domain_.find(default_domain_);
  if (domain_it == by_domain_.end()) return nullptr;
  const auto& paths = domain_it->second;
  if (path.empty() || path.front() != '/') path = "/";
  // Try the whole path, then each shorter prefix ending before a "/", then "/".
  std::string_view candidate = path;
  while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
  std::string key;
  while (true) {
    key.assign(candidate);
    auto it = paths.find(key);
    if (it != paths.end()) return &routes_[it->second];
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
