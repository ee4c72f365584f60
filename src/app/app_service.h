// AppService: the app operations behind the admin API (create, list, delete), and the route
// table the proxy serves, kept in step with the store.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/app_path.h"
#include "app/app_policy.h"
#include "app/glob.h"
#include "app/resolved_app.h"
#include "app/run_state.h"
#include "app/source_loader.h"
#include "app/spec_resolver.h"
#include "base/status.h"
#include "proxy/route_table.h"
#include "store/app_store.h"
#include "store/source_store.h"

namespace berth::app {

struct CreateRequest {
  std::string path;          // user input, [domain:]/path
  std::string source = "-";  // "-", a folder, or a git URL
  std::string spec;
  store::AppMetadata metadata;  // params, cargs, copts, cvols, conf, branch, commit
  bool approve = false;
  bool dev = false;
  bool dry_run = false;
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
};

// Makes the proxy Backend of a resolved container app, and reports its runtime state.
class BackendFactory {
 public:
  virtual ~BackendFactory() = default;
  virtual Result<std::shared_ptr<proxy::Backend>> Make(const store::AppRecord& record,
                                                       const ResolvedApp& resolved) = 0;
  // Called when an app is deleted, after it left the route table.
  virtual void Forget(const store::AppRecord& record) = 0;
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
    SecurityPolicy security;  // checked for every container app, at create and at load
    SourceLimits source_limits;
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
  // NotFound.
  Result<std::vector<AppInfo>> Delete(const std::string& glob);
  // Restarts the matching prod apps and their stage twins (BackendFactory::Restart): the next
  // request starts each afresh, even one that is backing off after failed starts, and a failed
  // build is built again. A glob that matches nothing is NotFound. Returns the apps as they
  // stand after the restart was asked for.
  Result<std::vector<AppInfo>> Restart(const std::string& glob);
  // The record of the app at a path (prod or stage path).
  Result<store::AppRecord> Find(const std::string& path);

 private:
  struct Live {
    store::AppRecord record;
    std::shared_ptr<proxy::Backend> backend;  // null when the app failed to resolve
    std::string error;
    bool strip_app = true;
    bool preserve_host = false;
  };

  Result<Live> MakeLive(const store::AppRecord& record, const store::SourceFiles& source);
  AppInfo InfoOf(const Live& live) const;
  void PublishLocked();
  // The ids of the prod apps that `glob` matches, each followed by its stage twins.
  std::vector<std::string> MatchProdAndStageLocked(const AppGlob& glob) const;

  const Options options_;
  store::Database& db_;
  store::AppStore store_;
  store::SourceStore sources_;
  proxy::Router& router_;
  SpecResolver& resolver_;
  BackendFactory* factory_;

  std::mutex mu_;                     // serialises mutations; guards apps_ and stage_ids_
  std::map<std::string, Live> apps_;  // by id
  // Prod app id -> its stage twins' ids, for the apps in apps_ (kept by Load, Create and
  // Delete): finding an app's stage twins costs a lookup, not a scan of every app.
  std::multimap<std::string, std::string> stage_ids_;
};

}  // namespace berth::app
