// AppService: the app operations behind the admin API (create, list, delete), and the route
// table the proxy serves, kept in step with the store.
//
// Thread-safe: the admin server calls it from its handler threads at once; one mutex orders the
// changes (a change that starts a container holds it while the start runs). The store, router,
// resolver and BackendFactory given to the constructor must outlive it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app_path.h"
#include "app/app_policy.h"
#include "app/glob.h"
#include "app/metadata_pool.h"
#include "app/resolved_app.h"
#include "app/run_state.h"
#include "app/source_loader.h"
#include "app/spec_resolver.h"
#include "base/status.h"
#include "proxy/route_table.h"
#include "proxy/upstream.h"
#include "store/app_store.h"
#include "store/audit_log.h"
#include "store/source_store.h"

namespace berth::app {

// Who asks and how, for every change.
struct ChangeOptions {
  bool promote = false;  // promote the stage to prod right after the staged change
  bool dry_run = false;  // check and report everything, change nothing
  bool approve = false;  // grant what the new version asks for (bind mounts, ...)
  std::string actor;     // for versions and the audit list, e.g. "uid 1000"
};

// What a change did (or, with dry_run, would do) to one app.
struct ChangeInfo {
  std::string path;  // domain:/path of the app that changed (the stage path for staged ones)
  std::string id;
  std::string operation;  // "param update", "promote", "version switch", ...
  int64_t from_version = 0;
  int64_t to_version = 0;
  std::string changes;  // what changed; "" when nothing did
  std::string note;     // e.g. "unchanged", "prod was idle: no container started"
};

struct ReloadOptions {
  std::string branch;  // "" keeps the app's branch
  std::string commit;  // "" takes the branch's newest
  bool force = false;  // reload even when the git commit did not move
};

struct CreateRequest {
  std::string path;          // user input, [domain:]/path
  std::string source = "-";  // "-", a folder, or a git URL
  std::string spec;
  store::AppMetadata metadata;  // params, cargs, copts, cvols, conf, branch, commit
  bool approve = false;
  bool dev = false;
  bool dry_run = false;
  std::string actor;  // for the audit list, e.g. "uid 1000"
};

// One app as list/create/delete report it.
struct AppInfo {
  std::string id;
  std::string path;  // domain:/path
  std::string main_id;
  bool is_stage = false;
  bool dev = false;
  bool stage_ahead = false;  // prod whose stage twin has a newer version
  std::string type;          // PROD, PROD* (stage is ahead), STG, DEV
  int64_t version = 0;
  std::string spec;
  std::string source;
  std::string state;  // e.g. "ready"; container apps: stopped, building, starting, running, failed
  std::string error;  // the last error, "" for none
  int64_t retry_in_secs = 0;   // failed: seconds until a request may start it again
  bool build_held = false;     // failed: the build is not retried until a change or a restart
  int64_t start_attempts = 0;  // container starts begun since the server loaded the app
  // What the app asks that needs --approve (PermissionsAsked), one line each; granted when
  // the app exists.
  std::vector<std::string> permissions;
};

// One volume of one app, as `berth volume list` reports it.
struct AppVolumeInfo {
  std::string app_id;
  std::string path;         // the app's domain:/path (a stage app's own path)
  std::string type;         // the app's type, as AppInfo::type
  std::string destination;  // the path in the container; "" for an engine volume of the app
                            // that its current version does not mount
  std::string kind;         // "volume", "bind" or "cl_secret"
  std::string source;       // the engine volume name, the host path, or the template file
  std::string options;
  bool exists = false;  // volume: the engine has it now
};

// What `berth app delete` did.
struct DeleteResult {
  std::vector<AppInfo> apps;
  // The apps' engine volumes: removed (after their containers) when asked, else kept.
  std::vector<std::string> volumes;
  bool volumes_removed = false;
  std::string engine;  // the container engine's command ("podman"), for a hint
};

// Makes the proxy Backend of a resolved container app, and reports its runtime state.
class BackendFactory {
 public:
  virtual ~BackendFactory() = default;
  // Prepare() and Commit() at once: for apps loaded at start.
  virtual Result<std::shared_ptr<proxy::Backend>> Make(const store::AppRecord& record,
                                                       const ResolvedApp& resolved) = 0;
  // Makes the backend of a new app, or of a new version of an app, without putting it in
  // service. With `warm`, when the app's current version runs a container and the new one
  // needs another, the new container is started and health-checked now (this blocks up to
  // the start timeout); a failure is returned with the reason and the container's log tail,
  // and nothing of the new version is left behind.
  virtual Result<std::shared_ptr<proxy::Backend>> Prepare(const store::AppRecord& record,
                                                          const ResolvedApp& resolved,
                                                          bool warm) = 0;
  // Puts a prepared backend in service in place of the app's current one, which finishes its
  // in-flight requests (up to container.drain_timeout_secs) and is then removed, its container
  // too unless the new version runs the same one.
  virtual void Commit(const store::AppRecord& record,
                      const std::shared_ptr<proxy::Backend>& backend) = 0;
  // Drops a prepared backend that will not serve (a dry run, a refused change): removes what
  // it started, keeping what the app's current version uses.
  virtual void Discard(const store::AppRecord& record,
                       const std::shared_ptr<proxy::Backend>& backend) = 0;
  // Called when an app is deleted, after it left the route table: removes its containers and
  // images in the background, and with `volumes` then its engine volumes (those labelled with
  // its id, whether or not it runs).
  virtual void Forget(const store::AppRecord& record, bool volumes) = 0;
  // The names of the engine volumes labelled with the app's id, sorted.
  virtual Result<std::vector<std::string>> VolumesOf(const std::string& app_id) = 0;
  // The names of every engine volume of this Berth home, sorted.
  virtual Result<std::vector<std::string>> AllVolumes() = 0;
  // The container engine's name ("podman", "docker"), "" when containers are disabled.
  virtual std::string EngineName() = 0;
  // state "" when the factory has nothing to say about this app.
  virtual RunState StateOf(const std::string& app_id) = 0;
  // `berth app restart`: forget the app's start failures and stop its running container, so
  // that the next request starts it afresh. Nothing for apps the factory does not run.
  virtual void Restart(const std::string& app_id) = 0;
};

// Ok when `name` can be a param: an environment variable name, not one Berth sets itself.
Status CheckParamName(std::string_view name);

class AppService {
 public:
  struct Options {
    std::string default_domain = "localhost";
    int64_t max_versions = 20;  // versions kept per app (system.max_app_versions)
    SecurityPolicy security;    // checked for every container app, at create and at load
    SourceLimits source_limits;
    // The ports this server's proxy listens on (0 or -1: none), asked when an app with a
    // fixed URL is created or changed: a URL on this machine at one of them would loop.
    std::function<std::vector<int>()> own_ports;
  };

  // `factory` serves container apps; without one, only apps with fixed URLs can be served.
  AppService(Options options, store::Database& db, proxy::Router& router, SpecResolver& resolver,
             BackendFactory* factory);

  // Reads every app and publishes the route table. An app that no longer resolves is logged
  // and left out of the table (its requests get 404 until it is fixed or deleted).
  Status Load();

  // Creates the prod app and its stage twin. Nothing is written when any check fails; with
  // dry_run nothing is written at all. Returns the created apps (prod first).
  Result<std::vector<AppInfo>> Create(const CreateRequest& req);
  Result<std::vector<AppInfo>> List(const std::string& glob, bool include_stage);
  // Deletes the matching prod apps and their stage twins. A glob that matches nothing is
  // NotFound. Their engine volumes are kept (and named in the result) unless `volumes`.
  Result<DeleteResult> Delete(const std::string& glob, const std::string& actor = "",
                              bool volumes = false);
  // The volumes of the matching apps and of their stage twins (the same selection as
  // List(glob, true)), each app's in mount order, then any engine volume labelled with the
  // app's id that its current version does not mount. `exists` comes from the engine.
  Result<std::vector<AppVolumeInfo>> Volumes(const std::string& glob);
  // Restarts the matching prod apps and their stage twins (BackendFactory::Restart): the next
  // request starts each afresh, even one that is backing off after failed starts, and a failed
  // build is built again. A glob that matches nothing is NotFound. Returns the apps as they
  // stand after the restart was asked for.
  Result<std::vector<AppInfo>> Restart(const std::string& glob);
  // The record of the app at a path (prod or stage path), without created_at and updated_at.
  Result<store::AppRecord> Find(const std::string& path);

  // ---- Staged changes. Each makes a new version of the stage app of every prod app that
  // `glob` matches (of the app itself for dev apps), served at once at the stage path; prod is
  // untouched unless `promote`. Every app is checked before any is written: one bad app
  // changes nothing. An app the change leaves as it was gets no new version ("unchanged").

  // Sets a param (`value` "-" deletes it).
  Result<std::vector<ChangeInfo>> UpdateParam(const std::string& glob, const std::string& name,
                                              const std::string& value,
                                              const ChangeOptions& options);
  // `kind` as MetadataKind's names (carg, copt, cvol, conf, spec and their long forms).
  Result<std::vector<ChangeInfo>> UpdateMetadata(const std::string& glob, const std::string& kind,
                                                 const std::vector<std::string>& values,
                                                 const ChangeOptions& options);
  // Reads the source again (a folder, or a git branch or commit) into the stage app.
  Result<std::vector<ChangeInfo>> Reload(const std::string& glob, const ReloadOptions& reload,
                                         const ChangeOptions& options);
  // Grants the stage version what it asks for.
  Result<std::vector<ChangeInfo>> Approve(const std::string& glob, const ChangeOptions& options);
  // Gives prod the stage app's code and metadata. When prod's container runs, the new one is
  // started and health-checked first and takes over without a failed request; when that
  // fails, prod stays as it was and the error says why. An idle prod just switches. A glob
  // whose apps have nothing staged is an error.
  Result<std::vector<ChangeInfo>> Promote(const std::string& glob, const ChangeOptions& options);

  // ---- Versions of one app (prod, stage or dev path).

  Result<std::map<std::string, std::string>> Params(const std::string& path);
  struct VersionList {
    int64_t current = 0;
    std::vector<store::VersionRecord> versions;  // oldest first
  };
  Result<VersionList> Versions(const std::string& path);
  // The files of version `version` (0: the current one).
  Result<store::SourceFiles> VersionFiles(const std::string& path, int64_t version);
  // `to`: a version number, "previous", "next", or "revert" (back to where the last switch
  // came from). Restores the version's code and metadata; on prod like a promote.
  Result<ChangeInfo> SwitchVersion(const std::string& path, const std::string& to,
                                   const ChangeOptions& options);
  // The newest `limit` changes made to the apps `glob` matches, newest first.
  Result<std::vector<store::AuditEntry>> Audit(const std::string& glob, int64_t limit);

 private:
  // An app's record as kept in memory for every app: the fields of store::AppRecord but its
  // created_at and updated_at (no app operation reads them back). Its id, domain and path are
  // those of its route (one copy of each string, shared with the route tables), and its
  // metadata is immutable and shared with every app whose metadata is equal (MetadataPool).
  struct AppEntry {
    // Never null. Its backend is the app's, null when the app failed to resolve: the route is
    // then in no table.
    std::shared_ptr<const proxy::Route> route;
    // A stage twin's prod app id, "" when it is derived from the twin's own id (app_stg_X of
    // app_prd_X, as Create makes them) and for other apps: see MainId().
    std::string explicit_main_id;
    std::string source;
    std::string spec;
    std::shared_ptr<const store::AppMetadata> meta;  // never null
    int64_t version = 1;
    int64_t switched_from = 0;
    bool is_stage = false;
    bool dev = false;

    const std::string& id() const { return route->app_id; }
    const std::string& domain() const { return route->domain; }
    const std::string& path() const { return route->path; }
    std::string MainId() const;  // "" for a prod or dev app
    // Moves r's strings in; `route` gives the route's strip_app, preserve_host and backend.
    static AppEntry Of(store::AppRecord r, MetadataPool& pool, proxy::Route route = {});
    store::AppRecord Record() const;  // created_at and updated_at empty
  };
  // What few apps have, kept apart from the entry.
  struct LiveDetail {
    std::string error;
    std::vector<std::string> permissions;  // PermissionsAsked
    std::vector<std::string> volumes;      // the container's volume entries, merged
  };
  struct Live {
    AppEntry record;
    std::shared_ptr<const LiveDetail> detail;  // null: no error, permissions or volumes
    bool container = false;                    // the backend is the factory's
    bool unreadable = false;  // the stored metadata did not parse: no change builds on it

    const std::shared_ptr<proxy::Backend>& backend() const { return record.route->backend; }
    const std::string& error() const { return detail ? detail->error : Empty().error; }
    const std::vector<std::string>& permissions() const {
      return detail ? detail->permissions : Empty().permissions;
    }
    const std::vector<std::string>& volumes() const {
      return detail ? detail->volumes : Empty().volumes;
    }
    void SetError(std::string error);
    static const LiveDetail& Empty();
  };

  // Resolves and checks a record and makes its backend, not yet in service (see
  // BackendFactory::Prepare for `warm`). An app with a fixed URL takes the first backend of
  // `reuse` that is a proxy::StaticBackend to the same upstream instead of a new one (they
  // are immutable), so that an app's versions and its stage twin share one.
  // `specs`: see SpecResolver::Resolve (a start passes one for all its apps).
  Result<Live> PrepareLive(const store::AppRecord& record, const store::SourceFiles& source,
                           bool warm,
                           const std::vector<std::shared_ptr<proxy::Backend>>& reuse = {},
                           SpecResolver::SpecMemo* specs = nullptr);
  // Calls f(const Live& stage) for each stage twin in apps_ of the prod app `prod_id`.
  // Requires mu_ held.
  template <typename F>
  void ForEachStageLocked(std::string_view prod_id, F&& f) const {
    if (prod_id.starts_with("app_prd_")) {
      auto it = apps_.find(std::string("app_stg_").append(prod_id.substr(8)));
      const AppEntry* twin = it == apps_.end() ? nullptr : &it->second.record;
      if (twin && twin->is_stage &&
          (twin->explicit_main_id.empty() || twin->explicit_main_id == prod_id)) {
        f(it->second);
      }
    }
    auto [first, last] = other_stage_ids_.equal_range(prod_id);
    for (auto it = first; it != last; ++it) {
      if (auto stage = apps_.find(it->second); stage != apps_.end()) f(stage->second);
    }
  }
  // True when `record`, a stage app, has its prod app's conventional stage id.
  static bool ConventionalStage(const store::AppRecord& record) {
    return record.is_stage && record.main_id.starts_with("app_prd_") &&
           record.id.starts_with("app_stg_") &&
           std::string_view(record.id).substr(8) == std::string_view(record.main_id).substr(8);
  }
  // prod id -> its stage twin's id, for `prod_ids`. Requires mu_ held.
  std::map<std::string, std::string> StageIndexOf(const std::vector<std::string>& prod_ids) const;
  // InvalidArgument when a fixed upstream URL is this server's own listener (Options::own_ports).
  Status CheckNotSelf(const std::string& url, const proxy::Upstream& up) const;
  // Puts a prepared app in service (apps_, the route changes and the factory); PublishLocked()
  // afterwards.
  void CommitLiveLocked(Live live);
  // Puts `live` in apps_ in place of any entry with its id (keyed on its route's id).
  void PutLocked(Live live);
  // Notes the change from the route of the app's entry in apps_ (if it has a backend) to
  // `live`'s (if it has one), for the next PublishLocked(). Before PutLocked(live).
  void SetRouteLocked(const Live& live);
  // Notes that `route` left the routes in service: removed at the next PublishLocked().
  void RouteGoneLocked(const std::shared_ptr<const proxy::Route>& route);
  void DiscardLive(const Live& live);
  // Makes `entry` take the route and strings of the app's current entry in apps_ that are
  // equal to its own, so that a change keeps the app's older, packed allocations rather than
  // the ones made among a bulk change's temporaries (and an unchanged route stays in the
  // route table).
  void KeepEqualFieldsLocked(AppEntry* entry);

  // One app's next state, checked and prepared, not yet written.
  struct Pending {
    store::AppRecord before;
    store::AppRecord after;
    store::SourceFiles files;
    std::string changes;
    bool new_version = true;   // false: `after.version` is stored already (switch)
    std::string actor_detail;  // for the audit entry
    Live live;
  };
  // Checks `after` and prepares it (the caller filled before/after/files/changes).
  Status PreparePendingLocked(Pending* p, bool warm);
  // Writes every pending change in one transaction, with versions and audit entries, then
  // puts them in service. Discards them all when the write fails or with dry_run.
  Result<std::vector<ChangeInfo>> ApplyLocked(std::vector<Pending> pending,
                                              const std::string& operation,
                                              const ChangeOptions& options);
  using Edit =
      std::function<Status(store::AppRecord* record, store::SourceFiles* files, std::string* note)>;
  // The staged-change pipeline behind UpdateParam, UpdateMetadata, Reload and Approve.
  Result<std::vector<ChangeInfo>> StageLocked(const std::string& glob, const std::string& operation,
                                              const Edit& edit, const ChangeOptions& options);
  Result<std::vector<ChangeInfo>> PromoteLocked(const std::vector<std::string>& prod_ids,
                                                bool only_if_ahead, const ChangeOptions& options);
  // The app at a prod, stage or dev path.
  Result<const Live*> FindLocked(const std::string& path) const;
  std::string PathOf(const store::AppRecord& record) const;
  std::string PathOf(const AppEntry& record) const;
  AppInfo InfoOf(const Live& live) const;
  // Gives the heap's free pages back to the system (malloc_trim), after a change of at least
  // kBulkApps apps: its transient copies of every record would otherwise stay in the RSS.
  static void TrimHeap();
  static constexpr size_t kBulkApps = 256;
  // Publishes the routes' changes since the last publish (RouteTable::Patch: the previous
  // table shares every chunk of its index that the change does not write).
  void PublishLocked();
  // The ids of the prod apps that `glob` matches, each followed by its stage twins.
  std::vector<std::string> MatchProdAndStageLocked(const AppGlob& glob) const;

  const Options options_;
  store::Database& db_;
  store::AppStore store_;
  store::SourceStore sources_;
  store::AuditLog audit_;
  proxy::Router& router_;
  SpecResolver& resolver_;
  BackendFactory* factory_;

  MetadataPool metadata_;  // outlives apps_
  std::mutex mu_;          // serialises mutations; guards apps_ and other_stage_ids_
  // By id: the key is a view of the entry's own id (its route's), so the id is not stored
  // twice; PutLocked keeps it pointing there.
  std::map<std::string_view, Live> apps_;
  // Prod app id -> the ids of its stage twins that are not its conventional stage id
  // (app_prd_X -> app_stg_X, as Create makes them; kept by Load and Delete): finding an app's
  // stage twins costs a lookup or two, not a scan of every app, and no index entry per app.
  std::multimap<std::string, std::string, std::less<>> other_stage_ids_;
  // The routes in service are those of the apps in apps_ that have a backend. These are the
  // routes that left and joined them since the table was last published (kept by
  // CommitLiveLocked and Delete), so that a change costs the changed apps, not a walk of all.
  std::vector<std::shared_ptr<const proxy::Route>> removed_routes_;
  std::vector<std::shared_ptr<const proxy::Route>> added_routes_;
};

}  // namespace berth::app
