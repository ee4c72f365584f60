// SourceStore: an app version's source files in SQLite, content-addressed.
//
// Thread-safe: every call takes the Database's lock. The Database must outlive it.
#pragma once

#include <map>
#include <string>

#include "base/status.h"
#include "store/database.h"

namespace berth::store {

struct SourceFile {
  std::string content;
  int mode = 0644;  // permission bits; the executable bit matters in builds
  bool operator==(const SourceFile&) const = default;
};

// Relative '/'-separated path -> file.
using SourceFiles = std::map<std::string, SourceFile>;

class SourceStore {
 public:
  explicit SourceStore(Database& db) : db_(db) {}

  // Records `files` as the source of the app's version. Call inside a Database::Transaction
  // together with the app rows, so both land or neither does.
  Status Put(const std::string& app_id, int64_t version, const SourceFiles& files);
  Result<SourceFiles> Get(const std::string& app_id, int64_t version);
  // (app id, version) -> a digest of that version's source (its files' paths, modes and
  // contents' hashes), for every version that has files, in one query: versions with equal
  // digests have the same source. A version without files has no entry.
  Result<std::map<std::pair<std::string, int64_t>, std::string>> Digests();
  // The same for each app's current version only (the version in its apps row): what a
  // server start needs, whatever the number of older versions kept.
  Result<std::map<std::pair<std::string, int64_t>, std::string>> CurrentDigests();
  // Removes file contents no app version refers to any more.
  Status CollectGarbage();

 private:
  Database& db_;
};

}  // namespace berth::store
