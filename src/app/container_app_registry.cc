#include "app/container_app_registry.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>

#include "app/plan_renderer.h"
#include "base/files.h"
#include "base/strings.h"

namespace berth::app {

namespace {

std::chrono::milliseconds Seconds(const std::string& text, int fallback) {
  long long v = 0;
  if (!ParseInt(text, &v) || v < 0) v = fallback;
  return std::chrono::milliseconds(v * 1000);
}

}  // namespace

ContainerAppRegistry::ContainerAppRegistry(Options options,
                                           std::unique_ptr<container::ContainerRuntime> runtime,
                                           std::string disabled_reason,
                                           const SpecResolver& resolver, const Clock& clock)
    : options_(std::move(options)),
      runtime_(std::move(runtime)),
      disabled_reason_(std::move(disabled_reason)),
      resolver_(resolver),
      clock_(clock) {}

ContainerAppRegistry::~ContainerAppRegistry() { Stop(); }

Result<std::shared_ptr<proxy::Backend>> ContainerAppRegistry::Make(const store::AppRecord& record,
                                                                   const ResolvedApp& resolved) {
  BERTH_ASSIGN_OR_RETURN(auto backend, Prepare(record, resolved, /*warm=*/false));
  Commit(record, backend);
  return backend;
}

Result<std::shared_ptr<proxy::Backend>> ContainerAppRegistry::Prepare(
    const store::AppRecord& record, const ResolvedApp& resolved, bool warm) {
  if (!runtime_) return Status::FailedPrecondition(disabled_reason_);
  BERTH_ASSIGN_OR_RETURN(ContainerPlan plan, MakeContainerPlan(record, resolved, options_.home));
  ContainerAppSettings settings;
  settings.idle_timeout =
      Seconds(resolver_.ConfigValue(record, "container.idle_shutdown_secs", "180"), 180);
  settings.start_timeout =
      Seconds(resolver_.ConfigValue(record, "container.start_timeout_secs", "180"), 180);
  settings.status_interval =
      Seconds(resolver_.ConfigValue(record, "container.status_check_interval_secs", "5"), 5);
  settings.max_start_backoff =
      Seconds(resolver_.ConfigValue(record, "container.max_start_backoff_secs", "60"), 60);
  settings.drain_timeout =
      Seconds(resolver_.ConfigValue(record, "container.drain_timeout_secs", "30"), 30);
  settings.stop_timeout_secs = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(
          Seconds(resolver_.ConfigValue(record, "container.stop_timeout_secs", "10"), 10))
          .count());
  ContainerAppDeps deps;
  deps.runtime = runtime_.get();
  deps.jobs = &jobs_;
  deps.probe = &probe_;
  deps.clock = &clock_;
  deps.build_root = options_.home + "/run/build";
  deps.secret_files_root = SecretFilesRoot();
  deps.stop = stop_.get_token();
  deps.render = [secret = options_.secret, root = deps.secret_files_root](
                    const ContainerPlan& plan, const store::SourceFiles& files) {
    return RenderPlan(plan, files, RenderDeps{secret, root});
  };
  auto app = std::make_shared<ContainerApp>(deps, settings, std::move(plan), resolved.files);
  std::shared_ptr<ContainerApp> current = Find(record.id);
  if (current) {
    // A new version: the backoff starts afresh, but a build that failed with the same inputs
    // is not tried again until they change or `berth app restart`.
    app->CarryOverFailedBuild(*current);
    if (current->plan().run.name == app->plan().run.name) {
      app->TakeOver(*current);
    } else if (warm && current->state() == ContainerApp::State::kRunning) {
      spdlog::info("app {}: starting {} before it takes over from {}", record.id,
                   app->plan().run.name, current->plan().run.name);
      if (Status s = app->StartAndWait(); !s.ok()) {
        app->Supersede(current, std::chrono::milliseconds(0));
        return s;
      }
    }
  }
  return std::shared_ptr<proxy::Backend>(app);
}

void ContainerAppRegistry::Commit(const store::AppRecord& record,
                                  const std::shared_ptr<proxy::Backend>& backend) {
  auto app = std::static_pointer_cast<ContainerApp>(backend);
  std::shared_ptr<ContainerApp> previous;
  bool started;
  {
    std::lock_guard lock(mu_);
    auto& slot = apps_[record.id];
    previous = slot;
    slot = app;
    started = monitor_.joinable();
  }
  if (previous && previous != app) {
    app->TakeOver(*previous);  // the same container: it goes on serving without a restart
    auto drain = previous->settings().drain_timeout;
    jobs_.Post([previous, app, drain] { previous->Supersede(app, drain); });
  }
  if (started) jobs_.Post([app] { app->AdoptExisting(); });
}

void ContainerAppRegistry::Discard(const store::AppRecord& record,
                                   const std::shared_ptr<proxy::Backend>& backend) {
  auto app = std::static_pointer_cast<ContainerApp>(backend);
  std::shared_ptr<ContainerApp> current = Find(record.id);
  if (current == app) return;
  jobs_.Post([app, current] { app->Supersede(current, std::chrono::milliseconds(0)); });
}

void ContainerAppRegistry::Forget(const store::AppRecord& record, bool volumes) {
  std::shared_ptr<ContainerApp> app;
  {
    std::lock_guard lock(mu_);
    auto it = apps_.find(record.id);
    if (it != apps_.end()) {
      app = it->second;
      apps_.erase(it);
    }
  }
  if (!app && !(volumes && runtime_)) return;
  std::string id = record.id;
  jobs_.Post([this, app, id, volumes] {
    if (app) app->Retire();  // its containers go first: a volume in use stays
    if (volumes) RemoveVolumes(id);
  });
}

void ContainerAppRegistry::RemoveVolumes(const std::string& app_id) {
  auto names = runtime_->VolumeListByLabel(kLabelAppId, app_id);
  if (!names.ok()) {
    spdlog::warn("app {}: cannot list its volumes: {}", app_id, names.status().message());
    return;
  }
  for (const auto& name : *names) {
    if (Status s = runtime_->VolumeRemove(name); !s.ok()) {
      spdlog::warn("app {}: cannot remove volume {}: {}", app_id, name, s.message());
    } else {
      spdlog::info("app {}: removed volume {}", app_id, name);
    }
  }
}

Result<std::vector<std::string>> ContainerAppRegistry::VolumesOf(const std::string& app_id) {
  if (!runtime_) return std::vector<std::string>{};
  return runtime_->VolumeListByLabel(kLabelAppId, app_id);
}

Result<std::vector<std::string>> ContainerAppRegistry::AllVolumes() {
  if (!runtime_) return std::vector<std::string>{};
  return runtime_->VolumeListByLabel(kLabelHome, options_.home);
}

RunState ContainerAppRegistry::StateOf(const std::string& app_id) {
  auto app = Find(app_id);
  if (!app) return RunState{};
  return app->StateText();
}

void ContainerAppRegistry::Restart(const std::string& app_id) {
  auto app = Find(app_id);
  if (!app) return;
  spdlog::info("app {}: restart requested", app_id);
  app->Restart();
}

std::shared_ptr<ContainerApp> ContainerAppRegistry::Find(const std::string& app_id) {
  std::lock_guard lock(mu_);
  auto it = apps_.find(app_id);
  return it == apps_.end() ? nullptr : it->second;
}

void ContainerAppRegistry::Start() {
  if (!runtime_) return;
  if (Status s = MakeDirs(options_.home + "/run/build", 0700); !s.ok()) {
    spdlog::warn("cannot create the build folder (builds will fail): {}", s.message());
  }
  std::vector<std::shared_ptr<ContainerApp>> apps;
  {
    std::lock_guard lock(mu_);
    if (monitor_.joinable()) return;
    stopping_ = false;
    for (auto& [id, app] : apps_) apps.push_back(app);
    monitor_ = std::thread([this] { MonitorLoop(); });
  }
  for (auto& app : apps) jobs_.Post([app] { app->AdoptExisting(); });
  jobs_.Post([this] { CleanUpOrphans(); });
}

void ContainerAppRegistry::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void ContainerAppRegistry::MonitorLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.tick, [this] { return stopping_; });
    if (stopping_) break;
    std::vector<std::shared_ptr<ContainerApp>> apps;
    for (auto& [id, app] : apps_) apps.push_back(app);
    lock.unlock();
    for (auto& app : apps) app->Tick();
    lock.lock();
  }
}

void ContainerAppRegistry::CleanUpOrphans() {
  auto list = runtime_->ListByLabel(kLabelHome, options_.home);
  if (!list.ok()) {
    spdlog::warn("cannot list containers: {}", list.status().message());
    return;
  }
  for (const auto& c : *list) {
    auto id = c.labels.find(kLabelAppId);
    if (id == c.labels.end()) continue;
    auto app = Find(id->second);
    if (app && app->Live()->run.name == c.name) continue;
    if (app && app->state() == ContainerApp::State::kStarting) continue;
    // A container of the same plan whose name carries resolved secrets: adopted, or started
    // again at the next start when its secrets are unchanged.
    auto plan = c.labels.find(kLabelPlan);
    if (app && plan != c.labels.end() && plan->second == app->plan().run.name) continue;
    spdlog::info("removing container {}: {}", c.name,
                 app ? "superseded by " + app->plan().run.name : "its app no longer exists");
    if (Status s = runtime_->Remove(c.name); !s.ok()) {
      spdlog::warn("cannot remove container {}: {}", c.name, s.message());
      continue;
    }
    if (!c.image.empty() && c.image.find("berth-") != std::string::npos &&
        (!app || c.image != app->Live()->image)) {
      runtime_->RemoveImage(c.image).IgnoreError("another container may still use the image");
    }
  }
  // Rendered cl_secret files whose container is gone.
  auto kept = runtime_->ListByLabel(kLabelHome, options_.home);
  if (!kept.ok()) return;
  std::set<std::string> names;
  for (const auto& c : *kept) names.insert(c.name);
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, app] : apps_) names.insert(app->Live()->run.name);
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(SecretFilesRoot(), ec)) {
    std::string name = entry.path().filename().string();
    if (names.count(name)) continue;
    std::error_code removed;
    std::filesystem::remove_all(entry.path(), removed);
  }
}

std::string ContainerAppRegistry::SecretFilesRoot() const { return options_.home + "/run/secrets"; }

Result<std::string> ContainerAppRegistry::Logs(const std::string& app_id, int lines) {
  auto app = Find(app_id);
  if (!app || !runtime_) return Status::NotFound("the app has no container");
  auto logs = runtime_->Logs(app->Live()->run.name, lines);
  if (!logs.ok() && logs.status().code() == Status::Code::kNotFound) {
    return Status::NotFound(
        "the app's container has not been created yet: it starts on the "
        "first request");
  }
  return logs;
}

Result<ProcessOptions> ContainerAppRegistry::FollowLogsCommand(const std::string& app_id,
                                                               int lines) {
  auto app = Find(app_id);
  if (!app || !runtime_) return Status::NotFound("the app has no container");
  const std::string name = app->Live()->run.name;
  auto info = runtime_->Inspect(name);
  if (!info.ok()) {
    return Status::NotFound(
        "the app's container has not been created yet: it starts on the "
        "first request");
  }
  return runtime_->FollowLogsCommand(name, lines);
}

}  // namespace berth::app
