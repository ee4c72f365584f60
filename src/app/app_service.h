// AppService: the app operations behind the admin API (create, list, delete), and the route
// table the proxy serves, kept in step with the store.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_path.h"
#include "base/status.h"
#include "proxy/route_table.h"
#include "store/app_store.h"

namespace berth::app {

struct CreateRequest {
  std::string path;    // user input, [domain:]/path
  std::string source;  // "-", a folder, or a git URL
  std::string spec;
  store::AppMetadata metadata;  // params, cargs, copts, cvols, conf, branch, commit
  bool approve = false;
  bool dev = false;
  bool dry_run = false;

  static Result<CreateRequest> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// One app as list/create/delete report it.
struct AppInfo {
  std::string id;
  std::string path;  // domain:/path
  std::string type;  // PROD, PROD* (stage is ahead), STG, DEV
  int64_t version = 0;
  std::string spec;
  std::string source;
  std::string state;  // e.g. "ready"; container apps: stopped, building, starting, running, failed
  std::string error;  // the last error, "" for none
  std::string main_id;

  nlohmann::json ToJson() const;
};

// What an app serves, derived from its record and spec.
struct ResolvedApp {
  std::string upstream_url;  // a URL, or "$container" for the app's container
  bool strip_app = true;
  bool preserve_host = false;
  std::map<std::string, std::string> env;  // resolved params as container env (later issues)
};

// Turns an app record into what it serves; knows the specs. Thread-safe.
class AppResolver {
 public:
  virtual ~AppResolver() = default;
  virtual std::vector<std::string> SpecNames() const = 0;
  // Validates the record (spec known, required params present and well-typed, ...) and
  // resolves it. Errors are one line, meant for the user.
  virtual Result<ResolvedApp> Resolve(const store::AppRecord& record) = 0;
};

// Makes the proxy Backend of a resolved app, and reports its runtime state. The default
// (nullptr factory) serves fixed URLs only.
class BackendFactory {
 public:
  virtual ~BackendFactory() = default;
  virtual Result<std::shared_ptr<proxy::Backend>> Make(const store::AppRecord& record,
                                                       const ResolvedApp& resolved) = 0;
  // Called when an app is deleted, after it left the route table.
  virtual void Forget(const store::AppRecord& record) = 0;
  // "" when the factory has nothing to say about this app.
  virtual std::pair<std::string, std::string> StateOf(const std::string& app_id) = 0;
};

class AppService {
 public:
  struct Options {
    std::string default_domain = "localhost";
  };

  AppService(Options options, store::AppStore& store, proxy::Router& router,
             AppResolver& resolver, BackendFactory* factory);

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

  Result<Live> MakeLive(const store::AppRecord& record);
  AppInfo InfoOf(const Live& live) const;
  void PublishLocked();

  const Options options_;
  store::AppStore& store_;
  proxy::Router& router_;
  AppResolver& resolver_;
  BackendFactory* factory_;

  std::mutex mu_;  // serialises mutations; guards apps_
  std::map<std::string, Live> apps_;  // by id
};

// The resolver for specs built into this binary without a spec library: proxy.
class BuiltinResolver : public AppResolver {
 public:
  std::vector<std::string> SpecNames() const override;
  Result<ResolvedApp> Resolve(const store::AppRecord& record) override;
};

}  // namespace berth::app
