// AppStore: app records (a prod app and its stage twin) and their versions in SQLite.
//
// Thread-safe: every call takes the Database's lock (a multi-statement change runs in one
// transaction under it). The Database must outlive it.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace berth::store {

// Everything about an app that a version records besides its code.
struct AppMetadata {
  std::map<std::string, std::string> params;  // as given: secret templates stay unresolved
  std::map<std::string, std::string> cargs;   // build args
  std::map<std::string, std::optional<std::string>> copts;  // container options: k or k=v
  std::vector<std::string> cvols;           // container volumes, replaces the spec's list
  std::map<std::string, std::string> conf;  // per-app config, e.g. container.idle_shutdown_secs
  std::string branch;
  std::string commit;
  bool approved = false;

  nlohmann::json ToJson() const;
  static Result<AppMetadata> FromJson(const nlohmann::json& j);
  bool operator==(const AppMetadata&) const = default;
};

struct AppRecord {
  std::string id;
  std::string domain;
  std::string path;
  bool is_stage = false;
  std::string main_id;  // for a stage twin: its prod app's id
  std::string source;   // "-" when the spec needs no source
  std::string spec;
  bool dev = false;
  int64_t version = 1;
  AppMetadata metadata;
  std::string created_at;
  std::string updated_at;
  int64_t switched_from = 0;  // the version `version switch` left, 0 when none
  // Why the stored metadata could not be read ("" when it was): the row is still listed,
  // with empty metadata, so that one damaged row does not hide the others.
  std::string metadata_error;
};

// One stored version of an app: its whole metadata (the files are in SourceStore under the
// same app id and version).
struct VersionRecord {
  int64_t version = 0;
  std::string spec;
  AppMetadata metadata;
  std::string changes;  // what it changed from the version before, e.g. "param A=1; carg B=-"
  std::string actor;    // who made it, e.g. "uid 1000"
  std::string created_at;
};

class AppStore {
 public:
  explicit AppStore(Database& db) : db_(db) {}

  // Inserts the prod app, its stage twin and their first versions in one transaction.
  // `check` runs inside the transaction with the apps on the same domain that can conflict
  // (those at the prod path, at the stage path and at each ancestor of the prod path, and the
  // first prod app under the prod path; a handful of indexed lookups, whatever the number of
  // apps) and may refuse (e.g. nested paths); nothing is written when it or any insert fails.
  // A path that is taken gives AlreadyExists.
  Status Create(const AppRecord& prod, const AppRecord& stage,
                const std::function<Status(const std::vector<AppRecord>&)>& check,
                const std::string& actor = "");

  // Every app, ordered by domain and path. A row whose metadata does not parse is returned
  // with metadata_error set, not as an error of the whole list.
  Result<std::vector<AppRecord>> List();
  // The same rows, each handed to `visit` as it is read, in one read transaction: a server
  // start holds one app's record at a time, not all of them (with 20,000 rows the list alone
  // is about 20 MB of heap at its peak). `visit` may read the store (the lock is recursive);
  // an error from it ends the walk and is returned.
  Status ForEach(const std::function<Status(AppRecord&&)>& visit);
  Result<AppRecord> Get(const std::string& id);

  // Deletes the apps (and, by cascade, their versions) in one transaction.
  Status Delete(const std::vector<std::string>& ids);

  // Rewrites the app's row: spec, version, metadata, switched_from, updated_at. NotFound when
  // the app does not exist. Call inside a transaction with AddVersion and SourceStore::Put.
  Status Update(const AppRecord& r);
  // Records a new version of the app; AlreadyExists when it has that number.
  Status AddVersion(const std::string& app_id, const VersionRecord& v);
  // Every stored version of the app, oldest first.
  Result<std::vector<VersionRecord>> Versions(const std::string& app_id);
  Result<VersionRecord> Version(const std::string& app_id, int64_t version);
  // The highest version number the apps have stored, 0 when none.
  Result<int64_t> MaxVersion(const std::vector<std::string>& app_ids);
  // Keeps the newest `keep` versions of the app and those in `pinned`; deletes the others
  // with their file lists. Returns how many were deleted.
  Result<int64_t> PruneVersions(const std::string& app_id, int64_t keep,
                                const std::vector<int64_t>& pinned);

 private:
  Result<std::vector<AppRecord>> Query(const std::string& where, const std::string& arg);
  Status Insert(const AppRecord& r, const std::string& actor);

  Database& db_;
};

// The current UTC time as RFC 3339, e.g. "2026-11-27T23:25:31Z".
std::string NowRfc3339();

}  // namespace berth::store
