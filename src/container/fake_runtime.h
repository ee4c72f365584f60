// FakeRuntime: an in-memory ContainerRuntime for unit tests of the decision logic above the
// engine (the lifecycle). Thread-safe. Counts calls; can be told to fail or to block.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "container/runtime.h"

namespace berth::container {

class FakeRuntime : public ContainerRuntime {
 public:
  struct Container {
    std::string image;
    bool running = false;
    int port = 0;
    int container_port = 0;
    Labels labels;
  };

  std::string Name() const override { return name; }
  bool KeepsHostPortsOnRestart() const override { return name == "podman"; }
  Status Ping() override { return Status::Ok(); }

  Status Build(const BuildSpec& spec, std::string* output) override {
    std::unique_lock lock(mu_);
    ++builds;
    cv_.wait(lock, [&] { return !hold_builds; });
    if (!build_error.empty()) {
      *output = "STEP 1/2: FROM busybox\n" + build_error + "\n";
      return Status::Unavailable("build failed: " + build_error);
    }
    images.insert(spec.image);
    return Status::Ok();
  }
  Result<bool> ImageExists(const std::string& image) override {
    std::lock_guard lock(mu_);
    return images.count(image) > 0;
  }
  Status RemoveImage(const std::string& image) override {
    std::lock_guard lock(mu_);
    images.erase(image);
    return Status::Ok();
  }
  Result<std::string> Run(const RunSpec& spec) override {
    std::unique_lock lock(mu_);
    ++runs;
    cv_.wait(lock, [&] { return !hold_runs; });
    if (!run_error.empty()) return Status::Unavailable(run_error);
    if (!images.count(spec.image)) return Status::Unavailable("no such image " + spec.image);
    if (containers.count(spec.name)) return Status::AlreadyExists(spec.name);
    containers[spec.name] =
        Container{spec.image, true, next_port++, spec.container_port, spec.labels};
    return spec.name + "-id";
  }
  Status Start(const std::string& name) override {
    std::lock_guard lock(mu_);
    ++starts;
    if (!run_error.empty()) return Status::Unavailable(run_error);
    auto it = containers.find(name);
    if (it == containers.end()) return Status::NotFound(name);
    it->second.running = true;
    return Status::Ok();
  }
  Status Stop(const std::string& name, int) override {
    std::lock_guard lock(mu_);
    ++stops;
    auto it = containers.find(name);
    if (it != containers.end()) it->second.running = false;
    return Status::Ok();
  }
  Status Remove(const std::string& name) override {
    std::lock_guard lock(mu_);
    containers.erase(name);
    return Status::Ok();
  }
  Result<ContainerInfo> Inspect(const std::string& name) override {
    std::lock_guard lock(mu_);
    auto it = containers.find(name);
    if (it == containers.end()) return Status::NotFound("no such container " + name);
    return InfoOf(name, it->second);
  }
  Result<std::vector<ContainerInfo>> ListByLabel(const std::string& key,
                                                 const std::string& value) override {
    std::lock_guard lock(mu_);
    std::vector<ContainerInfo> out;
    for (const auto& [name, c] : containers) {
      auto it = c.labels.find(key);
      if (it != c.labels.end() && it->second == value) out.push_back(InfoOf(name, c));
    }
    return out;
  }
  Result<std::string> Logs(const std::string& name, int) override { return "log of " + name; }
  ProcessOptions FollowLogsCommand(const std::string& name, int) override {
    return ProcessOptions{.argv = {"echo", name}};
  }
  Status VolumeCreate(const std::string& name, const Labels& labels) override {
    std::lock_guard lock(mu_);
    if (volumes.insert(name).second) volume_labels[name] = labels;
    return Status::Ok();
  }
  Result<bool> VolumeExists(const std::string& name) override {
    std::lock_guard lock(mu_);
    return volumes.count(name) > 0;
  }
  Status VolumeRemove(const std::string& name) override {
    std::lock_guard lock(mu_);
    volumes.erase(name);
    volume_labels.erase(name);
    return Status::Ok();
  }
  Result<std::vector<std::string>> VolumeListByLabel(const std::string& key,
                                                     const std::string& value) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& name : volumes) {
      auto l = volume_labels.find(name);
      if (l == volume_labels.end()) continue;
      auto it = l->second.find(key);
      if (it != l->second.end() && it->second == value) out.push_back(name);
    }
    return out;
  }

  // Test controls.
  std::string name = "fake";  // "podman": KeepsHostPortsOnRestart() (the fast restart)
  void HoldBuilds(bool hold) { Set(hold_builds, hold); }
  void HoldRuns(bool hold) { Set(hold_runs, hold); }
  void Kill(const std::string& name) {
    std::lock_guard lock(mu_);
    containers.at(name).running = false;
  }
  bool IsRunningOnPort(int port) {
    std::lock_guard lock(mu_);
    for (const auto& [name, c] : containers) {
      if (c.port == port && c.running) return true;
    }
    return false;
  }
  int Count(const int& counter) {
    std::lock_guard lock(mu_);
    return counter;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_builds = false;
  bool hold_runs = false;
  std::string build_error;
  std::string run_error;  // the engine refuses every run and start with this message
  int builds = 0, runs = 0, starts = 0, stops = 0;
  int next_port = 40000;
  std::set<std::string> images;
  std::set<std::string> volumes;
  std::map<std::string, Labels> volume_labels;  // of the volumes made by VolumeCreate
  std::map<std::string, Container> containers;

 private:
  void Set(bool& flag, bool value) {
    {
      std::lock_guard lock(mu_);
      flag = value;
    }
    cv_.notify_all();
  }
  static ContainerInfo InfoOf(const std::string& name, const Container& c) {
    ContainerInfo info;
    info.id = name + "-id";
    info.name = name;
    info.image = c.image;
    info.state = c.running ? "running" : "exited";
    info.running = c.running;
    info.host_port = c.running ? c.port : 0;
    info.ports.push_back(PortBinding{c.container_port, "tcp", "127.0.0.1", c.port});
    info.labels = c.labels;
    return info;
  }
};

}  // namespace berth::container
