#include "app/metadata_pool.h"

#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace berth::app {

namespace {

void Mix(size_t* h, size_t v) { *h ^= v + 0x9e3779b97f4a7c15ULL + (*h << 6) + (*h >> 2); }
void Mix(size_t* h, std::string_view s) { Mix(h, std::hash<std::string_view>{}(s)); }

}  // namespace

size_t HashOf(const store::AppMetadata& m) {
  size_t h = 0;
  for (const auto* map : {&m.params, &m.cargs, &m.conf}) {
    Mix(&h, map->size());
    for (const auto& [k, v] : *map) {
      Mix(&h, k);
      Mix(&h, v);
    }
  }
  Mix(&h, m.copts.size());
  for (const auto& [k, v] : m.copts) {
    Mix(&h, k);
    Mix(&h, v ? std::hash<std::string>{}(*v) : 1);
  }
  Mix(&h, m.cvols.size());
  for (const auto& v : m.cvols) Mix(&h, v);
  Mix(&h, m.branch);
  Mix(&h, m.commit);
  Mix(&h, static_cast<size_t>(m.approved));
  return h;
}

// Hash -> the entries in use with that hash. An entry removes itself when its last holder lets
// it go; one that is going but not yet removed no longer locks (and is skipped).
struct MetadataPool::Table {
  std::mutex mu;
  struct Slot {
    const Entry* entry;
    std::weak_ptr<const Entry> weak;
  };
  std::unordered_multimap<size_t, Slot> entries;  // guarded by mu
};

struct MetadataPool::Entry {
  store::AppMetadata metadata;
  size_t hash = 0;
  std::weak_ptr<Table> table;

  ~Entry() {
    auto t = table.lock();
    if (!t) return;
    std::lock_guard lock(t->mu);
    auto [first, last] = t->entries.equal_range(hash);
    for (auto it = first; it != last; ++it) {
      if (it->second.entry == this) {
        t->entries.erase(it);
        return;
      }
    }
  }
};

MetadataPool::MetadataPool() : table_(std::make_shared<Table>()) {}

std::shared_ptr<const store::AppMetadata> MetadataPool::Intern(store::AppMetadata m) {
  const size_t hash = HashOf(m);
  // Entries locked while looking that turn out to be the last holder's must be released after
  // the table's lock: their destructor takes it.
  std::vector<std::shared_ptr<const Entry>> release;
  std::lock_guard lock(table_->mu);
  auto [first, last] = table_->entries.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    std::shared_ptr<const Entry> e = it->second.weak.lock();
    if (!e) continue;  // going: its destructor removes it
    if (e->metadata == m) return {e, &e->metadata};
    release.push_back(std::move(e));
  }
  auto e = std::make_shared<Entry>();
  e->metadata = std::move(m);
  e->hash = hash;
  e->table = table_;
  table_->entries.emplace(hash, Table::Slot{e.get(), e});
  return {e, &e->metadata};
}

size_t MetadataPool::size() const {
  std::lock_guard lock(table_->mu);
  return table_->entries.size();
}

}  // namespace berth::app
