// ContainerAppRegistry: the container side of the app service. It makes a ContainerApp (the proxy
// Backend) for every container app, ticks their idle and health timers, adopts containers a
// previous server run left running, removes what deleted apps leave behind, and serves logs.
//
// Thread-safe: the app service calls it from admin threads, the proxy's sessions hold its
// ContainerApps, its own monitor and job threads tick and start them. Shutdown order: Stop(),
// then Drain() (and Cancel() if work is left), then destroy the proxy, then this registry:
// after Drain no job thread runs, so none can call back into a destroyed proxy.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "app/app_service.h"
#include "app/container_app.h"
#include "app/spec_resolver.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "container/runtime.h"

namespace berth::app {

class ContainerAppRegistry : public BackendFactory {
 public:
  struct Options {
    std::string home;
    std::chrono::milliseconds tick{100};
    // The value of a {{secret ...}} in a param, build arg or cl_secret template
    // (secrets::SecretProviders::FromTemplateArgs). Null: apps that use secrets fail to start.
    std::function<Result<std::string>(const std::vector<std::string>& args)> secret;
  };

  // `runtime` may be null: container apps then fail with `disabled_reason`.
  ContainerAppRegistry(Options options, std::unique_ptr<container::ContainerRuntime> runtime,
                       std::string disabled_reason, const SpecResolver& resolver,
                       const Clock& clock);
  ~ContainerAppRegistry() override;

  Result<std::shared_ptr<proxy::Backend>> Make(const store::AppRecord& record,
                                               const ResolvedApp& resolved) override;
  Result<std::shared_ptr<proxy::Backend>> Prepare(const store::AppRecord& record,
                                                  const ResolvedApp& resolved, bool warm) override;
  void Commit(const store::AppRecord& record,
              const std::shared_ptr<proxy::Backend>& backend) override;
  void Discard(const store::AppRecord& record,
               const std::shared_ptr<proxy::Backend>& backend) override;
  void Forget(const store::AppRecord& record, bool volumes) override;
  Result<std::vector<std::string>> VolumesOf(const std::string& app_id) override;
  Result<std::vector<std::string>> AllVolumes() override;
  std::string EngineName() override { return runtime_ ? runtime_->Name() : ""; }
  RunState StateOf(const std::string& app_id) override;
  void Restart(const std::string& app_id) override;

  // Starts the timers; adopts running containers of known apps (as jobs) and removes
  // containers of this home that belong to no app.
  void Start();
  // Stops the timers; containers keep running (a restarted server adopts them).
  void Stop();
  // After Stop(): waits for queued and running container work (removals of deleted or
  // replaced apps' containers and images; a build or start under way) up to `timeout`. True
  // when all of it finished.
  bool Drain(std::chrono::milliseconds timeout) { return jobs_.WaitIdle(timeout); }
  // After Stop(): health waits and supersede drains under way end now, with "the server is
  // stopping" (cancel the engine commands at the command runner). The jobs then finish soon.
  void Cancel() { stop_.request_stop(); }

  // The container's recent output.
  Result<std::string> Logs(const std::string& app_id, int lines);
  // The command that streams the container's output.
  Result<ProcessOptions> FollowLogsCommand(const std::string& app_id, int lines);

  container::ContainerRuntime* runtime() { return runtime_.get(); }

 private:
  std::shared_ptr<ContainerApp> Find(const std::string& app_id);
  void MonitorLoop();
  void CleanUpOrphans();
  std::string SecretFilesRoot() const;  // $BERTH_HOME/run/secrets
  // Removes the engine volumes labelled with the app's id. Blocks; call from a job.
  void RemoveVolumes(const std::string& app_id);

  const Options options_;
  std::unique_ptr<container::ContainerRuntime> runtime_;
  const std::string disabled_reason_;
  const SpecResolver& resolver_;
  const Clock& clock_;
  SocketHealthProbe probe_;
  ThreadPool jobs_{8};
  std::stop_source stop_;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ContainerApp>> apps_;  // guarded by mu_
  bool stopping_ = false;                                      // guarded by mu_
  std::condition_variable cv_;
  std::thread monitor_;
};

}  // namespace berth::app
