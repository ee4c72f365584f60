// MetadataPool: one shared, immutable copy of each distinct app metadata in use. Many apps
// hold equal metadata (an app and its stage twin, apps made from one template, every app after
// a bulk `param update ... all`): each distinct value is kept once, and freed when its last
// holder lets it go.
//
// Thread-safe. The metadata it hands out may outlive the pool (it is then simply not shared
// with later calls).
#pragma once

#include <cstddef>
#include <memory>

#include "store/app_store.h"

namespace berth::app {

class MetadataPool {
 public:
  MetadataPool();
  MetadataPool(const MetadataPool&) = delete;
  MetadataPool& operator=(const MetadataPool&) = delete;

  // The pool's copy of metadata equal to `m`: the one already in use, or else `m`, now
  // shared. Costs a hash of `m` and, when an equal one is in use, one comparison.
  std::shared_ptr<const store::AppMetadata> Intern(store::AppMetadata m);
  // How many distinct metadata are in use.
  size_t size() const;

 private:
  struct Table;
  struct Entry;
  std::shared_ptr<Table> table_;
};

// A hash of every field of `m` (equal metadata hash alike).
size_t HashOf(const store::AppMetadata& m);

}  // namespace berth::app
