// SpecResolver: turns an app record into a ResolvedApp by evaluating its spec (params.star and
// app.star) over the spec's files overlaid by the app's source.
//
// Thread-safe: each Resolve runs its own interpreter; the one state that changes, the params
// declared by each set of .star files seen (params.star does not see the app's values, so
// apps of one spec and source share its result), has its own lock. The SpecLibrary must
// outlive it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/resolved_app.h"
#include "appspec/spec_library.h"
#include "base/status.h"
#include "store/app_store.h"
#include "store/source_store.h"

namespace berth::app {

class SpecResolver {
 public:
  // `app_config` holds the server's [app_config] defaults (e.g. container.health_url).
  SpecResolver(appspec::SpecLibrary& library, std::map<std::string, std::string> app_config)
      : library_(library), app_config_(std::move(app_config)) {}

  std::vector<std::string> SpecNames() const { return library_.Names(); }
  appspec::SpecLibrary& library() { return library_; }

  // Validates and resolves: the spec must exist, params must satisfy params.star, app.star
  // must evaluate, and a container app needs a port (param, spec, or EXPOSE). Errors are one
  // line for the user (spec file errors keep their caret lines).
  // `specs`, when given, keeps each spec's files for the next Resolve with the same memo (a
  // server start resolves thousands of apps of a few specs: one look at the override folder
  // and one copy of the files per spec, not per app). Without it the library is asked each time.
  using SpecMemo = std::map<std::string, Result<std::shared_ptr<const appspec::FileSet>>>;
  Result<ResolvedApp> Resolve(const store::AppRecord& record, const store::SourceFiles& source,
                              SpecMemo* specs = nullptr) const;

  // Checks an app's --conf values: every key one of [app_config]'s, every number a whole
  // number (at least 1 for timeouts and intervals, 0 allowed for idle_shutdown_secs).
  Status CheckConf(const std::map<std::string, std::string>& conf) const;

  // The effective per-app config value: the app's --conf, else [app_config], else `fallback`.
  std::string ConfigValue(const store::AppRecord& record, const std::string& key,
                          const std::string& fallback) const;

 private:
  // The container half of Resolve: a route to container.URL gets r->container.
  Status ResolveContainer(const store::AppRecord& record, ResolvedApp* r) const;
  // params.star's declarations for these .star files: evaluated once per distinct set.
  Result<std::shared_ptr<const std::vector<appspec::ParamDecl>>> DeclaredParams(
      const appspec::FileSet& star_files) const;

  appspec::SpecLibrary& library_;
  const std::map<std::string, std::string> app_config_;
  // The .star files' names and contents -> their declared params (successes only; emptied
  // when it reaches kMaxDeclSets).
  static constexpr size_t kMaxDeclSets = 256;
  mutable std::mutex decls_mu_;
  mutable std::map<std::string, std::shared_ptr<const std::vector<appspec::ParamDecl>>> decls_;
};

}  // namespace berth::app
