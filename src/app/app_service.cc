#include "app/app_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "app/app_volumes.h"
#include "app/container_plan.h"
#include "app/glob.h"
#include "app/source_loader.h"
#include "base/random_id.h"
#include "base/strings.h"

namespace berth::app {

AppService::AppService(Options options, store::Database& db, proxy::Router& router,
                       SpecResolver& resolver, BackendFactory* factory)
    : options_(std::move(options)),
      db_(db),
      store_(db),
      sources_(db),
      audit_(db),
      router_(router),
      resolver_(resolver),
      factory_(factory) {}

Status CheckParamName(std::string_view name) {
  bool ok = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!ok) {
    return Status::InvalidArgument(
        "param name \"" + std::string(name) +
        "\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  }
  if (name == "PORT" || name == "CL_APP_PATH") {
    return Status::InvalidArgument("param name " + std::string(name) +
                                   " is reserved: Berth sets it in the container");
  }
  return Status::Ok();
}

namespace {

// `backend` when it is a StaticBackend to `up`, else null.
std::shared_ptr<proxy::Backend> SameStatic(const std::shared_ptr<proxy::Backend>& backend,
                                           const proxy::Upstream& up) {
  if (!dynamic_cast<const proxy::StaticBackend*>(backend.get())) return nullptr;
  proxy::Acquired a;  // a StaticBackend answers at once with its upstream
  if (!backend->TryAcquire(&a)) return nullptr;
  const proxy::Upstream& o = a.upstream;
  bool same =
      o.tls == up.tls && o.host == up.host && o.port == up.port && o.base_path == up.base_path;
  return same ? backend : nullptr;
}

}  // namespace

AppService::AppEntry AppService::AppEntry::Of(store::AppRecord r, MetadataPool& pool,
                                              proxy::Route route) {
  AppEntry e;
  route.app_id = std::move(r.id);
  route.domain = std::move(r.domain);
  route.path = std::move(r.path);
  e.route = std::make_shared<const proxy::Route>(std::move(route));
  if (!ConventionalStage(r)) e.explicit_main_id = std::move(r.main_id);
  e.source = std::move(r.source);
  e.spec = std::move(r.spec);
  e.meta = pool.Intern(std::move(r.metadata));
  e.version = r.version;
  e.switched_from = r.switched_from;
  e.is_stage = r.is_stage;
  e.dev = r.dev;
  return e;
}

store::AppRecord AppService::AppEntry::Record() const {
  store::AppRecord r;
  r.id = id();
  r.domain = domain();
  r.path = path();
  r.main_id = MainId();
  r.source = source;
  r.spec = spec;
  r.metadata = *meta;
  r.version = version;
  r.switched_from = switched_from;
  r.is_stage = is_stage;
  r.dev = dev;
  return r;
}

std::string AppService::AppEntry::MainId() const {
  if (!is_stage || !explicit_main_id.empty()) return explicit_main_id;
  return std::string("app_prd_").append(std::string_view(id()).substr(8));
}

const AppService::LiveDetail& AppService::Live::Empty() {
  static const LiveDetail empty;
  return empty;
}

void AppService::Live::SetError(std::string error) {
  auto d = std::make_shared<LiveDetail>(detail ? *detail : LiveDetail{});
  d->error = std::move(error);
  detail = std::move(d);
}

void AppService::KeepEqualFieldsLocked(AppEntry* entry) {
  auto it = apps_.find(entry->id());
  if (it == apps_.end()) return;
  AppEntry& old = it->second.record;
  const proxy::Route& o = *old.route;
  const proxy::Route& n = *entry->route;
  if (o.backend == n.backend && o.app_id == n.app_id && o.domain == n.domain && o.path == n.path &&
      o.strip_app == n.strip_app && o.preserve_host == n.preserve_host) {
    entry->route = old.route;
  }
  for (auto [fresh, kept] : {std::pair{&entry->explicit_main_id, &old.explicit_main_id},
                             {&entry->source, &old.source},
                             {&entry->spec, &old.spec}}) {
    if (*fresh == *kept) fresh->swap(*kept);
  }
}

Result<AppService::Live> AppService::PrepareLive(
    const store::AppRecord& record, const store::SourceFiles& source, bool warm,
    const std::vector<std::shared_ptr<proxy::Backend>>& reuse, SpecResolver::SpecMemo* specs) {
  Live live;
  BERTH_ASSIGN_OR_RETURN(ResolvedApp resolved, resolver_.Resolve(record, source, specs));
  proxy::Route route;
  route.strip_app = resolved.strip_app;
  route.preserve_host = resolved.preserve_host;
  if (resolved.container) {
    BERTH_RETURN_IF_ERROR(CheckContainerPolicy(record, *resolved.container, options_.security));
    auto detail = std::make_shared<LiveDetail>();
    detail->permissions = PermissionsAsked(record, *resolved.container);
    if (!factory_) {
      return Status::FailedPrecondition("containers are disabled (system.container_command)");
    }
    BERTH_ASSIGN_OR_RETURN(route.backend, factory_->Prepare(record, resolved, warm));
    live.container = true;
    detail->volumes = resolved.container->volumes;
    if (!detail->permissions.empty() || !detail->volumes.empty()) live.detail = std::move(detail);
  } else {
    BERTH_ASSIGN_OR_RETURN(proxy::Upstream up, proxy::ParseUpstreamUrl(resolved.upstream_url));
    BERTH_RETURN_IF_ERROR(CheckNotSelf(resolved.upstream_url, up));
    for (const auto& candidate : reuse) {
      if ((route.backend = SameStatic(candidate, up))) break;
    }
    if (!route.backend) route.backend = std::make_shared<proxy::StaticBackend>(up);
  }
  live.record = AppEntry::Of(record, metadata_, std::move(route));
  return live;
}

Status AppService::CheckNotSelf(const std::string& url, const proxy::Upstream& up) const {
  if (!options_.own_ports) return Status::Ok();
  std::string host = ToLower(up.host);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  bool local = host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") ||
               host == "::1" || host == "0.0.0.0" || host == "::" ||
               host == ToLower(options_.default_domain);
  if (!local) return Status::Ok();
  for (int port : options_.own_ports()) {
    if (port > 0 && port == up.port) {
      return Status::InvalidArgument("proxy url " + url +
                                     " points at this Berth server's own listener (port " +
                                     std::to_string(port) + "): its requests would loop");
    }
  }
  return Status::Ok();
}

void AppService::CommitLiveLocked(Live live) {
  if (live.container && factory_) factory_->Commit(live.record.Record(), live.backend());
  KeepEqualFieldsLocked(&live.record);
  SetRouteLocked(live);
  PutLocked(std::move(live));
}

void AppService::PutLocked(Live live) {
  // The view is of the route's string, which moving the entry leaves where it is; try_emplace
  // leaves `live` alone when the id is there already.
  std::string_view id = live.record.id();
  auto [it, inserted] = apps_.try_emplace(id, std::move(live));
  if (inserted) return;
  // Replace the entry and point the key at the new entry's id (the old one's may be freed).
  auto next = std::next(it);
  auto node = apps_.extract(it);
  node.mapped() = std::move(live);
  node.key() = node.mapped().record.id();
  apps_.insert(next, std::move(node));
}

void AppService::SetRouteLocked(const Live& live) {
  auto it = apps_.find(live.record.id());
  const auto& route = live.record.route;
  if (it != apps_.end() && it->second.backend()) {
    if (it->second.record.route == route) return;
    RouteGoneLocked(it->second.record.route);
  }
  if (live.backend()) added_routes_.push_back(route);
}

void AppService::RouteGoneLocked(const std::shared_ptr<const proxy::Route>& route) {
  auto pending = std::find(added_routes_.begin(), added_routes_.end(), route);
  if (pending != added_routes_.end()) {
    added_routes_.erase(pending);  // never published
  } else {
    removed_routes_.push_back(route);
  }
}

void AppService::DiscardLive(const Live& live) {
  if (live.container && factory_ && live.backend())
    factory_->Discard(live.record.Record(), live.backend());
}

Status AppService::Load() {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(auto digests, sources_.CurrentDigests());
  apps_.clear();
  other_stage_ids_.clear();
  // Apps with the same spec, source and params that route to a fixed URL resolve alike and
  // share one backend: each such combination is resolved (Starlark) once, not once per app.
  // Container apps depend on their path and id too, and are resolved one by one.
  // spec, source digest, params -> the route of such an app, without its id, domain and path
  std::unordered_map<std::string, proxy::Route> fixed;
  // Each spec's files, read once for the whole start.
  SpecResolver::SpecMemo specs;
  // One record at a time, as the store reads it.
  BERTH_RETURN_IF_ERROR(store_.ForEach([&](store::AppRecord&& r) -> Status {
    if (r.is_stage && !ConventionalStage(r)) other_stage_ids_.emplace(r.main_id, r.id);
    if (!r.metadata_error.empty()) {
      spdlog::warn("app {}:{} cannot be served: {}", r.domain, r.path, r.metadata_error);
      Live broken;
      broken.SetError(r.metadata_error + "; restore it with: berth version switch " +
                      std::to_string(r.version) + " " + PathOf(r) + ", or delete it");
      broken.unreadable = true;
      broken.record = AppEntry::Of(std::move(r), metadata_);
      PutLocked(std::move(broken));
      return Status::Ok();
    }
    auto digest = digests.find({r.id, r.version});
    std::string key = r.spec + '\n' + (digest == digests.end() ? "" : digest->second) + '\n' +
                      nlohmann::json(r.metadata.params).dump();
    if (auto known = fixed.find(key); known != fixed.end()) {
      Live live;
      live.record = AppEntry::Of(std::move(r), metadata_, known->second);
      PutLocked(std::move(live));
      return Status::Ok();
    }
    auto source = sources_.Get(r.id, r.version);
    auto live =
        source.ok() ? PrepareLive(r, *source, false, {}, &specs) : Result<Live>(source.status());
    if (!live.ok()) {
      spdlog::warn("app {}:{} cannot be served: {}", r.domain, r.path, live.status().message());
      Live broken;
      broken.SetError(live.status().message());
      broken.record = AppEntry::Of(std::move(r), metadata_);
      PutLocked(std::move(broken));
      return Status::Ok();
    }
    if (dynamic_cast<const proxy::StaticBackend*>(live->backend().get())) {
      const proxy::Route& route = *live->record.route;
      fixed.emplace(std::move(key),
                    proxy::Route{"", "", "", route.strip_app, route.preserve_host, route.backend});
    }
    if (live->container && factory_) factory_->Commit(r, live->backend());
    PutLocked(std::move(*live));
    return Status::Ok();
  }));
  std::vector<std::shared_ptr<const proxy::Route>> routes;
  routes.reserve(apps_.size());
  for (const auto& [id, live] : apps_) {
    if (live.backend()) routes.push_back(live.record.route);
  }
  removed_routes_.clear();
  added_routes_.clear();
  router_.Publish(std::make_shared<proxy::RouteTable>(std::move(routes), options_.default_domain));
  // Reading every record and resolving the specs leaves much freed memory in the heap.
  TrimHeap();
  return Status::Ok();
}

void AppService::TrimHeap() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

void AppService::PublishLocked() {
  router_.Publish(proxy::RouteTable::Patch(router_.Snapshot(), options_.default_domain,
                                           removed_routes_, added_routes_));
  removed_routes_.clear();
  added_routes_.clear();
}

AppInfo AppService::InfoOf(const Live& live) const {
  const auto& r = live.record;
  AppInfo info;
  info.id = r.id();
  info.path = r.domain() + ":" + r.path();
  info.version = r.version;
  info.spec = r.spec;
  info.source = r.source;
  info.main_id = r.MainId();
  info.is_stage = r.is_stage;
  info.permissions = live.permissions();
  info.dev = r.dev;
  if (r.dev) {
    info.type = "DEV";
  } else if (r.is_stage) {
    info.type = "STG";
  } else {
    ForEachStageLocked(r.id(), [&](const Live& stage) {
      if (stage.record.version > r.version) info.stage_ahead = true;
    });
    info.type = info.stage_ahead ? "PROD*" : "PROD";
  }
  info.state = live.backend() ? "ready" : "error";
  info.error = live.error();
  if (factory_ && live.backend()) {
    RunState run = factory_->StateOf(r.id());
    if (!run.state.empty()) {
      info.state = run.state;
      info.error = run.error;
      info.retry_in_secs = run.retry_in_secs;
      info.build_held = run.build_held;
      info.start_attempts = run.start_attempts;
    }
  }
  return info;
}

namespace {

// The prod record of a new app and its stage twin (version 1 each, ids drawn now).
std::pair<store::AppRecord, store::AppRecord> NewAppRecords(const CreateRequest& req,
                                                            const AppPath& path) {
  store::AppRecord prod;
  const std::string suffix = RandomId(20);
  prod.id = "app_prd_" + suffix;
  prod.domain = path.domain;
  prod.path = path.path;
  prod.source = req.source;
  prod.spec = req.spec;
  prod.dev = req.dev;
  prod.version = 1;
  prod.metadata = req.metadata;
  prod.metadata.approved = req.approve;
  prod.created_at = prod.updated_at = store::NowRfc3339();
  store::AppRecord stage = prod;
  stage.id = "app_stg_" + suffix;
  stage.path = path.Stage().path;
  stage.is_stage = true;
  stage.main_id = prod.id;
  return {std::move(prod), std::move(stage)};
}

// Apps on one domain cannot be nested: `path` against the prod apps of `existing`.
Status CheckNotNested(const AppPath& path, const std::vector<store::AppRecord>& existing) {
  for (const auto& e : existing) {
    if (e.is_stage) continue;
    AppPath other{e.domain, e.path};
    if (other.Contains(path) || path.Contains(other)) {
      return Status::InvalidArgument("app path " + path.ToString() + " is nested with app " +
                                     other.ToString() + "; apps on one domain cannot be nested");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<AppInfo>> AppService::Create(const CreateRequest& req) {
  BERTH_ASSIGN_OR_RETURN(AppPath path, ParseAppPath(req.path, options_.default_domain));
  if (req.spec.empty()) {
    return Status::InvalidArgument("--spec is required; known specs: " +
                                   Join(resolver_.SpecNames(), ", "));
  }
  BERTH_RETURN_IF_ERROR(resolver_.CheckConf(req.metadata.conf));
  for (const auto& [name, value] : req.metadata.params) {
    BERTH_RETURN_IF_ERROR(CheckParamName(name));
  }
  auto records = NewAppRecords(req, path);
  store::AppRecord& prod = records.first;
  store::AppRecord& stage = records.second;

  // Load and resolve before writing anything: an unknown spec, a missing param or a broken
  // spec file leaves no rows.
  // The files stay on disk (or in a git clone, while `loaded` lives) until Put streams them
  // into the store.
  BERTH_ASSIGN_OR_RETURN(
      LoadedSource loaded,
      LoadSource(req.source, req.metadata.branch, req.metadata.commit, options_.source_limits));
  sources_.Attach(&loaded.files);
  const store::SourceFiles& source = loaded.files;
  if (!loaded.head.empty()) prod.metadata.commit = stage.metadata.commit = loaded.head;
  BERTH_ASSIGN_OR_RETURN(Live prod_live, PrepareLive(prod, source, false));
  auto stage_prepared = PrepareLive(stage, source, false, {prod_live.backend()});
  if (!stage_prepared.ok()) {
    DiscardLive(prod_live);
    return stage_prepared.status();
  }
  Live stage_live = std::move(*stage_prepared);

  std::lock_guard lock(mu_);
  auto check = [&path](const std::vector<store::AppRecord>& existing) {
    return CheckNotNested(path, existing);
  };
  std::vector<AppInfo> out;
  if (req.dry_run) {
    // The same checks as the store's, over the apps in memory.
    std::vector<store::AppRecord> same_domain;
    for (const auto& [id, e] : apps_) {
      if (e.record.domain() == path.domain) {
        if (e.record.path() == prod.path) {
          return Status::AlreadyExists("app " + path.ToString() + " already exists");
        }
        if (!e.record.is_stage) same_domain.push_back(e.record.Record());
      }
    }
    DiscardLive(prod_live);
    DiscardLive(stage_live);
    BERTH_RETURN_IF_ERROR(check(same_domain));
    out.push_back(InfoOf(prod_live));
    out.push_back(InfoOf(stage_live));
    return out;
  }
  Status written = db_.Transaction([&]() -> Status {
    BERTH_RETURN_IF_ERROR(store_.Create(prod, stage, check, req.actor));
    BERTH_RETURN_IF_ERROR(sources_.Put(prod.id, prod.version, source));
    BERTH_RETURN_IF_ERROR(sources_.Put(stage.id, stage.version, source));
    return audit_.Add({0, "", req.actor, prod.id, path.ToString(), "create",
                       "spec " + prod.spec + ", source " + prod.source});
  });
  if (!written.ok()) {
    DiscardLive(prod_live);
    DiscardLive(stage_live);
    return written;
  }
  CommitLiveLocked(std::move(prod_live));
  CommitLiveLocked(std::move(stage_live));
  PublishLocked();
  out.push_back(InfoOf(apps_.at(prod.id)));
  out.push_back(InfoOf(apps_.at(stage.id)));
  return out;
}

Result<std::vector<AppInfo>> AppService::List(const std::string& glob_text, bool include_stage) {
  BERTH_ASSIGN_OR_RETURN(
      AppGlob glob, AppGlob::Parse(glob_text.empty() ? "all" : glob_text, options_.default_domain));
  std::lock_guard lock(mu_);
  std::vector<const Live*> selected;
  if (glob.IsExact()) {
    // One app: found through the route table's index rather than a walk of every app (an
    // app without a route, say one that failed to resolve, is found by the walk below).
    auto table = router_.Snapshot();
    const proxy::Route* route = table->Match(glob.domain(), glob.path());
    auto it = route && route->domain == glob.domain() && route->path == glob.path()
                  ? apps_.find(route->app_id)
                  : apps_.end();
    if (it != apps_.end() && !it->second.record.is_stage) {
      selected.push_back(&it->second);
      if (include_stage) {
        ForEachStageLocked(it->first, [&](const Live& stage) { selected.push_back(&stage); });
      }
    }
  }
  const bool found_exact = !selected.empty();
  std::string main_id;  // reused: no allocation per stage twin
  auto main_of = [&](const AppEntry& r) {
    if (!r.explicit_main_id.empty()) return apps_.find(r.explicit_main_id);
    main_id.assign("app_prd_").append(std::string_view(r.id()).substr(8));
    return apps_.find(main_id);
  };
  for (const auto& [id, live] : apps_) {
    if (found_exact) break;
    const auto& r = live.record;
    if (r.is_stage && !include_stage) continue;
    if (glob.all()) {
      if (!r.is_stage || main_of(r) != apps_.end()) selected.push_back(&live);
      continue;
    }
    AppPath p{r.domain(), r.path()};
    if (r.is_stage) {
      // A stage twin is listed with its prod app.
      auto main = main_of(r);
      if (main == apps_.end()) continue;
      p = AppPath{main->second.record.domain(), main->second.record.path()};
    }
    if (glob.Matches(p)) selected.push_back(&live);
  }
  // Sorted by the routes' domain and path, one pointer away.
  std::vector<std::pair<const proxy::Route*, const Live*>> sorted;
  sorted.reserve(selected.size());
  for (const Live* l : selected) sorted.emplace_back(l->record.route.get(), l);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first->domain, a.first->path) < std::tie(b.first->domain, b.first->path);
  });
  std::vector<AppInfo> out;
  out.reserve(sorted.size());
  for (const auto& [route, l] : sorted) out.push_back(InfoOf(*l));
  return out;
}

Result<DeleteResult> AppService::Delete(const std::string& glob_text, const std::string& actor,
                                        bool volumes) {
  BERTH_ASSIGN_OR_RETURN(AppGlob glob, AppGlob::Parse(glob_text, options_.default_domain));
  std::lock_guard lock(mu_);
  std::vector<std::string> ids = MatchProdAndStageLocked(glob);
  if (ids.empty()) return Status::NotFound("no app matches " + glob_text);
  BERTH_RETURN_IF_ERROR(db_.Transaction([&]() -> Status {
    BERTH_RETURN_IF_ERROR(store_.Delete(ids));
    for (const auto& id : ids) {
      const auto& r = apps_.at(id).record;
      if (r.is_stage) continue;
      BERTH_RETURN_IF_ERROR(
          audit_.Add({0, "", actor, id, PathOf(r), volumes ? "delete --volumes" : "delete", ""}));
    }
    return Status::Ok();
  }));
  if (Status gc = sources_.CollectGarbage(); !gc.ok()) {
    spdlog::warn("deleting unused source files failed (retried at the next delete): {}",
                 gc.message());
  }
  DeleteResult out;
  out.volumes_removed = volumes;
  if (factory_) out.engine = factory_->EngineName();
  std::vector<store::AppRecord> removed;
  for (const auto& id : ids) {
    out.apps.push_back(InfoOf(apps_.at(id)));
    removed.push_back(apps_.at(id).record.Record());
    if (!factory_) continue;
    auto names = factory_->VolumesOf(id);
    if (!names.ok()) {
      spdlog::warn("app {}: cannot list its volumes: {}", id, names.status().message());
      continue;
    }
    out.volumes.insert(out.volumes.end(), names->begin(), names->end());
  }
  for (const auto& id : ids) {
    if (const Live& live = apps_.at(id); live.backend()) RouteGoneLocked(live.record.route);
    apps_.erase(id);
    other_stage_ids_.erase(id);
  }
  PublishLocked();
  if (factory_) {
    for (const auto& r : removed) factory_->Forget(r, volumes);
  }
  if (ids.size() >= kBulkApps) TrimHeap();
  return out;
}

Result<std::vector<AppVolumeInfo>> AppService::Volumes(const std::string& glob) {
  BERTH_ASSIGN_OR_RETURN(std::vector<AppInfo> apps, List(glob, /*include_stage=*/true));
  std::set<std::string> existing;
  if (factory_) {
    BERTH_ASSIGN_OR_RETURN(std::vector<std::string> names, factory_->AllVolumes());
    existing.insert(names.begin(), names.end());
  }
  std::vector<AppVolumeInfo> out;
  std::lock_guard lock(mu_);
  for (const auto& a : apps) {
    auto live = apps_.find(a.id);
    if (live == apps_.end()) continue;  // deleted meanwhile
    std::set<std::string> mounted;
    auto add = [&](const VolumeDescription& d) {
      AppVolumeInfo v;
      v.app_id = a.id;
      v.path = a.path;
      v.type = a.type;
      v.destination = d.destination;
      v.kind = d.kind;
      v.source = d.source;
      v.options = d.options;
      v.exists = d.kind == "volume" && existing.count(d.source) > 0;
      out.push_back(std::move(v));
    };
    for (const auto& entry : live->second.volumes()) {
      VolumeDescription d = DescribeVolume(a.id, entry);
      if (d.kind == "volume") mounted.insert(d.source);
      add(d);
    }
    // Volumes an earlier version mounted: still the app's, removed with it.
    std::string prefix = VolumeName(a.id, "x");
    prefix.pop_back();  // "berth-<id>-"
    for (const auto& name : existing) {
      if (!StartsWith(name, prefix) || mounted.count(name)) continue;
      add(VolumeDescription{"", "volume", name, ""});
    }
  }
  return out;
}

std::vector<std::string> AppService::MatchProdAndStageLocked(const AppGlob& glob) const {
  std::vector<std::string> ids;
  for (const auto& [id, live] : apps_) {
    const auto& r = live.record;
    if (r.is_stage) continue;
    if (!glob.Matches(AppPath{r.domain(), r.path()})) continue;
    ids.emplace_back(id);
    ForEachStageLocked(id, [&](const Live& stage) { ids.push_back(stage.record.id()); });
  }
  return ids;
}

Result<std::vector<AppInfo>> AppService::Restart(const std::string& glob_text) {
  BERTH_ASSIGN_OR_RETURN(AppGlob glob, AppGlob::Parse(glob_text, options_.default_domain));
  std::lock_guard lock(mu_);
  std::vector<std::string> ids = MatchProdAndStageLocked(glob);
  if (ids.empty()) return Status::NotFound("no app matches " + glob_text);
  std::vector<AppInfo> out;
  for (const auto& id : ids) {
    const Live& live = apps_.at(id);
    if (factory_ && live.backend()) factory_->Restart(id);
    out.push_back(InfoOf(live));
  }
  return out;
}

Result<store::AppRecord> AppService::Find(const std::string& path_text) {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(const Live* live, FindLocked(path_text));
  return live->record.Record();
}

}  // namespace berth::app
