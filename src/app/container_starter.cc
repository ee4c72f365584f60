#include "app/container_starter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "app/plan_renderer.h"
#include "base/files.h"
#include "base/random_id.h"
#include "base/strings.h"

namespace berth::app {

using std::chrono::milliseconds;

milliseconds ProbeDelay(int attempt) {
  if (attempt < 5) return milliseconds(2);
  if (attempt < 20) return milliseconds(5);
  if (attempt < 40) return milliseconds(10);
  int64_t d = 10 + (attempt - 40) * 2;
  return milliseconds(std::min<int64_t>(d, 100));
}

ContainerStarter::ContainerStarter(const ContainerAppDeps& deps, const ContainerPlan& plan,
                                   std::shared_ptr<const ContainerPlan> live,
                                   const store::SourceFiles& files, milliseconds start_timeout)
    : deps_(deps),
      plan_(plan),
      live_(std::move(live)),
      files_(files),
      start_timeout_(start_timeout) {}

Status ContainerStarter::Build(std::string* log) {
  // Write the build context (the files under build_dir) to a fresh folder.
  std::string dir = deps_.build_root + "/" + plan_.app_id + "-" + RandomId(8);
  BERTH_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  std::string prefix = plan_.build_dir.empty() ? "" : plan_.build_dir + "/";
  Status written = Status::Ok();
  for (const auto& [path, file] : files_) {
    if (!prefix.empty() && !StartsWith(path, prefix)) continue;
    std::string rel = path.substr(prefix.size());
    std::string full = dir + "/" + rel;
    size_t slash = full.rfind('/');
    written = MakeDirs(full.substr(0, slash), 0755);
    if (written.ok()) written = store::CopySourceFile(file, full, file.mode & 0777);
    if (!written.ok()) break;
  }
  // The Containerfile may live outside the context (build_dir set): give its full path.
  std::string containerfile = dir + "/containerfile.berth";
  if (written.ok()) {
    written = store::CopySourceFile(files_.at(plan_.containerfile), containerfile, 0644);
  }
  Status s = written;
  if (s.ok()) {
    container::BuildSpec spec = live_->build_spec;
    spec.context_dir = dir;
    spec.containerfile = containerfile;
    spdlog::info("app {}: building image {}", plan_.app_id, spec.image);
    s = deps_.runtime->Build(spec, log);
  }
  std::error_code removed;
  std::filesystem::remove_all(dir, removed);  // best effort: a temp build context
  if (!s.ok()) {
    std::string tail = std::string(Trim(LastLines(*log, 20)));
    return Status::Unavailable("image build failed: " + s.message() +
                               (tail.empty() ? "" : "\nbuild log (last lines):\n" + tail));
  }
  return s;
}

Status ContainerStarter::CreateVolumes() {
  for (const auto& vol : plan_.volumes_to_create) {
    Status s = deps_.runtime->VolumeCreate(vol, plan_.volume_labels);
    if (!s.ok()) return s.WithContext("cannot create volume " + vol);
  }
  return Status::Ok();
}

Result<int> ContainerStarter::RunOrStart() {
  auto info = deps_.runtime->Inspect(live_->run.name);
  if (!info.ok() && info.status().code() != Status::Code::kNotFound) return info.status();
  if (info.ok() && info->running && info->HostPortFor(plan_.container_port) > 0) {
    return info->HostPortFor(plan_.container_port);  // already running: adopt it
  }
  if (info.ok()) {
    Status s = deps_.runtime->Start(live_->run.name);
    if (!s.ok()) return s.WithContext("cannot start container " + live_->run.name);
  } else {
    if (!plan_.build) {
      auto exists = deps_.runtime->ImageExists(live_->image);
      if (exists.ok() && !*exists) {
        spdlog::info("app {}: image {} is not present; the engine will try to pull it",
                     plan_.app_id, live_->image);
      }
    }
    auto id = deps_.runtime->Run(live_->run);
    if (!id.ok()) {
      if (!plan_.build) {
        auto exists = deps_.runtime->ImageExists(live_->image);
        if (exists.ok() && !*exists) {
          return Status::Unavailable(
              "image " + live_->image +
              " is not available locally and could not be pulled: " + id.status().message());
        }
      }
      return id.status().WithContext("cannot run container " + live_->run.name);
    }
  }
  auto after = deps_.runtime->Inspect(live_->run.name);
  if (!after.ok()) return after.status();
  int port = after->HostPortFor(plan_.container_port);
  if (!after->running) {
    std::string tail = LogTail(50);
    return Status::Unavailable("the container exited at once (exit code " +
                               std::to_string(after->exit_code) + ")" +
                               (tail.empty() ? "" : "; container log:\n" + tail));
  }
  if (port <= 0) {
    return Status::Internal("the engine published no host port for container port " +
                            std::to_string(plan_.container_port));
  }
  return port;
}

Status ContainerStarter::WaitHealthy(int port, SteadyTime deadline,
                                     std::shared_ptr<std::atomic<int>> confirmed_port) {
  std::string last_error = "no answer yet";
  auto last_inspect = deps_.clock->Now();
  for (int attempt = 0;; ++attempt) {
    if (deps_.stop.stop_requested()) return Status::Unavailable("the server is stopping");
    auto now = deps_.clock->Now();
    if (now >= deadline) break;
    if (confirmed_port) {
      int confirmed = confirmed_port->load();
      if (confirmed < 0) {
        return Status::Unavailable("the container is not running after its start");
      }
      if (confirmed > 0) port = confirmed;
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    auto code =
        deps_.probe->Get("127.0.0.1", port, plan_.health_path, std::min(left, milliseconds(5'000)));
    if (code.ok()) {
      if (*code >= 200 && *code < 300) return Status::Ok();
      last_error = "health check " + plan_.health_path + " answered " + std::to_string(*code);
    } else {
      last_error = "health check " + plan_.health_path + ": " + code.status().message();
    }
    // Every second, make sure the container is still there to wait for.
    if (deps_.clock->Now() - last_inspect >= milliseconds(1000)) {
      last_inspect = deps_.clock->Now();
      auto info = deps_.runtime->Inspect(live_->run.name);
      if (info.ok() && !info->running) {
        return Status::Unavailable("the container exited (exit code " +
                                   std::to_string(info->exit_code) + ") before it was healthy");
      }
    }
    deps_.clock->Sleep(ProbeDelay(attempt));
  }
  return Status::Unavailable(
      "the app did not become healthy within " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(start_timeout_).count()) +
      "s (" + last_error + ")");
}

Result<int> ContainerStarter::RestartStopped(int known_port, SteadyTime deadline) {
  Status started = deps_.runtime->Start(live_->run.name);
  if (!started.ok()) return started;
  // Confirm the port alongside the probes instead of before them.
  auto confirmed = std::make_shared<std::atomic<int>>(0);
  deps_.jobs->Post([runtime = deps_.runtime, name = live_->run.name,
                    container_port = plan_.container_port, confirmed] {
    auto info = runtime->Inspect(name);
    int port = info.ok() && info->running ? info->HostPortFor(container_port) : -1;
    confirmed->store(port > 0 ? port : -1);
  });
  Status healthy = WaitHealthy(known_port, deadline, confirmed);
  if (!healthy.ok()) return StopAfterFailure(healthy);
  int port = confirmed->load();
  return port > 0 ? port : known_port;
}

Status ContainerStarter::StopAfterFailure(const Status& why) {
  std::string tail = LogTail(50);
  deps_.runtime->Stop(live_->run.name, 0).IgnoreError("the start failed already; said below");
  return Status::Unavailable(why.message() + (tail.empty() ? "" : "; container log:\n" + tail));
}

void ContainerStarter::RemoveSuperseded() {
  auto list = deps_.runtime->ListByLabel(kLabelAppId, plan_.app_id);
  if (!list.ok()) return;
  for (const auto& c : *list) {
    // A running one may be the version this one replaces, finishing its requests: it removes
    // its own container when done (Supersede), and a server restart cleans up the rest.
    if (c.name == live_->run.name || c.running) continue;
    spdlog::info("app {}: removing superseded container {}", plan_.app_id, c.name);
    if (Status s = RemoveContainer(c.name); !s.ok()) {
      spdlog::warn("app {}: cannot remove container {}: {}", plan_.app_id, c.name, s.message());
      continue;
    }
    if (plan_.build && c.image != live_->image && !c.image.empty()) {
      Status s = deps_.runtime->RemoveImage(c.image);
      if (s.ok()) spdlog::info("app {}: removed superseded image {}", plan_.app_id, c.image);
    }
  }
}

Status ContainerStarter::RemoveContainer(const std::string& name) {
  Status s = deps_.runtime->Remove(name);
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  if (!deps_.secret_files_root.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(SecretFilesDir(deps_.secret_files_root, name), ec);
  }
  return s;
}

std::string ContainerStarter::LogTail(int lines) {
  auto logs = deps_.runtime->Logs(live_->run.name, lines);
  return logs.ok() ? std::string(Trim(*logs)) : "";
}

}  // namespace berth::app
